// Conv2DBackpropInput for wasm: the gradient of a convolution with respect to its input.
// The stock kernel loops pixel by pixel; every channels-last case is a fast convolution or product instead.
//
//   dx[n, h, w, c] = Σ over kernel taps (i, j) and kernels k of  dy[n, h + pad − i, w + pad − j, k] · W[i, j, c, k]
//
// With stride 1 this is the error signal dy, zero-padded by (kernel − 1 − pad), correlated with the kernel
// turned by 180° and with its channel axes swapped (for one input channel, a depthwise convolution and a
// sum over channels, which the fast code runs better). When the forward pass had a 1×1 output (the kernel
// covered the whole input, like LeNet's C5), it is a matrix product: dx = dy · Wᵀ.
//
// Where that convolution would mostly multiply the zeros of its padding (a 'valid' layer whose output is
// much smaller than its input, like C3: 10×10 from 14×14), or with a stride, the convolution as a matrix
// product again: each output cell's error signal is spread over its patch, cols = dy · Wᵀ (one product
// in the backend's code), and the course's native kernel `addPatches` adds every patch back into place.
// Half the multiplications for C3, and 1.3× faster side by side here.
import { tf } from "../../tf";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { PATCH_LIMIT, address, nativeKernels, windowGeometry } from "../native";
import { channelsCase, inputGradChannels } from "./channels";
import { dataFormatAttr, free, input, padAttr, pairAttr, roundingAttr, run, runStock, shape4, wasmBackend, type TensorInfo } from "./util";

const NAME = "Conv2DBackpropInput";

/** dx by patches: cols = dy · Wᵀ a few images at a time, each row added back over its patch. */
function byPatches(wasm: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, outChannels } = info;
  const patch = filterHeight * filterWidth * inChannels;
  const cells = outHeight * outWidth;
  const chunk = Math.max(1, Math.min(batchSize, Math.floor(PATCH_LIMIT / (patch * cells))));
  const native = nativeKernels(wasm);
  const w2 = run("Reshape", wasm, { x: filter }, { shape: [1, patch, outChannels] });
  const dyRows = run("Reshape", wasm, { x: dy }, { shape: [1, batchSize * cells, outChannels] });
  const dx = wasm.makeOutput(info.inShape, "float32");
  for (let first = 0; first < batchSize; first += chunk) {
    const images = Math.min(chunk, batchSize - first);
    const rows = images * cells;
    const rowsOfDy =
      images === batchSize ? dyRows : run("Slice", wasm, { x: dyRows }, { begin: [0, first * cells, 0], size: [1, rows, outChannels] });
    const cols = run("BatchMatMul", wasm, { a: rowsOfDy, b: w2 }, { transposeA: false, transposeB: true });
    native.addPatches(
      address(wasm, cols),
      address(wasm, dx) + first * inHeight * inWidth * inChannels * 4,
      ...windowGeometry(info, images),
    );
    free(wasm, cols);
    if (rowsOfDy !== dyRows) free(wasm, rowsOfDy);
  }
  free(wasm, w2, dyRows);
  return dx;
}

function conv2dBackpropInput({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const wasm = wasmBackend(NAME, backend);
  const dy = input(NAME, inputs, "dy");
  const filter = input(NAME, inputs, "filter");
  const format = dataFormatAttr(NAME, attrs);
  const info = tf.backend_util.computeConv2DInfo(
    shape4(NAME, "inputShape", attrs?.inputShape),
    shape4(NAME, "filter", filter.shape),
    pairAttr(NAME, attrs, "strides"),
    1,
    padAttr(NAME, attrs),
    roundingAttr(NAME, attrs),
    false,
    tf.backend_util.convertConv2DDataFormat(format),
  );
  const { filterHeight: kh, filterWidth: kw, padInfo } = info;
  const pads = [padInfo.top, padInfo.bottom, padInfo.left, padInfo.right];
  if (format !== "NHWC") return runStock(NAME, wasm, inputs, attrs);

  // The kernel covered the whole input once: a matrix product [n, k] · [k, kh·kw·c].
  if (info.inHeight === kh && info.inWidth === kw && pads.every((p) => p === 0)) {
    const dy2 = run("Reshape", wasm, { x: dy }, { shape: [info.batchSize, info.outChannels] });
    const wT = run("Transpose", wasm, { x: filter }, { perm: [3, 0, 1, 2] }); // [i, j, c, k] → [k, i, j, c]
    const w2 = run("Reshape", wasm, { x: wT }, { shape: [info.outChannels, kh * kw * info.inChannels] });
    const dx2 = run("BatchMatMul", wasm, { a: dy2, b: w2 }, { transposeA: false, transposeB: false });
    const dx = run("Reshape", wasm, { x: dx2 }, { shape: info.inShape });
    free(wasm, dy2, wT, w2, dx2);
    return dx;
  }

  // Many channels (C3): the course's native loop adds each patch's z̄ · Wᵀ back in place (channels.ts).
  if (channelsCase(info, format, "input")) return inputGradChannels(wasm, dy, filter, info);

  // Otherwise one convolution, when it pays: stride 1, padding smaller than the kernel, not mostly padding.
  const stride1 = info.strideHeight === 1 && info.strideWidth === 1;
  const smallPads = padInfo.top < kh && padInfo.bottom < kh && padInfo.left < kw && padInfo.right < kw;
  const mostlyData = 2 * info.inHeight * info.inWidth <= 3 * info.outHeight * info.outWidth;
  if (!(stride1 && smallPads && mostlyData)) return byPatches(wasm, dy, filter, info);
  const padding = [
    [0, 0],
    [kh - 1 - padInfo.top, kh - 1 - padInfo.bottom],
    [kw - 1 - padInfo.left, kw - 1 - padInfo.right],
    [0, 0],
  ];
  const turned = run("Reverse", wasm, { x: filter }, { dims: [0, 1] }); // W[kh−1−i, kw−1−j, c, k]

  if (info.inChannels === 1) {
    // One input channel (a first layer): a convolution with one output channel uses the fast code badly.
    // Instead correlate each error-signal channel k with its own turned kernel (depthwise), then add them up.
    const perChannel = run("Reshape", wasm, { x: turned }, { shape: [kh, kw, info.outChannels, 1] });
    const maps = run("DepthwiseConv2dNative", wasm, { x: dy, filter: perChannel }, { strides: [1, 1], dilations: [1, 1], pad: padding });
    const dx = run("Sum", wasm, { x: maps }, { axis: [3], keepDims: true });
    free(wasm, turned, perChannel, maps);
    return dx;
  }
  const swapped = run("Transpose", wasm, { x: turned }, { perm: [0, 1, 3, 2] }); // channels c ↔ k
  const dx = run("Conv2D", wasm, { x: dy, filter: swapped }, { strides: [1, 1], dilations: [1, 1], pad: padding, dataFormat: "NHWC" });
  free(wasm, turned, swapped);
  return dx;
}

/** The wasm Conv2DBackpropInput kernel: a convolution, a matrix product, or patches, whichever is faster — 09-training-lenet-mnist. */
export const conv2dBackpropInputKernel: tf.KernelConfig = { kernelName: NAME, backendName: "wasm", kernelFunc: conv2dBackpropInput };
