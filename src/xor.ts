// Learning XOR (lecture 002; Goodfellow, Bengio & Courville, Deep Learning §6.1):
// f(x; W, c, w, b) = wᵀ max(0, Wᵀx + c) + b, trained on J(θ) = ¼ Σₓ (f*(x) − f(x; θ))².
import { describe as formatValue, fail, finite, integer, knownOptions, readable } from "./args";
import { loadXor } from "./datasets";
import { MLP, trainMLP } from "./mlp";

/** The four XOR inputs (rows of X) and their targets f*(x), read from datasets/toy/xor.json (the one copy) — 02-ffnn-xor. */
export function xorTable(): { X: number[][]; t: number[] } {
  const table = loadXor();
  return { X: table.inputs, t: table.targets };
}

/** The parameters θ = (W, c, w, b) of f(x) = wᵀ max(0, Wᵀx + c) + b; W[j][i] joins input j to hidden unit i — 02-ffnn-xor. */
export interface XorParams {
  W: number[][];
  c: number[];
  w: number[];
  b: number;
}

/** The exact solution of §6.1: W = [[1,1],[1,1]], c = [0,−1], w = [1,−2], b = 0, read from datasets/toy/xor.json — 02-ffnn-xor. */
export function xorExactSolution(): XorParams {
  const { W, c, w, b } = loadXor().handSolution;
  return { W, c, w, b };
}

function checkParams(fn: string, p: XorParams): void {
  const ok = readable(
    fn,
    "θ",
    p,
    "{ W, c, w, b }",
    () =>
      typeof p === "object" &&
      p !== null &&
      Array.isArray(p.W) &&
      p.W.length === 2 &&
      p.W.every((r) => Array.isArray(r) && r.length === 2 && r.every(Number.isFinite)) &&
      Array.isArray(p.c) &&
      p.c.length === 2 &&
      p.c.every(Number.isFinite) &&
      Array.isArray(p.w) &&
      p.w.length === 2 &&
      p.w.every(Number.isFinite) &&
      typeof p.b === "number" &&
      Number.isFinite(p.b),
  );
  if (!ok) throw new Error(`${fn}: θ must be { W: 2×2, c: [2], w: [2], b: number } of finite numbers, got ${formatValue(p)}`);
}

/** Goodfellow's walk-through, one matrix per step: XW, XW + c, H = max(0, XW + c), y = Hw + b — 02-ffnn-xor. */
export function xorLayers(theta: XorParams, X: number[][] = xorTable().X): { XW: number[][]; XWc: number[][]; H: number[][]; y: number[] } {
  checkParams("xor.layers", theta);
  X.forEach((x, n) => {
    if (!Array.isArray(x) || x.length !== 2 || !x.every(Number.isFinite))
      throw new Error(`xor.layers: X[${n}] must be two finite numbers, got ${formatValue(x)}`);
  });
  const XW = X.map((x) => [0, 1].map((i) => x[0] * theta.W[0][i] + x[1] * theta.W[1][i]));
  const XWc = XW.map((row) => row.map((v, i) => v + theta.c[i]));
  const H = XWc.map((row) => row.map((v) => Math.max(0, v)));
  const y = H.map((h) => h[0] * theta.w[0] + h[1] * theta.w[1] + theta.b);
  return { XW, XWc, H, y };
}

/** f(x; θ) = wᵀ max(0, Wᵀx + c) + b for one input x — 02-ffnn-xor. */
export function xorOutput(theta: XorParams, x: number[]): number {
  checkParams("xor.output", theta);
  if (!readable("xor.output", "x", x, "two numbers", () => Array.isArray(x) && x.length === 2 && x.every(Number.isFinite))) {
    fail("xor.output", "x", "two finite numbers [x₁, x₂]", x);
  }
  return xorLayers(theta, [x]).y[0];
}

