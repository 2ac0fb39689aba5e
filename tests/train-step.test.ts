// fit's fast training step: the fused conv and dense layer ops give the values and gradients of
// TensorFlow.js's stock ops (on the reference `cpu` backend), on random shapes (fast-check); a
// Sequential model run as plain ops gives model.apply's outputs and gradients; the flat Adam follows
// tf.train.adam; several worker threads give the weights of one thread.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { tf } from "../src/tf";
import { useFastBackend } from "../src/train/backend";
import { convLayerOp, denseLayerOp, type LayerActivation } from "../src/train/layerOps";
import { crossEntropy, GradientStep, modelFunction, softmaxCrossEntropy } from "../src/train/step";
import { FlatAdam } from "../src/train/adam";
import { fit, mnistExamples, selectExamples, type Examples } from "../src/train/fit";
import { kerasDigitModel, kerasDigitModelCorrected, lenet5, toTfModel } from "../src/models";
import { loadMnist } from "../src/datasets";
import { seededRandom } from "../src/random";

const RUNS = 40;
const TOLERANCE = 1e-4;

let train: Examples;

beforeAll(async () => {
  await useFastBackend();
  train = mnistExamples(loadMnist("train", { limit: 256 }));
});

function values(n: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => random.uniform(-1, 1));
}

function expectClose(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const scale = 1 + expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst, what).toBeLessThanOrEqual(TOLERANCE * scale);
}

/** Output and gradients (x, W, b) of Σ y·r for a layer function, on one backend. */
async function layerResults(
  backend: "cpu" | "wasm",
  shapes: number[][],
  seed: number,
  layer: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor,
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const [x, w, b] = shapes.map((s, i) =>
    tf.tensor(
      values(
        s.reduce((p, q) => p * q, 1),
        seed + i,
      ),
      s,
    ),
  );
  const y = tf.tidy(() => layer(x, w, b));
  const r = tf.tensor(values(y.size, seed + 7), y.shape);
  const grads = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(layer(xx, ww, bb), r)))([x, w, b]);
  const out = [y, ...grads].map((t) => Float32Array.from(t.dataSync()));
  tf.dispose([x, w, b, y, r, ...grads]);
  return out;
}

function stockActivation(z: tf.Tensor, activation: LayerActivation): tf.Tensor {
  if (activation === "linear") return z;
  return activation === "relu" ? tf.relu(z) : activation === "tanh" ? tf.tanh(z) : tf.sigmoid(z);
}

const activations = fc.constantFrom<LayerActivation>("linear", "relu", "tanh", "sigmoid");

describe("convLayerOp equals conv2d + bias + activation of the stock cpu backend", () => {
  type Pad = "valid" | "same" | [[0, 0], [number, number], [number, number], [0, 0]];
  const convCase = fc
    .record({
      batch: fc.integer({ min: 1, max: 3 }),
      height: fc.integer({ min: 1, max: 9 }),
      width: fc.integer({ min: 1, max: 9 }),
      inChannels: fc.integer({ min: 1, max: 4 }),
      outChannels: fc.integer({ min: 1, max: 5 }),
      kernel: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
      strides: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
      pad: fc.oneof(
        fc.constant<Pad>("valid"),
        fc.constant<Pad>("same"),
        fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)).map(([t, bo, l, r]): Pad => [
          [0, 0],
          [t, bo],
          [l, r],
          [0, 0],
        ]),
      ),
      activation: activations,
      seed: fc.nat(),
    })
    .filter((c) => {
      const padH = c.pad === "valid" ? 0 : c.pad === "same" ? c.kernel[0] : c.pad[1][0] + c.pad[1][1];
      const padW = c.pad === "valid" ? 0 : c.pad === "same" ? c.kernel[1] : c.pad[2][0] + c.pad[2][1];
      return c.height + padH >= c.kernel[0] && c.width + padW >= c.kernel[1];
    });

  for (const backend of ["wasm", "cpu"] as const) {
    it(`on random shapes, strides, paddings and activations (op on ${backend})`, async () => {
      await fc.assert(
        fc.asyncProperty(convCase, async (c) => {
          const shapes = [[c.batch, c.height, c.width, c.inChannels], [...c.kernel, c.inChannels, c.outChannels], [c.outChannels]];
          const options = {
            strides: c.strides,
            pad: c.pad,
            dilations: [1, 1] as [number, number],
            activation: c.activation,
            inputGradient: true,
          };
          const expected = await layerResults("cpu", shapes, c.seed, (x, w, b) =>
            stockActivation(tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad), b), c.activation),
          );
          const actual = await layerResults(backend, shapes, c.seed, (x, w, b) =>
            convLayerOp(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, options),
          );
          ["y", "x̄", "W̄", "b̄"].forEach((what, i) => expectClose(actual[i], expected[i], what));
        }),
        { numRuns: RUNS },
      );
    });
  }

  it("without the input gradient: W̄ and b̄ unchanged, x̄ not computed (zeros)", async () => {
    const shapes = [[2, 8, 8, 1], [5, 5, 1, 3], [3]];
    const base = {
      strides: [1, 1] as [number, number],
      pad: "same" as const,
      dilations: [1, 1] as [number, number],
      activation: "tanh" as const,
    };
    const full = await layerResults("wasm", shapes, 5, (x, w, b) =>
      convLayerOp(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, { ...base, inputGradient: true }),
    );
    const part = await layerResults("wasm", shapes, 5, (x, w, b) =>
      convLayerOp(x as tf.Tensor4D, w as tf.Tensor4D, b as tf.Tensor1D, { ...base, inputGradient: false }),
    );
    expect(part[2]).toEqual(full[2]);
    expect(part[3]).toEqual(full[3]);
    expect(part[1].every((v) => v === 0)).toBe(true);
    expect(full[1].some((v) => v !== 0)).toBe(true);
  });
});

