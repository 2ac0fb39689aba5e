// Convolution shown the way the slides write it: every output cell as a sum of products,
// or as the per-row partial sums of lecture 000 ("-6 - 6 - 6"), as LaTeX and as plain data
// for an annotated heatmap; and over symbols (lecture 001's aα + bβ + dγ + eδ).
import { describe as formatValue, integer, knownOptions, MAX_SIZE, numbers, readable } from "./args";
import { pad2d } from "./conv";
import { geometry, orDefault } from "./geometry";
import type { Conv2dOptions, Geometry } from "./geometry";
import { at, toMatrix, toView } from "./view";
import type { Matrix, View, Volume } from "./view";

/** One kernel tap of one output cell: the input number under kernel entry (u, v), and where it sits. */
export interface Tap {
  /** The input number (0 on padding). */
  input: number;
  /** The kernel entry it is multiplied by. */
  weight: number;
  /** Row and column in the input; outside 0…h−1 or 0…w−1 means zero padding. */
  row: number;
  col: number;
  padding: boolean;
}

/** One output cell with its working. */
export interface ExplainedCell {
  row: number;
  col: number;
  value: number;
  /** taps[u][v]: kernel entry (u, v) and the input number under it. */
  taps: Tap[][];
  /** One partial sum per kernel row (lecture 000's "−6 − 6 − 6" has three). */
  rowSums: number[];
  /** The per-row partial sums written out: "-6 - 6 - 6". */
  sum: string;
  /** Every product written out: "-3 + 0 + 1 - 2 + 0 + 6 - 1 + 0 + 1". */
  terms: string;
  /** Every multiplication written out: "(3 · -1) + (2 · 0) + (1 · 1) + …" (lecture 001). */
  products: string;
  /** The whole line: "-6 - 6 - 6 = -18", with bias "… + 1 = …", normalised "(…)/9 = 0.56". */
  working: string;
}

/** A convolution with its working, cell by cell. */
export interface Explanation {
  /** The input and the kernel as the loop used them (flipped for true convolution). */
  input: Matrix;
  kernel: Matrix;
  geometry: Geometry;
  output: Matrix;
  cells: ExplainedCell[][];
  /** "\begin{pmatrix} -6 - 6 - 6 & … \end{pmatrix} = \begin{pmatrix} -18 & … \end{pmatrix}" */
  latex: string;
}

/** Options of `explainCorrelate2d`: a convolution's options and how the cell is computed. */
export interface ExplainOptions extends Conv2dOptions {
  /** 'correlate' (default, what CNNs and the slides compute) or 'convolve' (kernel flipped). */
  mode?: "correlate" | "convolve";
  /** Divide by the number of kernel pixels (lecture 003's filtering). */
  normalize?: boolean;
  /** A number added to every cell. */
  bias?: number;
  /** Decimal places for numbers that are not whole (default 2). */
  digits?: number;
}

/** A number the way a slide prints it: whole numbers as they are, others to `digits` places; never "-0" — 04-convolution-by-hand. */
export function formatNumber(x: number, digits = 2): string {
  if (Object.is(x, -0) || x === 0) return "0";
  if (Number.isInteger(x)) return String(x);
  const s = String(Number(x.toFixed(digits)));
  return s === "-0" ? "0" : s;
}

/** Numbers joined into a sum the slides' way: [-6, -6, -6] → "-6 - 6 - 6", [0, 3, 3] → "0 + 3 + 3" — 04-convolution-by-hand. */
export function formatSum(terms: number[], digits = 2): string {
  numbers("conv.formatSum", "terms", terms, MAX_SIZE);
  integer("conv.formatSum", "digits", digits, { min: 0, max: 15 });
  return terms
    .map((t, i) => {
      if (typeof t !== "number" || !Number.isFinite(t))
        throw new Error(`conv.formatSum: terms[${i}] must be a finite number, got ${formatValue(t)}`);
      const s = formatNumber(t, digits);
      if (i === 0) return s;
      return s.startsWith("-") ? ` - ${s.slice(1)}` : ` + ${s}`;
    })
    .join("");
}

