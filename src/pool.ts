// Pooling (lectures 000, 001, 002, 003, 004): a window walks over each map and keeps one number
// per position: the maximum (most used), the average, the sum or the minimum.
import { describe as formatValue, knownOptions } from "./args";
import { pad2d } from "./conv";
import { formatPadding, geometry, orDefault } from "./geometry";
import type { Edges, Geometry, Padding, PerAxis } from "./geometry";
import { at, toView } from "./view";
import type { Matrix, View, Volume } from "./view";
import { formatNumber, latexMatrix } from "./explain";

/** How a window becomes one number. */
export type PoolMode = "max" | "avg" | "sum" | "min";

/** Options of pooling — 07-pooling-relu-x-vs-o. */
export interface Pool2dOptions {
  /** 'max' (default), 'avg', 'sum' or 'min'. */
  mode?: PoolMode;
  /** Window size: a number or [h, w] (default 2). */
  window?: PerAxis;
  /** How far the window jumps (default: the window size, so windows do not overlap). */
  stride?: PerAxis;
  /** Padding around the map; padded cells are not numbers: they never win a max and do not count in an average. */
  padding?: Padding;
  /** 'drop' (default, like TensorFlow) drops a window hanging over the edge; 'keep' keeps it (lecture 003: 7×7 → 4×4). */
  edges?: Edges;
}

interface Pooled {
  g: Geometry;
  out: Float64Array;
  /** For max and min: the input row and column each output came from (-1 for avg and sum). */
  fromRow: Int32Array;
  fromCol: Int32Array;
}

const POOL_KEYS = ["mode", "window", "stride", "padding", "edges"] as const;
const EXPLAIN_KEYS = [...POOL_KEYS, "digits"] as const;
/** Max pooling has no mode to choose. */
const MAX_POOL_KEYS = POOL_KEYS.filter((k) => k !== "mode");

function modeOption(fn: string, mode: unknown): PoolMode {
  if (mode === undefined) return "max";
  if (mode !== "max" && mode !== "avg" && mode !== "sum" && mode !== "min") {
    throw new Error(`${fn}: mode must be 'max', 'avg', 'sum' or 'min', got ${formatValue(mode)}`);
  }
  return mode;
}

function poolGeometry(fn: string, X: View, options: Pool2dOptions): Geometry {
  if (typeof options !== "object" || options === null)
    throw new Error(`${fn}: options must be an object like { window, stride }, got ${formatValue(options)}`);
  const window = orDefault(options.window, 2);
  let size: [number, number];
  if (Array.isArray(window) && window.length === 2) size = [window[0], window[1]];
  else if (typeof window === "number") size = [window, window];
  else throw new Error(`${fn}: window must be a number or [h, w], got ${formatValue(window)}`);
  size.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`${fn}: window${Array.isArray(window) ? `[${i}]` : ""} must be a positive integer, got ${formatValue(v)}`);
  });
  const g = geometry(
    fn,
    [X.shape[0], X.shape[1]],
    size,
    { stride: orDefault(options.stride, window), padding: options.padding, edges: options.edges },
    "window",
  );
  const p = g.padding;
  if (p.top >= g.kH || p.bottom >= g.kH || p.left >= g.kW || p.right >= g.kW) {
    throw new Error(
      `${fn}: padding ${formatPadding(p)} must be smaller than the window ${g.kH}×${g.kW} (a window of only padding has nothing to pool)`,
    );
  }
  return g;
}

/** The pooling loop: each window's max, min, sum or average over the input cells it covers. */
function poolView(X: View, g: Geometry, mode: PoolMode): Pooled {
  const out = new Float64Array(g.outH * g.outW);
  const fromRow = new Int32Array(out.length).fill(-1);
  const fromCol = new Int32Array(out.length).fill(-1);
  for (let i = 0; i < g.outH; i++) {
    for (let j = 0; j < g.outW; j++) {
      let best = mode === "max" ? -Infinity : Infinity;
      let sum = 0;
      let count = 0;
      for (let u = 0; u < g.kH; u++) {
        for (let v = 0; v < g.kW; v++) {
          const row = i * g.strideH + u - g.padding.top;
          const col = j * g.strideW + v - g.padding.left;
          if (row < 0 || row >= g.inH || col < 0 || col >= g.inW) continue;
          const x = at(X, row, col);
          sum += x;
          count += 1;
          const better = mode === "max" ? x > best : x < best;
          if (better) {
            best = x;
            fromRow[i * g.outW + j] = row;
            fromCol[i * g.outW + j] = col;
          }
        }
      }
      const value = mode === "max" || mode === "min" ? best : mode === "sum" ? sum : sum / count;
      out[i * g.outW + j] = value;
    }
  }
  if (mode === "avg" || mode === "sum") {
    fromRow.fill(-1);
    fromCol.fill(-1);
  }
  return { g, out, fromRow, fromCol };
}

