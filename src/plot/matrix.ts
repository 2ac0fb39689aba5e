// Matrices as annotated heatmaps: every cell shows its value (or an expression such as
// "-6 - 6 - 6"), colours diverge from white at 0, and a rectangle marks the kernel's window.
import { knownOptions, readable } from "../args";
import {
  Annotation,
  BLUES,
  CellWindow,
  DIVERGING,
  Figure,
  GRAY,
  Layout,
  Shape,
  Trace,
  axisRefs,
  describe,
  formatCell,
  matrixSize,
  maxAbs,
  titleWidth,
} from "./figure";

/** Colours of a matrix: diverging around 0, gray levels, or light-to-dark blue for counts — 04-convolution-by-hand. */
export type MatrixColors = "diverging" | "gray" | "blues";

/** One matrix in a figure, with its caption, optional cell texts and highlighted window — 04-convolution-by-hand. */
export interface MatrixPanel {
  /** The numbers, one array per row. */
  values: number[][];
  /** Written under the matrix ("input", "kernel", "output"). */
  caption?: string;
  /** Text per cell instead of the value, e.g. the sum that produced it. */
  text?: string[][];
  /** Cells to outline (the kernel's current position). */
  window?: CellWindow;
  /** Colour scale (default "diverging", centred on 0). */
  colors?: MatrixColors;
  /** Decimal places of non-integer values (default 2). */
  decimals?: number;
}

/** Options of `matrixFigure`: a title plus everything a single panel takes — 04-convolution-by-hand. */
export interface MatrixOptions extends Omit<MatrixPanel, "values"> {
  title?: string;
}

/** Options of `matrixRowFigure`: a title and the symbols between the matrices — 04-convolution-by-hand. */
export interface MatrixRowOptions {
  title?: string;
  /** Written between neighbouring panels; default ["⊛", "="] for three panels, none otherwise. */
  operators?: string[];
}

const CELL_HEIGHT = 36;
const GAP = 44;
const MARGIN = { l: 16, r: 16, b: 40 };

/** Internal: a panel whose values may have empty (null) cells, as in a partly computed output. */
export interface PartialPanel extends Omit<MatrixPanel, "values"> {
  values: (number | null)[][];
}

/** Pixel geometry shared by the matrix figures and the sliding-window animation. */
export interface PanelGeometry {
  /** x domain of each panel, as fractions of the plot area. */
  domains: [number, number][];
  /** y domain of each panel (matrices are centred vertically). */
  yDomains: [number, number][];
  /** Centre of each gap between panels, as a fraction of the plot area width. */
  gapCentres: number[];
  width: number;
  plotHeight: number;
  top: number;
}

function cellWidth(panel: PartialPanel): number {
  let longest = 1;
  panel.values.forEach((row, r) =>
    row.forEach((v, c) => {
      const label = panel.text ? panel.text[r][c] : v === null ? "" : formatCell(v, panel.decimals);
      longest = Math.max(longest, label.length);
    }),
  );
  return Math.max(CELL_HEIGHT, Math.ceil(longest * 7 + 10));
}

/** Where each panel goes: equal cell heights, widths fitted to the longest cell text. */
export function panelGeometry(panels: PartialPanel[], hasTitle: boolean): PanelGeometry {
  const widths = panels.map((p) => p.values[0].length * cellWidth(p));
  const plotWidth = widths.reduce((a, b) => a + b, 0) + GAP * (panels.length - 1);
  const maxRows = Math.max(...panels.map((p) => p.values.length));
  const plotHeight = maxRows * CELL_HEIGHT;
  const domains: [number, number][] = [];
  const yDomains: [number, number][] = [];
  const gapCentres: number[] = [];
  let at = 0;
  panels.forEach((p, i) => {
    domains.push([at / plotWidth, (at + widths[i]) / plotWidth]);
    const h = p.values.length * CELL_HEIGHT;
    yDomains.push([(plotHeight - h) / 2 / plotHeight, (plotHeight + h) / 2 / plotHeight]);
    at += widths[i];
    if (i < panels.length - 1) {
      gapCentres.push((at + GAP / 2) / plotWidth);
      at += GAP;
    }
  });
  const top = hasTitle ? 48 : 16;
  return { domains, yDomains, gapCentres, width: plotWidth + MARGIN.l + MARGIN.r, plotHeight, top };
}

