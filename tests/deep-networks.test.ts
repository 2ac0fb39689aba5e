// Notebooks 11–13's library: deep networks, shortcuts, dropout, RNN and GRU cells, receptive fields,
// splits and search. Every new op's backward pass against central differences and tf.grads; every
// number the decks give for these topics.
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as ad from "../src/autodiff";
import { gradCheckTensors } from "../src/gradcheck";
import { tf } from "../src/tf";
import { clipByNorm, deepNetwork, gaussianMatrix, initStd, randomBatch, signalSizes } from "../src/deep";
import { denseStack, residual, shortcut } from "../src/residual";
import { dropout, dropoutMask, dropoutWithMask } from "../src/dropout";
import { gruParams, gruStep, rnnParams, rnnStep, unroll } from "../src/rnn";
import { receptiveFields, stackedReceptiveField } from "../src/receptive-field";
import { distinctValues, evenlySpaced, gridConfigs, randomConfigs, runSearch } from "../src/search";
import { splitSizes, trainValidationSplit } from "../src/split";
import { seededRandom } from "../src/random";
import { sigmoidDerivative } from "../src/activations";
import { alexnet, lenet5 } from "../src/models";
import { vgg16 } from "../src/vgg";
import { convLayer, countParams, inputLayer, type ModelSpec } from "../src/layers";

const value = fc.double({ min: -1.5, max: 1.5, noNaN: true, noDefaultInfinity: true });
const matrix = (rows: number, cols: number) =>
  fc.array(fc.array(value, { minLength: cols, maxLength: cols }), { minLength: rows, maxLength: rows });
const RUNS = { numRuns: 20 };

describe("shortcut y = F(x) + x", () => {
  it("passes ȳ straight to x̄ (plus the branch's term), checked by central differences and tf.grads", () => {
    fc.assert(
      fc.property(matrix(3, 3), matrix(3, 2), (W, x) => {
        const f = ([Wt, xt]: ad.Tensor[]) =>
          ad.sum(
            ad.mul(
              residual(xt, (v) => ad.tanh(ad.matmul(Wt, v))),
              ad.input(x, "c"),
            ),
          );
        const tfF = (Wt: tf.Tensor, xt: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.tanh(tf.matMul(Wt, xt)), xt), tf.tensor2d(x)));
        const report = gradCheckTensors(f, [W, x], { tf: tfF });
        expect(report.numericDifference).toBeLessThan(1e-5);
        expect(report.tfDifference).toBeLessThan(2e-3);
      }),
      RUNS,
    );
  });
  it("x̄ = ȳ exactly when the branch's error signal is zero", () => {
    const x = ad.param([[1], [2]], "x");
    const zero = ad.input(
      [
        [0, 0],
        [0, 0],
      ],
      "W",
    );
    const y = shortcut(ad.matmul(zero, x), x, "y");
    ad.sum(ad.mul(y, ad.input([[3], [-4]], "g"))).backward();
    expect(x.bar).toEqual([[3], [-4]]);
  });
  it("rejects a branch of another shape, naming the function", () => {
    expect(() => shortcut(ad.input([[1]], "F"), ad.input([[1], [2]], "x"))).toThrow(/resnet.shortcut: branch F\(x\) is 1×1 but x is 2×1/);
  });
  it("denseStack builds plain and residual TensorFlow.js models with the same parameter count", () => {
    const plain = denseStack({ inputSize: 784, width: 16, depth: 4, classes: 10, seed: 1 });
    const res = denseStack({ inputSize: 784, width: 16, depth: 4, classes: 10, seed: 1, residual: true });
    expect(plain.countParams()).toBe(784 * 16 + 16 + 3 * (16 * 16 + 16) + 16 * 10 + 10);
    expect(res.countParams()).toBe(plain.countParams());
    expect(res.layers.some((l) => l.name === "shortcut2")).toBe(true);
    expect(() => denseStack({ inputSize: 784, width: 0, depth: 4, classes: 10 })).toThrow(
      /resnet.denseStack: width must be a positive integer ≤ 100000, got 0/,
    );
  });
});

