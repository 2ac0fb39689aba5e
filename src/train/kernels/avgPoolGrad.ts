// AvgPoolGrad for wasm: average pooling shares each output's error signal equally among its window.
//
//   dx[n, r, c, d] += dy[n, i, j, d] / (window height · window width)   for every pixel (r, c) of window (i, j)
//
// One pass over dy in the course's native kernel `avgPoolGrad` (assembly/kernels.ts), in the backend's
// memory: the stock kernel is slower, and so was the broadcast product this file used before (1.8 vs
// 0.9 ms for LeNet-5's S2 gradient, measured side by side here).
import { tf } from "../../tf";
import { address, nativeKernels, windowGeometry } from "../native";
import { expectShape, input, pairAttr, padAttr, shape4, wasmBackend, type TensorInfo } from "./util";

const NAME = "AvgPoolGrad";

function avgPoolGrad({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const wasm = wasmBackend(NAME, backend);
  const dy = input(NAME, inputs, "dy");
  const x = input(NAME, inputs, "input");
  const info = tf.backend_util.computePool2DInfo(
    shape4(NAME, "input", x.shape),
    pairAttr(NAME, attrs, "filterSize"),
    pairAttr(NAME, attrs, "strides"),
    1,
    padAttr(NAME, attrs),
  );
  expectShape(NAME, "dy", dy, [info.batchSize, info.outHeight, info.outWidth, info.inChannels]);
  const out = wasm.makeOutput(x.shape, "float32");
  nativeKernels(wasm).avgPoolGrad(address(wasm, dy), address(wasm, out), ...windowGeometry(info));
  return out;
}

/** The wasm AvgPoolGrad kernel: one native pass over the error signal — 09-training-lenet-mnist. */
export const avgPoolGradKernel: tf.KernelConfig = { kernelName: NAME, backendName: "wasm", kernelFunc: avgPoolGrad };
