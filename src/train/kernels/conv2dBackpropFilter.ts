// Conv2DBackpropFilter for wasm: the gradient of a convolution with respect to its kernel (the wasm
// backend has no such kernel; tfjs issue 8474).
//
//   dW[i, j, c, k] = Σ over images n and output cells (r, s) of  x[n, r·stride + i − pad, s·stride + j − pad, c] · dy[n, r, s, k]
//
// Three ways to compute it, each the faster where it is used:
//
// - A kernel that covers the whole input (LeNet-5's C5, a 1×1 output), channels last: W̄ = xᵀ · dy,
//   one matrix product (batchMatMul.ts).
// - Otherwise channels last (C1, C3): the course's native loop `convFilter` (channels.ts), the product
//   Pᵀ · dy with the patches P read straight from x, which takes dy as it comes (the backend's product
//   would repack it).
// - Otherwise (channels first, a dilation, a patch of fewer than 4 numbers), read the right-hand side
//   as a convolution: the input channels c play the batch, the images n play the channels, and dy is
//   the kernel, its taps `stride` pixels apart (dilation).
import { tf } from "../../tf";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { channelsCase, filterGradChannels } from "./channels";
import { coversWholeInput } from "./batchMatMul";
import {
  dataFormatAttr,
  expectShape,
  free,
  input,
  padAttr,
  pairAttr,
  roundingAttr,
  run,
  shape4,
  wasmBackend,
  type TensorInfo,
} from "./util";

const NAME = "Conv2DBackpropFilter";

/** W̄ = xᵀ · dy for a kernel that covers the whole input: x as [n, h·w·c], dy as [n, k] (the same numbers, reshaped). */
function wholeInput(wasm: BackendWasm, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outChannels } = info;
  const rows = run("Reshape", wasm, { x }, { shape: [1, batchSize, inHeight * inWidth * inChannels] });
  const errors = run("Reshape", wasm, { x: dy }, { shape: [1, batchSize, outChannels] });
  const product = run("BatchMatMul", wasm, { a: rows, b: errors }, { transposeA: true, transposeB: false });
  free(wasm, rows, errors);
  const dW = run("Reshape", wasm, { x: product }, { shape: info.filterShape });
  free(wasm, product);
  return dW;
}

function conv2dBackpropFilter({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const wasm = wasmBackend(NAME, backend);
  const x = input(NAME, inputs, "x");
  const dy = input(NAME, inputs, "dy");
  const format = dataFormatAttr(NAME, attrs);
  const info = tf.backend_util.computeConv2DInfo(
    shape4(NAME, "x", x.shape),
    shape4(NAME, "filterShape", attrs?.filterShape),
    pairAttr(NAME, attrs, "strides"),
    1,
    padAttr(NAME, attrs),
    roundingAttr(NAME, attrs),
    false,
    tf.backend_util.convertConv2DDataFormat(format),
  );
  expectShape(NAME, "dy", dy, info.outShape);
  if (coversWholeInput(info, format)) return wholeInput(wasm, x, dy, info);
  if (channelsCase(info, format, "filter")) return filterGradChannels(wasm, x, dy, info);
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;

  // Images become channels, input channels become the batch: x → [c, h, w, n], dy → [r, s, n, k].
  const xT = run("Transpose", wasm, { x }, { perm: format === "NHWC" ? [3, 1, 2, 0] : [1, 2, 3, 0] });
  const dyT = run("Transpose", wasm, { x: dy }, { perm: format === "NHWC" ? [1, 2, 0, 3] : [2, 3, 0, 1] });

  // Pad top and left as the forward pass did; bottom and right just enough for filterHeight × filterWidth outputs.
  const bottom = filterHeight + (info.outHeight - 1) * strideHeight - info.inHeight - padInfo.top;
  const right = filterWidth + (info.outWidth - 1) * strideWidth - info.inWidth - padInfo.left;
  const dW = run(
    "Conv2D",
    wasm,
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      dilations: [strideHeight, strideWidth],
      pad: [
        [0, 0],
        [padInfo.top, Math.max(bottom, 0)],
        [padInfo.left, Math.max(right, 0)],
        [0, 0],
      ],
      dataFormat: "NHWC",
    },
  );
  free(wasm, xT, dyT);

  // When the forward pass never reached the last rows or columns, the result has extra ones: cut them.
  let cut = dW;
  if (bottom < 0 || right < 0) {
    cut = run("Slice", wasm, { x: dW }, { begin: [0, 0, 0, 0], size: [info.inChannels, filterHeight, filterWidth, info.outChannels] });
    free(wasm, dW);
  }
  const result = run("Transpose", wasm, { x: cut }, { perm: [1, 2, 0, 3] }); // [c, i, j, k] → [i, j, c, k]
  free(wasm, cut);
  return result;
}

/** The wasm Conv2DBackpropFilter kernel: any stride, padding, rounding and data format — 09-training-lenet-mnist. */
export const conv2dBackpropFilterKernel: tf.KernelConfig = { kernelName: NAME, backendName: "wasm", kernelFunc: conv2dBackpropFilter };
