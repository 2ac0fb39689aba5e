// The training kernels that TensorFlow.js's wasm backend has no fast code for, in AssemblyScript
// (TypeScript's syntax, compiled to WebAssembly with SIMD by `npm run build`). The module has no
// memory of its own: it works inside the backend's memory, on the tensors the backend allocated,
// so nothing is copied in or out. Every pointer is a byte offset there; every tensor is float32,
// channels last (NHWC). The larger matrix products stay in the backend (XNNPACK); convolutions are in
// channels.ts. The functions over windows (patches, pooling) take the window geometry in one order:
// n, h, w, channels, kh, kw, top, left, outH, outW, strideH, strideW. Each one is tested equal to TensorFlow.js's `cpu` kernels (tests/train-kernels.test.ts).

import { fill, get, madd, set } from "./memory";

export { channelsScratch, convFilter, convForward, convInput } from "./channels";

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

/** dst[k] = src[k]·a for k < n. */
function scaled(dst: usize, src: usize, n: i32, a: f32): void {
  const va = f32x4.splat(a);
  let k = 0;
  for (; k + 4 <= n; k += 4) v128.store(dst + ((<usize>k) << 2), f32x4.mul(v128.load(src + ((<usize>k) << 2)), va));
  for (; k < n; k++) set(dst, k, get(src, k) * a);
}

/**
 * avgPoolGrad for windows that tile x from its top-left corner (strides = window, LeNet-5's 2×2): every
 * pixel of x is in one window at most, so its share is written, not added, row by row of x; the pixels
 * no window covers (the last rows and columns, when the windows do not fit exactly) are zeroed.
 */
function tiledPoolGrad(
  dy: usize,
  dx: usize,
  n: i32,
  h: i32,
  w: i32,
  channels: i32,
  kh: i32,
  kw: i32,
  outH: i32,
  outW: i32,
  share: f32,
): void {
  const rows = min(h, outH * kh);
  const windows = min(outW, (w + kw - 1) / kw);
  const covered = min(w, windows * kw); // columns inside a window
  for (let b = 0; b < n; b++)
    for (let r = 0; r < h; r++) {
      const to = dx + ((<usize>((b * h + r) * w * channels)) << 2);
      if (r >= rows) {
        fill(to, w * channels, 0);
        continue;
      }
      const from = dy + ((<usize>((b * outH + r / kh) * outW * channels)) << 2);
      for (let j = 0; j < windows; j++) {
        const last = min(kw, w - j * kw);
        for (let q = 0; q < last; q++)
          scaled(to + ((<usize>((j * kw + q) * channels)) << 2), from + ((<usize>(j * channels)) << 2), channels, share);
      }
      if (covered < w) fill(to + ((<usize>(covered * channels)) << 2), (w - covered) * channels, 0);
    }
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
  const share: f32 = 1 / <f32>(kh * kw);
  if (strideH == kh && strideW == kw && top == 0 && left == 0) {
    tiledPoolGrad(dy, dx, n, h, w, channels, kh, kw, outH, outW, share);
    return;
  }
  fill(dx, n * h * w * channels, 0);
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

/**
 * One Adam step over `count` weights, in place (FlatAdam, src/train/adam.ts):
 *
 *   m ← β₁·m + (1 − β₁)·g      v ← β₂·v + (1 − β₂)·g²      w ← w − rate·m / (√v·root + ε)
 *
 * where rate and root already hold the bias corrections (rate / (1 − β₁ᵗ), 1 / √(1 − β₂ᵗ)).
 */
export function adam(w: usize, g: usize, m: usize, v: usize, count: i32, beta1: f32, beta2: f32, rate: f32, root: f32, epsilon: f32): void {
  const b1 = f32x4.splat(beta1),
    c1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2),
    c2 = f32x4.splat(1 - beta2);
  const r = f32x4.splat(rate),
    q = f32x4.splat(root),
    e = f32x4.splat(epsilon);
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    const at = (<usize>k) << 2;
    const gk = v128.load(g + at);
    const mk = f32x4.add(f32x4.mul(b1, v128.load(m + at)), f32x4.mul(c1, gk));
    const vk = f32x4.add(f32x4.mul(b2, v128.load(v + at)), f32x4.mul(c2, f32x4.mul(gk, gk)));
    v128.store(m + at, mk);
    v128.store(v + at, vk);
    v128.store(w + at, f32x4.sub(v128.load(w + at), f32x4.div(f32x4.mul(r, mk), f32x4.add(f32x4.mul(f32x4.sqrt(vk), q), e))));
  }
  for (; k < count; k++) {
    const gk = get(g, k);
    const mk = beta1 * get(m, k) + (1 - beta1) * gk;
    const vk = beta2 * get(v, k) + (1 - beta2) * gk * gk;
    set(m, k, mk);
    set(v, k, vk);
    set(w, k, get(w, k) - (rate * mk) / (sqrt<f32>(vk) * root + epsilon));
  }
}

