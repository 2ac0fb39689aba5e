// BatchMatMul for wasm: the stock kernel is fast for A·B but slow when asked for Aᵀ·B or A·Bᵀ, and
// back-propagation through a dense layer asks for exactly those (W̄ = xᵀ·ȳ, x̄ = ȳ·Wᵀ, lecture 002).
// Transposing first costs one pass over the matrix; then the fast product runs.
import { tf } from "../../tf";
import { free, run, runStock, wasmBackend, type TensorInfo } from "./util";

const NAME = "BatchMatMul";

/** Swap the last two axes of a batch of matrices. */
function transposeLast(wasm: Parameters<typeof run>[1], m: TensorInfo): TensorInfo {
  const perm = m.shape.map((_, i) => i);
  const rank = perm.length;
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return run("Transpose", wasm, { x: m }, { perm });
}

function batchMatMul({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const wasm = wasmBackend(NAME, backend);
  const { a, b } = inputs;
  if (!a || !b) throw new Error(`${NAME}: needs inputs a and b`);
  const transposeA = attrs?.transposeA === true;
  const transposeB = attrs?.transposeB === true;
  if (!transposeA && !transposeB) return runStock(NAME, wasm, inputs, attrs);
  const aa = transposeA ? transposeLast(wasm, a) : a;
  const bb = transposeB ? transposeLast(wasm, b) : b;
  const product = runStock(NAME, wasm, { a: aa, b: bb }, { transposeA: false, transposeB: false });
  if (aa !== a) free(wasm, aa);
  if (bb !== b) free(wasm, bb);
  return product;
}

/** The wasm BatchMatMul kernel: transposes first, then the fast plain product — 09-training-lenet-mnist. */
export const batchMatMulKernel: tf.KernelConfig = { kernelName: NAME, backendName: "wasm", kernelFunc: batchMatMul };
