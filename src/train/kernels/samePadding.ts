// Conv2D, FusedConv2D, DepthwiseConv2dNative and FusedDepthwiseConv2D for wasm with 'same' padding
// done right. The stock wasm kernels pad wrongly when a kernel side is even and a stride is above 1
// (a 2×1 kernel with strides 1×2 on a 1×2 image, say: the result differs from the `cpu` kernel's).
// TensorFlow.js's shape arithmetic gets it right, so 'same' is turned into the explicit padding it
// computes, top/bottom and left/right, and the stock kernel runs with that.
// Conv2D and FusedConv2D channels last run on the course's own loops instead, whatever their padding
// and stride: a kernel that covers the whole input with no padding (C5: a 1×1 output) is the product
// x · W of the images as rows, [n, h·w·c], by the kernel as a matrix, [h·w·c, k] (batchMatMul.ts);
// any other (C1, C3) is channels.ts's product of patches and kernel.
import { tf } from "../../tf";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { NATIVE_ROWS, coversWholeInput, nativeProduct } from "./batchMatMul";
import { channelsCase, convChannels } from "./channels";
import {
  activate,
  dataFormatAttr,
  padAttr,
  pairAttr,
  roundingAttr,
  runStockFused,
  shape4,
  unaryActivation,
  wasmBackend,
  type TensorInfo,
} from "./util";

/** The course's own forward pass when one applies to this Conv2D / FusedConv2D, else null. */
function ownConvolution(
  wasm: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap | undefined,
  info: tf.backend_util.Conv2DInfo,
  format: "NHWC" | "NCHW",
): TensorInfo | null {
  const { x, filter, bias, preluActivationWeights } = inputs;
  const activation = attrs?.activation ?? "linear";
  if (!x || !filter || x.dtype !== "float32" || filter.dtype !== "float32" || preluActivationWeights) return null;
  if (!unaryActivation(activation)) return null;
  if (bias && (bias.dtype !== "float32" || bias.shape.length !== 1 || bias.shape[0] !== info.outChannels)) return null;
  if (coversWholeInput(info, format) && info.batchSize <= NATIVE_ROWS) {
    // x and W are already these matrices in memory, row by row: nothing to reshape.
    const { batchSize, inHeight, inWidth, inChannels, outChannels } = info;
    const z = nativeProduct(wasm, x, filter, bias ?? null, [batchSize, inHeight * inWidth * inChannels, outChannels], info.outShape);
    return activate(wasm, z, activation);
  }
  if (channelsCase(info, format, "forward")) return convChannels(wasm, x, filter, bias ?? null, activation, info);
  return null;
}

function explicitSame(name: string, depthwise: boolean): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = wasmBackend(name, backend);
    const format = dataFormatAttr(name, attrs);
    // A numeric pad goes explicit too: TensorFlow.js sizes its output for a square window, and the stock
    // kernel, which works out the real size, wrote past its output when the window is not square (a 4×4
    // kernel dilated 2×1).
    const explicit = (attrs?.pad === "same" || typeof attrs?.pad === "number") && format === "NHWC";
    if (depthwise && !explicit) return runStockFused(name, wasm, inputs, attrs);
    const x = inputs.x;
    const filter = inputs.filter;
    if (!x || !filter) throw new Error(`${name}: needs inputs x and filter`);
    // The geometry once, for the course's own cases and for the explicit padding alike.
    const info = tf.backend_util.computeConv2DInfo(
      shape4(name, "x", x.shape),
      shape4(name, "filter", filter.shape),
      pairAttr(name, attrs, "strides"),
      pairAttr(name, { dilations: attrs?.dilations ?? 1 }, "dilations"),
      padAttr(name, attrs),
      roundingAttr(name, attrs),
      depthwise,
      tf.backend_util.convertConv2DDataFormat(format),
    );
    if (!depthwise) {
      const done = ownConvolution(wasm, inputs, attrs, info, format);
      if (done) return done;
    }
    if (!explicit) return runStockFused(name, wasm, inputs, attrs);
    const { top, bottom, left, right } = info.padInfo;
    const pad = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    return runStockFused(name, wasm, inputs, { ...attrs, pad }) satisfies TensorInfo;
  };
}

function sameKernel(name: string, depthwise: boolean): tf.KernelConfig {
  return { kernelName: name, backendName: "wasm", kernelFunc: explicitSame(name, depthwise) };
}

/** The wasm convolution kernels with 'same' padding made explicit (the stock ones get it wrong) — 09-training-lenet-mnist. */
export const samePaddingKernels: readonly tf.KernelConfig[] = [
  sameKernel("Conv2D", false),
  sameKernel("FusedConv2D", false),
  sameKernel("DepthwiseConv2dNative", true),
  sameKernel("FusedDepthwiseConv2D", true),
];
