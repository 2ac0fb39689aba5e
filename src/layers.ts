// Layer specs, shape propagation and parameter counting (lectures 001, 002, 003, 004).
// A model is a plain list of layer objects; `propagateShapes` walks it with the output-size formula of
// conv.ts, `countParams` writes each count as the slides do ("6 × 1 × 5 × 5 + 6 = 156").
import { describe as formatValue, fail, finite, knownOptions, readable } from "./args";
import { axisWorking } from "./geometry";
import type { MimeBundle } from "./display";
import type { ActivationName } from "./activations";
import { escapeHtml } from "./html";

/** Nonlinearities a layer may apply after its weighted sum. */
export type LayerActivation = Exclude<ActivationName, "sign"> | "softmax";
/** 'valid': no padding; 'same': pad so that output = ⌈input / stride⌉; a number p: p zeros on every side; [p_rows, p_cols]: per axis. */
export type LayerPadding = "valid" | "same" | number | [number, number];
/** A size given once for both axes (5 → 5×5) or per axis ([rows, cols]). */
export type LayerSize = number | [number, number];

export interface InputSpec {
  kind: "input";
  shape: number[];
  name?: string;
}
export interface Conv2dSpec {
  kind: "conv2d";
  filters: number;
  kernel: LayerSize;
  stride?: LayerSize;
  padding?: LayerPadding;
  bias?: boolean;
  activation?: LayerActivation;
  name?: string;
}
export interface PoolSpec {
  kind: "pool";
  mode: "max" | "avg";
  size: LayerSize;
  stride?: LayerSize;
  padding?: "valid" | "same";
  name?: string;
}
export interface FlattenSpec {
  kind: "flatten";
  name?: string;
}
export interface DenseSpec {
  kind: "dense";
  units: number;
  bias?: boolean;
  activation?: LayerActivation;
  name?: string;
}
export interface ActivationSpec {
  kind: "activation";
  activation: LayerActivation;
  name?: string;
}
export interface DropoutSpec {
  kind: "dropout";
  rate: number;
  name?: string;
}
export interface ReshapeSpec {
  kind: "reshape";
  shape: number[];
  name?: string;
}

/** One layer of a model, as a plain object. */
export type LayerSpec = InputSpec | Conv2dSpec | PoolSpec | FlattenSpec | DenseSpec | ActivationSpec | DropoutSpec | ReshapeSpec;

/** A model: a name and its layers, the first of which is an input layer. */
export interface ModelSpec {
  name: string;
  layers: LayerSpec[];
}

/** A shape without the batch axis: [height, width, channels] for maps, [n] for vectors. */
export type LayerShape = number[];

// ---------------------------------------------------------------- small constructors

