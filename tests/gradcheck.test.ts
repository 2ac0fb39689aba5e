// Every operation's derivative against central differences and against TensorFlow.js's tf.grads,
// on random inputs (fast-check property tests).
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as ad from "../src/autodiff";
import {
  centralDifferences,
  engineGradient,
  gradCheck,
  gradCheckTensors,
  maxRelativeDifference,
  numericGradient,
  tfGradients,
} from "../src/gradcheck";
import { tf } from "../src/tf";

const RUNS = { numRuns: 50 };
const NUMERIC_TOLERANCE = 1e-5; // float64 central differences with h = 1e-5
const TF_TOLERANCE = 2e-3; // TensorFlow.js computes in float32

/** Inputs kept away from kinks (relu, sign at 0) and poles (log, div at 0). */
const away = (v: number): number => (v >= 0 ? v + 0.2 : v - 0.2);
const positive = (v: number): number => Math.abs(v) + 0.2;
const value = fc.double({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true });
const matrix = (rows: number, cols: number) =>
  fc.array(fc.array(value, { minLength: cols, maxLength: cols }), { minLength: rows, maxLength: rows });

interface ScalarCase {
  name: string;
  arity: number;
  domain?: (v: number, i: number) => number;
  engine: (xs: ad.Scalar[]) => ad.Scalar;
  tf: (...xs: tf.Tensor[]) => tf.Tensor;
}

const scalarCases: ScalarCase[] = [
  { name: "add", arity: 2, engine: ([a, b]) => ad.add(a, b), tf: (a, b) => tf.add(a, b) },
  { name: "sub", arity: 2, engine: ([a, b]) => ad.sub(a, b), tf: (a, b) => tf.sub(a, b) },
  { name: "mul", arity: 2, engine: ([a, b]) => ad.mul(a, b), tf: (a, b) => tf.mul(a, b) },
  { name: "div", arity: 2, domain: (v, i) => (i === 1 ? away(v) : v), engine: ([a, b]) => ad.div(a, b), tf: (a, b) => tf.div(a, b) },
  { name: "pow 3", arity: 1, engine: ([a]) => ad.pow(a, 3), tf: (a) => tf.pow(a, tf.scalar(3)) },
  { name: "pow 0.5", arity: 1, domain: positive, engine: ([a]) => ad.pow(a, 0.5), tf: (a) => tf.pow(a, tf.scalar(0.5)) },
  { name: "exp", arity: 1, engine: ([a]) => ad.exp(a), tf: (a) => tf.exp(a) },
  { name: "log", arity: 1, domain: positive, engine: ([a]) => ad.log(a), tf: (a) => tf.log(a) },
  { name: "cos", arity: 1, engine: ([a]) => ad.cos(a), tf: (a) => tf.cos(a) },
  { name: "sigmoid", arity: 1, engine: ([a]) => ad.sigmoid(a), tf: (a) => tf.sigmoid(a) },
  { name: "tanh", arity: 1, engine: ([a]) => ad.tanh(a), tf: (a) => tf.tanh(a) },
  { name: "relu", arity: 1, domain: away, engine: ([a]) => ad.relu(a), tf: (a) => tf.relu(a) },
  { name: "sign", arity: 1, domain: away, engine: ([a]) => ad.mul(ad.sign(a), a), tf: (a) => tf.mul(tf.sign(a), a) },
  {
    name: "affine",
    arity: 5,
    engine: ([w1, w2, x1, x2, b]) => ad.affine([w1, w2], [x1, x2], b),
    tf: (w1, w2, x1, x2, b) => tf.add(tf.add(tf.mul(w1, x1), tf.mul(w2, x2)), b),
  },
  { name: "sum", arity: 3, engine: (xs) => ad.sum(xs), tf: (a, b, c) => tf.addN([a, b, c]) },
  { name: "mean", arity: 3, engine: (xs) => ad.mean(xs), tf: (a, b, c) => tf.div(tf.addN([a, b, c]), tf.scalar(3)) },
  { name: "halfSquare", arity: 1, engine: ([a]) => ad.halfSquare(a), tf: (a) => tf.mul(tf.scalar(0.5), tf.square(a)) },
  {
    name: "regularise",
    arity: 2,
    engine: ([a, b]) => ad.regularise(ad.exp(a), ad.mul(b, b), 0.3),
    tf: (a, b) => tf.add(tf.exp(a), tf.mul(tf.scalar(0.3), tf.mul(b, b))),
  },
  {
    name: "halfSquaredError",
    arity: 4,
    engine: ([y1, y2, t1, t2]) => ad.halfSquaredError([y1, y2], [t1, t2]),
    tf: (y1, y2, t1, t2) => tf.mul(tf.scalar(0.5), tf.add(tf.square(tf.sub(y1, t1)), tf.square(tf.sub(y2, t2)))),
  },
  {
    name: "mse",
    arity: 4,
    engine: ([y1, y2, t1, t2]) => ad.mse([y1, y2], [t1, t2]),
    tf: (y1, y2, t1, t2) => tf.div(tf.add(tf.square(tf.sub(y1, t1)), tf.square(tf.sub(y2, t2))), tf.scalar(2)),
  },
  {
    name: "softmaxCrossEntropy",
    arity: 6,
    engine: ([z1, z2, z3, t1, t2, t3]) => ad.softmaxCrossEntropy([z1, z2, z3], [t1, t2, t3]),
    tf: (z1, z2, z3, t1, t2, t3) => tf.neg(tf.sum(tf.mul(tf.stack([t1, t2, t3]), tf.logSoftmax(tf.stack([z1, z2, z3]))))),
  },
];

