// Explainability (lecture 000's pre-lecture task: "can use Explainable AI to try to understand with less
// guessing"): which pixels does a trained network's answer depend on? Two maps for one image and one class c:
//   saliency   |∂p_c/∂x| — the input gradient, how much a small change of each pixel moves p_c;
//   occlusion  p_c(image) − p_c(image with a patch blanked) — how much the answer drops without that patch.
import { tf } from "../tf";
import { fail, integer, knownOptions, positiveInteger } from "../args";

function imageArgs(fn: string, model: unknown, image: unknown, shape: unknown): { size: number; shape: number[] } {
  if (!(model instanceof tf.LayersModel)) fail(fn, "model", "a TensorFlow.js model", model);
  if (!(image instanceof Float32Array)) fail(fn, "image", "a Float32Array of pixels", image);
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((s) => Number.isInteger(s) && s > 0))
    fail(fn, "shape", "[rows, cols, channels]", shape);
  const size = shape.reduce((a: number, b: number) => a * b, 1);
  if (image.length !== size) fail(fn, "image", `${size} pixels for shape ${shape.join("×")}`, image.length);
  return { size, shape: [...shape] };
}

function probability(model: tf.LayersModel, x: tf.Tensor, c: number): tf.Tensor {
  const out = model.apply(x, { training: false });
  if (!(out instanceof tf.Tensor)) throw new Error("xai: the model must have one output");
  return out.slice([0, c], [-1, 1]).sum();
}

/** |∂p_c/∂x| for every pixel of one image (rows × cols, summed over channels) — 14-cnns-in-the-world. */
export function saliencyMap(model: tf.LayersModel, image: Float32Array, shape: number[], classIndex: number): number[][] {
  const fn = "xai.saliency";
  const { shape: s } = imageArgs(fn, model, image, shape);
  integer(fn, "classIndex", classIndex, { min: 0, max: 9999 });
  const grad = tf.tidy(() =>
    tf
      .grad((x: tf.Tensor) => probability(model, x, classIndex))(tf.tensor(image, [1, ...s]))
      .dataSync(),
  );
  const [rows, cols, channels] = s;
  return Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => {
      let v = 0;
      for (let k = 0; k < channels; k++) v += Math.abs(grad[(i * cols + j) * channels + k]);
      return v;
    }),
  );
}

/** Options of `occlusionMap`: the patch's side, how far it moves, and the value it paints — 14-cnns-in-the-world. */
export interface OcclusionOptions {
  patch: number;
  stride?: number;
  fill?: number;
}

/** Drop of p_c when a patch × patch square at (row, col) = (i·stride, j·stride) is set to `fill` (default 0) — 14-cnns-in-the-world. */
export function occlusionMap(
  model: tf.LayersModel,
  image: Float32Array,
  shape: number[],
  classIndex: number,
  options: OcclusionOptions,
): number[][] {
  const fn = "xai.occlusion";
  const { shape: s } = imageArgs(fn, model, image, shape);
  integer(fn, "classIndex", classIndex, { min: 0, max: 9999 });
  knownOptions(fn, options, ["patch", "stride", "fill"], { required: true });
  const [rows, cols, channels] = s;
  const patch = positiveInteger(fn, "patch", options.patch, Math.min(rows, cols));
  const stride = positiveInteger(fn, "stride", options.stride ?? 1, 1000);
  const fill = options.fill ?? 0;
  if (typeof fill !== "number" || !Number.isFinite(fill)) fail(fn, "fill", "a finite number", fill);
  const outRows = Math.floor((rows - patch) / stride) + 1;
  const outCols = Math.floor((cols - patch) / stride) + 1;
  const batch = new Float32Array(outRows * outCols * image.length);
  for (let i = 0; i < outRows; i++) {
    for (let j = 0; j < outCols; j++) {
      const offset = (i * outCols + j) * image.length;
      batch.set(image, offset);
      for (let r = i * stride; r < i * stride + patch; r++) {
        for (let c = j * stride; c < j * stride + patch; c++)
          for (let k = 0; k < channels; k++) batch[offset + (r * cols + c) * channels + k] = fill;
      }
    }
  }
  const [base, occluded] = tf.tidy(() => {
    const p = (x: tf.Tensor) => {
      const out = model.apply(x, { training: false });
      if (!(out instanceof tf.Tensor)) throw new Error(`${fn}: the model must have one output`);
      return out.slice([0, classIndex], [-1, 1]).dataSync();
    };
    return [p(tf.tensor(image, [1, ...s]))[0], p(tf.tensor(batch, [outRows * outCols, ...s]))];
  });
  return Array.from({ length: outRows }, (_, i) => Array.from({ length: outCols }, (_, j) => base - occluded[i * outCols + j]));
}
