// One training step of `fit`, fast: the forward pass, the loss and the gradients of all trainable
// weights for one batch, with the weights as one flat list of numbers (what Adam and the workers share).
//
// A Sequential model of the usual layers (conv, pooling, flatten, dense, activation) runs as plain
// TensorFlow.js ops: convolution, then + bias, then the activation. Same maths as tfjs-layers, but
// tfjs-layers' fused convolution back-propagates into its input even when nobody needs it (the
// first layer's input gradient, the costliest kernel of a LeNet-5 step); a plain conv2d only computes
// the gradients that lead to a weight. A softmax last layer and the cross-entropy are taken together
// on the logits (the error signal is p − y). Any other model runs through `model.apply` as before.
import { tf } from "../tf";
import { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { convLayerOp, denseLayerOp } from "./layerOps";
import { ranks } from "./ranks";

type Layer = tf.layers.Layer;
type Activation = "linear" | "relu" | "tanh" | "sigmoid";

/** The model as a function of a batch: `logits` true when the output is before a final softmax. */
export interface ModelFunction {
  forward: (x: tf.Tensor) => tf.Tensor;
  logits: boolean;
}

function config(layer: Layer): Record<string, unknown> {
  return layer.getConfig();
}

function weight(layer: Layer, suffix: string): tf.Variable | null {
  const w = layer.weights.find((v) => v.originalName.endsWith(suffix) || v.name.endsWith(suffix));
  if (!w) return null;
  const value = w.read();
  return value instanceof tf.Variable ? value : null;
}

function pair(value: unknown): [number, number] | null {
  if (typeof value === "number") return [value, value];
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === "number" && typeof value[1] === "number")
    return [value[0], value[1]];
  return null;
}

function activationOf(value: unknown): Activation | "softmax" | null {
  const name = value ?? "linear";
  return name === "linear" || name === "relu" || name === "tanh" || name === "sigmoid" || name === "softmax" ? name : null;
}

function activate(x: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case "linear":
      return x;
    case "relu":
      return tf.relu(x);
    case "tanh":
      return tf.tanh(x);
    case "sigmoid":
      return tf.sigmoid(x);
  }
}

const { rank1, rank2, rank4 } = ranks("train.fit");

type Padding = "valid" | "same" | [[0, 0], [number, number], [number, number], [0, 0]];

