// Where the kernel goes (lectures 002, 003, 004): output size, stride, padding and dilation, the numbers a
// convolution or a pooling resolves before it reads a single pixel.
//
// Along one axis, an input of n numbers, a kernel of k taps d apart, stride s and padding p on each side give
//
//     n' = ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1
//
// `geometry` resolves every option of a 2-D convolution to numbers at once; `conv.ts` and `pool.ts` slide over them.
import { cells, describe as formatValue, integer, knownOptions, MAX_SIZE, oneOf, positiveInteger, readable } from "./args";

// ---------------------------------------------------------------------------------------------
// Output size along one axis
// ---------------------------------------------------------------------------------------------

/** What happens to a window that hangs over the end of the input: dropped (floor), or kept (ceil, lecture 003's pooling). */
export type Edges = "drop" | "keep";

/** One axis of a convolution or pooling: input length n, kernel k, stride s, padding p on each side, dilation d. */
export interface AxisOptions {
  input: number;
  kernel: number;
  stride?: number;
  /** Zero padding p on EACH side of this axis (the formula adds 2p). */
  padding?: number;
  dilation?: number;
  /** 'drop' (default) uses ⌊·⌋; 'keep' uses ⌈·⌉ so a partial window at the edge is kept. */
  edges?: Edges;
}

/** `value`, or `fallback` when it is undefined (null is kept and rejected as a bad value, not taken as "not given") — 04-convolution-by-hand. */
export function orDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

function nonNegativeInteger(fn: string, arg: string, value: unknown): number {
  return integer(fn, arg, value, { min: 0, max: MAX_SIZE });
}

function edgesOption(fn: string, value: unknown): Edges {
  if (value === undefined) return "drop";
  return oneOf(fn, "edges", value, ["drop", "keep"] as const);
}

interface Axis {
  n: number;
  k: number;
  s: number;
  /** Padding on each side. */
  p: number;
  d: number;
  edges: Edges;
  /** The kernel's reach with dilation: d(k − 1) + 1. */
  span: number;
  size: number;
}

const AXIS_KEYS = ["input", "kernel", "stride", "padding", "dilation", "edges"] as const;
const SHAPE_KEYS = AXIS_KEYS;

function axis(fn: string, o: AxisOptions): Axis {
  knownOptions(fn, o, AXIS_KEYS, { required: true });
  const n = positiveInteger(fn, "input", o.input);
  const k = positiveInteger(fn, "kernel", o.kernel);
  const s = positiveInteger(fn, "stride", orDefault(o.stride, 1));
  const d = positiveInteger(fn, "dilation", orDefault(o.dilation, 1));
  const p = nonNegativeInteger(fn, "padding", orDefault(o.padding, 0));
  const edges = edgesOption(fn, o.edges);
  const span = d * (k - 1) + 1;
  if (span > n + 2 * p && edges === "drop") {
    throw new Error(`${fn}: kernel ${k}${d > 1 ? ` (dilation ${d})` : ""} does not fit input ${n} with padding ${p} on each side`);
  }
  const size = edgeSize(n, p, p, span, s, edges);
  return { n, k, s, p, d, edges, span, size };
}

/** Output length along one axis, ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 with p on each side (lecture 002; ⌈·⌉ with edges 'keep') — 04-convolution-by-hand. */
export function outputSize(options: AxisOptions): number {
  return axis("conv.outputSize", options).size;
}

/** The formula with the numbers in; the padding written 2·p when both sides match, else before + after. */
function working(n: number, k: number, s: number, before: number, after: number, d: number, edges: Edges, size: number): string {
  const kernel = d === 1 ? `${k}` : `${d}·(${k} − 1) − 1`;
  const padding = before === after ? (before === 0 ? "0" : `2·${before}`) : `${before} + ${after}`;
  const [open, close] = edges === "drop" ? ["⌊", "⌋"] : ["⌈", "⌉"];
  return `${open}(${n} + ${padding} − ${kernel})/${s}${close} + 1 = ${size}`;
}

