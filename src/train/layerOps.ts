// A conv or dense layer as one op: forward is the backend's fused kernel (convolution or product, + bias,
// activation in one pass), backward is lecture 002's bar notation written out:
//
//   z = x ⊛ W + b,   y = f(z)
//   z̄ = ȳ · f′(z)               (tanh: 1 − y², sigmoid: y·(1 − y), relu: 1 where y > 0)
//   W̄ = x ⋆ z̄,   b̄ = Σ z̄ over the batch and pixels,   x̄ = z̄ ⊛ᵀ W   (only when the layer below needs it)
//
// TensorFlow.js's fused kernels have no tanh; tanh(z) = 2σ(2z) − 1, so a tanh layer runs the fused
// sigmoid on 2W and 2b. The fast backend's kernels take tanh themselves (kernels/util.ts: activate).
// The first layer of a model gets `inputGradient: false`: nobody needs x̄ there, so it is not computed
// (tfjs-layers computes it, and for LeNet-5's C1 it is the costliest kernel of a step).
import { tf } from "../tf";
import { ACTIVATION_BIAS_GRAD } from "./kernels/activation";
import { ranks } from "./ranks";

/** The activations a fused layer op takes. */
export type LayerActivation = "linear" | "relu" | "tanh" | "sigmoid";

type ExplicitPad = [[0, 0], [number, number], [number, number], [0, 0]];

/** Options of a conv layer op (NHWC). */
export interface ConvOpOptions {
  strides: [number, number];
  pad: "valid" | "same" | ExplicitPad;
  dilations: [number, number];
  activation: LayerActivation;
  /** Compute x̄ (false for a model's first layer). */
  inputGradient: boolean;
}

/** Whether the current backend has the fast backend's kernels (ActivationBiasGrad is one of them; they fuse tanh too). */
function fastKernels(): boolean {
  return tf.getKernel(ACTIVATION_BIAS_GRAD, tf.getBackend()) !== undefined;
}

/** z̄ = ȳ · f′ written with the output y, and b̄ = Σ z̄ over all axes but the last (the channels) when asked. */
function activationBiasGrad(dy: tf.Tensor, y: tf.Tensor, activation: LayerActivation, bias: boolean): [tf.Tensor, tf.Tensor | null] {
  if (fastKernels()) {
    const out = tf.engine().runKernel(ACTIVATION_BIAS_GRAD, { dy, y }, { activation, bias });
    if (!Array.isArray(out) || out.length !== 2) throw new Error(`layer op: ${ACTIVATION_BIAS_GRAD} gave one tensor`);
    if (bias) return [out[0], out[1]];
    out[1].dispose();
    return [out[0], null];
  }
  const dz = activationGrad(dy, y, activation);
  const axes = dz.shape.slice(0, -1).map((_, i) => i);
  return [dz, bias ? tf.sum(dz, axes) : null];
}

/** z̄ = ȳ · f′ written with the output y, in plain ops (any backend). */
function activationGrad(dy: tf.Tensor, y: tf.Tensor, activation: LayerActivation): tf.Tensor {
  switch (activation) {
    case "linear":
      return dy;
    case "relu":
      return tf.mul(dy, tf.step(y));
    case "tanh":
      return tf.mul(dy, tf.sub(1, tf.square(y)));
    case "sigmoid":
      return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
  }
}

/** Forward through a fused kernel: `run(W', b', activation')`, with tanh as 2σ(2·) − 1 unless the fast backend's kernels take it. */
function fusedForward(
  w: tf.Tensor,
  b: tf.Tensor | undefined,
  activation: LayerActivation,
  run: (w: tf.Tensor, b: tf.Tensor | undefined, a: LayerActivation) => tf.Tensor,
): tf.Tensor {
  if (activation !== "tanh" || fastKernels()) return run(w, b, activation);
  return tf.tidy(() => tf.sub(tf.mul(run(tf.mul(w, 2), b ? tf.mul(b, 2) : undefined, "sigmoid"), 2), 1));
}

/** An op y = forward(inputs) whose gradients are `backward(ȳ, [x, W, y])`; inputs are [x, W] or [x, W, b]. */
function withGradient(
  inputs: tf.Tensor[],
  forward: (inputs: tf.Tensor[]) => tf.Tensor,
  backward: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[],
): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1];
    const tensors = args.filter((a): a is tf.Tensor => a instanceof tf.Tensor);
    if (typeof save !== "function" || tensors.length !== inputs.length) throw new Error("layer op: unexpected arguments");
    const y = forward(tensors);
    save([tensors[0], tensors[1], y]);
    return { value: y, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => backward(dy, saved) };
  });
  return op(...inputs);
}