describe("deep networks: error signals, initialisation, clipping", () => {
  it("σ'(z) ≤ ¼, with the maximum at z = 0 (lecture 002's saturation, lecture 003's vanishing)", () => {
    expect(sigmoidDerivative(0)).toBe(0.25);
    for (let z = -6; z <= 6; z += 0.01) expect(sigmoidDerivative(z)).toBeLessThanOrEqual(0.25);
  });
  it("W̄ of a 20-layer sigmoid net shrinks geometrically towards the input; ReLU with He init does not", () => {
    const x = randomBatch(32, 16, 1);
    const sig = signalSizes(deepNetwork({ depth: 20, width: 32, activation: "sigmoid", seed: 1 }), x).weightBar;
    const he = signalSizes(deepNetwork({ depth: 20, width: 32, activation: "relu", init: "he", seed: 1 }), x).weightBar;
    expect(sig[0] / sig[19]).toBeLessThan(1e-6);
    expect(he[0] / he[19]).toBeGreaterThan(0.1);
  });
  it("a large initial scale explodes the activations and W̄", () => {
    const s = signalSizes(deepNetwork({ depth: 10, width: 32, activation: "relu", init: 1, seed: 2 }), randomBatch(32, 8, 2));
    expect(s.activationStd[9]).toBeGreaterThan(1e3);
  });
  it("the engine's W̄ of a small deep net agrees with central differences", () => {
    const x = randomBatch(4, 3, 5);
    const net = deepNetwork({ depth: 3, width: 4, activation: "tanh", seed: 3, residual: true });
    const f = (Ws: ad.Tensor[]) => {
      let h = ad.input(x, "x");
      Ws.forEach((W, l) => {
        const g = ad.tanh(ad.affine(W, h, ad.input(net.biases[l].value, "b")));
        h = l > 0 ? shortcut(g, h) : g;
      });
      return ad.mean(ad.affine(ad.input(net.output.value, "w"), h, ad.input([[0]], "c")));
    };
    const report = gradCheckTensors(
      f,
      net.weights.map((W) => W.value),
    );
    expect(report.numericDifference).toBeLessThan(1e-5);
    const s = signalSizes(net, x);
    const rms = (m: number[][]) => Math.sqrt(m.flat().reduce((a, v) => a + v * v, 0) / m.flat().length);
    report.engine.forEach((g, l) => expect(s.weightBar[l]).toBeCloseTo(rms(g), 12));
  });
  it("Xavier √(1/n) and He √(2/n) keep the variance of a layer's output at the input's", () => {
    expect(initStd("xavier", 50)).toBeCloseTo(Math.sqrt(1 / 50), 15);
    expect(initStd("he", 50)).toBeCloseTo(Math.sqrt(2 / 50), 15);
    expect(() => initStd("glorot" as "he", 3)).toThrow(/deep.initStd: scheme must be/);
  });
  it("measured: through 20 layers of width 200, He keeps a ReLU net's mean square activation, Xavier halves it at every layer", () => {
    const width = 200;
    const meanSquareAfter = (scheme: "xavier" | "he", activation: (z: number) => number): number => {
      const random = seededRandom(7);
      let x = Array.from({ length: width }, () => random.normal(0, 1));
      for (let layer = 0; layer < 20; layer++) {
        const W = gaussianMatrix(width, width, initStd(scheme, width), random);
        x = W.map((row) => activation(row.reduce((sum, w, j) => sum + w * x[j], 0)));
      }
      return x.reduce((sum, v) => sum + v * v, 0) / width;
    };
    const relu = (z: number) => Math.max(0, z);
    // The input's mean square is 1; after ReLU, He's 2/n makes E[z²] = 2 E[x²] and the ReLU halves it back.
    expect(meanSquareAfter("he", relu)).toBeGreaterThan(0.3);
    expect(meanSquareAfter("he", relu)).toBeLessThan(3);
    // Xavier's 1/n with ReLU: a factor 1/2 per layer, (1/2)^20 ≈ 1e-6.
    expect(meanSquareAfter("xavier", relu)).toBeLessThan(1e-4);
    // Xavier with no nonlinearity keeps it.
    expect(meanSquareAfter("xavier", (z) => z)).toBeGreaterThan(0.3);
    expect(meanSquareAfter("xavier", (z) => z)).toBeLessThan(3);
  });
  it("clipByNorm keeps the direction and caps the length", () => {
    expect(clipByNorm([3, 4], 1)).toEqual([0.6, 0.8]);
    expect(clipByNorm([0.3, 0.4], 1)).toEqual([0.3, 0.4]);
    expect(() => clipByNorm([1], 0)).toThrow(/deep.clipByNorm: maxNorm must be a positive number, got 0/);
  });
});

