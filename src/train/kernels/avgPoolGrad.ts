// AvgPoolGrad for wasm: average pooling shares each output's error signal equally among its window.
//
//   dx[n, r, c, d] += dy[n, i, j, d] / (window height · window width)   for every pixel (r, c) of window (i, j)
//
// One pass over dy in plain TypeScript, on the backend's memory: faster than the stock kernel. When the
// windows tile the input exactly (LeNet's 2×2, stride 2, no padding), each error signal is copied to its
// window by one broadcast product in the backend's own code, faster still:
//
//   dx viewed as [n, i, wr, j, wc, d]  =  dy viewed as [n, i, 1, j, 1, d]  ·  (1 / (window height · window width))
import { tf } from "../../tf";
import { free, heap, input, pairAttr, padAttr, run, shape4, wasmBackend, type TensorInfo } from "./util";

const NAME = "AvgPoolGrad";

function avgPoolGrad({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const wasm = wasmBackend(NAME, backend);
  const dy = input(NAME, inputs, "dy");
  const x = input(NAME, inputs, "input");
  const info = tf.backend_util.computePool2DInfo(
    shape4(NAME, "input", x.shape),
    pairAttr(NAME, attrs, "filterSize"),
    pairAttr(NAME, attrs, "strides"),
    1,
    padAttr(NAME, attrs),
  );
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const share = 1 / (filterHeight * filterWidth);
  const { padInfo, strideHeight, strideWidth } = info;
  const noPads = padInfo.top === 0 && padInfo.bottom === 0 && padInfo.left === 0 && padInfo.right === 0;
  const tiles =
    strideHeight === filterHeight &&
    strideWidth === filterWidth &&
    inHeight === outHeight * filterHeight &&
    inWidth === outWidth * filterWidth;
  if (noPads && tiles) {
    const grid = run("Reshape", wasm, { x: dy }, { shape: [batchSize, outHeight, 1, outWidth, 1, channels] });
    const shares = wasm.makeOutput([1, 1, filterHeight, 1, filterWidth, 1], "float32");
    heap(NAME, wasm, shares).fill(share);
    const spread = run("Multiply", wasm, { a: grid, b: shares });
    const dx = run("Reshape", wasm, { x: spread }, { shape: x.shape });
    free(wasm, grid, shares, spread);
    return dx;
  }

  const out = wasm.makeOutput(x.shape, "float32");
  const dx = heap(NAME, wasm, out).fill(0);
  const g = heap(NAME, wasm, dy);
  for (let n = 0; n < batchSize; n++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++) {
        const from = ((n * outHeight + i) * outWidth + j) * channels;
        for (let wr = 0; wr < filterHeight; wr++) {
          const r = i * info.strideHeight - info.padInfo.top + wr;
          if (r < 0 || r >= inHeight) continue;
          for (let wc = 0; wc < filterWidth; wc++) {
            const c = j * info.strideWidth - info.padInfo.left + wc;
            if (c < 0 || c >= inWidth) continue;
            const to = ((n * inHeight + r) * inWidth + c) * channels;
            for (let d = 0; d < channels; d++) dx[to + d] += g[from + d] * share;
          }
        }
      }
    }
  }
  return out;
}

/** The wasm AvgPoolGrad kernel: one pass in TypeScript over the error signal — 09-training-lenet-mnist. */
export const avgPoolGradKernel: tf.KernelConfig = { kernelName: NAME, backendName: "wasm", kernelFunc: avgPoolGrad };
