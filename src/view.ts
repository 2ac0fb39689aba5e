// ndarray views (lectures 000, 002): every grid of numbers is a flat `data` array plus a `shape`,
// a `stride` per axis and an `offset`, so that
//
//     x[i][j]  =  data[offset + i·stride[0] + j·stride[1]]
//
// Flipping a kernel, picking one colour channel or one image of a batch changes only the
// stride and offset of the view, never the numbers. Nested arrays come in, are checked, and become views.
import ndarray from "ndarray";
import { cells, describe as formatValue, fail, integer, MAX_SIZE, readable } from "./args";

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
export type NumericData =
  number[] | Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array | Uint8ClampedArray;
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
  cells(fn, arg, shape);
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
    throw new Error(`${fn}: ${arg} must not be empty, got shape ${formatValue(x.shape)}`);
  }
  cells(fn, arg, x.shape);
  const methods = typeof x.get === "function" && typeof x.pick === "function" && typeof x.step === "function";
  const data = x.data as unknown;
  const stride = x.stride as unknown;
  const sound =
    methods &&
    (Array.isArray(data) || ArrayBuffer.isView(data)) &&
    Array.isArray(stride) &&
    stride.length === dims &&
    stride.every((v) => Number.isInteger(v)) &&
    Number.isInteger(x.offset) &&
    x.size === x.shape.reduce((a, b) => a * b, 1);
  if (!sound) fail(fn, arg, "an ndarray view made by array.view (data, shape, stride, offset)", x);
  let low = x.offset;
  let high = x.offset;
  x.shape.forEach((n, d) => {
    const reach = (n - 1) * x.stride[d];
    if (reach < 0) low += reach;
    else high += reach;
  });
  if (low < 0 || high >= x.data.length) fail(fn, arg, "a view whose shape, stride and offset stay inside its data", x);
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
  return readable("array.view", "data", data, "numbers, a shape and strides", () => readView(data, shape, stride, offset));
}

function readView(data: NumericData, shape: number[], stride: number[] | undefined, offset: number): View {
  const fn = "array.view";
  const typed = Array.isArray(data) || ArrayBuffer.isView(data);
  if (!typed) throw new Error(`${fn}: data must be an array or typed array of numbers, got ${formatValue(data)}`);
  if (
    !Array.isArray(shape) ||
    shape.length === 0 ||
    shape.length > 8 ||
    !shape.every((n) => Number.isInteger(n) && n > 0 && n <= MAX_SIZE * 10)
  ) {
    throw new Error(`${fn}: shape must be a non-empty array of at most 8 positive integers, got ${formatValue(shape)}`);
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
    throw new Error(
      `${fn}: shape ${shape.join("×")} with stride [${strides.join(", ")}] and offset ${offset} reaches outside data of length ${data.length}`,
    );
  }
  return ndarray(data, shape, strides, offset);
}

/** A checked view of `x` (nested arrays or an ndarray view) with `dims` axes; errors name `fn` and `arg` — 04-convolution-by-hand. */
export function toView(fn: string, arg: string, x: unknown, dims: number): View {
  try {
    return isView(x) ? checkView(fn, arg, x, dims) : nestedToView(fn, arg, x, dims);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith(`${fn}:`)) throw e;
    return fail(fn, arg, `${dims}-D numbers (nested arrays or an ndarray view) that can be read`, x);
  }
}

/** A checked view of nested arrays (or of a view) with `dims` axes (default 2), e.g. to step through it backwards — 04-convolution-by-hand. */
export function asView(x: Matrix | Volume | KernelBank | View, dims = 2): View {
  return toView("array.asView", "x", x, integer("array.asView", "dims", dims, { min: 1, max: 4 }));
}