/** Run a kernel directly (tf.fused.* would fall back to separate ops while gradients are recorded). */
function kernel(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor {
  const out = tf.engine().runKernel(name, inputs, attrs);
  if (!(out instanceof tf.Tensor)) throw new Error(`layer op: ${name} gave several tensors`);
  return out;
}

const { rank2, rank4 } = ranks("layer op");

/** Conv layer y = f(x ⊛ W + b) as one op with its own gradient — 09-training-lenet-mnist. */
export function convLayerOp(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D | undefined, options: ConvOpOptions): tf.Tensor4D {
  const { strides, dilations, activation, inputGradient } = options;
  // 'same' as explicit padding: the wasm convolution gets 'same' wrong with an even kernel and a stride (1×2 kernel, stride 2).
  const { padInfo } = tf.backend_util.computeConv2DInfo(x.shape, w.shape, strides, dilations, options.pad);
  const pad: ExplicitPad = [
    [0, 0],
    [padInfo.top, padInfo.bottom],
    [padInfo.left, padInfo.right],
    [0, 0],
  ];
  const forward = (xx: tf.Tensor4D, ww: tf.Tensor4D, bb: tf.Tensor | undefined): tf.Tensor4D =>
    rank4(
      fusedForward(ww, bb, activation, (w2, b2, a) =>
        kernel("FusedConv2D", b2 ? { x: xx, filter: w2, bias: b2 } : { x: xx, filter: w2 }, {
          strides,
          pad,
          dilations,
          dataFormat: "NHWC",
          activation: a,
        }),
      ),
    );
  const backward = (dy: tf.Tensor, xx: tf.Tensor4D, ww: tf.Tensor4D, y: tf.Tensor): tf.Tensor[] => {
    const [dz4, db] = activationBiasGrad(dy, y, activation, b !== undefined);
    const dz = rank4(dz4);
    const dx = inputGradient ? tf.conv2dTranspose(dz, ww, xx.shape, strides, pad) : tf.zerosLike(xx);
    const dw = tf
      .engine()
      .runKernel("Conv2DBackpropFilter", { x: xx, dy: dz }, { strides, pad, dataFormat: "NHWC", filterShape: ww.shape });
    if (!(dw instanceof tf.Tensor)) throw new Error("convLayerOp: Conv2DBackpropFilter gave several tensors");
    return db ? [dx, dw, db] : [dx, dw];
  };
  if (dilations[0] !== 1 || dilations[1] !== 1) throw new Error(`convLayerOp: dilations must be 1, got ${dilations.join("×")}`);
  return rank4(
    withGradient(
      b ? [x, w, b] : [x, w],
      (inputs) => forward(rank4(inputs[0]), rank4(inputs[1]), inputs[2]),
      (dy, saved) => backward(dy, rank4(saved[0]), rank4(saved[1]), saved[2]),
    ),
  );
}

/** Dense layer y = f(x · W + b) as one op with its own gradient — 09-training-lenet-mnist. */
export function denseLayerOp(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D | undefined,
  activation: LayerActivation,
  inputGradient: boolean,
): tf.Tensor2D {
  const forward = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor | undefined): tf.Tensor =>
    fusedForward(ww, bb, activation, (w2, b2, a) => {
      // The kernel multiplies batches of matrices: one batch of one.
      const [n, k] = rank2(xx).shape;
      const m = rank2(w2).shape[1];
      const [a3, b3] = [tf.reshape(xx, [1, n, k]), tf.reshape(w2, [1, k, m])];
      const y3 = kernel("_FusedMatMul", b2 ? { a: a3, b: b3, bias: b2 } : { a: a3, b: b3 }, {
        transposeA: false,
        transposeB: false,
        activation: a,
      });
      const y = tf.reshape(y3, [n, m]);
      tf.dispose([a3, b3, y3]);
      return y;
    });
  const backward = (dy: tf.Tensor, xx: tf.Tensor, ww: tf.Tensor, y: tf.Tensor): tf.Tensor[] => {
    const [dz2, db] = activationBiasGrad(dy, y, activation, b !== undefined);
    const dz = rank2(dz2);
    const dx = inputGradient ? tf.matMul(dz, rank2(ww), false, true) : tf.zerosLike(xx);
    const dw = tf.matMul(rank2(xx), dz, true, false);
    return db ? [dx, dw, db] : [dx, dw];
  };
  return rank2(
    withGradient(
      b ? [x, w, b] : [x, w],
      (inputs) => forward(inputs[0], inputs[1], inputs[2]),
      (dy, saved) => backward(dy, saved[0], saved[1], saved[2]),
    ),
  );
}
