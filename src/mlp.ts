// A small multi-layer perceptron built from the scalar autodiff engine (lecture 002):
// neurons z = Σⱼ wⱼ xⱼ + b followed by an activation g(z), layers of neurons, a list of
// parameters, zeroGrad, and training by plain gradient descent.
import { Name, Scalar, affine, input, mean, mse, param, relu, sigmoid, sign, softmaxCrossEntropy, tanh, zeroGrad } from "./autodiff";
import { describe as formatValue, fail, integer, knownOptions, oneOf, readable } from "./args";
import { checkName } from "./autodiff-node";
import { Random, seededRandom } from "./random";
import { activationNames, type ActivationName } from "./activations";

/** The activation g applied after a neuron's weighted sum: the library's one activation list — 02-ffnn-xor. */
export type MLPActivation = ActivationName;

/** The loss a network is trained on: mean squared error, or softmax cross-entropy — 02-ffnn-xor. */
export type MLPLoss = "mse" | "crossEntropy";

/** Options of an MLP: activations, seed, and the range of the initial weights — 02-ffnn-xor. */
export interface MLPOptions {
  /** Activation of the hidden layers (default "relu"). */
  activation?: MLPActivation;
  /** Activation of the output layer (default "linear"). */
  output?: MLPActivation;
  /** Seed of the random initialisation (default 1). */
  seed?: number;
  /** Initial weights are drawn uniformly from [−scale, scale] (default 1). */
  scale?: number;
  /** The value every bias starts at (default 0). */
  bias?: number;
}

const ACTIVATIONS = activationNames;

/** g(z) for the chosen activation, as an engine operation — 02-ffnn-xor. */
export function applyActivation(z: Scalar, activation: MLPActivation, name?: string): Scalar {
  if (!(z instanceof Scalar)) fail("mlp.applyActivation", "z", "a Scalar (a node of dl.autodiff)", z);
  oneOf("mlp.applyActivation", "activation", activation, ACTIVATIONS);
  checkName("mlp.applyActivation", name);
  switch (activation) {
    case "relu":
      return relu(z, name);
    case "sigmoid":
      return sigmoid(z, name);
    case "tanh":
      return tanh(z, name);
    case "sign":
      return sign(z, name);
    case "linear":
      return z;
  }
  throw new Error(`mlp.applyActivation: activation must be one of ${ACTIVATIONS.join(", ")}, got ${formatValue(activation)}`);
}

const SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹";
const SUBSCRIPT = "₀₁₂₃₄₅₆₇₈₉";
function digits(n: number, table: string): string {
  return String(n).replace(/[0-9]/g, (d) => table[Number(d)]);
}

/** One neuron: weights w, bias b, activation g; forward computes g(Σⱼ wⱼ xⱼ + b) — 02-ffnn-xor. */
export class Neuron {
  readonly w: Scalar[];
  readonly b: Scalar;
  readonly activation: MLPActivation;

  /** `layer` and `index` only name the parameters, e.g. w⁽¹⁾₂₁ (neuron 2 of layer 1, input 1). */
  constructor(nIn: number, activation: MLPActivation, random: Random, init: { scale: number; bias: number }, layer = 1, index = 1) {
    const sup = `⁽${digits(layer, SUPERSCRIPT)}⁾`;
    this.w = Array.from({ length: nIn }, (_, j) =>
      param(random.uniform(-init.scale, init.scale), {
        text: `w${sup}${digits(index, SUBSCRIPT)}${digits(j + 1, SUBSCRIPT)}`,
        tex: `w^{(${layer})}_{${index}${j + 1}}`,
      }),
    );
    this.b = param(init.bias, { text: `b${sup}${digits(index, SUBSCRIPT)}`, tex: `b^{(${layer})}_{${index}}` });
    this.activation = activation;
  }

  forward(x: Scalar[]): Scalar {
    if (!Array.isArray(x) || x.length !== this.w.length || !x.every((v) => v instanceof Scalar)) {
      throw new Error(`mlp.Neuron.forward: x must be ${this.w.length} engine scalars, got ${formatValue(x)}`);
    }
    return applyActivation(affine(this.w, x, this.b), this.activation);
  }