function rows(out: Float64Array, g: Geometry): Matrix {
  const m: Matrix = [];
  for (let i = 0; i < g.outH; i++) m.push(Array.from(out.subarray(i * g.outW, (i + 1) * g.outW)));
  return m;
}

/** Pool one map: max (default), avg, sum or min over windows — 07-pooling-relu-x-vs-o. */
export function pool2d(input: Matrix | View, options: Pool2dOptions = {}): Matrix {
  const fn = "pool.pool2d";
  knownOptions(fn, options, POOL_KEYS);
  const X = toView(fn, "input", input, 2);
  const mode = modeOption(fn, options?.mode);
  const { g, out } = poolView(X, poolGeometry(fn, X, options), mode);
  return rows(out, g);
}

/** Max pooling that also says where each maximum came from: argmax[i][j] = [row, col] in the input (lecture 002's backprop) — 07-pooling-relu-x-vs-o. */
export function maxPool2d(
  input: Matrix | View,
  options: Omit<Pool2dOptions, "mode"> = {},
): { output: Matrix; argmax: [number, number][][] } {
  return maxPoolFor("pool.maxPool2d", input, options);
}

/** `maxPool2d` on behalf of public function `fn` (autodiff.maxPool pools by this too), its errors naming `fn`. */
export function maxPoolFor(
  fn: string,
  input: Matrix | View,
  options: Omit<Pool2dOptions, "mode">,
): { output: Matrix; argmax: [number, number][][] } {
  if (typeof options === "object" && options !== null && "mode" in options) {
    throw new Error(`${fn}: options.mode is not allowed (it is always 'max'), got ${formatValue(Reflect.get(options, "mode"))}`);
  }
  knownOptions(fn, options, MAX_POOL_KEYS);
  const X = toView(fn, "input", input, 2);
  const { g, out, fromRow, fromCol } = poolView(X, poolGeometry(fn, X, options), "max");
  const argmax: [number, number][][] = [];
  for (let i = 0; i < g.outH; i++) {
    const row: [number, number][] = [];
    for (let j = 0; j < g.outW; j++) row.push([fromRow[i * g.outW + j], fromCol[i * g.outW + j]]);
    argmax.push(row);
  }
  return { output: rows(out, g), argmax };
}

/** Back-propagation through max pooling: each output's error signal goes to the input cell that took the max; the rest get 0 (lecture 002) — 07-pooling-relu-x-vs-o. */
export function maxPoolBackward(outputBar: Matrix, argmax: [number, number][][], inputShape: [number, number]): Matrix {
  const fn = "pool.maxPoolBackward";
  const G = toView(fn, "outputBar", outputBar, 2);
  if (!Array.isArray(inputShape) || inputShape.length !== 2 || !inputShape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`${fn}: inputShape must be [h, w] of positive integers, got ${formatValue(inputShape)}`);
  }
  const [h, w] = inputShape;
  if (!Array.isArray(argmax) || argmax.length !== G.shape[0]) {
    throw new Error(`${fn}: argmax must have ${G.shape[0]} rows like outputBar, got ${formatValue(argmax)}`);
  }
  const bar: Matrix = Array.from({ length: h }, () => new Array<number>(w).fill(0));
  for (let i = 0; i < G.shape[0]; i++) {
    if (!Array.isArray(argmax[i]) || argmax[i].length !== G.shape[1]) {
      throw new Error(`${fn}: argmax[${i}] must have ${G.shape[1]} positions like outputBar, got ${formatValue(argmax[i])}`);
    }
    for (let j = 0; j < G.shape[1]; j++) {
      const p = argmax[i][j];
      const ok =
        Array.isArray(p) &&
        p.length === 2 &&
        Number.isInteger(p[0]) &&
        Number.isInteger(p[1]) &&
        p[0] >= 0 &&
        p[0] < h &&
        p[1] >= 0 &&
        p[1] < w;
      if (!ok) throw new Error(`${fn}: argmax[${i}][${j}] must be [row, col] inside ${h}×${w}, got ${formatValue(p)}`);
      bar[p[0]][p[1]] += at(G, i, j);
    }
  }
  return bar;
}

