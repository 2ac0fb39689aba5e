// Convolution by hand (lectures 000, 001, 002, 003, 004): output size, stride, padding, dilation,
// cross-correlation and true convolution, channels and kernel banks.
//
// Every grid of numbers is read through an ndarray view: a flat `data` array plus a `shape`,
// a `stride` per axis and an `offset`, so that
//
//     x[i][j]  =  data[offset + i·stride[0] + j·stride[1]]
//
// Flipping a kernel, picking one colour channel or one image of a batch changes only the
// stride and offset of the view, never the numbers.
import ndarray from "ndarray";
import { formatValue } from "./check";

// ---------------------------------------------------------------------------------------------
// Output size along one axis
// ---------------------------------------------------------------------------------------------

/** What happens to a window that hangs over the end of the input: dropped (floor), or kept (ceil, lecture 003's pooling). */
export type Edges = "drop" | "keep";

/** One axis of a convolution or pooling: input length n, kernel k, stride s, total padding p, dilation d. */
export interface AxisOptions {
  input: number;
  kernel: number;
  stride?: number;
  /** Total zero padding on this axis (both sides added). */
  padding?: number;
  dilation?: number;
  /** 'drop' (default) uses ⌊·⌋; 'keep' uses ⌈·⌉ so a partial window at the edge is kept. */
  edges?: Edges;
}

/** `value`, or `fallback` when it is undefined (null is kept and rejected as a bad value, not taken as "not given") — 04-convolution-by-hand. */
export function orDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

function positiveInteger(fn: string, arg: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new Error(`${fn}: ${arg} must be a positive integer, got ${formatValue(value)}`);
  }
  return value;
}

function nonNegativeInteger(fn: string, arg: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new Error(`${fn}: ${arg} must be an integer ≥ 0, got ${formatValue(value)}`);
  }
  return value;
}

function edgesOption(fn: string, value: unknown): Edges {
  if (value === undefined) return "drop";
  if (value !== "drop" && value !== "keep") {
    throw new Error(`${fn}: edges must be 'drop' or 'keep', got ${formatValue(value)}`);
  }
  return value;
}

interface Axis {
  n: number;
  k: number;
  s: number;
  p: number;
  d: number;
  edges: Edges;
  /** The kernel's reach with dilation: d(k − 1) + 1. */
  span: number;
  size: number;
}

function axis(fn: string, o: AxisOptions): Axis {
  if (typeof o !== "object" || o === null) throw new Error(`${fn}: options must be an object, got ${formatValue(o)}`);
  const n = positiveInteger(fn, "input", o.input);
  const k = positiveInteger(fn, "kernel", o.kernel);
  const s = positiveInteger(fn, "stride", orDefault(o.stride, 1));
  const d = positiveInteger(fn, "dilation", orDefault(o.dilation, 1));
  const p = nonNegativeInteger(fn, "padding", orDefault(o.padding, 0));
  const edges = edgesOption(fn, o.edges);
  const span = d * (k - 1) + 1;
  if (span > n + p && edges === "drop") {
    throw new Error(`${fn}: kernel ${k}${d > 1 ? ` (dilation ${d})` : ""} does not fit input ${n} with padding ${p}`);
  }
  // The total padding is split evenly between the two ends (the extra one at the far end), as 'same' does.
  const before = Math.floor(p / 2);
  const size = edgeSize(n, before, p - before, span, s, edges);
  return { n, k, s, p, d, edges, span, size };
}

/** Output length along one axis, ⌊(n + p − d(k − 1) − 1)/s⌋ + 1 (lecture 002; ⌈·⌉ with edges 'keep') — 04-convolution-by-hand. */
export function outputSize(options: AxisOptions): number {
  return axis("outputSize", options).size;
}

