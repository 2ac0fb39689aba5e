// Convolutions of many-channel images (LeNet-5's C3 and the deeper nets' layers) as matrix products
// read straight from the images, forward, x̄ and W̄. For output pixel p = (n, r, s), its patch is the
// row of numbers under the kernel: kh rows of the image, each kw·channels numbers that follow one
// another in memory (channels last). So the "matrix of patches" is never built: a row of it is kh
// pointers into x, and each product below keeps a block of 4 × 8 sums in registers:
//
//   forward:  z[p, k]        = b[k] + Σ over l of patch_p[l] · W[l, k]          (l = (i, j, c), W as [kh·kw·c, K])
//   x̄:       patch_p[l]     += Σ over k of z̄[p, k] · W[l, k]                  (each patch's share added back into x̄)
//   W̄:       W̄[l, k]        = Σ over p of patch_p[l] · z̄[p, k]
//
// Padding is a zeroed copy of the images (x̄: computed on one, then cut out), so the loops have no edges.
// Blocks that would run past the end of a row of patch numbers, or of the K kernels, start earlier
// instead and overlap the block before: a stored result is then stored twice, the same; in x̄, where
// results are added, the repeated part of the kernel is zero. Like the backend's own convolutions,
// the padding is multiplied by zero too (an infinite number gives NaN where the `cpu` kernel may give ±∞).
// The geometry is the window functions' (n, h, w, channels, kh, kw, top, left, outH, outW, strides).
import { fill, get, madd, set } from "./memory";

/** Rows (or columns) of input the windows reach: (out − 1)·stride + kernel. */
function reach(out: i32, stride: i32, kernel: i32): i32 {
  return (out - 1) * stride + kernel;
}

/** Whether the windows reach outside the image: then the loops work on a zero-padded copy. */
function padded(h: i32, w: i32, kh: i32, kw: i32, top: i32, left: i32, outH: i32, outW: i32, strideH: i32, strideW: i32): bool {
  return top > 0 || left > 0 || reach(outH, strideH, kh) > h || reach(outW, strideW, kw) > w;
}

function align4(count: i32): i32 {
  return (count + 3) & ~3;
}

/** Where a block of `size` numbers starts so that it ends at the end of `total` (the last, overlapping block). */
function blockStart(q: i32, blocks: i32, size: i32, total: i32): i32 {
  return q == blocks - 1 ? total - size : q * size;
}

/** Numbers of the scratch's second part: a row of zeros (x̄), a pixel's spilled sums (forward) or the last rows of z̄ (W̄). */
function rowsSize(kernels: i32): i32 {
  return align4(max(kernels, 64));
}

/** Where the scratch's third part starts (in numbers): W̄'s sums, x̄'s turned kernel, or the forward pass's widened kernel and bias. */
function workAt(pixels: i32, kernels: i32): i32 {
  return align4(pixels) + rowsSize(kernels);
}

/** Numbers the scratch holds before the padded copy. */
function workSize(pixels: i32, kernels: i32, kh: i32, row: i32): i32 {
  const sums = ((kh * row + 3) >> 2) * ((kernels + 7) >> 3) * 32;
  const turned = kernels * kh * ((row + 7) >> 3) * 8;
  const widened = kh * row * 8 + 8;
  return workAt(pixels, kernels) + align4(max(max(sums, turned), widened));
}

/** How many last pixels' 8 numbers from where their row starts would run past the end of a [pixels, kernels] tensor (kernels < 8). */
function overrun(pixels: i32, kernels: i32): i32 {
  return kernels < 8 ? min(7 / kernels, pixels) : 0;
}

/** Numbers of scratch the three functions below need for `kernels` output channels. */
export function channelsScratch(
  kernels: i32,
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
): i32 {
  const copy = padded(h, w, kh, kw, top, left, outH, outW, strideH, strideW)
    ? n * reach(outH, strideH, kh) * reach(outW, strideW, kw) * channels
    : 0;
  return workSize(n * outH * outW, kernels, kh, kw * channels) + copy;
}

