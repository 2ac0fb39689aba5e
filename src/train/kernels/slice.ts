// Slice for wasm: the stock kernel first copies its whole input out of the wasm memory, so taking one
// batch of 64 digits out of 8,000 copies all 8,000. A slice that is one contiguous block (whole rows of
// the leading axes, like a batch) is copied directly; any other slice goes to the stock kernel.
import { tf } from "../../tf";
import { heap, runStock, wasmBackend, type TensorInfo } from "./util";

const NAME = "Slice";

function slice({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const wasm = wasmBackend(NAME, backend);
  const x = inputs.x;
  if (!x) throw new Error(`${NAME}: missing input x`);
  const begin = attrs?.begin;
  const size = attrs?.size;
  if (x.dtype !== "float32" || !isNumbers(begin) || !isNumbers(size)) return runStock(NAME, wasm, inputs, attrs);
  const [start, shape] = tf.slice_util.parseSliceParams(x, begin, size);
  if (!tf.slice_util.isSliceContinous(x.shape, start, shape)) return runStock(NAME, wasm, inputs, attrs);

  const offset = tf.slice_util.computeFlatOffset(start, tf.util.computeStrides(x.shape));
  const length = tf.util.sizeFromShape(shape);
  const out = wasm.makeOutput(shape, "float32");
  heap(NAME, wasm, out).set(heap(NAME, wasm, x).subarray(offset, offset + length));
  return out;
}

function isNumbers(value: unknown): value is number | number[] {
  return typeof value === "number" || (Array.isArray(value) && value.every((v) => typeof v === "number"));
}

/** The wasm Slice kernel: contiguous blocks copied directly, the rest by the stock kernel — 09-training-lenet-mnist. */
export const sliceKernel: tf.KernelConfig = { kernelName: NAME, backendName: "wasm", kernelFunc: slice };
