// PadV2 for wasm: zero padding (lecture 000's padding p) around a tensor, done as block copies.
// Fill the output with the constant, then copy the input into place one contiguous block at a time:
//
//   out[i₀ + before₀, i₁ + before₁, …] = x[i₀, i₁, …]
import { tf } from "../../tf";
import { heap, runStock, wasmBackend, type TensorInfo } from "./util";

const NAME = "PadV2";

function padV2({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const wasm = wasmBackend(NAME, backend);
  const x = inputs.x;
  if (!x) throw new Error(`${NAME}: missing input x`);
  const paddings = readPaddings(attrs?.paddings, x.shape.length);
  const value = attrs?.constantValue ?? 0;
  if (x.dtype !== "float32" || paddings === null || typeof value !== "number") return runStock(NAME, wasm, inputs, attrs);

  const shape = x.shape;
  const outShape = shape.map((n, axis) => paddings[axis][0] + n + paddings[axis][1]);
  const out = wasm.makeOutput(outShape, "float32");
  const to = heap(NAME, wasm, out).fill(value);
  const from = heap(NAME, wasm, x);
  if (tf.util.sizeFromShape(shape) === 0) return out;
  const inStrides = stridesOf(shape);
  const outStrides = stridesOf(outShape);

  // Axes after the last padded one are copied with it, as one contiguous block.
  let last = shape.length - 1;
  while (last > 0 && paddings[last][0] === 0 && paddings[last][1] === 0) last--;
  const block = tf.util.sizeFromShape(shape.slice(last));
  const copy = (axis: number, inAt: number, outAt: number): void => {
    if (axis === last) {
      to.set(from.subarray(inAt, inAt + block), outAt + paddings[axis][0] * outStrides[axis]);
      return;
    }
    for (let i = 0; i < shape[axis]; i++) {
      copy(axis + 1, inAt + i * inStrides[axis], outAt + (i + paddings[axis][0]) * outStrides[axis]);
    }
  };
  if (shape.length === 0) to.set(from);
  else copy(0, 0, 0);
  return out;
}

/** How far apart consecutive entries of each axis are, in a row-major tensor of this shape. */
function stridesOf(shape: number[]): number[] {
  return shape.map((_, axis) => tf.util.sizeFromShape(shape.slice(axis + 1)));
}

/** Paddings as [before, after] per axis, or null when they are not plain non-negative integers. */
function readPaddings(value: unknown, rank: number): Array<[number, number]> | null {
  if (!Array.isArray(value) || value.length !== rank) return null;
  const result: Array<[number, number]> = [];
  for (const p of value) {
    if (!Array.isArray(p) || p.length !== 2) return null;
    const [before, after]: unknown[] = p;
    if (typeof before !== "number" || typeof after !== "number" || before < 0 || after < 0) return null;
    result.push([before, after]);
  }
  return result;
}

/** The wasm PadV2 kernel: fill, then copy rows into place — 09-training-lenet-mnist. */
export const padV2Kernel: tf.KernelConfig = { kernelName: NAME, backendName: "wasm", kernelFunc: padV2 };
