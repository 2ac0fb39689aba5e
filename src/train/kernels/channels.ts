// Convolutions of many-channel images (LeNet-5's C3, the deeper nets' layers) by the course's native
// loops `convForward`, `convInput` and `convFilter` (assembly/channels.ts): forward, x̄ and W̄ as
// matrix products that read the patches straight from the images, channels last.
//
//   forward:  z[p, k]    = b[k] + Σ over l of patch_p[l] · W[l, k]     (p = (n, r, s), l = (i, j, c))
//   x̄:       patch_p[l] += Σ over k of z̄[p, k] · W[l, k]
//   W̄:       W̄[l, k]    = Σ over p of patch_p[l] · z̄[p, k]
//
// The backend's convolution (XNNPACK) repacks its kernel whenever it changes, which in training is
// every step, and its backward passes are convolutions between transposes; these loops keep 4 × 8 sums
// in registers (with relaxed SIMD, fused multiply-adds) and run any stride and padding.
import { tf } from "../../tf";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { address, nativeKernels, windowGeometry } from "../native";
import { activate, free, type TensorInfo } from "./util";

type Info = tf.backend_util.Conv2DInfo;

/** Which pass: the forward product, x̄ or W̄. */
export type ChannelsPass = "forward" | "input" | "filter";

/**
 * Whether the native loops compute this pass: channels last, dilation 1, nothing empty, and blocks that
 * fit: 4 numbers in a patch (kh·kw·channels) for W̄, 8 in a patch row (kw·channels) for x̄ — 09-training-lenet-mnist.
 */
export function channelsCase(info: Info, format: "NHWC" | "NCHW", pass: ChannelsPass): boolean {
  const row = info.filterWidth * info.inChannels;
  const fits = pass === "forward" || (pass === "filter" ? row * info.filterHeight >= 4 : row >= 8);
  return (
    format === "NHWC" &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.batchSize > 0 &&
    info.outHeight > 0 &&
    info.outWidth > 0 &&
    info.outChannels > 0 &&
    info.inChannels > 0 &&
    fits
  );
}

/** Scratch memory for the loops (pixel offsets, sums, a padded copy), freed by the caller. */
function scratch(wasm: BackendWasm, info: Info): TensorInfo {
  const numbers = nativeKernels(wasm).channelsScratch(info.outChannels, ...windowGeometry(info));
  return wasm.makeOutput([numbers], "float32");
}

/** The forward pass z = x ⋆ W (+ b), then the activation; bias is [outChannels] or null. */
export function convChannels(
  wasm: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | null,
  activation: string,
  info: Info,
): TensorInfo {
  const z = wasm.makeOutput(info.outShape, "float32");
  const work = scratch(wasm, info);
  nativeKernels(wasm).convForward(
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

/** A backward pass: `out` of `shape` from the tensors a and b, by the native function `pass`. */
function backward(
  wasm: BackendWasm,
  pass: "convFilter" | "convInput",
  a: TensorInfo,
  b: TensorInfo,
  shape: number[],
  info: Info,
): TensorInfo {
  const out = wasm.makeOutput(shape, "float32");
  const work = scratch(wasm, info);
  const at = (t: TensorInfo) => address(wasm, t);
  nativeKernels(wasm)[pass](at(a), at(b), at(out), at(work), info.outChannels, ...windowGeometry(info));
  free(wasm, work);
  return out;
}

/** W̄ as [kh, kw, inChannels, outChannels]. */
export function filterGradChannels(wasm: BackendWasm, x: TensorInfo, dy: TensorInfo, info: Info): TensorInfo {
  return backward(wasm, "convFilter", x, dy, info.filterShape, info);
}

/** x̄ as [n, h, w, inChannels]. */
export function inputGradChannels(wasm: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: Info): TensorInfo {
  return backward(wasm, "convInput", dy, filter, info.inShape, info);
}
