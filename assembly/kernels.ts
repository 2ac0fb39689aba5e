// The training kernels that TensorFlow.js's wasm backend has no fast code for, in AssemblyScript
// (TypeScript's syntax, compiled to WebAssembly with SIMD by `npm run build`). The module has no
// memory of its own: it works inside the backend's memory, on the tensors the backend allocated,
// so nothing is copied in or out. Every pointer is a byte offset there; every tensor is float32,
// channels last (NHWC). The matrix products stay in the backend (XNNPACK); these are the loops
// around them. The functions over windows (patches, pooling) take the window geometry in one order:
// n, h, w, channels, kh, kw, top, left, outH, outW, strideH, strideW. Each one is tested equal to TensorFlow.js's `cpu` kernels (tests/train-kernels.test.ts).

/** The float at index `i` of the array at `p`. */
function get(p: usize, i: i32): f32 {
  return load<f32>(p + ((<usize>i) << 2));
}

function set(p: usize, i: i32, v: f32): void {
  store<f32>(p + ((<usize>i) << 2), v);
}

function fill(p: usize, n: i32, v: f32): void {
  let k = 0;
  const vv = f32x4.splat(v);
  for (; k + 4 <= n; k += 4) v128.store(p + ((<usize>k) << 2), vv);
  for (; k < n; k++) set(p, k, v);
}

/** dst[k] += src[k]·a for k < n. */
function addScaled(dst: usize, src: usize, n: i32, a: f32): void {
  const va = f32x4.splat(a);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const at = (<usize>k) << 2;
    v128.store(dst + at, f32x4.add(v128.load(dst + at), f32x4.mul(v128.load(src + at), va)));
  }
  for (; k < n; k++) set(dst, k, get(dst, k) + get(src, k) * a);
}

/**
 * Patches of x as the columns of a matrix, for W̄ = Pᵀ·z̄ (the convolution as a matrix product):
 *
 *   Pᵀ[(i, j, c), (n, r, s)] = x[n, r·strideH + i − top, s·strideW + j − left, c]   (0 outside x)
 *
 * x is [n, h, w, channels]; out is [kh·kw·channels, n·outH·outW].
 */
export function patchesT(
  x: usize,
  out: usize,
  n: i32,
  h: i32,
  w: i32,
  channels: i32,
  kh: i32,
  kw: i32,
  top: i32,
  left: i32,
  outH: i32,
  outW: i32,
  strideH: i32,
  strideW: i32,
): void {
  let o = out;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      // Output columns s whose input column s·strideW + j − left is inside x: first ≤ s < last.
      let first = 0;
      while (first < outW && first * strideW + j - left < 0) first++;
      let last = outW;
      while (last > first && (last - 1) * strideW + j - left >= w) last--;
      for (let c = 0; c < channels; c++) {
        for (let b = 0; b < n; b++) {
          for (let r = 0; r < outH; r++) {
            const row = r * strideH + i - top;
            if (row < 0 || row >= h) {
              fill(o, outW, 0);
            } else {
              fill(o, first, 0);
              const from = x + ((<usize>((b * h + row) * w) * <usize>channels + <usize>c) << 2);
              const col = first * strideW + j - left;
              if (channels == 1 && strideW == 1) {
                // One channel, stride 1: a contiguous run, copied four at a time.
                const src = from + ((<usize>col) << 2);
                const dst = o + ((<usize>first) << 2);
                const count = last - first;
                let k = 0;
                for (; k + 4 <= count; k += 4) v128.store(dst + ((<usize>k) << 2), v128.load(src + ((<usize>k) << 2)));
                for (; k < count; k++) set(dst, k, get(src, k));
              } else {
                const step = strideW * channels;
                for (let s = first, at = col * channels; s < last; s++, at += step) set(o, s, get(from, at));
              }
              fill(o + ((<usize>last) << 2), outW - last, 0);
            }
            o += (<usize>outW) << 2;
          }
        }
      }
    }
  }
}

/** Which activation a layer had: its derivative is written with the layer's output y. */
const LINEAR = 0;
const RELU = 1;
const TANH = 2;
const SIGMOID = 3;

/**
 * The error signal before the activation and the bias gradient, in one pass (lecture 002's bar notation):
 *
 *   z̄ = ȳ · f′(z)   (tanh: 1 − y², sigmoid: y·(1 − y), relu: 1 where y > 0),   b̄[c] = Σ z̄ over all pixels
 *
 * dy, y and dz hold `pixels · channels` numbers; db gets `channels` (skipped when `withBias` is 0).
 */
