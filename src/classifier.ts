// A small fully-connected classifier in TensorFlow.js with dropout and L2, and a training loop that lets
// the optimiser be chosen (SGD, momentum, Adam) — for notebook 12's comparisons. (`fit` of notebook 09
// always uses Adam and no penalty; this loop adds ½λ‖W‖² of every kernel to the loss.)
import { tf } from "./tf";
import { seededRandom } from "./random";
import type { Examples } from "./train/fit";
import { describe, knownOptions, positiveInteger } from "./args";
import { examplesOf, readArgs } from "./guard";
import { earlyStopping } from "./early-stopping";

/** Options of `tfClassifier` — 12-generalisation-and-hyperparameters. */
export interface ClassifierOptions {
  inputSize: number;
  /** Units of each hidden layer, e.g. [256]. */
  hidden: number[];
  classes: number;
  /** Dropout rate after each hidden layer (default 0: none). */
  dropout?: number;
  seed?: number;
}

/** input → (dense ReLU → dropout) per hidden layer → softmax, with seeded Glorot-uniform weights — 12-generalisation-and-hyperparameters. */
export function tfClassifier(options: ClassifierOptions): tf.Sequential {
  const fn = "train.classifier";
  readArgs(fn, () => knownOptions(fn, options, ["inputSize", "hidden", "classes", "dropout", "seed"], { required: true }));
  const inputSize = positiveInteger(fn, "inputSize", options.inputSize);
  if (!Array.isArray(options.hidden)) throw new Error(`${fn}: hidden must be a list of layer sizes, got ${describe(options.hidden)}`);
  options.hidden.forEach((u, i) => positiveInteger(fn, `hidden[${i}]`, u));
  const classes = positiveInteger(fn, "classes", options.classes);
  const rate = options.dropout ?? 0;
  if (!(rate >= 0 && rate < 1)) throw new Error(`${fn}: dropout must be a rate in [0, 1), got ${describe(options.dropout)}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`${fn}: seed must be an integer, got ${describe(seed)}`);
  const net = tf.sequential({ name: `classifier_${seed}` });
  options.hidden.forEach((units, i) => {
    net.add(
      tf.layers.dense({
        units,
        activation: "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 100 + i }),
        ...(i === 0 ? { inputShape: [inputSize] } : {}),
      }),
    );
    if (rate > 0) net.add(tf.layers.dropout({ rate, seed: seed * 100 + 50 + i }));
  });
  net.add(
    tf.layers.dense({
      units: classes,
      activation: "softmax",
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 100 + 99 }),
      ...(options.hidden.length === 0 ? { inputShape: [inputSize] } : {}),
    }),
  );
  return net;
}

/** Options of `trainClassifier` — 12-generalisation-and-hyperparameters. */
export interface TrainClassifierOptions {
  optimiser: "sgd" | "momentum" | "adam";
  learningRate: number;
  epochs: number;
  batchSize?: number;
  /** λ of the penalty ½λ‖W‖² over every kernel (default 0). */
  l2?: number;
  seed?: number;
  /** Scored after every epoch (loss and accuracy, evaluation mode). */
  validation?: Examples;
  /**
   * Early stopping (needs `validation`): stop once the validation loss has not improved for `patience` epochs
   * (`train.earlyStopping`), and give the model back the weights of its best epoch.
   */
  patience?: number;
}

/** One epoch of `trainClassifier`: the mean training loss (without the penalty), and the validation scores — 12-generalisation-and-hyperparameters. */
export interface ClassifierEpoch {
  epoch: number;
  loss: number;
  validationLoss?: number;
  validationAccuracy?: number;
}

function makeOptimizer(kind: string, lr: number): tf.Optimizer {
  if (kind === "sgd") return tf.train.sgd(lr);
  if (kind === "momentum") return tf.train.momentum(lr, 0.9);
  if (kind === "adam") return tf.train.adam(lr);
  throw new Error(`train.withOptimiser: optimiser must be "sgd", "momentum" or "adam", got ${kind}`);
}

/** Cross-entropy and accuracy of a classifier on examples, in evaluation mode (no dropout) — 12-generalisation-and-hyperparameters. */
export function scoreClassifier(model: tf.LayersModel, examples: Examples): { loss: number; accuracy: number } {
  if (!(model instanceof tf.LayersModel)) throw new Error(`train.score: model must be a TensorFlow.js model`);
  examples = readArgs("train.score", () => examplesOf("train.score", "examples", examples));
  const size = examples.shape.reduce((a, b) => a * b, 1);
  return tf.tidy(() => {
    const x = tf.tensor2d(examples.x, [examples.count, size]);
    const out = model.apply(x, { training: false });
    if (!(out instanceof tf.Tensor)) throw new Error("train.score: the model must have one output");
    const labels = tf.tensor1d(Array.from(examples.y), "int32");
    const oneHot = tf.oneHot(labels, out.shape[1] ?? 0);
    const loss = tf.mean(tf.metrics.categoricalCrossentropy(oneHot, out)).dataSync()[0];
    const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(out, 1), labels), "float32")).dataSync()[0];
    return { loss, accuracy };
  });
}

/** Mini-batch training with a chosen optimiser and an optional L2 penalty; seeded order — 12-generalisation-and-hyperparameters. */
export function trainClassifier(model: tf.LayersModel, train: Examples, options: TrainClassifierOptions): ClassifierEpoch[] {
  const fn = "train.withOptimiser";
  if (!(model instanceof tf.LayersModel)) throw new Error(`${fn}: model must be a TensorFlow.js model`);
  train = readArgs(fn, () => examplesOf(fn, "train", train));
  readArgs(fn, () =>
    knownOptions(fn, options, ["optimiser", "learningRate", "epochs", "batchSize", "l2", "seed", "validation", "patience"], {
      required: true,
    }),
  );
  if (options.validation !== undefined) readArgs(fn, () => examplesOf(fn, "validation", options.validation));
  const patience = options.patience === undefined ? undefined : positiveInteger(fn, "patience", options.patience);
  if (patience !== undefined && options.validation === undefined)
    throw new Error(`${fn}: patience needs a validation set to watch (options.validation)`);
  const epochs = positiveInteger(fn, "epochs", options.epochs);
  const batchSize = positiveInteger(fn, "batchSize", options.batchSize ?? 32);
  if (!(options.learningRate > 0)) throw new Error(`${fn}: learningRate must be positive, got ${describe(options.learningRate)}`);
  const l2 = options.l2 ?? 0;
  if (!(l2 >= 0)) throw new Error(`${fn}: l2 must be a number ≥ 0, got ${describe(options.l2)}`);
  const size = train.shape.reduce((a, b) => a * b, 1);
  if (train.x.length !== train.count * size)
    throw new Error(`${fn}: train holds ${train.x.length} numbers, expected ${train.count * size}`);
  const batches = Math.floor(train.count / batchSize);
  if (batches < 1) throw new Error(`${fn}: ${train.count} examples do not fill one batch of ${batchSize}`);
  const optimizer = makeOptimizer(options.optimiser, options.learningRate);
  const random = seededRandom(options.seed ?? 0);
  const variables = model.trainableWeights.map((w) => {
    const v = w.read();
    if (!(v instanceof tf.Variable)) throw new Error(`${fn}: weight ${w.name} is not a variable`);
    return v;
  });
  const kernels = variables.filter((v, i) => model.trainableWeights[i].name.includes("kernel"));
  const classes = model.outputs[0].shape[1] ?? 0;
  const history: ClassifierEpoch[] = [];
  // Early stopping keeps a copy of the weights of the best epoch so far.
  let bestWeights: tf.Tensor[] = [];
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const order = Array.from({ length: train.count }, (_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = random.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      let lossSum = 0;
      for (let b = 0; b < batches; b++) {
        const xb = new Float32Array(batchSize * size);
        const yb = new Int32Array(batchSize);
        for (let k = 0; k < batchSize; k++) {
          const i = order[b * batchSize + k];
          xb.set(train.x.subarray(i * size, (i + 1) * size), k * size);
          yb[k] = train.y[i];
        }
        const data = tf.tidy(() => {
          const x = tf.tensor2d(xb, [batchSize, size]);
          const oneHot = tf.oneHot(tf.tensor1d(yb, "int32"), classes);
          let dataLoss = 0;
          optimizer.minimize(
            () => {
              const out = model.apply(x, { training: true });
              if (!(out instanceof tf.Tensor)) throw new Error(`${fn}: the model must have one output`);
              const ce = tf.mean(tf.metrics.categoricalCrossentropy(oneHot, out));
              dataLoss = ce.dataSync()[0];
              if (l2 === 0) return ce.asScalar();
              const penalty = kernels.reduce((sum: tf.Tensor, w) => tf.add(sum, tf.sum(tf.square(w))), tf.scalar(0));
              return tf.add(ce, tf.mul(0.5 * l2, penalty)).asScalar();
            },
            false,
            variables,
          );
          return dataLoss;
        });
        lossSum += data;
      }
      const result: ClassifierEpoch = { epoch, loss: lossSum / batches };
      if (options.validation) {
        const v = scoreClassifier(model, options.validation);
        result.validationLoss = v.loss;
        result.validationAccuracy = v.accuracy;
      }
      history.push(result);
      if (patience !== undefined) {
        // A diverged epoch (NaN or infinite loss) counts as no improvement.
        const losses = history.map((h) => (Number.isFinite(h.validationLoss) ? (h.validationLoss as number) : Number.MAX_VALUE));
        const { best, stop } = earlyStopping(losses, patience);
        if (best === epoch) {
          tf.dispose(bestWeights);
          bestWeights = variables.map((v) => tf.clone(v));
        }
        if (stop === epoch && epoch - best >= patience) break;
      }
    }
    if (bestWeights.length > 0) variables.forEach((v, i) => v.assign(bestWeights[i]));
  } finally {
    optimizer.dispose();
    tf.dispose(bestWeights);
  }
  return history;
}