/** x placed at (top, left) in zeroed images of hp × wp pixels at `out`. */
function padImages(x: usize, out: usize, n: i32, h: i32, w: i32, c: i32, top: i32, left: i32, hp: i32, wp: i32): void {
  fill(out, n * hp * wp * c, 0);
  const rows = min(h, hp - top);
  const count = (<usize>(max(0, min(w, wp - left)) * c)) << 2;
  for (let b = 0; b < n; b++)
    for (let r = 0; r < rows; r++) {
      const from = x + ((<usize>((b * h + r) * w * c)) << 2);
      const to = out + ((<usize>(((b * hp + r + top) * wp + left) * c)) << 2);
      memory.copy(to, from, count);
    }
}

/** The part of images of hp × wp pixels at (top, left) into images of h × w pixels (zero where they end). */
function cropImages(from: usize, dx: usize, n: i32, h: i32, w: i32, c: i32, top: i32, left: i32, hp: i32, wp: i32): void {
  fill(dx, n * h * w * c, 0);
  const rows = min(h, hp - top);
  const count = (<usize>(max(0, min(w, wp - left)) * c)) << 2;
  for (let b = 0; b < n; b++)
    for (let r = 0; r < rows; r++) {
      const to = dx + ((<usize>((b * h + r) * w * c)) << 2);
      const at = from + ((<usize>(((b * hp + r + top) * wp + left) * c)) << 2);
      memory.copy(to, at, count);
    }
}

/** Byte offsets of every output pixel's first patch number in images of hp × wp pixels, at `table`. */
function pixelOffsets(table: usize, n: i32, c: i32, hp: i32, wp: i32, outH: i32, outW: i32, strideH: i32, strideW: i32): void {
  let p = 0;
  for (let b = 0; b < n; b++)
    for (let r = 0; r < outH; r++)
      for (let s = 0; s < outW; s++) {
        store<i32>(table + ((<usize>p) << 2), ((b * hp + r * strideH) * wp + s * strideW) * c * 4);
        p++;
      }
}

/**
 * The images the loops read: `x` itself, or, when `copy`, a zero-padded copy in scratch that holds x's
 * numbers when `withX` (forward, W̄) and only zeros otherwise (x̄, whose sums go there; x itself is then
 * zeroed too). Every output pixel's offset into them goes into the scratch's table.
 */
function loopImages(
  x: usize,
  scratch: usize,
  kernels: i32,
  copy: bool,
  withX: bool,
  n: i32,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  top: i32,
  left: i32,
  outH: i32,
  outW: i32,
  strideH: i32,
  strideW: i32,
): usize {
  const hp = copy ? reach(outH, strideH, kh) : h;
  const wp = copy ? reach(outW, strideW, kw) : w;
  let images = x;
  if (copy) {
    images = scratch + ((<usize>workSize(n * outH * outW, kernels, kh, kw * c)) << 2);
    if (withX) padImages(x, images, n, h, w, c, top, left, hp, wp);
  }
  if (!withX) fill(images, n * hp * wp * c, 0);
  pixelOffsets(scratch, n, c, hp, wp, outH, outW, strideH, strideW);
  return images;
}

/**
 * The forward product, z = patches · W (+ b), at `out` ([n, outH, outW, kernels]); W is [kh, kw, c, kernels],
 * b [kernels] when withBias is 1. Fewer than 8 kernels: W and b are widened to 8 with zeros, and each
 * pixel's 8 sums are stored where its row of z starts (the extra ones are overwritten by the next pixel's;
 * the last pixels' go through scratch).
 */