describe("denseLayerOp equals matMul + bias + activation of the stock cpu backend", () => {
  const denseCase = fc.record({
    batch: fc.integer({ min: 1, max: 9 }),
    inputs: fc.integer({ min: 1, max: 20 }),
    units: fc.integer({ min: 1, max: 12 }),
    activation: activations,
    seed: fc.nat(),
  });
  for (const backend of ["wasm", "cpu"] as const) {
    it(`on random shapes and activations (op on ${backend})`, async () => {
      await fc.assert(
        fc.asyncProperty(denseCase, async (c) => {
          const shapes = [[c.batch, c.inputs], [c.inputs, c.units], [c.units]];
          const expected = await layerResults("cpu", shapes, c.seed, (x, w, b) =>
            stockActivation(tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b), c.activation),
          );
          const actual = await layerResults(backend, shapes, c.seed, (x, w, b) =>
            denseLayerOp(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, c.activation, true),
          );
          ["y", "x̄", "W̄", "b̄"].forEach((what, i) => expectClose(actual[i], expected[i], what));
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe("softmaxCrossEntropy (one op, its gradient written out)", () => {
  it("equals tf.losses.softmaxCrossEntropy on cpu, value and gradient, for one-hot and soft labels, large logits included", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 2, max: 12 }),
        fc.nat(),
        fc.boolean(),
        async (n, classes, seed, soft) => {
          const random = seededRandom(seed);
          const logits = Float32Array.from({ length: n * classes }, () => random.uniform(-30, 30));
          const labels = new Float32Array(n * classes);
          for (let i = 0; i < n; i++) {
            if (soft) {
              // Probabilities (rows summing to 1): TensorFlow.js's gradient, p − y, assumes they do.
              const row = Array.from({ length: classes }, () => random.uniform(0, 1));
              const sum = row.reduce((a, b) => a + b, 0);
              row.forEach((v, c) => (labels[i * classes + c] = v / sum));
            } else labels[i * classes + random.int(classes)] = 1;
          }
          const run = (loss: (z: tf.Tensor) => tf.Scalar) =>
            tf.tidy(() => {
              const z = tf.tensor2d(logits, [n, classes]);
              const { value, grads } = tf.valueAndGrads((t: tf.Tensor) => loss(t))([z]);
              return [Float32Array.from(value.dataSync()), Float32Array.from(grads[0].dataSync())];
            });
          await tf.setBackend("cpu");
          const [expectedLoss, expectedGrad] = run((z) => tf.losses.softmaxCrossEntropy(tf.tensor2d(labels, [n, classes]), z));
          await tf.setBackend("wasm");
          const [loss, grad] = run((z) => softmaxCrossEntropy(labels, z));
          expectClose(loss, expectedLoss, "loss");
          expectClose(grad, expectedGrad, "gradient");
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("a Sequential model as plain ops", () => {
  /** Gradients of the mean cross-entropy through model.apply, on the cpu backend. */
  async function reference(
    model: tf.LayersModel,
    x: Float32Array,
    oneHot: Float32Array,
    count: number,
  ): Promise<{ out: Float32Array; grads: Float32Array[] }> {
    await tf.setBackend("cpu");
    const input = tf.tensor(x, [count, ...train.shape]);
    const target = tf.tensor2d(oneHot, [count, 10]);
    const variables = model.trainableWeights.map((w) => w.read()).filter((v): v is tf.Variable => v instanceof tf.Variable);
    const out = tf.tidy(() => model.apply(input, { training: true }) as tf.Tensor);
    const { grads, value } = tf.variableGrads(() => crossEntropy(target, model.apply(input, { training: true }) as tf.Tensor), variables);
    const result = { out: Float32Array.from(out.dataSync()), grads: variables.map((v) => Float32Array.from(grads[v.name].dataSync())) };
    tf.dispose([input, target, out, value, ...Object.values(grads)]);
    return result;
  }

  it("LeNet-5: the same probabilities and the same gradients as model.apply", async () => {
    const model = toTfModel(lenet5({ inputSize: 28 }), { seed: 3 });
    const count = 16;
    const x = train.x.subarray(0, count * 784);
    const oneHot = new Float32Array(count * 10);
    train.y.subarray(0, count).forEach((y, i) => (oneHot[i * 10 + y] = 1));
    const expected = await reference(model, x, oneHot, count);

    await tf.setBackend("wasm");
    const fn = modelFunction(model);
    expect(fn?.logits).toBe(true);
    const probabilities = tf.tidy(() => tf.softmax(fn!.forward(tf.tensor(x, [count, 28, 28, 1]))));
    expectClose(Float32Array.from(probabilities.dataSync()), expected.out, "probabilities");
    probabilities.dispose();

    const step = new GradientStep(model, 10);
    expect(step.compiled).toBe(true);
    const grads = new Float32Array(step.size);
    step.run(x, train.shape, oneHot, train.y.subarray(0, count), count, grads, 1);
    let at = 0;
    expected.grads.forEach((g, i) => {
      expectClose(grads.subarray(at, at + g.length), g, `gradient of ${step.variables[i].name}`);
      at += g.length;
    });
    model.dispose();
  });

  it("after writeWeights, the backend's stock product (XNNPACK, which keeps its packing of B by tensor id) uses the new weights", async () => {
    await tf.setBackend("wasm");
    const model = toTfModel(lenet5({ inputSize: 28 }), { seed: 4 });
    const step = new GradientStep(model, 10);
    const fc2 = step.variables[step.variables.length - 2]; // FC2's kernel, [84, 10]
    expect(fc2.shape).toEqual([84, 10]);
    const rows = tf.tensor2d(values(300 * 84, 6), [300, 84]); // more than NATIVE_ROWS: the stock kernel
    tf.matMul(rows, fc2).dispose(); // XNNPACK packs the old weights
    const weights = values(step.size, 5);
    step.writeWeights(weights);
    expect(Array.from(step.readWeights())).toEqual(Array.from(weights));
    const product = Float32Array.from(tf.matMul(rows, fc2).dataSync());
    const rowValues = Float32Array.from(rows.dataSync());
    const kernel = Float32Array.from(fc2.dataSync());
    await tf.setBackend("cpu");
    const expected = tf.tidy(() =>
      Float32Array.from(tf.matMul(tf.tensor2d(rowValues, [300, 84]), tf.tensor2d(kernel, [84, 10])).dataSync()),
    );
    await tf.setBackend("wasm");
    expectClose(product, expected, "product with the new weights");
    rows.dispose();
    model.dispose();
  });
  it("models with layers it does not know (dropout) go through model.apply", () => {
    const model = toTfModel(kerasDigitModel(), { seed: 1 });
    expect(modelFunction(model)).toBeNull();
    expect(new GradientStep(model, 10).compiled).toBe(false);
    model.dispose();
  });
});

describe("FlatAdam", () => {
  class Adam extends tf.AdamOptimizer {
    setLearningRate(rate: number): void {
      this.learningRate = rate;
    }
  }
  // 50 and 1003: the native loop takes four weights at a time, then the rest one by one.
  it.each([50, 1003])("follows tf.train.adam step by step on %i weights, with a learning rate changed between steps", async (n) => {
    await tf.setBackend("cpu");
    const start = values(n, 1);
    const variable = tf.variable(tf.tensor1d(start));
    const reference = new Adam(0.01, 0.9, 0.999);
    const flat = new FlatAdam(n, 0.01);
    const other = new FlatAdam(n, 0.01); // its own m and v: stepping it must not disturb `flat`
    const weights = Float32Array.from(start);
    for (let s = 0; s < 8; s++) {
      if (s === 4) {
        reference.setLearningRate(0.003);
        flat.learningRate = 0.003;
      }
      const g = values(n, 100 + s).map((v) => v * 10 ** ((s % 3) - 1));
      const grad = tf.tensor1d(g);
      reference.applyGradients([{ name: variable.name, tensor: grad }]);
      flat.step(weights, g);
      other.step(values(n, 7), values(n, 8));
      grad.dispose();
      const expected = Float32Array.from(variable.dataSync());
      expectClose(weights, expected, `weights after step ${s + 1}`);
      // The moves themselves (about the learning rate each), to 1 % of a step.
      const moved = weights.map((w, i) => w - start[i]);
      const movedReference = expected.map((w, i) => w - start[i]);
      const worst = moved.reduce((m, d, i) => Math.max(m, Math.abs(d - movedReference[i])), 0);
      expect(worst).toBeLessThan(0.01 * 0.003);
    }
    reference.dispose();
    variable.dispose();
  });
  it("refuses weights or gradients of the wrong length, naming itself", () => {
    const flat = new FlatAdam(10, 0.01);
    expect(() => flat.step(new Float32Array(9), new Float32Array(10))).toThrow(
      "FlatAdam.step: weights and grads must hold 10 numbers, got 9 and 10",
    );
  });
});

describe("fit over worker threads", () => {
  async function trainedWeights(workers: number): Promise<{ weights: Float32Array; losses: number[] }> {
    await tf.setBackend("wasm");
    const model = toTfModel(lenet5({ inputSize: 28 }), { seed: 4 });
    const history = await fit(model, train, { epochs: 2, batchSize: 64, seed: 9, workers });
    const step = new GradientStep(model, 10);
    const weights = step.readWeights();
    model.dispose();
    return { weights, losses: history.map((h) => h.loss) };
  }

  it("a model with a layer fit does not run as plain ops (dropout) trains on one thread, and says so", async () => {
    await tf.setBackend("wasm");
    const model = toTfModel(kerasDigitModelCorrected(), { seed: 1 });
    const history = await fit(
      model,
      selectExamples(
        train,
        Array.from({ length: 64 }, (_, i) => i),
      ),
      { epochs: 1, batchSize: 32, workers: 2 },
    );
    expect(history.map((h) => h.threads)).toEqual([1]);
    model.dispose();
  });
  it("2 and 3 threads give the weights of 1 thread (same seed, same batches)", async () => {
    const one = await trainedWeights(1);
    for (const workers of [2, 3]) {
      const many = await trainedWeights(workers);
      expectClose(many.weights, one.weights, `weights with ${workers} threads`);
      many.losses.forEach((l, i) => expect(l).toBeCloseTo(one.losses[i], 5));
    }
  });

  it("2 threads train like 1 when frozen layers hold weights set from another model (transfer learning, notebook 10)", async () => {
    await tf.setBackend("wasm");
    const donor = toTfModel(lenet5({ inputSize: 28 }), { seed: 99 });
    const trained: Float32Array[] = [];
    for (const workers of [1, 2]) {
      const model = toTfModel(lenet5({ inputSize: 28 }), { seed: 4 });
      for (const name of ["C1", "C3"]) {
        model.getLayer(name).setWeights(donor.getLayer(name).getWeights());
        model.getLayer(name).trainable = false;
      }
      await fit(model, train, { epochs: 1, batchSize: 16, seed: 9, workers });
      trained.push(new GradientStep(model, 10).readWeights());
      model.dispose();
    }
    donor.dispose();
    expectClose(trained[1], trained[0], "trainable weights with 2 threads");
  });

  it("leaks no tensors across epochs with 2 threads", async () => {
    await tf.setBackend("wasm");
    const model = toTfModel(lenet5({ inputSize: 28 }), { seed: 1 });
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await fit(model, train, { epochs: 3, workers: 2, onEpoch: () => void counts.push(tf.memory().numTensors) });
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("rejects a bad workers count, naming fit and the value", async () => {
    const model = toTfModel(lenet5({ inputSize: 28 }), { seed: 1 });
    await expect(fit(model, train, { epochs: 1, workers: 0 })).rejects.toThrow(
      /train.fit: workers must be a positive integer ≤ 100000, got 0/,
    );
    await expect(fit(model, train, { epochs: 1, workers: 1.5 })).rejects.toThrow(
      /train.fit: workers must be a positive integer ≤ 100000, got 1.5/,
    );
    model.dispose();
  });
});
