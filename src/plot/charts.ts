// Charts: line charts (loss, accuracy, activations), bar charts (parameters per layer),
// confusion matrices and 2-D decision boundaries with the data points on top.
import { BLUES, Figure, Layout, PALETTE, Trace, describe, formatCell, matrixSize } from "./figure";
import { fail, knownOptions, readable } from "../args";

/** One line of a line chart: y values, optional x values (default 0, 1, 2, ...) — 02-ffnn-xor. */
export interface Series {
  name: string;
  y: ArrayLike<number>;
  x?: ArrayLike<number>;
  /** "lines" (default), "markers" or "lines+markers". */
  mode?: "lines" | "markers" | "lines+markers";
  dash?: "solid" | "dash" | "dot";
}

/** Title and axis labels shared by the charts — 02-ffnn-xor. */
export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

/** Options of `lineFigure`: labels plus a linear or logarithmic y axis — 02-ffnn-xor. */
export interface LineOptions extends ChartOptions {
  yScale?: "linear" | "log";
}

function isList(values: unknown): values is ArrayLike<unknown> {
  return Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView));
}

function numbers(fn: string, arg: string, values: unknown): number[] {
  if (!isList(values)) throw new Error(`${fn}: ${arg} must be an array of numbers, got ${describe(values)}`);
  const out = Array.from(values, (v, i) => {
    if (typeof v !== "number" || Number.isNaN(v)) throw new Error(`${fn}: ${arg}[${i}] must be a number, got ${describe(v)}`);
    return v;
  });
  return out;
}

function chartLayout(options: ChartOptions, defaults: { width: number; height: number }): Layout {
  const layout: Layout = {
    width: options.width ?? defaults.width,
    height: options.height ?? defaults.height,
    margin: { l: 64, r: 16, t: options.title !== undefined ? 48 : 16, b: 56 },
    xaxis: { title: { text: options.xLabel ?? "" }, automargin: true },
    yaxis: { title: { text: options.yLabel ?? "" }, automargin: true },
  };
  if (options.title !== undefined) layout.title = { text: options.title, x: 0.02, xanchor: "left" };
  return layout;
}

/** Line chart of one or more series (loss curves, activations and their derivatives) — 02-ffnn-xor. */
export function lineFigure(series: Series[], options: LineOptions = {}): Figure {
  const fn = "plot.lineFigure";
  knownOptions(fn, options, ["yScale", "title", "xLabel", "yLabel", "width", "height"]);
  const data: Trace[] = readable(fn, "series", series, "an array of {name, y}", () => lineTraces(fn, series));
  const layout = lineLayout(fn, series, options);
  return { data, layout };
}

function lineTraces(fn: string, series: Series[]): Trace[] {
  if (!Array.isArray(series) || series.length === 0)
    throw new Error(`${fn}: series must be a non-empty array of {name, y}, got ${describe(series)}`);
  return series.map((s, i) => {
    if (typeof s !== "object" || s === null || typeof s.name !== "string") {
      throw new Error(`${fn}: series[${i}] must be {name, y, x?}, got ${describe(s)}`);
    }
    const y = numbers(fn, `series[${i}].y`, s.y);
    const x = s.x === undefined ? y.map((_, k) => k) : numbers(fn, `series[${i}].x`, s.x);
    if (x.length !== y.length) throw new Error(`${fn}: series[${i}] has ${x.length} x values but ${y.length} y values`);
    return {
      type: "scatter",
      name: s.name,
      x,
      y,
      mode: s.mode ?? "lines",
      line: { color: PALETTE[i % PALETTE.length], dash: s.dash ?? "solid", width: 2 },
    };
  });
}

function lineLayout(fn: string, series: Series[], options: LineOptions): Layout {
  if (options.yScale !== undefined && options.yScale !== "linear" && options.yScale !== "log") {
    throw new Error(`${fn}: yScale must be "linear" or "log", got ${describe(options.yScale)}`);
  }
  const layout = chartLayout(options, { width: 640, height: 360 });
  layout.yaxis = { title: { text: options.yLabel ?? "" }, automargin: true, type: options.yScale ?? "linear" };
  layout.showlegend = series.length > 1;
  return layout;
}

/** Bar chart with the value written on each bar (parameters per layer) — 08-lenet-parameters. */
export function barFigure(labels: string[], values: ArrayLike<number>, options: ChartOptions = {}): Figure {
  const fn = "plot.barFigure";
  knownOptions(fn, options, ["title", "xLabel", "yLabel", "width", "height"]);
  readable(fn, "labels", labels, "an array of strings", () => {
    if (!Array.isArray(labels) || labels.some((l) => typeof l !== "string")) fail(fn, "labels", "an array of strings", labels);
  });
  const y = numbers(fn, "values", values);
  if (y.length !== labels.length) throw new Error(`${fn}: ${labels.length} labels but ${y.length} values`);
  const trace: Trace = {
    type: "bar",
    name: options.yLabel ?? "value",
    x: labels.slice(),
    y,
    text: y.map((v) => v.toLocaleString("en-US")),
    textposition: "outside",
    cliponaxis: false,
    marker: { color: PALETTE[0] },
  };
  const layout = chartLayout(options, { width: 640, height: 380 });
  layout.yaxis = { title: { text: options.yLabel ?? "" }, automargin: true, rangemode: "tozero" };
  return { data: [trace], layout };
}