/** The output-size formula with the numbers filled in, e.g. "⌊(2 + 4 − 3)/1⌋ + 1 = 4" — 04-convolution-by-hand. */
export function outputSizeWorking(options: AxisOptions): string {
  const { n, k, s, p, d, edges, size } = axis("outputSizeWorking", options);
  const kernel = d === 1 ? `${k}` : `${d}·(${k} − 1) − 1`;
  const [open, close] = edges === "drop" ? ["⌊", "⌋"] : ["⌈", "⌉"];
  return `${open}(${n} + ${p} − ${kernel})/${s}${close} + 1 = ${size}`;
}

// ---------------------------------------------------------------------------------------------
// Options: stride, padding, dilation, per axis
// ---------------------------------------------------------------------------------------------

/** Zero padding given side by side. */
export interface Sides {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * Zero padding: a number (that many rows/columns on every side), `[h, w]` (h rows above and below,
 * w columns left and right: lecture 000's p = {(2 + 2) × 0} is `[2, 0]`), each side, or
 * 'valid' (none) / 'same' (enough that stride 1 keeps the size; the extra one goes bottom/right, as in TensorFlow).
 */
export type Padding = number | [number, number] | Sides | "valid" | "same";

/** A number for both axes, or `[h, w]` per axis. */
export type PerAxis = number | [number, number];

/** Options of a 2-D convolution — 04-convolution-by-hand. */
export interface Conv2dOptions {
  /** How far the kernel jumps: a number, or `[h, w]` (default 1). */
  stride?: PerAxis;
  /** Zero padding (default 0). */
  padding?: Padding;
  /** Gap between kernel taps: 1 means touching (default 1). */
  dilation?: PerAxis;
}

/** Where the kernel goes: sizes, strides, dilations and padding of a 2-D convolution, all resolved to numbers. */
export interface Geometry {
  inH: number;
  inW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padding: Sides;
  outH: number;
  outW: number;
}

function perAxis(fn: string, arg: string, value: unknown, fallback: number): [number, number] {
  if (value === undefined) return [fallback, fallback];
  if (Array.isArray(value)) {
    if (value.length !== 2) throw new Error(`${fn}: ${arg} must be a number or [h, w], got ${formatValue(value)}`);
    return [positiveInteger(fn, `${arg}[0]`, value[0]), positiveInteger(fn, `${arg}[1]`, value[1])];
  }
  const v = positiveInteger(fn, arg, value);
  return [v, v];
}

/** 'same' padding along one axis: the total that makes the output ⌈n/s⌉ long, split with the extra on the far side. */
function samePadding(n: number, s: number, span: number): [number, number] {
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + span - n, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Turn any padding option into its four sides — 04-convolution-by-hand. */
export function resolvePadding(
  padding: Padding | undefined,
  shape: { input: [number, number]; kernel: [number, number]; stride?: PerAxis; dilation?: PerAxis },
  fn = "resolvePadding",
): Sides {
  const p = orDefault(padding, 0);
  if (p === "valid") return { top: 0, bottom: 0, left: 0, right: 0 };
  if (p === "same") {
    const [sh, sw] = perAxis(fn, "stride", shape.stride, 1);
    const [dh, dw] = perAxis(fn, "dilation", shape.dilation, 1);
    const [top, bottom] = samePadding(shape.input[0], sh, dh * (shape.kernel[0] - 1) + 1);
    const [left, right] = samePadding(shape.input[1], sw, dw * (shape.kernel[1] - 1) + 1);
    return { top, bottom, left, right };
  }
  if (typeof p === "number") {
    const v = nonNegativeInteger(fn, "padding", p);
    return { top: v, bottom: v, left: v, right: v };
  }
  if (Array.isArray(p)) {
    if (p.length !== 2) throw new Error(`${fn}: padding must be a number, [h, w], {top, bottom, left, right}, 'valid' or 'same', got ${formatValue(p)}`);
    const h = nonNegativeInteger(fn, "padding[0]", p[0]);
    const w = nonNegativeInteger(fn, "padding[1]", p[1]);
    return { top: h, bottom: h, left: w, right: w };
  }
  if (typeof p === "object" && p !== null) {
    return {
      top: nonNegativeInteger(fn, "padding.top", p.top),
      bottom: nonNegativeInteger(fn, "padding.bottom", p.bottom),
      left: nonNegativeInteger(fn, "padding.left", p.left),
      right: nonNegativeInteger(fn, "padding.right", p.right),
    };
  }
  throw new Error(`${fn}: padding must be a number, [h, w], {top, bottom, left, right}, 'valid' or 'same', got ${formatValue(p)}`);
}

/** Padding written the short way: "1", "[2, 0]" or "{top: 1, bottom: 0, left: 1, right: 0}" — 04-convolution-by-hand. */
export function formatPadding(p: Sides): string {
  if (p.top === p.bottom && p.left === p.right) return p.top === p.left ? `${p.top}` : `[${p.top}, ${p.left}]`;
  return `{top: ${p.top}, bottom: ${p.bottom}, left: ${p.left}, right: ${p.right}}`;
}

/**
 * Resolve the options of a 2-D convolution (or pooling) of an `input` h×w by a `kernel` kh×kw, and check the
 * kernel fits — 04-convolution-by-hand.
 */
export function geometry(
  fn: string,
  input: [number, number],
  kernel: [number, number],
  options: Conv2dOptions & { edges?: Edges },
  part: "kernel" | "window" = "kernel",
): Geometry {
  if (typeof options !== "object" || options === null) {
    throw new Error(`${fn}: options must be an object like { stride, padding }, got ${formatValue(options)}`);
  }
  const [strideH, strideW] = perAxis(fn, "stride", options.stride, 1);
  const [dilationH, dilationW] = perAxis(fn, "dilation", options.dilation, 1);
  const padding = resolvePadding(options.padding, { input, kernel, stride: options.stride, dilation: options.dilation }, fn);
  const edges = edgesOption(fn, options.edges);
  const spanH = dilationH * (kernel[0] - 1) + 1;
  const spanW = dilationW * (kernel[1] - 1) + 1;
  const fitsH = spanH <= input[0] + padding.top + padding.bottom;
  const fitsW = spanW <= input[1] + padding.left + padding.right;
  if (edges === "drop" && !(fitsH && fitsW)) {
    const dil = dilationH > 1 || dilationW > 1 ? ` (dilation ${dilationH}×${dilationW})` : "";
    throw new Error(
      `${fn}: ${part} ${kernel[0]}×${kernel[1]}${dil} does not fit input ${input[0]}×${input[1]} with padding ${formatPadding(padding)}`,
    );
  }
  const outH = edgeSize(input[0], padding.top, padding.bottom, spanH, strideH, edges);
  const outW = edgeSize(input[1], padding.left, padding.right, spanW, strideW, edges);
  return { inH: input[0], inW: input[1], kH: kernel[0], kW: kernel[1], strideH, strideW, dilationH, dilationW, padding, outH, outW };
}

/** Number of window positions along one axis; with 'keep' the last window must still start inside the input. */
function edgeSize(n: number, before: number, after: number, span: number, s: number, edges: Edges): number {
  const room = n + before + after - span;
  if (edges === "drop") return Math.floor(room / s) + 1;
  let size = Math.max(Math.ceil(room / s), 0) + 1;
  if ((size - 1) * s >= n + before) size -= 1;
  return size;
}

/** Output size h'×w' of a 2-D convolution: `outputShape({ input: [h, w], kernel: [kh, kw], stride, padding })` — 04-convolution-by-hand. */
export function outputShape(
  options: Conv2dOptions & { input: [number, number]; kernel: [number, number]; edges?: Edges },
): [number, number] {
  const fn = "outputShape";
  const { input, kernel } = shapeOptions(fn, options);
  const g = geometry(fn, input, kernel, options);
  return [g.outH, g.outW];
}

/** Both output-size formulas with the numbers in, "⌊(2 + 4 − 3)/1⌋ + 1 = 4 by ⌊(6 + 0 − 2)/2⌋ + 1 = 3" — 04-convolution-by-hand. */
export function outputShapeWorking(
  options: Conv2dOptions & { input: [number, number]; kernel: [number, number]; edges?: Edges },
): string {
  const fn = "outputShapeWorking";
  const { input, kernel } = shapeOptions(fn, options);
  const g = geometry(fn, input, kernel, options);
  const edges = options.edges;
  const rows = outputSizeWorking({
    input: input[0], kernel: kernel[0], stride: g.strideH, dilation: g.dilationH, padding: g.padding.top + g.padding.bottom, edges,
  });
  const cols = outputSizeWorking({
    input: input[1], kernel: kernel[1], stride: g.strideW, dilation: g.dilationW, padding: g.padding.left + g.padding.right, edges,
  });
  return `${rows} by ${cols}`;
}

function shapeOptions(fn: string, options: { input: [number, number]; kernel: [number, number] }): {
  input: [number, number];
  kernel: [number, number];
} {
  if (typeof options !== "object" || options === null) throw new Error(`${fn}: options must be an object, got ${formatValue(options)}`);
  const pair = (arg: string, v: unknown): [number, number] => {
    if (!Array.isArray(v) || v.length !== 2) throw new Error(`${fn}: ${arg} must be [h, w], got ${formatValue(v)}`);
    return [positiveInteger(fn, `${arg}[0]`, v[0]), positiveInteger(fn, `${arg}[1]`, v[1])];
  };
  return { input: pair("input", options.input), kernel: pair("kernel", options.kernel) };
}

// ---------------------------------------------------------------------------------------------
// Views: nested arrays in, ndarray views inside
// ---------------------------------------------------------------------------------------------

/** A matrix written as rows: `[[1, 2], [3, 4]]`. */
export type Matrix = number[][];
/** An image with channels, h×w×c: `volume[row][col][channel]`. */
export type Volume = number[][][];
/** A bank of k kernels over c channels, h×w×c×k: `bank[row][col][channel][kernel]` (lecture 000). */
export type KernelBank = number[][][][];
/** Numbers an ndarray view may sit on. */
export type NumericData = number[] | Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array | Uint8ClampedArray;
/** An ndarray view: data + shape + stride + offset. */
export type View = ndarray.NdArray<NumericData>;
/** Nested arrays of any depth. */
export type Nested = number | Nested[];

/** True for an ndarray view (anything with data, shape, stride and offset) — 04-convolution-by-hand. */
export function isView(x: unknown): x is View {
  return typeof x === "object" && x !== null && !Array.isArray(x) && "data" in x && "shape" in x && "stride" in x && "offset" in x;
}

const axisNames = ["rows", "columns", "channels", "kernels"];

/**
 * Check a nested array of depth `dims` is non-empty, rectangular and finite, and copy it into a fresh
 * row-major view (its stride is [shape[1]·shape[2]·…, …, 1] and its offset 0).
 */
function nestedToView(fn: string, arg: string, x: unknown, dims: number): View {
  const shape: number[] = [];
  let first: unknown = x;
  for (let d = 0; d < dims; d++) {
    if (!Array.isArray(first) || first.length === 0) {
      const what = d === 0 ? arg : `${arg}${"[0]".repeat(d)}`;
      const kind = `${dims}-D: ${axisNames.slice(0, dims).join(" × ")}`;
      throw new Error(`${fn}: ${what} must be a non-empty array (${arg} is ${kind}), got ${formatValue(first)}`);
    }
    shape.push(first.length);
    first = first[0];
  }
  const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
  let k = 0;
  const walk = (v: unknown, d: number, where: string): void => {
    if (d === dims) {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new Error(`${fn}: ${arg}${where} must be a finite number, got ${formatValue(v)}`);
      }
      data[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) {
      const got = Array.isArray(v) ? `${v.length} entries` : formatValue(v);
      throw new Error(`${fn}: ${arg} is ragged: ${arg}${where} should have ${shape[d]} entries, got ${got}`);
    }
    v.forEach((e: unknown, i) => walk(e, d + 1, `${where}[${i}]`));
  };
  walk(x, 0, "");
  return ndarray(data, shape);
}

/** Check an ndarray view: the right number of axes, each non-empty, every entry finite. */
function checkView(fn: string, arg: string, x: View, dims: number): View {
  if (!Array.isArray(x.shape) || x.shape.length !== dims) {
    throw new Error(`${fn}: ${arg} must have ${dims} axes (${axisNames.slice(0, dims).join(" × ")}), got shape ${formatValue(x.shape)}`);
  }
  if (!x.shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`${fn}: ${arg} must not be empty, got shape ${x.shape.join("×")}`);
  }
  if (isRowMajor(x)) {
    // The common case, a plain row-major array: check the numbers in one pass over the data.
    for (let k = 0; k < x.size; k++) {
      const v = x.data[x.offset + k];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        const where: number[] = [];
        let rest = k;
        for (let d = dims - 1; d >= 0; d--) {
          where.unshift(rest % x.shape[d]);
          rest = Math.floor(rest / x.shape[d]);
        }
        throw new Error(`${fn}: ${arg}[${where.join("][")}] must be a finite number, got ${formatValue(v)}`);
      }
    }
    return x;
  }
  const index = new Array<number>(dims).fill(0);
  for (let i = 0; i < x.size; i++) {
    let at = x.offset;
    for (let d = 0; d < dims; d++) at += index[d] * x.stride[d];
    const v = x.data[at];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`${fn}: ${arg}[${index.join("][")}] must be a finite number, got ${formatValue(v)}`);
    }
    for (let d = dims - 1; d >= 0; d--) {
      if (++index[d] < x.shape[d]) break;
      index[d] = 0;
    }
  }
  return x;
}

