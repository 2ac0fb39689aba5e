// Training a TensorFlow.js model by hand (lectures 001, 002): shuffle the examples, cut them into
// batches, and for each batch run forward, measure the loss, back-propagate, update the weights.
// Every number repeats from run to run: the order of the examples comes from a seeded generator.
import { tf } from "../tf";
import type { MnistData } from "../datasets";
import { seededRandom, type Random } from "../random";

/** Labelled examples: example i is `x[i·size .. (i+1)·size)` with `size` = product of `shape`, its class `y[i]` — 09-training-lenet-mnist. */
export interface Examples {
  x: Float32Array;
  y: Uint8Array;
  /** The shape of one example, e.g. [28, 28, 1]. */
  shape: number[];
  count: number;
}

/** Changes a batch of examples in place before training on it (data augmentation) — 10-when-cnns-fail. */
export type Augment = (x: Float32Array, shape: number[], count: number, random: Random) => void;

/** Where training is, after each batch: running loss and accuracy of the epoch, speed and time left — 09-training-lenet-mnist. */
export interface TrainProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  batchSize: number;
  /** Mean loss over the batches of this epoch so far. */
  loss: number;
  /** Fraction of this epoch's training examples classified right so far. */
  accuracy: number;
  seconds: number;
  imagesPerSecond: number;
  etaSeconds: number;
}

/** One finished epoch: training loss and accuracy, and test ones when test examples were given — 09-training-lenet-mnist. */
export interface EpochResult {
  epoch: number;
  loss: number;
  accuracy: number;
  testLoss?: number;
  testAccuracy?: number;
  seconds: number;
}

/** Options of `fit` — 09-training-lenet-mnist. */
export interface FitOptions {
  epochs: number;
  /** Examples per batch (default 64). */
  batchSize?: number;
  /** Adam's learning rate (default 0.001). */
  learningRate?: number;
  /** The learning rate is multiplied by this after every epoch (default 1: constant). */
  decay?: number;
  /** Seed of the shuffling (default 0). */
  seed?: number;
  /** Evaluated after every epoch. */
  test?: Examples;
  augment?: Augment;
  onBatch?: (progress: TrainProgress) => void;
  onEpoch?: (result: EpochResult) => void;
}

/** MNIST digits as examples for a conv net: pixels 0–255 scaled to 0–1, shape [28, 28, 1] — 09-training-lenet-mnist. */
export function mnistExamples(data: MnistData): Examples {
  const [count, rows, cols] = data.shape;
  if (data.images.length !== count * rows * cols || data.labels.length !== count) {
    throw new Error(`mnistExamples: data holds ${data.images.length} pixels and ${data.labels.length} labels, expected ${count * rows * cols} and ${count}`);
  }
  return { x: Float32Array.from(data.images, (v) => v / 255), y: Uint8Array.from(data.labels), shape: [rows, cols, 1], count };
}

/** Mean and standard deviation of all the numbers in the examples (every pixel of every image) — 09-training-lenet-mnist. */
export function pixelStats(examples: Examples): { mean: number; std: number } {
  exampleSize("pixelStats", examples);
  const n = examples.x.length;
  if (n === 0) throw new Error("pixelStats: examples are empty");
  let sum = 0;
  for (let i = 0; i < n; i++) sum += examples.x[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (examples.x[i] - mean) ** 2;
  return { mean, std: Math.sqrt(squares / n) };
}

/** Every number times `factor`; with 1/std the pixels spread by 1 and the background stays 0 — 09-training-lenet-mnist. */
export function scaleExamples(examples: Examples, factor: number): Examples {
  if (!Number.isFinite(factor) || factor <= 0) throw new Error(`scaleExamples: factor must be a positive number, got ${factor}`);
  exampleSize("scaleExamples", examples);
  return { x: examples.x.map((v) => v * factor), y: examples.y, shape: [...examples.shape], count: examples.count };
}

/** The examples at `indices`, copied into a new Examples — 10-when-cnns-fail. */
export function selectExamples(examples: Examples, indices: ArrayLike<number>): Examples {
  const size = exampleSize("selectExamples", examples);
  const x = new Float32Array(indices.length * size);
  const y = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= examples.count) {
      throw new Error(`selectExamples: index ${i} is outside 0..${examples.count - 1}`);
    }
    x.set(examples.x.subarray(i * size, (i + 1) * size), k * size);
    y[k] = examples.y[i];
  }
  return { x, y, shape: [...examples.shape], count: indices.length };
}