describe("dropout", () => {
  it("backward with a fixed mask agrees with central differences and tf.grads", () => {
    fc.assert(
      fc.property(matrix(3, 4), fc.integer({ min: 0, max: 1000 }), (x, seed) => {
        const rate = 0.4;
        const mask = dropoutMask(3, 4, rate, seededRandom(seed));
        const f = ([xt]: ad.Tensor[]) => ad.sum(ad.pow(dropoutWithMask(xt, mask, rate), 2));
        const tfF = (xt: tf.Tensor) => tf.sum(tf.square(tf.mul(xt, tf.tensor2d(mask).div(1 - rate))));
        const report = gradCheckTensors(f, [x], { tf: tfF });
        expect(report.numericDifference).toBeLessThan(1e-5);
        expect(report.tfDifference).toBeLessThan(2e-3);
      }),
      RUNS,
    );
  });
  it("inverted scaling keeps E[output] = x (mean over many masks), evaluation mode is the identity", () => {
    const x = ad.input([[2, -1, 0.5]], "x");
    const random = seededRandom(7);
    const sums = [0, 0, 0];
    const n = 20000;
    for (let k = 0; k < n; k++) dropout(x, { rate: 0.5, training: true, random }).value[0].forEach((v, j) => (sums[j] += v));
    sums.forEach((s, j) => expect(s / n).toBeCloseTo(x.value[0][j], 1));
    expect(dropout(x, { rate: 0.5, training: false }).value).toEqual(x.value);
  });
  it("drops about `rate` of the units and rejects bad options", () => {
    const mask = dropoutMask(100, 100, 0.25, seededRandom(1));
    const dropped = mask.flat().filter((v) => v === 0).length / 10000;
    expect(Math.abs(dropped - 0.25)).toBeLessThan(0.02);
    expect(() => dropout(ad.input([[1]], "x"), { rate: 1, training: true })).toThrow(
      /dropout.apply: rate must be a number with 0 ≤ rate < 1, got 1/,
    );
    expect(() => dropout(ad.input([[1]], "x"), { rate: 0.5, training: true })).toThrow(/dropout.apply: training needs random/);
  });
});

