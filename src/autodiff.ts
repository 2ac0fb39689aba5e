// Reverse-mode automatic differentiation with bar-notation error signals (lecture 002).
//
// A node holds its forward `value` and its error signal `bar` = ∂L/∂(node). Every operation
// follows the same four steps:
//   1. make the output node from the inputs' values;
//   2. define the closure that adds the output's bar, times the local derivative, to each
//      input's bar (always `+=`, so a node used twice — fan-out — collects both terms);
//   3. attach the closure and the inputs to the output (with the rule in the slides' notation,
//      for the trace);
//   4. return the output.
// `backward(loss)` sets L̄ = 1 and runs the closures in reverse topological order.
// Scalars come first (`Scalar`); tensors (`Tensor`, always 2-D, vectors are columns n×1)
// follow, so the vectorised slides (W̄ = ȳhᵀ, h̄ = Wᵀȳ, z̄ = h̄ ∘ σ'(z)) run as written.

import * as act from "./activations"; // σ, σ', tanh', ReLU', softmax as plain number functions
import { maxPool2d, maxPoolBackward } from "./pool";
import type { Pool2dOptions } from "./pool";

/** A matrix as rows of numbers; a column vector is n×1 — 03-backprop. */
export type Matrix = number[][];

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
interface Term {
  text: string;
  tex: string;
  num: string | null;
}

/** How an operation adds to one input's bar, in the slides' notation (evaluated when traced). */
interface Rule {
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
    this.name = toName(name, `v${this.id}`);
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
      throw new Error(`backward: the loss must be a scalar, got '${this.name.text}' (${this.op}) of shape ${this.shapeText()}; reduce it first with sum, mean or a loss`);
    }
    this.bar = [[1]];
  }
}

// ---------------------------------------------------------------------------------------------
// Small matrix helpers (plain numbers, no graph).

