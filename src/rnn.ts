// Recurrent networks (lecture 000's W10B, lecture 001's "RNN and Transformers – sequences"), in the bar
// engine. One cell, the same weights at every time step:
//   h_t = tanh(W h_{t−1} + U x_t + b).
// Unrolled over T steps it is a deep feedforward network whose layers share W; in bar notation W is a
// fan-out (one use per step), so W̄ adds up one term per time step (back-propagation through time).
// The GRU of lecture 000's RecGAN slide adds an update gate and a reset gate.
import { Tensor, add, affine, input, matmul, mul, param, sigmoid, sub, tanh, relu, type Matrix } from "./autodiff";
import { seededRandom } from "./random";
import { gaussianMatrix } from "./deep";
import { describe, knownOptions, matrix } from "./args";
import { readArgs } from "./guard";

/** The weights of a simple RNN cell: W (hidden × hidden), U (hidden × inputs), b (hidden × 1) — 13-recurrent-networks. */
export interface RnnParams {
  W: Tensor;
  U: Tensor;
  b: Tensor;
}

/** The weights of a GRU cell, named as on lecture 000's RecGAN slide (no biases) — 13-recurrent-networks. */
export interface GruParams {
  /** update gate: x_t = σ(W_xh h_{t−1} + W_xk y_t) */
  Wxh: Tensor;
  Wxk: Tensor;
  /** reset gate: r_t = σ(W_rh h_{t−1} + W_rk y_t) */
  Wrh: Tensor;
  Wrk: Tensor;
  /** candidate: m_t = tanh(W_h (r_t ∘ h_{t−1}) + W_input y_t) */
  Wh: Tensor;
  Winput: Tensor;
}

/** Options of `rnnParams` and `gruParams`: sizes, the scale of the initial weights, the seed — 13-recurrent-networks. */
export interface CellOptions {
  hidden: number;
  inputs: number;
  /** Standard deviation of the initial weights (default 1/√hidden). */
  scale?: number;
  seed?: number;
}