describe("RNN and GRU cells", () => {
  const xs = [
    [[0.5], [-1]],
    [[1], [0.2]],
    [[-0.3], [0.8]],
    [[0.9], [-0.4]],
  ];
  it("back-propagation through time: W̄, Ū agree with central differences and tf.grads", () => {
    fc.assert(
      fc.property(matrix(3, 3), matrix(3, 2), (W, U) => {
        const f = ([Wt, Ut]: ad.Tensor[]) => {
          const params = { W: Wt, U: Ut, b: ad.input([[0.1], [0], [-0.1]], "b") };
          const hs = unroll((h, x, t) => rnnStep(params, h, x, t), [[0], [0], [0]], xs);
          return ad.sum(hs[hs.length - 1]);
        };
        const tfF = (Wt: tf.Tensor, Ut: tf.Tensor) => {
          let h: tf.Tensor = tf.zeros([3, 1]);
          for (const x of xs)
            h = tf.tanh(tf.add(tf.add(tf.matMul(Wt, h), tf.tensor2d([[0.1], [0], [-0.1]])), tf.matMul(Ut, tf.tensor2d(x))));
          return tf.sum(h);
        };
        const report = gradCheckTensors(f, [W, U], { tf: tfF });
        expect(report.numericDifference).toBeLessThan(1e-5);
        expect(report.tfDifference).toBeLessThan(2e-3);
      }),
      RUNS,
    );
  });
  it("W̄ is the sum over time steps of each step's term ā_t h_{t−1}ᵀ (the fan-out of the shared W)", () => {
    const p = rnnParams({ hidden: 3, inputs: 2, seed: 4, scale: 0.8 });
    const hs = unroll((h, x, t) => rnnStep(p, h, x, t), [[0], [0], [0]], xs);
    ad.sum(hs[4]).backward();
    const sum = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    for (let t = 1; t <= 4; t++) {
      const hBar = hs[t].bar.map((r, i) => r[0] * (1 - hs[t].value[i][0] ** 2)); // ā_t
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) sum[i][j] += hBar[i] * hs[t - 1].value[j][0];
    }
    sum.forEach((row, i) => row.forEach((v, j) => expect(p.W.bar[i][j]).toBeCloseTo(v, 12)));
  });
  it("GRU: all six weight matrices agree with central differences and tf.grads", () => {
    const p = gruParams({ hidden: 2, inputs: 2, seed: 9, scale: 0.9 });
    const names = ["Wxh", "Wxk", "Wrh", "Wrk", "Wh", "Winput"] as const;
    const f = (Ws: ad.Tensor[]) => {
      const q = Object.fromEntries(names.map((n, i) => [n, Ws[i]])) as unknown as typeof p;
      const hs = unroll((h, x, t) => gruStep(q, h, x, t), [[0.2], [-0.1]], xs);
      return ad.sum(ad.mul(hs[4], ad.input([[1], [-2]], "v")));
    };
    const tfF = (Wxh: tf.Tensor, Wxk: tf.Tensor, Wrh: tf.Tensor, Wrk: tf.Tensor, Wh: tf.Tensor, Win: tf.Tensor) => {
      let h: tf.Tensor = tf.tensor2d([[0.2], [-0.1]]);
      for (const xv of xs) {
        const y = tf.tensor2d(xv);
        const z = tf.sigmoid(tf.add(tf.matMul(Wxh, h), tf.matMul(Wxk, y)));
        const r = tf.sigmoid(tf.add(tf.matMul(Wrh, h), tf.matMul(Wrk, y)));
        const m = tf.tanh(tf.add(tf.matMul(Wh, tf.mul(r, h)), tf.matMul(Win, y)));
        h = tf.add(tf.mul(tf.sub(1, z), h), tf.mul(z, m));
      }
      return tf.sum(tf.mul(h, tf.tensor2d([[1], [-2]])));
    };
    const report = gradCheckTensors(
      f,
      names.map((n) => p[n].value),
      { tf: tfF },
    );
    expect(report.numericDifference).toBeLessThan(1e-5);
    expect(report.tfDifference).toBeLessThan(2e-3);
  });
  it("rejects inputs of the wrong size, naming the step", () => {
    const p = rnnParams({ hidden: 3, inputs: 2 });
    expect(() => rnnStep(p, ad.input([[0], [0], [0]], "h"), ad.input([[1]], "x"), 2)).toThrow(
      /rnn.step: x_2 has 1 rows but U expects 2 inputs/,
    );
    expect(() => rnnParams({ hidden: 0, inputs: 2 })).toThrow(/rnn.params: hidden must be a positive integer, got 0/);
  });
});

