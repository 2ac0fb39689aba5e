// The lectures' models as layer specs (lectures 001, 002, 004), and any spec built as a TensorFlow.js model.
import { describe as formatValue, integer, knownOptions } from "./args";
import { tf } from "./tf";
import {
  convLayer,
  denseLayer,
  dropoutLayer,
  flattenLayer,
  inputLayer,
  poolLayer,
  walkShapes,
  reshapeLayer,
  type LayerActivation,
  type LayerSpec,
  type ModelSpec,
  type LayerSize,
} from "./layers";

/** LeNet-5 as lecture 001's table: tanh, 2×2 average pooling, C5 a 5×5 conv to 120 maps, 61,706 parameters — 08-lenet-parameters.
 *  `inputSize: 28` takes MNIST digits as they are and pads C1 by 2 (the 1998 paper padded the digits to 32×32 instead); the counts do not change. */
export function lenet5(options: { inputSize?: 32 | 28 } = {}): ModelSpec {
  knownOptions("models.lenet5", options, ["inputSize"]);
  const size = options.inputSize ?? 32;
  if (size !== 32 && size !== 28) throw new Error(`models.lenet5: inputSize must be 32 or 28, got ${formatValue(size)}`);
  return {
    name: size === 32 ? "LeNet-5" : "LeNet-5 (28×28 input, C1 padded by 2)",
    layers: [
      inputLayer([size, size, 1]),
      convLayer({ name: "C1", filters: 6, kernel: 5, padding: size === 28 ? 2 : "valid", activation: "tanh" }),
      poolLayer({ name: "S2", mode: "avg", size: 2, stride: 2 }),
      convLayer({ name: "C3", filters: 16, kernel: 5, activation: "tanh" }),
      poolLayer({ name: "S4", mode: "avg", size: 2, stride: 2 }),
      convLayer({ name: "C5", filters: 120, kernel: 5, activation: "tanh" }),
      flattenLayer("flatten"),
      denseLayer({ name: "FC1", units: 84, activation: "tanh" }),
      denseLayer({ name: "FC2", units: 10, activation: "softmax" }),
    ],
  };
}

function kerasDigitTrunk(): LayerSpec[] {
  return [
    inputLayer([28, 28, 1]),
    convLayer({ name: "conv2d_6", filters: 8, kernel: 5, padding: "same", activation: "relu" }),
    poolLayer({ name: "max_pooling2d_6", mode: "max", size: 2 }),
    dropoutLayer(0.25, "dropout_9"),
    convLayer({ name: "conv2d_7", filters: 16, kernel: 3, padding: "same", activation: "relu" }),
    poolLayer({ name: "max_pooling2d_7", mode: "max", size: 2, stride: 2 }),
    dropoutLayer(0.25, "dropout_10"),
    flattenLayer("flatten_3"),
    denseLayer({ name: "dense_6", units: 256, activation: "relu" }),
    dropoutLayer(0.5, "dropout_11"),
  ];
}

/** Lecture 002's Keras digit model exactly as on the slide, ending in softmax over 100 units reshaped to 10×10×1 — 08-lenet-parameters. */
export function kerasDigitModel(): ModelSpec {
  return {
    name: "Keras digit model (lecture 002, as on the slide)",
    layers: [
      ...kerasDigitTrunk(),
      denseLayer({ name: "dense_7", units: 100, activation: "softmax" }),
      reshapeLayer([10, 10, 1], "reshape"),
    ],
  };
}

/** The same model corrected: ten digits need ten softmax outputs, no reshape — 08-lenet-parameters. */
export function kerasDigitModelCorrected(): ModelSpec {
  return {
    name: "Keras digit model (corrected: softmax over 10 classes)",
    layers: [...kerasDigitTrunk(), denseLayer({ name: "dense_7", units: 10, activation: "softmax" })],
  };
}

/** AlexNet, single-tower variant (227×227×3 input, no grouped convolutions, no LRN): 5 conv + 3 FC, 62,378,344 parameters — 08-lenet-parameters. */
export function alexnet(): ModelSpec {
  return {
    name: "AlexNet (single tower, 227×227×3)",
    layers: [
      inputLayer([227, 227, 3]),
      convLayer({ name: "conv1", filters: 96, kernel: 11, stride: 4, activation: "relu" }),
      poolLayer({ name: "pool1", mode: "max", size: 3, stride: 2 }),
      convLayer({ name: "conv2", filters: 256, kernel: 5, padding: 2, activation: "relu" }),
      poolLayer({ name: "pool2", mode: "max", size: 3, stride: 2 }),
      convLayer({ name: "conv3", filters: 384, kernel: 3, padding: 1, activation: "relu" }),
      convLayer({ name: "conv4", filters: 384, kernel: 3, padding: 1, activation: "relu" }),
      convLayer({ name: "conv5", filters: 256, kernel: 3, padding: 1, activation: "relu" }),
      poolLayer({ name: "pool5", mode: "max", size: 3, stride: 2 }),
      flattenLayer("flatten"),
      denseLayer({ name: "fc6", units: 4096, activation: "relu" }),
      dropoutLayer(0.5, "drop6"),
      denseLayer({ name: "fc7", units: 4096, activation: "relu" }),
      dropoutLayer(0.5, "drop7"),
      denseLayer({ name: "fc8", units: 1000, activation: "softmax" }),
    ],
  };
}

