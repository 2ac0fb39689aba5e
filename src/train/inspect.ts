// Looking inside a trained network: the output of every layer for one image (feature maps), and the
// weights of a layer as plain arrays (the learned kernels).
import { fail, readable, text } from "../args";
import { examplesArg, imageArg, modelArg } from "./args";
import { describe as formatValue } from "../args";
import { tf } from "../tf";
import type { KernelBank, Volume } from "../view";
import type { Examples } from "./fit";

/** One layer's output for one image: its name, shape without the batch axis, and values — 09-training-lenet-mnist. */
export interface LayerOutput {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Run one image (of `shape`, e.g. [28, 28, 1]) through `model` and keep every layer's output — 09-training-lenet-mnist. */
export function layerOutputs(model: tf.LayersModel, image: Float32Array, shape: number[]): LayerOutput[] {
  modelArg("train.layerOutputs", model);
  imageArg("train.layerOutputs", image, shape);
  const size = shape.reduce((a, b) => a * b, 1);
  if (image.length !== size)
    throw new Error(`train.layerOutputs: image has ${image.length} numbers, expected ${shape.join("×")} = ${size}`);
  const outputs = model.layers.map((layer) => {
    const out = layer.output;
    if (Array.isArray(out)) throw new Error(`train.layerOutputs: layer ${layer.name} has several outputs`);
    return out;
  });
  // A second model over the same layers, with every layer's output as an output (it owns no weights).
  const tap = tf.model({ inputs: model.inputs, outputs });
  const results = tf.tidy(() => {
    const out = tap.predict(tf.tensor(image, [1, ...shape]));
    return Array.isArray(out) ? out : [out];
  });
  const layers = results.map((t, i) => ({ name: model.layers[i].name, shape: t.shape.slice(1), values: Float32Array.from(t.dataSync()) }));
  tf.dispose(results);
  return layers;
}

/** A layer's weights as plain arrays with their shapes: kernels first, then biases — 09-training-lenet-mnist. */
export function layerWeights(model: tf.LayersModel, name: string): { shape: number[]; values: Float32Array }[] {
  modelArg("train.layerWeights", model);
  const layer = model.layers.find((l) => l.name === name);
  if (!layer)
    throw new Error(
      `train.layerWeights: no layer ${formatValue(name)} in model ${model.name}; it has ${model.layers.map((l) => l.name).join(", ")}`,
    );
  return layer.getWeights().map((w) => ({ shape: w.shape.slice(), values: Float32Array.from(w.dataSync()) }));
}

/** The maps of a layer output [h, w, channels] as one image per channel, ready for an image grid — 09-training-lenet-mnist. */
export function featureMaps(output: LayerOutput): { data: Float32Array; shape: [number, number] }[] {
  const isOutput = readable(
    "train.featureMaps",
    "output",
    output,
    "a layer output",
    () =>
      typeof output === "object" &&
      output !== null &&
      typeof output.name === "string" &&
      Array.isArray(output.shape) &&
      output.values instanceof Float32Array &&
      output.values.length === output.shape.reduce((a: number, b: number) => a * b, 1),
  );
  if (!isOutput) fail("train.featureMaps", "output", "one entry of train.layerOutputs", output);
  if (output.shape.length !== 3)
    throw new Error(`train.featureMaps: layer ${output.name} gives shape [${output.shape.join(", ")}], expected [height, width, channels]`);
  const [h, w, channels] = output.shape;
  return Array.from({ length: channels }, (_, k) => {
    const data = new Float32Array(h * w);
    for (let i = 0; i < h * w; i++) data[i] = output.values[i * channels + k];
    return { data, shape: [h, w] };
  });
}

/** A conv layer's kernels as the bank dl.conv2d takes ([row][col][channel][kernel]) and its biases — 09-training-lenet-mnist. */
export function layerKernels(model: tf.LayersModel, name: string): { kernels: KernelBank; bias: number[] } {
  modelArg("train.layerKernels", model);
  text("train.layerKernels", "name", name);
  const [kernel, bias] = layerWeights(model, name);
  if (!kernel || kernel.shape.length !== 4) throw new Error(`train.layerKernels: layer ${name} is not a 2-D convolution`);
  const [h, w, c, k] = kernel.shape;
  const at = (i: number, j: number, ch: number, n: number) => kernel.values[((i * w + j) * c + ch) * k + n];
  const kernels: KernelBank = Array.from({ length: h }, (_, i) =>
    Array.from({ length: w }, (_, j) => Array.from({ length: c }, (_, ch) => Array.from({ length: k }, (_, n) => at(i, j, ch, n)))),
  );
  return { kernels, bias: bias ? Array.from(bias.values) : new Array<number>(k).fill(0) };
}

/** Example `index` as an image with channels, [row][col][channel], the input dl.conv2d takes — 09-training-lenet-mnist. */
export function exampleVolume(examples: Examples, index: number): Volume {
  examplesArg("train.exampleVolume", examples);
  const [h, w, c = 1] = examples.shape;
  if (!Number.isInteger(index) || index < 0 || index >= examples.count) {
    throw new Error(`train.exampleVolume: index must be an integer from 0 to ${examples.count - 1}, got ${index}`);
  }
  const start = index * h * w * c;
  return Array.from({ length: h }, (_, i) =>
    Array.from({ length: w }, (_, j) => Array.from({ length: c }, (_, ch) => examples.x[start + (i * w + j) * c + ch])),
  );
}
