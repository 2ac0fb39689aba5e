// When CNNs fail on purpose (lectures 004 and 000): gradients with respect to the INPUT image.
// Training asks "how should the weights change to lower the loss?"; these ask "how should the
// picture change?" — to raise the loss (an adversarial example) or to raise one class (model inversion).
import { finite, knownOptions } from "../args";
import { examplesArg, imageArg, modelArg } from "./args";
import { tf } from "../tf";
import type { Examples } from "./fit";

/** What a model says about one image: its class, the probability of that class, and all probabilities — 10-when-cnns-fail. */
export interface Verdict {
  label: number;
  confidence: number;
  probabilities: number[];
}

function probabilitiesOf(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  const out = model.apply(x, { training: false });
  if (!(out instanceof tf.Tensor)) throw new Error(`model ${model.name} must have one output`);
  return out;
}

function classCount(fn: string, model: tf.LayersModel): number {
  const classes = model.outputs[0]?.shape[1];
  if (typeof classes !== "number") throw new Error(`${fn}: model ${model.name} must output [batch, classes]`);
  return classes;
}

function checkClass(fn: string, arg: string, label: number, classes: number): void {
  if (!Number.isInteger(label) || label < 0 || label >= classes)
    throw new Error(`${fn}: ${arg} must be a class 0..${classes - 1}, got ${label}`);
}

/** Run the model on one image of `shape` (e.g. [28, 28, 1]) — 10-when-cnns-fail. */
export function classify(model: tf.LayersModel, image: Float32Array, shape: number[]): Verdict {
  modelArg("attacks.classify", model);
  imageArg("attacks.classify", image, shape);
  const size = shape.reduce((a, b) => a * b, 1);
  if (image.length !== size) throw new Error(`attacks.classify: image has ${image.length} numbers, expected ${shape.join("×")} = ${size}`);
  const p = tf.tidy(() => probabilitiesOf(model, tf.tensor(image, [1, ...shape])));
  const probabilities = Array.from(p.dataSync());
  p.dispose();
  const label = probabilities.indexOf(Math.max(...probabilities));
  return { label, confidence: probabilities[label], probabilities };
}

/** ∂loss/∂pixel for every pixel of every example: how each pixel should change to raise the cross-entropy of its true label — 10-when-cnns-fail. */
export function inputGradient(model: tf.LayersModel, examples: Examples): Float32Array {
  modelArg("attacks.inputGradient", model);
  examplesArg("attacks.inputGradient", examples);
  const classes = classCount("attacks.inputGradient", model);
  examples.y.forEach((label, i) => checkClass("attacks.inputGradient", `label of example ${i}`, label, classes));
  const gradient = tf.tidy(() => {
    const x = tf.tensor(examples.x, [examples.count, ...examples.shape]);
    const target = tf.oneHot(tf.tensor1d(Int32Array.from(examples.y), "int32"), classes);
    // The summed loss: each example's gradient is its own, as if alone.
    const loss = (input: tf.Tensor) => tf.sum(tf.metrics.categoricalCrossentropy(target, probabilitiesOf(model, input)));
    return tf.grad(loss)(x);
  });
  const values = Float32Array.from(gradient.dataSync());
  gradient.dispose();
  return values;
}

/** Options of `fgsm`: the step ε per pixel, and the range pixels must stay in (default [0, 1]) — 10-when-cnns-fail. */
export interface FgsmOptions {
  epsilon: number;
  range?: [number, number];
}

/** Adversarial examples and the perturbation ε · sign(gradient) that made them — 10-when-cnns-fail. */
export interface Adversarial {
  examples: Examples;
  perturbation: Float32Array;
}

/**
 * Fast gradient sign method (Goodfellow et al. 2015): move every pixel by ε in the direction that
 * raises the loss of the true label, x' = clip(x + ε · sign(∂loss/∂x), low, high) — 10-when-cnns-fail.
 */
export function fgsm(model: tf.LayersModel, examples: Examples, options: FgsmOptions): Adversarial {
  modelArg("attacks.fgsm", model);
  examplesArg("attacks.fgsm", examples);
  knownOptions("attacks.fgsm", options, ["epsilon", "range"], { required: true });
  finite("attacks.fgsm", "epsilon", options.epsilon, { min: 0, max: 1 });
  const { epsilon, range = [0, 1] } = options;
  if (!(epsilon >= 0)) throw new Error(`attacks.fgsm: epsilon must be ≥ 0, got ${epsilon}`);
  if (!(range[0] < range[1])) throw new Error(`attacks.fgsm: range must be [low, high] with low < high, got [${range.join(", ")}]`);
  const gradient = inputGradient(model, examples);
  const perturbation = gradient.map((g) => epsilon * Math.sign(g));
  const x = examples.x.map((v, i) => Math.min(range[1], Math.max(range[0], v + perturbation[i])));
  return { examples: { x, y: examples.y, shape: [...examples.shape], count: examples.count }, perturbation };
}

/** Options of `invertClasses` — 10-when-cnns-fail. */
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
 * Model inversion (lecture 000): for each target class, start from a black image and climb the gradient of
 * log p(class | x) − λ·mean(x²), keeping pixels in range; the result is an input the network is sure
 * belongs to that class — 10-when-cnns-fail.
 */
export function invertClasses(model: tf.LayersModel, targets: number[], shape: number[], options: InversionOptions = {}): Float32Array[] {
  modelArg("attacks.invertClasses", model);
  const fn = "attacks.invertClasses";
  knownOptions(fn, options, ["steps", "learningRate", "l2", "range"]);
  const steps = options.steps ?? 200;
  const learningRate = options.learningRate ?? 0.1;
  const l2 = options.l2 ?? 0.1;
  const [low, high] = options.range ?? [0, 1];
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`${fn}: steps must be a positive integer, got ${steps}`);
  if (!(low < high)) throw new Error(`${fn}: range must be [low, high] with low < high, got [${low}, ${high}]`);
  const classes = classCount(fn, model);
  if (targets.length === 0) throw new Error(`${fn}: targets must name at least one class`);
  targets.forEach((t, i) => checkClass(fn, `targets[${i}]`, t, classes));
  const mask = tf.oneHot(tf.tensor1d(targets, "int32"), classes);
  // Each image's objective depends on that image only, so one gradient of the sum serves them all.
  const objective = (x: tf.Tensor) =>
    tf.sub(
      tf.sum(tf.log(tf.add(tf.sum(tf.mul(probabilitiesOf(model, x), mask), 1), 1e-7))),
      tf.mul(tf.mean(tf.square(x)), l2 * targets.length),
    );
  const gradient = tf.grad(objective);
  let x = tf.fill([targets.length, ...shape], low);
  for (let i = 0; i < steps; i++) {
    const next = tf.tidy(() => tf.clipByValue(tf.add(x, tf.mul(gradient(x), learningRate)), low, high));
    x.dispose();
    x = next;
  }
  const values = x.dataSync();
  const size = shape.reduce((a, b) => a * b, 1);
  const images = targets.map((_, i) => Float32Array.from(values.subarray(i * size, (i + 1) * size)));
  tf.dispose([x, mask]);
  return images;
}