export function activationGrad(
  activation: i32,
  dy: usize,
  y: usize,
  dz: usize,
  db: usize,
  pixels: i32,
  channels: i32,
  withBias: i32,
): void {
  const total = pixels * channels;
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= total; k += 4) {
    const at = (<usize>k) << 2;
    const g = v128.load(dy + at);
    const v = v128.load(y + at);
    let d = g;
    if (activation == TANH) d = f32x4.mul(g, f32x4.sub(one, f32x4.mul(v, v)));
    else if (activation == SIGMOID) d = f32x4.mul(g, f32x4.mul(v, f32x4.sub(one, v)));
    else if (activation == RELU) d = v128.and(g, f32x4.gt(v, zero));
    v128.store(dz + at, d);
  }
  for (; k < total; k++) {
    const g = get(dy, k);
    const v = get(y, k);
    let d = g;
    if (activation == TANH) d = g * (1 - v * v);
    else if (activation == SIGMOID) d = g * v * (1 - v);
    else if (activation == RELU) d = v > 0 ? g : 0;
    set(dz, k, d);
  }
  if (withBias == 0) return;
  // One sum per channel (four channels at a time when they come in fours), kept in a register.
  const stride = (<usize>channels) << 2;
  let c = 0;
  if (channels % 4 == 0) {
    for (; c < channels; c += 4) {
      let sum = f32x4.splat(0);
      for (let p = 0, at = dz + ((<usize>c) << 2); p < pixels; p++, at += stride) sum = f32x4.add(sum, v128.load(at));
      v128.store(db + ((<usize>c) << 2), sum);
    }
  }
  for (; c < channels; c++) {
    let sum: f32 = 0;
    for (let p = 0, at = dz + ((<usize>c) << 2); p < pixels; p++, at += stride) sum += load<f32>(at);
    set(db, c, sum);
  }
}

/** out = a·x + b for `count` numbers (out may be x): tanh(z) = 2·σ(2z) − 1 after the backend's sigmoid. */
export function affine(x: usize, out: usize, count: i32, a: f32, b: f32): void {
  const va = f32x4.splat(a);
  const vb = f32x4.splat(b);
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    const at = (<usize>k) << 2;
    v128.store(out + at, f32x4.add(f32x4.mul(v128.load(x + at), va), vb));
  }
  for (; k < count; k++) set(out, k, get(x, k) * a + b);
}

/**
 * Average pooling's gradient: each window shares its error signal equally among its pixels.
 *
 *   dx[n, r, c, d] += dy[n, i, j, d] / (kh · kw)   for every pixel (r, c) of window (i, j) inside x
 *
 * dy is [n, outH, outW, channels], dx is [n, h, w, channels] (overwritten).
 */
export function avgPoolGrad(
  dy: usize,
  dx: usize,
  n: i32,
  h: i32,
  w: i32,
  channels: i32,
  kh: i32,
  kw: i32,
  top: i32,
  left: i32,
  outH: i32,
  outW: i32,
  strideH: i32,
  strideW: i32,
): void {
  fill(dx, n * h * w * channels, 0);
  const share: f32 = 1 / <f32>(kh * kw);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        const from = ((b * outH + i) * outW + j) * channels;
        for (let wr = 0; wr < kh; wr++) {
          const r = i * strideH - top + wr;
          if (r < 0 || r >= h) continue;
          for (let wc = 0; wc < kw; wc++) {
            const c = j * strideW - left + wc;
            if (c < 0 || c >= w) continue;
            const to = ((b * h + r) * w + c) * channels;
            addScaled(dx + ((<usize>to) << 2), dy + ((<usize>from) << 2), channels, share);
          }
        }
      }
    }
  }
}

/**
 * The reverse of the patches, for x̄ of a convolution: each row of `cols` ([n·outH·outW, kh·kw·channels],
 * a patch's error signals) is added back where its patch came from in dx ([n, h, w, channels], overwritten).
 */
export function addPatches(
  cols: usize,
  dx: usize,
  n: i32,
  h: i32,
  w: i32,
  channels: i32,
  kh: i32,
  kw: i32,
  top: i32,
  left: i32,
  outH: i32,
  outW: i32,
  strideH: i32,
  strideW: i32,
): void {
  fill(dx, n * h * w * channels, 0);
  let from = cols;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < outH; r++) {
      for (let s = 0; s < outW; s++) {
        const c0 = s * strideW - left;
        for (let i = 0; i < kh; i++) {
          const row = r * strideH + i - top;
          if (row >= 0 && row < h) {
            const to = dx + ((<usize>((b * h + row) * w * channels)) << 2);
            if (c0 >= 0 && c0 + kw <= w) addScaled(to + ((<usize>(c0 * channels)) << 2), from, kw * channels, 1);
            else
              for (let j = 0; j < kw; j++) {
                const col = c0 + j;
                if (col >= 0 && col < w)
                  addScaled(to + ((<usize>(col * channels)) << 2), from + ((<usize>(j * channels)) << 2), channels, 1);
              }
          }
          from += (<usize>(kw * channels)) << 2;
        }
      }
    }
  }
}
