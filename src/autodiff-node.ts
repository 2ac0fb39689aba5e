// The node of a computation graph, its error signal `bar`, and the backward pass (lecture 002).
//
// Read `autodiff.ts` first: it says how every operation is built in four steps and shows them
// on scalars. This file holds what all operations share: the node classes (`Scalar`, `Tensor`),
// names and numbers in the slides' bar notation, the leaves (`param`, `input`), the shared steps
// (make the output, attach the closure and its rule), and `backward` itself. Exports that
// `autodiff.ts` does not re-export (attach, scalarResult, bar, times, …) are the engine's
// internals, shared with autodiff-tensor.ts and autodiff-trace.ts; they are not part of
// `dl.autodiff`.

/** A matrix as rows of numbers; a column vector is n×1 — 03-backprop. */
import { describe as formatValue, fail, MAX_SIZE, numbers, readable } from "./args";
export type { Matrix } from "./view";
import type { Matrix } from "./view";

/** A node's name as plain text ("W⁽²⁾") and as LaTeX ("W^{(2)}") — 03-backprop. */
export interface Name {
  text: string;
  tex: string;
}

/** A name given as text only (LaTeX is derived) or as both forms — 03-backprop. */
export type NameLike = string | Name;

/** What a node is: a trainable parameter, data, a fixed number, or the output of an operation — 03-backprop. */
export type Kind = "param" | "input" | "constant" | "op";

/** One side of a trace equation: text, LaTeX and the numbers substituted (scalars only). */
export interface Term {
  text: string;
  tex: string;
  num: string | null;
}

/** How an operation adds to one input's bar, in the slides' notation (evaluated when traced). */
export interface Rule {
  input: Node;
  describe: () => Term;
}

let nextId = 0;

/** A node of the computation graph: a value, its error signal `bar`, and how it was made — 03-backprop. */
export abstract class Node {
  /** Creation order; parents always have smaller ids than their children. */
  readonly id: number = nextId++;
  readonly name: Name;
  readonly kind: Kind;
  /** The operation that made this node ("mul", "sigmoid", …) or its kind for leaves. */
  readonly op: string;
  /** The nodes this one was computed from. */
  inputs: Node[] = [];
  /** The backward rules in the slides' notation, one per input (built only when traced). */
  rules: () => Rule[] = () => [];
  /** Adds this node's bar, times the local derivatives, to its inputs' bars. */
  backwardStep: () => void = () => {};
  /** Copies of the inputs' values at the forward pass, to catch later in-place changes. */
  inputValues: Array<number | Matrix> = [];

  constructor(kind: Kind, op: string, name: NameLike | undefined) {
    this.kind = kind;
    this.op = op;
    this.name = toName(`autodiff.${kind === "op" ? op : kind}`, name, `v${this.id}`);
  }

  /** "a scalar" or the shape, e.g. "2×1". */
  abstract shapeText(): string;
  /** A copy of the forward value. */
  abstract copyValue(): number | Matrix;
  /** A copy of the error signal. */
  abstract copyBar(): number | Matrix;
  /** Sets the error signal to zero. */
  abstract zeroGrad(): void;
  /** Sets the error signal to one (the loss: L̄ = 1). */
  abstract seedBar(): void;

  /** Back-propagates from this node, which must be a scalar loss — 03-backprop. */
  backward(): void {
    backward(this);
  }
}

/** A scalar node: `value` and error signal `bar` are numbers — 03-backprop. */
export class Scalar extends Node {
  value: number;
  bar = 0;

  constructor(value: number, kind: Kind, op: string, name?: NameLike) {
    super(kind, op, name);
    this.value = value;
  }
  shapeText(): string {
    return "a scalar";
  }
  copyValue(): number {
    return this.value;
  }
  copyBar(): number {
    return this.bar;
  }
  zeroGrad(): void {
    this.bar = 0;
  }
  seedBar(): void {
    this.bar = 1;
  }
}

/** A matrix node (vectors are columns n×1): `value` and `bar` have the same shape — 03-backprop. */
export class Tensor extends Node {
  value: Matrix;
  bar: Matrix;

