// The computation graph of a loss (autodiff.ts's `graph(loss)`) as a plotly figure: inputs on
// the left, the loss on the right, every node with its value and its error signal (bar), every
// operation named above the node it computes. Also the backward trace as a display bundle.
import type { GraphEdge, GraphNode, Kind, Matrix, TraceRow } from "../autodiff";
import { traceLatex, traceTable, traceText } from "../autodiff";
import { checkRows } from "../autodiff-trace";
import { knownOptions, readable } from "../args";
import { traceNumber } from "../autodiff-node";
import { MimeBundle, display } from "../display";
import { Annotation, Figure, Layout, Trace, describe } from "./figure";
import { escapeHtml } from "../html";

/** Options of `computationGraphFigure` — 03-backprop. */
export interface GraphFigureOptions {
  title?: string;
  /** Show each node's bar under its value (default true; set false before backward()). */
  showBars?: boolean;
  width?: number;
  height?: number;
}

const KIND_COLOURS: Record<Kind, string> = { param: "#fdd0a2", input: "#e0e0e0", constant: "#f7f7f7", op: "#c6dbef" };
const COLUMN = 170;
const ROW = 120;

function short(v: number | Matrix): string {
  if (typeof v === "number") return traceNumber(v);
  const rows = v.length;
  const cols = v[0]?.length ?? 0;
  if (rows * cols === 1) return "[" + traceNumber(v[0][0]) + "]"; // larger ones would crowd the edge labels: shape only
  return `${rows}×${cols}`;
}

function full(v: number | Matrix): string {
  if (typeof v === "number") return traceNumber(v);
  return v.map((row) => row.map(traceNumber).join("  ")).join("<br>");
}

/** Column of every node: operations one right of their furthest input; data and parameters one left of their first use. */
function columns(nodes: GraphNode[], edges: GraphEdge[]): Map<number, number> {
  const inputs = new Map<number, number[]>(nodes.map((n) => [n.id, []]));
  const users = new Map<number, number[]>(nodes.map((n) => [n.id, []]));
  for (const e of edges) {
    inputs.get(e.to)?.push(e.from);
    users.get(e.from)?.push(e.to);
  }
  const column = new Map<number, number>();
  const ordered = [...nodes].sort((a, b) => a.id - b.id); // parents are created before children
  for (const n of ordered) {
    const from = inputs.get(n.id) ?? [];
    column.set(n.id, from.length === 0 ? 0 : 1 + Math.max(...from.map((id) => column.get(id) ?? 0)));
  }
  for (const n of ordered) {
    const to = users.get(n.id) ?? [];
    if ((inputs.get(n.id) ?? []).length === 0 && to.length > 0) {
      column.set(n.id, Math.max(0, Math.min(...to.map((id) => column.get(id) ?? 1)) - 1));
    }
  }
  return column;
}

