// The fast CPU training backend: TensorFlow.js's wasm backend (XNNPACK, SIMD) plus the kernels that
// training a conv net needs and that it lacks or runs slowly, some of them loops of the course's own
// WebAssembly module (assembly/kernels.ts). No native download, nothing printed.
import { tf } from "../tf";
import { BackendWasm } from "@tensorflow/tfjs-backend-wasm"; // registers the 'wasm' backend; its .wasm files load from node_modules
import { nativeKernels } from "./native";
import { activationBiasGradKernel } from "./kernels/activation";
import { avgPoolGradKernel } from "./kernels/avgPoolGrad";
import { batchMatMulKernel, fusedMatMulKernel } from "./kernels/batchMatMul";
import { conv2dBackpropFilterKernel } from "./kernels/conv2dBackpropFilter";
import { conv2dBackpropInputKernel } from "./kernels/conv2dBackpropInput";
import { identityKernel } from "./kernels/identity";
import { maxPoolGradKernel } from "./kernels/maxPoolGrad";
import { padV2Kernel } from "./kernels/padV2";
import { samePaddingKernels } from "./kernels/samePadding";
import { sliceKernel } from "./kernels/slice";
import { tanhKernel } from "./kernels/tanh";
import { keepStockKernel } from "./kernels/util";

/** The kernels `useFastBackend` registers for 'wasm', each tested equal to the `cpu` kernel — 09-training-lenet-mnist. */
export const fastKernels: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterKernel, // missing in wasm: conv nets could not train at all
  conv2dBackpropInputKernel, // stock: a pixel-by-pixel loop
  avgPoolGradKernel,
  maxPoolGradKernel,
  tanhKernel,
  sliceKernel, // stock: copies the whole input to take a batch
  identityKernel, // stock: copies every tensor a gradient keeps
  padV2Kernel,
  batchMatMulKernel, // stock: slow with transposed operands, and repacks B at every step
  fusedMatMulKernel, // stock: repacks B (the weights) at every step
  ...samePaddingKernels, // stock: wrong 'same' padding for an even kernel with a stride
  activationBiasGradKernel, // the course's own: a layer's z̄ and b̄ in one pass
];

function registerFastKernels(): void {
  for (const kernel of fastKernels) {
    const current = tf.getKernel(kernel.kernelName, "wasm");
    if (current === kernel) continue;
    if (current) {
      keepStockKernel(current);
      tf.unregisterKernel(kernel.kernelName, "wasm");
    }
    tf.registerKernel(kernel);
  }
}

/** Train on the CPU fast: switch TensorFlow.js to wasm with the custom kernels; returns the backend name — 09-training-lenet-mnist. */
export async function useFastBackend(): Promise<string> {
  // The stock kernels must be set up by the backend before ours replace them (ours fall back to them).
  if (!(await tf.setBackend("wasm"))) throw new Error("train.useFastBackend: the wasm backend failed to start");
  await tf.ready();
  const backend = tf.backend();
  if (!(backend instanceof BackendWasm)) throw new Error("train.useFastBackend: the wasm backend did not start");
  nativeKernels(backend); // fails now, naming the file, if dist/native.wasm is missing
  registerFastKernels();
  return tf.getBackend();
}
