// A kernel of the course's own for a layer's activation, on the native module (assembly/kernels.ts).
// It has no stock TensorFlow.js equivalent; `layerOps` uses it on the wasm backend and writes the
// same maths as plain ops on any other.
//
// ActivationBiasGrad: z̄ = ȳ · f′(z) written with the output y, and b̄ = Σ z̄ over everything but the
// channel axis, in one pass (four separate ops before: 2.1 vs 0.6 ms for LeNet-5's C1, side by side).
import { tf } from "../../tf";
import { ACTIVATION_CODES, address, nativeKernels } from "../native";
import { expectShape, input, wasmBackend, type TensorInfo } from "./util";
import { describe } from "../../args";

export const ACTIVATION_BIAS_GRAD = "ActivationBiasGrad";

function activationBiasGrad({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): TensorInfo[] {
  const wasm = wasmBackend(ACTIVATION_BIAS_GRAD, backend);
  const dy = input(ACTIVATION_BIAS_GRAD, inputs, "dy");
  const y = input(ACTIVATION_BIAS_GRAD, inputs, "y");
  expectShape(ACTIVATION_BIAS_GRAD, "y", y, dy.shape);
  const activation = attrs?.activation;
  if (typeof activation !== "string" || !Object.hasOwn(ACTIVATION_CODES, activation))
    throw new Error(`${ACTIVATION_BIAS_GRAD}: attribute activation must be linear, relu, tanh or sigmoid, got ${describe(activation)}`);
  const withBias = attrs?.bias === true;
  const channels = dy.shape.length > 0 ? dy.shape[dy.shape.length - 1] : 1;
  const count = dy.shape.reduce((a, b) => a * b, 1);
  const dz = wasm.makeOutput(dy.shape, "float32");
  const db = wasm.makeOutput([withBias ? channels : 0], "float32");
  nativeKernels(wasm).activationGrad(
    ACTIVATION_CODES[activation as keyof typeof ACTIVATION_CODES],
    address(wasm, dy),
    address(wasm, y),
    address(wasm, dz),
    address(wasm, db),
    channels > 0 ? count / channels : 0,
    channels,
    withBias ? 1 : 0,
  );
  return [dz, db];
}

/** z̄ = ȳ·f′ and b̄ = Σ z̄ per channel in one native pass, on wasm — 09-training-lenet-mnist. */
export const activationBiasGradKernel: tf.KernelConfig = {
  kernelName: ACTIVATION_BIAS_GRAD,
  backendName: "wasm",
  kernelFunc: activationBiasGrad,
};
