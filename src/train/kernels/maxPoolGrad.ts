// MaxPoolGrad for wasm: max pooling routes each output's error signal to the one pixel that won its window
// (lecture 002's max-pool backprop; ties go to the first maximum in reading order, as TensorFlow.js does).
//
//   dx[n, r*, c*, d] += dy[n, i, j, d]   where (r*, c*) is the position of the maximum of window (i, j)
import { tf } from "../../tf";
import { heap, input, padAttr, pairAttr, roundingAttr, shape4, wasmBackend, type TensorInfo } from "./util";

const NAME = "MaxPoolGrad";

function maxPoolGrad({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const wasm = wasmBackend(NAME, backend);
  const dy = input(NAME, inputs, "dy");
  const x = input(NAME, inputs, "input");
  const info = tf.backend_util.computePool2DInfo(
    shape4(NAME, "input", x.shape),
    pairAttr(NAME, attrs, "filterSize"),
    pairAttr(NAME, attrs, "strides"),
    1,
    padAttr(NAME, attrs),
    roundingAttr(NAME, attrs),
  );
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, filterHeight, filterWidth } = info;

  const out = wasm.makeOutput(x.shape, "float32");
  const dx = heap(NAME, wasm, out).fill(0);
  const g = heap(NAME, wasm, dy);
  const xs = heap(NAME, wasm, x);
  for (let n = 0; n < batchSize; n++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++) {
        for (let d = 0; d < channels; d++) {
          let best = Number.NEGATIVE_INFINITY;
          let winner = -1; // index into x of the window's maximum
          for (let wr = 0; wr < filterHeight; wr++) {
            const r = i * info.strideHeight - info.padInfo.top + wr;
            if (r < 0 || r >= inHeight) continue;
            for (let wc = 0; wc < filterWidth; wc++) {
              const c = j * info.strideWidth - info.padInfo.left + wc;
              if (c < 0 || c >= inWidth) continue;
              const at = ((n * inHeight + r) * inWidth + c) * channels + d;
              if (xs[at] > best) {
                best = xs[at];
                winner = at;
              }
            }
          }
          if (winner >= 0) dx[winner] += g[((n * outHeight + i) * outWidth + j) * channels + d];
        }
      }
    }
  }
  return out;
}

/** The wasm MaxPoolGrad kernel: each error signal goes to its window's maximum — 09-training-lenet-mnist. */
export const maxPoolGradKernel: tf.KernelConfig = { kernelName: NAME, backendName: "wasm", kernelFunc: maxPoolGrad };
