// BatchMatMul and _FusedMatMul for wasm: the products of dense layers, forward and backward
// (y = f(x·W + b), x̄ = z̄·Wᵀ, W̄ = xᵀ·z̄, lecture 002), and of convolutions whose kernel covers the
// whole input (LeNet-5's C5).
//
// The stock kernels hand the product to XNNPACK, which first repacks B, the right-hand matrix, and
// keeps the packing for as long as B lives. In training B is new at every step (the weights, or an
// error signal), and for a batch of 64 rows repacking costs more than the product: so a product of
// at most NATIVE_ROWS rows is the course's native loop `matmul`, which reads B as it is. The stock
// kernels are slow with transposed operands too, and the stock _FusedMatMul adds its bias wrongly when
// B is transposed (5×1 by 1×2, say: one number in ten differs from the `cpu` kernel's): these
// transpose first, in one pass.
import { tf } from "../../tf";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { address, nativeKernels } from "../native";
import { activate, free, heap, run, runStockFused, unaryActivation, wasmBackend, type TensorInfo } from "./util";

/** Products of at most this many rows run on the native loop (side by side here it is the faster up to about 256). */
export const NATIVE_ROWS = 256;

/** Whether a convolution's kernel covers its whole input with no padding, channels last: then it is the product x · W of the images as rows, [n, h·w·c], by the kernel as a matrix, [h·w·c, k] — 09-training-lenet-mnist. */
export function coversWholeInput(info: tf.backend_util.Conv2DInfo, format: "NHWC" | "NCHW"): boolean {
  const { padInfo } = info;
  return (
    format === "NHWC" &&
    info.filterHeight === info.inHeight &&
    info.filterWidth === info.inWidth &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    padInfo.top + padInfo.bottom + padInfo.left + padInfo.right === 0 &&
    info.batchSize > 0 &&
    info.inChannels > 0 &&
    info.outChannels > 0
  );
}

/** Swap the last two axes of a batch of matrices. */
function transposeLast(wasm: BackendWasm, m: TensorInfo): TensorInfo {
  const perm = m.shape.map((_, i) => i);
  const rank = perm.length;
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return run("Transpose", wasm, { x: m }, { perm });
}

/** Rows and columns of a batch of one matrix, or null for a real batch. */
function single(shape: readonly number[]): [number, number] | null {
  const rank = shape.length;
  if (rank < 2 || shape.slice(0, -2).some((d) => d !== 1)) return null;
  return [shape[rank - 2], shape[rank - 1]];
}

/** [m, k, n] when the native loop takes this product (a batch of one, at most NATIVE_ROWS rows, nothing empty), else null — 09-training-lenet-mnist. */
export function nativeProductCase(
  a: readonly number[],
  b: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): [number, number, number] | null {
  const sa = single(a);
  const sb = single(b);
  if (!sa || !sb) return null;
  const [m, k] = transposeA ? [sa[1], sa[0]] : sa;
  const [k2, n] = transposeB ? [sb[1], sb[0]] : sb;
  if (k !== k2 || m > NATIVE_ROWS || m * k * n === 0) return null;
  return [m, k, n];
}

/** C = A·B (+ bias) by the native loop: A [m, k] and B [k, n] as numbers in row order, bias [n] or null; C gets `shape`. */
export function nativeProduct(
  wasm: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  bias: TensorInfo | null,
  [m, k, n]: [number, number, number],
  shape: number[],
): TensorInfo {
  const c = wasm.makeOutput(shape, "float32");
  const biasAt = bias ? address(wasm, bias) : 0;
  nativeKernels(wasm).matmul(address(wasm, a), address(wasm, b), address(wasm, c), biasAt, m, k, n, bias ? 1 : 0);
  return c;
}