/** A LaTeX matrix of numbers or strings: \begin{pmatrix} a & b \\ c & d \end{pmatrix} — 04-convolution-by-hand. */
export function latexMatrix(cells: (number | string)[][], brackets: "pmatrix" | "bmatrix" = "pmatrix", digits = 2): string {
  const ok = readable(
    "conv.latexMatrix",
    "cells",
    cells,
    "a non-empty array of non-empty rows",
    () => Array.isArray(cells) && cells.length > 0 && cells.every((r) => Array.isArray(r) && r.length > 0),
  );
  if (!ok) {
    throw new Error(`conv.latexMatrix: cells must be a non-empty array of non-empty rows, got ${formatValue(cells)}`);
  }
  if (brackets !== "pmatrix" && brackets !== "bmatrix")
    throw new Error(`conv.latexMatrix: brackets must be 'pmatrix' or 'bmatrix', got ${formatValue(brackets)}`);
  const body = cells.map((r) => r.map((c) => (typeof c === "number" ? formatNumber(c, digits) : c)).join(" & ")).join(" \\\\ ");
  return `\\begin{${brackets}} ${body} \\end{${brackets}}`;
}

function digitsOption(fn: string, digits: unknown): number {
  if (digits === undefined) return 2;
  if (typeof digits !== "number" || !Number.isInteger(digits) || digits < 0 || digits > 10) {
    throw new Error(`${fn}: digits must be an integer from 0 to 10, got ${formatValue(digits)}`);
  }
  return digits;
}

/** The taps of output cell (i, j): the same formula as the convolution loop, kept instead of summed. */
function tapsOf(X: View, K: View, g: Geometry, i: number, j: number): Tap[][] {
  const taps: Tap[][] = [];
  for (let u = 0; u < g.kH; u++) {
    const row: Tap[] = [];
    for (let v = 0; v < g.kW; v++) {
      const r = i * g.strideH + u * g.dilationH - g.padding.top;
      const c = j * g.strideW + v * g.dilationW - g.padding.left;
      const padding = !(r >= 0 && r < g.inH && c >= 0 && c < g.inW);
      row.push({ input: padding ? 0 : at(X, r, c), weight: at(K, u, v), row: r, col: c, padding });
    }
    taps.push(row);
  }
  return taps;
}

function explainCell(taps: Tap[][], i: number, j: number, pixels: number, normalize: boolean, bias: number, digits: number): ExplainedCell {
  const rowSums = taps.map((r) => r.reduce((s, t) => s + t.input * t.weight, 0));
  const flat = taps.flat();
  const total = rowSums.reduce((s, x) => s + x, 0) + bias;
  const value = normalize ? total / pixels : total;
  const sum = formatSum(rowSums, digits);
  const terms = formatSum(
    flat.map((t) => t.input * t.weight),
    digits,
  );
  const products = flat.map((t) => `(${formatNumber(t.input, digits)} · ${formatNumber(t.weight, digits)})`).join(" + ");
  const withBias = bias === 0 ? sum : `${sum} + ${formatNumber(bias, digits)}`;
  const working = normalize
    ? `(${bias === 0 ? terms : `${terms} + ${formatNumber(bias, digits)}`})/${pixels} = ${formatNumber(value, digits)}`
    : `${withBias} = ${formatNumber(value, digits)}`;
  return { row: i, col: j, value, taps, rowSums, sum, terms, products, working };
}

/**
 * Cross-correlation (or true convolution) with every output cell's working, as the slides write it:
 * per-row partial sums, every product, LaTeX — 04-convolution-by-hand.
 */