/** The input layer: the shape of one example, e.g. [32, 32, 1] — 08-lenet-parameters. */
export function inputLayer(shape: number[], name?: string): InputSpec {
  return checked("layers.input", "shape", shape, () => ({ kind: "input", shape, ...(name !== undefined ? { name } : {}) }));
}
/** A 2-D convolution layer: `filters` kernels of size `kernel` — 08-lenet-parameters. */
export function convLayer(options: Omit<Conv2dSpec, "kind">): Conv2dSpec {
  return checked("layers.conv", "options", options, () => {
    knownOptions("layers.conv", options, SPEC_KEYS.conv2d, { required: true });
    return { kind: "conv2d", ...options };
  });
}
/** A max or average pooling layer; stride defaults to the window size — 08-lenet-parameters. */
export function poolLayer(options: Omit<PoolSpec, "kind">): PoolSpec {
  return checked("layers.pool", "options", options, () => {
    knownOptions("layers.pool", options, SPEC_KEYS.pool, { required: true });
    return { kind: "pool", ...options };
  });
}
/** Flatten a feature map into a vector — 08-lenet-parameters. */
export function flattenLayer(name?: string): FlattenSpec {
  return checked("layers.flatten", "name", name, () => ({ kind: "flatten", ...(name !== undefined ? { name } : {}) }));
}
/** A fully-connected (dense) layer of `units` neurons — 08-lenet-parameters. */
export function denseLayer(options: Omit<DenseSpec, "kind">): DenseSpec {
  return checked("layers.dense", "options", options, () => {
    knownOptions("layers.dense", options, SPEC_KEYS.dense, { required: true });
    return { kind: "dense", ...options };
  });
}
/** A separate activation layer — 08-lenet-parameters. */
export function activationLayer(fn: LayerActivation, name?: string): ActivationSpec {
  return checked("layers.activation", "fn", fn, () => ({ kind: "activation", activation: fn, ...(name !== undefined ? { name } : {}) }));
}
/** Dropout: no parameters, shape unchanged — 08-lenet-parameters. */
export function dropoutLayer(rate: number, name?: string): DropoutSpec {
  return checked("layers.dropout", "rate", rate, () => ({ kind: "dropout", rate, ...(name !== undefined ? { name } : {}) }));
}
/** Reshape to `shape` (same number of values) — 08-lenet-parameters. */
export function reshapeLayer(shape: number[], name?: string): ReshapeSpec {
  return checked("layers.reshape", "shape", shape, () => ({ kind: "reshape", shape, ...(name !== undefined ? { name } : {}) }));
}

// ---------------------------------------------------------------- formatting helpers

/** A count with thousands separators, 61706 → "61,706" — 08-lenet-parameters. */
export function formatCount(n: number): string {
  return finite("layers.formatCount", "n", n).toLocaleString("en-US");
}
/** A shape as the slides write it, [28, 28, 6] → "28×28×6" — 08-lenet-parameters. */
export function formatShape(shape: LayerShape): string {
  return readable("layers.formatShape", "shape", shape, "a shape (a list of sizes)", () => {
    if (!Array.isArray(shape) || shape.length > 16 || !shape.every((n) => n === null || Number.isInteger(n)))
      fail("layers.formatShape", "shape", "a list of sizes", shape);
    return shape.join("×");
  });
}
function pair(s: LayerSize): [number, number] {
  return typeof s === "number" ? [s, s] : s;
}
function product(xs: number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}

// ---------------------------------------------------------------- checking a layer

function positive(where: string, arg: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new Error(`${where}: ${arg} must be a positive integer, got ${formatValue(value)}`);
  }
}
function positiveSize(where: string, arg: string, value: LayerSize | undefined): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    if (value.length !== 2) throw new Error(`${where}: ${arg} must be a number or [rows, cols], got [${value.join(", ")}]`);
    value.forEach((v) => positive(where, arg, v));
  } else positive(where, arg, value);
}
function positiveShape(where: string, arg: string, shape: unknown): void {
  if (!Array.isArray(shape) || shape.length === 0)
    throw new Error(`${where}: ${arg} must be a non-empty list of sizes, got ${formatValue(shape)}`);
  for (const v of shape) {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      throw new Error(`${where}: ${arg} sizes must be positive integers, got [${shape.join(", ")}]`);
    }
  }
}
const activations: LayerActivation[] = ["linear", "relu", "tanh", "sigmoid", "softmax"];
function checkActivation(where: string, a: LayerActivation | undefined): void {
  if (a !== undefined && !activations.includes(a))
    throw new Error(`${where}: activation must be one of ${activations.join(", ")}, got ${formatValue(a)}`);
}
function explicitPadding(where: string, padding: LayerPadding): [number, number] | null {
  if (padding === "valid" || padding === "same") return null;
  const p = pair(padding);
  if (p.length !== 2 || p.some((v) => typeof v !== "number" || !Number.isInteger(v) || v < 0)) {
    throw new Error(`${where}: padding must be 'valid', 'same', or integers ≥ 0, got ${formatValue(padding)}`);
  }
  return p;
}

