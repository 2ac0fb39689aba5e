// The course's own WebAssembly kernels (assembly/kernels.ts, compiled by `npm run build` into
// dist/native.wasm), run inside the wasm backend's memory: one instance per backend, whose imported
// memory is the backend's own, so a kernel reads and writes tensors where the backend keeps them.
// The same code is also built with relaxed SIMD (dist/native-relaxed.wasm), whose multiply-add is one
// fused instruction on processors that have one (C1's and C3's passes 1.16–1.30× faster here); it is used when
// the JavaScript engine accepts relaxed SIMD. Node 22's does; Node 20's (V8 11.3) has it behind the flag
// --experimental-wasm-relaxed-simd, which is turned on here, before the module is compiled.
// DL_BY_HAND_SIMD=plain in the environment keeps the plain module (and leaves the flag alone); so does a
// process that refuses the v8 module (the grader's kernels, src/course/grade/integrity.ts).
import { readFileSync } from "fs";
import { join } from "path";
import { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { tf } from "../tf";
import type { TensorInfo } from "./kernels/util";

/** The activations `activationGrad` knows, by the number the module uses. */
export const ACTIVATION_CODES = { linear: 0, relu: 1, tanh: 2, sigmoid: 3 } as const;

/**
 * Where windows (a convolution's patches, pooling's windows) lie on a batch of images, in the order the
 * module's window functions take it: images, input size, channels, window size, padding before, output
 * size, strides.
 */
export type WindowGeometry = [
  n: number,
  h: number,
  w: number,
  channels: number,
  kh: number,
  kw: number,
  top: number,
  left: number,
  outH: number,
  outW: number,
  strideH: number,
  strideW: number,
];

/** The geometry of `images` images of a convolution or a pooling (TensorFlow.js computes both infos alike) — 09-training-lenet-mnist. */
export function windowGeometry(
  info: tf.backend_util.Conv2DInfo, // computePool2DInfo gives one too
  images: number = info.batchSize,
): WindowGeometry {
  const { inHeight, inWidth, inChannels, filterHeight, filterWidth, padInfo, outHeight, outWidth, strideHeight, strideWidth } = info;
  return [
    images,
    inHeight,
    inWidth,
    inChannels,
    filterHeight,
    filterWidth,
    padInfo.top,
    padInfo.left,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
  ];
}

/** The module's functions; pointers are byte offsets in the backend's memory (see assembly/kernels.ts). */
export interface NativeKernels {
  addPatches(cols: number, dx: number, ...geometry: WindowGeometry): void;
  activationGrad(
    activation: number,
    dy: number,
    y: number,
    dz: number,
    db: number,
    pixels: number,
    channels: number,
    withBias: number,
  ): void;
  affine(x: number, out: number, count: number, a: number, b: number): void;
  avgPoolGrad(dy: number, dx: number, ...geometry: WindowGeometry): void;
  matmul(a: number, b: number, c: number, bias: number, m: number, k: number, n: number, withBias: number): void;
  channelsScratch(kernels: number, ...geometry: WindowGeometry): number;
  convForward(
    x: number,
    filter: number,
    bias: number,
    out: number,
    scratch: number,
    kernels: number,
    withBias: number,
    ...geometry: WindowGeometry
  ): void;
  convFilter(x: number, dy: number, dw: number, scratch: number, kernels: number, ...geometry: WindowGeometry): void;
  convInput(dy: number, filter: number, dx: number, scratch: number, kernels: number, ...geometry: WindowGeometry): void;
  adam(
    w: number,
    g: number,
    m: number,
    v: number,
    count: number,
    beta1: number,
    beta2: number,
    rate: number,
    root: number,
    epsilon: number,
  ): void;
}

const NAMES = [
  "addPatches",
  "activationGrad",
  "affine",
  "avgPoolGrad",
  "matmul",
  "channelsScratch",
  "convForward",
  "convFilter",
  "convInput",
  "adam",
] as const;

/** Most numbers a matrix of patches may hold (16 MB): a larger batch is taken a few images at a time. */
export const PATCH_LIMIT = 1 << 22;
// From src/train or dist/train alike: the compiled module is dist/native.wasm at the package's root.
export const NATIVE_WASM = join(__dirname, "..", "..", "dist", "native.wasm");
export const NATIVE_RELAXED_WASM = join(__dirname, "..", "..", "dist", "native-relaxed.wasm");

/** A module of one function that uses relaxed SIMD's multiply-add (f32x4.relaxed_madd), to ask the engine. */
const RELAXED_PROBE = Uint8Array.from([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
]);

/** Whether the engine runs relaxed SIMD, turning on Node 20's flag for it first; false with DL_BY_HAND_SIMD=plain — 09-training-lenet-mnist. */
export function relaxedSimd(): boolean {
  if (process.env.DL_BY_HAND_SIMD === "plain") return false;
  if (WebAssembly.validate(RELAXED_PROBE)) return true;
  let v8: typeof import("v8");
  try {
    v8 = require("v8") as typeof import("v8"); // eslint-disable-line @typescript-eslint/no-require-imports
  } catch {
    return false; // refused (the grader's kernels)
  }
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
  return WebAssembly.validate(RELAXED_PROBE);
}

/** The module file the kernels run: the relaxed-SIMD build when the engine takes it — 09-training-lenet-mnist. */
export function nativeWasmFile(): string {
  return relaxedSimd() ? NATIVE_RELAXED_WASM : NATIVE_WASM;
}

/** The module compiled once per thread, and the file it came from. */
let compiled: { module: WebAssembly.Module; file: string } | null = null;
const instances = new WeakMap<BackendWasm, NativeKernels>();

function backendMemory(backend: BackendWasm): WebAssembly.Memory {
  const module = backend.wasm as unknown as { asm?: { memory?: unknown }; wasmExports?: { memory?: unknown } };
  const memory = module.asm?.memory ?? module.wasmExports?.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error("train.useFastBackend: the wasm backend's memory is not reachable");
  return memory;
}

/** The module's functions working in `memory`; `user` names who asked, for the errors. */
function instantiate(memory: WebAssembly.Memory, user: string): NativeKernels {
  if (!compiled) {
    const file = nativeWasmFile();
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = Uint8Array.from(readFileSync(file));
    } catch {
      throw new Error(`${user}: ${file} is missing; run npm run build`);
    }
    compiled = { module: new WebAssembly.Module(bytes), file };
  }
  const { module, file } = compiled;
  const functions = new WebAssembly.Instance(module, { env: { memory } }).exports;
  for (const name of NAMES) {
    if (typeof functions[name] !== "function") throw new Error(`${user}: ${file} has no function ${name}`);
  }
  return functions as unknown as NativeKernels;
}

/** The native kernels working in `backend`'s memory — 09-training-lenet-mnist. */
export function nativeKernels(backend: BackendWasm): NativeKernels {
  const known = instances.get(backend);
  if (known) return known;
  const kernels = instantiate(backendMemory(backend), "train.useFastBackend");
  instances.set(backend, kernels);
  return kernels;
}

/** The native kernels on a memory of their own of `floats` numbers, not the backend's (Adam's state) — 09-training-lenet-mnist. */
export function nativeOnOwnMemory(floats: number, user: string): { kernels: NativeKernels; memory: WebAssembly.Memory } {
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((floats * 4) / 65536)) });
  return { kernels: instantiate(memory, user), memory };
}

/** Where a tensor's numbers start in the backend's memory (a byte offset) — 09-training-lenet-mnist. */
export function address(backend: BackendWasm, info: TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (!data) throw new Error("train kernels: a tensor's data is not on the wasm backend");
  return data.memoryOffset;
}
