// Identity for wasm: the engine runs it to keep each tensor a custom gradient saves for the backward
// pass (25 times in a LeNet-5 step). The stock kernel copies the numbers; this one shares them and
// counts one more reference, as the `cpu` backend does (tensors are never changed in place).
import { tf } from "../../tf";
import { runStock, wasmBackend, type TensorInfo } from "./util";

const NAME = "Identity";

function identity({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const wasm = wasmBackend(NAME, backend);
  const x = inputs.x;
  if (!x) throw new Error(`${NAME}: missing input x`);
  if (x.dtype === "string") return runStock(NAME, wasm, inputs, attrs);
  wasm.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** The wasm Identity kernel: shares its input's numbers instead of copying them — 09-training-lenet-mnist. */
export const identityKernel: tf.KernelConfig = { kernelName: NAME, backendName: "wasm", kernelFunc: identity };