/** What one layer does to its input: output shape, the working, and the name shown in tables. */
export interface LayerStep {
  index: number;
  name: string;
  layer: LayerSpec;
  inputShape: LayerShape;
  outputShape: LayerShape;
  /** e.g. "28×28×1 → conv 5×5, 6 filters, pad 2 → 28×28×6" */
  working: string;
  /** the output-size formula per spatial axis, e.g. ["⌊(28 + 4 − 5)/1⌋ + 1 = 28", ...] */
  axes: string[];
}

/** Total zero padding on one axis for 'same': output ⌈n/s⌉, as TensorFlow pads. */
function samePadding(n: number, k: number, s: number): number {
  return Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
}

/** Output length and working on one axis, through conv.ts's formula; rejects kernels that do not fit. */
function spatialAxis(
  where: string,
  n: number,
  k: number,
  s: number,
  padding: LayerPadding,
  axisIndex: 0 | 1,
  misfit: string,
): { size: number; working: string } {
  const explicit = explicitPadding(where, padding);
  const total = explicit ? 2 * explicit[axisIndex] : padding === "same" ? samePadding(n, k, s) : 0;
  if (k > n + total) {
    throw new Error(`${where}: ${misfit}`);
  }
  if (explicit && (n + total - k) % s !== 0) {
    throw new Error(
      `${where}: output size (${n} + ${total} − ${k})/${s} + 1 = ${(n + total - k) / s + 1} is not an integer; change the padding or the stride`,
    );
  }
  const before = Math.floor(total / 2);
  return axisWorking(n, k, s, before, total - before);
}

/** The fields each kind of layer may have (besides `kind`): a misspelt one, such as `strides`, is an error. */
const SPEC_KEYS: Record<LayerSpec["kind"], readonly string[]> = {
  input: ["shape", "name"],
  conv2d: ["filters", "kernel", "stride", "padding", "bias", "activation", "name"],
  pool: ["mode", "size", "stride", "padding", "name"],
  flatten: ["name"],
  dense: ["units", "bias", "activation", "name"],
  activation: ["activation", "name"],
  dropout: ["rate", "name"],
  reshape: ["shape", "name"],
};

/** The checks that need no input shape: known fields, positive sizes, known modes and activations. */
function validateLayer(where: string, layer: LayerSpec): void {
  if (typeof layer !== "object" || layer === null) throw new Error(`${where}: a layer must be an object, got ${formatValue(layer)}`);
  const keys = Object.hasOwn(SPEC_KEYS, layer.kind) ? SPEC_KEYS[layer.kind] : undefined;
  if (keys) knownOptions(where, layer, ["kind", ...keys], { arg: `a ${layer.kind} layer` });
  switch (layer.kind) {
    case "input":
      return positiveShape(where, "shape", layer.shape);
    case "conv2d":
      positive(where, "filters", layer.filters);
      positiveSize(where, "kernel", layer.kernel);
      positiveSize(where, "stride", layer.stride);
      if (layer.padding !== undefined) explicitPadding(where, layer.padding);
      return checkActivation(where, layer.activation);
    case "pool":
      if (layer.mode !== "max" && layer.mode !== "avg")
        throw new Error(`${where}: mode must be 'max' or 'avg', got ${formatValue(layer.mode)}`);
      positiveSize(where, "size", layer.size);
      positiveSize(where, "stride", layer.stride);
      if (layer.padding !== undefined && layer.padding !== "valid" && layer.padding !== "same") {
        throw new Error(`${where}: pooling padding must be 'valid' or 'same', got ${formatValue(layer.padding)}`);
      }
      return;
    case "flatten":
      return;
    case "dense":
      positive(where, "units", layer.units);
      return checkActivation(where, layer.activation);
    case "activation":
      if (layer.activation === undefined) throw new Error(`${where}: activation must be one of ${activations.join(", ")}, got undefined`);
      return checkActivation(where, layer.activation);
    case "dropout":
      if (typeof layer.rate !== "number" || !(layer.rate >= 0 && layer.rate < 1))
        throw new Error(`${where}: rate must be in [0, 1), got ${formatValue(layer.rate)}`);
      return;
    case "reshape":
      return positiveShape(where, "shape", layer.shape);
    default: {
      const unknownLayer: never = layer;
      throw new Error(`${where}: unknown layer ${formatValue(unknownLayer)}`);
    }
  }
}