export function convForward(
  x: usize,
  filter: usize,
  bias: usize,
  out: usize,
  scratch: usize,
  kernels: i32,
  withBias: i32,
  n: i32,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  top: i32,
  left: i32,
  outH: i32,
  outW: i32,
  strideH: i32,
  strideW: i32,
): void {
  const pixels = n * outH * outW;
  const row = kw * c; // patch numbers in one image row
  const table = scratch;
  const spill = scratch + ((<usize>align4(pixels)) << 2); // a narrow last pixel's 8 sums
  const copy = padded(h, w, kh, kw, top, left, outH, outW, strideH, strideW);
  const wp = copy ? reach(outW, strideW, kw) : w;
  const images = loopImages(x, scratch, kernels, copy, true, n, h, w, c, kh, kw, top, left, outH, outW, strideH, strideW);
  const kStep = (<usize>kernels) << 2;
  const narrow = kernels < 8;
  let weights = filter,
    wStep = kStep,
    biases = bias,
    blocks = (kernels + 7) >> 3;
  if (narrow) {
    weights = scratch + ((<usize>workAt(pixels, kernels)) << 2);
    wStep = 32;
    biases = weights + ((<usize>(kh * row * 8)) << 2);
    blocks = 1;
    for (let l = 0; l < kh * row; l++) for (let k = 0; k < 8; k++) set(weights, l * 8 + k, k < kernels ? get(filter, l * kernels + k) : 0);
    for (let k = 0; k < 8; k++) set(biases, k, k < kernels && withBias ? get(bias, k) : 0);
  }
  const rowStep = (<usize>(wp * c)) << 2;
  const safe = pixels - overrun(pixels, kernels); // pixels whose 8 sums stay inside z
  for (let p = 0; p < pixels; p += 4) {
    // Pixels p..p+3 (past the end: the last pixel again, stored twice).
    const p1 = min(p + 1, pixels - 1),
      p2 = min(p + 2, pixels - 1),
      p3 = min(p + 3, pixels - 1);
    const x0 = images + <usize>load<i32>(table + ((<usize>p) << 2)),
      x1 = images + <usize>load<i32>(table + ((<usize>p1) << 2)),
      x2 = images + <usize>load<i32>(table + ((<usize>p2) << 2)),
      x3 = images + <usize>load<i32>(table + ((<usize>p3) << 2));
    for (let q = 0; q < blocks; q++) {
      const k0 = narrow ? 0 : blockStart(q, blocks, 8, kernels);
      let s0 = f32x4.splat(0),
        s1 = s0;
      if (withBias || narrow) {
        s0 = v128.load(biases + ((<usize>k0) << 2));
        s1 = v128.load(biases + ((<usize>k0) << 2), 16);
      }
      let a0 = s0,
        a1 = s1,
        b0 = s0,
        b1 = s1,
        c0 = s0,
        c1 = s1,
        d0 = s0,
        d1 = s1;
      let wAt = weights + ((<usize>k0) << 2);
      for (let i = 0; i < kh; i++) {
        const at = <usize>i * rowStep;
        for (let l = 0; l < row; l++) {
          const u = v128.load(wAt),
            v = v128.load(wAt, 16);
          const off = at + ((<usize>l) << 2);
          let e = v128.load32_splat(x0 + off);
          a0 = madd(e, u, a0);
          a1 = madd(e, v, a1);
          e = v128.load32_splat(x1 + off);
          b0 = madd(e, u, b0);
          b1 = madd(e, v, b1);
          e = v128.load32_splat(x2 + off);
          c0 = madd(e, u, c0);
          c1 = madd(e, v, c1);
          e = v128.load32_splat(x3 + off);
          d0 = madd(e, u, d0);
          d1 = madd(e, v, d1);
          wAt += wStep;
        }
      }
      const z = out + ((<usize>k0) << 2);
      storeSums(z, p, kStep, a0, a1, p < safe, spill, kernels);
      storeSums(z, p1, kStep, b0, b1, p1 < safe, spill, kernels);
      storeSums(z, p2, kStep, c0, c1, p2 < safe, spill, kernels);
      storeSums(z, p3, kStep, d0, d1, p3 < safe, spill, kernels);
    }
  }
}

