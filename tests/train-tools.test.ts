// The tools of notebooks 09 and 10 around training: moving digits, adversarial examples, model
// inversion, looking inside a model, saving it, and the live training monitor.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import { tf } from "../src/tf";
import { useFastBackend } from "../src/train/backend";
import { evaluate, fit, mnistExamples, pixelStats, scaleExamples, selectExamples, type Examples } from "../src/train/fit";
import { moveExamples, moveImage, randomMoves } from "../src/train/augment";
import { classify, fgsm, inputGradient, invertClasses } from "../src/train/attacks";
import { exampleVolume, featureMaps, layerKernels, layerOutputs } from "../src/train/inspect";
import { hasModel, loadModel, modelPath, saveModel } from "../src/train/store";
import { trainingMonitor } from "../src/train/monitor";
import { setDisplaySink, type MimeBundle } from "../src/display";
import { conv2d } from "../src/conv";
import { lenet5, toTfModel } from "../src/models";
import { loadMnist } from "../src/datasets";
import { seededRandom } from "../src/random";

let model: tf.LayersModel;
let test: Examples;
const shape = [28, 28, 1];

beforeAll(async () => {
  await useFastBackend();
  const train = mnistExamples(loadMnist("train", { limit: 1024 }));
  const { std } = pixelStats(train);
  test = scaleExamples(mnistExamples(loadMnist("test", { limit: 200 })), 1 / std);
  model = toTfModel(lenet5({ inputSize: 28 }), { seed: 1 });
  await fit(model, scaleExamples(train, 1 / std), { epochs: 3, learningRate: 0.002 });
});

afterAll(() => {
  model.dispose();
  setDisplaySink(null);
});