/** Lecture 004's digit network without convolutions: 28×28 pixels into 84 hidden neurons, no intercepts — 08-lenet-parameters. */
export function weightSharingDense(): ModelSpec {
  return {
    name: "28×28 → 84 hidden, fully connected",
    layers: [inputLayer([28, 28, 1]), flattenLayer("flatten"), denseLayer({ name: "hidden", units: 84, bias: false, activation: "relu" })],
  };
}

/** Lecture 004's digit network with two conv layers (n₁ = 10, n₂ = 20 filters), our reading of its picture:
 *  5×5 kernels, 2×2 max pooling after each, then the 84 hidden neurons; no intercepts — 08-lenet-parameters. */
export function weightSharingConv(n1 = 10, n2 = 20): ModelSpec {
  integer("models.weightSharingConv", "n1", n1, { min: 1, max: 1000 });
  integer("models.weightSharingConv", "n2", n2, { min: 1, max: 1000 });
  return {
    name: `28×28 → conv ${n1} → pool → conv ${n2} → pool → 84 hidden`,
    layers: [
      inputLayer([28, 28, 1]),
      convLayer({ name: "conv1", filters: n1, kernel: 5, bias: false, activation: "relu" }),
      poolLayer({ name: "pool1", mode: "max", size: 2 }),
      convLayer({ name: "conv2", filters: n2, kernel: 5, bias: false, activation: "relu" }),
      poolLayer({ name: "pool2", mode: "max", size: 2 }),
      flattenLayer("flatten"),
      denseLayer({ name: "hidden", units: 84, bias: false, activation: "relu" }),
    ],
  };
}

// ---------------------------------------------------------------- building a spec in TensorFlow.js

/** Options of toTfModel: a seed makes the kernel initialisers (Glorot uniform) repeatable. */
export interface TfModelOptions {
  seed?: number;
}

function tfActivation(a: LayerActivation | undefined): "linear" | "relu" | "tanh" | "sigmoid" | "softmax" {
  return a ?? "linear";
}
function pair(s: LayerSize): [number, number] {
  return typeof s === "number" ? [s, s] : s;
}

/** Build any spec as a tf.sequential model whose layers carry the spec's names — 09-training-lenet-mnist. */
export function toTfModel(model: ModelSpec, options: TfModelOptions = {}): tf.Sequential {
  const steps = walkShapes("models.toTfModel", model); // checks the spec first
  knownOptions("models.toTfModel", options, ["seed"]);
  const seed = options.seed;
  if (seed !== undefined && (typeof seed !== "number" || !Number.isInteger(seed))) {
    throw new Error(`models.toTfModel: seed must be an integer, got ${formatValue(seed)}`);
  }
  const first = model.layers[0];
  const kernelInitializer = (i: number) => (seed === undefined ? undefined : tf.initializers.glorotUniform({ seed: seed + i }));
  const net = tf.sequential({ name: model.name.replace(/[^A-Za-z0-9_.\-/]/g, "_").replace(/^[^A-Za-z0-9]/, "m") });
  net.add(tf.layers.inputLayer({ inputShape: first.kind === "input" ? first.shape : [], name: first.name ?? "input0" }));
  for (const { layer, name, index } of steps) {
    switch (layer.kind) {
      case "input":
        break; // propagate rejects an input layer after the first
      case "conv2d": {
        let padding: "valid" | "same" = "valid";
        if (layer.padding === "same") padding = "same";
        else if (layer.padding !== undefined && layer.padding !== "valid") {
          const [pr, pc] = pair(layer.padding);
          if (pr > 0 || pc > 0)
            net.add(
              tf.layers.zeroPadding2d({
                padding: [
                  [pr, pr],
                  [pc, pc],
                ],
                name: `${name}_pad`,
              }),
            );
        }
        net.add(
          tf.layers.conv2d({
            name,
            filters: layer.filters,
            kernelSize: pair(layer.kernel),
            strides: pair(layer.stride ?? 1),
            padding,
            useBias: layer.bias !== false,
            activation: tfActivation(layer.activation),
            kernelInitializer: kernelInitializer(index),
          }),
        );
        break;
      }
      case "pool": {
        const args = { name, poolSize: pair(layer.size), strides: pair(layer.stride ?? layer.size), padding: layer.padding ?? "valid" };
        net.add(layer.mode === "max" ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args));
        break;
      }
      case "flatten":
        net.add(tf.layers.flatten({ name }));
        break;
      case "dense":
        net.add(
          tf.layers.dense({
            name,
            units: layer.units,
            useBias: layer.bias !== false,
            activation: tfActivation(layer.activation),
            kernelInitializer: kernelInitializer(index),
          }),
        );
        break;
      case "activation":
        net.add(tf.layers.activation({ name, activation: tfActivation(layer.activation) }));
        break;
      case "dropout":
        net.add(tf.layers.dropout({ name, rate: layer.rate, seed: seed === undefined ? undefined : seed + index }));
        break;
      case "reshape":
        net.add(tf.layers.reshape({ name, targetShape: layer.shape }));
        break;
    }
  }
  return net;
}