function sizes(fn: string, options: CellOptions): { hidden: number; inputs: number; scale: number; seed: number } {
  readArgs(fn, () => knownOptions(fn, options, ["hidden", "inputs", "scale", "seed"], { required: true }));
  for (const arg of ["hidden", "inputs"] as const) {
    const v = options[arg];
    if (!Number.isInteger(v) || v < 1) throw new Error(`${fn}: ${arg} must be a positive integer, got ${describe(v)}`);
  }
  const scale = options.scale ?? 1 / Math.sqrt(options.hidden);
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`${fn}: scale must be a positive number, got ${describe(options.scale)}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`${fn}: seed must be an integer, got ${describe(seed)}`);
  return { hidden: options.hidden, inputs: options.inputs, scale, seed };
}

/** Seeded initial weights of a simple RNN cell (b = 0) — 13-recurrent-networks. */
export function rnnParams(options: CellOptions): RnnParams {
  const { hidden, inputs, scale, seed } = sizes("rnn.params", options);
  const random = seededRandom(seed);
  return {
    W: param(gaussianMatrix(hidden, hidden, scale, random), "W"),
    U: param(gaussianMatrix(hidden, inputs, scale, random), "U"),
    b: param(
      Array.from({ length: hidden }, () => [0]),
      "b",
    ),
  };
}

/** Seeded initial weights of a GRU cell — 13-recurrent-networks. */
export function gruParams(options: CellOptions): GruParams {
  const { hidden, inputs, scale, seed } = sizes("rnn.gruParams", options);
  const random = seededRandom(seed);
  const h = (name: string) => param(gaussianMatrix(hidden, hidden, scale, random), name);
  const k = (name: string) => param(gaussianMatrix(hidden, inputs, scale, random), name);
  return { Wxh: h("W_xh"), Wxk: k("W_xk"), Wrh: h("W_rh"), Wrk: k("W_rk"), Wh: h("W_h"), Winput: k("W_input") };
}

function checkState(fn: string, params: { W: Tensor } | { Wh: Tensor }, h: Tensor, x: Tensor): void {
  const entries: Array<[string, unknown]> = readArgs(fn, () =>
    typeof params === "object" && params !== null ? Object.entries(params) : [],
  );
  const needed = fn === "rnn.step" ? ["W", "U", "b"] : ["Wxh", "Wxk", "Wrh", "Wrk", "Wh", "Winput"];
  if (!needed.every((n) => entries.some(([k, v]) => k === n && v instanceof Tensor))) {
    throw new Error(
      `${fn}: params must be {${needed.join(", ")}} of engine Tensors (from dl.rnn.${fn === "rnn.step" ? "params" : "gruParams"})`,
    );
  }
  const W = "W" in params ? params.W : params.Wh;
  if (!(h instanceof Tensor) || !(x instanceof Tensor))
    throw new Error(`${fn}: h and x must be Tensors (columns), got ${describe(h)} and ${describe(x)}`);
  if (h.shape[0] !== W.shape[0]) throw new Error(`${fn}: h has ${h.shape[0]} rows but the cell has ${W.shape[0]} hidden units`);
}

/** One step of the simple RNN: h_t = tanh(W h_{t−1} + U x_t + b) — 13-recurrent-networks. */
export function rnnStep(params: RnnParams, h: Tensor, x: Tensor, t = 1): Tensor {
  checkState("rnn.step", params, h, x);
  if (x.shape[0] !== params.U.shape[1])
    throw new Error(`rnn.step: x_${t} has ${x.shape[0]} rows but U expects ${params.U.shape[1]} inputs`);
  const a = add(affine(params.W, h, params.b, `Wh${t - 1}+b`), matmul(params.U, x, `Ux${t}`), `a${t}`);
  return tanh(a, `h${t}`);
}

/** Options of `gruStep`: the update gate's function (σ as in Cho et al. 2014; "relu" as printed on the RecGAN slide) — 13-recurrent-networks. */
export interface GruOptions {
  updateGate?: "sigmoid" | "relu";
}

/** One GRU step: gates x_t (update), r_t (reset), candidate m_t, and h_t = (1 − x_t) ∘ h_{t−1} + x_t ∘ m_t — 13-recurrent-networks. */
export function gruStep(params: GruParams, h: Tensor, y: Tensor, t = 1, options: GruOptions = {}): Tensor {
  checkState("rnn.gruStep", params, h, y);
  if (y.shape[0] !== params.Wxk.shape[1])
    throw new Error(`rnn.gruStep: y_${t} has ${y.shape[0]} rows but W_xk expects ${params.Wxk.shape[1]} inputs`);
  knownOptions("rnn.gruStep", options, ["updateGate"]);
  const gate = options.updateGate ?? "sigmoid";
  if (gate !== "sigmoid" && gate !== "relu") throw new Error(`rnn.gruStep: updateGate must be "sigmoid" or "relu", got ${describe(gate)}`);
  const pre = add(matmul(params.Wxh, h), matmul(params.Wxk, y), `update${t}`);
  const update = gate === "sigmoid" ? sigmoid(pre, `x${t}`) : relu(pre, `x${t}`);
  const reset = sigmoid(add(matmul(params.Wrh, h), matmul(params.Wrk, y)), `r${t}`);
  const candidate = tanh(add(matmul(params.Wh, mul(reset, h, `r${t}∘h${t - 1}`)), matmul(params.Winput, y)), `m${t}`);
  const ones = input(
    h.value.map((row) => row.map(() => 1)),
    "1",
  );
  const keep = mul(sub(ones, update, `1−x${t}`), h, `keep${t}`);
  return add(keep, mul(update, candidate, `new${t}`), `h${t}`);
}

/** Run a cell over a sequence of inputs x_1 … x_T (columns) from h_0: every state h_0 … h_T — 13-recurrent-networks. */
export function unroll(step: (h: Tensor, x: Tensor, t: number) => Tensor, h0: Matrix | Tensor, xs: Matrix[]): Tensor[] {
  if (typeof step !== "function") throw new Error(`rnn.unroll: step must be a function (h, x, t) => h_t, got ${typeof step}`);
  const length = readArgs("rnn.unroll", () => {
    if (!Array.isArray(xs) || xs.length === 0 || xs.length > 100_000)
      throw new Error("rnn.unroll: xs must be a non-empty list of input columns");
    xs.forEach((x, i) => matrix("rnn.unroll", `xs[${i}]`, x));
    if (!(h0 instanceof Tensor)) matrix("rnn.unroll", "h0", h0);
    return xs.length;
  });
  const hs: Tensor[] = [h0 instanceof Tensor ? h0 : input(h0, "h0")];
  if (length !== xs.length) throw new Error("rnn.unroll: xs changed while it was read");
  xs.forEach((x, i) => hs.push(step(hs[i], input(x, `x${i + 1}`), i + 1)));
  return hs;
}