/** The computation graph as a figure: nodes with value and bar, each operation named above its node — 03-backprop. */
export function computationGraphFigure(graph: { nodes: GraphNode[]; edges: GraphEdge[] }, options: GraphFigureOptions = {}): Figure {
  const fn = "plot.computationGraphFigure";
  knownOptions(fn, options, ["title", "showBars", "width", "height"]);
  readable(fn, "graph", graph, "a graph { nodes, edges }", () => {
    if (typeof graph !== "object" || graph === null || !Array.isArray(graph.nodes) || !Array.isArray(graph.edges)) {
      throw new Error(`${fn}: graph must be { nodes, edges } as returned by autodiff.graph(loss), got ${describe(graph)}`);
    }
    if (graph.nodes.length === 0) throw new Error(`${fn}: graph has no nodes`);
    const ids = new Set(graph.nodes.map((n) => n.id));
    graph.edges.forEach((e, k) => {
      if (!ids.has(e.from) || !ids.has(e.to))
        throw new Error(`${fn}: edges[${k}] joins ${e.from} → ${e.to}, which are not both nodes of the graph`);
    });
  });
  const showBars = options.showBars ?? true;
  const column = columns(graph.nodes, graph.edges);
  const width = Math.max(...column.values()) + 1;

  // Rows: within a column, nodes sit in the order of the mean row of their inputs (fewer crossings),
  // and a column with fewer nodes than the tallest spreads them out (up to two rows apart), so the
  // labels above and below its nodes keep clear of each other.
  const row = new Map<number, number>();
  const byColumn = Array.from({ length: width }, (_, c) => graph.nodes.filter((n) => column.get(n.id) === c));
  const tallest = Math.max(1, ...byColumn.map((here) => here.length));
  for (let c = 0; c < width; c++) {
    const here = byColumn[c];
    const key = (n: GraphNode): number => {
      const from = graph.edges
        .filter((e) => e.to === n.id)
        .map((e) => row.get(e.from))
        .filter((r): r is number => r !== undefined);
      const to = graph.edges.filter((e) => e.from === n.id).map((e) => e.to);
      return from.length > 0 ? from.reduce((a, b) => a + b, 0) / from.length : Math.min(...to, n.id);
    };
    here.sort((a, b) => key(a) - key(b) || a.id - b.id);
    const spread = here.length > 1 ? Math.min(2, (tallest - 1) / (here.length - 1)) : 1;
    here.forEach((n, k) => row.set(n.id, (k - (here.length - 1) / 2) * spread));
  }
  const at = (id: number): [number, number] => [column.get(id) ?? 0, -(row.get(id) ?? 0)];

  // Edges: a line from input to output ending in an arrowhead just before the output's circle.
  const edgeTraces: Trace[] = graph.edges.map((e) => {
    const [x0, y0] = at(e.from);
    const [x1, y1] = at(e.to);
    const stop = 0.17 / (Math.hypot(x1 - x0, y1 - y0) || 1);
    return {
      type: "scatter",
      mode: "lines+markers",
      name: `${e.from} → ${e.to}`,
      x: [x0, x1 - (x1 - x0) * stop],
      y: [y0, y1 - (y1 - y0) * stop],
      line: { color: "#888888", width: 1.5 },
      marker: { symbol: "arrow", angleref: "previous", size: [0, 11], color: "#888888" },
      hoverinfo: "skip",
      showlegend: false,
    };
  });
  // Each operation named once, just above the node it computes (its edges all carry the same name:
  // one label per edge crowded the inputs' values when many edges leave one column).
  const annotations: Annotation[] = graph.nodes.flatMap((n) => {
    const ops = [...new Set(graph.edges.filter((e) => e.to === n.id).map((e) => e.label))];
    if (ops.length === 0) return [];
    const [x, y] = at(n.id);
    return [
      {
        text: ops.join(", "),
        x,
        y: y + 0.3,
        xref: "x",
        yref: "y",
        showarrow: false,
        font: { size: 10, color: "#555555" },
        bgcolor: "rgba(255,255,255,0.85)",
      },
    ];
  });
  const nodes = graph.nodes;
  const nodeTrace: Trace = {
    type: "scatter",
    mode: "markers+text",
    name: "nodes",
    x: nodes.map((n) => at(n.id)[0]),
    y: nodes.map((n) => at(n.id)[1]),
    text: nodes.map((n) => n.name),
    textposition: "middle center",
    textfont: { size: 13 },
    marker: { size: 38, color: nodes.map((n) => KIND_COLOURS[n.kind]), line: { color: "#333333", width: 1 } },
    customdata: nodes.map((n) => `${n.name} (${n.op})<br>value:<br>${full(n.value)}<br>bar:<br>${full(n.bar)}`),
    hovertemplate: "%{customdata}<extra></extra>",
    showlegend: false,
  };
  const labelTrace: Trace = {
    type: "scatter",
    mode: "text",
    name: "values",
    x: nodes.map((n) => at(n.id)[0]),
    y: nodes.map((n) => at(n.id)[1] - 0.3),
    text: nodes.map((n) => (showBars ? `${short(n.value)}<br>bar ${short(n.bar)}` : short(n.value))),
    textposition: "bottom center",
    textfont: { size: 10, color: "#333333" },
    hoverinfo: "skip",
    showlegend: false,
  };
  const layout: Layout = {
    width: options.width ?? Math.max(360, width * COLUMN + 40),
    height: options.height ?? Math.max(260, tallest * ROW + 80),
    margin: { l: 20, r: 20, t: options.title !== undefined ? 48 : 16, b: 16 },
    xaxis: { visible: false, range: [-0.5, width - 0.5] },
    yaxis: { visible: false, range: [-(tallest - 1) / 2 - 0.9, (tallest - 1) / 2 + 0.5] },
    annotations,
    hovermode: "closest",
  };
  if (options.title !== undefined) layout.title = { text: options.title, x: 0.02, xanchor: "left" };
  return { data: [...edgeTraces, nodeTrace, labelTrace], layout };
}