/** Confusion matrix: rows are true classes, columns predicted ones, counts in every cell — 09-training-lenet-mnist. */
export function confusionMatrixFigure(counts: number[][], options: { title?: string; labels?: string[] } = {}): Figure {
  const fn = "plot.confusionMatrixFigure";
  knownOptions(fn, options, ["title", "labels"]);
  const { rows, cols } = matrixSize(fn, "counts", counts);
  if (rows !== cols) throw new Error(`plot.confusionMatrixFigure: counts must be square (classes × classes), got ${rows}×${cols}`);
  const labels = options.labels ?? counts.map((_, i) => String(i));
  if (!Array.isArray(labels) || labels.length !== rows) throw new Error(`${fn}: labels must be ${rows} strings, got ${describe(labels)}`);
  const max = Math.max(1, ...counts.flat());
  const cell = rows > 6 ? 40 : 56;
  const tickvals = labels.map((_, i) => i);
  const layout: Layout = {
    width: rows * cell + 120,
    height: rows * cell + (options.title !== undefined ? 130 : 90),
    margin: { l: 80, r: 24, t: options.title !== undefined ? 48 : 16, b: 64 },
    xaxis: { title: { text: "predicted" }, tickvals, ticktext: labels, side: "bottom", constrain: "domain" },
    yaxis: { title: { text: "true" }, tickvals, ticktext: labels, autorange: "reversed", scaleanchor: "x" },
  };
  if (options.title !== undefined) layout.title = { text: options.title, x: 0.02, xanchor: "left" };
  const trace: Trace = {
    type: "heatmap",
    name: "counts",
    z: counts.map((row) => row.slice()),
    x: tickvals,
    y: tickvals,
    text: counts.map((row) => row.map((v) => formatCell(v))),
    texttemplate: "%{text}",
    textfont: { size: 12 },
    colorscale: BLUES,
    zmin: 0,
    zmax: max,
    showscale: false,
    xgap: 1,
    ygap: 1,
    hovertemplate: "true %{y}, predicted %{x}: %{z}<extra></extra>",
  };
  return { data: [trace], layout };
}

/** A model's output on a grid of points: z[i][j] is the output at (xs[j], ys[i]) — 02-ffnn-xor. */
export interface GridValues {
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  z: number[][];
}

/** Labelled data points drawn on top of a decision boundary — 02-ffnn-xor. */
export interface LabelledPoints {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Class of each point (small integers: 0, 1, ...). */
  label: ArrayLike<number>;
}

/** Decision boundary: the model's output over a grid as filled contours, the points on top, one trace per class — 02-ffnn-xor. */
export function decisionBoundaryFigure(
  grid: GridValues,
  points: LabelledPoints,
  options: ChartOptions & { threshold?: number } = {},
): Figure {
  const fn = "plot.decisionBoundaryFigure";
  knownOptions(fn, options, ["title", "xLabel", "yLabel", "width", "height", "threshold"]);
  const { xs, ys, rows, cols } = readable(fn, "grid", grid, "a grid {xs, ys, z}", () => {
    if (typeof grid !== "object" || grid === null) throw new Error(`${fn}: grid must be {xs, ys, z}, got ${describe(grid)}`);
    return { xs: numbers(fn, "grid.xs", grid.xs), ys: numbers(fn, "grid.ys", grid.ys), ...matrixSize(fn, "grid.z", grid.z) };
  });
  if (rows !== ys.length || cols !== xs.length) {
    throw new Error(`${fn}: grid.z is ${rows}×${cols} but needs ys.length × xs.length = ${ys.length}×${xs.length}`);
  }
  if (typeof points !== "object" || points === null) throw new Error(`${fn}: points must be {x, y, label}, got ${describe(points)}`);
  const px = numbers(fn, "points.x", points.x);
  const py = numbers(fn, "points.y", points.y);
  const labels = numbers(fn, "points.label", points.label);
  if (px.length !== py.length || px.length !== labels.length) {
    throw new Error(
      `${fn}: points.x, points.y and points.label must have the same length, got ${px.length}, ${py.length}, ${labels.length}`,
    );
  }
  const threshold = options.threshold ?? 0.5;
  const surface: Trace = {
    type: "contour",
    name: "model output",
    x: xs,
    y: ys,
    z: grid.z.map((row) => row.slice()),
    colorscale: [
      [0, "#6baed6"],
      [0.5, "#ffffff"],
      [1, "#fd8d3c"],
    ],
    zmid: threshold,
    contours: { coloring: "heatmap", showlines: true, start: threshold, end: threshold, size: 1 },
    line: { color: "#333333", width: 2 },
    colorbar: { title: { text: "output" }, thickness: 12, len: 0.8 },
    hovertemplate: "(%{x:.2f}, %{y:.2f}): %{z:.3f}<extra></extra>",
  };
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const markers: Trace[] = classes.map((cls, k) => {
    const idx = labels.map((l, i) => (l === cls ? i : -1)).filter((i) => i >= 0);
    return {
      type: "scatter",
      mode: "markers",
      name: `class ${formatCell(cls)}`,
      x: idx.map((i) => px[i]),
      y: idx.map((i) => py[i]),
      marker: { size: 12, color: PALETTE[k % PALETTE.length], line: { color: "#000000", width: 1 }, symbol: k === 0 ? "circle" : "x" },
    };
  });
  const layout = chartLayout(options, { width: 520, height: 490 });
  layout.xaxis = { title: { text: options.xLabel ?? "x₁" }, range: [xs[0], xs[xs.length - 1]], constrain: "domain" };
  layout.yaxis = { title: { text: options.yLabel ?? "x₂" }, range: [ys[0], ys[ys.length - 1]], scaleanchor: "x" };
  layout.legend = { orientation: "h", x: 0, y: 1.01, xanchor: "left", yanchor: "bottom" };
  layout.margin = { l: 64, r: 16, t: options.title !== undefined ? 80 : 40, b: 56 };
  return { data: [surface, ...markers], layout };
}