  constructor(value: Matrix, kind: Kind, op: string, name?: NameLike) {
    super(kind, op, name);
    this.value = value;
    this.bar = zeros(rows(value), cols(value));
  }
  get shape(): [number, number] {
    return [rows(this.value), cols(this.value)];
  }
  shapeText(): string {
    return shapeText(this.value);
  }
  copyValue(): Matrix {
    return copy(this.value);
  }
  copyBar(): Matrix {
    return copy(this.bar);
  }
  zeroGrad(): void {
    this.bar = zeros(rows(this.value), cols(this.value));
  }
  seedBar(): void {
    if (rows(this.value) !== 1 || cols(this.value) !== 1) {
      throw new Error(
        `autodiff.backward: the loss must be a scalar, got '${this.name.text}' (${this.op}) of shape ${this.shapeText()}; reduce it first with sum, mean or a loss`,
      );
    }
    this.bar = [[1]];
  }
}

// ---------------------------------------------------------------------------------------------
// Small matrix helpers (plain numbers, no graph).

export function rows(m: Matrix): number {
  return m.length;
}
export function cols(m: Matrix): number {
  return m.length === 0 ? 0 : m[0].length;
}
function zeros(r: number, c: number): Matrix {
  return Array.from({ length: r }, () => new Array<number>(c).fill(0));
}
function copy(m: Matrix): Matrix {
  return m.map((row) => row.slice());
}
function shapeText(m: Matrix): string {
  return `${rows(m)}×${cols(m)}`;
}
export function map(m: Matrix, f: (v: number, i: number, j: number) => number): Matrix {
  return m.map((row, i) => row.map((v, j) => f(v, i, j)));
}
export function transpose(m: Matrix): Matrix {
  return Array.from({ length: cols(m) }, (_, j) => m.map((row) => row[j]));
}
export function matmulValues(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => Array.from({ length: cols(b) }, (_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}
/** out[i][j] += add[i][j] for every entry. */
export function addInto(out: Matrix, add: Matrix): void {
  for (let i = 0; i < out.length; i++) for (let j = 0; j < out[i].length; j++) out[i][j] += add[i][j];
}

/** A column vector n×1 from a list of numbers, as the slides write x, b, y — 03-backprop. */
export function column(values: number[]): Matrix {
  return numbers("autodiff.column", "values", values, MAX_SIZE).map((v) => [v]);
}

export function checkMatrix(fn: string, arg: string, m: unknown): Matrix {
  try {
    return readMatrix(fn, arg, m);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith(`autodiff.${fn}:`)) throw e;
    return fail(`autodiff.${fn}`, arg, "a matrix of numbers that can be read", m);
  }
}

function readMatrix(fn: string, arg: string, m: unknown): Matrix {
  if (!Array.isArray(m) || m.length === 0 || m.length > MAX_SIZE) {
    throw new Error(`autodiff.${fn}: ${arg} must be a non-empty matrix (rows of numbers), got ${formatValue(m)}`);
  }
  const out: Matrix = [];
  m.forEach((row: unknown, i: number) => {
    if (!Array.isArray(row) || row.length === 0) {
      throw new Error(`autodiff.${fn}: ${arg}[${i}] must be a non-empty row of numbers, got ${formatValue(row)}`);
    }
    if (out.length > 0 && row.length !== out[0].length) {
      throw new Error(`autodiff.${fn}: ${arg} is ragged: row 0 has ${out[0].length} entries, row ${i} has ${row.length}`);
    }
    out.push(
      row.map((v: unknown, j: number) => {
        if (typeof v !== "number" || !Number.isFinite(v)) {
          throw new Error(`autodiff.${fn}: ${arg}[${i}][${j}] must be a finite number, got ${formatValue(v)}`);
        }
        return v;
      }),
    );
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Names and numbers in the slides' notation.

const GREEK: Record<string, string> = { λ: "\\lambda", σ: "\\sigma", θ: "\\theta", α: "\\alpha", β: "\\beta", η: "\\eta" };

function toName(fn: string, name: unknown, fallback: string): Name {
  return readable(fn, "name", name, "a string or { text, tex }", () => readName(fn, name, fallback));
}

/** Check a node name at the top of a public operation (composite operations name their inner nodes themselves). */
export function checkName(fn: string, name: unknown): void {
  if (name !== undefined) readable(fn, "name", name, "a string or { text, tex }", () => readName(fn, name, ""));
}

function readName(fn: string, name: unknown, fallback: string): Name {
  if (name === undefined) return { text: fallback, tex: fallback };
  if (typeof name === "string") {
    if (name.trim() === "") throw new Error(`${fn}: name must be a non-empty string`);
    const tex = name.replace(/[λσθαβη]/g, (g) => GREEK[g] + " ").replace(/_([A-Za-z0-9]{2,})/g, "_{$1}");
    return { text: name, tex: tex.trim() };
  }
  if (typeof name === "object" && name !== null && "text" in name && "tex" in name) {
    const { text, tex } = name;
    if (typeof text === "string" && typeof tex === "string") return { text, tex };
  }
  throw new Error(`${fn}: name must be a string or { text, tex }, got ${formatValue(name)}`);
}

/** "ȳ", "W̄⁽²⁾", "L̄_reg": a macron over a one-letter base; "x̅y̅": an overline over longer names. */
export function barText(name: Name): string {
  const chars = Array.from(name.text);
  const base = name.text.match(/^\p{L}+/u)?.[0] ?? "";
  if (Array.from(base).length === 1) return (chars[0] + "\u0304").normalize("NFC") + chars.slice(1).join("");
  return chars.map((c) => c + "\u0305").join("");
}

/** "\bar{y}" for one letter (or \mathcal{L}), "\overline{W^{(2)}}" for longer names. */
export function barTex(name: Name): string {
  const single = /^([A-Za-z]|\\[a-zA-Z]+(\{[A-Za-z]\})?)$/.test(name.tex);
  return single ? `\\bar{${name.tex}}` : `\\overline{${name.tex}}`;
}

/** A number with 4 significant digits and "−" for minus, as the trace writes it (slides' numbers: explain.ts traceNumber) — 03-backprop. */
export function traceNumber(x: number): string {
  return texNumber(x).replace("-", "−");
}
function factor(x: number): string {
  return x < 0 ? `(${traceNumber(x)})` : traceNumber(x);
}
export function texNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}
function matrixText(m: Matrix): string {
  return "[" + m.map((row) => "[" + row.map(traceNumber).join(", ") + "]").join(", ") + "]";
}
export function matrixTex(m: Matrix): string {
  return "\\begin{bmatrix}" + m.map((row) => row.map(texNumber).join(" & ")).join(" \\\\ ") + "\\end{bmatrix}";
}

export function val(n: Node): Term {
  return { text: n.name.text, tex: n.name.tex, num: n instanceof Scalar ? factor(n.value) : null };
}
export function bar(n: Node): Term {
  return { text: barText(n.name), tex: barTex(n.name), num: n instanceof Scalar ? factor(n.bar) : null };
}
export function transposed(n: Node): Term {
  return { text: `${n.name.text}ᵀ`, tex: `{${n.name.tex}}^\\top`, num: null };
}
export function word(text: string, tex: string, num: number | null): Term {
  return { text, tex, num: num === null ? null : factor(num) };
}
/** Juxtaposition is multiplication: "z̄ x", numbers "0.05 × 2". */
export function times(...terms: Term[]): Term {
  const nums = terms.map((t) => t.num);
  return {
    text: terms.map((t) => t.text).join(" "),
    tex: terms.map((t) => t.tex).join(" "),
    num: nums.every((n) => n !== null) ? nums.join(" × ") : null,
  };
}
/** Elementwise product "h̄ ∘ σ'(z)". */
export function hadamard(a: Term, b: Term): Term {
  return { text: `${a.text} ∘ ${b.text}`, tex: `${a.tex} \\circ ${b.tex}`, num: null };
}
/** "(y − t)" with numbers "(0.73 − 1)". */
export function difference(a: Node, b: Node): Term {
  const num = a instanceof Scalar && b instanceof Scalar ? `(${traceNumber(a.value)} − ${factor(b.value)})` : null;
  return { text: `(${a.name.text} − ${b.name.text})`, tex: `(${a.name.tex} - ${b.name.tex})`, num };
}

// ---------------------------------------------------------------------------------------------
// Leaves and the shared steps of every operation.

/** A trainable scalar or matrix (w, b, W⁽¹⁾ …): back-propagation fills its `bar` — 03-backprop. */
export function param(value: number, name?: NameLike): Scalar;
export function param(value: Matrix, name?: NameLike): Tensor;
export function param(value: number | Matrix, name?: NameLike): Scalar | Tensor {
  return leaf("param", value, name);
}

/** Data (x, t): a leaf like `param`, left out of the trace — 03-backprop. */
export function input(value: number, name?: NameLike): Scalar;
export function input(value: Matrix, name?: NameLike): Tensor;
export function input(value: number | Matrix, name?: NameLike): Scalar | Tensor {
  return leaf("input", value, name);
}

function leaf(kind: "param" | "input", value: number | Matrix, name: NameLike | undefined): Scalar | Tensor {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`autodiff.${kind}: value must be a finite number, got ${value}`);
    return new Scalar(value, kind, kind, name);
  }
  return new Tensor(checkMatrix(kind, "value", value), kind, kind, name);
}

export type ScalarLike = Scalar | number;

export function lift(fn: string, arg: string, x: unknown): Scalar {
  if (x instanceof Scalar) return x;
  if (typeof x === "number" && Number.isFinite(x)) return new Scalar(x, "constant", "constant", traceNumber(x));
  if (x instanceof Tensor) {
    throw new Error(`autodiff.${fn}: ${arg} is a tensor of shape ${x.shapeText()}, but the other operand is a scalar`);
  }
  throw new Error(`autodiff.${fn}: ${arg} must be a Scalar or a finite number, got ${formatValue(x)}`);
}

export function tensorArg(fn: string, arg: string, x: unknown): Tensor {
  if (x instanceof Tensor) return x;
  if (x instanceof Scalar) throw new Error(`autodiff.${fn}: ${arg} is a scalar, but the other operand is a tensor`);
  throw new Error(`autodiff.${fn}: ${arg} must be a Tensor, got ${formatValue(x)}`);
}

export function sameShape(fn: string, a: Tensor, b: Tensor): void {
  if (a.shapeText() !== b.shapeText()) {
    throw new Error(`autodiff.${fn}: shapes ${a.shapeText()} ('${a.name.text}') and ${b.shapeText()} ('${b.name.text}') do not match`);
  }
}

function inputsText(inputs: Node[]): string {
  return inputs.map((n) => `${n.name.text} = ${n instanceof Scalar ? traceNumber(n.value) : `(${n.shapeText()})`}`).join(", ");
}

/** Step 1 for scalars: the output node, refusing NaN and ±Infinity. */
export function scalarResult(op: string, value: number, inputs: Node[], name: NameLike | undefined): Scalar {
  if (!Number.isFinite(value)) {
    throw new Error(`autodiff.${op}: forward value is ${value} for ${inputsText(inputs)}`);
  }
  return new Scalar(value, "op", op, name);
}

/** Step 1 for tensors: the output node, refusing NaN and ±Infinity (naming the entry). */
export function tensorResult(op: string, value: Matrix, inputs: Node[], name: NameLike | undefined): Tensor {
  value.forEach((row, i) =>
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) {
        const at = inputs
          .map((n) =>
            n instanceof Tensor && n.shapeText() === shapeText(value)
              ? `${n.name.text}[${i}][${j}] = ${traceNumber(n.value[i][j])}`
              : `${n.name.text} (${n.shapeText()})`,
          )
          .join(", ");
        throw new Error(`autodiff.${op}: forward value is ${v} at [${i}][${j}] (${at})`);
      }
    }),
  );
  return new Tensor(value, "op", op, name);
}