/** Validate a freshly made layer, so a constructor rejects bad sizes at once. */
/** The layer `make` builds from `given` (the builder's argument `arg`), checked; a value that cannot be read is an error naming `arg`. */
function checked<T extends LayerSpec>(fn: string, arg: string, given: unknown, make: () => T): T {
  return readable(fn, arg, given, "a layer's settings", () => {
    const layer = make();
    if (layer.name !== undefined && typeof layer.name !== "string") fail(fn, "name", "a string", layer.name);
    validateLayer(fn, layer);
    return layer;
  });
}

function layerName(layer: LayerSpec, index: number): string {
  return layer.name ?? `${layer.kind}${index}`;
}

/** One step of shape propagation: the output shape of `layer` on an input of `shape`. */
function step(fn: string, layer: LayerSpec, index: number, shape: LayerShape): LayerStep {
  const name = layerName(layer, index);
  const where = `${fn}: layer ${index} (${layer.kind} '${name}')`;
  const from = formatShape(shape);
  const make = (outputShape: LayerShape, what: string, axes: string[] = []): LayerStep => ({
    index,
    name,
    layer,
    inputShape: shape,
    outputShape,
    working: `${from} → ${what} → ${formatShape(outputShape)}`,
    axes,
  });
  validateLayer(where, layer);
  switch (layer.kind) {
    case "input":
      throw new Error(`${where}: an input layer may only come first`);
    case "conv2d":
    case "pool": {
      const [kh, kw] = pair(layer.kind === "conv2d" ? layer.kernel : layer.size);
      const [sh, sw] = pair(layer.stride ?? (layer.kind === "conv2d" ? 1 : layer.size));
      const padding: LayerPadding = layer.padding ?? "valid";
      if (shape.length !== 3) throw new Error(`${where}: needs a feature map h×w×c, got ${from}`);
      const [h, w, c] = shape;
      const pad =
        typeof padding === "number"
          ? `${padding}`
          : Array.isArray(padding)
            ? `${padding[0]}×${padding[1]}`
            : padding === "same"
              ? "'same'"
              : "0";
      const padText = pad === "0" ? "" : padding === "same" ? ", 'same'" : `, pad ${pad}`;
      const misfit = `${layer.kind === "conv2d" ? "kernel" : "window"} ${kh}×${kw} does not fit the ${h}×${w} feature map with padding ${pad}`;
      const rows = spatialAxis(where, h, kh, sh, padding, 0, misfit);
      const cols = spatialAxis(where, w, kw, sw, padding, 1, misfit);
      const strideText = sh === 1 && sw === 1 && layer.kind === "conv2d" ? "" : `, stride ${sh === sw ? sh : `${sh}×${sw}`}`;
      if (layer.kind === "conv2d") {
        return make([rows.size, cols.size, layer.filters], `conv ${kh}×${kw}, ${layer.filters} filters${strideText}${padText}`, [
          rows.working,
          cols.working,
        ]);
      }
      return make([rows.size, cols.size, c], `${layer.mode} pool ${kh}×${kw}${strideText}${padText}`, [rows.working, cols.working]);
    }
    case "flatten":
      return make([product(shape)], "flatten");
    case "dense":
      if (shape.length !== 1) throw new Error(`${where}: a dense layer needs a flat input, got ${from}; add flattenLayer() before it`);
      return make([layer.units], `dense ${layer.units}`);
    case "activation":
      return make(shape, layer.activation);
    case "dropout":
      return make(shape, `dropout ${layer.rate}`);
    case "reshape":
      if (product(layer.shape) !== product(shape)) {
        throw new Error(
          `${where}: cannot reshape ${from} (${product(shape)} values) to ${formatShape(layer.shape)} (${product(layer.shape)} values)`,
        );
      }
      return make([...layer.shape], `reshape`);
  }
}