/** Output length and its working along one axis with `before` and `after` zeros (stride s, dilation 1), for layers.ts. */
export function axisWorking(n: number, k: number, s: number, before: number, after: number): { size: number; working: string } {
  const size = edgeSize(n, before, after, k, s, "drop");
  return { size, working: working(n, k, s, before, after, 1, "drop", size) };
}

/** The output-size formula with the numbers filled in, e.g. "⌊(2 + 2·2 − 3)/1⌋ + 1 = 4" (padding 2 on each side) — 04-convolution-by-hand. */
export function outputSizeWorking(options: AxisOptions): string {
  const { n, k, s, p, d, edges, size } = axis("conv.outputSizeWorking", options);
  return working(n, k, s, p, p, d, edges, size);
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
    if (p.length !== 2)
      throw new Error(`${fn}: padding must be a number, [h, w], {top, bottom, left, right}, 'valid' or 'same', got ${formatValue(p)}`);
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
  cells(fn, "the output", [outH, outW]);
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
  const fn = "conv.outputShape";
  knownOptions(fn, options, SHAPE_KEYS, { required: true });
  const { input, kernel } = shapeOptions(fn, options);
  const g = geometry(fn, input, kernel, options);
  return [g.outH, g.outW];
}

/** Both output-size formulas with the numbers in, "⌊(2 + 2·2 − 3)/1⌋ + 1 = 4 by ⌊(6 + 2·0 − 2)/2⌋ + 1 = 3" — 04-convolution-by-hand. */
export function outputShapeWorking(options: Conv2dOptions & { input: [number, number]; kernel: [number, number]; edges?: Edges }): string {
  const fn = "conv.outputShapeWorking";
  knownOptions(fn, options, SHAPE_KEYS, { required: true });
  const { input, kernel } = shapeOptions(fn, options);
  const g = geometry(fn, input, kernel, options);
  const rows = working(
    input[0],
    kernel[0],
    g.strideH,
    g.padding.top,
    g.padding.bottom,
    g.dilationH,
    edgesOption(fn, options.edges),
    g.outH,
  );
  const cols = working(
    input[1],
    kernel[1],
    g.strideW,
    g.padding.left,
    g.padding.right,
    g.dilationW,
    edgesOption(fn, options.edges),
    g.outW,
  );
  return `${rows} by ${cols}`;
}

function shapeOptions(
  fn: string,
  options: { input: [number, number]; kernel: [number, number] },
): {
  input: [number, number];
  kernel: [number, number];
} {
  if (typeof options !== "object" || options === null) throw new Error(`${fn}: options must be an object, got ${formatValue(options)}`);
  const pair = (arg: string, v: unknown): [number, number] => {
    if (!Array.isArray(v) || v.length !== 2) throw new Error(`${fn}: ${arg} must be [h, w], got ${formatValue(v)}`);
    return [positiveInteger(fn, `${arg}[0]`, v[0]), positiveInteger(fn, `${arg}[1]`, v[1])];
  };
  return readable(fn, "options", options, "an object { input, kernel, … }", () => ({
    input: pair("input", options.input),
    kernel: pair("kernel", options.kernel),
  }));
}

// ---------------------------------------------------------------------------------------------
// 1-D options (lecture 003): one row of a 2-D convolution
// ---------------------------------------------------------------------------------------------

/** Options of a 1-D convolution: padding a number (both ends), `{ left, right }`, 'valid' or 'same' — 07-pooling-relu-x-vs-o. */
export interface Conv1dOptions {
  stride?: number;
  padding?: number | { left: number; right: number } | "valid" | "same";
  dilation?: number;
}

/** The options of a 1-D convolution (input n, kernel k) as the 2-D options of a single row — 07-pooling-relu-x-vs-o. */
export function options1d(fn: string, options: Conv1dOptions, n: number, k: number): Conv2dOptions {
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
