// Training deep networks (lectures 000, 001, 002, 003): how big the error signals W̄ are, layer by
// layer, in a deep fully-connected network built in the bar engine; the initial scales of Xavier and
// He; gradient clipping. The networks are small (width 32, a batch of 16) so that every number can be
// recomputed by hand.
import { Tensor, affine, backward, input, mean, param, relu, sigmoid, tanh } from "./autodiff";
import { seededRandom, type Random } from "./random";
import { shortcut } from "./residual";
import { describe, knownOptions, numbers, positiveInteger } from "./args";
import { randomOf, readArgs } from "./guard";

/** The hidden units a deep network may use — 11-training-deep-networks. */
export type DeepActivation = "sigmoid" | "tanh" | "relu";

/** How the initial weights are drawn: N(0, std²) with std from Xavier (√(1/fanIn)), He (√(2/fanIn)) or a number — 11-training-deep-networks. */
export type InitScheme = "xavier" | "he" | number;

/** Options of `deepNetwork` — 11-training-deep-networks. */
export interface DeepNetworkOptions {
  /** Number of hidden layers (weight matrices before the output layer). */
  depth: number;
  /** Units per hidden layer (and inputs). */
  width: number;
  activation: DeepActivation;
  /** Initial weights: "xavier", "he" or a standard deviation (default "xavier"). */
  init?: InitScheme;
  /** Add a shortcut around every hidden layer after the first: h ← h + g(W h + b) (default false). */
  residual?: boolean;
  seed?: number;
}

/** A deep network in the bar engine: its weights W⁽¹⁾ … W⁽ᴰ⁾ (each width × width) and biases, and the output row w — 11-training-deep-networks. */
export interface DeepNetwork {
  options: Required<DeepNetworkOptions>;
  weights: Tensor[];
  biases: Tensor[];
  output: Tensor;
}

/** What one forward and backward pass measured, layer by layer (1 = next to the input) — 11-training-deep-networks. */
export interface SignalSizes {
  /** RMS of the error signal W̄ of each hidden layer. */
  weightBar: number[];
  /** Standard deviation of each hidden layer's activations h. */
  activationStd: number[];
  loss: number;
}

/** The standard deviation of the initial weights: Xavier √(1/fanIn), He √(2/fanIn), or the number given — 11-training-deep-networks. */
export function initStd(scheme: InitScheme, fanIn: number): number {
  readArgs("deep.initStd", () => positiveInteger("deep.initStd", "fanIn", fanIn));
  if (scheme === "xavier") return Math.sqrt(1 / fanIn);
  if (scheme === "he") return Math.sqrt(2 / fanIn);
  if (typeof scheme === "number" && Number.isFinite(scheme) && scheme > 0) return scheme;
  throw new Error(`deep.initStd: scheme must be "xavier", "he" or a positive number, got ${describe(scheme)}`);
}

/** A matrix of rows × cols numbers drawn from N(0, std²) — 11-training-deep-networks. */
export function gaussianMatrix(rows: number, cols: number, std: number, random: Random): number[][] {
  readArgs("deep.gaussianMatrix", () => {
    positiveInteger("deep.gaussianMatrix", "rows", rows, 10_000);
    positiveInteger("deep.gaussianMatrix", "cols", cols, 10_000);
    if (!(std >= 0) || !Number.isFinite(std)) throw new Error(`deep.gaussianMatrix: std must be a finite number ≥ 0, got ${describe(std)}`);
    randomOf("deep.gaussianMatrix", "random", random);
  });
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => random.normal(0, std)));
}

/** A deep fully-connected network with seeded initial weights, as engine parameters — 11-training-deep-networks. */
export function deepNetwork(options: DeepNetworkOptions): DeepNetwork {
  const fn = "deep.network";
  readArgs(fn, () => knownOptions(fn, options, ["depth", "width", "activation", "init", "residual", "seed"], { required: true }));
  const depth = positiveInteger(fn, "depth", options.depth);
  const width = positiveInteger(fn, "width", options.width);
  if (!["sigmoid", "tanh", "relu"].includes(options.activation)) {
    throw new Error(`${fn}: activation must be "sigmoid", "tanh" or "relu", got ${describe(options.activation)}`);
  }
  const init = options.init ?? "xavier";
  const std = initStd(init, width);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`${fn}: seed must be an integer, got ${describe(seed)}`);
  const random = seededRandom(seed);
  const weights = Array.from({ length: depth }, (_, l) => param(gaussianMatrix(width, width, std, random), `W${l + 1}`));
  const biases = Array.from({ length: depth }, (_, l) =>
    param(
      Array.from({ length: width }, () => [0]),
      `b${l + 1}`,
    ),
  );
  const output = param(gaussianMatrix(1, width, Math.sqrt(1 / width), random), "w");
  return {
    options: { depth, width, activation: options.activation, init, residual: options.residual ?? false, seed },
    weights,
    biases,
    output,
  };
}

