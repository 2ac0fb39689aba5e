// Plotly figures as plain data. Every builder in src/plot/ is a pure function that returns a
// `Figure` ({ data, layout }), so tests can look inside it; `show` (show.ts) is the only step
// that talks to the kernel. Conventions for a new figure family (one file per family):
//   - name the builder `<thing>Figure(values, options)`; options is one object of optional fields;
//   - reject bad input with an Error naming the function, the argument and the value;
//   - put a `title` in layout.title.text and give layout an explicit width and height;
//   - keep figures small: plain numbers and strings only (no typed arrays), images as PNG data URIs.

/** One plotly trace: its `type` plus whatever attributes plotly.js reads for that type — 04-convolution-by-hand. */
import { describe as describeValue, fail, readable } from "../args";
export interface Trace {
  type: "heatmap" | "scatter" | "bar" | "contour" | "image";
  name?: string;
  x?: (number | string)[];
  y?: (number | string)[];
  z?: (number | null)[][];
  text?: string | string[] | string[][];
  xaxis?: string;
  yaxis?: string;
  [attribute: string]: unknown;
}

/** A text label placed on the figure (a matrix cell's value, a caption, an operator) — 04-convolution-by-hand. */
export interface Annotation {
  text: string;
  x: number;
  y: number;
  xref: string;
  yref: string;
  showarrow: false;
  [attribute: string]: unknown;
}

/** A rectangle drawn on top of the data (the kernel's current window) — 04-convolution-by-hand. */
export interface Shape {
  type: "rect";
  xref: string;
  yref: string;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  [attribute: string]: unknown;
}

/** Plotly layout: title, size, axes (`xaxis`, `yaxis2`, ...), annotations, shapes — 04-convolution-by-hand. */
export interface Layout {
  title?: { text: string; [attribute: string]: unknown };
  width?: number;
  height?: number;
  annotations?: Annotation[];
  shapes?: Shape[];
  [attribute: string]: unknown;
}

/** One step of an animation: new trace data and/or layout, shown when the slider reaches `name` — 04-convolution-by-hand. */
export interface Frame {
  name: string;
  data?: Partial<Trace>[];
  traces?: number[];
  layout?: Layout;
}

/** A plotly.js figure as plain data; `dl.show(figure)` draws it in the notebook — 04-convolution-by-hand. */
export interface Figure {
  data: Trace[];
  layout: Layout;
  frames?: Frame[];
  config?: Record<string, unknown>;
}

/** A rectangle of cells: top-left `row`, `col` and its size (the kernel window) — 04-convolution-by-hand. */
export interface CellWindow {
  row: number;
  col: number;
  rows: number;
  cols: number;
}

/** Blue for negative, white for 0, red for positive (used with zmid 0). */
export const DIVERGING: [number, string][] = [
  [0, "#2166ac"],
  [0.25, "#92c5de"],
  [0.5, "#f7f7f7"],
  [0.75, "#f4a582"],
  [1, "#b2182b"],
];

/** Black to white, for pictures. */
export const GRAY: [number, string][] = [
  [0, "#000000"],
  [1, "#ffffff"],
];

/** White to dark blue, for counts (confusion matrices). */
export const BLUES: [number, string][] = [
  [0, "#f7fbff"],
  [0.5, "#6baed6"],
  [1, "#08306b"],
];

/** Colours of classes and series, in order. */
export const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** The axis names of subplot `i` (0-based): ["x", "y"], ["x2", "y2"], ... as traces and annotations refer to them. */
export function axisRefs(i: number): { x: string; y: string; xaxis: string; yaxis: string } {
  const n = i === 0 ? "" : String(i + 1);
  return { x: `x${n}`, y: `y${n}`, xaxis: `xaxis${n}`, yaxis: `yaxis${n}` };
}

/** A number as a short label: integers as they are, others with `decimals` places (default 2). */
export function formatCell(v: number, decimals = 2): string {
  if (Number.isNaN(v)) return "NaN";
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(decimals);
}

/** Check that `values` is a non-empty rectangular matrix of finite numbers; return its size. */
export function matrixSize(fn: string, arg: string, values: unknown): { rows: number; cols: number } {
  return readable(fn, arg, values, "a matrix of numbers", () => readMatrixSize(fn, arg, values));
}

function readMatrixSize(fn: string, arg: string, values: unknown): { rows: number; cols: number } {
  if (!Array.isArray(values) || values.length === 0 || !Array.isArray(values[0]) || values[0].length === 0) {
    throw new Error(`${fn}: ${arg} must be a non-empty matrix (array of rows), got ${describe(values)}`);
  }
  const cols = values[0].length;
  values.forEach((row: unknown, r: number) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw new Error(`${fn}: ${arg} must be rectangular: row 0 has ${cols} values, row ${r} has ${describe(row)}`);
    }
    row.forEach((v: unknown, c: number) => {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new Error(`${fn}: ${arg}[${r}][${c}] must be a finite number, got ${describe(v)}`);
      }
    });
  });
  return { rows: values.length, cols };
}

/** Check that `figure` is a plotly figure {data: [...], layout: {...}} (the check of every function that shows one). */
export function checkFigure(fn: string, figure: unknown): void {
  const ok = readable(
    fn,
    "figure",
    figure,
    "a plotly figure",
    () =>
      typeof figure === "object" &&
      figure !== null &&
      "data" in figure &&
      Array.isArray(figure.data) &&
      "layout" in figure &&
      typeof figure.layout === "object" &&
      figure.layout !== null,
  );
  if (!ok) fail(fn, "figure", "a plotly figure {data: [...], layout: {...}}", figure);
}

/** A short description of a bad value for error messages. */
export function describe(v: unknown): string {
  return describeValue(v);
}

/** Largest absolute value of a matrix (1 when all are 0), for a colour scale centred on 0. */
export function maxAbs(values: number[][]): number {
  let m = 0;
  for (const row of values) for (const v of row) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m === 0 ? 1 : m;
}

/** Roughly how many pixels a title needs (plotly does not wrap titles). */
export function titleWidth(title: string | undefined): number {
  return title === undefined ? 0 : Math.ceil(title.length * 9.5) + 32;
}