/** Pixel p's 8 sums (u, v) into z's row p; unless `inside`, through `spill`, only the row's `kernels` numbers. */
function storeSums(z: usize, p: i32, kStep: usize, u: v128, v: v128, inside: bool, spill: usize, kernels: i32): void {
  const to = z + <usize>p * kStep;
  if (inside) {
    v128.store(to, u);
    v128.store(to, v, 16);
    return;
  }
  v128.store(spill, u);
  v128.store(spill, v, 16);
  for (let k = 0; k < kernels; k++) set(to, k, get(spill, k));
}

/** Pixels of W̄'s sums taken at a time, so that their z̄ and patches stay in the processor's cache. */
const CHUNK = 256;

/**
 * W̄ = patchesᵀ · z̄ at `dw` ([kh, kw, c, kernels], overwritten); dy (z̄) is [n, outH, outW, kernels].
 * Four patch numbers (l, across image rows too) by eight kernels at a time. Fewer than 8 kernels: each
 * pixel's 8 numbers of z̄ are read where its row starts (the extra ones, the next pixel's, give sums
 * that are dropped; the last pixels' rows, which would run past z̄'s end, are copied out with zeros
 * after). Needs kh·kw·c ≥ 4.
 */
export function convFilter(
  x: usize,
  dy: usize,
  dw: usize,
  scratch: usize,
  kernels: i32,
  n: i32,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  top: i32,
  left: i32,
  outH: i32,
  outW: i32,
  strideH: i32,
  strideW: i32,
): void {
  const pixels = n * outH * outW;
  const row = kw * c;
  const patch = kh * row;
  const table = scratch;
  const lastRows = scratch + ((<usize>align4(pixels)) << 2);
  const sums = scratch + ((<usize>workAt(pixels, kernels)) << 2);
  const copy = padded(h, w, kh, kw, top, left, outH, outW, strideH, strideW);
  const wp = copy ? reach(outW, strideW, kw) : w;
  const images = loopImages(x, scratch, kernels, copy, true, n, h, w, c, kh, kw, top, left, outH, outW, strideH, strideW);
  const narrow = kernels < 8;
  const kStep = (<usize>kernels) << 2;
  const tail = overrun(pixels, kernels);
  const main = pixels - tail; // pixels read in place
  for (let t = 0; t < tail; t++) for (let k = 0; k < 8; k++) set(lastRows, t * 8 + k, k < kernels ? get(dy, (main + t) * kernels + k) : 0);
  const patchBlocks = (patch + 3) >> 2;
  const blocks = narrow ? 1 : (kernels + 7) >> 3;
  fill(sums, patchBlocks * blocks * 32, 0);
  const rowStep = wp * c * 4;
  for (let first = 0; first < pixels; first += CHUNK) {
    const count = min(first + CHUNK, main) - first; // the chunk's pixels read in place
    let at = sums;
    for (let g = 0; g < patchBlocks; g++) {
      // Patch numbers l0..l0+3, each at its own offset from a patch's first number.
      const l0 = blockStart(g, patchBlocks, 4, patch);
      const o0 = (l0 / row) * rowStep + (l0 % row) * 4,
        o1 = ((l0 + 1) / row) * rowStep + ((l0 + 1) % row) * 4,
        o2 = ((l0 + 2) / row) * rowStep + ((l0 + 2) % row) * 4,
        o3 = ((l0 + 3) / row) * rowStep + ((l0 + 3) % row) * 4;
      for (let q = 0; q < blocks; q++) {
        const k0 = narrow ? 0 : blockStart(q, blocks, 8, kernels);
        const e = dy + <usize>first * kStep + ((<usize>k0) << 2);
        if (count > 0) addSums(at, images, table, first, count, e, kStep, o0, o1, o2, o3);
        if (first + CHUNK >= pixels && tail > 0) addSums(at, images, table, main, tail, lastRows, 32, o0, o1, o2, o3);
        at += 128;
      }
    }
  }
  // Each block's sums to their place in W̄ (overlapping blocks hold the same numbers for the same places).
  let at = sums;
  for (let g = 0; g < patchBlocks; g++) {
    const l0 = blockStart(g, patchBlocks, 4, patch);
    for (let q = 0; q < blocks; q++) {
      const k0 = narrow ? 0 : blockStart(q, blocks, 8, kernels);
      for (let d = 0; d < 4; d++) {
        const to = dw + ((<usize>((l0 + d) * kernels + k0)) << 2);
        const from = at + ((<usize>d) << 5);
        if (narrow) for (let k = 0; k < kernels; k++) set(to, k, get(from, k));
        else {
          v128.store(to, v128.load(from));
          v128.store(to, v128.load(from, 16), 16);
        }
      }
      at += 128;
    }
  }
}

