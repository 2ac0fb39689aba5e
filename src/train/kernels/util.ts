// What every custom kernel needs: the wasm backend, the kernels it already has, and typed attributes.
// A kernel receives `{ inputs, backend, attrs }` with loosely typed attributes; the readers below check
// each attribute at run time and return it with its real type, naming the kernel when one is wrong.
import { tf } from "../../tf";
import { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { describe } from "../../args";
import { address, nativeKernels } from "../native";

export type TensorInfo = tf.TensorInfo;
export type Shape4 = [number, number, number, number];
export type Pair = [number, number];
export type ExplicitPadding = [Pair, Pair, Pair, Pair];
export type Padding = "valid" | "same" | number | ExplicitPadding;
export type RoundingMode = "floor" | "round" | "ceil" | undefined;
type Attrs = tf.NamedAttrMap | undefined;

/** The stock wasm kernels our kernels replaced, kept so that a kernel can hand a case back to them. */
const stockKernels = new Map<string, tf.KernelConfig>();

/** Remember the stock kernel `name` before a custom one replaces it — 09-training-lenet-mnist. */
export function keepStockKernel(config: tf.KernelConfig): void {
  if (!stockKernels.has(config.kernelName)) stockKernels.set(config.kernelName, config);
}

/** The wasm backend a kernel runs on; any other backend is a mistake in registration — 09-training-lenet-mnist. */
export function wasmBackend(kernel: string, backend: unknown): BackendWasm {
  if (!(backend instanceof BackendWasm)) throw new Error(`${kernel}: runs on the wasm backend only`);
  return backend;
}

function single(kernel: string, out: TensorInfo | TensorInfo[]): TensorInfo {
  if (Array.isArray(out)) {
    if (out.length !== 1) throw new Error(`${kernel}: expected one output, got ${out.length}`);
    return out[0];
  }
  return out;
}

/** Run the wasm kernel `name` (the one registered now) directly on backend data, outside the engine — 09-training-lenet-mnist. */
export function run(name: string, backend: BackendWasm, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): TensorInfo {
  const config = tf.getKernel(name, "wasm");
  if (!config) throw new Error(`${name}: no wasm kernel registered`);
  return single(name, config.kernelFunc({ inputs, backend, attrs }));
}

/** Run the stock wasm kernel `name`, the one that was there before ours — 09-training-lenet-mnist. */
export function runStock(
  name: string,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap | undefined,
): TensorInfo {
  const config = stockKernels.get(name) ?? tf.getKernel(name, "wasm");
  if (!config) throw new Error(`${name}: no stock wasm kernel`);
  return single(name, config.kernelFunc({ inputs, backend, attrs }));
}

/** Free intermediate results (a result that aliases an input is freed by its reference count) — 09-training-lenet-mnist. */
export function free(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** The input `name` of a kernel, checked to be float32 — 09-training-lenet-mnist. */
export function input(kernel: string, inputs: tf.NamedTensorInfoMap, name: string): TensorInfo {
  const info = inputs[name];
  if (!info) throw new Error(`${kernel}: missing input ${name}`);
  if (info.dtype !== "float32") throw new Error(`${kernel}: input ${name} must be float32, got ${info.dtype}`);
  return info;
}

/** A 4-D shape, from a tensor or an attribute — 09-training-lenet-mnist. */
export function shape4(kernel: string, name: string, value: unknown): Shape4 {
  if (Array.isArray(value) && value.length === 4 && value.every((v) => typeof v === "number")) {
    return [value[0], value[1], value[2], value[3]];
  }
  throw new Error(`${kernel}: ${name} must be a 4-D shape, got ${describe(value)}`);
}

/** A size given once or per axis: strides, filterSize — 09-training-lenet-mnist. */
export function pairAttr(kernel: string, attrs: Attrs, name: string): number | Pair {
  const value = attrs?.[name];
  if (typeof value === "number") return value;
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === "number" && typeof value[1] === "number") {
    return [value[0], value[1]];
  }
  throw new Error(`${kernel}: attribute ${name} must be a number or [rows, cols], got ${describe(value)}`);
}

function isPair(value: unknown): value is Pair {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === "number" && typeof value[1] === "number";
}

/** 'valid', 'same', a number, or explicit [[0, 0], [top, bottom], [left, right], [0, 0]] — 09-training-lenet-mnist. */
export function padAttr(kernel: string, attrs: Attrs): Padding {
  const pad: unknown = attrs?.pad;
  if (pad === "valid" || pad === "same" || typeof pad === "number") return pad;
  if (Array.isArray(pad) && pad.length === 4) {
    const [a, b, c, d] = pad;
    if (isPair(a) && isPair(b) && isPair(c) && isPair(d)) return [a, b, c, d];
  }
  throw new Error(`${kernel}: attribute pad must be 'valid', 'same', a number or explicit padding, got ${describe(pad)}`);
}

/** 'NHWC' (channels last, the default) or 'NCHW' — 09-training-lenet-mnist. */
export function dataFormatAttr(kernel: string, attrs: Attrs): "NHWC" | "NCHW" {
  const format: unknown = attrs?.dataFormat ?? "NHWC";
  if (format === "NHWC" || format === "NCHW") return format;
  throw new Error(`${kernel}: attribute dataFormat must be 'NHWC' or 'NCHW', got ${describe(format)}`);
}

/** How a fractional output size is rounded; undefined when not given — 09-training-lenet-mnist. */
export function roundingAttr(kernel: string, attrs: Attrs): RoundingMode {
  const mode: unknown = attrs?.dimRoundingMode;
  if (mode === undefined || mode === null) return undefined;
  if (mode === "floor" || mode === "round" || mode === "ceil") return mode;
  throw new Error(`${kernel}: attribute dimRoundingMode must be 'floor', 'round' or 'ceil', got ${describe(mode)}`);
}

/** A float32 view of a tensor's numbers inside the wasm memory (take views after every allocation) — 09-training-lenet-mnist. */
export function heap(kernel: string, backend: BackendWasm, info: TensorInfo): Float32Array {
  const values = backend.typedArrayFromHeap(info);
  if (!(values instanceof Float32Array)) throw new Error(`${kernel}: expected float32 data, got ${info.dtype}`);
  return values;
}

/** Refuse a tensor whose shape is not the one a kernel computed for it (native code trusts shapes) — 09-training-lenet-mnist. */
export function expectShape(kernel: string, name: string, info: TensorInfo, shape: readonly number[]): void {
  if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i]))
    throw new Error(`${kernel}: ${name} must have shape [${shape.join(", ")}], got [${info.shape.join(", ")}]`);
}