export function explainCorrelate2d(input: Matrix | View, kernel: Matrix | View, options: ExplainOptions = {}): Explanation {
  const fn = "conv.explainCorrelate2d";
  const X = toView(fn, "input", input, 2);
  let K = toView(fn, "kernel", kernel, 2);
  knownOptions(fn, options, ["stride", "padding", "dilation", "mode", "normalize", "bias", "digits"]);
  const mode = orDefault(options.mode, "correlate");
  if (mode !== "correlate" && mode !== "convolve")
    throw new Error(`${fn}: mode must be 'correlate' or 'convolve', got ${formatValue(mode)}`);
  if (mode === "convolve") K = K.step(-1, -1);
  const bias = orDefault(options.bias, 0);
  if (typeof bias !== "number" || !Number.isFinite(bias)) throw new Error(`${fn}: bias must be a finite number, got ${formatValue(bias)}`);
  const digits = digitsOption(fn, options.digits);
  const g = geometry(fn, [X.shape[0], X.shape[1]], [K.shape[0], K.shape[1]], options);
  const cells: ExplainedCell[][] = [];
  for (let i = 0; i < g.outH; i++) {
    const row: ExplainedCell[] = [];
    for (let j = 0; j < g.outW; j++) {
      row.push(explainCell(tapsOf(X, K, g, i, j), i, j, g.kH * g.kW, options.normalize === true, bias, digits));
    }
    cells.push(row);
  }
  const output = cells.map((r) => r.map((c) => c.value));
  const latex = `${latexMatrix(cells.map((r) => r.map((c) => c.sum)))} = ${latexMatrix(output, "pmatrix", digits)}`;
  return { input: toMatrix(X), kernel: toMatrix(K), geometry: g, output, cells, latex };
}

/** Annotated-heatmap data of an explanation: z the values, text on each cell, hover the working — 04-convolution-by-hand. */
export function explanationHeatmap(
  explanation: Explanation,
  text: "value" | "sum" | "terms" = "value",
): { z: Matrix; text: string[][]; hover: string[][] } {
  const fn = "conv.explanationHeatmap";
  const ok = readable(
    fn,
    "explanation",
    explanation,
    "an explanation from conv.explain",
    () => typeof explanation === "object" && explanation !== null && Array.isArray(explanation.cells),
  );
  if (!ok) {
    throw new Error(`${fn}: explanation must come from explainCorrelate2d, got ${formatValue(explanation)}`);
  }
  if (text !== "value" && text !== "sum" && text !== "terms")
    throw new Error(`${fn}: text must be 'value', 'sum' or 'terms', got ${formatValue(text)}`);
  const label = (c: ExplainedCell): string => (text === "value" ? formatNumber(c.value) : text === "sum" ? c.sum : c.terms);
  return {
    z: explanation.cells.map((r) => r.map((c) => c.value)),
    text: explanation.cells.map((r) => r.map(label)),
    hover: explanation.cells.map((r) => r.map((c) => c.working)),
  };
}

// ---------------------------------------------------------------------------------------------
// Several channels: one kernel h×w×c, one map per channel, summed (lectures 000 and 004)
// ---------------------------------------------------------------------------------------------

/** A multi-channel convolution with its working: one explanation per channel, and each cell's channel sum. */
export interface ChannelExplanation {
  channels: Explanation[];
  output: Matrix;
  /** "308 + -498 + 164 + 1 = -25": the channel sums, the bias, the cell (lecture 004). */
  working: string[][];
  latex: string;
}

/** Explain one kernel h×w×c on an input h×w×c: per-channel maps, summed, plus a bias — 06-channels-and-filters. */
export function explainConv2d(
  input: Volume | View,
  kernel: Volume | View,
  options: Conv2dOptions & { bias?: number; digits?: number } = {},
): ChannelExplanation {
  const fn = "conv.explainConv2d";
  const X = toView(fn, "input", input, 3);
  const K = toView(fn, "kernel", kernel, 3);
  if (X.shape[2] !== K.shape[2]) {
    throw new Error(
      `${fn}: kernel has ${K.shape[2]} channels (shape ${K.shape.join("×")}) but the input has ${X.shape[2]} (shape ${X.shape.join("×")})`,
    );
  }
  knownOptions(fn, options, ["stride", "padding", "dilation", "bias", "digits"]);
  const bias = orDefault(options.bias, 0);
  if (typeof bias !== "number" || !Number.isFinite(bias)) throw new Error(`${fn}: bias must be a finite number, got ${formatValue(bias)}`);
  const digits = digitsOption(fn, options.digits);
  const perChannel: Conv2dOptions & { digits: number } = {
    stride: options.stride,
    padding: options.padding,
    dilation: options.dilation,
    digits,
  };
  const channels: Explanation[] = [];
  for (let c = 0; c < X.shape[2]; c++) {
    channels.push(explainCorrelate2d(X.pick(null, null, c), K.pick(null, null, c), perChannel));
  }
  const first = channels[0].output;
  const output = first.map((r, i) => r.map((_, j) => channels.reduce((s, e) => s + e.output[i][j], 0) + bias));
  const working = output.map((r, i) =>
    r.map((v, j) => {
      const parts = channels.map((e) => formatNumber(e.output[i][j], digits));
      if (bias !== 0 || options.bias !== undefined) parts.push(formatNumber(bias, digits));
      return `${parts.join(" + ")} = ${formatNumber(v, digits)}`;
    }),
  );
  const sums = channels.map((e) => latexMatrix(e.output, "pmatrix", digits)).join(" + ");
  const latex = `${sums}${options.bias !== undefined ? ` + ${formatNumber(bias, digits)}` : ""} = ${latexMatrix(output, "pmatrix", digits)}`;
  return { channels, output, working, latex };
}