describe("receptive fields and VGG's stacked 3×3 convolutions (lecture 002)", () => {
  it("two stacked 3×3 convolutions see 5×5, three see 7×7", () => {
    expect(stackedReceptiveField(2, 3)).toBe(5);
    expect(stackedReceptiveField(3, 3)).toBe(7);
    const stack: ModelSpec = {
      name: "3 × conv3",
      layers: [inputLayer([32, 32, 8]), ...[1, 2, 3].map((i) => convLayer({ name: `c${i}`, filters: 8, kernel: 3, padding: 1 }))],
    };
    expect(receptiveFields(stack).map((r) => r.size[0])).toEqual([3, 5, 7]);
  });
  it("three 3×3 layers of C channels have 27C² weights, one 7×7 layer 49C²", () => {
    for (const C of [1, 8, 64]) {
      const three: ModelSpec = {
        name: "3×3 ×3",
        layers: [inputLayer([16, 16, C]), ...[1, 2, 3].map(() => convLayer({ filters: C, kernel: 3, padding: 1, bias: false }))],
      };
      const one: ModelSpec = {
        name: "7×7",
        layers: [inputLayer([16, 16, C]), convLayer({ filters: C, kernel: 7, padding: 3, bias: false })],
      };
      expect(countParams(three)).toBe(27 * C * C);
      expect(countParams(one)).toBe(49 * C * C);
    }
  });
  it("LeNet-5: C1 5, S2 6, C3 14, S4 16, C5 32 (the whole 32×32 input)", () => {
    const fields = receptiveFields(lenet5());
    const byName = Object.fromEntries(fields.map((f) => [f.name, f.size[0]]));
    expect(byName).toMatchObject({ C1: 5, S2: 6, C3: 14, S4: 16, C5: 32 });
    expect(fields.find((f) => f.name === "C3")?.formula).toBe("6 + (5 − 1) × 2 = 14");
  });
  it("VGG-16 has 138,357,544 parameters, and its last conv layer sees 196×196 pixels", () => {
    expect(countParams(vgg16())).toBe(138357544);
    expect(receptiveFields(vgg16()).find((f) => f.name === "conv5_3")?.size).toEqual([196, 196]);
  });
  it("AlexNet's count is lecture 004's '60M parameters' (62,378,344 in the single-tower variant)", () => {
    expect(countParams(alexnet())).toBe(62378344);
    expect(Math.round(countParams(alexnet()) / 1e6)).toBeGreaterThanOrEqual(60);
  });
});

describe("splits and search (lectures 002, 004)", () => {
  it("the 90/10 split of 42,000 digits is 37,800 / 4,200", () => {
    expect(splitSizes(42000, 0.1)).toEqual({ train: 37800, validation: 4200 });
  });
  it("trainValidationSplit puts every example in exactly one split", () => {
    const x = Float32Array.from({ length: 50 }, (_, i) => i);
    const { train, validation } = trainValidationSplit({ x, y: new Uint8Array(50), shape: [1], count: 50 }, 0.2, 3);
    expect(validation.count).toBe(10);
    expect([...train.x, ...validation.x].sort((a, b) => a - b)).toEqual([...x]);
  });
  it("a grid of n per axis takes n distinct values of each axis; random search takes one per trial", () => {
    const space = { lr: { low: 1e-4, high: 1e-1, scale: "log" as const }, width: { low: 8, high: 64 } };
    const grid = gridConfigs(space, 3);
    expect(grid.length).toBe(9);
    expect(distinctValues(grid)).toEqual({ lr: 3, width: 3 });
    const random = randomConfigs(space, 9, 1);
    expect(distinctValues(random)).toEqual({ lr: 9, width: 9 });
    random.forEach((c) => {
      expect(c.lr).toBeGreaterThanOrEqual(1e-4);
      expect(c.lr).toBeLessThan(1e-1);
    });
    expect(evenlySpaced(space.lr, 4).map((v) => Number(v.toPrecision(6)))).toEqual([1e-4, 1e-3, 1e-2, 1e-1]);
    expect(() => gridConfigs({ lr: { low: 1, high: 1 } }, 3)).toThrow(
      /search.grid: range 'lr' must be \{low, high\} with finite low < high/,
    );
  });
  it("runSearch keeps the highest validation score", async () => {
    const { best, trials } = await runSearch([{ a: 1 }, { a: 3 }, { a: 2 }], (c) => -((c.a - 2.8) ** 2));
    expect(best.config).toEqual({ a: 3 });
    expect(trials).toHaveLength(3);
    await expect(runSearch([{ a: 1 }], () => Number.NaN)).rejects.toThrow(/search.run: score of \{a: 1\} is NaN/);
  });
});