/** The model as plain ops when every layer is one this file knows, else null (then `model.apply` is used). */
export function modelFunction(model: tf.LayersModel): ModelFunction | null {
  if (!(model instanceof tf.Sequential)) return null;
  const steps: Array<(x: tf.Tensor) => tf.Tensor> = [];
  let pendingPad: [[number, number], [number, number]] | null = null; // a ZeroPadding2D folded into the next conv
  let logits = false;
  let below = false; // a layer with weights is below this one: it needs the input gradient
  const layers = model.layers;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    const c = config(layer);
    if (c.dataFormat !== undefined && c.dataFormat !== "channelsLast") return null;
    const activation = activationOf(c.activation);
    const last = i === layers.length - 1;
    if (activation === null || (activation === "softmax" && !last)) return null;
    const act: Activation = activation === "softmax" ? "linear" : activation;
    if (activation === "softmax") logits = true;
    if (pendingPad && layer.getClassName() !== "Conv2D") return null;
    switch (layer.getClassName()) {
      case "InputLayer":
        break;
      case "ZeroPadding2D": {
        const p = c.padding;
        if (!Array.isArray(p) || p.length !== 2) return null;
        const rows = pair(p[0]);
        const cols = pair(p[1]);
        if (!rows || !cols) return null;
        pendingPad = [rows, cols];
        break;
      }
      case "Conv2D": {
        const kernel = weight(layer, "kernel");
        const bias = c.useBias === false ? undefined : weight(layer, "bias");
        const strides = pair(c.strides);
        const dilations = pair(c.dilationRate ?? 1);
        if (!kernel || bias === null || !strides || !dilations) return null;
        if (c.padding !== "valid" && c.padding !== "same") return null;
        let pad: Padding = c.padding;
        if (pendingPad) {
          if (c.padding !== "valid") return null;
          pad = [[0, 0], pendingPad[0], pendingPad[1], [0, 0]];
          pendingPad = null;
        }
        const convPad = pad;
        const inputGradient = below;
        below = true;
        if (dilations[0] === 1 && dilations[1] === 1) {
          steps.push((x) =>
            convLayerOp(rank4(x), rank4(kernel), bias ? rank1(bias) : undefined, {
              strides,
              pad: convPad,
              dilations,
              activation: act,
              inputGradient,
            }),
          );
        } else {
          steps.push((x) => {
            const z = tf.conv2d(rank4(x), rank4(kernel), strides, convPad, "NHWC", dilations);
            return activate(bias ? tf.add(z, bias) : z, act);
          });
        }
        break;
      }
      case "AveragePooling2D":
      case "MaxPooling2D": {
        const size = pair(c.poolSize);
        const strides = pair(c.strides ?? c.poolSize);
        const padding = c.padding;
        if (!size || !strides || (padding !== "valid" && padding !== "same")) return null;
        const pool = layer.getClassName() === "MaxPooling2D" ? tf.maxPool : tf.avgPool;
        steps.push((x) => pool(rank4(x), size, strides, padding));
        break;
      }
      case "Flatten":
        steps.push((x) => tf.reshape(x, [x.shape[0], -1]));
        break;
      case "Reshape": {
        const target = c.targetShape;
        if (!Array.isArray(target) || !target.every((v) => typeof v === "number")) return null;
        steps.push((x) => tf.reshape(x, [x.shape[0], ...target]));
        break;
      }
      case "Dense": {
        const kernel = weight(layer, "kernel");
        const bias = c.useBias === false ? undefined : weight(layer, "bias");
        const inShape = i > 0 ? layers[i - 1].outputShape : [];
        if (!kernel || bias === null || kernel.rank !== 2 || inShape.length !== 2 || Array.isArray(inShape[0])) return null;
        const inputGradient = below;
        below = true;
        steps.push((x) => denseLayerOp(rank2(x), rank2(kernel), bias ? rank1(bias) : undefined, act, inputGradient));
        break;
      }
      case "Activation":
        steps.push((x) => activate(x, act));
        break;
      default:
        return null;
    }
  }
  if (pendingPad) return null;
  return { forward: (x) => steps.reduce((h, step) => step(h), x), logits };
}

/** The trainable weights of a model as the variables an optimiser updates (frozen layers left out). */
export function trainableVariables(fn: string, model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => {
    const v = w.read();
    if (!(v instanceof tf.Variable)) throw new Error(`${fn}: weight ${w.name} is not a variable`);
    return v;
  });
}

/** The result of one step on a batch: summed loss, right answers, and the gradients written into `grads`. */
export interface StepResult {
  /** Mean loss over the batch, times `scale`. */
  loss: number;
  /** Examples of the batch classified right. */
  correct: number;
}

/** Forward, loss and gradients for batches of a model; weights read and written as one flat Float32Array. */
export class GradientStep {
  readonly variables: tf.Variable[];
  readonly size: number;
  private readonly fn: ModelFunction | null;
  private readonly offsets: number[];

  constructor(
    private readonly model: tf.LayersModel,
    private readonly classes: number,
  ) {
    this.variables = trainableVariables("train.fit", model);
    this.fn = modelFunction(model);
    this.offsets = [];
    let at = 0;
    for (const v of this.variables) {
      this.offsets.push(at);
      at += v.size;
    }
    this.size = at;
  }

  /** True when the model runs as plain ops (and can run in workers); false when it goes through `model.apply`. */
  get compiled(): boolean {
    return this.fn !== null;
  }

  /** The current weights, concatenated in the order of `variables`. */
  readWeights(into: Float32Array = new Float32Array(this.size)): Float32Array {
    this.variables.forEach((v, i) => into.set(v.dataSync(), this.offsets[i]));
    return into;
  }

  /**
   * Put new weights into the model's variables, by assign: each gets new numbers under a new id. Writing
   * them in place would be faster, but the wasm backend keeps XNNPACK's packing of a product's or a
   * convolution's weights under the tensor's id, and would go on using the old weights (tested).
   */
  writeWeights(weights: Float32Array): void {
    this.variables.forEach((v, i) => {
      const t = tf.tensor(weights.subarray(this.offsets[i], this.offsets[i] + v.size), v.shape, "float32");
      v.assign(t);
      t.dispose();
    });
  }