// ---------------------------------------------------------------------------------------------
// Symbols instead of numbers (lecture 001)
// ---------------------------------------------------------------------------------------------

const greek: Record<string, string> = {
  α: "\\alpha",
  β: "\\beta",
  γ: "\\gamma",
  δ: "\\delta",
  ε: "\\varepsilon",
  ζ: "\\zeta",
  η: "\\eta",
  θ: "\\theta",
  ι: "\\iota",
  κ: "\\kappa",
  λ: "\\lambda",
  μ: "\\mu",
  ν: "\\nu",
  ξ: "\\xi",
  π: "\\pi",
  ρ: "\\rho",
  σ: "\\sigma",
  τ: "\\tau",
  υ: "\\upsilon",
  φ: "\\phi",
  χ: "\\chi",
  ψ: "\\psi",
  ω: "\\omega",
};

/** A symbol in LaTeX: Greek letters become \alpha, \beta, … (followed by a space so "aα" stays two symbols). */
function latexSymbol(s: string): string {
  return Array.from(s, (ch) => (ch in greek ? `${greek[ch]} ` : ch))
    .join("")
    .trim();
}

function symbols(fn: string, arg: string, x: unknown): string[][] {
  return readable(fn, arg, x, "an array of rows of symbols", () => readSymbols(fn, arg, x));
}

function readSymbols(fn: string, arg: string, x: unknown): string[][] {
  if (!Array.isArray(x) || x.length === 0)
    throw new Error(`${fn}: ${arg} must be a non-empty array of rows of symbols, got ${formatValue(x)}`);
  const width = Array.isArray(x[0]) ? x[0].length : -1;
  return x.map((row: unknown, i) => {
    if (!Array.isArray(row) || row.length === 0 || row.length !== width) {
      throw new Error(`${fn}: ${arg} is ragged or empty: ${arg}[${i}] should be ${Math.max(width, 1)} symbols, got ${formatValue(row)}`);
    }
    return row.map((s: unknown, j) => {
      if (typeof s !== "string" || s.trim() === "")
        throw new Error(`${fn}: ${arg}[${i}][${j}] must be a non-empty string, got ${formatValue(s)}`);
      return s;
    });
  });
}

/**
 * Cross-correlation over symbols: [[a, b, c], …] with [[α, β], [γ, δ]] gives "aα + bβ + dγ + eδ", …;
 * padding taps are zero and drop out — 04-convolution-by-hand.
 */
export function symbolicCorrelate2d(
  input: string[][],
  kernel: string[][],
  options: Conv2dOptions = {},
): { output: string[][]; latex: string } {
  const fn = "conv.symbolicCorrelate2d";
  const X = symbols(fn, "input", input);
  const K = symbols(fn, "kernel", kernel);
  knownOptions(fn, options, ["stride", "padding", "dilation"]);
  const g = geometry(fn, [X.length, X[0].length], [K.length, K[0].length], options);
  const text: string[][] = [];
  const tex: string[][] = [];
  for (let i = 0; i < g.outH; i++) {
    const row: string[] = [];
    const texRow: string[] = [];
    for (let j = 0; j < g.outW; j++) {
      const terms: string[] = [];
      const texTerms: string[] = [];
      for (let u = 0; u < g.kH; u++) {
        for (let v = 0; v < g.kW; v++) {
          const r = i * g.strideH + u * g.dilationH - g.padding.top;
          const c = j * g.strideW + v * g.dilationW - g.padding.left;
          if (r < 0 || r >= g.inH || c < 0 || c >= g.inW) continue;
          const [x, w] = [X[r][c], K[u][v]];
          const short = Array.from(x).length === 1 && Array.from(w).length === 1;
          terms.push(short ? `${x}${w}` : `${x}·${w}`);
          texTerms.push(short ? `${latexSymbol(x)} ${latexSymbol(w)}` : `${latexSymbol(x)} \\cdot ${latexSymbol(w)}`);
        }
      }
      row.push(terms.length ? terms.join(" + ") : "0");
      texRow.push(texTerms.length ? texTerms.join(" + ") : "0");
    }
    text.push(row);
    tex.push(texRow);
  }
  return { output: text, latex: latexMatrix(tex, "bmatrix") };
}