/** Options of `traceBundle`: LaTeX equations or an HTML table, or beside the slide's own equations — 03-backprop. */
export interface TraceBundleOptions {
  as?: "latex" | "table";
  /** The slide's equations in LaTeX, one per trace row in the same order: shown in a column beside the engine's. */
  slide?: string[];
}

/** The backward trace as a display bundle: LaTeX equations (default), an HTML table, or a table beside the slide's equations — 03-backprop. */
export function traceBundle(rows: TraceRow[], options: TraceBundleOptions = {}): MimeBundle {
  return bundleOf("plot.traceBundle", rows, options);
}

function bundleOf(fn: string, rows: TraceRow[], options: TraceBundleOptions): MimeBundle {
  checkRows(fn, rows);
  knownOptions(fn, options, ["as", "slide"]);
  if (options.slide !== undefined) return besideTheSlide(rows, options.slide);
  const as = options.as ?? "latex";
  if (as === "latex") {
    const tex = `$$${traceLatex(rows)}$$`;
    return { "text/latex": tex, "text/markdown": tex, "text/plain": traceText(rows) };
  }
  if (as !== "table") throw new Error(`plot.traceBundle: as must be "latex" or "table", got ${describe(as)}`);
  const [header, ...body] = traceTable(rows);
  const cell = (tag: string, s: string): string => `<${tag} style="text-align:left;padding:2px 10px">${escapeHtml(s)}</${tag}>`;
  const html =
    `<table style="border-collapse:collapse;font-family:sans-serif;font-size:13px">` +
    `<thead><tr>${header.map((h) => cell("th", h)).join("")}</tr></thead>` +
    `<tbody>${body.map((r) => `<tr>${r.map((c) => cell("td", c)).join("")}</tr>`).join("")}</tbody></table>`;
  return { "text/html": html, "text/plain": traceText(rows) };
}

/** A markdown table: the slide's equation, the engine's equation, the numbers and the value, row by row. */
function besideTheSlide(rows: TraceRow[], slide: string[]): MimeBundle {
  if (!Array.isArray(slide) || slide.length !== rows.length || slide.some((s) => typeof s !== "string")) {
    throw new Error(`plot.traceBundle: slide must hold one LaTeX equation per trace row (${rows.length}), got ${describe(slide)}`);
  }
  const lines = ["| slide | engine | numbers | value |", "|---|---|---|---|"];
  rows.forEach((r, k) => {
    const numbers = r.numbers === null ? "" : r.numbers.replace(/\|/g, "\\|");
    lines.push(`| $${slide[k]}$ | $${r.tex}$ | ${numbers} | $${r.valueTex}$ |`);
  });
  return { "text/markdown": lines.join("\n"), "text/plain": traceText(rows) };
}

/** Shows the backward trace in the notebook: LaTeX equations, a table, or beside the slide's equations — 03-backprop. */
export function showTrace(rows: TraceRow[], options: TraceBundleOptions = {}): void {
  display(bundleOf("plot.showTrace", rows, options));
}