  /** One batch of `count` examples: gradients of the mean loss times `scale` written into `grads`. */
  run(
    x: Float32Array,
    shape: number[],
    oneHot: Float32Array,
    labels: ArrayLike<number>,
    count: number,
    grads: Float32Array,
    scale: number,
  ): StepResult {
    const input = tf.tensor(x, [count, ...shape], "float32");
    // The one-hot labels as a tensor, for the losses that take one (the logits' own op reads the array).
    const target = this.fn?.logits ? null : tf.tensor2d(oneHot, [count, this.classes], "float32");
    const kept: { out?: tf.Tensor } = {};
    const { value, grads: g } = tf.variableGrads(() => {
      let out: tf.Tensor;
      if (this.fn) out = this.fn.forward(input);
      else {
        const y = this.model.apply(input, { training: true });
        if (!(y instanceof tf.Tensor)) throw new Error(`train.fit: model ${this.model.name} must have one output`);
        out = y;
      }
      const loss = target ? crossEntropy(target, out) : softmaxCrossEntropy(oneHot, out);
      kept.out = tf.keep(out);
      return loss;
    }, this.variables);
    const loss = value.dataSync()[0] * scale;
    const out = kept.out;
    if (!out) throw new Error("train.fit: the step gave no output");
    const correct = countCorrect(out.dataSync(), labels, this.classes);
    const backend = tf.backend();
    this.variables.forEach((v, i) => {
      const grad = g[v.name];
      if (!grad) throw new Error(`train.fit: no gradient for weight ${v.name}`);
      // On wasm, read the gradient where it lies (dataSync would copy it into a new array first).
      const values = backend instanceof BackendWasm && grad.dtype === "float32" ? backend.typedArrayFromHeap(grad) : grad.dataSync();
      const at = this.offsets[i];
      if (scale === 1) grads.set(values, at);
      else for (let k = 0; k < values.length; k++) grads[at + k] = values[k] * scale;
    });
    tf.dispose([input, value, out, ...Object.values(g)]);
    target?.dispose();
    return { loss, correct };
  }
}

/**
 * The mean cross-entropy of softmax(z) against the labels y (one row per example), as one op whose
 * gradient is written out: L = (1/n) Σ over rows of Σ_c y_c·(log Σ_k e^{z_k} − z_c), and
 * ∂L/∂z_c = (p_c·Σ_k y_k − y_c) / n with p = softmax(z). The logits are [n, classes], so the sums run in
 * plain JavaScript (in double precision); tf.losses.softmaxCrossEntropy takes about twenty kernels.
 */
export function softmaxCrossEntropy(labels: Float32Array, logits: tf.Tensor): tf.Scalar {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const z = args[0];
    if (!(z instanceof tf.Tensor)) throw new Error("train.fit: the loss op takes the logits");
    const values = z.dataSync();
    const classes = z.shape[z.shape.length - 1] ?? 1;
    const n = values.length / classes;
    const grad = new Float32Array(values.length);
    let total = 0;
    for (let row = 0; row < n; row++) {
      const at = row * classes;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, values[at + c]);
      let sum = 0;
      let weight = 0; // Σ y_c: 1 for one-hot labels
      for (let c = 0; c < classes; c++) {
        sum += Math.exp(values[at + c] - max);
        weight += labels[at + c];
      }
      const logSum = Math.log(sum) + max;
      for (let c = 0; c < classes; c++) {
        total += labels[at + c] * (logSum - values[at + c]);
        grad[at + c] = (Math.exp(values[at + c] - logSum) * weight - labels[at + c]) / n;
      }
    }
    return { value: tf.scalar(total / n), gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.tensor(grad, z.shape, "float32")) };
  });
  return op(logits) as tf.Scalar;
}

/** Cross-entropy of predicted probabilities against one-hot labels, averaged over the batch. */
export function crossEntropy(oneHot: tf.Tensor, probabilities: tf.Tensor): tf.Scalar {
  return tf.mean(tf.metrics.categoricalCrossentropy(oneHot, probabilities));
}

/** How many rows of `scores` ([n, classes]) put their largest value on the right label. */
export function countCorrect(scores: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  let correct = 0;
  for (let k = 0; k < labels.length; k++) {
    if (argmax(scores, k * classes, classes) === labels[k]) correct++;
  }
  return correct;
}

export function argmax(values: ArrayLike<number>, from: number, length: number): number {
  let best = 0;
  for (let c = 1; c < length; c++) if (values[from + c] > values[from + best]) best = c;
  return best;
}
