// The trace of the backward pass in the slides' bar notation, and the computation graph as plain
// data (lecture 002). Both read a graph after backward(); drawing lives in plot/graph.ts.

import { describe as formatValue, fail, knownOptions, MAX_SIZE, readable } from "./args";
import {
  Node,
  barTex,
  barText,
  describeValue,
  matrixTex,
  sameValue,
  texNumber,
  topologicalOrder,
  type Kind,
  type Matrix,
  type Term,
} from "./autodiff-node";

// ---------------------------------------------------------------------------------------------
// The trace: the backward pass as the slides write it.

/** One backward equation: "ȳ = L̄ (y − t) = 1 × (0.7311 − 1) = −0.2689" — 03-backprop. */
export interface TraceRow {
  /** Position in the backward pass (1 = the loss). */
  step: number;
  /** The node's name, e.g. "y". */
  node: string;
  /** The operation that made the node, or "param" / "input". */
  op: string;
  /** The equation in plain text, e.g. "ȳ = L̄ (y − t)". */
  text: string;
  /** The equation in LaTeX, e.g. "\bar{y} = \bar{\mathcal{L}} (y - t)". */
  tex: string;
  /** The right-hand side with numbers (scalars only), e.g. "1 × (0.7311 − 1)". */
  numbers: string | null;
  /** The error signal computed by backward(). */
  value: number | Matrix;
  /** The error signal in LaTeX (a bmatrix for tensors). */
  valueTex: string;
}

/** Options of `trace`: also list the bars of inputs (x, t), which the slides leave out — 03-backprop. */
export interface TraceOptions {
  inputs?: boolean;
}

/**
 * After backward(): one equation per node in backward order (from the loss down, each node once
 * all nodes computed from it are listed), each bar the sum of what its consumers added — 03-backprop.
 */
export function trace(loss: Node, options: TraceOptions = {}): TraceRow[] {
  if (!(loss instanceof Node)) throw new Error(`autodiff.trace: expected the loss node, got ${formatValue(loss)}`);
  knownOptions("autodiff.trace", options, ["inputs"]);
  const lossBar = loss.copyBar();
  if (!sameValue(lossBar, typeof lossBar === "number" ? 1 : [[1]])) {
    throw new Error(`autodiff.trace: call backward() on '${loss.name.text}' first (its bar is ${describeValue(lossBar)}, not 1)`);
  }
  const order = topologicalOrder(loss);
  // What each consumer adds to each input's bar, in the order the consumers were created.
  const terms = new Map<Node, Term[]>();
  for (const consumer of [...order].sort((a, b) => a.id - b.id)) {
    for (const r of consumer.rules()) {
      terms.set(r.input, [...(terms.get(r.input) ?? []), r.describe()]);
    }
  }
  // Walk back from the loss, breadth first: a node is listed once every node computed from it has
  // been listed (its bar is then final); nodes that become ready together go shallowest first.
  const users = new Map<Node, number>();
  for (const n of order) for (const p of new Set(n.inputs)) users.set(p, (users.get(p) ?? 0) + 1);
  const depth = new Map<Node, number>();
  for (const n of order) depth.set(n, n.inputs.length === 0 ? 0 : 1 + Math.max(...n.inputs.map((p) => depth.get(p) ?? 0)));
  const shown = (n: Node): boolean => n.kind === "op" || n.kind === "param" || (options.inputs === true && n.kind === "input");
  const nodes: Node[] = [loss];
  const queue: Node[] = [loss];
  for (let k = 0; k < queue.length; k++) {
    const ready = [...new Set(queue[k].inputs)].filter((p) => {
      users.set(p, (users.get(p) ?? 1) - 1);
      return users.get(p) === 0;
    });
    ready.sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || a.id - b.id);
    for (const p of ready) {
      if (shown(p)) nodes.push(p);
      if (p.kind === "op") queue.push(p);
    }
  }
  return nodes.map((n, k) => {
    const value = n.copyBar();
    if (n === loss) {
      return {
        step: k + 1,
        node: n.name.text,
        op: n.op,
        text: `${barText(n.name)} = 1`,
        tex: `${barTex(n.name)} = 1`,
        numbers: null,
        value,
        valueTex: "1",
      };
    }
    const ts = terms.get(n) ?? [];
    const nums = ts.map((t) => t.num);
    return {
      step: k + 1,
      node: n.name.text,
      op: n.op,
      text: `${barText(n.name)} = ${ts.map((t) => t.text).join(" + ")}`,
      tex: `${barTex(n.name)} = ${ts.map((t) => t.tex).join(" + ")}`,
      numbers: nums.length > 0 && nums.every((x) => x !== null) ? nums.join(" + ") : null,
      value,
      valueTex: typeof value === "number" ? texNumber(value) : matrixTex(value),
    };
  });
}

