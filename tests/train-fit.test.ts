// Training LeNet-5 on real digits with the fast backend: no tensor leaks across epochs, repeatable
// numbers, a loss that falls, and the helpers around it (evaluation, confusion matrix, progress line).
import { beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "child_process";
import * as path from "path";
import { tf } from "../src/tf";
import { useFastBackend } from "../src/train/backend";
import { confusionMatrix, evaluate, fit, mnistExamples, selectExamples, type EpochResult, type Examples } from "../src/train/fit";
import { lenet5, toTfModel } from "../src/models";
import { loadMnist } from "../src/datasets";

let train: Examples;
let test: Examples;

beforeAll(async () => {
  await useFastBackend();
  train = mnistExamples(loadMnist("train", { limit: 512 }));
  test = mnistExamples(loadMnist("test", { limit: 256 }));
});

const lenet = (seed = 1) => toTfModel(lenet5({ inputSize: 28 }), { seed });

describe("fit", () => {
  it("leaks no tensors and no wasm memory: counts are flat across epochs and back to the start after", async () => {
    const model = lenet();
    const before = tf.memory().numTensors;
    const tensors: number[] = [];
    const data: number[] = [];
    await fit(model, train, {
      epochs: 3,
      batchSize: 64,
      test,
      onEpoch: () => {
        tensors.push(tf.memory().numTensors);
        data.push(tf.backend().numDataIds());
      },
    });
    expect(tensors).toHaveLength(3);
    expect(new Set(tensors).size).toBe(1);
    expect(new Set(data).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("repeats: the same seeds give the same losses and accuracies", async () => {
    const once = async (): Promise<EpochResult[]> => {
      const model = lenet(7);
      const history = await fit(model, train, { epochs: 2, seed: 3, test });
      model.dispose();
      return history;
    };
    const strip = (h: EpochResult[]) => h.map(({ seconds: _, imagesPerSecond: __, ...rest }) => rest);
    expect(strip(await once())).toEqual(strip(await once()));
  });

  it("learns: the training loss falls and test accuracy beats guessing by far", async () => {
    const model = lenet(2);
    const history = await fit(model, train, { epochs: 4, learningRate: 0.002, test });
    expect(history[3].loss).toBeLessThan(history[0].loss);
    expect(history[3].testAccuracy ?? 0).toBeGreaterThan(0.5);
    model.dispose();
  });

  it("reports progress after every batch: counters, running loss and accuracy, speed, time left", async () => {
    const model = lenet();
    const seen: string[] = [];
    let last = { batch: 0, etaSeconds: -1, accuracy: -1 };
    await fit(
      model,
      selectExamples(
        train,
        Array.from({ length: 128 }, (_, i) => i),
      ),
      {
        epochs: 2,
        batchSize: 32,
        onBatch: (p) => {
          seen.push(`${p.epoch}.${p.batch}/${p.batches}`);
          expect(p.imagesPerSecond).toBeGreaterThan(0);
          last = p;
        },
      },
    );
    expect(seen).toEqual(["1.1/4", "1.2/4", "1.3/4", "1.4/4", "2.1/4", "2.2/4", "2.3/4", "2.4/4"]);
    expect(last.etaSeconds).toBe(0);
    expect(last.accuracy).toBeGreaterThanOrEqual(0);
    expect(last.accuracy).toBeLessThanOrEqual(1);
    model.dispose();
  });

  it("trains only the trainable layers (frozen layers keep their weights)", async () => {
    const model = lenet(4);
    const c1 = model.getLayer("C1");
    c1.trainable = false;
    const frozen = c1.getWeights().map((w) => Array.from(w.dataSync()));
    const head = model.getLayer("FC2").getWeights()[0].dataSync()[0];
    await fit(model, train, { epochs: 1 });
    expect(c1.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(frozen);
    expect(model.getLayer("FC2").getWeights()[0].dataSync()[0]).not.toBe(head);
    model.dispose();
  });

  it("rejects bad options, naming fit and the value", async () => {
    const model = lenet();
    await expect(fit(model, train, { epochs: 0 })).rejects.toThrow("train.fit: epochs must be an integer from 1 to 10000, got 0");
    await expect(fit(model, train, { epochs: 1, batchSize: 1000 })).rejects.toThrow("fit: 512 examples do not fill one batch of 1000");
    await expect(fit(model, train, { epochs: 1, learningRate: -1 })).rejects.toThrow(
      "train.fit: learningRate must be a finite number from 5e-324 to 10, got -1",
    );
    // Infinity would turn every weight into NaN: refused before any step.
    await expect(fit(model, train, { epochs: 1, learningRate: Infinity })).rejects.toThrow(
      "train.fit: learningRate must be a finite number",
    );
    const typo = { epochs: 1, learningrate: 0.1 };
    await expect(fit(model, train, typo)).rejects.toThrow("train.fit: unknown option 'learningrate' (did you mean 'learningRate'?)");
    model.dispose();
  });
});

describe("evaluation helpers", () => {
  it("mnistExamples scales pixels to 0–1 and keeps labels", () => {
    const raw = loadMnist("test", { limit: 10 });
    const ex = mnistExamples(raw);
    expect(ex.shape).toEqual([28, 28, 1]);
    expect(ex.count).toBe(10);
    expect(Math.max(...ex.x)).toBeLessThanOrEqual(1);
    expect(ex.x[300]).toBeCloseTo(raw.images[300] / 255, 6);
    expect(Array.from(ex.y)).toEqual(Array.from(raw.labels));
  });

  it("evaluate: accuracy is the share of predictions equal to the labels", () => {
    const model = lenet();
    const e = evaluate(model, test, { batchSize: 100 });
    const right = Array.from(e.predictions).filter((p, i) => p === test.y[i]).length;
    expect(e.accuracy).toBe(right / test.count);
    expect(Number.isFinite(e.loss)).toBe(true);
    expect(e.confidence.every((c) => c > 0 && c <= 1)).toBe(true);
    model.dispose();
  });

  it("confusionMatrix: row = true class, column = prediction; rows sum to the class counts", () => {
    const labels = [0, 0, 1, 2, 2, 2];
    const predictions = [0, 1, 1, 2, 0, 2];
    const m = confusionMatrix(labels, predictions, 3);
    expect(m[0]).toEqual([1, 1, 0]);
    expect(m[2]).toEqual([1, 0, 2]);
    expect(m.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([2, 1, 3]);
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow("confusionMatrix: 2 labels but 1 predictions");
    expect(() => confusionMatrix([0, 5], [0, 1], 3)).toThrow(
      "confusionMatrix: example 1 has label 5 and prediction 1, expected classes 0..2",
    );
    expect(() => confusionMatrix([0], [0], 1e9)).toThrow(
      "train.confusionMatrix: classes must be an integer from 1 to 10000, got 1000000000",
    );
  });

  it("selectExamples copies the chosen examples and rejects indices outside", () => {
    const two = selectExamples(test, [5, 2]);
    expect(two.count).toBe(2);
    expect(Array.from(two.y)).toEqual([test.y[5], test.y[2]]);
    expect(Array.from(two.x.subarray(784, 1568))).toEqual(Array.from(test.x.subarray(2 * 784, 3 * 784)));
    expect(() => selectExamples(test, [256])).toThrow("selectExamples: index 256 is outside 0..255");
  });
});

describe("useFastBackend prints nothing", () => {
  it("stdout and stderr stay empty while it starts and trains a step", () => {
    const root = path.resolve(__dirname, "..");
    const script = `
      const { useFastBackend } = require("./dist/train/backend");
      const { fit, mnistExamples } = require("./dist/train/fit");
      const { lenet5, toTfModel } = require("./dist/models");
      const { loadMnist } = require("./dist/datasets");
      useFastBackend().then(() => fit(toTfModel(lenet5({ inputSize: 28 }), { seed: 1 }), mnistExamples(loadMnist("train", { limit: 64 })), { epochs: 1 }));
    `;
    const run = spawnSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("");
  });
});
