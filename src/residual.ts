// Residual connections (lecture 001, ResNet): the shortcut y = F(x) + x, in the bar engine and as a
// TensorFlow.js model. In bar notation the shortcut is a fan-out of x: x̄ = ȳ (through the shortcut)
// + ȳ ∂F/∂x (through the branch), so the error signal reaches x even when the branch's is tiny.
import { Tensor, add } from "./autodiff";
import type { NameLike } from "./autodiff";
import { tf } from "./tf";
import { describe, knownOptions, positiveInteger } from "./args";

/** y = F(x) + x: the branch's output plus the block's input (same shape); x̄ gets ȳ directly — 11-training-deep-networks. */
export function shortcut(branch: Tensor, x: Tensor, name?: NameLike): Tensor {
  if (!(branch instanceof Tensor)) throw new Error(`resnet.shortcut: branch must be a Tensor (F(x)), got ${describe(branch)}`);
  if (!(x instanceof Tensor)) throw new Error(`resnet.shortcut: x must be a Tensor, got ${describe(x)}`);
  if (branch.shapeText() !== x.shapeText()) {
    throw new Error(
      `resnet.shortcut: branch F(x) is ${branch.shapeText()} but x is ${x.shapeText()}; a shortcut adds tensors of the same shape`,
    );
  }
  return add(branch, x, name);
}

/** y = F(x) + x with the branch given as a function of x — 11-training-deep-networks. */
export function residual(x: Tensor, branch: (x: Tensor) => Tensor, name?: NameLike): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`resnet.block: x must be a Tensor, got ${describe(x)}`);
  if (typeof branch !== "function") throw new Error(`resnet.block: branch must be a function x => F(x), got ${describe(branch)}`);
  const fx = branch(x);
  if (!(fx instanceof Tensor) || fx.shapeText() !== x.shapeText())
    throw new Error(`resnet.block: branch must give a Tensor of x's shape (${x.shapeText()}), got ${describe(fx)}`);
  return shortcut(fx, x, name);
}

/** Options of `denseStack`: a deep fully-connected classifier, plain or with shortcuts — 11-training-deep-networks. */
export interface DenseStackOptions {
  /** Size of one input example (784 for a flattened MNIST digit). */
  inputSize: number;
  /** Units of every hidden layer. */
  width: number;
  /** Number of hidden layers. */
  depth: number;
  classes: number;
  activation?: "relu" | "sigmoid" | "tanh";
  /** Add a shortcut around every hidden layer after the first (default false). */
  residual?: boolean;
  seed?: number;
}

/** The one symbolic output of a layer applied while building a model. */
function symbolic(layer: string, out: unknown): tf.SymbolicTensor {
  if (out instanceof tf.SymbolicTensor) return out;
  throw new Error(`resnet.denseStack: layer ${layer} did not give one symbolic tensor`);
}

/**
 * A TensorFlow.js model: input → dense(width) → depth − 1 hidden layers (each h ← g(Wh + b), or with
 * residual h ← h + g(Wh + b)) → softmax over the classes; seeded Glorot-uniform weights — 11-training-deep-networks.
 */
export function denseStack(options: DenseStackOptions): tf.LayersModel {
  const fn = "resnet.denseStack";
  knownOptions(fn, options, ["inputSize", "width", "depth", "classes", "activation", "residual", "seed"], { required: true });
  const inputSize = positiveInteger(fn, "inputSize", options.inputSize);
  const width = positiveInteger(fn, "width", options.width);
  const depth = positiveInteger(fn, "depth", options.depth);
  const classes = positiveInteger(fn, "classes", options.classes);
  const activation = options.activation ?? "relu";
  if (!["relu", "sigmoid", "tanh"].includes(activation))
    throw new Error(`${fn}: activation must be "relu", "sigmoid" or "tanh", got ${describe(activation)}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`${fn}: seed must be an integer, got ${describe(seed)}`);
  const init = (i: number) => tf.initializers.glorotUniform({ seed: seed * 1000 + i });
  const x = tf.input({ shape: [inputSize] });
  let h = symbolic("hidden1", tf.layers.dense({ units: width, activation, kernelInitializer: init(0), name: "hidden1" }).apply(x));
  for (let l = 2; l <= depth; l++) {
    const g = symbolic(
      `hidden${l}`,
      tf.layers.dense({ units: width, activation, kernelInitializer: init(l), name: `hidden${l}` }).apply(h),
    );
    h = options.residual ? symbolic(`shortcut${l}`, tf.layers.add({ name: `shortcut${l}` }).apply([h, g])) : g;
  }
  const y = symbolic(
    "output",
    tf.layers.dense({ units: classes, activation: "softmax", kernelInitializer: init(depth + 1), name: "output" }).apply(h),
  );
  return tf.model({ inputs: x, outputs: y, name: `${options.residual ? "resnet.block" : "plain"}_${depth}` });
}