function checkModel(fn: string, model: ModelSpec): InputSpec {
  return readable(fn, "model", model, "a model { name, layers }", () => readModel(fn, model));
}

function readModel(fn: string, model: ModelSpec): InputSpec {
  if (
    typeof model !== "object" ||
    model === null ||
    !Array.isArray(model.layers) ||
    model.layers.length === 0 ||
    model.layers.length > 1000
  ) {
    throw new Error(`${fn}: model must be { name, layers: [inputLayer(...), ...] }, got ${formatValue(model)}`);
  }
  const first = model.layers[0];
  if (first.kind !== "input") throw new Error(`${fn}: layer 0 must be an input layer, got ${first.kind}`);
  positiveShape(`${fn}: layer 0 (input)`, "shape", first.shape);
  return first;
}

/** Walk a model's layers, giving every output shape with its working — 08-lenet-parameters. */
export function propagateShapes(model: ModelSpec): LayerStep[] {
  return walkShapes("layers.propagateShapes", model);
}

/** propagateShapes with errors named after the public function `fn` (models.toTfModel uses it). */
export function walkShapes(fn: string, model: ModelSpec): LayerStep[] {
  const first = checkModel(fn, model);
  const steps: LayerStep[] = [];
  let shape: LayerShape = [...first.shape];
  model.layers.forEach((layer, index) => {
    if (index === 0) return;
    const s = readable(fn, `model.layers[${index}]`, layer, "a layer spec", () => step(fn, layer, index, shape));
    steps.push(s);
    shape = s.outputShape;
  });
  return steps;
}

/** The output shape of a whole model — 08-lenet-parameters. */
export function modelOutputShape(model: ModelSpec): LayerShape {
  const steps = walkShapes("layers.outputShape", model);
  return steps.length === 0 ? [...checkModel("layers.outputShape", model).shape] : steps[steps.length - 1].outputShape;
}

// ---------------------------------------------------------------- counting parameters

/** A layer's parameter count split into weights and biases, with the slides' formula. */
export interface ParamCount {
  weights: number;
  biases: number;
  total: number;
  formula: string;
}

/** Parameters of `layer` on an input of `inputShape`, e.g. "6 × 1 × 5 × 5 + 6 = 156" — 08-lenet-parameters. */
export function layerParams(layer: LayerSpec, inputShape: LayerShape): ParamCount {
  return readable("layers.params", "layer", layer, "a layer spec", () => paramsOf(layer, inputShape));
}

function paramsOf(layer: LayerSpec, inputShape: LayerShape): ParamCount {
  positiveShape("layers.params", "inputShape", inputShape);
  step("layers.params", layer, 1, inputShape); // rejects layers that do not fit the input
  if (layer.kind === "conv2d") {
    const [kh, kw] = pair(layer.kernel);
    const c = inputShape[2];
    const weights = layer.filters * c * kh * kw;
    const biases = layer.bias === false ? 0 : layer.filters;
    const terms = `${layer.filters} × ${c} × ${kh} × ${kw}` + (biases ? ` + ${biases}` : "");
    return { weights, biases, total: weights + biases, formula: `${terms} = ${formatCount(weights + biases)}` };
  }
  if (layer.kind === "dense") {
    const n = inputShape[0];
    const weights = n * layer.units;
    const biases = layer.bias === false ? 0 : layer.units;
    const terms = `${n} × ${layer.units}` + (biases ? ` + ${biases}` : "");
    return { weights, biases, total: weights + biases, formula: `${terms} = ${formatCount(weights + biases)}` };
  }
  return { weights: 0, biases: 0, total: 0, formula: "0" };
}