/** The stock unary kernel that applies each fused activation our kernels take; null for none (tanh: the sigmoid, see activate). */
const UNARY: Readonly<Record<string, string | null>> = {
  linear: null,
  relu: "Relu",
  relu6: "Relu6",
  elu: "Elu",
  sigmoid: "Sigmoid",
  tanh: "Sigmoid",
};

/**
 * A fused activation our kernels apply themselves: TensorFlow.js's own, and tanh, which its fused kernels
 * lack (the course's layer ops fuse it on the fast backend). prelu and leakyrelu, which take a weight or a
 * slope, stay with the stock kernels — 09-training-lenet-mnist.
 */
export function unaryActivation(activation: unknown): activation is string {
  return typeof activation === "string" && Object.hasOwn(UNARY, activation);
}

/** x ← a·x + b in place, by the native loop (x must be a kernel's own new output, shared with nothing). */
function scaleInPlace(backend: BackendWasm, x: TensorInfo, a: number, b: number): void {
  const at = address(backend, x);
  nativeKernels(backend).affine(
    at,
    at,
    x.shape.reduce((p, d) => p * d, 1),
    a,
    b,
  );
}

/**
 * f(z) for a fused activation f, by the stock unary kernel; z (a kernel's own new output) is freed when a new
 * tensor replaces it. tanh(z) = 2·σ(2z) − 1: z doubled in place, the vectorised sigmoid, then 2·s − 1 in
 * place — 09-training-lenet-mnist.
 */
export function activate(backend: BackendWasm, z: TensorInfo, activation: string): TensorInfo {
  const unary = UNARY[activation];
  if (!unary) return z;
  if (activation === "tanh") scaleInPlace(backend, z, 2, 0);
  const y = run(unary, backend, { x: z });
  free(backend, z);
  if (activation === "tanh") scaleInPlace(backend, y, 2, -1);
  return y;
}

/** A fused kernel the stock way, tanh included: the stock kernel without it, then the activation — 09-training-lenet-mnist. */
export function runStockFused(
  name: string,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap | undefined,
): TensorInfo {
  if (attrs?.activation !== "tanh") return runStock(name, backend, inputs, attrs);
  return activate(backend, runStock(name, backend, inputs, { ...attrs, activation: "linear" }), "tanh");
}
