// Notebook 12's library: optimisers by hand against TensorFlow.js's, early stopping, the classifier
// with dropout and L2, smaller images; the slides' numbers.
import { describe, expect, it } from "vitest";
import * as ad from "../src/autodiff";
import { tf } from "../src/tf";
import { minimise, optimiser } from "../src/optimise";
import { earlyStopping } from "../src/early-stopping";
import { scoreClassifier, tfClassifier, trainClassifier } from "../src/classifier";
import { shrinkExamples } from "../src/shrink";
import { loadMnist } from "../src/datasets";
import { mnistExamples, selectExamples } from "../src/train/fit";

/** The same optimiser in TensorFlow.js, run for `steps` on f(θ) = Σ cᵢ θᵢ² + θ₁θ₂ from `start`. */
function tfPath(make: () => tf.Optimizer, start: number[], c: number[], steps: number): number[] {
  const theta = tf.variable(tf.tensor1d(start, "float32"));
  const opt = make();
  for (let k = 0; k < steps; k++) {
    opt.minimize(
      () => tf.add(tf.sum(tf.mul(tf.tensor1d(c), tf.square(theta))), tf.mul(theta.slice(0, 1), theta.slice(1, 1)).sum()).asScalar(),
      false,
      [theta],
    );
  }
  const out = Array.from(theta.dataSync());
  opt.dispose();
  theta.dispose();
  return out;
}

describe("optimisers by hand agree with TensorFlow.js", () => {
  const c = [0.5, 5];
  const start = [2, -1.5];
  const f = ([a, b]: ad.Scalar[]) => ad.add(ad.add(ad.mul(c[0], ad.pow(a, 2)), ad.mul(c[1], ad.pow(b, 2))), ad.mul(a, b));
  const cases: Array<[string, Parameters<typeof optimiser>[0], () => tf.Optimizer]> = [
    ["sgd", { kind: "sgd", learningRate: 0.05 }, () => tf.train.sgd(0.05)],
    ["momentum", { kind: "momentum", learningRate: 0.02, beta: 0.9 }, () => tf.train.momentum(0.02, 0.9)],
    ["adam", { kind: "adam", learningRate: 0.1, epsilon: 1e-7 }, () => tf.train.adam(0.1, 0.9, 0.999, 1e-7)],
  ];
  for (const [name, options, make] of cases) {
    it(`${name}: 25 steps land where tf.train.${name} lands`, () => {
      const path = minimise(f, start, { ...options, steps: 25 });
      const mine = path.points[25];
      const theirs = tfPath(make, start, c, 25);
      mine.forEach((v, i) => expect(Math.abs(v - theirs[i])).toBeLessThan(1e-4));
      expect(path.losses[25]).toBeLessThan(path.losses[0]);
    });
  }
  it("Adam's first step has length η in every coordinate (bias correction), whatever the gradient's size", () => {
    for (const g of [1e-3, 1, 250]) {
      const next = optimiser({ kind: "adam", learningRate: 0.01 }).step([1, 1], [g, -g]);
      expect(next[0]).toBeCloseTo(1 - 0.01, 6);
      expect(next[1]).toBeCloseTo(1 + 0.01, 6);
    }
  });
  it("L2 adds λθ to the gradient: weight decay θ ← (1 − ηλ)θ − ηθ̄", () => {
    const next = optimiser({ kind: "sgd", learningRate: 0.1, l2: 0.5 }).step([2, -4], [1, 0]);
    expect(next[0]).toBeCloseTo((1 - 0.1 * 0.5) * 2 - 0.1 * 1, 12);
    expect(next[1]).toBeCloseTo((1 - 0.1 * 0.5) * -4, 12);
  });
  it("rejects bad options, naming the group and function", () => {
    expect(() => optimiser({ kind: "rmsprop" as "sgd", learningRate: 0.1 })).toThrow(/optimisers.create: kind must be/);
    expect(() => optimiser({ kind: "sgd", learningRate: 0 })).toThrow(/optimisers.create: learningRate must be a positive number, got 0/);
    expect(() => optimiser({ kind: "sgd", learningRate: 0.1 }).step([1], [1, 2])).toThrow(/theta has 1 entries but thetaBar has 2/);
  });
});

describe("early stopping", () => {
  it("stops `patience` epochs after the best and keeps the best", () => {
    expect(earlyStopping([1, 0.8, 0.7, 0.72, 0.75, 0.71, 0.9], 3)).toEqual({ best: 3, stop: 6 });
    expect(earlyStopping([1, 0.8, 0.7, 0.72, 0.69, 0.9], 3)).toEqual({ best: 5, stop: 6 });
    expect(earlyStopping([3, 2, 1], 1)).toEqual({ best: 3, stop: 3 });
    expect(earlyStopping([1, 1, 1], 2)).toEqual({ best: 1, stop: 3 });
    expect(() => earlyStopping([], 2)).toThrow(/train.earlyStopping: validationLosses must be a non-empty list/);
  });
});