/** The 4 × 8 sums at `at` += Σ over `count` pixels from `first` of patch numbers (at offsets o0..o3) times z̄ (8 numbers from e, kStep bytes a pixel). */
function addSums(
  at: usize,
  images: usize,
  table: usize,
  first: i32,
  count: i32,
  e: usize,
  kStep: usize,
  o0: i32,
  o1: i32,
  o2: i32,
  o3: i32,
): void {
  let a0 = v128.load(at),
    a1 = v128.load(at, 16),
    b0 = v128.load(at, 32),
    b1 = v128.load(at, 48),
    c0 = v128.load(at, 64),
    c1 = v128.load(at, 80),
    d0 = v128.load(at, 96),
    d1 = v128.load(at, 112);
  let offsets = table + ((<usize>first) << 2);
  for (let p = 0; p < count; p++) {
    const u = v128.load(e),
      v = v128.load(e, 16);
    const xp = images + <usize>load<i32>(offsets);
    let t = v128.load32_splat(xp + <usize>o0);
    a0 = madd(t, u, a0);
    a1 = madd(t, v, a1);
    t = v128.load32_splat(xp + <usize>o1);
    b0 = madd(t, u, b0);
    b1 = madd(t, v, b1);
    t = v128.load32_splat(xp + <usize>o2);
    c0 = madd(t, u, c0);
    c1 = madd(t, v, c1);
    t = v128.load32_splat(xp + <usize>o3);
    d0 = madd(t, u, d0);
    d1 = madd(t, v, d1);
    e += kStep;
    offsets += 4;
  }
  v128.store(at, a0);
  v128.store(at, a1, 16);
  v128.store(at, b0, 32);
  v128.store(at, b1, 48);
  v128.store(at, c0, 64);
  v128.store(at, c1, 80);
  v128.store(at, d0, 96);
  v128.store(at, d1, 112);
}

/**
 * x̄ at `dx` ([n, h, w, c], overwritten): every output pixel's z̄ times Wᵀ is added back over its patch.
 * W is [kh, kw, c, kernels]; dy (z̄) is [n, outH, outW, kernels]. Four pixels by eight patch numbers at
 * a time. Needs kw·c ≥ 8.
 */
