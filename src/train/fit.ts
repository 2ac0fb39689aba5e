// Training a TensorFlow.js model by hand (lectures 001, 002): shuffle the examples, cut them into
// batches, and for each batch run forward, measure the loss, back-propagate, update the weights.
// Every number repeats from run to run: the order of the examples comes from a seeded generator.
import * as os from "os";
import { examplesArg, modelArg } from "./args";
import { describe as formatValue, fail, finite, integer, knownOptions, positiveInteger } from "../args";
import { tf } from "../tf";
import { checkMnistData, type MnistData } from "../datasets";
import { seededRandom, type Random } from "../random";
import { FlatAdam } from "./adam";
import { argmax, GradientStep } from "./step";
import { StepPool } from "./workers";

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
  /** Training speed of this epoch, measured: images per second (test evaluation not counted). */
  imagesPerSecond: number;
  /** Threads that trained (the `workers` option, or 1 for models that run through model.apply). */
  threads: number;
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
  /** Called after every epoch; when it returns a promise, training waits for it. */
  onEpoch?: (result: EpochResult) => void | Promise<void>;
  /** Threads that share each batch (default: 2 on a machine with 2 cores or more, else 1; 1 for models `fit` cannot copy into a worker). */
  workers?: number;
}

/** MNIST digits as examples for a conv net: pixels 0–255 scaled to 0–1, shape [28, 28, 1] — 09-training-lenet-mnist. */
export function mnistExamples(data: MnistData): Examples {
  checkMnistData("train.mnistExamples", data);
  const [count, rows, cols] = data.shape;
  return { x: Float32Array.from(data.images, (v) => v / 255), y: Uint8Array.from(data.labels), shape: [rows, cols, 1], count };
}

/** Mean and standard deviation of all the numbers in the examples (every pixel of every image) — 09-training-lenet-mnist. */
export function pixelStats(examples: Examples): { mean: number; std: number } {
  examplesArg("train.pixelStats", examples);
  exampleSize("train.pixelStats", examples);
  const n = examples.x.length;
  if (n === 0) throw new Error("train.pixelStats: examples are empty");
  let sum = 0;
  for (let i = 0; i < n; i++) sum += examples.x[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (examples.x[i] - mean) ** 2;
  return { mean, std: Math.sqrt(squares / n) };
}

/** Every number times `factor`; with 1/std the pixels spread by 1 and the background stays 0 — 09-training-lenet-mnist. */
export function scaleExamples(examples: Examples, factor: number): Examples {
  examplesArg("train.scaleExamples", examples);
  finite("train.scaleExamples", "factor", factor);
  if (!Number.isFinite(factor) || factor <= 0) throw new Error(`train.scaleExamples: factor must be a positive number, got ${factor}`);
  exampleSize("train.scaleExamples", examples);
  return { x: examples.x.map((v) => v * factor), y: examples.y, shape: [...examples.shape], count: examples.count };
}

/** The examples at `indices`, copied into a new Examples — 10-when-cnns-fail. */
export function selectExamples(examples: Examples, indices: ArrayLike<number>): Examples {
  examplesArg("train.selectExamples", examples);
  const size = exampleSize("train.selectExamples", examples);
  const x = new Float32Array(indices.length * size);
  const y = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= examples.count) {
      throw new Error(`train.selectExamples: index ${i} is outside 0..${examples.count - 1}`);
    }
    x.set(examples.x.subarray(i * size, (i + 1) * size), k * size);
    y[k] = examples.y[i];
  }
  return { x, y, shape: [...examples.shape], count: indices.length };
}