/** J(θ) = ¼ Σₓ (f*(x) − f(x; θ))² over the four XOR inputs — 02-ffnn-xor. */
export function xorLoss(theta: XorParams): number {
  checkParams("xor.loss", theta);
  const { X, t } = xorTable();
  const y = xorLayers(theta, X).y;
  return t.reduce((s, target, n) => s + (target - y[n]) ** 2, 0) / 4;
}

/**
 * The best linear model f(x) = wᵀx + b, from the normal equations (AᵀA)θ = Aᵀt with A = [X 1]:
 * w = 0, b = ½, so it outputs 0.5 everywhere and J = 0.25 — 02-ffnn-xor.
 */
export function bestLinearModel(): { w: number[]; b: number; outputs: number[]; J: number } {
  const { X, t } = xorTable();
  const A = X.map((x) => [x[0], x[1], 1]);
  const AtA = [0, 1, 2].map((i) => [0, 1, 2].map((j) => A.reduce((s, a) => s + a[i] * a[j], 0)));
  const Att = [0, 1, 2].map((i) => A.reduce((s, a, n) => s + a[i] * t[n], 0));
  const [w1, w2, b] = solve3(AtA, Att);
  const outputs = X.map((x) => w1 * x[0] + w2 * x[1] + b);
  const J = outputs.reduce((s, y, n) => s + (t[n] - y) ** 2, 0) / 4;
  return { w: [w1, w2], b, outputs, J };
}

/** Solves a 3×3 system by Gaussian elimination with partial pivoting. */
function solve3(M: number[][], v: number[]): number[] {
  const a = M.map((row, i) => [...row, v[i]]);
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let r = col + 1; r < 3; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < 3; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let k = col; k < 4; k++) a[r][k] -= f * a[col][k];
    }
  }
  return a.map((row, i) => row[3] / row[i]);
}

/** f(x; θ) on a grid of points (x₁ across, x₂ down) for a decision-boundary figure: z[i][j] = f((xs[j], ys[i])) — 02-ffnn-xor. */
export function xorGrid(
  theta: XorParams,
  options: { from?: number; to?: number; steps?: number } = {},
): { xs: number[]; ys: number[]; z: number[][] } {
  checkParams("xor.grid", theta);
  knownOptions("xor.grid", options, ["from", "to", "steps"]);
  const from = options.from ?? -0.5;
  const to = options.to ?? 1.5;
  const steps = options.steps ?? 41;
  if (!Number.isFinite(from) || !Number.isFinite(to) || !(from < to))
    throw new Error(`xor.grid: need from < to, got from = ${from}, to = ${to}`);
  if (!Number.isInteger(steps) || steps < 2) throw new Error(`xor.grid: steps must be an integer ≥ 2, got ${steps}`);
  const xs = Array.from({ length: steps }, (_, k) => from + ((to - from) * k) / (steps - 1));
  const z = xs.map(
    (x2) =>
      xorLayers(
        theta,
        xs.map((x1) => [x1, x2]),
      ).y,
  );
  return { xs, ys: xs.slice(), z };
}

/** An MLP([2, 2, 1]) with ReLU hidden units and a linear output, set to the parameters θ — 02-ffnn-xor. */
export function xorNetwork(theta: XorParams): MLP {
  return networkOf("xor.network", theta);
}

function networkOf(fn: string, theta: XorParams): MLP {
  checkParams(fn, theta);
  const model = new MLP([2, 2, 1], { activation: "relu", output: "linear" });
  const [hidden, out] = model.layers;
  hidden.neurons.forEach((n, i) => {
    n.w.forEach((wj, j) => {
      wj.value = theta.W[j][i];
    });
    n.b.value = theta.c[i];
  });
  out.neurons[0].w.forEach((wi, i) => {
    wi.value = theta.w[i];
  });
  out.neurons[0].b.value = theta.b;
  return model;
}