  parameters(): Scalar[] {
    return [...this.w, this.b];
  }
}

/** A layer of neurons that all read the same inputs — 02-ffnn-xor. */
export class Layer {
  readonly neurons: Neuron[];

  constructor(nIn: number, nOut: number, activation: MLPActivation, random: Random, init: { scale: number; bias: number }, layer = 1) {
    this.neurons = Array.from({ length: nOut }, (_, i) => new Neuron(nIn, activation, random, init, layer, i + 1));
  }

  forward(x: Scalar[]): Scalar[] {
    return this.neurons.map((n) => n.forward(x));
  }

  parameters(): Scalar[] {
    return this.neurons.flatMap((n) => n.parameters());
  }
}

/** A fully-connected feed-forward network, e.g. new MLP([2, 2, 1]) for XOR — 02-ffnn-xor. */
export class MLP {
  readonly sizes: number[];
  readonly layers: Layer[];
  private readonly inputNames: Name[];

  constructor(sizes: number[], options: MLPOptions = {}) {
    // Every weight is a graph node (lecture-sized networks): at most 1,000 units a layer and 20 layers.
    knownOptions("mlp.MLP", options, ["activation", "output", "seed", "scale", "bias"]);
    const sizesOk = readable(
      "mlp.MLP",
      "sizes",
      sizes,
      "a list of layer sizes",
      () =>
        Array.isArray(sizes) && sizes.length >= 2 && sizes.length <= 20 && sizes.every((n) => Number.isInteger(n) && n >= 1 && n <= 1000),
    );
    if (!sizesOk) {
      throw new Error(`mlp.MLP: sizes must list 2 to 20 integers from 1 to 1000 (inputs, …, outputs), got ${formatValue(sizes)}`);
    }
    const hidden = options.activation ?? "relu";
    const output = options.output ?? "linear";
    for (const [arg, a] of [
      ["activation", hidden],
      ["output", output],
    ] as const) {
      if (!ACTIVATIONS.includes(a)) throw new Error(`mlp.MLP: ${arg} must be one of ${ACTIVATIONS.join(", ")}, got ${formatValue(a)}`);
    }
    const scale = options.scale ?? 1;
    if (typeof scale !== "number" || !(scale > 0) || !Number.isFinite(scale)) {
      throw new Error(`mlp.MLP: scale must be a positive number, got ${formatValue(scale)}`);
    }
    const bias = options.bias ?? 0;
    if (typeof bias !== "number" || !Number.isFinite(bias))
      throw new Error(`mlp.MLP: bias must be a finite number, got ${formatValue(bias)}`);
    const random = seededRandom(integer("mlp.MLP", "seed", options.seed ?? 1, { min: 0, max: 2 ** 31 - 1 }));
    this.sizes = sizes.slice();
    this.inputNames = Array.from({ length: sizes[0] }, (_, j) => ({ text: `x${digits(j + 1, SUBSCRIPT)}`, tex: `x_{${j + 1}}` }));
    this.layers = sizes
      .slice(1)
      .map((nOut, l) => new Layer(sizes[l], nOut, l === sizes.length - 2 ? output : hidden, random, { scale, bias }, l + 1));
  }

  /** The outputs for one input vector, as graph nodes ready for a loss and backward(). */
  forward(x: Array<number | Scalar>): Scalar[] {
    if (!Array.isArray(x) || x.length !== this.sizes[0]) {
      throw new Error(`mlp.MLP.forward: expected ${this.sizes[0]} inputs, got ${Array.isArray(x) ? x.length : formatValue(x)}`);
    }
    const bad = x.findIndex((v) => !(v instanceof Scalar) && !(typeof v === "number" && Number.isFinite(v)));
    if (bad >= 0) throw new Error(`mlp.MLP.forward: x[${bad}] must be a finite number or an engine scalar, got ${formatValue(x[bad])}`);
    let h: Scalar[] = x.map((v, j) => (v instanceof Scalar ? v : input(v, this.inputNames[j])));
    for (const layer of this.layers) h = layer.forward(h);
    return h;
  }