/** Nested arrays of a view, e.g. a 2-D view → number[][] — 04-convolution-by-hand. */
export function toNested(x: View): Nested {
  anyView("array.toNested", x);
  const read = (d: number, at: number): Nested => {
    if (d === x.shape.length) return x.data[at];
    const row: Nested[] = [];
    for (let i = 0; i < x.shape[d]; i++) row.push(read(d + 1, at + i * x.stride[d]));
    return row;
  };
  return read(0, x.offset);
}

/** Check a view of any number of axes (1 to 8). */
function anyView(fn: string, x: unknown): View {
  const dims = readable(fn, "x", x, "an ndarray view", () => (isView(x) && Array.isArray(x.shape) ? x.shape.length : 0));
  if (dims < 1 || dims > 8) fail(fn, "x", "an ndarray view (data, shape, stride, offset)", x);
  return toView(fn, "x", x, dims);
}

/** The rows of a 2-D view as nested arrays — 04-convolution-by-hand. */
export function toMatrix(view: View): Matrix {
  const x = toView("array.toMatrix", "x", view, 2);
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

/** True when the view's numbers lie in row-major order: stride [..., shape[2]·shape[3], shape[3], 1]. */
function isRowMajor(x: View): boolean {
  let expected = 1;
  for (let d = x.shape.length - 1; d >= 0; d--) {
    if (x.stride[d] !== expected) return false;
    expected *= x.shape[d];
  }
  return x.offset + x.size <= x.data.length;
}

/** The numbers of a view in row-major order (the view's own data when it already is) — 06-channels-and-filters. */
export function contiguous(x: View): NumericData {
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

// ---------------------------------------------------------------------------------------------
// Channels and kernel banks as nested arrays (lecture 000: W is h_κ × w_κ × c × k)
// ---------------------------------------------------------------------------------------------

/** The cells of a 3-D view h×w×c as nested arrays — 06-channels-and-filters. */
export function toVolume(x: View): Volume {
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

/** Stack single-channel kernels (one per input channel) into one kernel of a bank: [K_1, K_2, ...] → h×w×c — 06-channels-and-filters. */
export function stackChannels(channels: Matrix[]): Volume {
  const fn = "array.stackChannels";
  if (
    !readable(
      fn,
      "channels",
      channels,
      "an array of matrices",
      () => Array.isArray(channels) && channels.length > 0 && channels.length <= 10_000,
    )
  ) {
    throw new Error(`${fn}: channels must be a non-empty array of at most 10000 matrices, got ${formatValue(channels)}`);
  }
  const views = Array.from(channels).map((m, c) => toView(fn, `channels[${c}]`, m, 2));
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

/** Channel c of an h×w×c volume as a matrix — 06-channels-and-filters. */
export function channel(volume: Volume | View, c: number): Matrix {
  const fn = "array.channel";
  const X = toView(fn, "volume", volume, 3);
  if (!Number.isInteger(c) || c < 0 || c >= X.shape[2]) {
    throw new Error(`${fn}: c must be an integer from 0 to ${X.shape[2] - 1}, got ${formatValue(c)}`);
  }
  return toMatrix(X.pick(null, null, c));
}

/** A bank of kernels h×w×c×k from k kernels of shape h×w×c each — 06-channels-and-filters. */
export function stackKernels(kernels: Volume[]): KernelBank {
  const fn = "array.stackKernels";
  if (
    !readable(fn, "kernels", kernels, "an array of kernels", () => Array.isArray(kernels) && kernels.length > 0 && kernels.length <= 10_000)
  ) {
    throw new Error(`${fn}: kernels must be a non-empty array of at most 10000 h×w×c kernels, got ${formatValue(kernels)}`);
  }
  const views = Array.from(kernels).map((K, k) => toView(fn, `kernels[${k}]`, K, 3));
  const shape = views[0].shape;
  views.forEach((v, k) => {
    if (v.shape.join() !== shape.join())
      throw new Error(`${fn}: kernels[${k}] is ${v.shape.join("×")} but kernels[0] is ${shape.join("×")}`);
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