/**
 * An ndarray view over flat numbers: `view(data, [h, w])` reads data row by row; give `stride` and `offset`
 * to read the same numbers another way (transposed, every other row, one channel) — 04-convolution-by-hand.
 */
export function view(data: NumericData, shape: number[], stride?: number[], offset = 0): View {
  const fn = "view";
  const typed = Array.isArray(data) || ArrayBuffer.isView(data);
  if (!typed) throw new Error(`${fn}: data must be an array or typed array of numbers, got ${formatValue(data)}`);
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`${fn}: shape must be a non-empty array of positive integers, got ${formatValue(shape)}`);
  }
  const rowMajor: number[] = [];
  for (let d = shape.length - 1, step = 1; d >= 0; step *= shape[d], d--) rowMajor.unshift(step);
  const strides = stride === undefined ? rowMajor : stride;
  if (!Array.isArray(strides) || strides.length !== shape.length || !strides.every((n) => Number.isInteger(n))) {
    throw new Error(`${fn}: stride must be ${shape.length} integers (one per axis), got ${formatValue(stride)}`);
  }
  if (!Number.isInteger(offset) || offset < 0) throw new Error(`${fn}: offset must be an integer ≥ 0, got ${formatValue(offset)}`);
  // The first and last positions the view can reach must lie inside data.
  let low = offset;
  let high = offset;
  shape.forEach((n, d) => {
    const reach = (n - 1) * strides[d];
    if (reach < 0) low += reach;
    else high += reach;
  });
  if (low < 0 || high >= data.length) {
    throw new Error(`${fn}: shape ${shape.join("×")} with stride [${strides.join(", ")}] and offset ${offset} reaches outside data of length ${data.length}`);
  }
  return ndarray(data, shape, strides, offset);
}