// ---------------------------------------------------------------------------------------------
// The frame-by-frame walk (lecture 004's "convolution process" slides)
// ---------------------------------------------------------------------------------------------

/** One frame of the walk: the kernel's window on the padded input, the output cell it fills, its working. */
export interface WalkStep {
  window: { row: number; col: number; rows: number; cols: number };
  cell: { row: number; col: number };
  text: string;
}

/** The frames of a convolution, row by row: the padded input, the kernel, the output and one step per output cell (data for a slider) — 04-convolution-by-hand. */
export function convolutionWalk(
  explanation: Explanation,
  text: "working" | "sum" | "terms" = "working",
): { input: Matrix; kernel: Matrix; output: Matrix; steps: WalkStep[] } {
  const fn = "conv.convolutionWalk";
  const ok = readable(
    fn,
    "explanation",
    explanation,
    "an explanation from conv.explain",
    () =>
      typeof explanation === "object" &&
      explanation !== null &&
      Array.isArray(explanation.cells) &&
      typeof explanation.geometry === "object",
  );
  if (!ok) throw new Error(`${fn}: explanation must come from explainCorrelate2d, got ${formatValue(explanation)}`);
  if (text !== "working" && text !== "sum" && text !== "terms")
    throw new Error(`${fn}: text must be 'working', 'sum' or 'terms', got ${formatValue(text)}`);
  const g = explanation.geometry;
  const rows = g.dilationH * (g.kH - 1) + 1;
  const cols = g.dilationW * (g.kW - 1) + 1;
  const steps = explanation.cells.flat().map((c) => ({
    window: { row: c.row * g.strideH, col: c.col * g.strideW, rows, cols },
    cell: { row: c.row, col: c.col },
    text: c[text],
  }));
  return { input: pad2d(explanation.input, g.padding), kernel: explanation.kernel, output: explanation.output, steps };
}

/** A nested array of numbers, of any depth. */
type NestedNumbers = number | NestedNumbers[];

/**
 * Cut numbers to `digits` decimals without rounding, as lecture 003's slides do (7/9 = 0.777… is printed 0.77,
 * −1/9 is −0.11) — 07-pooling-relu-x-vs-o.
 */
export function truncateDecimals(values: number, digits?: number): number;
export function truncateDecimals(values: number[], digits?: number): number[];
export function truncateDecimals(values: number[][], digits?: number): number[][];
export function truncateDecimals(values: number[][][], digits?: number): number[][][];
export function truncateDecimals(values: NestedNumbers, digits = 2): NestedNumbers {
  const fn = "conv.truncateDecimals";
  if (!Number.isInteger(digits) || digits < 0 || digits > 10)
    throw new Error(`${fn}: digits must be an integer from 0 to 10, got ${formatValue(digits)}`);
  const scale = 10 ** digits;
  const cut = (v: unknown, where: string): NestedNumbers => {
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new Error(`${fn}: values${where} must be a finite number, got ${formatValue(v)}`);
      // The tiny nudge keeps 0.29 (stored as 0.28999…) at 0.29.
      const t = Math.trunc(v * scale + Math.sign(v) * 1e-9) / scale;
      return t === 0 ? 0 : t;
    }
    if (!Array.isArray(v)) throw new Error(`${fn}: values${where} must be a number or an array, got ${formatValue(v)}`);
    return v.map((e: unknown, i) => cut(e, `${where}[${i}]`));
  };
  return cut(values, "");
}