/** One row of a summary table, like a line of Keras' model.summary(). */
export interface SummaryRow extends ParamCount {
  index: number;
  name: string;
  type: string;
  inputShape: LayerShape;
  outputShape: LayerShape;
  working: string;
  axes: string[];
}
/** A model's summary: one row per layer after the input, and the totals. */
export interface ModelSummary {
  name: string;
  inputShape: LayerShape;
  rows: SummaryRow[];
  totalParams: number;
  totalWeights: number;
  totalBiases: number;
}

/** Shapes and parameter counts of every layer, with totals, as data — 08-lenet-parameters. */
export function modelSummary(model: ModelSpec): ModelSummary {
  return summaryOf("layers.summary", model);
}

function summaryOf(fn: string, model: ModelSpec): ModelSummary {
  const first = checkModel(fn, model);
  const rows = walkShapes(fn, model).map((s): SummaryRow => {
    const type = s.layer.kind === "pool" ? `${s.layer.mode}pool` : s.layer.kind;
    return { ...s, type, ...paramsOf(s.layer, s.inputShape) };
  });
  const sum = (key: "total" | "weights" | "biases") => rows.reduce((a, r) => a + r[key], 0);
  return {
    name: model.name,
    inputShape: [...first.shape],
    rows,
    totalParams: sum("total"),
    totalWeights: sum("weights"),
    totalBiases: sum("biases"),
  };
}

/** Totals of a model: the number a Keras or tfjs countParams() reports — 01-why-deep. */
export function countParams(model: ModelSpec): number {
  return summaryOf("layers.countParams", model).totalParams;
}

/** The summary as a plain-text table (layer, output shape, parameters, formula) — 08-lenet-parameters. */
/** A summary made by layers.summary (or a model spec, summarised first). */
function summaryArg(fn: string, x: ModelSpec | ModelSummary): ModelSummary {
  const isSummary = readable(
    fn,
    "model",
    x,
    "a model or its summary",
    () => typeof x === "object" && x !== null && "rows" in x && Array.isArray(x.rows) && "totalParams" in x,
  );
  if (isSummary && "rows" in x) return x;
  if (typeof x === "object" && x !== null && "layers" in x) return summaryOf(fn, x);
  return fail(fn, "model", "a model { name, layers } or its summary (layers.summary)", x);
}