/** A checked view of `x` (nested arrays or an ndarray view) with `dims` axes; errors name `fn` and `arg` — 04-convolution-by-hand. */
export function toView(fn: string, arg: string, x: unknown, dims: number): View {
  return isView(x) ? checkView(fn, arg, x, dims) : nestedToView(fn, arg, x, dims);
}

/** Nested arrays of a view, e.g. a 2-D view → number[][] — 04-convolution-by-hand. */
export function toNested(x: View): Nested {
  const read = (d: number, at: number): Nested => {
    if (d === x.shape.length) return x.data[at];
    const row: Nested[] = [];
    for (let i = 0; i < x.shape[d]; i++) row.push(read(d + 1, at + i * x.stride[d]));
    return row;
  };
  return read(0, x.offset);
}

/** The rows of a 2-D view as nested arrays — 04-convolution-by-hand. */
export function toMatrix(x: View): Matrix {
  const rows: Matrix = [];
  for (let i = 0; i < x.shape[0]; i++) {
    const row: number[] = [];
    for (let j = 0; j < x.shape[1]; j++) row.push(at(x, i, j));
    rows.push(row);
  }
  return rows;
}

/** x[i][j] read through the view formula data[offset + i·stride[0] + j·stride[1]] — 04-convolution-by-hand. */
export function at(x: View, i: number, j: number): number {
  return x.data[x.offset + i * x.stride[0] + j * x.stride[1]];
}

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

