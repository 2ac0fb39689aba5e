// Convolution by hand (lectures 000, 001, 002, 003, 004): cross-correlation and true convolution,
// 1-D signals, channels and kernel banks, batches.
//
// Input and kernel are ndarray views (`view.ts`), so every read is the view formula
//
//     x[i][j]  =  data[offset + i·stride[0] + j·stride[1]]
//
// and where the kernel goes (output size, stride, padding, dilation) is resolved first by `geometry.ts`.
import ndarray from "ndarray";
import { cells, describe as formatValue, knownOptions, oneOf } from "./args";
import { geometry, options1d, orDefault, resolvePadding } from "./geometry";
import type { Conv1dOptions, Conv2dOptions, Geometry, Sides } from "./geometry";
import { at, contiguous, isView, toMatrix, toView, toVolume } from "./view";
import type { KernelBank, Matrix, NumericData, View, Volume } from "./view";

// ---------------------------------------------------------------------------------------------
// Cross-correlation: the loop the slides do by hand
// ---------------------------------------------------------------------------------------------

/**
 * Slide the kernel K over the input X and write each sum of products into `out` (outH×outW, row-major):
 *
 *     Y[i][j] = Σ_u Σ_v  X[i·s + u·d − top][j·s + v·d − left] · K[u][v]
 *
 * An input position outside X is zero padding and adds nothing.
 */
function correlateViews(X: View, K: View, g: Geometry, out: Float64Array): void {
  for (let i = 0; i < g.outH; i++) {
    for (let j = 0; j < g.outW; j++) {
      let sum = 0;
      for (let u = 0; u < g.kH; u++) {
        for (let v = 0; v < g.kW; v++) {
          const row = i * g.strideH + u * g.dilationH - g.padding.top;
          const col = j * g.strideW + v * g.dilationW - g.padding.left;
          const inside = row >= 0 && row < g.inH && col >= 0 && col < g.inW;
          if (inside) sum += at(X, row, col) * at(K, u, v);
        }
      }
      out[i * g.outW + j] += sum;
    }
  }
}

/** Flip a kernel upside down and left to right, as a view: only the strides change sign. */
function flipView(K: View): View {
  return K.step(-1, -1);
}

function rowsOf(out: Float64Array, h: number, w: number): Matrix {
  const rows: Matrix = [];
  for (let i = 0; i < h; i++) rows.push(Array.from(out.subarray(i * w, (i + 1) * w)));
  return rows;
}

const CONV_KEYS = ["stride", "padding", "dilation"] as const;
const LAYER_KEYS = [...CONV_KEYS, "bias"] as const;
const BATCH_KEYS = [...LAYER_KEYS, "method"] as const;

/** Cross-correlation W * x as the slides compute it (what CNNs call convolution; lecture 002) — 04-convolution-by-hand. */
export function correlate2d(input: Matrix | View, kernel: Matrix | View, options: Conv2dOptions = {}): Matrix {
  const fn = "conv.correlate2d";
  knownOptions(fn, options, CONV_KEYS);
  const X = toView(fn, "input", input, 2);
  const K = toView(fn, "kernel", kernel, 2);
  const g = geometry(fn, [X.shape[0], X.shape[1]], [K.shape[0], K.shape[1]], options);
  const out = new Float64Array(g.outH * g.outW);
  correlateViews(X, K, g, out);
  return rowsOf(out, g.outH, g.outW);
}

/** True convolution: the kernel flipped in both directions, then cross-correlation (lecture 002) — 04-convolution-by-hand. */
export function convolve2d(input: Matrix | View, kernel: Matrix | View, options: Conv2dOptions = {}): Matrix {
  const fn = "conv.convolve2d";
  knownOptions(fn, options, CONV_KEYS);
  const X = toView(fn, "input", input, 2);
  const K = flipView(toView(fn, "kernel", kernel, 2));
  const g = geometry(fn, [X.shape[0], X.shape[1]], [K.shape[0], K.shape[1]], options);
  const out = new Float64Array(g.outH * g.outW);
  correlateViews(X, K, g, out);
  return rowsOf(out, g.outH, g.outW);
}