/**
 * A matrix product with a bias, for the small products of dense layers (a batch of rows at a time):
 *
 *   C[i, j] = Σ over l of A[i, l] · B[l, j]  (+ bias[j] when withBias is 1)
 *
 * A is [m, k], B is [k, n] and C is [m, n], all row by row. The backend's product first repacks B,
 * which costs more than the product itself when B is new at every call (weights, during training) and
 * m is a batch of 64. Four rows of A and eight columns of B at a time: eight sums of four at once.
 */
export function matmul(a: usize, b: usize, c: usize, bias: usize, m: i32, k: i32, n: i32, withBias: i32): void {
  for (let i = 0; i < m; i += 4) {
    // Rows i..i+3 of A (the last block repeats row m − 1 and keeps only the real rows).
    const r1 = min(i + 1, m - 1),
      r2 = min(i + 2, m - 1),
      r3 = min(i + 3, m - 1);
    const a0 = a + ((<usize>(i * k)) << 2),
      a1 = a + ((<usize>(r1 * k)) << 2);
    const a2 = a + ((<usize>(r2 * k)) << 2),
      a3 = a + ((<usize>(r3 * k)) << 2);
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      let s0 = f32x4.splat(0),
        s1 = s0;
      if (withBias) {
        s0 = v128.load(bias + ((<usize>j) << 2));
        s1 = v128.load(bias + ((<usize>j) << 2), 16);
      }
      let p0 = s0,
        p1 = s1,
        q0 = s0,
        q1 = s1,
        u0 = s0,
        u1 = s1,
        v0 = s0,
        v1 = s1;
      let col = b + ((<usize>j) << 2);
      for (let l = 0; l < k; l++) {
        const b0 = v128.load(col),
          b1 = v128.load(col, 16);
        const at = (<usize>l) << 2;
        const x0 = v128.load32_splat(a0 + at),
          x1 = v128.load32_splat(a1 + at);
        const x2 = v128.load32_splat(a2 + at),
          x3 = v128.load32_splat(a3 + at);
        p0 = madd(x0, b0, p0);
        p1 = madd(x0, b1, p1);
        q0 = madd(x1, b0, q0);
        q1 = madd(x1, b1, q1);
        u0 = madd(x2, b0, u0);
        u1 = madd(x2, b1, u1);
        v0 = madd(x3, b0, v0);
        v1 = madd(x3, b1, v1);
        col += (<usize>n) << 2;
      }
      const out = c + ((<usize>(i * n + j)) << 2);
      const row = (<usize>n) << 2;
      v128.store(out, p0);
      v128.store(out, p1, 16);
      if (i + 1 < m) {
        v128.store(out + row, q0);
        v128.store(out + row, q1, 16);
      }
      if (i + 2 < m) {
        v128.store(out + 2 * row, u0);
        v128.store(out + 2 * row, u1, 16);
      }
      if (i + 3 < m) {
        v128.store(out + 3 * row, v0);
        v128.store(out + 3 * row, v1, 16);
      }
    }
    // The last n mod 8 columns, one number at a time.
    for (; j < n; j++) {
      const last = min(i + 4, m);
      for (let r = i; r < last; r++) {
        let sum: f32 = withBias ? get(bias, j) : 0;
        const row = a + ((<usize>(r * k)) << 2);
        for (let l = 0; l < k; l++) sum += get(row, l) * get(b, l * n + j);
        set(c, r * n + j, sum);
      }
    }
  }
}