describe("moving digits", () => {
  const image = (h: number, w: number, seed: number) => {
    const r = seededRandom(seed);
    return Float32Array.from({ length: h * w }, () => r.next());
  };

  it("a whole-pixel shift moves every pixel by (dx, dy) and fills black", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: -4, max: 4 }),
        fc.integer({ min: -4, max: 4 }),
        fc.nat(),
        (h, w, dx, dy, seed) => {
          const x = image(h, w, seed);
          const y = moveImage(x, h, w, { dx, dy });
          for (let r = 0; r < h; r++) {
            for (let c = 0; c < w; c++) {
              const inside = r - dy >= 0 && r - dy < h && c - dx >= 0 && c - dx < w;
              expect(y[r * w + c]).toBe(inside ? x[(r - dy) * w + (c - dx)] : 0);
            }
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it("a half-pixel shift averages neighbours (bilinear)", () => {
    const y = moveImage(new Float32Array([0, 1, 0, 0]), 1, 4, { dx: 0.5 });
    expect(Array.from(y)).toEqual([0, 0.5, 0.5, 0]);
  });

  it("rotation turns anticlockwise about the centre, and 360° changes nothing", () => {
    // One bright pixel right of the centre of a 5×5 image goes above the centre after 90°.
    const x = new Float32Array(25);
    x[2 * 5 + 4] = 1;
    const y = moveImage(x, 5, 5, { degrees: 90 });
    expect(y[0 * 5 + 2]).toBeCloseTo(1, 5);
    expect(y.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const z = image(6, 7, 3);
    Array.from(moveImage(z, 6, 7, { degrees: 360 })).forEach((v, i) => expect(v).toBeCloseTo(z[i], 5));
  });

  it("moveExamples moves every example, keeps labels; randomMoves is seeded", () => {
    const moved = moveExamples(test, { dx: 2 });
    expect(moved.y).toBe(test.y);
    expect(Array.from(moved.x.subarray(784, 1568))).toEqual(Array.from(moveImage(test.x.subarray(784, 1568), 28, 28, { dx: 2 })));
    const augment = randomMoves({ maxShift: 3, maxDegrees: 20 });
    const a = test.x.slice(0, 4 * 784);
    const b = test.x.slice(0, 4 * 784);
    augment(a, shape, 4, seededRandom(5));
    augment(b, shape, 4, seededRandom(5));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(test.x.subarray(0, 4 * 784)));
  });

  it("rejects bad input, naming the function", () => {
    expect(() => moveImage(new Float32Array(5), 2, 2, {})).toThrow("moveImage: image has 5 pixels, expected 2×2 = 4");
    expect(() => moveImage(new Float32Array(4), 2, 2, { degrees: NaN })).toThrow("moveImage: degrees must be a finite number, got NaN");
    expect(() => randomMoves({ maxShift: -1 })).toThrow("train.randomMoves: maxShift must be a finite number from 0 to 100, got -1");
  });
});

describe("attacks", () => {
  it("inputGradient equals central differences of the loss on a few pixels", () => {
    const one = selectExamples(test, [3]);
    const gradient = inputGradient(model, one);
    const loss = (x: Float32Array) => -Math.log(classify(model, x, shape).probabilities[one.y[0]]);
    const h = 1e-2;
    const pixels = [14 * 28 + 14, 10 * 28 + 12, 20 * 28 + 15];
    for (const p of pixels) {
      const up = one.x.slice();
      const down = one.x.slice();
      up[p] += h;
      down[p] -= h;
      const numeric = (loss(up) - loss(down)) / (2 * h);
      expect(Math.abs(gradient[p] - numeric)).toBeLessThan(2e-3 + 0.05 * Math.abs(numeric));
    }
  });

  it("fgsm moves every pixel by ε along the gradient's sign, stays in range, and lowers accuracy", () => {
    const some = selectExamples(
      test,
      Array.from({ length: 100 }, (_, i) => i),
    );
    const gradient = inputGradient(model, some);
    const range: [number, number] = [0, 3];
    const { examples, perturbation } = fgsm(model, some, { epsilon: 0.5, range });
    perturbation.forEach((p, i) => expect(p).toBe(0.5 * Math.sign(gradient[i])));
    examples.x.forEach((v, i) => expect(v).toBeCloseTo(Math.min(3, Math.max(0, some.x[i] + perturbation[i])), 6));
    expect(evaluate(model, examples).accuracy).toBeLessThan(evaluate(model, some).accuracy);
    expect(() => fgsm(model, some, { epsilon: -1 })).toThrow("attacks.fgsm: epsilon must be a finite number from 0 to 1, got -1");
  });

  it("invertClasses makes images the model assigns to their target class", () => {
    const images = invertClasses(model, [3, 7], shape, { steps: 100, learningRate: 1, l2: 0.05, range: [0, 3] });
    expect(images).toHaveLength(2);
    expect(classify(model, images[0], shape).label).toBe(3);
    expect(classify(model, images[1], shape).label).toBe(7);
    images.forEach((im) => im.forEach((v) => expect(v >= 0 && v <= 3).toBe(true)));
    expect(() => invertClasses(model, [10], shape)).toThrow("invertClasses: targets[0] must be a class 0..9, got 10");
  });
});

describe("inside the model", () => {
  it("layerOutputs: one output per layer, the last one the model's probabilities", () => {
    const outs = layerOutputs(model, test.x.subarray(0, 784), shape);
    expect(outs.map((o) => o.name)).toEqual(model.layers.map((l) => l.name));
    expect(outs.find((o) => o.name === "C3")?.shape).toEqual([10, 10, 16]);
    const last = outs[outs.length - 1];
    classify(model, test.x.slice(0, 784), shape).probabilities.forEach((p, i) => expect(last.values[i]).toBeCloseTo(p, 6));
  });

  it("featureMaps splits a layer's channels; C1 recomputed with dl.conv.conv2d matches TensorFlow.js", () => {
    const c1 = layerOutputs(model, test.x.subarray(0, 784), shape).find((o) => o.name === "C1");
    if (!c1) throw new Error("no C1");
    const maps = featureMaps(c1);
    expect(maps).toHaveLength(6);
    expect(maps[2].shape).toEqual([28, 28]);
    const { kernels, bias } = layerKernels(model, "C1");
    const byHand = conv2d(exampleVolume(test, 0), kernels, { padding: 2, bias });
    for (let k = 0; k < 6; k++) {
      for (let i = 0; i < 28 * 28; i += 37) {
        expect(Math.tanh(byHand[Math.floor(i / 28)][i % 28][k])).toBeCloseTo(maps[k].data[i], 5);
      }
    }
    expect(() => layerKernels(model, "nope")).toThrow('layerWeights: no layer "nope"');
  });
});

describe("saving a model", () => {
  it("saveModel then loadModel gives the same predictions", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lenet-"));
    expect(hasModel(dir)).toBe(false);
    await saveModel(model, dir);
    expect(hasModel(dir)).toBe(true);
    const copy = await loadModel(dir);
    expect(Array.from(evaluate(copy, test).predictions)).toEqual(Array.from(evaluate(model, test).predictions));
    copy.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
    await expect(loadModel(dir)).rejects.toThrow("loadModel:");
  });

  it("modelPath points into build/models and rejects names with slashes", () => {
    expect(modelPath("lenet5-mnist")).toBe(path.resolve(__dirname, "..", "build", "models", "lenet5-mnist"));
    expect(() => modelPath("../x")).toThrow("train.modelPath: name must be letters, digits, '.', '_' or '-', got \"../x\"");
  });
});

describe("trainingMonitor", () => {
  it("shows one progress line and one figure, both updated in place", async () => {
    const sent: { data: MimeBundle; id?: string; update: boolean }[] = [];
    setDisplaySink((content, update) => sent.push({ data: content.data, id: content.transient.display_id, update }));
    const small = selectExamples(
      test,
      Array.from({ length: 128 }, (_, i) => i),
    );
    const copy = toTfModel(lenet5({ inputSize: 28 }), { seed: 2 });
    await fit(copy, small, { epochs: 2, batchSize: 32, test: small, ...trainingMonitor({ every: 2, lineEvery: 0 }) });
    copy.dispose();
    setDisplaySink(null);
    const lines = sent.filter((s) => typeof s.data["text/plain"] === "string" && String(s.data["text/plain"]).startsWith("epoch"));
    const figures = sent.filter((s) => "application/vnd.plotly.v1+json" in s.data);
    expect(lines.length).toBe(8);
    expect(new Set(lines.map((l) => l.id)).size).toBe(1);
    expect(lines.slice(1).every((l) => l.update)).toBe(true);
    expect(String(lines[lines.length - 1].data["text/plain"])).toMatch(
      /^epoch 2\/2 \[█+\] batch 4\/4 · loss [\d.]+ · accuracy [\d.]+ % · [\d,]+ images\/s · took /,
    );
    expect(figures.length).toBeGreaterThanOrEqual(3);
    expect(new Set(figures.map((f) => f.id)).size).toBe(1);
  });
});