/** How `pad2d` fills the border: zeros (what convolution layers do) or copies of the nearest edge pixel. */
export type PadMode = "zero" | "replicate";

/** The input with padding added around it, e.g. to show the zero frame the kernel slides over — 04-convolution-by-hand. */
export function pad2d(input: Matrix | View, padding: number | [number, number] | Sides, mode: PadMode = "zero"): Matrix {
  const fn = "conv.pad2d";
  const X = toView(fn, "input", input, 2);
  if (typeof padding === "string")
    throw new Error(`${fn}: padding must be a number, [h, w] or {top, bottom, left, right}, got ${formatValue(padding)}`);
  oneOf(fn, "mode", mode, ["zero", "replicate"] as const);
  const [h, w] = [X.shape[0], X.shape[1]];
  const p = resolvePadding(padding, { input: [h, w], kernel: [1, 1] }, fn);
  cells(fn, "the padded input", [h + p.top + p.bottom, w + p.left + p.right]);
  const clamp = (v: number, n: number): number => Math.min(Math.max(v, 0), n - 1);
  const rows: Matrix = [];
  for (let i = -p.top; i < h + p.bottom; i++) {
    const row: number[] = [];
    for (let j = -p.left; j < w + p.right; j++) {
      const inside = i >= 0 && i < h && j >= 0 && j < w;
      if (inside) row.push(at(X, i, j));
      else row.push(mode === "zero" ? 0 : at(X, clamp(i, h), clamp(j, w)));
    }
    rows.push(row);
  }
  return rows;
}

/** The kernel turned by 180°, which true convolution uses — 04-convolution-by-hand. */
export function flipKernel(kernel: Matrix | View): Matrix {
  return toMatrix(flipView(toView("conv.flipKernel", "kernel", kernel, 2)));
}

/** Lecture 003's filtering: the sum of products divided by the number of pixels in the feature (a match score in [−1, 1] for ±1 images) — 07-pooling-relu-x-vs-o. */
export function normalizedFilter(image: Matrix | View, feature: Matrix | View, options: Conv2dOptions = {}): Matrix {
  const fn = "conv.normalizedFilter";
  knownOptions(fn, options, CONV_KEYS);
  const X = toView(fn, "image", image, 2);
  const K = toView(fn, "feature", feature, 2);
  const g = geometry(fn, [X.shape[0], X.shape[1]], [K.shape[0], K.shape[1]], options);
  const out = new Float64Array(g.outH * g.outW);
  correlateViews(X, K, g, out);
  const pixels = g.kH * g.kW;
  return rowsOf(
    out.map((v) => v / pixels),
    g.outH,
    g.outW,
  );
}

// ---------------------------------------------------------------------------------------------
// 1-D convolution (lecture 003)
// ---------------------------------------------------------------------------------------------

function correlate1dWith(fn: string, input: number[], kernel: number[], options: Conv1dOptions, flip: boolean): number[] {
  knownOptions(fn, options, CONV_KEYS);
  const x = toView(fn, "input", input, 1);
  const k = toView(fn, "kernel", kernel, 1);
  // A 1-D signal is a 2-D view with one row: the same data, shape [1, n].
  const X = ndarray(x.data, [1, x.shape[0]], [0, x.stride[0]], x.offset);
  const K = ndarray(k.data, [1, k.shape[0]], [0, k.stride[0]], k.offset);
  const g = geometry(fn, [1, x.shape[0]], [1, k.shape[0]], options1d(fn, options, x.shape[0], k.shape[0]));
  const out = new Float64Array(g.outW);
  correlateViews(X, flip ? flipView(K) : K, g, out);
  return Array.from(out);
}

/** 1-D cross-correlation of a signal with a kernel (lecture 003: filter size, stride, padding) — 07-pooling-relu-x-vs-o. */
export function correlate1d(input: number[], kernel: number[], options: Conv1dOptions = {}): number[] {
  return correlate1dWith("conv.correlate1d", input, kernel, options, false);
}