/** Pool every channel of an h×w×c volume on its own: h'×w'×c — 07-pooling-relu-x-vs-o. */
export function poolChannels(input: Volume | View, options: Pool2dOptions = {}): Volume {
  const fn = "pool.poolChannels";
  knownOptions(fn, options, POOL_KEYS);
  const X = toView(fn, "input", input, 3);
  const mode = modeOption(fn, options?.mode);
  const g = poolGeometry(fn, X, options);
  const maps: Float64Array[] = [];
  for (let c = 0; c < X.shape[2]; c++) maps.push(poolView(X.pick(null, null, c), g, mode).out);
  const out: Volume = [];
  for (let i = 0; i < g.outH; i++) {
    const row: number[][] = [];
    for (let j = 0; j < g.outW; j++) row.push(maps.map((m) => m[i * g.outW + j]));
    out.push(row);
  }
  return out;
}

/** One pooled cell with its working: "max(0.77, -0.11, -0.11, 1) = 1". */
export interface PooledCell {
  row: number;
  col: number;
  value: number;
  /** The input numbers the window covers (padding left out), row by row. */
  values: number[];
  /** Input rows and columns of the window (some may be padding or past the edge). */
  rows: number[];
  cols: number[];
  /** For max and min: where the value came from. */
  from: [number, number] | null;
  working: string;
}

/** Pooling with each window's working, and LaTeX — 07-pooling-relu-x-vs-o. */
export function explainPool2d(
  input: Matrix | View,
  options: Pool2dOptions & { digits?: number } = {},
): { output: Matrix; cells: PooledCell[][]; latex: string } {
  const fn = "pool.explainPool2d";
  knownOptions(fn, options, EXPLAIN_KEYS);
  const X = toView(fn, "input", input, 2);
  const mode = modeOption(fn, options?.mode);
  const digits = orDefault(options.digits, 2);
  if (!Number.isInteger(digits) || digits < 0 || digits > 10)
    throw new Error(`${fn}: digits must be an integer from 0 to 10, got ${formatValue(digits)}`);
  const { g, out, fromRow, fromCol } = poolView(X, poolGeometry(fn, X, options), mode);
  const cells: PooledCell[][] = [];
  for (let i = 0; i < g.outH; i++) {
    const row: PooledCell[] = [];
    for (let j = 0; j < g.outW; j++) {
      const rowsCovered = Array.from({ length: g.kH }, (_, u) => i * g.strideH + u - g.padding.top);
      const colsCovered = Array.from({ length: g.kW }, (_, v) => j * g.strideW + v - g.padding.left);
      const values: number[] = [];
      for (const r of rowsCovered) for (const c of colsCovered) if (r >= 0 && r < g.inH && c >= 0 && c < g.inW) values.push(at(X, r, c));
      const k = i * g.outW + j;
      const value = out[k];
      const list = values.map((v) => formatNumber(v, digits)).join(", ");
      const working =
        mode === "avg"
          ? `(${values.map((v) => formatNumber(v, digits)).join(" + ")})/${values.length} = ${formatNumber(value, digits)}`
          : `${mode}(${list}) = ${formatNumber(value, digits)}`;
      const from: [number, number] | null = fromRow[k] >= 0 ? [fromRow[k], fromCol[k]] : null;
      row.push({ row: i, col: j, value, values, rows: rowsCovered, cols: colsCovered, from, working });
    }
    cells.push(row);
  }
  const output = rows(out, g);
  return { output, cells, latex: latexMatrix(output, "pmatrix", digits) };
}

/** The frames of a pooling, row by row: the padded input, the output and one window per output cell (data for a slider) — 07-pooling-relu-x-vs-o. */
export function poolingWalk(
  input: Matrix | View,
  options: Pool2dOptions & { digits?: number } = {},
): {
  input: Matrix;
  output: Matrix;
  steps: { window: { row: number; col: number; rows: number; cols: number }; cell: { row: number; col: number }; text: string }[];
} {
  const fn = "pool.poolingWalk";
  knownOptions(fn, options, EXPLAIN_KEYS);
  const X = toView(fn, "input", input, 2);
  const e = explainPool2d(X, options);
  const g = poolGeometry(fn, X, options);
  const padded = pad2d(X, g.padding);
  const [h, w] = [padded.length, padded[0].length];
  const steps = e.cells.flat().map((c) => {
    // A window kept at the edge ('keep') may hang past the input: draw only the part that is there.
    const [row, col] = [c.row * g.strideH, c.col * g.strideW];
    return {
      window: { row, col, rows: Math.min(g.kH, h - row), cols: Math.min(g.kW, w - col) },
      cell: { row: c.row, col: c.col },
      text: c.working,
    };
  });
  return { input: padded, output: e.output, steps };
}
