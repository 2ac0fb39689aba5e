// Convolutions of a one-channel input at stride 1 (a model's first layer on grey images: LeNet-5's C1)
// by the course's native loops `conv1` and `conv1Filter` (assembly/kernels.ts), forward and W̄.
//
//   forward:  z[n, r, s, k] = b[k] + Σ over taps (i, j) of x[n, r + i − top, s + j − left] · W[i, j, k]
//   W̄:       W̄[i, j, k]    = Σ over images n and pixels (r, s) of x[n, r + i − top, s + j − left] · z̄[n, r, s, k]
//
// The backend's own convolution and matrix product are made for many input channels: with one they
// do little work per number they move, and they repack their weights (forward) or z̄ (W̄) whenever
// those change, which is every training step. Any other case goes to the backend's own kernels.
// Like the backend's own convolutions, the loops multiply padding (and the plane's extra columns) by
// zero too: an infinite input or weight gives NaN where the `cpu` kernel, which skips them, may give ±∞.
import { tf } from "../../tf";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { address, nativeKernels, windowGeometry } from "../native";
import { activate, free, type TensorInfo } from "./util";

type Info = tf.backend_util.Conv2DInfo;

/** Whether the native one-channel loops compute this convolution: channels last, one input channel, stride and dilation 1. */
export function oneChannelCase(info: Info, format: "NHWC" | "NCHW"): boolean {
  return (
    format === "NHWC" &&
    info.inChannels === 1 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.batchSize > 0 &&
    info.outHeight > 0 &&
    info.outWidth > 0 &&
    info.outChannels > 0
  );
}

/** Scratch memory for conv1 / conv1Filter, freed by the caller. */
function scratch(wasm: BackendWasm, info: Info): TensorInfo {
  const numbers = nativeKernels(wasm).conv1Scratch(info.filterHeight, info.filterWidth, info.outHeight, info.outWidth, info.outChannels);
  return wasm.makeOutput([numbers], "float32");
}

/** The forward pass z = x ⋆ W (+ b), then the activation; bias is [outChannels] or null. */
export function convOneChannel(
  wasm: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | null,
  activation: string,
  info: Info,
): TensorInfo {
  const z = wasm.makeOutput(info.outShape, "float32");
  const work = scratch(wasm, info);
  nativeKernels(wasm).conv1(
    address(wasm, x),
    address(wasm, filter),
    bias ? address(wasm, bias) : 0,
    address(wasm, z),
    address(wasm, work),
    info.outChannels,
    bias ? 1 : 0,
    ...windowGeometry(info),
  );
  free(wasm, work);
  return activate(wasm, z, activation);
}

/** W̄ for a one-channel input at stride 1, as [kh, kw, 1, outChannels]. */
export function filterGradOneChannel(wasm: BackendWasm, x: TensorInfo, dy: TensorInfo, info: Info): TensorInfo {
  const dW = wasm.makeOutput(info.filterShape, "float32");
  const work = scratch(wasm, info);
  nativeKernels(wasm).conv1Filter(
    address(wasm, x),
    address(wasm, dy),
    address(wasm, dW),
    address(wasm, work),
    info.outChannels,
    ...windowGeometry(info),
  );
  free(wasm, work);
  return dW;
}