/** Cross-correlation W * x as the slides compute it (what CNNs call convolution; lecture 002) — 04-convolution-by-hand. */
export function correlate2d(input: Matrix | View, kernel: Matrix | View, options: Conv2dOptions = {}): Matrix {
  const fn = "correlate2d";
  const X = toView(fn, "input", input, 2);
  const K = toView(fn, "kernel", kernel, 2);
  const g = geometry(fn, [X.shape[0], X.shape[1]], [K.shape[0], K.shape[1]], options);
  const out = new Float64Array(g.outH * g.outW);
  correlateViews(X, K, g, out);
  return rowsOf(out, g.outH, g.outW);
}

/** True convolution: the kernel flipped in both directions, then cross-correlation (lecture 002) — 04-convolution-by-hand. */
export function convolve2d(input: Matrix | View, kernel: Matrix | View, options: Conv2dOptions = {}): Matrix {
  const fn = "convolve2d";
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
  const fn = "pad2d";
  const X = toView(fn, "input", input, 2);
  if (typeof padding === "string") throw new Error(`${fn}: padding must be a number, [h, w] or {top, bottom, left, right}, got ${formatValue(padding)}`);
  if (mode !== "zero" && mode !== "replicate") throw new Error(`${fn}: mode must be 'zero' or 'replicate', got ${formatValue(mode)}`);
  const [h, w] = [X.shape[0], X.shape[1]];
  const p = resolvePadding(padding, { input: [h, w], kernel: [1, 1] }, fn);
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
  return toMatrix(flipView(toView("flipKernel", "kernel", kernel, 2)));
}

