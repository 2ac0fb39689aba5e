// Learning XOR (lecture 002, worked example 19; Goodfellow et al. §6.1).
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bestLinearModel,
  diagnoseXor,
  trainXor,
  xorConvergence,
  xorExactSolution,
  xorGrid,
  xorLayers,
  xorLoss,
  xorNetwork,
  xorOutput,
  xorParamsOf,
  xorTable,
} from "../src/xor";

describe("the XOR table and J(θ)", () => {
  it("is the truth table x₁ XOR x₂", () => {
    const { X, t } = xorTable();
    expect(X).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    X.forEach(([a, b], n) => expect(t[n]).toBe(a !== b ? 1 : 0));
  });

  it("J(θ) = ¼ Σ (f*(x) − f(x; θ))²: an all-zero network scores ¼(0 + 1 + 1 + 0) = 0.5", () => {
    expect(
      xorLoss({
        W: [
          [0, 0],
          [0, 0],
        ],
        c: [0, 0],
        w: [0, 0],
        b: 0,
      }),
    ).toBe(0.5);
    expect(
      xorLoss({
        W: [
          [0, 0],
          [0, 0],
        ],
        c: [0, 0],
        w: [0, 0],
        b: 1,
      }),
    ).toBe(0.5);
  });
});

describe("the exact solution W = [[1,1],[1,1]], c = [0,−1], w = [1,−2], b = 0", () => {
  it("gives 0, 1, 1, 0 exactly and J = 0", () => {
    const theta = xorExactSolution();
    expect(xorTable().X.map((x) => xorOutput(theta, x))).toEqual([0, 1, 1, 0]);
    expect(xorLoss(theta)).toBe(0);
  });

  it("layer by layer, as in the book: XW, XW + c, ReLU, then w", () => {
    const { XW, XWc, H, y } = xorLayers(xorExactSolution());
    expect(XW).toEqual([
      [0, 0],
      [1, 1],
      [1, 1],
      [2, 2],
    ]);
    expect(XWc).toEqual([
      [0, -1],
      [1, 0],
      [1, 0],
      [2, 1],
    ]);
    expect(H).toEqual([
      [0, 0],
      [1, 0],
      [1, 0],
      [2, 1],
    ]);
    expect(y).toEqual([0, 1, 1, 0]);
  });

  it("in the hidden space, (0,1) and (1,0) land on the same point: XOR becomes linearly separable", () => {
    const { H } = xorLayers(xorExactSolution());
    expect(H[1]).toEqual(H[2]);
    // The line h₁ − 2h₂ = ½ separates the targets: 1 above, 0 below.
    const { t } = xorTable();
    H.forEach(([h1, h2], n) => expect(h1 - 2 * h2 > 0.5).toBe(t[n] === 1));
  });

  it("xorGrid samples f over the plane for a decision-boundary figure", () => {
    const g = xorGrid(xorExactSolution(), { from: 0, to: 1, steps: 2 });
    expect(g.xs).toEqual([0, 1]);
    expect(g.z).toEqual([
      [0, 1],
      [1, 0],
    ]); // z[i][j] = f(xs[j], ys[i])
  });

  it("the engine's MLP([2, 2, 1]) with those weights computes the same outputs and J = 0", () => {
    const theta = xorExactSolution();
    const model = xorNetwork(theta);
    expect(xorTable().X.map((x) => model.predict(x)[0])).toEqual([0, 1, 1, 0]);
    expect(xorParamsOf(model)).toEqual(theta);
  });
});

describe("the best linear model", () => {
  it("solves the normal equations: w = 0, b = ½, output 0.5 everywhere, J = 0.25", () => {
    const lin = bestLinearModel();
    lin.w.forEach((w) => expect(w).toBeCloseTo(0, 12));
    expect(lin.b).toBeCloseTo(0.5, 12);
    lin.outputs.forEach((y) => expect(y).toBeCloseTo(0.5, 12));
    expect(lin.J).toBeCloseTo(0.25, 12);
  });

  it("no linear model does better (random w, b), scored by the library's own J(θ)", () => {
    // A network whose ReLUs never clip is linear: with W = I and c = [3, 3], h = x + 3 > 0 on every input, so
    // f(x) = w₁x₁ + w₂x₂ + b when the output bias is b − 3(w₁ + w₂).
    const best = bestLinearModel().J;
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        (w1, w2, b) => {
          const theta = {
            W: [
              [1, 0],
              [0, 1],
            ],
            c: [3, 3],
            w: [w1, w2],
            b: b - 3 * (w1 + w2),
          };
          expect(
            xorLayers(theta)
              .H.flat()
              .every((h) => h > 0),
          ).toBe(true);
          expect(xorLoss(theta)).toBeGreaterThanOrEqual(best - 1e-9);
        },
      ),
      { seed: 19, numRuns: 200 },
    );
    // …and the bound is reached: w = 0, b = ½.
    expect(
      xorLoss({
        W: [
          [1, 0],
          [0, 1],
        ],
        c: [3, 3],
        w: [0, 0],
        b: 0.5,
      }),
    ).toBeCloseTo(best, 12);
  });
});

