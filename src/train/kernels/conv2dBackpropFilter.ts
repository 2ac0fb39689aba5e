// Conv2DBackpropFilter for wasm: the gradient of a convolution with respect to its kernel, computed
// by the backend's own fast Conv2D (the wasm backend has no such kernel; tfjs issue 8474).
//
//   dW[i, j, c, k] = Σ over images n and output cells (r, s) of  x[n, r·stride + i − pad, s·stride + j − pad, c] · dy[n, r, s, k]
//
// Five ways to compute it, each the faster where it is used:
//
// - An input of one channel at stride 1 (LeNet-5's C1), channels last: the course's native loop
//   `conv1Filter` (oneChannel.ts), which takes dy as it comes (the backend's product repacks it).
// - A kernel that covers the whole input (LeNet-5's C5, a 1×1 output), channels last: W̄ = xᵀ · dy,
//   one matrix product (batchMatMul.ts).
// - One channel at a stride above 1, channels last: the convolution as a matrix product. The patches of x are the columns of Pᵀ (the course's native kernel `patchesT`),
//   and the sum above is one product in the backend's own code:  dW = Pᵀ · dy, with dy as [n·r·s, k].
// - Many channels into at least 8 kernels, channels last (C3): the course's native loop `convFilter`
//   (channels.ts), the product Pᵀ · dy with the patches read straight from x.
// - Otherwise, read the right-hand side as a convolution: the input channels c play the batch, the
//   images n play the channels, and dy is the kernel, its taps `stride` pixels apart (dilation).
import { tf } from "../../tf";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { PATCH_LIMIT, address, nativeKernels, windowGeometry } from "../native";
import { channelsCase, filterGradChannels } from "./channels";
import { filterGradOneChannel, oneChannelCase } from "./oneChannel";
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

/** dW = Pᵀ · dy, over the batch in chunks of images whose patches fit in PATCH_LIMIT numbers. */
function byPatches(wasm: BackendWasm, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, outChannels } = info;
  const taps = filterHeight * filterWidth; // one input channel: a patch is kh·kw numbers
  const cells = outHeight * outWidth;
  const chunk = Math.max(1, Math.min(batchSize, Math.floor(PATCH_LIMIT / (taps * cells))));
  const native = nativeKernels(wasm);
  const dyRows = run("Reshape", wasm, { x: dy }, { shape: [1, batchSize * cells, outChannels] });
  let sum: TensorInfo | null = null;
  for (let first = 0; first < batchSize; first += chunk) {
    const images = Math.min(chunk, batchSize - first);
    const rows = images * cells;
    const patches = wasm.makeOutput([1, taps, rows], "float32");
    native.patchesT(address(wasm, x) + first * inHeight * inWidth * 4, address(wasm, patches), ...windowGeometry(info, images));
    // This chunk's rows of dy as [1, rows, k] (a Reshape shares the numbers; a Slice copies them).
    const rowsOfDy =
      images === batchSize ? dyRows : run("Slice", wasm, { x: dyRows }, { begin: [0, first * cells, 0], size: [1, rows, outChannels] });
    const product = run("BatchMatMul", wasm, { a: patches, b: rowsOfDy }, { transposeA: false, transposeB: false });
    free(wasm, patches);
    if (rowsOfDy !== dyRows) free(wasm, rowsOfDy);
    if (sum) {
      const next = run("Add", wasm, { a: sum, b: product });
      free(wasm, sum, product);
      sum = next;
    } else sum = product;
  }
  free(wasm, dyRows);
  if (!sum) throw new Error(`${NAME}: empty batch`);
  const dW = run("Reshape", wasm, { x: sum }, { shape: [filterHeight, filterWidth, 1, outChannels] });
  free(wasm, sum);
  return dW;
}

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
  if (oneChannelCase(info, format)) return filterGradOneChannel(wasm, x, dy, info);
  if (coversWholeInput(info, format)) return wholeInput(wasm, x, dy, info);
  if (format === "NHWC" && info.inChannels === 1) return byPatches(wasm, x, dy, info);
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