export function summaryText(s: ModelSummary): string {
  s = summaryArg("layers.summaryText", s);
  const head = ["layer (type)", "output shape", "param #", "formula"];
  const body = s.rows.map((r) => [`${r.name} (${r.type})`, formatShape(r.outputShape), formatCount(r.total), r.total ? r.formula : ""]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  const rule = "─".repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [
    `Model: ${s.name} (input ${formatShape(s.inputShape)})`,
    rule,
    line(head),
    rule,
    ...body.map(line),
    rule,
    `Total params: ${formatCount(s.totalParams)} (weights ${formatCount(s.totalWeights)}, biases ${formatCount(s.totalBiases)})`,
  ].join("\n");
}

/** The summary as an HTML table — 08-lenet-parameters. */
export function summaryHtml(s: ModelSummary): string {
  s = summaryArg("layers.summaryHtml", s);
  const cell = (tag: "td" | "th", text: string, right = false) =>
    `<${tag}${right ? ' style="text-align:right"' : ""}>${escapeHtml(text)}</${tag}>`;
  const head = `<tr>${cell("th", "layer (type)")}${cell("th", "output shape")}${cell("th", "param #", true)}${cell("th", "formula")}</tr>`;
  const body = s.rows.map(
    (r) =>
      `<tr>${cell("td", `${r.name} (${r.type})`)}${cell("td", formatShape(r.outputShape))}${cell("td", formatCount(r.total), true)}${cell("td", r.total ? r.formula : "")}</tr>`,
  );
  const foot = `<tr><th colspan="2">Total params</th>${cell("th", formatCount(s.totalParams), true)}${cell("th", `weights ${formatCount(s.totalWeights)}, biases ${formatCount(s.totalBiases)}`)}</tr>`;
  return `<table><caption>${escapeHtml(`${s.name} — input ${formatShape(s.inputShape)}`)}</caption><thead>${head}</thead><tbody>${body.join("")}</tbody><tfoot>${foot}</tfoot></table>`;
}

/** The summary as a MIME bundle for dl.display: HTML table plus text — 08-lenet-parameters. */
export function summaryBundle(model: ModelSpec | ModelSummary): MimeBundle {
  const s = summaryArg("layers.summaryBundle", model);
  return { "text/html": summaryHtml(s), "text/plain": summaryText(s) };
}

/** Layer names and parameter counts of the layers that have parameters, for a bar chart — 08-lenet-parameters. */
export function paramsChartData(model: ModelSpec | ModelSummary): { labels: string[]; values: number[] } {
  const rows = summaryArg("layers.paramsChartData", model).rows.filter((r) => r.total > 0);
  return { labels: rows.map((r) => r.name), values: rows.map((r) => r.total) };
}

// ---------------------------------------------------------------- FC vs conv

/** Options of the FC-vs-conv comparison: an input map and the conv layer that maps it. */
export interface CompareOptions {
  input: LayerShape;
  filters: number;
  kernel: LayerSize;
  stride?: LayerSize;
  padding?: LayerPadding;
  bias?: boolean;
}
/** Weights needed to map the same input to the same output three ways. */
export interface Comparison {
  inputShape: LayerShape;
  outputShape: LayerShape;
  /** every output value connected to every input value */
  fullyConnected: { weights: number; formula: string };
  /** each output value sees only its window, but every position has its own kernel (no sharing) */
  locallyConnected: { weights: number; formula: string };
  /** one kernel per filter, shared by every position */
  convolution: { weights: number; formula: string };
}

/** The same input mapped by a fully-connected layer vs a conv layer, with and without weight sharing — 01-why-deep. */
export function compareFcConv(options: CompareOptions): Comparison {
  knownOptions("layers.compareFcConv", options, ["input", "filters", "kernel", "stride", "padding", "bias"], { required: true });
  positiveShape("layers.compareFcConv", "input", options.input);
  if (options.input.length !== 3) throw new Error(`layers.compareFcConv: input must be h×w×c, got ${formatShape(options.input)}`);
  const layer = convLayer({
    filters: options.filters,
    kernel: options.kernel,
    stride: options.stride,
    padding: options.padding,
    bias: options.bias ?? false,
  });
  const out = step("layers.compareFcConv", layer, 1, options.input).outputShape;
  const [kh, kw] = pair(options.kernel);
  const c = options.input[2];
  const conv = layerParams(layer, options.input);
  const nIn = product(options.input);
  const nOut = product(out);
  const positions = out[0] * out[1];
  const b = conv.biases;
  const biasFc = b ? ` + ${formatCount(nOut)}` : "";
  const biasLocal = b ? ` + ${formatCount(nOut)}` : "";
  return {
    inputShape: [...options.input],
    outputShape: out,
    fullyConnected: {
      weights: nIn * nOut + (b ? nOut : 0),
      formula: `(${options.input.join(" × ")}) × (${out.join(" × ")})${biasFc} = ${formatCount(nIn * nOut + (b ? nOut : 0))}`,
    },
    locallyConnected: {
      weights: positions * conv.weights + (b ? nOut : 0),
      formula: `${out[0]} × ${out[1]} positions × ${options.filters} × ${c} × ${kh} × ${kw}${biasLocal} = ${formatCount(positions * conv.weights + (b ? nOut : 0))}`,
    },
    convolution: { weights: conv.total, formula: conv.formula },
  };
}