/** Step 3: attach the inputs, the backward closure and its rules (and remember the inputs' values). */
export function attach(out: Node, inputs: Node[], step: () => void, rules: () => Rule[]): void {
  out.inputs = inputs;
  out.backwardStep = step;
  out.rules = rules;
  out.inputValues = inputs.map((n) => n.copyValue());
}

export function rule(input: Node, describe: () => Term): Rule {
  return { input, describe };
}

// ---------------------------------------------------------------------------------------------
// Backward pass.

/** Every node the loss depends on, parents before children — 03-backprop. */
export function topologicalOrder(loss: Node): Node[] {
  if (!(loss instanceof Node)) fail("autodiff.topologicalOrder", "loss", "a node (Scalar or Tensor)", loss);
  const order: Node[] = [];
  const seen = new Set<Node>();
  const visit = (n: Node): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const p of n.inputs) visit(p);
    order.push(n);
  };
  visit(loss);
  return order;
}

export function sameValue(a: number | Matrix, b: number | Matrix): boolean {
  if (typeof a === "number" || typeof b === "number") return a === b;
  return a.length === b.length && a.every((row, i) => row.length === b[i].length && row.every((v, j) => v === b[i][j]));
}

function barIsZero(n: Node): boolean {
  const b = n.copyBar();
  return typeof b === "number" ? b === 0 : b.every((row) => row.every((v) => v === 0));
}