/** 1-D true convolution (the kernel reversed) — 07-pooling-relu-x-vs-o. */
export function convolve1d(input: number[], kernel: number[], options: Conv1dOptions = {}): number[] {
  return correlate1dWith("conv.convolve1d", input, kernel, options, true);
}

// ---------------------------------------------------------------------------------------------
// Channels and kernel banks (lecture 000: W is h_κ × w_κ × c × k, one bias per kernel)
// ---------------------------------------------------------------------------------------------

/** Options of a convolution layer: stride, padding, dilation and one bias per kernel — 06-channels-and-filters. */
export interface ConvLayerOptions extends Conv2dOptions {
  /** One number per kernel, added to every cell of that kernel's map (default 0). */
  bias?: number[];
}

function biasOption(fn: string, bias: unknown, k: number): number[] {
  if (bias === undefined) return new Array<number>(k).fill(0);
  if (!Array.isArray(bias) || bias.length !== k) {
    throw new Error(`${fn}: bias must be an array of ${k} numbers (one per kernel), got ${formatValue(bias)}`);
  }
  bias.forEach((b, i) => {
    if (typeof b !== "number" || !Number.isFinite(b)) throw new Error(`${fn}: bias[${i}] must be a finite number, got ${formatValue(b)}`);
  });
  return bias;
}

/** Check the input's channels match the bank's, and resolve the geometry. */
function layerGeometry(fn: string, X: View, W: View, options: ConvLayerOptions): Geometry {
  const c = X.shape[X.shape.length - 1];
  if (W.shape[2] !== c) {
    throw new Error(
      `${fn}: kernels have ${W.shape[2]} channels (shape ${W.shape.join("×")}) but the input has ${c} (shape ${X.shape.join("×")})`,
    );
  }
  const h = X.shape[X.shape.length - 3];
  const w = X.shape[X.shape.length - 2];
  return geometry(fn, [h, w], [W.shape[0], W.shape[1]], options);
}

/**
 * One output map per kernel: sum over the channels of (channel c of the input) ⋆ (channel c of kernel k), plus bias k.
 * `input` is h×w×c and `kernels` h_κ×w_κ×c×k; the result is h'×w'×k — 06-channels-and-filters.
 */
export function conv2d(input: Volume | View, kernels: KernelBank | View, options: ConvLayerOptions = {}): Volume {
  const fn = "conv.conv2d";
  knownOptions(fn, options, LAYER_KEYS);
  const X = toView(fn, "input", input, 3);
  const W = toView(fn, "kernels", kernels, 4);
  const g = layerGeometry(fn, X, W, options);
  const bias = biasOption(fn, options.bias, W.shape[3]);
  const out = ndarray(new Float64Array(g.outH * g.outW * W.shape[3]), [g.outH, g.outW, W.shape[3]]);
  convLayerViews(X, W, bias, g, out);
  return toVolume(out);
}