function activate(z: Tensor, activation: DeepActivation, name: string): Tensor {
  if (activation === "sigmoid") return sigmoid(z, name);
  if (activation === "tanh") return tanh(z, name);
  return relu(z, name);
}

function std(values: number[]): number {
  const m = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / values.length);
}

function rms(m: number[][]): number {
  const flat = m.flat();
  return Math.sqrt(flat.reduce((s, v) => s + v * v, 0) / flat.length);
}

/**
 * One forward pass of a batch x (width × batch) through the network, the loss L = mean(w h⁽ᴰ⁾)
 * (every output's error signal is the same 1/batch), backward, and the size of every W̄ — 11-training-deep-networks.
 */
export function signalSizes(net: DeepNetwork, x: number[][]): SignalSizes {
  const fn = "deep.signalSizes";
  readArgs(fn, () => {
    if (
      typeof net !== "object" ||
      net === null ||
      !Array.isArray(net.weights) ||
      !net.weights.every((w) => w instanceof Tensor) ||
      !(net.output instanceof Tensor)
    ) {
      throw new Error(`${fn}: net must come from dl.deep.network`);
    }
    numbers(fn, "x[0]", Array.isArray(x) ? x[0] : x);
  });
  const { width, activation, residual } = net.options;
  if (
    !Array.isArray(x) ||
    x.length !== width ||
    !x.every((row) => Array.isArray(row) && row.length === x[0].length && row.every(Number.isFinite))
  ) {
    throw new Error(
      `${fn}: x must be a ${width} × batch matrix of finite numbers (one column per example), got ${Array.isArray(x) ? `${x.length} rows` : String(x)}`,
    );
  }
  [...net.weights, ...net.biases, net.output].forEach((p) => p.zeroGrad());
  let h = input(x, "x");
  const hs: Tensor[] = [];
  net.weights.forEach((W, l) => {
    const g = activate(affine(W, h, net.biases[l], `z${l + 1}`), activation, `g${l + 1}`);
    h = residual && l > 0 ? shortcut(g, h, `h${l + 1}`) : g;
    hs.push(h);
  });
  const loss = mean(affine(net.output, h, param([[0]], "c"), "y"), "L");
  backward(loss);
  return { weightBar: net.weights.map((W) => rms(W.bar)), activationStd: hs.map((t) => std(t.value.flat())), loss: loss.value };
}

/** A batch of `count` random inputs of N(0, 1) numbers, width × count, one column per example — 11-training-deep-networks. */
export function randomBatch(width: number, count: number, seed = 0): number[][] {
  readArgs("deep.randomBatch", () => {
    positiveInteger("deep.randomBatch", "width", width, 10_000);
    positiveInteger("deep.randomBatch", "count", count, 10_000);
    if (!Number.isInteger(seed)) throw new Error(`deep.randomBatch: seed must be an integer, got ${describe(seed)}`);
  });
  return gaussianMatrix(width, count, 1, seededRandom(seed));
}

/** Gradient clipping by norm: if ‖g‖ > maxNorm, scale g down to length maxNorm (its direction is kept) — 11-training-deep-networks. */
export function clipByNorm(g: number[], maxNorm: number): number[] {
  readArgs("deep.clipByNorm", () => numbers("deep.clipByNorm", "g", g));
  if (typeof maxNorm !== "number" || !(maxNorm > 0) || !Number.isFinite(maxNorm))
    throw new Error(`deep.clipByNorm: maxNorm must be a positive number, got ${describe(maxNorm)}`);
  const norm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
  return norm <= maxNorm ? g.slice() : g.map((v) => (v * maxNorm) / norm);
}