export function describeValue(v: number | Matrix): string {
  return typeof v === "number" ? traceNumber(v) : matrixText(v);
}

/**
 * Back-propagation: L̄ = 1, then every node's closure in reverse topological order adds to its
 * inputs' bars. Refuses a non-scalar loss, a graph whose inputs changed since the forward pass,
 * and parameters or intermediate nodes holding bars from an earlier backward() (call zeroGrad
 * first); the bars of data (inputs) and constants are reset — 03-backprop.
 */
export function backward(loss: Node): void {
  if (!(loss instanceof Node)) throw new Error(`autodiff.backward: expected a Scalar loss, got ${formatValue(loss)}`);
  const order = topologicalOrder(loss);
  for (const n of order) {
    n.inputs.forEach((p, k) => {
      if (!sameValue(p.copyValue(), n.inputValues[k])) {
        throw new Error(
          `autodiff.backward: '${p.name.text}' changed from ${describeValue(n.inputValues[k])} to ${describeValue(p.copyValue())} after the forward pass that computed '${n.name.text}' (${n.op}); run the forward pass again (and zeroGrad) before backward()`,
        );
      }
    });
  }
  for (const n of order) {
    // Data and constants are often reused by many forward passes: their bars start afresh.
    if (n.kind === "input" || n.kind === "constant") n.zeroGrad();
    if (!barIsZero(n)) {
      throw new Error(
        `autodiff.backward: '${n.name.text}' (${n.op}) already holds ${barText(n.name)} = ${describeValue(n.copyBar())} from an earlier backward(); call zeroGrad on the parameters (or build a new forward pass) first`,
      );
    }
  }
  loss.seedBar();
  for (let k = order.length - 1; k >= 0; k--) order[k].backwardStep();
  for (const n of order) {
    const b = n.copyBar();
    const bad = typeof b === "number" ? !Number.isFinite(b) : b.some((row) => row.some((v) => !Number.isFinite(v)));
    if (bad)
      throw new Error(
        `autodiff.backward: the error signal ${barText(n.name)} of '${n.name.text}' (${n.op}) is not finite: ${describeValue(b)}`,
      );
  }
}

/** Sets the bars of the given nodes (a model's parameters) back to zero — 03-backprop. */
export function zeroGrad(nodes: Node[]): void {
  const list = readable("autodiff.zeroGrad", "nodes", nodes, "a list of Scalars or Tensors", () => {
    if (!Array.isArray(nodes)) throw new Error(`autodiff.zeroGrad: expected a list of nodes, got ${formatValue(nodes)}`);
    for (let i = 0; i < nodes.length; i++) {
      const n: unknown = nodes[i];
      if (!(n instanceof Node)) throw new Error(`autodiff.zeroGrad: nodes[${i}] is not a Scalar or Tensor: ${formatValue(n)}`);
    }
    return nodes;
  });
  for (const n of list) n.zeroGrad();
}