describe("training", () => {
  it("reaches J < 0.01 from seed 1 with lr 0.1 within 1000 steps", () => {
    const r = trainXor({ seed: 1, lr: 0.1, steps: 1000 });
    expect(r.converged).toBe(true);
    expect(xorLoss(r.theta)).toBeLessThan(0.01);
    expect(r.losses[0]).toBeGreaterThan(0.1);
    expect(r.losses.length).toBeLessThan(1000);
    xorTable().X.forEach((x, n) => expect(Math.round(xorOutput(r.theta, x))).toBe(xorTable().t[n]));
  });

  it("reports progress with the model so a plot can redraw", () => {
    const steps: number[] = [];
    trainXor({
      seed: 1,
      steps: 50,
      every: 25,
      onStep: (step, J, model) => {
        steps.push(step);
        expect(J).toBeGreaterThan(0);
        expect(model.sizes).toEqual([2, 2, 1]);
      },
    });
    expect(steps).toEqual([25, 50]);
  });

  it("a symmetric start never breaks the symmetry: both hidden units stay identical", () => {
    const start = {
      W: [
        [0.5, 0.5],
        [0.5, 0.5],
      ],
      c: [0, 0],
      w: [0.5, 0.5],
      b: 0,
    };
    const r = trainXor({ start, steps: 500 });
    expect(r.converged).toBe(false);
    expect(r.theta.W[0][0]).toBeCloseTo(r.theta.W[0][1], 12);
    expect(r.theta.c[0]).toBeCloseTo(r.theta.c[1], 12);
    expect(diagnoseXor(r.theta)).toContain("symmetric");
  });

  it("a dead ReLU gets no error signal and never recovers", () => {
    const start = {
      W: [
        [1, -1],
        [1, -1],
      ],
      c: [0, -0.5],
      w: [1, 1],
      b: 0,
    };
    const r = trainXor({ start, steps: 300 });
    expect(r.theta.W[0][1]).toBe(-1);
    expect(r.theta.c[1]).toBe(-0.5);
    expect(diagnoseXor(r.theta)).toContain("dead ReLU: hidden unit 2");
  });

  it("both units active on every input make the network linear, stuck at J ≥ 0.25", () => {
    const theta = {
      W: [
        [1, 0.5],
        [0.5, 1],
      ],
      c: [1, 1],
      w: [0.1, 0.2],
      b: 0,
    };
    expect(diagnoseXor(theta)).toContain("linear: both hidden units are active on all four inputs");
    expect(xorLoss(theta)).toBeGreaterThanOrEqual(0.25);
  });

  it("convergence over seeds: counts converged and failed seeds, each failure diagnosed", () => {
    const r = xorConvergence({ seeds: [1, 2, 3, 4, 5, 6, 7, 8], steps: 1000 });
    expect(r.converged.length + r.failed.length).toBe(8);
    expect(r.rate).toBe(r.converged.length / 8);
    expect(r.converged).toContain(1);
    r.failed.forEach((f) => {
      expect(f.J).toBeGreaterThanOrEqual(0.01);
      expect(f.diagnosis.length).toBeGreaterThan(0);
    });
    expect({ steps: r.steps, lr: r.lr, goal: r.goal }).toEqual({ steps: 1000, lr: 0.1, goal: 0.01 });
  });

  it("rejects bad input", () => {
    expect(() => xorLoss({ W: [[1, 1]], c: [0, 0], w: [1, 1], b: 0 })).toThrow("xor.loss: θ must be { W: 2×2, c: [2], w: [2], b: number }");
    expect(() => xorOutput(xorExactSolution(), [1])).toThrow("xor.output: x must be two finite numbers [x₁, x₂], got [1]");
    expect(() => xorGrid(xorExactSolution(), { steps: 1 })).toThrow("xor.grid: steps must be an integer ≥ 2, got 1");
    expect(() => xorConvergence({ seeds: [] })).toThrow("xor.convergence: seeds must be a non-empty list of integers");
    // A typo in the step budget is refused, not run for hours.
    expect(() => xorConvergence({ steps: 1e9 })).toThrow("xor.convergence: steps must be an integer from 0 to 100000, got 1000000000");
    const typo = { seed: 1, step: 10 };
    expect(() => trainXor(typo)).toThrow("xor.train: unknown option 'step' (did you mean 'steps'?)");
  });
});