function rows(m: Matrix): number {
  return m.length;
}
function cols(m: Matrix): number {
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
function map(m: Matrix, f: (v: number, i: number, j: number) => number): Matrix {
  return m.map((row, i) => row.map((v, j) => f(v, i, j)));
}
function transpose(m: Matrix): Matrix {
  return Array.from({ length: cols(m) }, (_, j) => m.map((row) => row[j]));
}
function matmulValues(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => Array.from({ length: cols(b) }, (_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}
/** out[i][j] += add[i][j] for every entry. */
function addInto(out: Matrix, add: Matrix): void {
  for (let i = 0; i < out.length; i++) for (let j = 0; j < out[i].length; j++) out[i][j] += add[i][j];
}

/** A column vector n×1 from a list of numbers, as the slides write x, b, y — 03-backprop. */
export function column(values: number[]): Matrix {
  if (!Array.isArray(values) || values.length === 0) {
    throw new Error(`column: values must be a non-empty array of numbers, got ${String(values)}`);
  }
  return values.map((v) => [v]);
}

function checkMatrix(fn: string, arg: string, m: unknown): Matrix {
  if (!Array.isArray(m) || m.length === 0) {
    throw new Error(`${fn}: ${arg} must be a non-empty matrix (rows of numbers), got ${String(m)}`);
  }
  const out: Matrix = [];
  m.forEach((row: unknown, i: number) => {
    if (!Array.isArray(row) || row.length === 0) {
      throw new Error(`${fn}: ${arg}[${i}] must be a non-empty row of numbers, got ${String(row)}`);
    }
    if (out.length > 0 && row.length !== out[0].length) {
      throw new Error(`${fn}: ${arg} is ragged: row 0 has ${out[0].length} entries, row ${i} has ${row.length}`);
    }
    out.push(
      row.map((v: unknown, j: number) => {
        if (typeof v !== "number" || !Number.isFinite(v)) {
          throw new Error(`${fn}: ${arg}[${i}][${j}] must be a finite number, got ${String(v)}`);
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

function toName(name: NameLike | undefined, fallback: string): Name {
  if (name === undefined) return { text: fallback, tex: fallback };
  if (typeof name === "string") {
    if (name.trim() === "") throw new Error("name: a node name must be a non-empty string");
    const tex = name.replace(/[λσθαβη]/g, (g) => GREEK[g] + " ").replace(/_([A-Za-z0-9]{2,})/g, "_{$1}");
    return { text: name, tex: tex.trim() };
  }
  if (typeof name === "object" && name !== null && typeof name.text === "string" && typeof name.tex === "string") return name;
  throw new Error(`name: expected a string or { text, tex }, got ${String(name)}`);
}

/** "ȳ", "W̄⁽²⁾", "L̄_reg": a macron over a one-letter base; "x̅y̅": an overline over longer names. */
function barText(name: Name): string {
  const chars = Array.from(name.text);
  const base = name.text.match(/^\p{L}+/u)?.[0] ?? "";
  if (Array.from(base).length === 1) return (chars[0] + "\u0304").normalize("NFC") + chars.slice(1).join("");
  return chars.map((c) => c + "\u0305").join("");
}

/** "\bar{y}" for one letter (or \mathcal{L}), "\overline{W^{(2)}}" for longer names. */
function barTex(name: Name): string {
  const single = /^([A-Za-z]|\\[a-zA-Z]+(\{[A-Za-z]\})?)$/.test(name.tex);
  return single ? `\\bar{${name.tex}}` : `\\overline{${name.tex}}`;
}

/** A number with 4 significant digits and "−" for minus, as the trace writes it — 03-backprop. */
export function formatNumber(x: number): string {
  const s = Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
  return s.replace("-", "−");
}
function factor(x: number): string {
  return x < 0 ? `(${formatNumber(x)})` : formatNumber(x);
}
function texNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}
function matrixText(m: Matrix): string {
  return "[" + m.map((row) => "[" + row.map(formatNumber).join(", ") + "]").join(", ") + "]";
}
function matrixTex(m: Matrix): string {
  return "\\begin{bmatrix}" + m.map((row) => row.map(texNumber).join(" & ")).join(" \\\\ ") + "\\end{bmatrix}";
}

function val(n: Node): Term {
  return { text: n.name.text, tex: n.name.tex, num: n instanceof Scalar ? factor(n.value) : null };
}
function bar(n: Node): Term {
  return { text: barText(n.name), tex: barTex(n.name), num: n instanceof Scalar ? factor(n.bar) : null };
}
function transposed(n: Node): Term {
  return { text: `${n.name.text}ᵀ`, tex: `{${n.name.tex}}^\\top`, num: null };
}
function word(text: string, tex: string, num: number | null): Term {
  return { text, tex, num: num === null ? null : factor(num) };
}
/** Juxtaposition is multiplication: "z̄ x", numbers "0.05 × 2". */
function times(...terms: Term[]): Term {
  const nums = terms.map((t) => t.num);
  return {
    text: terms.map((t) => t.text).join(" "),
    tex: terms.map((t) => t.tex).join(" "),
    num: nums.every((n) => n !== null) ? nums.join(" × ") : null,
  };
}
/** Elementwise product "h̄ ∘ σ'(z)". */
function hadamard(a: Term, b: Term): Term {
  return { text: `${a.text} ∘ ${b.text}`, tex: `${a.tex} \\circ ${b.tex}`, num: null };
}
/** "(y − t)" with numbers "(0.73 − 1)". */
function difference(a: Node, b: Node): Term {
  const num = a instanceof Scalar && b instanceof Scalar ? `(${formatNumber(a.value)} − ${factor(b.value)})` : null;
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
    if (!Number.isFinite(value)) throw new Error(`${kind}: value must be a finite number, got ${value}`);
    return new Scalar(value, kind, kind, name);
  }
  return new Tensor(checkMatrix(kind, "value", value), kind, kind, name);
}

type ScalarLike = Scalar | number;

function lift(fn: string, arg: string, x: unknown): Scalar {
  if (x instanceof Scalar) return x;
  if (typeof x === "number" && Number.isFinite(x)) return new Scalar(x, "constant", "constant", formatNumber(x));
  if (x instanceof Tensor) {
    throw new Error(`${fn}: ${arg} is a tensor of shape ${x.shapeText()}, but the other operand is a scalar`);
  }
  throw new Error(`${fn}: ${arg} must be a Scalar or a finite number, got ${String(x)}`);
}

function tensorArg(fn: string, arg: string, x: unknown): Tensor {
  if (x instanceof Tensor) return x;
  if (x instanceof Scalar) throw new Error(`${fn}: ${arg} is a scalar, but the other operand is a tensor`);
  throw new Error(`${fn}: ${arg} must be a Tensor, got ${String(x)}`);
}

function sameShape(fn: string, a: Tensor, b: Tensor): void {
  if (a.shapeText() !== b.shapeText()) {
    throw new Error(`${fn}: shapes ${a.shapeText()} ('${a.name.text}') and ${b.shapeText()} ('${b.name.text}') do not match`);
  }
}

function inputsText(inputs: Node[]): string {
  return inputs
    .map((n) => `${n.name.text} = ${n instanceof Scalar ? formatNumber(n.value) : `(${n.shapeText()})`}`)
    .join(", ");
}

/** Step 1 for scalars: the output node, refusing NaN and ±Infinity. */
function scalarResult(op: string, value: number, inputs: Node[], name: NameLike | undefined): Scalar {
  if (!Number.isFinite(value)) {
    throw new Error(`${op}: forward value is ${value} for ${inputsText(inputs)}`);
  }
  return new Scalar(value, "op", op, name);
}

/** Step 1 for tensors: the output node, refusing NaN and ±Infinity (naming the entry). */
function tensorResult(op: string, value: Matrix, inputs: Node[], name: NameLike | undefined): Tensor {
  value.forEach((row, i) =>
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) {
        const at = inputs
          .map((n) => (n instanceof Tensor && n.shapeText() === shapeText(value) ? `${n.name.text}[${i}][${j}] = ${formatNumber(n.value[i][j])}` : `${n.name.text} (${n.shapeText()})`))
          .join(", ");
        throw new Error(`${op}: forward value is ${v} at [${i}][${j}] (${at})`);
      }
    }),
  );
  return new Tensor(value, "op", op, name);
}

/** Step 3: attach the inputs, the backward closure and its rules (and remember the inputs' values). */
function attach(out: Node, inputs: Node[], step: () => void, rules: () => Rule[]): void {
  out.inputs = inputs;
  out.backwardStep = step;
  out.rules = rules;
  out.inputValues = inputs.map((n) => n.copyValue());
}

function rule(input: Node, describe: () => Term): Rule {
  return { input, describe };
}

// ---------------------------------------------------------------------------------------------
// Scalar operations.

function addScalar(a: Scalar, b: Scalar, name?: NameLike): Scalar {
  const out = scalarResult("add", a.value + b.value, [a, b], name);
  const step = () => {
    a.bar += out.bar;
    b.bar += out.bar;
  };
  attach(out, [a, b], step, () => [rule(a, () => bar(out)), rule(b, () => bar(out))]);
  return out;
}

function subScalar(a: Scalar, b: Scalar, name?: NameLike): Scalar {
  const out = scalarResult("sub", a.value - b.value, [a, b], name);
  const step = () => {
    a.bar += out.bar;
    b.bar += -out.bar;
  };
  attach(out, [a, b], step, () => [rule(a, () => bar(out)), rule(b, () => times(word("−", "-", null), bar(out)))]);
  return out;
}

function mulScalar(a: Scalar, b: Scalar, name?: NameLike): Scalar {
  // 1. make the output
  const out = scalarResult("mul", a.value * b.value, [a, b], name);
  // 2. define how it adds to its inputs' bars: ∂(ab)/∂a = b and ∂(ab)/∂b = a
  const step = () => {
    a.bar += out.bar * b.value;
    b.bar += out.bar * a.value;
  };
  // 3. attach, with the rules in bar notation for the trace: ā += c̄ b, b̄ += c̄ a
  attach(out, [a, b], step, () => [rule(a, () => times(bar(out), val(b))), rule(b, () => times(bar(out), val(a)))]);
  // 4. return
  return out;
}

function divScalar(a: Scalar, b: Scalar, name?: NameLike): Scalar {
  if (b.value === 0) throw new Error(`div: division by zero ('${b.name.text}' = 0, '${a.name.text}' = ${formatNumber(a.value)})`);
  const out = scalarResult("div", a.value / b.value, [a, b], name);
  const step = () => {
    a.bar += out.bar / b.value;
    b.bar += (out.bar * -a.value) / (b.value * b.value);
  };
  attach(out, [a, b], step, () => [
    rule(a, () => times(bar(out), word(`(1/${b.name.text})`, `(1/${b.name.tex})`, 1 / b.value))),
    rule(b, () => times(bar(out), word(`(−${a.name.text}/${b.name.text}²)`, `(-${a.name.tex}/${b.name.tex}^2)`, -a.value / (b.value * b.value)))),
  ]);
  return out;
}

function powScalar(a: Scalar, n: number, name?: NameLike): Scalar {
  const out = scalarResult("pow", a.value ** n, [a], name);
  const step = () => {
    a.bar += out.bar * n * a.value ** (n - 1);
  };
  const local = n === 2 ? `2${a.name.text}` : `${n}${a.name.text}^${n - 1}`;
  const localTex = n === 2 ? `2${a.name.tex}` : `${n}${a.name.tex}^{${n - 1}}`;
  attach(out, [a], step, () => [rule(a, () => times(bar(out), word(local, localTex, n * a.value ** (n - 1))))]);
  return out;
}

function expScalar(a: Scalar, name?: NameLike): Scalar {
  const out = scalarResult("exp", Math.exp(a.value), [a], name);
  const step = () => {
    a.bar += out.bar * out.value;
  };
  attach(out, [a], step, () => [rule(a, () => times(bar(out), word(`e^(${a.name.text})`, `e^{${a.name.tex}}`, out.value)))]);
  return out;
}

function logScalar(a: Scalar, name?: NameLike): Scalar {
  if (a.value <= 0) throw new Error(`log: input '${a.name.text}' must be > 0, got ${formatNumber(a.value)}`);
  const out = scalarResult("log", Math.log(a.value), [a], name);
  const step = () => {
    a.bar += out.bar / a.value;
  };
  attach(out, [a], step, () => [rule(a, () => times(bar(out), word(`(1/${a.name.text})`, `(1/${a.name.tex})`, 1 / a.value)))]);
  return out;
}

function cosScalar(a: Scalar, name?: NameLike): Scalar {
  const out = scalarResult("cos", Math.cos(a.value), [a], name);
  const step = () => {
    a.bar += out.bar * -Math.sin(a.value);
  };
  attach(out, [a], step, () => [rule(a, () => times(bar(out), word(`(−sin ${a.name.text})`, `(-\\sin ${a.name.tex})`, -Math.sin(a.value))))]);
  return out;
}

function sigmoidScalar(z: Scalar, name?: NameLike): Scalar {
  const out = scalarResult("sigmoid", act.sigmoid(z.value), [z], name);
  const step = () => {
    z.bar += out.bar * act.sigmoidDerivative(z.value);
  };
  attach(out, [z], step, () => [rule(z, () => times(bar(out), word(`σ'(${z.name.text})`, `\\sigma'(${z.name.tex})`, act.sigmoidDerivative(z.value))))]);
  return out;
}

function tanhScalar(z: Scalar, name?: NameLike): Scalar {
  const out = scalarResult("tanh", Math.tanh(z.value), [z], name);
  const step = () => {
    z.bar += out.bar * act.tanhDerivative(z.value);
  };
  attach(out, [z], step, () => [rule(z, () => times(bar(out), word(`(1 − tanh²(${z.name.text}))`, `(1 - \\tanh^2(${z.name.tex}))`, act.tanhDerivative(z.value))))]);
  return out;
}

function reluScalar(z: Scalar, name?: NameLike): Scalar {
  const out = scalarResult("relu", Math.max(0, z.value), [z], name);
  const step = () => {
    z.bar += out.bar * act.reluDerivative(z.value);
  };
  attach(out, [z], step, () => [rule(z, () => times(bar(out), word(`1[${z.name.text} > 0]`, `\\mathbb{1}[${z.name.tex} > 0]`, act.reluDerivative(z.value))))]);
  return out;
}

function signScalar(z: Scalar, name?: NameLike): Scalar {
  const out = scalarResult("sign", Math.sign(z.value), [z], name);
  // sign is flat on both sides of 0: its derivative is 0, so no error signal passes through it.
  const step = () => {
    z.bar += out.bar * 0;
  };
  attach(out, [z], step, () => [rule(z, () => times(bar(out), word("0", "0", 0)))]);
  return out;
}

/** z = Σⱼ wⱼ xⱼ + b, one neuron's weighted sum (w and x may be single scalars) — 03-backprop. */
export function affine(w: Scalar | Scalar[], x: ScalarLike | ScalarLike[], b: ScalarLike, name?: NameLike): Scalar;
/** z = W x + b with W m×n, x n×k and b m×1 (added to every column) — 03-backprop. */
export function affine(w: Tensor, x: Tensor, b: Tensor, name?: NameLike): Tensor;
export function affine(
  w: Scalar | Scalar[] | Tensor,
  x: ScalarLike | ScalarLike[] | Tensor,
  b: ScalarLike | Tensor,
  name?: NameLike,
): Scalar | Tensor {
  if (w instanceof Tensor || x instanceof Tensor || b instanceof Tensor) {
    return affineTensor(tensorArg("affine", "W", w), tensorArg("affine", "x", x), tensorArg("affine", "b", b), name);
  }
  const ws = Array.isArray(w) ? w : [w];
  const xs = Array.isArray(x) ? x : [x];
  if (ws.length !== xs.length || ws.length === 0) {
    throw new Error(`affine: w has ${ws.length} entries but x has ${xs.length}; they must match (and not be empty)`);
  }
  return affineScalar(
    ws.map((wi, i) => lift("affine", `w[${i}]`, wi)),
    xs.map((xi, i) => lift("affine", `x[${i}]`, xi)),
    lift("affine", "b", b),
    name,
  );
}

function affineScalar(ws: Scalar[], xs: Scalar[], b: Scalar, name?: NameLike): Scalar {
  const value = ws.reduce((s, wi, i) => s + wi.value * xs[i].value, b.value);
  const out = scalarResult("affine", value, [...ws, ...xs, b], name);
  const step = () => {
    ws.forEach((wi, i) => {
      wi.bar += out.bar * xs[i].value;
      xs[i].bar += out.bar * wi.value;
    });
    b.bar += out.bar;
  };
  const rules = (): Rule[] => [
    ...ws.map((wi, i) => rule(wi, () => times(bar(out), val(xs[i])))),
    ...xs.map((xi, i) => rule(xi, () => times(bar(out), val(ws[i])))),
    rule(b, () => bar(out)),
  ];
  attach(out, [...ws, ...xs, b], step, rules);
  return out;
}

/** Σ xᵢ of a list of scalars (or of every entry of a tensor) — 03-backprop. */
export function sum(xs: Scalar[], name?: NameLike): Scalar;
export function sum(x: Tensor, name?: NameLike): Scalar;
export function sum(xs: Scalar[] | Tensor, name?: NameLike): Scalar {
  if (xs instanceof Tensor) return sumTensor(xs, name);
  if (!Array.isArray(xs) || xs.length === 0) throw new Error(`sum: expected a non-empty list of Scalars or a Tensor, got ${String(xs)}`);
  const items = xs.map((x, i) => lift("sum", `xs[${i}]`, x));
  const out = scalarResult("sum", items.reduce((s, x) => s + x.value, 0), items, name);
  const step = () => {
    for (const x of items) x.bar += out.bar;
  };
  attach(out, items, step, () => items.map((x) => rule(x, () => bar(out))));
  return out;
}

/** R = ½ w², the L2 penalty of one weight; w̄ += R̄ w — 03-backprop. */
export function halfSquare(w: Scalar, name?: NameLike): Scalar {
  const a = lift("halfSquare", "w", w);
  const out = scalarResult("halfSquare", 0.5 * a.value * a.value, [a], name);
  const step = () => {
    a.bar += out.bar * a.value;
  };
  attach(out, [a], step, () => [rule(a, () => times(bar(out), val(a)))]);
  return out;
}

/** L_reg = L + λR; L̄ += L̄_reg and R̄ += L̄_reg λ (λ is a fixed number) — 03-backprop. */
export function regularise(loss: Scalar, penalty: Scalar, lambda: number, name?: NameLike): Scalar {
  const L = lift("regularise", "loss", loss);
  const R = lift("regularise", "penalty", penalty);
  if (typeof lambda !== "number" || !Number.isFinite(lambda)) throw new Error(`regularise: lambda must be a finite number, got ${String(lambda)}`);
  const out = scalarResult("regularise", L.value + lambda * R.value, [L, R], name);
  const step = () => {
    L.bar += out.bar;
    R.bar += out.bar * lambda;
  };
  attach(out, [L, R], step, () => [rule(L, () => bar(out)), rule(R, () => times(bar(out), word("λ", "\\lambda", lambda)))]);
  return out;
}

/** L = ½ Σₖ (yₖ − tₖ)² (one scalar or a list; ½‖y − t‖² for tensors); ȳ = L̄ (y − t) — 03-backprop. */
export function halfSquaredError(y: Scalar | Scalar[], t: ScalarLike | ScalarLike[], name?: NameLike): Scalar;
export function halfSquaredError(y: Tensor, t: Tensor | Matrix, name?: NameLike): Scalar;
export function halfSquaredError(
  y: Scalar | Scalar[] | Tensor,
  t: ScalarLike | ScalarLike[] | Tensor | Matrix,
  name?: NameLike,
): Scalar {
  if (y instanceof Tensor) return halfSquaredErrorTensor(y, targetTensor("halfSquaredError", t), name);
  const [ys, ts] = pairs("halfSquaredError", y, t);
  const value = ys.reduce((s, yk, k) => s + 0.5 * (yk.value - ts[k].value) ** 2, 0);
  const out = scalarResult("halfSquaredError", value, [...ys, ...ts], name);
  const step = () => {
    ys.forEach((yk, k) => {
      yk.bar += out.bar * (yk.value - ts[k].value);
      ts[k].bar += -(out.bar * (yk.value - ts[k].value)); // targets are data, but their bar is right too
    });
  };
  const rules = (): Rule[] =>
    ys.flatMap((yk, k) => [
      rule(yk, () => times(bar(out), difference(yk, ts[k]))),
      rule(ts[k], () => times(word("−", "-", null), bar(out), difference(yk, ts[k]))),
    ]);
  attach(out, [...ys, ...ts], step, rules);
  return out;
}

/** J = (1/n) Σᵢ (yᵢ − tᵢ)², the mean squared error; ȳᵢ = J̄ (2/n)(yᵢ − tᵢ) — 02-ffnn-xor. */
export function mse(y: Scalar[], t: ScalarLike[], name?: NameLike): Scalar;
export function mse(y: Tensor, t: Tensor | Matrix, name?: NameLike): Scalar;
export function mse(y: Scalar[] | Tensor, t: ScalarLike[] | Tensor | Matrix, name?: NameLike): Scalar {
  if (y instanceof Tensor) return mseTensor(y, targetTensor("mse", t), name);
  const [ys, ts] = pairs("mse", y, t);
  const n = ys.length;
  const value = ys.reduce((s, yi, i) => s + (yi.value - ts[i].value) ** 2, 0) / n;
  const out = scalarResult("mse", value, [...ys, ...ts], name);
  const step = () => {
    ys.forEach((yi, i) => {
      yi.bar += out.bar * (2 / n) * (yi.value - ts[i].value);
      ts[i].bar += -(out.bar * (2 / n) * (yi.value - ts[i].value));
    });
  };
  const rules = (): Rule[] =>
    ys.flatMap((yi, i) => [
      rule(yi, () => times(bar(out), word(`(2/${n})`, `\\tfrac{2}{${n}}`, 2 / n), difference(yi, ts[i]))),
      rule(ts[i], () => times(word("−", "-", null), bar(out), word(`(2/${n})`, `\\tfrac{2}{${n}}`, 2 / n), difference(yi, ts[i]))),
    ]);
  attach(out, [...ys, ...ts], step, rules);
  return out;
}

/** L = −Σₖ tₖ log softmax(z)ₖ for a list of scores; z̄ₖ = L̄ (yₖ − tₖ) with y = softmax(z) — 03-backprop. */
export function softmaxCrossEntropy(z: Scalar[], t: ScalarLike[], name?: NameLike): Scalar;
/** The same for tensors: each column of z is one example's scores, t the one-hot targets — 03-backprop. */
export function softmaxCrossEntropy(z: Tensor, t: Tensor | Matrix, name?: NameLike): Scalar;
export function softmaxCrossEntropy(z: Scalar[] | Tensor, t: ScalarLike[] | Tensor | Matrix, name?: NameLike): Scalar {
  if (z instanceof Tensor) return softmaxCrossEntropyTensor(z, targetTensor("softmaxCrossEntropy", t), name);
  const [zs, ts] = pairs("softmaxCrossEntropy", z, t);
  const y = act.softmax(zs.map((zk) => zk.value));
  const value = -ts.reduce((s, tk, k) => s + tk.value * Math.log(y[k]), 0);
  const out = scalarResult("softmaxCrossEntropy", value, [...zs, ...ts], name);
  // z̄ₖ = L̄ (yₖ Σt − tₖ), which is the slide's L̄ (yₖ − tₖ) when the targets sum to 1 (one-hot).
  const total = () => ts.reduce((s, tk) => s + tk.value, 0);
  const step = () => {
    const T = total();
    zs.forEach((zk, k) => {
      zk.bar += out.bar * (y[k] * T - ts[k].value);
      ts[k].bar += -(out.bar * Math.log(y[k]));
    });
  };
  const rule1 = (k: number): Term => {
    const T = total();
    const yk = Math.abs(T - 1) < 1e-12 ? `y${k + 1}` : `y${k + 1} Σt`;
    const ykTex = Math.abs(T - 1) < 1e-12 ? `y_{${k + 1}}` : `y_{${k + 1}} \\textstyle\\sum t`;
    return times(bar(out), word(`(${yk} − ${ts[k].name.text})`, `(${ykTex} - ${ts[k].name.tex})`, y[k] * T - ts[k].value));
  };
  const rules = (): Rule[] =>
    zs.flatMap((zk, k) => [
      rule(zk, () => rule1(k)),
      rule(ts[k], () => times(word("−", "-", null), bar(out), word(`log y${k + 1}`, `\\log y_{${k + 1}}`, Math.log(y[k])))),
    ]);
  attach(out, [...zs, ...ts], step, rules);
  return out;
}

function pairs(fn: string, y: unknown, t: unknown): [Scalar[], Scalar[]] {
  const ys = Array.isArray(y) ? y : [y];
  const ts = Array.isArray(t) ? t : [t];
  if (ys.length !== ts.length || ys.length === 0) {
    throw new Error(`${fn}: ${ys.length} outputs but ${ts.length} targets; they must match (and not be empty)`);
  }
  return [ys.map((v, i) => lift(fn, `y[${i}]`, v)), ts.map((v, i) => lift(fn, `t[${i}]`, v))];
}

// ---------------------------------------------------------------------------------------------
// Tensor operations (2-D; vectors are columns).

function targetTensor(fn: string, t: unknown): Tensor {
  if (t instanceof Tensor) return t;
  if (Array.isArray(t)) return new Tensor(checkMatrix(fn, "t", t), "input", "input", "t");
  throw new Error(`${fn}: t must be a Tensor or a matrix of numbers, got ${String(t)}`);
}

function addTensor(a: Tensor, b: Tensor, name?: NameLike): Tensor {
  sameShape("add", a, b);
  const out = tensorResult("add", map(a.value, (v, i, j) => v + b.value[i][j]), [a, b], name);
  const step = () => {
    addInto(a.bar, out.bar);
    addInto(b.bar, out.bar);
  };
  attach(out, [a, b], step, () => [rule(a, () => bar(out)), rule(b, () => bar(out))]);
  return out;
}

function subTensor(a: Tensor, b: Tensor, name?: NameLike): Tensor {
  sameShape("sub", a, b);
  const out = tensorResult("sub", map(a.value, (v, i, j) => v - b.value[i][j]), [a, b], name);
  const step = () => {
    addInto(a.bar, out.bar);
    addInto(b.bar, map(out.bar, (v) => -v));
  };
  attach(out, [a, b], step, () => [rule(a, () => bar(out)), rule(b, () => times(word("−", "-", null), bar(out)))]);
  return out;
}

function mulTensor(a: Tensor, b: Tensor, name?: NameLike): Tensor {
  sameShape("mul", a, b);
  const out = tensorResult("mul", map(a.value, (v, i, j) => v * b.value[i][j]), [a, b], name);
  const step = () => {
    addInto(a.bar, map(out.bar, (g, i, j) => g * b.value[i][j]));
    addInto(b.bar, map(out.bar, (g, i, j) => g * a.value[i][j]));
  };
  attach(out, [a, b], step, () => [rule(a, () => hadamard(bar(out), val(b))), rule(b, () => hadamard(bar(out), val(a)))]);
  return out;
}

function divTensor(a: Tensor, b: Tensor, name?: NameLike): Tensor {
  sameShape("div", a, b);
  b.value.forEach((row, i) =>
    row.forEach((v, j) => {
      if (v === 0) throw new Error(`div: division by zero at [${i}][${j}] of '${b.name.text}' (${b.shapeText()})`);
    }),
  );
  const out = tensorResult("div", map(a.value, (v, i, j) => v / b.value[i][j]), [a, b], name);
  const step = () => {
    addInto(a.bar, map(out.bar, (g, i, j) => g / b.value[i][j]));
    addInto(b.bar, map(out.bar, (g, i, j) => (g * -a.value[i][j]) / b.value[i][j] ** 2));
  };
  attach(out, [a, b], step, () => [
    rule(a, () => times(bar(out), word(`/ ${b.name.text}`, `\\oslash ${b.name.tex}`, null))),
    rule(b, () => hadamard(bar(out), word(`(−${a.name.text}/${b.name.text}²)`, `(-${a.name.tex} \\oslash ${b.name.tex}^2)`, null))),
  ]);
  return out;
}

/** Step 1–4 for an elementwise function f with derivative df (the shared shape of exp, σ, tanh, …). */
function elementwise(op: string, x: Tensor, f: (v: number) => number, df: (v: number) => number, local: Term, name?: NameLike): Tensor {
  const out = tensorResult(op, map(x.value, f), [x], name);
  const step = () => {
    addInto(x.bar, map(out.bar, (g, i, j) => g * df(x.value[i][j])));
  };
  attach(out, [x], step, () => [rule(x, () => hadamard(bar(out), local))]);
  return out;
}

function powTensor(x: Tensor, n: number, name?: NameLike): Tensor {
  const local = word(`${n}${x.name.text}^${n - 1}`, `${n}${x.name.tex}^{${n - 1}}`, null);
  return elementwise("pow", x, (v) => v ** n, (v) => n * v ** (n - 1), local, name);
}

function matmulTensor(a: Tensor, b: Tensor, name?: NameLike): Tensor {
  if (cols(a.value) !== rows(b.value)) {
    throw new Error(`matmul: cannot multiply ${a.shapeText()} ('${a.name.text}') by ${b.shapeText()} ('${b.name.text}'): ${cols(a.value)} columns ≠ ${rows(b.value)} rows`);
  }
  const out = tensorResult("matmul", matmulValues(a.value, b.value), [a, b], name);
  const step = () => {
    addInto(a.bar, matmulValues(out.bar, transpose(b.value)));
    addInto(b.bar, matmulValues(transpose(a.value), out.bar));
  };
  attach(out, [a, b], step, () => [rule(a, () => times(bar(out), transposed(b))), rule(b, () => times(transposed(a), bar(out)))]);
  return out;
}

function affineTensor(W: Tensor, x: Tensor, b: Tensor, name?: NameLike): Tensor {
  const [m, n] = W.shape;
  if (rows(x.value) !== n) {
    throw new Error(`affine: cannot multiply W ${W.shapeText()} ('${W.name.text}') by x ${x.shapeText()} ('${x.name.text}'): ${n} columns ≠ ${rows(x.value)} rows`);
  }
  if (rows(b.value) !== m || cols(b.value) !== 1) {
    throw new Error(`affine: b ('${b.name.text}') must be ${m}×1 to match W ${W.shapeText()}, got ${b.shapeText()}`);
  }
  const Wx = matmulValues(W.value, x.value);
  const out = tensorResult("affine", map(Wx, (v, i) => v + b.value[i][0]), [W, x, b], name);
  const step = () => {
    addInto(W.bar, matmulValues(out.bar, transpose(x.value))); //  W̄ += z̄ xᵀ
    addInto(x.bar, matmulValues(transpose(W.value), out.bar)); //  x̄ += Wᵀ z̄
    addInto(b.bar, out.bar.map((row) => [row.reduce((s, g) => s + g, 0)])); //  b̄ += z̄ (summed over columns)
  };
  attach(out, [W, x, b], step, () => [
    rule(W, () => times(bar(out), transposed(x))),
    rule(x, () => times(transposed(W), bar(out))),
    rule(b, () => bar(out)),
  ]);
  return out;
}

function sumTensor(x: Tensor, name?: NameLike): Scalar {
  const out = scalarResult("sum", x.value.flat().reduce((s, v) => s + v, 0), [x], name);
  const step = () => {
    addInto(x.bar, map(x.value, () => out.bar));
  };
  attach(out, [x], step, () => [rule(x, () => times(bar(out), word("𝟏", "\\mathbf{1}", null)))]);
  return out;
}

/** The mean of every entry of a tensor (or of a list of scalars) — 03-backprop. */
export function mean(x: Tensor | Scalar[], name?: NameLike): Scalar {
  if (Array.isArray(x)) {
    if (x.length === 0) throw new Error("mean: expected a non-empty list of Scalars");
    const total = sum(x);
    return mulScalar(total, lift("mean", "1/n", 1 / x.length), name);
  }
  const t = tensorArg("mean", "x", x);
  const n = rows(t.value) * cols(t.value);
  const out = scalarResult("mean", t.value.flat().reduce((s, v) => s + v, 0) / n, [t], name);
  const step = () => {
    addInto(t.bar, map(t.value, () => out.bar / n));
  };
  attach(out, [t], step, () => [rule(t, () => times(bar(out), word(`𝟏/${n}`, `\\mathbf{1}/${n}`, null)))]);
  return out;
}

function halfSquaredErrorTensor(y: Tensor, t: Tensor, name?: NameLike): Scalar {
  sameShape("halfSquaredError", y, t);
  const value = 0.5 * y.value.flat().reduce((s, v, k) => s + (v - t.value.flat()[k]) ** 2, 0);
  const out = scalarResult("halfSquaredError", value, [y, t], name);
  const step = () => {
    addInto(y.bar, map(y.value, (v, i, j) => out.bar * (v - t.value[i][j])));
    addInto(t.bar, map(y.value, (v, i, j) => -out.bar * (v - t.value[i][j])));
  };
  attach(out, [y, t], step, () => [rule(y, () => times(bar(out), difference(y, t))), rule(t, () => times(word("−", "-", null), bar(out), difference(y, t)))]);
  return out;
}

function mseTensor(y: Tensor, t: Tensor, name?: NameLike): Scalar {
  sameShape("mse", y, t);
  const n = rows(y.value) * cols(y.value);
  const value = y.value.flat().reduce((s, v, k) => s + (v - t.value.flat()[k]) ** 2, 0) / n;
  const out = scalarResult("mse", value, [y, t], name);
  const step = () => {
    addInto(y.bar, map(y.value, (v, i, j) => out.bar * (2 / n) * (v - t.value[i][j])));
    addInto(t.bar, map(y.value, (v, i, j) => -out.bar * (2 / n) * (v - t.value[i][j])));
  };
  attach(out, [y, t], step, () => [
    rule(y, () => times(bar(out), word(`(2/${n})`, `\\tfrac{2}{${n}}`, null), difference(y, t))),
    rule(t, () => times(word("−", "-", null), bar(out), word(`(2/${n})`, `\\tfrac{2}{${n}}`, null), difference(y, t))),
  ]);
  return out;
}

function softmaxCrossEntropyTensor(z: Tensor, t: Tensor, name?: NameLike): Scalar {
  sameShape("softmaxCrossEntropy", z, t);
  const y = transpose(transpose(z.value).map(act.softmax)); // softmax of every column
  const value = -y.flat().reduce((s, v, k) => s + t.value.flat()[k] * Math.log(v), 0);
  const out = scalarResult("softmaxCrossEntropy", value, [z, t], name);
  // Z̄ = L̄ (softmax(Z) Σt − T) column by column: L̄ (softmax(Z) − T) for one-hot columns.
  const step = () => {
    const T = transpose(t.value).map((col) => col.reduce((a, b) => a + b, 0));
    addInto(z.bar, map(y, (v, i, j) => out.bar * (v * T[j] - t.value[i][j])));
    addInto(t.bar, map(y, (v) => -out.bar * Math.log(v)));
  };
  attach(out, [z, t], step, () => [
    rule(z, () => times(bar(out), word(`(softmax(${z.name.text}) − ${t.name.text})`, `(\\mathrm{softmax}(${z.name.tex}) - ${t.name.tex})`, null))),
    rule(t, () => times(word("−", "-", null), bar(out), word(`log softmax(${z.name.text})`, `\\log \\mathrm{softmax}(${z.name.tex})`, null))),
  ]);
  return out;
}

/** Options of `maxPool`, as in pool.ts: window size and stride (default: the window size) — 03-backprop. */
export type PoolOptions = Omit<Pool2dOptions, "mode">;

/** Max pooling; backward routes each window's error signal to the entry that took the max — 03-backprop. */
export function maxPool(x: Tensor, options: PoolOptions = {}, name?: NameLike): Tensor {
  const X = tensorArg("maxPool", "x", x);
  // In the forward pass, store the index that took the max (lecture 002; pool.ts does the pooling).
  const { output, argmax } = maxPool2d(X.value, options);
  const out = tensorResult("maxPool", output, [X], name);
  const step = () => {
    // The gradient goes to the argmax of each window; the other entries get nothing.
    addInto(X.bar, maxPoolBackward(out.bar, argmax, X.shape));
  };
  attach(out, [X], step, () => [
    rule(X, () => word(`${barText(out.name)} routed to each window's argmax`, `${barTex(out.name)} \\text{ routed to each window's argmax}`, null)),
  ]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The public operations: one function per operation, for scalars and tensors alike.

/** a + b — 03-backprop. */
export function add(a: ScalarLike, b: ScalarLike, name?: NameLike): Scalar;
export function add(a: Tensor, b: Tensor, name?: NameLike): Tensor;
export function add(a: ScalarLike | Tensor, b: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  if (a instanceof Tensor || b instanceof Tensor) return addTensor(tensorArg("add", "a", a), tensorArg("add", "b", b), name);
  return addScalar(lift("add", "a", a), lift("add", "b", b), name);
}

/** a − b — 03-backprop. */
export function sub(a: ScalarLike, b: ScalarLike, name?: NameLike): Scalar;
export function sub(a: Tensor, b: Tensor, name?: NameLike): Tensor;
export function sub(a: ScalarLike | Tensor, b: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  if (a instanceof Tensor || b instanceof Tensor) return subTensor(tensorArg("sub", "a", a), tensorArg("sub", "b", b), name);
  return subScalar(lift("sub", "a", a), lift("sub", "b", b), name);
}

/** a · b (elementwise a ∘ b for tensors) — 03-backprop. */
export function mul(a: ScalarLike, b: ScalarLike, name?: NameLike): Scalar;
export function mul(a: Tensor, b: Tensor, name?: NameLike): Tensor;
export function mul(a: ScalarLike | Tensor, b: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  if (a instanceof Tensor || b instanceof Tensor) return mulTensor(tensorArg("mul", "a", a), tensorArg("mul", "b", b), name);
  return mulScalar(lift("mul", "a", a), lift("mul", "b", b), name);
}

/** a / b (elementwise for tensors) — 03-backprop. */
export function div(a: ScalarLike, b: ScalarLike, name?: NameLike): Scalar;
export function div(a: Tensor, b: Tensor, name?: NameLike): Tensor;
export function div(a: ScalarLike | Tensor, b: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  if (a instanceof Tensor || b instanceof Tensor) return divTensor(tensorArg("div", "a", a), tensorArg("div", "b", b), name);
  return divScalar(lift("div", "a", a), lift("div", "b", b), name);
}

/** xⁿ for a fixed number n (elementwise for tensors) — 03-backprop. */
export function pow(x: ScalarLike, n: number, name?: NameLike): Scalar;
export function pow(x: Tensor, n: number, name?: NameLike): Tensor;
export function pow(x: ScalarLike | Tensor, n: number, name?: NameLike): Scalar | Tensor {
  if (typeof n !== "number" || !Number.isFinite(n)) throw new Error(`pow: exponent n must be a finite number, got ${String(n)}`);
  if (x instanceof Tensor) return powTensor(x, n, name);
  return powScalar(lift("pow", "x", x), n, name);
}

/** eˣ — 03-backprop. */
export function exp(x: ScalarLike, name?: NameLike): Scalar;
export function exp(x: Tensor, name?: NameLike): Tensor;
export function exp(x: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  if (x instanceof Tensor) return elementwise("exp", x, Math.exp, Math.exp, word(`e^${x.name.text}`, `e^{${x.name.tex}}`, null), name);
  return expScalar(lift("exp", "x", x), name);
}

/** Natural logarithm (inputs must be > 0) — 03-backprop. */
export function log(x: ScalarLike, name?: NameLike): Scalar;
export function log(x: Tensor, name?: NameLike): Tensor;
export function log(x: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  if (x instanceof Tensor) {
    x.value.forEach((row, i) =>
      row.forEach((v, j) => {
        if (v <= 0) throw new Error(`log: input '${x.name.text}'[${i}][${j}] must be > 0, got ${formatNumber(v)}`);
      }),
    );
    return elementwise("log", x, Math.log, (v) => 1 / v, word(`(1/${x.name.text})`, `(1 \\oslash ${x.name.tex})`, null), name);
  }
  return logScalar(lift("log", "x", x), name);
}

/** cos x (lecture 002's x(t) = cos t) — 03-backprop. */
export function cos(x: ScalarLike, name?: NameLike): Scalar;
export function cos(x: Tensor, name?: NameLike): Tensor;
export function cos(x: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  if (x instanceof Tensor) return elementwise("cos", x, Math.cos, (v) => -Math.sin(v), word(`(−sin ${x.name.text})`, `(-\\sin ${x.name.tex})`, null), name);
  return cosScalar(lift("cos", "x", x), name);
}

/** σ(z) = 1/(1 + e^(−z)); z̄ = ȳ σ'(z) — 02-ffnn-xor. */
export function sigmoid(z: ScalarLike, name?: NameLike): Scalar;
export function sigmoid(z: Tensor, name?: NameLike): Tensor;
export function sigmoid(z: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  if (z instanceof Tensor) return elementwise("sigmoid", z, act.sigmoid, act.sigmoidDerivative, word(`σ'(${z.name.text})`, `\\sigma'(${z.name.tex})`, null), name);
  return sigmoidScalar(lift("sigmoid", "z", z), name);
}

/** tanh(z); z̄ = ȳ (1 − tanh²(z)) — 02-ffnn-xor. */
export function tanh(z: ScalarLike, name?: NameLike): Scalar;
export function tanh(z: Tensor, name?: NameLike): Tensor;
export function tanh(z: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  if (z instanceof Tensor) return elementwise("tanh", z, Math.tanh, act.tanhDerivative, word(`(1 − tanh²(${z.name.text}))`, `(1 - \\tanh^2(${z.name.tex}))`, null), name);
  return tanhScalar(lift("tanh", "z", z), name);
}

/** max(0, z); the error signal passes where z > 0 — 02-ffnn-xor. */
export function relu(z: ScalarLike, name?: NameLike): Scalar;
export function relu(z: Tensor, name?: NameLike): Tensor;
export function relu(z: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  if (z instanceof Tensor) return elementwise("relu", z, (v) => Math.max(0, v), act.reluDerivative, word(`1[${z.name.text} > 0]`, `\\mathbb{1}[${z.name.tex} > 0]`, null), name);
  return reluScalar(lift("relu", "z", z), name);
}

/** sign(z) ∈ {−1, 0, 1}; its derivative is 0, so no error signal passes (lecture 004) — 02-ffnn-xor. */
export function sign(z: ScalarLike, name?: NameLike): Scalar;
export function sign(z: Tensor, name?: NameLike): Tensor;
export function sign(z: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  if (z instanceof Tensor) return elementwise("sign", z, Math.sign, () => 0, word("0", "0", null), name);
  return signScalar(lift("sign", "z", z), name);
}

/** A · B, the matrix product; Ā = C̄ Bᵀ and B̄ = Aᵀ C̄ — 03-backprop. */
export function matmul(a: Tensor, b: Tensor, name?: NameLike): Tensor {
  return matmulTensor(tensorArg("matmul", "a", a), tensorArg("matmul", "b", b), name);
}

/**
 * A new scalar operation of your own, in the same four steps: the output `value`, the closure
 * `backward(out)` that adds out.bar × ∂out/∂input to each input's bar, attached, returned — 03-backprop.
 */
export function scalarOp(op: string, value: number, inputs: Scalar[], backward: (out: Scalar) => void, name?: NameLike): Scalar {
  if (typeof op !== "string" || op === "") throw new Error(`scalarOp: op must be a non-empty name, got ${String(op)}`);
  if (!Array.isArray(inputs) || !inputs.every((x) => x instanceof Scalar)) {
    throw new Error(`scalarOp: inputs of '${op}' must be a list of Scalars, got ${String(inputs)}`);
  }
  if (typeof backward !== "function") throw new Error(`scalarOp: backward of '${op}' must be a function (out) => { … }`);
  const out = scalarResult(op, value, inputs, name);
  const step = () => backward(out);
  const rules = (): Rule[] =>
    inputs.map((x) =>
      rule(x, () => times(bar(out), word(`∂${out.name.text}/∂${x.name.text}`, `\\frac{\\partial ${out.name.tex}}{\\partial ${x.name.tex}}`, null))),
    );
  attach(out, inputs, step, rules);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Backward pass.

/** Every node the loss depends on, parents before children — 03-backprop. */
export function topologicalOrder(loss: Node): Node[] {
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

function sameValue(a: number | Matrix, b: number | Matrix): boolean {
  if (typeof a === "number" || typeof b === "number") return a === b;
  return a.length === b.length && a.every((row, i) => row.length === b[i].length && row.every((v, j) => v === b[i][j]));
}

function barIsZero(n: Node): boolean {
  const b = n.copyBar();
  return typeof b === "number" ? b === 0 : b.every((row) => row.every((v) => v === 0));
}

function describeValue(v: number | Matrix): string {
  return typeof v === "number" ? formatNumber(v) : matrixText(v);
}

/**
 * Back-propagation: L̄ = 1, then every node's closure in reverse topological order adds to its
 * inputs' bars. Refuses a non-scalar loss, a graph whose inputs changed since the forward pass,
 * and parameters or intermediate nodes holding bars from an earlier backward() (call zeroGrad
 * first); the bars of data (inputs) and constants are reset — 03-backprop.
 */
export function backward(loss: Node): void {
  if (!(loss instanceof Node)) throw new Error(`backward: expected a Scalar loss, got ${String(loss)}`);
  const order = topologicalOrder(loss);
  for (const n of order) {
    n.inputs.forEach((p, k) => {
      if (!sameValue(p.copyValue(), n.inputValues[k])) {
        throw new Error(
          `backward: '${p.name.text}' changed from ${describeValue(n.inputValues[k])} to ${describeValue(p.copyValue())} after the forward pass that computed '${n.name.text}' (${n.op}); run the forward pass again (and zeroGrad) before backward()`,
        );
      }
    });
  }
  for (const n of order) {
    // Data and constants are often reused by many forward passes: their bars start afresh.
    if (n.kind === "input" || n.kind === "constant") n.zeroGrad();
    if (!barIsZero(n)) {
      throw new Error(
        `backward: '${n.name.text}' (${n.op}) already holds ${barText(n.name)} = ${describeValue(n.copyBar())} from an earlier backward(); call zeroGrad on the parameters (or build a new forward pass) first`,
      );
    }
  }
  loss.seedBar();
  for (let k = order.length - 1; k >= 0; k--) order[k].backwardStep();
  for (const n of order) {
    const b = n.copyBar();
    const bad = typeof b === "number" ? !Number.isFinite(b) : b.some((row) => row.some((v) => !Number.isFinite(v)));
    if (bad) throw new Error(`backward: the error signal ${barText(n.name)} of '${n.name.text}' (${n.op}) is not finite: ${describeValue(b)}`);
  }
}

/** Sets the bars of the given nodes (a model's parameters) back to zero — 03-backprop. */
export function zeroGrad(nodes: Node[]): void {
  if (!Array.isArray(nodes)) throw new Error(`zeroGrad: expected a list of nodes, got ${String(nodes)}`);
  nodes.forEach((n, i) => {
    if (!(n instanceof Node)) throw new Error(`zeroGrad: nodes[${i}] is not a Scalar or Tensor: ${String(n)}`);
    n.zeroGrad();
  });
}

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
  if (!(loss instanceof Node)) throw new Error(`trace: expected the loss node, got ${String(loss)}`);
  const lossBar = loss.copyBar();
  if (!sameValue(lossBar, typeof lossBar === "number" ? 1 : [[1]])) {
    throw new Error(`trace: call backward() on '${loss.name.text}' first (its bar is ${describeValue(lossBar)}, not 1)`);
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
      return { step: k + 1, node: n.name.text, op: n.op, text: `${barText(n.name)} = 1`, tex: `${barTex(n.name)} = 1`, numbers: null, value, valueTex: "1" };
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

/** The trace as lines of text: "ȳ = L̄ (y − t) = 1 × (0.7311 − 1) = −0.2689" — 03-backprop. */
export function traceText(rows: TraceRow[]): string {
  return rows
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
  const lines = rows.map((r) => {
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
    ...rows.map((r) => [String(r.step), r.node, r.text, r.numbers ?? "", describeValue(r.value)]),
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
  if (!(loss instanceof Node)) throw new Error(`graph: expected a Scalar or Tensor, got ${String(loss)}`);
  const order = topologicalOrder(loss);
  const nodes = order.map((n) => ({ id: n.id, name: n.name.text, tex: n.name.tex, kind: n.kind, op: n.op, value: n.copyValue(), bar: n.copyBar() }));
  const edges = order.flatMap((n) => [...new Set(n.inputs)].map((p) => ({ from: p.id, to: n.id, label: n.op })));
  return { nodes, edges };
}
