// Conv2D, FusedConv2D, DepthwiseConv2dNative and FusedDepthwiseConv2D for wasm with 'same' padding
// done right. The stock wasm kernels pad wrongly when a kernel side is even and a stride is above 1
// (a 2×1 kernel with strides 1×2 on a 1×2 image, say: the result differs from the `cpu` kernel's).
// TensorFlow.js's shape arithmetic gets it right, so 'same' is turned into the explicit padding it
// computes, top/bottom and left/right, and the stock kernel runs with that.
// Conv2D and FusedConv2D of a one-channel input at stride 1 (LeNet-5's C1) run on the course's own
// loops instead, whatever their padding (oneChannel.ts).
import { tf } from "../../tf";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { convOneChannel, oneChannelActivation, oneChannelCase } from "./oneChannel";
import { dataFormatAttr, padAttr, pairAttr, roundingAttr, runStock, shape4, wasmBackend, type TensorInfo } from "./util";

/** The one-channel forward pass when it applies to this Conv2D / FusedConv2D, else null. */
function oneChannel(name: string, wasm: BackendWasm, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined): TensorInfo | null {
  const { x, filter, bias } = inputs;
  const activation = attrs?.activation ?? "linear";
  if (!x || !filter || x.dtype !== "float32" || filter.dtype !== "float32") return null;
  if (typeof activation !== "string" || !oneChannelActivation(activation)) return null;
  const format = dataFormatAttr(name, attrs);
  const info = tf.backend_util.computeConv2DInfo(
    shape4(name, "x", x.shape),
    shape4(name, "filter", filter.shape),
    pairAttr(name, attrs, "strides"),
    pairAttr(name, { dilations: attrs?.dilations ?? 1 }, "dilations"),
    padAttr(name, attrs),
    roundingAttr(name, attrs),
    false,
    tf.backend_util.convertConv2DDataFormat(format),
  );
  if (!oneChannelCase(info, format)) return null;
  if (bias && (bias.dtype !== "float32" || bias.shape.length !== 1 || bias.shape[0] !== info.outChannels)) return null;
  return convOneChannel(wasm, x, filter, bias ?? null, activation, info);
}

function explicitSame(name: string, depthwise: boolean): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = wasmBackend(name, backend);
    if (!depthwise) {
      const done = oneChannel(name, wasm, inputs, attrs);
      if (done) return done;
    }
    if (attrs?.pad !== "same" || dataFormatAttr(name, attrs) !== "NHWC") return runStock(name, wasm, inputs, attrs);
    const x = inputs.x;
    const filter = inputs.filter;
    if (!x || !filter) throw new Error(`${name}: needs inputs x and filter`);
    const info = tf.backend_util.computeConv2DInfo(
      shape4(name, "x", x.shape),
      shape4(name, "filter", filter.shape),
      pairAttr(name, attrs, "strides"),
      pairAttr(name, { dilations: attrs.dilations ?? 1 }, "dilations"),
      "same",
      undefined,
      depthwise,
    );
    const { top, bottom, left, right } = info.padInfo;
    const pad = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    return runStock(name, wasm, inputs, { ...attrs, pad }) satisfies TensorInfo;
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
