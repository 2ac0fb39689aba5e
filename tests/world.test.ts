// Notebook 14's library: IoU, digits on a canvas, pixel permutations, the label cue, saliency and occlusion maps.
import { describe, expect, it } from "vitest";
import { tf } from "../src/tf";
import { addLabelCue, iou, permutation, permuteExamples, placeOnCanvas } from "../src/world";
import { occlusionMap, saliencyMap } from "../src/train/saliency";

const examples = (count: number, rows: number, cols: number) => ({
  x: Float32Array.from({ length: count * rows * cols }, (_, i) => (i % 7) / 7),
  y: Uint8Array.from({ length: count }, (_, i) => i % 10),
  shape: [rows, cols, 1],
  count,
});

describe("boxes", () => {
  it("IoU: identical 1, disjoint 0, half-overlap 1/3, symmetric", () => {
    expect(iou({ x: 1, y: 1, w: 2, h: 3 }, { x: 1, y: 1, w: 2, h: 3 })).toBe(1);
    expect(iou({ x: 0, y: 0, w: 1, h: 1 }, { x: 2, y: 2, w: 1, h: 1 })).toBe(0);
    expect(iou({ x: 0, y: 0, w: 2, h: 2 }, { x: 1, y: 0, w: 2, h: 2 })).toBeCloseTo(1 / 3, 12);
    expect(iou({ x: 0, y: 0, w: 3, h: 1 }, { x: 1, y: -1, w: 1, h: 4 })).toBeCloseTo(
      iou({ x: 1, y: -1, w: 1, h: 4 }, { x: 0, y: 0, w: 3, h: 1 }),
      12,
    );
    expect(() => iou({ x: 0, y: 0, w: -1, h: 1 }, { x: 0, y: 0, w: 1, h: 1 })).toThrow(/^world.iou: /);
  });
  it("placeOnCanvas puts every pixel inside its box and keeps the image", () => {
    const e = examples(5, 4, 4);
    const { canvases, boxes } = placeOnCanvas(e, 10, 3);
    boxes.forEach((b, n) => {
      let inside = 0;
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) inside += canvases.x[n * 100 + (b.y + i) * 10 + b.x + j];
      const original = e.x.subarray(n * 16, (n + 1) * 16).reduce((a, v) => a + v, 0);
      const all = canvases.x.subarray(n * 100, (n + 1) * 100).reduce((a, v) => a + v, 0);
      expect(inside).toBeCloseTo(original, 5);
      expect(all).toBeCloseTo(original, 5);
    });
  });
});

describe("permutations and cues", () => {
  it("a permutation loses nothing: applying its inverse restores the examples", () => {
    const e = examples(3, 5, 5);
    const order = permutation(25, 2);
    const inverse = new Array<number>(25);
    order.forEach((from, to) => (inverse[from] = to));
    expect(Array.from(permuteExamples(permuteExamples(e, order), inverse).x)).toEqual(Array.from(e.x));
    expect(() => permuteExamples(e, [0, 0])).toThrow(/^world.permuteExamples: order must be a permutation/);
  });
  it("the cue's position tells the label", () => {
    const e = addLabelCue(examples(10, 28, 28), 3);
    for (let n = 0; n < 10; n++) expect(e.x[n * 784 + 2 * e.y[n]]).toBe(3);
  });
});

describe("saliency and occlusion", () => {
  // A linear softmax model on 3×3 images: the saliency is |∂p_c/∂x| and can be compared with central differences.
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [3, 3, 1] }),
      tf.layers.dense({ units: 2, activation: "softmax", kernelInitializer: tf.initializers.randomNormal({ seed: 3 }) }),
    ],
  });
  const image = Float32Array.from([0.1, 0.5, 0.2, 0.9, 0.3, 0.4, 0.7, 0.6, 0.8]);
  const p = (im: Float32Array) => tf.tidy(() => (model.predict(tf.tensor(im, [1, 3, 3, 1])) as tf.Tensor).dataSync()[1]);
  it("saliency = |∂p_c/∂x| by central differences", () => {
    const map = saliencyMap(model, image, [3, 3, 1], 1).flat();
    map.forEach((v, i) => {
      const up = image.slice();
      const down = image.slice();
      up[i] += 1e-2;
      down[i] -= 1e-2;
      expect(v).toBeCloseTo(Math.abs((p(up) - p(down)) / 2e-2), 3);
    });
  });
  it("occlusion = p_c(image) − p_c(image with the patch blanked)", () => {
    const map = occlusionMap(model, image, [3, 3, 1], 1, { patch: 2, stride: 1 });
    expect(map.length).toBe(2);
    const blanked = image.slice();
    for (const k of [4, 5, 7, 8]) blanked[k] = 0;
    expect(map[1][1]).toBeCloseTo(p(image) - p(blanked), 5);
    expect(() => occlusionMap(model, image, [3, 3, 1], 1, { patch: 4 })).toThrow(/^xai.occlusion: patch must be/);
  });
});