  /** The outputs as plain numbers. */
  predict(x: number[]): number[] {
    return this.forward(x).map((y) => y.value);
  }

  /** Every weight and bias, layer by layer. */
  parameters(): Scalar[] {
    return this.layers.flatMap((l) => l.parameters());
  }

  /** Sets every parameter's bar to 0 before the next backward(). */
  zeroGrad(): void {
    zeroGrad(this.parameters());
  }
}

function checkData(fn: string, model: MLP, X: number[][], T: number[][]): void {
  if (!(model instanceof MLP)) throw new Error(`${fn}: model must be an MLP, got ${formatValue(model)}`);
  if (!Array.isArray(X) || !Array.isArray(T) || X.length === 0 || X.length !== T.length) {
    throw new Error(
      `${fn}: X and T must be non-empty lists of the same length, got ${Array.isArray(X) ? X.length : "?"} inputs and ${Array.isArray(T) ? T.length : "?"} targets`,
    );
  }
  const nOut = model.sizes[model.sizes.length - 1];
  T.forEach((t, i) => {
    if (!Array.isArray(t) || t.length !== nOut)
      throw new Error(`${fn}: T[${i}] must have ${nOut} entries (one per output), got ${formatValue(t)}`);
  });
}

/** The loss of the model over a whole data set, as one graph node: mse over every output, or mean cross-entropy — 02-ffnn-xor. */
export function datasetLoss(model: MLP, X: number[][], T: number[][], loss: MLPLoss = "mse"): Scalar {
  checkData("mlp.datasetLoss", model, X, T);
  const outputs = X.map((x) => model.forward(x));
  if (loss === "mse") return mse(outputs.flat(), T.flat(), "J");
  if (loss === "crossEntropy")
    return mean(
      outputs.map((y, i) => softmaxCrossEntropy(y, T[i])),
      "J",
    );
  throw new Error(`mlp.datasetLoss: loss must be "mse" or "crossEntropy", got ${formatValue(loss)}`);
}

/** Options of `train`: learning rate, number of steps, loss, early stop, progress callback — 02-ffnn-xor. */
export interface MLPTrainOptions {
  lr: number;
  steps: number;
  loss?: MLPLoss;
  /** Stop as soon as the loss is below this value. */
  stopBelow?: number;
  /** Called after every `every`-th step (default 1) with the step number and the loss. */
  onStep?: (step: number, loss: number) => void;
  every?: number;
}

/** Gradient descent: forward, zeroGrad, backward, then θ ← θ − lr · θ̄ for every parameter; returns the losses — 02-ffnn-xor. */
export function trainMLP(model: MLP, X: number[][], T: number[][], options: MLPTrainOptions): number[] {
  checkData("mlp.train", model, X, T);
  knownOptions("mlp.train", options, ["lr", "steps", "loss", "stopBelow", "onStep", "every"], { required: true });
  const { lr, steps } = options;
  if (typeof lr !== "number" || !(lr > 0) || !Number.isFinite(lr))
    throw new Error(`mlp.train: lr must be a positive number, got ${formatValue(lr)}`);
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`mlp.train: steps must be an integer ≥ 0, got ${formatValue(steps)}`);
  const every = options.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new Error(`mlp.train: every must be a positive integer, got ${formatValue(every)}`);
  const params = model.parameters();
  const losses: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const J = datasetLoss(model, X, T, options.loss ?? "mse");
    losses.push(J.value);
    const done = options.stopBelow !== undefined && J.value < options.stopBelow;
    if (!done) {
      zeroGrad(params);
      J.backward();
      for (const p of params) p.value -= lr * p.bar;
    }
    if (options.onStep && (step % every === 0 || step === steps || done)) options.onStep(step, J.value);
    if (done) break;
  }
  return losses;
}