describe("scalar operations: engine vs central differences vs tf.grads", () => {
  for (const c of scalarCases) {
    it(c.name, () => {
      fc.assert(
        fc.property(fc.array(value, { minLength: c.arity, maxLength: c.arity }), (raw) => {
          const values = raw.map((v, i) => (c.domain ? c.domain(v, i) : v));
          const report = gradCheck(c.engine, values, { tf: c.tf });
          expect(report.numericDifference).toBeLessThan(NUMERIC_TOLERANCE);
          expect(report.tfDifference).not.toBeNull();
          expect(report.tfDifference ?? Infinity).toBeLessThan(TF_TOLERANCE);
        }),
        RUNS,
      );
    });
  }
});

interface TensorCase {
  name: string;
  shapes: Array<[number, number]>;
  domain?: (v: number, input: number) => number;
  /** Inputs must have distinct entries (max pooling: no ties inside a window). */
  distinct?: boolean;
  engine: (xs: ad.Tensor[]) => ad.Tensor | ad.Scalar;
  tf: (...xs: tf.Tensor[]) => tf.Tensor;
}

const T23: [number, number] = [2, 3];
const elementwise = (
  name: string,
  engine: (x: ad.Tensor) => ad.Tensor,
  tfOp: (x: tf.Tensor) => tf.Tensor,
  domain?: (v: number) => number,
): TensorCase => ({
  name,
  shapes: [T23],
  domain,
  engine: ([x]) => engine(x),
  tf: (x) => tfOp(x),
});