/** Reads θ = (W, c, w, b) back from an MLP([2, 2, 1]) — 02-ffnn-xor. */
export function xorParamsOf(model: MLP): XorParams {
  if (!(model instanceof MLP) || !readable("xor.paramsOf", "model", model, "an MLP", () => model.sizes.join() === "2,2,1")) {
    throw new Error(
      `xor.paramsOf: expected an MLP([2, 2, 1]), got ${model instanceof MLP ? `MLP([${model.sizes.join(", ")}])` : formatValue(model)}`,
    );
  }
  const [hidden, out] = model.layers;
  return {
    W: [0, 1].map((j) => hidden.neurons.map((n) => n.w[j].value)),
    c: hidden.neurons.map((n) => n.b.value),
    w: out.neurons[0].w.map((wi) => wi.value),
    b: out.neurons[0].b.value,
  };
}

/** Options of `trainXor` and `xorConvergence`: learning rate, step budget, goal and seed — 02-ffnn-xor. */
export interface XorTrainOptions {
  seed?: number;
  /** The value every bias starts at (default 0). */
  bias?: number;
  /** Start from these parameters instead of a random initialisation (e.g. a symmetric start). */
  start?: XorParams;
  /** Learning rate (default 0.1). */
  lr?: number;
  /** Step budget (default 1000). */
  steps?: number;
  /** Training has converged when J < goal (default 0.01). */
  goal?: number;
  /** Progress callback every `every` steps, with the model so a plot can redraw the decision boundary. */
  onStep?: (step: number, J: number, model: MLP) => void;
  every?: number;
}

/** What `trainXor` returns: the trained θ, the loss curve, and whether J fell below the goal — 02-ffnn-xor. */
export interface XorTrainResult {
  seed: number;
  theta: XorParams;
  losses: number[];
  converged: boolean;
  model: MLP;
}

const DEFAULTS = { lr: 0.1, steps: 1000, goal: 0.01 };

/** Trains MLP([2, 2, 1]) (ReLU, weights uniform in [−1, 1], biases 0 unless `bias` says otherwise) on XOR by gradient descent on J — 02-ffnn-xor. */
const TRAIN_KEYS = ["seed", "bias", "start", "lr", "steps", "goal", "onStep", "every"] as const;

/** Check the options of a training run (fn names the public function). */
function trainOptions(fn: string, options: unknown, keys: readonly string[]): void {
  knownOptions(fn, options, keys);
  if (typeof options !== "object" || options === null) return;
  readable(fn, "options", options, "an options object", () => {
    const o: { [key: string]: unknown } = { ...options };
    if (o.seed !== undefined) integer(fn, "seed", o.seed, { min: 0, max: 2 ** 31 - 1 });
    if (o.steps !== undefined) integer(fn, "steps", o.steps, { min: 0, max: 100_000 });
    if (o.every !== undefined) integer(fn, "every", o.every, { min: 1, max: 1_000_000 });
    if (o.lr !== undefined) finite(fn, "lr", o.lr, { min: Number.MIN_VALUE, max: 100 });
    if (o.goal !== undefined) finite(fn, "goal", o.goal, { min: 0 });
    if (o.bias !== undefined) finite(fn, "bias", o.bias);
    if (o.onStep !== undefined && typeof o.onStep !== "function") fail(fn, "onStep", "a function", o.onStep);
  });
}

export function trainXor(options: XorTrainOptions = {}): XorTrainResult {
  trainOptions("xor.train", options, TRAIN_KEYS);
  const seed = options.seed ?? 1;
  const goal = options.goal ?? DEFAULTS.goal;
  const model = options.start
    ? networkOf("xor.train", options.start)
    : new MLP([2, 2, 1], { activation: "relu", output: "linear", seed, bias: options.bias ?? 0 });
  const { X, t } = xorTable();
  const onStep = options.onStep;
  const losses = trainMLP(
    model,
    X,
    t.map((v) => [v]),
    {
      lr: options.lr ?? DEFAULTS.lr,
      steps: options.steps ?? DEFAULTS.steps,
      loss: "mse",
      stopBelow: goal,
      every: options.every,
      onStep: onStep ? (step, J) => onStep(step, J, model) : undefined,
    },
  );
  const theta = xorParamsOf(model);
  return { seed, theta, losses, converged: xorLoss(theta) < goal, model };
}