/** Check `rows` is a trace made by `trace` (a non-empty list of rows with step, node, text, tex and value). */
export function checkRows(fn: string, rows: unknown): TraceRow[] {
  return readable(fn, "rows", rows, "the rows of trace(loss)", () => {
    if (!isTrace(rows)) return fail(fn, "rows", "the rows of trace(loss) (a non-empty list of { step, node, text, tex, value })", rows);
    return rows;
  });
}

function isTrace(rows: unknown): rows is TraceRow[] {
  return Array.isArray(rows) && rows.length > 0 && rows.length <= MAX_SIZE && rows.every((r: unknown) => isTraceRow(r));
}

function isTraceRow(r: unknown): r is TraceRow {
  if (typeof r !== "object" || r === null) return false;
  if (!("step" in r && "node" in r && "text" in r && "tex" in r && "valueTex" in r && "numbers" in r && "value" in r)) return false;
  const { step, node, text, tex, valueTex, numbers, value } = r;
  const finiteValue =
    typeof value === "number"
      ? Number.isFinite(value)
      : Array.isArray(value) && value.every((v) => Array.isArray(v) && v.every(Number.isFinite));
  const strings = typeof node === "string" && typeof text === "string" && typeof tex === "string" && typeof valueTex === "string";
  return Number.isInteger(step) && strings && (numbers === null || typeof numbers === "string") && finiteValue;
}

/** The trace as lines of text: "ȳ = L̄ (y − t) = 1 × (0.7311 − 1) = −0.2689" — 03-backprop. */
export function traceText(rows: TraceRow[]): string {
  return checkRows("autodiff.traceText", rows)
    .map((r) => {
      const value = describeValue(r.value);
      const rhs = r.text.slice(r.text.indexOf(" = ") + 3);
      const numbers = r.numbers !== null && r.numbers.replace(/^\((.*)\)$/, "$1") !== value && r.numbers !== rhs ? ` = ${r.numbers}` : "";
      return rhs === value ? r.text : `${r.text}${numbers} = ${value}`;
    })
    .join("\n");
}

/** The trace as one LaTeX `aligned` block with \bar{y} notation and the numbers — 03-backprop. */
export function traceLatex(rows: TraceRow[]): string {
  const lines = checkRows("autodiff.traceLatex", rows).map((r) => {
    const [lhs, rhs] = splitOnce(r.tex);
    return `${lhs} &= ${rhs}${rhs === r.valueTex ? "" : ` = ${r.valueTex}`}`;
  });
  return `\\begin{aligned}\n${lines.join(" \\\\\n")}\n\\end{aligned}`;
}

function splitOnce(tex: string): [string, string] {
  const k = tex.indexOf(" = ");
  return [tex.slice(0, k), tex.slice(k + 3)];
}

/** The trace as table rows (header first): step, node, rule, numbers, value — 03-backprop. */
export function traceTable(rows: TraceRow[]): string[][] {
  return [
    ["step", "node", "rule", "numbers", "value"],
    ...checkRows("autodiff.traceTable", rows).map((r) => [String(r.step), r.node, r.text, r.numbers ?? "", describeValue(r.value)]),
  ];
}

// ---------------------------------------------------------------------------------------------
// The computation graph as plain data (drawing lives in plot/graph.ts).

/** A node of the drawn graph: name, kind, operation, value and bar — 03-backprop. */
export interface GraphNode {
  id: number;
  name: string;
  tex: string;
  kind: Kind;
  op: string;
  value: number | Matrix;
  bar: number | Matrix;
}

/** An edge from an input to the node computed from it, labelled by the operation — 03-backprop. */
export interface GraphEdge {
  from: number;
  to: number;
  label: string;
}

/** The computation graph behind a loss: nodes (with value and bar) and edges, no drawing — 03-backprop. */
export function graph(loss: Node): { nodes: GraphNode[]; edges: GraphEdge[] } {
  if (!(loss instanceof Node)) throw new Error(`autodiff.graph: expected a Scalar or Tensor, got ${formatValue(loss)}`);
  const order = topologicalOrder(loss);
  const nodes = order.map((n) => ({
    id: n.id,
    name: n.name.text,
    tex: n.name.tex,
    kind: n.kind,
    op: n.op,
    value: n.copyValue(),
    bar: n.copyBar(),
  }));
  const edges = order.flatMap((n) => [...new Set(n.inputs)].map((p) => ({ from: p.id, to: n.id, label: n.op })));
  return { nodes, edges };
}