const tensorCases: TensorCase[] = [
  { name: "add", shapes: [T23, T23], engine: ([a, b]) => ad.add(a, b), tf: (a, b) => tf.add(a, b) },
  { name: "sub", shapes: [T23, T23], engine: ([a, b]) => ad.sub(a, b), tf: (a, b) => tf.sub(a, b) },
  { name: "mul", shapes: [T23, T23], engine: ([a, b]) => ad.mul(a, b), tf: (a, b) => tf.mul(a, b) },
  {
    name: "div",
    shapes: [T23, T23],
    domain: (v, i) => (i === 1 ? away(v) : v),
    engine: ([a, b]) => ad.div(a, b),
    tf: (a, b) => tf.div(a, b),
  },
  elementwise(
    "pow 2",
    (x) => ad.pow(x, 2),
    (x) => tf.pow(x, tf.scalar(2)),
  ),
  elementwise(
    "exp",
    (x) => ad.exp(x),
    (x) => tf.exp(x),
  ),
  elementwise(
    "log",
    (x) => ad.log(x),
    (x) => tf.log(x),
    positive,
  ),
  elementwise(
    "cos",
    (x) => ad.cos(x),
    (x) => tf.cos(x),
  ),
  elementwise(
    "sigmoid",
    (x) => ad.sigmoid(x),
    (x) => tf.sigmoid(x),
  ),
  elementwise(
    "tanh",
    (x) => ad.tanh(x),
    (x) => tf.tanh(x),
  ),
  elementwise(
    "relu",
    (x) => ad.relu(x),
    (x) => tf.relu(x),
    away,
  ),
  elementwise(
    "sign",
    (x) => ad.mul(ad.sign(x), x),
    (x) => tf.mul(tf.sign(x), x),
    away,
  ),
  { name: "sum", shapes: [T23], engine: ([x]) => ad.sum(ad.exp(x)), tf: (x) => tf.sum(tf.exp(x)) },
  { name: "mean", shapes: [T23], engine: ([x]) => ad.mean(ad.exp(x)), tf: (x) => tf.mean(tf.exp(x)) },
  {
    name: "matmul",
    shapes: [
      [2, 3],
      [3, 2],
    ],
    engine: ([a, b]) => ad.matmul(a, b),
    tf: (a, b) => tf.matMul(a, b),
  },
  {
    name: "affine",
    shapes: [
      [3, 2],
      [2, 4],
      [3, 1],
    ],
    engine: ([W, x, b]) => ad.affine(W, x, b),
    tf: (W, x, b) => tf.add(tf.matMul(W, x), b),
  },
  {
    name: "halfSquaredError",
    shapes: [
      [3, 1],
      [3, 1],
    ],
    engine: ([y, t]) => ad.halfSquaredError(y, t),
    tf: (y, t) => tf.mul(tf.scalar(0.5), tf.sum(tf.square(tf.sub(y, t)))),
  },
  { name: "mse", shapes: [T23, T23], engine: ([y, t]) => ad.mse(y, t), tf: (y, t) => tf.mean(tf.square(tf.sub(y, t))) },
  {
    name: "softmaxCrossEntropy",
    shapes: [
      [3, 2],
      [3, 2],
    ],
    engine: ([z, t]) => ad.softmaxCrossEntropy(z, t),
    tf: (z, t) => tf.neg(tf.sum(tf.mul(t, tf.transpose(tf.logSoftmax(tf.transpose(z)))))),
  },
  {
    name: "maxPool",
    shapes: [[4, 4]],
    distinct: true,
    engine: ([x]) => ad.maxPool(x, { window: 2, stride: 2 }),
    tf: (x) => tf.maxPool(x.reshape<tf.Tensor4D>([1, 4, 4, 1]), 2, 2, "valid").reshape([2, 2]),
  },
];

/** Weights that turn any output into a scalar loss Σ out ∘ G, so every entry's bar is tested. */
const weightsFor = (shape: [number, number], seed: number): number[][] =>
  Array.from({ length: shape[0] }, (_, i) => Array.from({ length: shape[1] }, (_, j) => Math.sin(seed + 3 * i + j) + 1.5));

/** A matrix whose entries are all different (at least 0.004 apart), so no window has a tie. */
const distinctMatrix = (rows: number, cols: number) =>
  fc
    .uniqueArray(fc.integer({ min: -500, max: 500 }), { minLength: rows * cols, maxLength: rows * cols })
    .map((ints) => Array.from({ length: rows }, (_, i) => ints.slice(i * cols, (i + 1) * cols).map((v) => v / 250)));