/** Lecture 003's filtering: the sum of products divided by the number of pixels in the feature (a match score in [−1, 1] for ±1 images) — 07-pooling-relu-x-vs-o. */
export function normalizedFilter(image: Matrix | View, feature: Matrix | View, options: Conv2dOptions = {}): Matrix {
  const fn = "normalizedFilter";
  const X = toView(fn, "image", image, 2);
  const K = toView(fn, "feature", feature, 2);
  const g = geometry(fn, [X.shape[0], X.shape[1]], [K.shape[0], K.shape[1]], options);
  const out = new Float64Array(g.outH * g.outW);
  correlateViews(X, K, g, out);
  const pixels = g.kH * g.kW;
  return rowsOf(out.map((v) => v / pixels), g.outH, g.outW);
}

// ---------------------------------------------------------------------------------------------
// 1-D convolution (lecture 003)
// ---------------------------------------------------------------------------------------------

/** Options of a 1-D convolution: padding a number (both ends), `{ left, right }`, 'valid' or 'same' — 07-pooling-relu-x-vs-o. */
export interface Conv1dOptions {
  stride?: number;
  padding?: number | { left: number; right: number } | "valid" | "same";
  dilation?: number;
}

function options1d(fn: string, options: Conv1dOptions, n: number, k: number): Conv2dOptions {
  if (typeof options !== "object" || options === null) throw new Error(`${fn}: options must be an object, got ${formatValue(options)}`);
  const stride = positiveInteger(fn, "stride", orDefault(options.stride, 1));
  const dilation = positiveInteger(fn, "dilation", orDefault(options.dilation, 1));
  const p = orDefault(options.padding, 0);
  let sides: { left: number; right: number };
  if (p === "valid") sides = { left: 0, right: 0 };
  else if (p === "same") {
    const [left, right] = samePadding(n, stride, dilation * (k - 1) + 1);
    sides = { left, right };
  } else if (typeof p === "number") sides = { left: p, right: p };
  else if (typeof p === "object" && p !== null && !Array.isArray(p)) sides = { left: p.left, right: p.right };
  else throw new Error(`${fn}: padding must be a number, { left, right }, 'valid' or 'same', got ${formatValue(p)}`);
  const left = nonNegativeInteger(fn, "padding.left", sides.left);
  const right = nonNegativeInteger(fn, "padding.right", sides.right);
  if (dilation * (k - 1) + 1 > n + left + right) {
    const padding = left === right ? `${left}` : `{left: ${left}, right: ${right}}`;
    throw new Error(`${fn}: kernel ${k}${dilation > 1 ? ` (dilation ${dilation})` : ""} does not fit input ${n} with padding ${padding}`);
  }
  return { stride: [1, stride], dilation: [1, dilation], padding: { top: 0, bottom: 0, left, right } };
}