/** Why a trained XOR network failed: a dead ReLU unit, both hidden units alike, both always active (linear), or a plateau — 02-ffnn-xor. */
export function diagnoseXor(theta: XorParams): string {
  checkParams("xor.diagnose", theta);
  const { XWc } = xorLayers(theta);
  const reasons: string[] = [];
  const active = [0, 1].map((i) => XWc.filter((z) => z[i] > 0).length);
  active.forEach((n, i) => {
    if (n === 0) reasons.push(`dead ReLU: hidden unit ${i + 1} is 0 on all four inputs, so no error signal reaches its weights`);
  });
  const same = XWc.every((z) => Math.abs(z[0] - z[1]) < 1e-6);
  if (same) reasons.push("symmetric: both hidden units compute the same function, so they always get the same error signal");
  if (reasons.length === 0 && active[0] === 4 && active[1] === 4) {
    reasons.push(
      `linear: both hidden units are active on all four inputs, so the network is a linear model and J = ${xorLoss(theta).toFixed(4)} cannot beat 0.25`,
    );
  }
  if (reasons.length === 0) {
    reasons.push(
      `stuck on a plateau or local minimum at J = ${xorLoss(theta).toFixed(4)}: hidden unit 1 is active on ${active[0]} of 4 inputs, unit 2 on ${active[1]}`,
    );
  }
  return reasons.join("; ");
}

/** Trains on XOR from every seed (default 1–100) and reports the share that reach J < goal within the step budget — 02-ffnn-xor. */
export function xorConvergence(options: Omit<XorTrainOptions, "seed" | "onStep"> & { seeds?: number[] } = {}): {
  rate: number;
  converged: number[];
  failed: Array<{ seed: number; J: number; diagnosis: string }>;
  steps: number;
  lr: number;
  goal: number;
} {
  trainOptions("xor.convergence", options, ["bias", "start", "lr", "steps", "goal", "every", "seeds"]);
  const seeds = options.seeds ?? Array.from({ length: 100 }, (_, k) => k + 1);
  // Each seed is a training run of up to `steps` steps: at most 1,000,000 steps in all (100 seeds × 10,000).
  const budget = readable(
    "xor.convergence",
    "seeds",
    seeds,
    "a list of seeds",
    () => (Array.isArray(seeds) ? seeds.length : 0) * (options.steps ?? DEFAULTS.steps),
  );
  if (!Array.isArray(seeds) || seeds.length === 0 || seeds.length > 1000 || !seeds.every(Number.isInteger) || !(budget <= 1e6)) {
    throw new Error(
      `xor.convergence: seeds must be a non-empty list of integers (at most 1000, and seeds × steps ≤ 1000000), got ${formatValue(seeds)}`,
    );
  }
  const converged: number[] = [];
  const failed: Array<{ seed: number; J: number; diagnosis: string }> = [];
  for (const seed of seeds) {
    const r = trainXor({
      bias: options.bias,
      start: options.start,
      lr: options.lr,
      steps: options.steps,
      goal: options.goal,
      every: options.every,
      seed,
    });
    if (r.converged) converged.push(seed);
    else failed.push({ seed, J: xorLoss(r.theta), diagnosis: diagnoseXor(r.theta) });
  }
  return {
    rate: converged.length / seeds.length,
    converged,
    failed,
    steps: options.steps ?? DEFAULTS.steps,
    lr: options.lr ?? DEFAULTS.lr,
    goal: options.goal ?? DEFAULTS.goal,
  };
}
