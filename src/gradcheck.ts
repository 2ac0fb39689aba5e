// Gradient checking (lecture 002): compare the engine's error signals with central finite
// differences and with TensorFlow.js's own automatic differentiation (tf.grads).
import { describe as formatValue, fail, finite, knownOptions, matrix, MAX_DEPTH, numbers, readable } from "./args";
import { Matrix, Node, Scalar, Tensor, param } from "./autodiff";
import { tf } from "./tf";

/** ∂f/∂xᵢ ≈ (f(x + h eᵢ) − f(x − h eᵢ)) / 2h for every entry of x — 03-backprop. */
export function centralDifferences(f: (x: number[]) => number, x: number[], h = 1e-5): number[] {
  if (typeof f !== "function") throw new Error(`autodiff.centralDifferences: f must be a function, got ${formatValue(f)}`);
  if (!Array.isArray(x) || !x.every(Number.isFinite))
    throw new Error(`autodiff.centralDifferences: x must be a list of finite numbers, got ${formatValue(x)}`);
  if (!(h > 0) || !Number.isFinite(h))
    throw new Error(`autodiff.centralDifferences: h must be a small positive number, got ${formatValue(h)}`);
  numbers("autodiff.centralDifferences", "x", x, 10_000);
  return x.map((_, i) => {
    const plus = x.slice();
    const minus = x.slice();
    plus[i] += h;
    minus[i] -= h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}

type Nested = number | Nested[];

function flatten(fn: string, arg: string, x: Nested, depth = 0): number[] {
  if (typeof x === "number") return [x];
  if (!Array.isArray(x) || depth > MAX_DEPTH)
    throw new Error(`${fn}: ${arg} must be a number or a (nested) list of numbers, got ${formatValue(x)}`);
  return x.flatMap((v) => flatten(fn, arg, v, depth + 1));
}

/** The arguments every gradient function takes: f a function, values numbers (or matrices), h a small step. */
function scalarArgs(fn: string, f: unknown, values: unknown, h: unknown = 1e-5): number[] {
  if (typeof f !== "function") fail(fn, "f", "a function of the parameters", f);
  finite(fn, "h", h, { min: 1e-12, max: 1 });
  return numbers(fn, "values", values, 10_000);
}

function matrixArgs(fn: string, f: unknown, values: unknown, h: unknown = 1e-5): Matrix[] {
  if (typeof f !== "function") fail(fn, "f", "a function of the parameters", f);
  finite(fn, "h", h, { min: 1e-12, max: 1 });
  if (!Array.isArray(values) || values.length === 0 || values.length > 100) fail(fn, "values", "a non-empty list of matrices", values);
  return values.map((m: unknown, i) => matrix(fn, `values[${i}]`, m));
}

/** The largest |a − b| / max(|a|, |b|, floor) over all entries (floor keeps 0 vs 1e-12 from counting as 100%) — 03-backprop. */
export function maxRelativeDifference(a: Nested, b: Nested, floor = 1e-8): number {
  const x = flatten("autodiff.maxRelativeDifference", "a", a);
  const y = flatten("autodiff.maxRelativeDifference", "b", b);
  if (x.length !== y.length) throw new Error(`autodiff.maxRelativeDifference: a has ${x.length} entries but b has ${y.length}`);
  finite("autodiff.maxRelativeDifference", "floor", floor, { min: Number.MIN_VALUE });
  return x.reduce((worst, v, i) => {
    const d = Math.abs(v - y[i]) / Math.max(Math.abs(v), Math.abs(y[i]), floor);
    return Math.max(worst, Number.isNaN(d) ? Infinity : d);
  }, 0);
}

function lossValue(fn: string, out: Node): number {
  if (out instanceof Scalar) return out.value;
  if (out instanceof Tensor && out.shape[0] === 1 && out.shape[1] === 1) return out.value[0][0];
  throw new Error(
    `${fn}: f must return a scalar loss, got ${out instanceof Tensor ? `a tensor of shape ${out.shapeText()}` : String(out)}`,
  );
}

/** The gradient of a function of scalars, from the engine's bars after backward() — 03-backprop. */
export function engineGradient(f: (xs: Scalar[]) => Node, values: number[]): number[] {
  scalarArgs("autodiff.engineGradient", f, values);
  const xs = values.map((v, i) => param(v, `x${i + 1}`));
  const out = f(xs);
  lossValue("autodiff.engineGradient", out);
  out.backward();
  return xs.map((x) => x.bar);
}

/** The gradient of a function of scalars by central differences, running only its forward pass — 03-backprop. */
export function numericGradient(f: (xs: Scalar[]) => Node, values: number[], h = 1e-5): number[] {
  scalarArgs("autodiff.numericGradient", f, values, h);
  return centralDifferences((v) => lossValue("autodiff.numericGradient", f(v.map((x, i) => param(x, `x${i + 1}`)))), values, h);
}

/** The gradients of a function of matrices, from the engine's bars after backward() — 03-backprop. */
export function engineGradients(f: (xs: Tensor[]) => Node, values: Matrix[]): Matrix[] {
  matrixArgs("autodiff.engineGradients", f, values);
  const xs = values.map((v, i) => param(v, `X${i + 1}`));
  const out = f(xs);
  lossValue("autodiff.engineGradients", out);
  out.backward();
  return xs.map((x) => x.copyBar());
}

/** The gradients of a function of matrices by central differences on every entry — 03-backprop. */
export function numericGradients(f: (xs: Tensor[]) => Node, values: Matrix[], h = 1e-5): Matrix[] {
  matrixArgs("autodiff.numericGradients", f, values, h);
  const shapes = values.map((m) => [m.length, m[0]?.length ?? 0]);
  const sizes = shapes.map(([r, c]) => r * c);
  const unflatten = (flat: number[]): Matrix[] => {
    let k = 0;
    return shapes.map(([r, c]) => Array.from({ length: r }, () => Array.from({ length: c }, () => flat[k++])));
  };
  const flat = values.flatMap((m) => m.flat());
  const g = centralDifferences(
    (v) => lossValue("autodiff.numericGradients", f(unflatten(v).map((m, i) => param(m, `X${i + 1}`)))),
    flat,
    h,
  );
  if (g.length !== sizes.reduce((a, b) => a + b, 0)) throw new Error("autodiff.numericGradients: internal size mismatch");
  return unflatten(g);
}

/**
 * Picks the synchronous cpu backend when no backend is chosen yet: once the wasm backend is
 * registered (train/backend.ts), it outranks cpu but must be awaited before its first use.
 */
function ensureBackend(): void {
  if (!tf.getBackend()) void tf.setBackend("cpu");
}

/** The gradients TensorFlow.js computes (tf.grads) for the same function written with tf ops; numbers become rank-0 tensors — 03-backprop. */
export function tfGradients(f: (...xs: tf.Tensor[]) => tf.Tensor, values: Array<number | Matrix>): Array<number | Matrix> {
  if (typeof f !== "function") throw new Error(`autodiff.tfGradients: f must be a function of tf tensors, got ${formatValue(f)}`);
  if (!Array.isArray(values) || values.length === 0 || values.length > 100)
    fail("autodiff.tfGradients", "values", "a non-empty list of numbers or matrices", values);
  values.forEach((v: unknown, i) =>
    typeof v === "number" ? finite("autodiff.tfGradients", `values[${i}]`, v) : matrix("autodiff.tfGradients", `values[${i}]`, v),
  );
  ensureBackend();
  return tf.tidy(() => {
    const xs = values.map((v) => (typeof v === "number" ? tf.scalar(v, "float32") : tf.tensor2d(v, undefined, "float32")));
    const scalarF = (...args: tf.Tensor[]): tf.Tensor => {
      const out = f(...args);
      if (out.rank !== 0 && out.size !== 1)
        throw new Error(`autodiff.tfGradients: f must return a scalar, got shape [${out.shape.join(", ")}]`);
      return out.reshape([]);
    };
    const grads = tf.grads(scalarF)(xs);
    return grads.map((g, i) => {
      const data = Array.from(g.dataSync());
      const v = values[i];
      if (typeof v === "number") return data[0];
      const c = v[0].length;
      return v.map((row, r) => row.map((_, k) => data[r * c + k]));
    });
  });
}

/** What `gradCheck` measured: the three gradients and the largest relative differences — 03-backprop. */
export interface GradCheckReport<V> {
  engine: V[];
  numeric: V[];
  tf: Array<number | Matrix> | null;
  /** Largest relative difference engine vs central differences (entries below 1e-4 compared absolutely). */
  numericDifference: number;
  /** Largest relative difference engine vs TensorFlow.js (float32, so expect ~1e-4; entries below 1e-3 compared absolutely), or null. */
  tfDifference: number | null;
}

/** Checks the engine's gradient of a function of scalars against central differences and, if given, tf.grads — 03-backprop. */
export function gradCheck(
  f: (xs: Scalar[]) => Node,
  values: number[],
  options: { tf?: (...xs: tf.Tensor[]) => tf.Tensor; h?: number } = {},
): GradCheckReport<number> {
  knownOptions("autodiff.gradCheck", options, ["tf", "h"]);
  if (options.tf !== undefined && typeof options.tf !== "function")
    fail("autodiff.gradCheck", "options.tf", "a function of tf tensors", options.tf);
  if (
    !readable(
      "autodiff.gradCheck",
      "values",
      values,
      "a list of numbers",
      () => Array.isArray(values) && values.length > 0 && values.every(Number.isFinite),
    )
  ) {
    throw new Error(`autodiff.gradCheck: values must be a non-empty list of finite numbers, got ${formatValue(values)}`);
  }
  scalarArgs("autodiff.gradCheck", f, values, options.h);
  const engine = engineGradient(f, values);
  const numeric = numericGradient(f, values, options.h);
  const viaTf = options.tf ? tfGradients(options.tf, values) : null;
  return {
    engine,
    numeric,
    tf: viaTf,
    numericDifference: maxRelativeDifference(engine, numeric, 1e-4),
    tfDifference: viaTf
      ? maxRelativeDifference(
          engine,
          viaTf.map((g) => (typeof g === "number" ? g : NaN)),
          1e-3,
        )
      : null,
  };
}

/** The same check for a function of matrices (one Tensor per value) — 03-backprop. */
export function gradCheckTensors(
  f: (xs: Tensor[]) => Node,
  values: Matrix[],
  options: { tf?: (...xs: tf.Tensor[]) => tf.Tensor; h?: number } = {},
): GradCheckReport<Matrix> {
  knownOptions("autodiff.gradCheckTensors", options, ["tf", "h"]);
  if (options.tf !== undefined && typeof options.tf !== "function")
    fail("autodiff.gradCheckTensors", "options.tf", "a function of tf tensors", options.tf);
  matrixArgs("autodiff.gradCheckTensors", f, values, options.h);
  const engine = engineGradients(f, values);
  const numeric = numericGradients(f, values, options.h);
  const viaTf = options.tf ? tfGradients(options.tf, values) : null;
  return {
    engine,
    numeric,
    tf: viaTf,
    numericDifference: maxRelativeDifference(engine, numeric, 1e-4),
    tfDifference: viaTf
      ? maxRelativeDifference(
          engine,
          viaTf.map((g) => (typeof g === "number" ? [[g]] : g)),
          1e-3,
        )
      : null,
  };
}