function exampleSize(fn: string, examples: Examples): number {
  const size = examples.shape.reduce((a, b) => a * b, 1);
  if (examples.x.length !== examples.count * size || examples.y.length !== examples.count) {
    throw new Error(
      `${fn}: examples hold ${examples.x.length} numbers and ${examples.y.length} labels, expected ${examples.count * size} and ${examples.count}`,
    );
  }
  return size;
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

/** Copy examples `order[start … start + size)` into a batch: inputs [size, ...shape] and one-hot labels [size, classes]. */
function makeBatch(
  examples: Examples,
  order: ArrayLike<number>,
  start: number,
  size: number,
  classes: number,
): { x: Float32Array; oneHot: Float32Array; labels: Uint8Array } {
  const each = exampleSize("train.fit", examples);
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

function classesOf(fn: string, model: tf.LayersModel): number {
  const shape = model.outputs[0]?.shape;
  const classes = shape?.[shape.length - 1];
  if (typeof classes !== "number" || shape.length !== 2)
    throw new Error(`${fn}: model ${model.name} must output [batch, classes], got ${formatValue(shape)}`);
  return classes;
}

/** Threads `fit` trains on by default: 2 when the machine has 2 cores or more (more threads share a batch of 64 too thinly). */
function defaultWorkers(): number {
  return Math.min(2, os.availableParallelism());
}

/** Yield to the event loop, so that progress output reaches the notebook while training runs. */
function breathe(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const FIT_KEYS = ["epochs", "batchSize", "learningRate", "decay", "seed", "test", "augment", "onBatch", "onEpoch", "workers"] as const;

/** Train `model` with Adam on cross-entropy, batch by batch, reporting progress; returns one result per epoch — 09-training-lenet-mnist. */
export async function fit(model: tf.LayersModel, train: Examples, options: FitOptions): Promise<EpochResult[]> {
  const fn = "train.fit";
  if (!(model instanceof tf.LayersModel)) fail(fn, "model", "a TensorFlow.js model (tf.LayersModel)", model);
  examplesArg(fn, train, "train");
  if (options.test !== undefined) examplesArg(fn, options.test, "test");
  knownOptions(fn, options, FIT_KEYS, { required: true });
  const epochs = integer(fn, "epochs", options.epochs, { min: 1, max: 10_000 });
  const batchSize = positiveInteger(fn, "batchSize", options.batchSize ?? 64);
  // Adam's steps are about learningRate in size: above 10 every weight leaves the range where a float is useful.
  const learningRate = finite(fn, "learningRate", options.learningRate ?? 0.001, { min: Number.MIN_VALUE, max: 10 });
  const decay = finite(fn, "decay", options.decay ?? 1, { min: Number.MIN_VALUE, max: 1 });
  if (options.seed !== undefined) integer(fn, "seed", options.seed, { min: 0, max: 2 ** 31 - 1 });
  for (const hook of ["augment", "onBatch", "onEpoch"] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== "function") fail(fn, hook, "a function", options[hook]);
  }
  exampleSize(fn, train);
  const batches = Math.floor(train.count / batchSize);
  if (batches < 1) throw new Error(`${fn}: ${train.count} examples do not fill one batch of ${batchSize}`);
  const classes = classesOf(fn, model);
  const workers = positiveInteger(fn, "workers", options.workers ?? defaultWorkers());
  const random = seededRandom(options.seed ?? 0);
  const step = new GradientStep(model, classes);
  if (step.variables.length === 0) throw new Error(`${fn}: model ${model.name} has no trainable weights`);
  // Several threads only for models made of plain ops (a worker rebuilds them from their layers).
  const pool =
    workers > 1 && step.compiled ? await StepPool.start(model, step, classes, train.shape, batchSize, Math.min(workers, batchSize)) : null;
  const weights = pool ? pool.weights : step.readWeights();
  const grads = new Float32Array(step.size);
  const optimizer = new FlatAdam(step.size, learningRate, 0.9, 0.999);
  const history: EpochResult[] = [];
  const start = performance.now();
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = performance.now();
      optimizer.learningRate = learningRate * decay ** (epoch - 1);
      const order = shuffled(train.count, random);
      let lossSum = 0;
      let correct = 0;
      for (let batch = 1; batch <= batches; batch++) {
        const data = makeBatch(train, order, (batch - 1) * batchSize, batchSize, classes);
        if (options.augment) options.augment(data.x, train.shape, batchSize, random);
        // Forward, loss and back-propagation (on all threads), then one Adam step on the summed gradient.
        const result = pool
          ? await pool.run(data.x, data.oneHot, data.labels, batchSize, grads)
          : step.run(data.x, train.shape, data.oneHot, data.labels, batchSize, grads, 1);
        optimizer.step(weights, grads);
        step.writeWeights(weights);
        lossSum += result.loss;
        correct += result.correct;

        const seconds = (performance.now() - start) / 1000;
        const done = (epoch - 1) * batches + batch;
        options.onBatch?.({
          epoch,
          epochs,
          batch,
          batches,
          batchSize,
          seconds,
          loss: lossSum / batch,
          accuracy: correct / (batch * batchSize),
          imagesPerSecond: (done * batchSize) / seconds,
          etaSeconds: ((epochs * batches - done) * seconds) / done,
        });
        await breathe();
      }
      const seconds = (performance.now() - epochStart) / 1000;
      const result: EpochResult = {
        epoch,
        loss: lossSum / batches,
        accuracy: correct / (batches * batchSize),
        seconds,
        imagesPerSecond: (batches * batchSize) / seconds,
        threads: pool ? pool.threads : 1,
      };
      if (options.test) {
        const tested = evaluate(model, options.test);
        result.testLoss = tested.loss;
        result.testAccuracy = tested.accuracy;
      }
      history.push(result);
      await options.onEpoch?.(result);
      await breathe();
    }
  } finally {
    pool?.close();
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
  modelArg("train.evaluate", model);
  examplesArg("train.evaluate", examples);
  knownOptions("train.evaluate", options, ["batchSize"]);
  const fn = "train.evaluate";
  const size = exampleSize(fn, examples);
  const batchSize = positiveInteger(fn, "batchSize", options.batchSize ?? 500);
  const classes = classesOf(fn, model);
  const predictions = new Uint8Array(examples.count);
  const confidence = new Float32Array(examples.count);
  let lossSum = 0;
  let correct = 0;
  for (let from = 0; from < examples.count; from += batchSize) {
    const n = Math.min(batchSize, examples.count - from);
    const probabilities = tf.tidy(() =>
      forward(fn, model, tf.tensor(examples.x.subarray(from * size, (from + n) * size), [n, ...examples.shape]), false),
    );
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
  const fn = "train.confusionMatrix";
  integer(fn, "classes", classes, { min: 1, max: 10_000 });
  const arrayLike = (x: unknown): boolean => Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
  if (!arrayLike(labels)) fail(fn, "labels", "an array of class numbers", labels);
  if (!arrayLike(predictions)) fail(fn, "predictions", "an array of class numbers", predictions);
  if (labels.length !== predictions.length) {
    throw new Error(`train.confusionMatrix: ${labels.length} labels but ${predictions.length} predictions`);
  }
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i];
    const p = predictions[i];
    if (!Number.isInteger(t) || t < 0 || t >= classes || !Number.isInteger(p) || p < 0 || p >= classes) {
      throw new Error(`train.confusionMatrix: example ${i} has label ${t} and prediction ${p}, expected classes 0..${classes - 1}`);
    }
    counts[t][p]++;
  }
  return counts;
}