/** The product of a batch of one by the native loop, its operands transposed first when asked; null when it does not apply. */
function nativeBatchOfOne(
  wasm: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  bias: TensorInfo | null,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo | null {
  const mkn = a.dtype === "float32" && b.dtype === "float32" ? nativeProductCase(a.shape, b.shape, transposeA, transposeB) : null;
  if (!mkn) return null;
  const aa = transposeA ? transposeLast(wasm, a) : a;
  const bb = transposeB ? transposeLast(wasm, b) : b;
  const rank = Math.max(a.shape.length, b.shape.length);
  const c = nativeProduct(wasm, aa, bb, bias, mkn, [...Array<number>(rank - 2).fill(1), mkn[0], mkn[2]]);
  if (aa !== a) free(wasm, aa);
  if (bb !== b) free(wasm, bb);
  return c;
}

function flags(attrs: tf.NamedAttrMap | undefined): [boolean, boolean] {
  return [attrs?.transposeA === true, attrs?.transposeB === true];
}

function batchMatMul({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const name = "BatchMatMul";
  const wasm = wasmBackend(name, backend);
  const { a, b } = inputs;
  if (!a || !b) throw new Error(`${name}: needs inputs a and b`);
  const [transposeA, transposeB] = flags(attrs);
  const native = nativeBatchOfOne(wasm, a, b, null, transposeA, transposeB);
  if (native) return native;
  return transposedFirst(name, wasm, inputs, attrs);
}

/** The stock kernel `name` on operands transposed first: it is slow with transposed operands, and its _FusedMatMul adds the bias wrongly with a transposed B. */
function transposedFirst(name: string, wasm: BackendWasm, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined): TensorInfo {
  const { a, b } = inputs;
  const [transposeA, transposeB] = flags(attrs);
  if (!a || !b || (!transposeA && !transposeB)) return runStockFused(name, wasm, inputs, attrs);
  const aa = transposeA ? transposeLast(wasm, a) : a;
  const bb = transposeB ? transposeLast(wasm, b) : b;
  const product = runStockFused(name, wasm, { ...inputs, a: aa, b: bb }, { ...attrs, transposeA: false, transposeB: false });
  if (aa !== a) free(wasm, aa);
  if (bb !== b) free(wasm, bb);
  return product;
}

function fusedMatMul({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const name = "_FusedMatMul";
  const wasm = wasmBackend(name, backend);
  const { a, b, bias, preluActivationWeights } = inputs;
  if (!a || !b) throw new Error(`${name}: needs inputs a and b`);
  const activation = attrs?.activation ?? "linear";
  const n = b.shape[attrs?.transposeB === true ? b.shape.length - 2 : b.shape.length - 1];
  // A bias of one number per column ([n], [1, n], ...); any other broadcast goes to the stock kernel.
  const perColumn =
    !bias ||
    (bias.dtype === "float32" && bias.shape.length >= 1 && bias.shape.at(-1) === n && bias.shape.slice(0, -1).every((d) => d === 1));
  if (!preluActivationWeights && unaryActivation(activation) && perColumn) {
    const [transposeA, transposeB] = flags(attrs);
    const z = nativeBatchOfOne(wasm, a, b, bias ?? null, transposeA, transposeB);
    if (z) return activate(wasm, z, activation);
  }
  // The stock kernel takes a bias of rank 1 only (by the shape it was made with: a Reshape is not enough).
  if (!bias || !perColumn || bias.shape.length === 1) return transposedFirst(name, wasm, inputs, attrs);
  const flat = wasm.makeOutput([n], "float32");
  heap(name, wasm, flat).set(heap(name, wasm, bias));
  const y = transposedFirst(name, wasm, { ...inputs, bias: flat }, attrs);
  free(wasm, flat);
  return y;
}

/** The wasm BatchMatMul kernel: small products native, the rest transposed first then the stock product — 09-training-lenet-mnist. */
export const batchMatMulKernel: tf.KernelConfig = { kernelName: "BatchMatMul", backendName: "wasm", kernelFunc: batchMatMul };

/** The wasm _FusedMatMul kernel (product, bias, activation): small products native — 09-training-lenet-mnist. */
export const fusedMatMulKernel: tf.KernelConfig = { kernelName: "_FusedMatMul", backendName: "wasm", kernelFunc: fusedMatMul };
