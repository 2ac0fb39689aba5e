// Activations: values, derivatives (against central differences), elementwise on matrices.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  activate,
  activationDerivative,
  activationNames,
  activations,
  type ActivationName,
  relu,
  reluDerivative,
  sigmoid,
  sigmoidDerivative,
  sign,
  signDerivative,
  softmax,
  tanh,
  tanhDerivative,
} from "../src/activations";

describe("scalar activations", () => {
  it("take the values the lectures use", () => {
    expect([relu(-2), relu(0), relu(3)]).toEqual([0, 0, 3]);
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(2)).toBeCloseTo(1 / (1 + Math.exp(-2)), 15);
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
    expect(tanh(0.5)).toBeCloseTo((Math.exp(0.5) - Math.exp(-0.5)) / (Math.exp(0.5) + Math.exp(-0.5)), 15);
    expect([sign(-0.2), sign(0), sign(7)]).toEqual([-1, 0, 1]);
    expect([reluDerivative(-1), reluDerivative(0), reluDerivative(2)]).toEqual([0, 0, 1]);
    expect(signDerivative(3)).toBe(0);
  });

  it("derivatives agree with central differences away from the kinks", () => {
    const h = 1e-5;
    fc.assert(
      fc.property(
        fc.double({ min: -6, max: 6, noNaN: true }).filter((z) => Math.abs(z) > 1e-3),
        (z) => {
          for (const [f, df] of [
            [sigmoid, sigmoidDerivative],
            [tanh, tanhDerivative],
            [relu, reluDerivative],
            [sign, signDerivative],
          ] as const) {
            expect(df(z)).toBeCloseTo((f(z + h) - f(z - h)) / (2 * h), 6);
          }
        },
      ),
      { numRuns: 200, seed: 11 },
    );
  });

  it("softmax sums to 1, keeps the order, and does not overflow", () => {
    const p = softmax([1, 2, 3]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
    expect(p[2]).toBeGreaterThan(p[1]);
    expect(softmax([1000, 1000])).toEqual([0.5, 0.5]);
  });
});

describe("elementwise", () => {
  it("ReLU on a feature map replaces negatives by 0 and keeps the shape (lecture 003)", () => {
    expect(
      activate(
        [
          [0.77, -0.11],
          [-0.33, 1],
        ],
        "relu",
      ),
    ).toEqual([
      [0.77, 0],
      [0, 1],
    ]);
    expect(activate([[[-1, 2]], [[3, -4]]], "relu")).toEqual([[[0, 2]], [[3, 0]]]);
    expect(activate(-3, "sign")).toBe(-1);
  });

  it("every activation and derivative maps entry by entry, against formulas written here", () => {
    const m = [
      [-2, -0.5, 0],
      [0.5, 1, 3],
    ];
    const logistic = (z: number): number => 1 / (1 + Math.exp(-z));
    const oracle: Record<ActivationName, [(z: number) => number, (z: number) => number]> = {
      relu: [(z) => Math.max(0, z), (z) => (z > 0 ? 1 : 0)],
      sigmoid: [logistic, (z) => Math.exp(-z) / (1 + Math.exp(-z)) ** 2],
      tanh: [(z) => (Math.exp(2 * z) - 1) / (Math.exp(2 * z) + 1), (z) => 4 / (Math.exp(z) + Math.exp(-z)) ** 2],
      sign: [(z) => Math.sign(z) + 0, () => 0],
      linear: [(z) => z, () => 1],
    };
    expect([...activationNames].sort()).toEqual(Object.keys(oracle).sort());
    for (const name of activationNames) {
      const [f, df] = oracle[name];
      expect(activate(m, name)).toBeAllclose(
        m.map((r) => r.map(f)),
        { atol: 1e-15, rtol: 1e-12 },
      );
      expect(activationDerivative(m, name)).toBeAllclose(
        m.map((r) => r.map(df)),
        { atol: 1e-15, rtol: 1e-12 },
      );
      // The table the notebooks print agrees with the same formulas.
      expect(m.map((r) => r.map(activations[name].f))).toBeAllclose(
        m.map((r) => r.map(f)),
        { atol: 1e-15, rtol: 1e-12 },
      );
    }
  });
});