function exampleSize(fn: string, examples: Examples): number {
  const size = examples.shape.reduce((a, b) => a * b, 1);
  if (examples.x.length !== examples.count * size || examples.y.length !== examples.count) {
    throw new Error(`${fn}: examples hold ${examples.x.length} numbers and ${examples.y.length} labels, expected ${examples.count * size} and ${examples.count}`);
  }
  return size;
}

function positiveInteger(fn: string, arg: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new Error(`${fn}: ${arg} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** A random order of 0 … n − 1 (Fisher–Yates with a seeded generator). */
function shuffled(n: number, random: Random): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The model's class probabilities for a batch, as one tensor. */
function forward(fn: string, model: tf.LayersModel, x: tf.Tensor, training: boolean): tf.Tensor {
  const out = model.apply(x, { training });
  if (!(out instanceof tf.Tensor)) throw new Error(`${fn}: model ${model.name} must have one output`);
  return out;
}

/** Cross-entropy of predicted probabilities against one-hot labels, averaged over the batch. */
function crossEntropy(oneHot: tf.Tensor, probabilities: tf.Tensor): tf.Scalar {
  return tf.mean(tf.metrics.categoricalCrossentropy(oneHot, probabilities));
}

/** Copy examples `order[start … start + size)` into a batch: inputs [size, ...shape] and one-hot labels [size, classes]. */
function makeBatch(examples: Examples, order: ArrayLike<number>, start: number, size: number, classes: number): { x: Float32Array; oneHot: Float32Array; labels: Uint8Array } {
  const each = exampleSize("fit", examples);
  const x = new Float32Array(size * each);
  const oneHot = new Float32Array(size * classes);
  const labels = new Uint8Array(size);
  for (let k = 0; k < size; k++) {
    const i = order[start + k];
    x.set(examples.x.subarray(i * each, (i + 1) * each), k * each);
    labels[k] = examples.y[i];
    oneHot[k * classes + examples.y[i]] = 1;
  }
  return { x, oneHot, labels };
}

/** How many rows of `probabilities` ([n, classes]) put their largest value on the right label. */
function countCorrect(probabilities: Float32Array | Int32Array | Uint8Array, labels: Uint8Array, classes: number): number {
  let correct = 0;
  for (let k = 0; k < labels.length; k++) {
    if (argmax(probabilities, k * classes, classes) === labels[k]) correct++;
  }
  return correct;
}

function argmax(values: ArrayLike<number>, from: number, length: number): number {
  let best = 0;
  for (let c = 1; c < length; c++) if (values[from + c] > values[from + best]) best = c;
  return best;
}

function classesOf(fn: string, model: tf.LayersModel): number {
  const shape = model.outputs[0]?.shape;
  const classes = shape?.[shape.length - 1];
  if (typeof classes !== "number" || shape.length !== 2) throw new Error(`${fn}: model ${model.name} must output [batch, classes], got ${String(shape)}`);
  return classes;
}

/** The trainable weights of a model as the variables an optimiser updates (frozen layers left out). */
function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => {
    const v = w.read();
    if (!(v instanceof tf.Variable)) throw new Error(`fit: weight ${w.name} is not a variable`);
    return v;
  });
}

/** Adam whose learning rate can be lowered between epochs. */
class Adam extends tf.AdamOptimizer {
  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }
}

/** Yield to the event loop, so that progress output reaches the notebook while training runs. */
function breathe(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Train `model` with Adam on cross-entropy, batch by batch, reporting progress; returns one result per epoch — 09-training-lenet-mnist. */
export async function fit(model: tf.LayersModel, train: Examples, options: FitOptions): Promise<EpochResult[]> {
  const fn = "fit";
  const epochs = positiveInteger(fn, "epochs", options.epochs);
  const batchSize = positiveInteger(fn, "batchSize", options.batchSize ?? 64);
  const learningRate = options.learningRate ?? 0.001;
  if (!(learningRate > 0)) throw new Error(`${fn}: learningRate must be positive, got ${learningRate}`);
  const decay = options.decay ?? 1;
  if (!(decay > 0 && decay <= 1)) throw new Error(`${fn}: decay must be in (0, 1], got ${decay}`);
  exampleSize(fn, train);
  const batches = Math.floor(train.count / batchSize);
  if (batches < 1) throw new Error(`${fn}: ${train.count} examples do not fill one batch of ${batchSize}`);
  const classes = classesOf(fn, model);
  const random = seededRandom(options.seed ?? 0);
  const variables = trainableVariables(model);
  if (variables.length === 0) throw new Error(`${fn}: model ${model.name} has no trainable weights`);
  const optimizer = new Adam(learningRate, 0.9, 0.999);
  const history: EpochResult[] = [];
  const start = performance.now();
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = performance.now();
      optimizer.setLearningRate(learningRate * decay ** (epoch - 1));
      const order = shuffled(train.count, random);
      let lossSum = 0;
      let correct = 0;
      for (let batch = 1; batch <= batches; batch++) {
        const data = makeBatch(train, order, (batch - 1) * batchSize, batchSize, classes);
        if (options.augment) options.augment(data.x, train.shape, batchSize, random);
        const x = tf.tensor(data.x, [batchSize, ...train.shape]);
        const oneHot = tf.tensor2d(data.oneHot, [batchSize, classes]);
        const kept: { probabilities?: tf.Tensor } = {};
        // Forward and loss inside minimize: it back-propagates from the loss and takes one Adam step.
        const loss = optimizer.minimize(() => {
          const p = forward(fn, model, x, true);
          kept.probabilities = tf.keep(p);
          return crossEntropy(oneHot, p);
        }, true, variables);
        if (!loss || !kept.probabilities) throw new Error(`${fn}: the optimiser returned no loss`);
        lossSum += loss.dataSync()[0];
        correct += countCorrect(kept.probabilities.dataSync(), data.labels, classes);
        tf.dispose([x, oneHot, loss, kept.probabilities]);

        const seconds = (performance.now() - start) / 1000;
        const done = (epoch - 1) * batches + batch;
        options.onBatch?.({
          epoch, epochs, batch, batches, batchSize, seconds,
          loss: lossSum / batch,
          accuracy: correct / (batch * batchSize),
          imagesPerSecond: (done * batchSize) / seconds,
          etaSeconds: ((epochs * batches - done) * seconds) / done,
        });
        await breathe();
      }
      const result: EpochResult = { epoch, loss: lossSum / batches, accuracy: correct / (batches * batchSize), seconds: (performance.now() - epochStart) / 1000 };
      if (options.test) {
        const tested = evaluate(model, options.test);
        result.testLoss = tested.loss;
        result.testAccuracy = tested.accuracy;
      }
      history.push(result);
      options.onEpoch?.(result);
      await breathe();
    }
  } finally {
    optimizer.dispose();
  }
  return history;
}

/** A model's verdict on examples: mean loss, accuracy, and the predicted class of each — 09-training-lenet-mnist. */
export interface Evaluation {
  loss: number;
  accuracy: number;
  predictions: Uint8Array;
  /** Probability of the predicted class, per example. */
  confidence: Float32Array;
}

/** Run `model` on all examples (in batches of 500) and score it — 09-training-lenet-mnist. */
export function evaluate(model: tf.LayersModel, examples: Examples, options: { batchSize?: number } = {}): Evaluation {
  const fn = "evaluate";
  const size = exampleSize(fn, examples);
  const batchSize = positiveInteger(fn, "batchSize", options.batchSize ?? 500);
  const classes = classesOf(fn, model);
  const predictions = new Uint8Array(examples.count);
  const confidence = new Float32Array(examples.count);
  let lossSum = 0;
  let correct = 0;
  for (let from = 0; from < examples.count; from += batchSize) {
    const n = Math.min(batchSize, examples.count - from);
    const probabilities = tf.tidy(() => forward(fn, model, tf.tensor(examples.x.subarray(from * size, (from + n) * size), [n, ...examples.shape]), false));
    const p = probabilities.dataSync();
    probabilities.dispose();
    for (let k = 0; k < n; k++) {
      const label = examples.y[from + k];
      const guess = argmax(p, k * classes, classes);
      predictions[from + k] = guess;
      confidence[from + k] = p[k * classes + guess];
      if (guess === label) correct++;
      lossSum -= Math.log(Math.min(Math.max(p[k * classes + label], 1e-7), 1 - 1e-7));
    }
  }
  return { loss: lossSum / examples.count, accuracy: correct / examples.count, predictions, confidence };
}

/** Counts[true][predicted] over examples: row = the real digit, column = the model's answer — 09-training-lenet-mnist. */
export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes = 10): number[][] {
  if (labels.length !== predictions.length) {
    throw new Error(`confusionMatrix: ${labels.length} labels but ${predictions.length} predictions`);
  }
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i];
    const p = predictions[i];
    if (!Number.isInteger(t) || t < 0 || t >= classes || !Number.isInteger(p) || p < 0 || p >= classes) {
      throw new Error(`confusionMatrix: example ${i} has label ${t} and prediction ${p}, expected classes 0..${classes - 1}`);
    }
    counts[t][p]++;
  }
  return counts;
}