/** The layer's loop: for each kernel k, add up the per-channel cross-correlations, then the bias. */
function convLayerViews(X: View, W: View, bias: number[], g: Geometry, out: View): void {
  const channels = X.shape[2];
  const map = new Float64Array(g.outH * g.outW);
  for (let k = 0; k < W.shape[3]; k++) {
    map.fill(bias[k]);
    for (let c = 0; c < channels; c++) {
      // X.pick(null, null, c) is channel c of the input; W.pick(null, null, c, k) is kernel k's slice for that channel.
      correlateViews(X.pick(null, null, c), W.pick(null, null, c, k), g, map);
    }
    for (let i = 0; i < g.outH; i++) {
      for (let j = 0; j < g.outW; j++) out.set(i, j, k, map[i * g.outW + j]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Batches: n×h×w×c, the teaching loop over views and a fast path proven equal by the tests
// ---------------------------------------------------------------------------------------------

/** Options of `conv2dBatch`: a layer's options and which loop runs it. */
export interface ConvBatchOptions extends ConvLayerOptions {
  /** 'loop' runs the teaching code image by image; 'fast' (default) runs the flat loop. */
  method?: "loop" | "fast";
}

/** A batch n×h×w×c through a bank h_κ×w_κ×c×k: n×h'×w'×k, like `tf.conv2d` with NHWC data — 06-channels-and-filters. */
export function conv2dBatch(input: View, kernels: View, options: ConvBatchOptions = {}): View {
  const fn = "conv.conv2dBatch";
  knownOptions(fn, options, BATCH_KEYS);
  if (!isView(input)) throw new Error(`${fn}: input must be an ndarray view n×h×w×c, got ${formatValue(input)}`);
  if (!isView(kernels)) throw new Error(`${fn}: kernels must be an ndarray view h×w×c×k, got ${formatValue(kernels)}`);
  const X = toView(fn, "input", input, 4);
  const W = toView(fn, "kernels", kernels, 4);
  const g = layerGeometry(fn, X, W, options);
  const bias = biasOption(fn, options.bias, W.shape[3]);
  const method = orDefault(options.method, "fast");
  const [n, k] = [X.shape[0], W.shape[3]];
  const out = ndarray(new Float64Array(n * g.outH * g.outW * k), [n, g.outH, g.outW, k]);
  if (method === "loop") {
    for (let b = 0; b < n; b++) {
      // Image b of the batch and its output are views into the big arrays: pick(b) only moves the offset.
      convLayerViews(X.pick(b, null, null, null), W, bias, g, out.pick(b, null, null, null));
    }
  } else if (method === "fast") {
    convFast(contiguous(X), contiguous(W), bias, g, n, out.data);
  } else {
    throw new Error(`${fn}: method must be 'loop' or 'fast', got ${formatValue(method)}`);
  }
  return out;
}

/**
 * The same sums as `convLayerViews`, on flat row-major arrays, ordered for speed: for each output pixel, copy the
 * input numbers under the kernel into one row (`patch`, zeros for padding), then each output map is one dot
 * product of that row with the kernel's weights laid out in a row too.
 */
function convFast(x: NumericData, w: NumericData, bias: number[], g: Geometry, n: number, out: Float64Array): void {
  const k = bias.length;
  const { inH, inW, outH, outW, kH, kW, strideH, strideW, dilationH, dilationW } = g;
  const c = w.length / (kH * kW * k);
  const size = kH * kW * c;
  // Weights as k rows of length kH·kW·c: row q holds kernel q in the same (u, v, channel) order as the patch.
  const rowsOfW = new Float64Array(k * size);
  for (let p = 0; p < size; p++) for (let q = 0; q < k; q++) rowsOfW[q * size + p] = w[p * k + q];
  const patch = new Float64Array(size);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        let p = 0;
        for (let u = 0; u < kH; u++) {
          const row = i * strideH + u * dilationH - g.padding.top;
          for (let v = 0; v < kW; v++) {
            const col = j * strideW + v * dilationW - g.padding.left;
            if (row < 0 || row >= inH || col < 0 || col >= inW) {
              for (let ch = 0; ch < c; ch++) patch[p++] = 0;
            } else {
              const xi = ((b * inH + row) * inW + col) * c;
              for (let ch = 0; ch < c; ch++) patch[p++] = x[xi + ch];
            }
          }
        }
        const o = ((b * outH + i) * outW + j) * k;
        let q = 0;
        // Four kernels at a time share each load of the patch.
        for (; q + 4 <= k; q += 4) {
          let [s0, s1, s2, s3] = [bias[q], bias[q + 1], bias[q + 2], bias[q + 3]];
          const [w0, w1, w2, w3] = [q * size, (q + 1) * size, (q + 2) * size, (q + 3) * size];
          for (let t = 0; t < size; t++) {
            const xv = patch[t];
            s0 += xv * rowsOfW[w0 + t];
            s1 += xv * rowsOfW[w1 + t];
            s2 += xv * rowsOfW[w2 + t];
            s3 += xv * rowsOfW[w3 + t];
          }
          out[o + q] = s0;
          out[o + q + 1] = s1;
          out[o + q + 2] = s2;
          out[o + q + 3] = s3;
        }
        for (; q < k; q++) {
          let sum = bias[q];
          const wq = q * size;
          for (let t = 0; t < size; t++) sum += patch[t] * rowsOfW[wq + t];
          out[o + q] = sum;
        }
      }
    }
  }
}