function correlate1dWith(fn: string, input: number[], kernel: number[], options: Conv1dOptions, flip: boolean): number[] {
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
  return correlate1dWith("correlate1d", input, kernel, options, false);
}

/** 1-D true convolution (the kernel reversed) — 07-pooling-relu-x-vs-o. */
export function convolve1d(input: number[], kernel: number[], options: Conv1dOptions = {}): number[] {
  return correlate1dWith("convolve1d", input, kernel, options, true);
}

// ---------------------------------------------------------------------------------------------
// Channels and kernel banks (lecture 000: W is h_κ × w_κ × c × k, one bias per kernel)
// ---------------------------------------------------------------------------------------------

/** Options of a convolution layer: stride, padding, dilation and one bias per kernel — 05-channels-and-filters. */
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
 * `input` is h×w×c and `kernels` h_κ×w_κ×c×k; the result is h'×w'×k — 05-channels-and-filters.
 */
export function conv2d(input: Volume | View, kernels: KernelBank | View, options: ConvLayerOptions = {}): Volume {
  const fn = "conv2d";
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

function toVolume(x: View): Volume {
  const v: Volume = [];
  for (let i = 0; i < x.shape[0]; i++) {
    const row: number[][] = [];
    for (let j = 0; j < x.shape[1]; j++) {
      const cell: number[] = [];
      for (let c = 0; c < x.shape[2]; c++) cell.push(x.get(i, j, c));
      row.push(cell);
    }
    v.push(row);
  }
  return v;
}

/** Stack single-channel kernels (one per input channel) into one kernel of a bank: [K_1, K_2, ...] → h×w×c — 05-channels-and-filters. */
export function stackChannels(channels: Matrix[]): Volume {
  const fn = "stackChannels";
  if (!Array.isArray(channels) || channels.length === 0) throw new Error(`${fn}: channels must be a non-empty array of matrices, got ${formatValue(channels)}`);
  const views = channels.map((m, c) => toView(fn, `channels[${c}]`, m, 2));
  const [h, w] = views[0].shape;
  views.forEach((v, c) => {
    if (v.shape[0] !== h || v.shape[1] !== w) {
      throw new Error(`${fn}: channels[${c}] is ${v.shape.join("×")} but channels[0] is ${h}×${w}`);
    }
  });
  const out: Volume = [];
  for (let i = 0; i < h; i++) {
    const row: number[][] = [];
    for (let j = 0; j < w; j++) row.push(views.map((v) => at(v, i, j)));
    out.push(row);
  }
  return out;
}

/** Channel c of an h×w×c volume as a matrix — 05-channels-and-filters. */
export function channel(volume: Volume | View, c: number): Matrix {
  const fn = "channel";
  const X = toView(fn, "volume", volume, 3);
  if (!Number.isInteger(c) || c < 0 || c >= X.shape[2]) {
    throw new Error(`${fn}: c must be an integer from 0 to ${X.shape[2] - 1}, got ${formatValue(c)}`);
  }
  return toMatrix(X.pick(null, null, c));
}

/** A bank of kernels h×w×c×k from k kernels of shape h×w×c each — 05-channels-and-filters. */
export function stackKernels(kernels: Volume[]): KernelBank {
  const fn = "stackKernels";
  if (!Array.isArray(kernels) || kernels.length === 0) throw new Error(`${fn}: kernels must be a non-empty array of h×w×c kernels, got ${formatValue(kernels)}`);
  const views = kernels.map((K, k) => toView(fn, `kernels[${k}]`, K, 3));
  const shape = views[0].shape;
  views.forEach((v, k) => {
    if (v.shape.join() !== shape.join()) throw new Error(`${fn}: kernels[${k}] is ${v.shape.join("×")} but kernels[0] is ${shape.join("×")}`);
  });
  const bank: KernelBank = [];
  for (let i = 0; i < shape[0]; i++) {
    const row: number[][][] = [];
    for (let j = 0; j < shape[1]; j++) {
      const cell: number[][] = [];
      for (let c = 0; c < shape[2]; c++) cell.push(views.map((v) => v.get(i, j, c)));
      row.push(cell);
    }
    bank.push(row);
  }
  return bank;
}

// ---------------------------------------------------------------------------------------------
// Batches: n×h×w×c, the teaching loop over views and a fast path proven equal by the tests
// ---------------------------------------------------------------------------------------------

/** Options of `conv2dBatch`: a layer's options and which loop runs it. */
export interface ConvBatchOptions extends ConvLayerOptions {
  /** 'loop' runs the teaching code image by image; 'fast' (default) runs the flat loop. */
  method?: "loop" | "fast";
}

/** A batch n×h×w×c through a bank h_κ×w_κ×c×k: n×h'×w'×k, like `tf.conv2d` with NHWC data — 05-channels-and-filters. */
export function conv2dBatch(input: View, kernels: View, options: ConvBatchOptions = {}): View {
  const fn = "conv2dBatch";
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

/** True when the view's numbers lie in row-major order: stride [..., shape[2]·shape[3], shape[3], 1]. */
function isRowMajor(x: View): boolean {
  let expected = 1;
  for (let d = x.shape.length - 1; d >= 0; d--) {
    if (x.stride[d] !== expected) return false;
    expected *= x.shape[d];
  }
  return x.offset + x.size <= x.data.length;
}

/** The numbers of a view in row-major order (the view's own data when it already is). */
function contiguous(x: View): NumericData {
  if (isRowMajor(x) && x.offset === 0 && x.data.length === x.size) return x.data;
  const data = new Float64Array(x.size);
  const nested = toNested(x);
  let k = 0;
  const fill = (v: Nested): void => {
    if (typeof v === "number") data[k++] = v;
    else for (const e of v) fill(e);
  };
  fill(nested);
  return data;
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