describe("classifier with dropout and L2", () => {
  const count = 40;
  const x = Float32Array.from({ length: count * 4 }, (_, i) => ((i * 7919) % 13) / 13);
  const y = Uint8Array.from({ length: count }, (_, i) => (x[i * 4] > 0.5 ? 1 : 0));
  const examples = { x, y, shape: [4], count };
  it("trains with each optimiser and lowers the loss; dropout is off when scoring", () => {
    for (const kind of ["sgd", "momentum", "adam"] as const) {
      const model = tfClassifier({ inputSize: 4, hidden: [8], classes: 2, dropout: 0.5, seed: 1 });
      const before = scoreClassifier(model, examples).loss;
      const history = trainClassifier(model, examples, {
        optimiser: kind,
        learningRate: kind === "adam" ? 0.05 : 0.5,
        epochs: 30,
        batchSize: 10,
        l2: 1e-3,
        seed: 1,
        validation: examples,
      });
      expect(history[29].validationLoss).toBeLessThan(before);
      expect(scoreClassifier(model, examples)).toEqual(scoreClassifier(model, examples));
      model.dispose();
    }
  });
  it("L2 shrinks the weights", () => {
    const norms = [0, 1].map((l2) => {
      const model = tfClassifier({ inputSize: 4, hidden: [8], classes: 2, seed: 2 });
      trainClassifier(model, examples, { optimiser: "sgd", learningRate: 0.3, epochs: 20, batchSize: 10, l2, seed: 2 });
      const n = model
        .getWeights()
        .filter((_, i) => i % 2 === 0)
        .reduce((s, w) => s + tf.sum(tf.square(w)).dataSync()[0], 0);
      model.dispose();
      return n;
    });
    expect(norms[1]).toBeLessThan(norms[0] * 0.5);
  });
  it("rejects a bad dropout rate", () => {
    expect(() => tfClassifier({ inputSize: 4, hidden: [8], classes: 2, dropout: 1 })).toThrow(
      /train.classifier: dropout must be a rate in \[0, 1\), got 1/,
    );
  });
});

describe("early stopping in train.withOptimiser", () => {
  // A few hundred real digits: a wide network overfits them within a few epochs (notebook 12).
  const digits = loadMnist("train", { limit: 700 });
  const all = mnistExamples(digits);
  const few = selectExamples(
    all,
    Array.from({ length: 200 }, (_, i) => i),
  );
  const validation = selectExamples(
    all,
    Array.from({ length: 500 }, (_, i) => 200 + i),
  );
  const settings = { optimiser: "adam", learningRate: 0.01, batchSize: 20, seed: 3, validation } as const;

  it("stops `patience` epochs after the best validation loss and gives back the best epoch's weights", () => {
    const model = tfClassifier({ inputSize: 784, hidden: [64], classes: 10, seed: 3 });
    const history = trainClassifier(model, few, { ...settings, epochs: 100, patience: 3 });
    const losses = history.map((h) => h.validationLoss as number);
    const best = losses.indexOf(Math.min(...losses)) + 1;
    expect(history.length).toBeLessThan(100);
    expect(history.length).toBe(best + 3);
    expect(losses[best - 1]).toBeLessThan(losses[losses.length - 1]);
    // The model holds the best epoch's weights, not the last epoch's.
    expect(scoreClassifier(model, validation).loss).toBeCloseTo(losses[best - 1], 5);

    // Until it stops, training is the same run as without early stopping.
    const plain = tfClassifier({ inputSize: 784, hidden: [64], classes: 10, seed: 3 });
    const full = trainClassifier(plain, few, { ...settings, epochs: history.length });
    expect(full.map((h) => h.validationLoss)).toEqual(losses);
    expect(scoreClassifier(plain, validation).loss).toBeCloseTo(losses[losses.length - 1], 5);
    model.dispose();
    plain.dispose();
  });

  it("needs a validation set and a positive integer patience", () => {
    const model = tfClassifier({ inputSize: 784, hidden: [8], classes: 10, seed: 1 });
    expect(() => trainClassifier(model, few, { optimiser: "sgd", learningRate: 0.1, epochs: 2, patience: 2 })).toThrow(
      /^train\.withOptimiser: patience needs a validation set/,
    );
    expect(() => trainClassifier(model, few, { ...settings, epochs: 2, patience: 0 })).toThrow(
      /^train\.withOptimiser: patience must be a positive integer/,
    );
    model.dispose();
  });
});

describe("shrinkExamples", () => {
  it("averages f×f blocks", () => {
    const e = {
      x: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
      y: Uint8Array.from([3]),
      shape: [4, 4, 1],
      count: 1,
    };
    const s = shrinkExamples(e, 2);
    expect(Array.from(s.x)).toEqual([3.5, 5.5, 11.5, 13.5]);
    expect(s.shape).toEqual([2, 2, 1]);
    expect(() => shrinkExamples(e, 3)).toThrow(/train.shrink: f must be a positive integer dividing 4 and 4, got 3/);
  });
});
