// Activation functions (lectures 001, 002, 003): ReLU, sigmoid, tanh, sign and their derivatives.
// The scalar functions are plain (number → number); `activate` applies one to every entry of a
// vector, matrix or volume, keeping its shape.
import { describe as formatValue, finite, MAX_DEPTH, MAX_SIZE, numbers, oneOf } from "./args";

/** ReLU: max(0, z) — 07-pooling-relu-x-vs-o. */
export function relu(z: number): number {
  finite("activations.relu", "z", z);
  return z > 0 ? z : 0;
}

/** ReLU′(z): 1 for z > 0, else 0 (0 at z = 0 by convention) — 03-backprop. */
export function reluDerivative(z: number): number {
  finite("activations.reluDerivative", "z", z);
  return z > 0 ? 1 : 0;
}

/** The logistic sigmoid σ(z) = 1/(1 + e^(−z)), computed without overflow for large |z| — 02-ffnn-xor. */
export function sigmoid(z: number): number {
  finite("activations.sigmoid", "z", z);
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** σ′(z) = σ(z)(1 − σ(z)) — 03-backprop. */
export function sigmoidDerivative(z: number): number {
  finite("activations.sigmoidDerivative", "z", z);
  const s = sigmoid(z);
  return s * (1 - s);
}

/** tanh(z) = (e^z − e^(−z))/(e^z + e^(−z)) — 02-ffnn-xor. */
export function tanh(z: number): number {
  finite("activations.tanh", "z", z);
  return Math.tanh(z);
}

/** tanh′(z) = 1 − tanh(z)² — 03-backprop. */
export function tanhDerivative(z: number): number {
  finite("activations.tanhDerivative", "z", z);
  const t = Math.tanh(z);
  return 1 - t * t;
}

/** sign(z): −1, 0 or 1 (lecture 004's sign activation) — 02-ffnn-xor. */
export function sign(z: number): number {
  finite("activations.sign", "z", z);
  return z > 0 ? 1 : z < 0 ? -1 : 0;
}

/** sign′(z) = 0 wherever it is defined (it jumps at 0), which is why sign cannot be trained by gradients — 03-backprop. */
export function signDerivative(z: number): number {
  finite("activations.signDerivative", "z", z);
  return 0;
}

/** The identity g(z) = z, for an output layer with no activation — 02-ffnn-xor. */
export function linear(z: number): number {
  finite("activations.linear", "z", z);
  return z;
}

/** linear′(z) = 1 — 03-backprop. */
export function linearDerivative(z: number): number {
  finite("activations.linearDerivative", "z", z);
  return 1;
}

/** softmax(z)_i = e^(z_i) / Σ_j e^(z_j), shifted by max(z) so it never overflows — 02-ffnn-xor. */
export function softmax(z: number[]): number[] {
  numbers("activations.softmax", "z", z, MAX_SIZE);
  const top = Math.max(...z);
  const e = z.map((v) => Math.exp(v - top));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

/** The library's one list of activation names (softmax, which needs a whole vector, is separate) — 02-ffnn-xor. */
export type ActivationName = "relu" | "sigmoid" | "tanh" | "sign" | "linear";

/** Every activation name, in teaching order — 02-ffnn-xor. */
export const activationNames: readonly ActivationName[] = ["relu", "sigmoid", "tanh", "sign", "linear"];

/** Each activation with its derivative and its formula in LaTeX — 02-ffnn-xor. */
export const activations: Record<ActivationName, { f: (z: number) => number; derivative: (z: number) => number; latex: string }> = {
  relu: { f: relu, derivative: reluDerivative, latex: "\\max(0, z)" },
  sigmoid: { f: sigmoid, derivative: sigmoidDerivative, latex: "\\frac{1}{1 + e^{-z}}" },
  tanh: { f: tanh, derivative: tanhDerivative, latex: "\\tanh z" },
  sign: { f: sign, derivative: signDerivative, latex: "\\operatorname{sign} z" },
  linear: { f: linear, derivative: linearDerivative, latex: "z" },
};

/** A number, or nested arrays of numbers of any depth. */
export type Numbers = number | Numbers[];

function lookup(fn: string, name: unknown): ActivationName {
  return oneOf(fn, "name", name, activationNames);
}

function mapNested(fn: string, x: unknown, f: (z: number) => number, where: string, depth = 0): Numbers {
  if (depth > MAX_DEPTH) throw new Error(`${fn}: x nests deeper than ${MAX_DEPTH} levels (circular?) at x${where.slice(0, 40)}…`);
  if (typeof x === "number") {
    if (!Number.isFinite(x)) throw new Error(`${fn}: x${where} must be a finite number, got ${formatValue(x)}`);
    return f(x);
  }
  if (!Array.isArray(x)) throw new Error(`${fn}: x${where} must be a number or an array of numbers, got ${formatValue(x)}`);
  return x.map((v: unknown, i) => mapNested(fn, v, f, `${where}[${i}]`, depth + 1));
}

/** Apply an activation to every entry: `activate(map, "relu")` replaces negatives by 0 (lecture 003) — 07-pooling-relu-x-vs-o. */
export function activate(x: number, name: ActivationName): number;
export function activate(x: number[], name: ActivationName): number[];
export function activate(x: number[][], name: ActivationName): number[][];
export function activate(x: number[][][], name: ActivationName): number[][][];
export function activate(x: Numbers, name: ActivationName): Numbers;
export function activate(x: Numbers, name: ActivationName): Numbers {
  const fn = "activations.activate";
  return mapNested(fn, x, activations[lookup(fn, name)].f, "");
}

/** Apply an activation's derivative to every entry, e.g. σ′(z) for each z — 03-backprop. */
export function activationDerivative(x: number, name: ActivationName): number;
export function activationDerivative(x: number[], name: ActivationName): number[];
export function activationDerivative(x: number[][], name: ActivationName): number[][];
export function activationDerivative(x: number[][][], name: ActivationName): number[][][];
export function activationDerivative(x: Numbers, name: ActivationName): Numbers;
export function activationDerivative(x: Numbers, name: ActivationName): Numbers {
  const fn = "activations.activationDerivative";
  return mapNested(fn, x, activations[lookup(fn, name)].derivative, "");
}
