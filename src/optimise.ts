// Optimisers by hand (lecture 002: gradient descent moves opposite the gradient; lecture 001: "learning
// algorithm" is one more choice to tune). Each takes the parameters θ and their error signals θ̄ and
// returns the next θ:
//   SGD        θ ← θ − η θ̄
//   momentum   v ← β v + θ̄,                 θ ← θ − η v
//   Adam       m ← β₁m + (1 − β₁) θ̄,  s ← β₂s + (1 − β₂) θ̄²,
//              m̂ = m / (1 − β₁ᵗ),  ŝ = s / (1 − β₂ᵗ),  θ ← θ − η m̂ / (√ŝ + ε)
// L2 regularisation (lecture 002's R = ½w², L_reg = L + λR) adds λθ to θ̄ before the update.
import { Scalar, param, type Node } from "./autodiff";
import { describe, knownOptions } from "./args";

/** Which update rule, and its settings — 12-generalisation-and-hyperparameters. */
export interface OptimiserOptions {
  kind: "sgd" | "momentum" | "adam";
  learningRate: number;
  /** Momentum's β (default 0.9). */
  beta?: number;
  /** Adam's β₁, β₂, ε (defaults 0.9, 0.999, 1e-8: TensorFlow.js's 1e-7 is its own default). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** λ of the L2 penalty ½λ‖θ‖² (default 0). */
  l2?: number;
}

/** An optimiser with its state (velocity, moments, step count) — 12-generalisation-and-hyperparameters. */
export interface Optimiser {
  options: Required<OptimiserOptions>;
  /** The next parameters, from the current ones and their error signals. */
  step(theta: number[], thetaBar: number[]): number[];
}

function finiteList(fn: string, arg: string, xs: unknown): number[] {
  if (!Array.isArray(xs) || !xs.every((v) => typeof v === "number" && Number.isFinite(v))) {
    throw new Error(`${fn}: ${arg} must be a list of finite numbers, got ${describe(xs)}`);
  }
  return xs;
}

/** A fresh optimiser: SGD, momentum or Adam, updating by hand — 12-generalisation-and-hyperparameters. */
export function optimiser(options: OptimiserOptions): Optimiser {
  return optimiserFor("optimisers.create", options);
}

const OPTIMISER_KEYS = ["kind", "learningRate", "beta", "beta1", "beta2", "epsilon", "l2"] as const;

/** The optimiser that public function `fn` asked for, its errors naming `fn`. */
function optimiserFor(fn: string, options: OptimiserOptions): Optimiser {
  knownOptions(fn, options, OPTIMISER_KEYS, { required: true });
  if (!["sgd", "momentum", "adam"].includes(options.kind))
    throw new Error(`${fn}: kind must be "sgd", "momentum" or "adam", got ${describe(options.kind)}`);
  if (!(options.learningRate > 0) || !Number.isFinite(options.learningRate))
    throw new Error(`${fn}: learningRate must be a positive number, got ${describe(options.learningRate)}`);
  const o: Required<OptimiserOptions> = { beta: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, l2: 0, ...options };
  for (const arg of ["beta", "beta1", "beta2"] as const) {
    if (!(o[arg] >= 0 && o[arg] < 1)) throw new Error(`${fn}: ${arg} must be in [0, 1), got ${describe(o[arg])}`);
  }
  if (!(o.epsilon > 0)) throw new Error(`${fn}: epsilon must be positive, got ${describe(o.epsilon)}`);
  if (!(o.l2 >= 0) || !Number.isFinite(o.l2)) throw new Error(`${fn}: l2 must be a number ≥ 0, got ${describe(o.l2)}`);
  let v: number[] = [];
  let m: number[] = [];
  let s: number[] = [];
  let t = 0;
  let size = 0;
  return {
    options: o,
    step(theta: number[], thetaBar: number[]): number[] {
      finiteList("optimisers.create: step", "theta", theta);
      finiteList("optimisers.create: step", "thetaBar", thetaBar);
      if (theta.length !== thetaBar.length)
        throw new Error(`optimisers.create: step: theta has ${theta.length} entries but thetaBar has ${thetaBar.length}`);
      if (t > 0 && theta.length !== size)
        throw new Error(`optimisers.create: step: theta has ${theta.length} entries, but had ${size} at the first step`);
      size = theta.length;
      const g = thetaBar.map((gi, i) => gi + o.l2 * theta[i]);
      t += 1;
      if (o.kind === "sgd") return theta.map((w, i) => w - o.learningRate * g[i]);
      if (o.kind === "momentum") {
        v = t === 1 ? g.slice() : v.map((vi, i) => o.beta * vi + g[i]);
        return theta.map((w, i) => w - o.learningRate * v[i]);
      }
      if (t === 1) {
        m = g.map(() => 0);
        s = g.map(() => 0);
      }
      m = m.map((mi, i) => o.beta1 * mi + (1 - o.beta1) * g[i]);
      s = s.map((si, i) => o.beta2 * si + (1 - o.beta2) * g[i] * g[i]);
      return theta.map((w, i) => {
        const mHat = m[i] / (1 - o.beta1 ** t);
        const sHat = s[i] / (1 - o.beta2 ** t);
        return w - (o.learningRate * mHat) / (Math.sqrt(sHat) + o.epsilon);
      });
    },
  };
}

/** Where a run of an optimiser went: every point θ₀ … θ_steps and the loss there — 12-generalisation-and-hyperparameters. */
export interface Path {
  points: number[][];
  losses: number[];
}

/** Minimise a function of scalars built with the engine, from `start`, for `steps` updates — 12-generalisation-and-hyperparameters. */
export function minimise(f: (xs: Scalar[]) => Node, start: number[], options: OptimiserOptions & { steps: number }): Path {
  const fn = "optimisers.minimise";
  if (typeof f !== "function") throw new Error(`${fn}: f must be a function of engine scalars, got ${describe(f)}`);
  finiteList(fn, "start", start);
  knownOptions(fn, options, [...OPTIMISER_KEYS, "steps"], { required: true });
  if (!Number.isInteger(options.steps) || options.steps < 1)
    throw new Error(`${fn}: steps must be a positive integer, got ${describe(options.steps)}`);
  const { steps: _steps, ...settings } = options;
  const opt = optimiserFor(fn, settings);
  const points = [start.slice()];
  const losses: number[] = [];
  let theta = start.slice();
  for (let k = 0; k <= options.steps; k++) {
    const xs = theta.map((v, i) => param(v, `θ${i + 1}`));
    const loss = f(xs);
    if (!(loss instanceof Scalar)) throw new Error("optimisers.minimise: f must return a Scalar loss");
    losses.push(loss.value);
    if (k === options.steps) break;
    loss.backward();
    theta = opt.step(
      theta,
      xs.map((x) => x.bar),
    );
    points.push(theta.slice());
  }
  return { points, losses };
}
