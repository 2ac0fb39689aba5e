// The small MLP built from the engine, and the seeded random numbers it starts from.
import { describe, expect, it } from "vitest";
import * as ad from "../src/autodiff";
import { maxRelativeDifference, centralDifferences } from "../src/gradcheck";
import { MLP, applyActivation, datasetLoss, trainMLP } from "../src/mlp";
import { seededRandom } from "../src/random";

describe("seededRandom", () => {
  it("repeats for a seed and differs between seeds", () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it("uniform, int and normal have the right ranges and moments", () => {
    const r = seededRandom(1);
    const u = Array.from({ length: 20000 }, () => r.uniform(-1, 1));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(u.reduce((s, v) => s + v, 0) / u.length)).toBeLessThan(0.02);
    const n = Array.from({ length: 20000 }, () => r.normal(2, 3));
    const mean = n.reduce((s, v) => s + v, 0) / n.length;
    const sd = Math.sqrt(n.reduce((s, v) => s + (v - mean) ** 2, 0) / n.length);
    expect(mean).toBeCloseTo(2, 1);
    expect(sd).toBeGreaterThan(2.9);
    expect(sd).toBeLessThan(3.1);
    const ints = new Set(Array.from({ length: 1000 }, () => r.int(6)));
    expect([...ints].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("rejects bad arguments", () => {
    expect(() => seededRandom(1.5)).toThrow("seededRandom: seed must be an integer, got 1.5");
    expect(() => seededRandom(1).uniform(2, 1)).toThrow("uniform: need finite low ≤ high, got low = 2, high = 1");
    expect(() => seededRandom(1).int(0)).toThrow("int: n must be a positive integer, got 0");
  });
});

describe("MLP", () => {
  it("has one weight per input and one bias per neuron, named as on the slides", () => {
    const m = new MLP([2, 3, 1]);
    expect(m.parameters().length).toBe(2 * 3 + 3 + 3 * 1 + 1);
    expect(m.layers[0].neurons[1].w[0].name.text).toBe("w⁽¹⁾₂₁");
    expect(m.layers[1].neurons[0].b.name.tex).toBe("b^{(2)}_{1}");
  });

  it("is seeded: the same seed gives the same weights, another seed others", () => {
    const values = (seed: number) => new MLP([2, 2, 1], { seed }).parameters().map((p) => p.value);
    expect(values(3)).toEqual(values(3));
    expect(values(3)).not.toEqual(values(4));
    values(5).forEach((v) => expect(Math.abs(v)).toBeLessThanOrEqual(1));
    expect(new MLP([2, 2, 1], { bias: 0.5 }).layers[0].neurons[0].b.value).toBe(0.5);
  });

  it("forward computes g(Σ w x + b) layer by layer", () => {
    const m = new MLP([2, 2, 1], { activation: "tanh", output: "sigmoid", seed: 2 });
    const x = [0.3, -0.7];
    const h = m.layers[0].neurons.map((n) => Math.tanh(n.w[0].value * x[0] + n.w[1].value * x[1] + n.b.value));
    const o = m.layers[1].neurons[0];
    const y = 1 / (1 + Math.exp(-(o.w[0].value * h[0] + o.w[1].value * h[1] + o.b.value)));
    expect(m.predict(x)[0]).toBeCloseTo(y, 12);
  });

  it("back-propagates the same gradient as central differences on every parameter", () => {
    const m = new MLP([2, 3, 2], { activation: "sigmoid", seed: 9 });
    const X = [
      [0.5, -1],
      [1.5, 0.2],
    ];
    const T = [
      [1, 0],
      [0, 1],
    ];
    for (const loss of ["mse", "crossEntropy"] as const) {
      const params = m.parameters();
      const J = datasetLoss(m, X, T, loss);
      m.zeroGrad();
      J.backward();
      const engine = params.map((p) => p.bar);
      const numeric = centralDifferences(
        (values) => {
          const saved = params.map((p) => p.value);
          values.forEach((v, i) => (params[i].value = v));
          const j = datasetLoss(m, X, T, loss).value;
          saved.forEach((v, i) => (params[i].value = v));
          return j;
        },
        params.map((p) => p.value),
      );
      expect(maxRelativeDifference(engine, numeric, 1e-4)).toBeLessThan(1e-5);
    }
  });

  it("zeroGrad clears every bar, so a second backward() is allowed", () => {
    const m = new MLP([2, 2, 1], { seed: 4 });
    datasetLoss(m, [[1, 1]], [[1]]).backward();
    expect(m.parameters().some((p) => p.bar !== 0)).toBe(true);
    expect(() => datasetLoss(m, [[1, 1]], [[1]]).backward()).toThrow("call zeroGrad");
    m.zeroGrad();
    expect(m.parameters().every((p) => p.bar === 0)).toBe(true);
    expect(() => datasetLoss(m, [[1, 1]], [[1]]).backward()).not.toThrow();
  });

  it("trainMLP lowers the loss by gradient descent and reports progress", () => {
    const m = new MLP([1, 4, 1], { activation: "tanh", seed: 5 });
    const X = [[-1], [-0.5], [0], [0.5], [1]];
    const T = X.map(([x]) => [x * x]);
    const seen: number[] = [];
    const losses = trainMLP(m, X, T, { lr: 0.1, steps: 300, every: 100, onStep: (step) => seen.push(step) });
    expect(losses.length).toBe(300);
    expect(losses[299]).toBeLessThan(losses[0] / 4);
    expect(seen).toEqual([100, 200, 300]);
  });

  it("applyActivation covers every activation, and linear passes z through", () => {
    const z = ad.param(-0.5, "z");
    expect(applyActivation(z, "linear")).toBe(z);
    expect(applyActivation(z, "relu").value).toBe(0);
    expect(applyActivation(z, "sign").value).toBe(-1);
    expect(applyActivation(z, "tanh").value).toBeCloseTo(Math.tanh(-0.5), 14);
  });

  it("rejects bad input", () => {
    expect(() => new MLP([2])).toThrow("mlp.MLP: sizes must list 2 to 20 integers from 1 to 1000");
    expect(() => new MLP([2, 0, 1])).toThrow(
      "mlp.MLP: sizes must list 2 to 20 integers from 1 to 1000 (inputs, …, outputs), got [2, 0, 1]",
    );
    // A typo of a size is refused at once, not allocated until the process dies.
    expect(() => new MLP([1e9, 1])).toThrow("mlp.MLP: sizes must list 2 to 20 integers from 1 to 1000");
    expect(() => new MLP([2, 1], { scale: -1 })).toThrow("MLP: scale must be a positive number, got -1");
    const m = new MLP([2, 1]);
    expect(() => m.forward([1, 2, 3])).toThrow(/^mlp\.MLP\.forward: expected 2 inputs, got 3$/);
    expect(() => m.forward([1, "2" as unknown as number])).toThrow(
      /^mlp\.MLP\.forward: x\[1\] must be a finite number or an engine scalar, got "2"$/,
    );
    expect(() => m.forward([1, NaN])).toThrow(/^mlp\.MLP\.forward: x\[1\] must be a finite number/);
    expect(() => m.layers[0].neurons[0].forward([1, 2] as never)).toThrow(/^mlp\.Neuron\.forward: x must be 2 engine scalars/);
    expect(() => datasetLoss(m, [[1, 2]], [[1, 2]])).toThrow("datasetLoss: T[0] must have 1 entries (one per output)");
    expect(() => trainMLP(m, [[1, 2]], [[1]], { lr: 0, steps: 1 })).toThrow("mlp.train: lr must be a positive number, got 0");
    expect(() => trainMLP(m, [[1, 2]], [[1]], { lr: 0.1, steps: 1, every: 0 })).toThrow(
      "mlp.train: every must be a positive integer, got 0",
    );
  });
});