describe("tensor operations: engine vs central differences vs tf.grads", () => {
  for (const c of tensorCases) {
    it(c.name, () => {
      fc.assert(
        fc.property(
          fc.tuple(...c.shapes.map(([r, k]) => (c.distinct ? distinctMatrix(r, k) : matrix(r, k)))),
          fc.integer({ min: 0, max: 100 }),
          (raw, seed) => {
            const values = raw.map((m, i) => m.map((row) => row.map((v) => (c.domain ? c.domain(v, i) : v))));
            const probe = c.engine(values.map((m) => ad.input(m)));
            const weights = probe instanceof ad.Tensor ? weightsFor(probe.shape, seed) : null;
            const engine = (xs: ad.Tensor[]): ad.Scalar => {
              const out = c.engine(xs);
              if (!(out instanceof ad.Tensor)) return out;
              return ad.sum(ad.mul(out, ad.input(weights ?? weightsFor(out.shape, seed), "G")));
            };
            const viaTf = (...xs: tf.Tensor[]): tf.Tensor => {
              const out = c.tf(...xs);
              return weights ? tf.sum(tf.mul(out, tf.tensor2d(weights))) : out;
            };
            const report = gradCheckTensors(engine, values, { tf: viaTf });
            expect(report.numericDifference).toBeLessThan(NUMERIC_TOLERANCE);
            expect(report.tfDifference ?? Infinity).toBeLessThan(TF_TOLERANCE);
          },
        ),
        RUNS,
      );
    });
  }
});

describe("gradient-check helpers", () => {
  it("central differences of x² + 3xy at (1, 2) are (2x + 3y, 3x) = (8, 3)", () => {
    const g = centralDifferences(([x, y]) => x * x + 3 * x * y, [1, 2]);
    expect(g[0]).toBeCloseTo(8, 8);
    expect(g[1]).toBeCloseTo(3, 8);
  });

  it("maxRelativeDifference is the largest relative gap, with a floor near zero", () => {
    expect(maxRelativeDifference([1, 2, 4], [1, 2.2, 4])).toBeCloseTo(0.2 / 2.2, 12);
    expect(maxRelativeDifference([[0, 1]], [[1e-12, 1]])).toBeCloseTo(1e-4, 12);
    expect(maxRelativeDifference(3, 3)).toBe(0);
    expect(() => maxRelativeDifference([1, 2], [1])).toThrow("maxRelativeDifference: a has 2 entries but b has 1");
  });

  it("a wrong backward rule is caught", () => {
    // A deliberately broken "square": forward x², backward claims 3x instead of 2x.
    const brokenSquare = (xs: ad.Scalar[]): ad.Scalar => {
      const x = xs[0];
      const out = ad.mul(x, x);
      out.backwardStep = () => {
        x.bar += out.bar * 3 * x.value;
      };
      return out;
    };
    const report = gradCheck(brokenSquare, [1.5], { tf: (x) => tf.square(x) });
    expect(report.numericDifference).toBeGreaterThan(0.3);
    expect(report.tfDifference ?? 0).toBeGreaterThan(0.3);
    expect(engineGradient(brokenSquare, [1.5])[0]).toBeCloseTo(4.5, 12);
    expect(numericGradient(brokenSquare, [1.5])[0]).toBeCloseTo(3, 8);
  });

  it("tfGradients differentiates the tf version of f(x, y) = y + e^(xy)", () => {
    const [gx, gy] = tfGradients((x, y) => tf.add(y, tf.exp(tf.mul(x, y))), [0.5, 1.5]);
    expect(gx).toBeCloseTo(1.5 * Math.exp(0.75), 4);
    expect(gy).toBeCloseTo(1 + 0.5 * Math.exp(0.75), 4);
  });

  it("rejects functions that do not return a scalar loss", () => {
    expect(() => gradCheckTensors(([x]) => ad.exp(x), [[[1], [2]]])).toThrow(
      "engineGradients: f must return a scalar loss, got a tensor of shape 2×1",
    );
    expect(() => tfGradients((x) => tf.exp(x), [[[1], [2]]])).toThrow("tfGradients: f must return a scalar, got shape [2, 1]");
    expect(() => gradCheck(([x]) => x, [NaN])).toThrow("gradCheck: values must be a non-empty list of finite numbers");
  });
});