function colorRange(values: (number | null)[][], colors: MatrixColors): [number, number] {
  const finite = values.map((row) => row.map((v) => (v === null || !Number.isFinite(v) ? 0 : v)));
  if (colors === "diverging") {
    const m = maxAbs(finite);
    return [-m, m];
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of finite)
    for (const v of row) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/** The text of every cell, row by row: the panel's text, or the formatted value ("" for an empty cell). */
export function cellLabels(panel: PartialPanel): string[][] {
  return panel.values.map((row, r) => row.map((v, c) => (v === null ? "" : panel.text ? panel.text[r][c] : formatCell(v, panel.decimals))));
}

/**
 * The heatmap trace of panel `i`, its labels written in the cells (plotly picks black or white
 * text to contrast with each cell's colour).
 */
export function panelTrace(panel: PartialPanel, i: number, range: [number, number]): Trace {
  const refs = axisRefs(i);
  const colors = panel.colors ?? "diverging";
  const rows = panel.values.length;
  const cols = panel.values[0].length;
  return {
    type: "heatmap",
    name: panel.caption ?? `matrix ${i + 1}`,
    z: panel.values.map((row) => row.slice()),
    x: Array.from({ length: cols }, (_, c) => c),
    y: Array.from({ length: rows }, (_, r) => r),
    text: cellLabels(panel),
    texttemplate: "%{text}",
    textfont: { size: 13 },
    xaxis: refs.x,
    yaxis: refs.y,
    colorscale: colors === "gray" ? GRAY : colors === "blues" ? BLUES : DIVERGING,
    zmin: range[0],
    zmax: range[1],
    showscale: false,
    xgap: 1,
    ygap: 1,
    hovertemplate: "row %{y}, column %{x}: %{z}<extra></extra>",
  };
}

/** The outline of `window` on panel `i`. */
export function windowShape(window: CellWindow, i: number, color = "#ff7f0e"): Shape {
  const refs = axisRefs(i);
  return {
    type: "rect",
    xref: refs.x,
    yref: refs.y,
    x0: window.col - 0.5,
    x1: window.col + window.cols - 0.5,
    y0: window.row - 0.5,
    y1: window.row + window.rows - 0.5,
    line: { color, width: 4 },
    fillcolor: "rgba(0,0,0,0)",
  };
}

/** Operators written between panels, at the centre of each gap. */
export function operatorAnnotations(operators: string[], geometry: PanelGeometry): Annotation[] {
  return operators.map((op, k) => ({
    text: op,
    x: geometry.gapCentres[k],
    y: 0.5,
    xref: "paper",
    yref: "paper",
    showarrow: false,
    font: { size: 24 },
  }));
}

/** Axes and size for the panels; the caption is the x-axis title under each matrix. */
export function panelLayout(panels: PartialPanel[], geometry: PanelGeometry, title: string | undefined): Layout {
  // A long title widens the figure on the right, so the cells keep their size.
  const extra = Math.max(0, titleWidth(title) - geometry.width);
  const layout: Layout = {
    width: geometry.width + extra,
    height: geometry.plotHeight + geometry.top + MARGIN.b,
    margin: { l: MARGIN.l, r: MARGIN.r + extra, t: geometry.top, b: MARGIN.b },
    plot_bgcolor: "#ffffff",
  };
  if (title !== undefined) layout.title = { text: title, x: 0.02, xanchor: "left" };
  panels.forEach((p, i) => {
    const refs = axisRefs(i);
    const rows = p.values.length;
    const cols = p.values[0].length;
    const hidden = { showgrid: false, zeroline: false, showticklabels: false, ticks: "", fixedrange: true };
    layout[refs.xaxis] = {
      ...hidden,
      domain: geometry.domains[i],
      range: [-0.5, cols - 0.5],
      anchor: refs.y,
      title: { text: p.caption ?? "", standoff: 6, font: { size: 13 } },
    };
    layout[refs.yaxis] = { ...hidden, domain: geometry.yDomains[i], range: [rows - 0.5, -0.5], anchor: refs.x };
  });
  return layout;
}

/** Check a panel; `arg` names it in errors ("panels[1]"), `valuesName` its values ("values"). */
function checkPanel(fn: string, arg: string, panel: MatrixPanel, valuesName = `${arg}.values`): void {
  if (typeof panel !== "object" || panel === null) throw new Error(`${fn}: ${arg} must be an object, got ${describe(panel)}`);
  const { rows, cols } = matrixSize(fn, valuesName, panel.values);
  if (panel.text !== undefined) {
    const ok =
      Array.isArray(panel.text) &&
      panel.text.length === rows &&
      panel.text.every((row) => Array.isArray(row) && row.length === cols && row.every((t) => typeof t === "string"));
    if (!ok) throw new Error(`${fn}: ${arg}.text must be ${rows}×${cols} strings like the values, got ${describe(panel.text)}`);
  }
  const w = panel.window;
  if (w !== undefined) {
    const ints = [w.row, w.col, w.rows, w.cols].every((n) => Number.isInteger(n));
    if (!ints || w.row < 0 || w.col < 0 || w.rows < 1 || w.cols < 1 || w.row + w.rows > rows || w.col + w.cols > cols) {
      throw new Error(
        `${fn}: ${arg}.window {row: ${w.row}, col: ${w.col}, rows: ${w.rows}, cols: ${w.cols}} does not fit a ${rows}×${cols} matrix`,
      );
    }
  }
  if (panel.colors !== undefined && !["diverging", "gray", "blues"].includes(panel.colors)) {
    throw new Error(`${fn}: ${arg}.colors must be "diverging", "gray" or "blues", got ${describe(panel.colors)}`);
  }
}

/** Build a figure from checked panels (shared with the animation). */
export function panelsFigure(panels: PartialPanel[], title: string | undefined, operators: string[]): Figure {
  const geometry = panelGeometry(panels, title !== undefined);
  const data: Trace[] = [];
  const annotations: Annotation[] = [];
  const shapes: Shape[] = [];
  panels.forEach((p, i) => {
    data.push(panelTrace(p, i, colorRange(p.values, p.colors ?? "diverging")));
    if (p.window) shapes.push(windowShape(p.window, i));
  });
  annotations.push(...operatorAnnotations(operators, geometry));
  const layout = panelLayout(panels, geometry, title);
  layout.annotations = annotations;
  layout.shapes = shapes;
  return { data, layout };
}

/** A row of matrices with captions and operators between them, e.g. input ⊛ kernel = output — 04-convolution-by-hand. */
export function matrixRowFigure(panels: MatrixPanel[], options: MatrixRowOptions = {}): Figure {
  knownOptions("plot.matrixRowFigure", options, ["title", "operators"]);
  if (
    !readable(
      "plot.matrixRowFigure",
      "panels",
      panels,
      "an array of panels",
      () => Array.isArray(panels) && panels.length > 0 && panels.length <= 100,
    )
  ) {
    throw new Error(`plot.matrixRowFigure: panels must be a non-empty array, got ${describe(panels)}`);
  }
  panels.forEach((p, i) => checkPanel("plot.matrixRowFigure", `panels[${i}]`, p));
  const operators = options.operators ?? (panels.length === 3 ? ["⊛", "="] : []);
  if (!Array.isArray(operators) || operators.length > panels.length - 1 || operators.some((o) => typeof o !== "string")) {
    throw new Error(
      `plot.matrixRowFigure: operators must be at most ${panels.length - 1} strings for ${panels.length} panels, got ${describe(operators)}`,
    );
  }
  return panelsFigure(panels, options.title, operators);
}

/** One matrix as a heatmap with its value (or an expression) in every cell and an optional window — 04-convolution-by-hand. */
export function matrixFigure(values: number[][], options: MatrixOptions = {}): Figure {
  knownOptions("plot.matrixFigure", options, ["title", "window", "caption", "text", "colors", "decimals"]);
  const { title, ...panel } = options;
  checkPanel("plot.matrixFigure", "options", { ...panel, values }, "values");
  return panelsFigure([{ ...panel, values }], title, []);
}
