// When CNNs fail on purpose (lectures 004 and 000): gradients with respect to the INPUT image.
// Training asks "how should the weights change to lower the loss?"; these ask "how should the
// picture change?" — to raise the loss (an adversarial example) or to raise one class (model inversion).
import { tf } from "../tf";

/** What a model says about one image: its class, the probability of that class, and all probabilities — 10-when-cnns-fail. */
export interface Verdict {
  label: number;
  confidence: number;
  probabilities: number[];
}

function oneImage(fn: string, image: Float32Array, shape: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (image.length !== size) throw new Error(`${fn}: image has ${image.length} numbers, expected ${shape.join("×")} = ${size}`);
  return tf.tensor(image, [1, ...shape]);
}

function probabilitiesOf(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  const out = model.apply(x, { training: false });
  if (!(out instanceof tf.Tensor)) throw new Error(`model ${model.name} must have one output`);
  return out;
}

/** Run the model on one image of `shape` (e.g. [28, 28, 1]) — 10-when-cnns-fail. */
export function classify(model: tf.LayersModel, image: Float32Array, shape: number[]): Verdict {
  const p = tf.tidy(() => probabilitiesOf(model, oneImage("classify", image, shape)));
  const probabilities = Array.from(p.dataSync());
  p.dispose();
  const label = probabilities.indexOf(Math.max(...probabilities));
  return { label, confidence: probabilities[label], probabilities };
}

/** An adversarial example and the perturbation that made it — 10-when-cnns-fail. */
export interface Adversarial {
  image: Float32Array;
  /** ε · sign(∂loss/∂pixel), before clipping to 0–1. */
  perturbation: Float32Array;
}

/** Options of `fgsm`: the step ε per pixel, and the range pixels must stay in (default [0, 1]) — 10-when-cnns-fail. */
export interface FgsmOptions {
  epsilon: number;
  range?: [number, number];
}

/**
 * Fast gradient sign method (Goodfellow et al. 2015): move every pixel by ε in the direction that
 * raises the loss of the true `label`, x' = clip(x + ε · sign(∇ₓ loss), low, high) — 10-when-cnns-fail.
 */
export function fgsm(model: tf.LayersModel, image: Float32Array, shape: number[], label: number, options: FgsmOptions): Adversarial {
  const { epsilon, range = [0, 1] } = options;
  if (!(epsilon >= 0)) throw new Error(`fgsm: epsilon must be ≥ 0, got ${epsilon}`);
  if (!(range[0] < range[1])) throw new Error(`fgsm: range must be [low, high] with low < high, got [${range.join(", ")}]`);
  const classes = model.outputs[0]?.shape[1];
  if (typeof classes !== "number" || !Number.isInteger(label) || label < 0 || label >= classes) {
    throw new Error(`fgsm: label must be a class 0..${String((classes ?? 0) - 1)}, got ${label}`);
  }
  const [perturbation, adversarial] = tf.tidy(() => {
    const x = oneImage("fgsm", image, shape);
    const target = tf.oneHot(tf.tensor1d([label], "int32"), classes);
    const loss = (input: tf.Tensor) => tf.mean(tf.metrics.categoricalCrossentropy(target, probabilitiesOf(model, input)));
    const step = tf.mul(tf.sign(tf.grad(loss)(x)), epsilon);
    return [step, tf.clipByValue(tf.add(x, step), range[0], range[1])];
  });
  const result = { image: Float32Array.from(adversarial.dataSync()), perturbation: Float32Array.from(perturbation.dataSync()) };
  tf.dispose([perturbation, adversarial]);
  return result;
}

/** Options of `invertClass` — 10-when-cnns-fail. */
export interface InversionOptions {
  /** Gradient steps (default 200). */
  steps?: number;
  /** Step size (default 0.1). */
  learningRate?: number;
  /** Weight of the penalty λ·mean(x²) that keeps the image dark where the class does not need ink (default 0.1). */
  l2?: number;
  /** The range pixels stay in (default [0, 1]); the search starts from a black image. */
  range?: [number, number];
}

/**
 * Model inversion (lecture 000): start from a black image and climb the gradient of log p(class | x) − λ·mean(x²),
 * keeping pixels in 0–1; the result is what the network "thinks" the class looks like — 10-when-cnns-fail.
 */
export function invertClass(model: tf.LayersModel, target: number, shape: number[], options: InversionOptions = {}): Float32Array {
  const steps = options.steps ?? 200;
  const learningRate = options.learningRate ?? 0.1;
  const l2 = options.l2 ?? 0.1;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`invertClass: steps must be a positive integer, got ${steps}`);
  const classes = model.outputs[0]?.shape[1];
  if (typeof classes !== "number" || !Number.isInteger(target) || target < 0 || target >= classes) {
    throw new Error(`invertClass: target must be a class 0..${String((classes ?? 0) - 1)}, got ${target}`);
  }
  const objective = (x: tf.Tensor) =>
    tf.sub(tf.log(tf.add(tf.slice(probabilitiesOf(model, x), [0, target], [1, 1]).reshape([]), 1e-7)), tf.mul(tf.mean(tf.square(x)), l2));
  const gradient = tf.grad(objective);
  const [low, high] = options.range ?? [0, 1];
  let x = tf.fill([1, ...shape], low);
  for (let i = 0; i < steps; i++) {
    const next = tf.tidy(() => tf.clipByValue(tf.add(x, tf.mul(gradient(x), learningRate)), low, high));
    x.dispose();
    x = next;
  }
  const image = Float32Array.from(x.dataSync());
  x.dispose();
  return image;
}