export function convInput(
  dy: usize,
  filter: usize,
  dx: usize,
  scratch: usize,
  kernels: i32,
  n: i32,
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  top: i32,
  left: i32,
  outH: i32,
  outW: i32,
  strideH: i32,
  strideW: i32,
): void {
  const pixels = n * outH * outW;
  const row = kw * c;
  const table = scratch;
  const zeros = scratch + ((<usize>align4(pixels)) << 2);
  const turned = scratch + ((<usize>workAt(pixels, kernels)) << 2);
  fill(zeros, kernels, 0);
  // W turned into [kernels, kh, blocks of 8 patch numbers]; the last block's part that repeats the one before is zero.
  const rowBlocks = (row + 7) >> 3;
  for (let k = 0; k < kernels; k++)
    for (let i = 0; i < kh; i++)
      for (let g = 0; g < rowBlocks; g++) {
        const l0 = blockStart(g, rowBlocks, 8, row);
        const repeated = g * 8 - l0; // lanes of the last block that the block before already covers
        for (let e = 0; e < 8; e++) {
          const value: f32 = e < repeated ? 0 : get(filter, (i * row + l0 + e) * kernels + k);
          set(turned, ((k * kh + i) * rowBlocks + g) * 8 + e, value);
        }
      }
  const copy = padded(h, w, kh, kw, top, left, outH, outW, strideH, strideW);
  const hp = copy ? reach(outH, strideH, kh) : h;
  const wp = copy ? reach(outW, strideW, kw) : w;
  const images = loopImages(dx, scratch, kernels, copy, false, n, h, w, c, kh, kw, top, left, outH, outW, strideH, strideW);
  const rowStep = (<usize>(wp * c)) << 2;
  const kStep = (<usize>kernels) << 2;
  const blockStep = (<usize>(kh * rowBlocks)) << 5; // from kernel k to k + 1 in `turned`
  // Four pixels a quarter of the batch apart at a time (past the end, the last pixel with a z̄ of zeros,
  // which adds nothing): their patches do not overlap, so a sum is never read back just after it is stored.
  const quarter = (pixels + 3) >> 2;
  for (let p = 0; p < quarter; p++) {
    const e0 = dy + <usize>p * kStep;
    const x0 = images + <usize>load<i32>(table + ((<usize>p) << 2));
    let e1 = zeros,
      e2 = zeros,
      e3 = zeros,
      x1 = x0,
      x2 = x0,
      x3 = x0;
    if (p + quarter < pixels) {
      e1 = dy + <usize>(p + quarter) * kStep;
      x1 = images + <usize>load<i32>(table + ((<usize>(p + quarter)) << 2));
    }
    if (p + 2 * quarter < pixels) {
      e2 = dy + <usize>(p + 2 * quarter) * kStep;
      x2 = images + <usize>load<i32>(table + ((<usize>(p + 2 * quarter)) << 2));
    }
    if (p + 3 * quarter < pixels) {
      e3 = dy + <usize>(p + 3 * quarter) * kStep;
      x3 = images + <usize>load<i32>(table + ((<usize>(p + 3 * quarter)) << 2));
    }
    for (let i = 0; i < kh; i++)
      for (let g = 0; g < rowBlocks; g++) {
        let a0 = f32x4.splat(0),
          a1 = a0,
          b0 = a0,
          b1 = a0,
          c0 = a0,
          c1 = a0,
          d0 = a0,
          d1 = a0;
        let wAt = turned + ((<usize>(i * rowBlocks + g)) << 5);
        for (let k = 0; k < kernels; k++) {
          const u = v128.load(wAt),
            v = v128.load(wAt, 16);
          const off = (<usize>k) << 2;
          let t = v128.load32_splat(e0 + off);
          a0 = madd(t, u, a0);
          a1 = madd(t, v, a1);
          t = v128.load32_splat(e1 + off);
          b0 = madd(t, u, b0);
          b1 = madd(t, v, b1);
          t = v128.load32_splat(e2 + off);
          c0 = madd(t, u, c0);
          c1 = madd(t, v, c1);
          t = v128.load32_splat(e3 + off);
          d0 = madd(t, u, d0);
          d1 = madd(t, v, d1);
          wAt += blockStep;
        }
        const at = <usize>i * rowStep + ((<usize>blockStart(g, rowBlocks, 8, row)) << 2);
        addBlock(x0 + at, a0, a1);
        addBlock(x1 + at, b0, b1);
        addBlock(x2 + at, c0, c1);
        addBlock(x3 + at, d0, d1);
      }
  }
  if (copy) cropImages(images, dx, n, h, w, c, top, left, hp, wp);
}

/** Eight numbers at `p` += (u, v). */
function addBlock(p: usize, u: v128, v: v128): void {
  v128.store(p, f32x4.add(v128.load(p), u));
  v128.store(p, f32x4.add(v128.load(p, 16), v), 16);
}
