// Convolution by hand (lectures 000, 001, 002, 004): output size, stride, padding.

/** One axis of a convolution or pooling: input length n, kernel k, stride s, total padding p, dilation d. */
export interface AxisOptions {
  input: number;
  kernel: number;
  stride?: number;
  /** Total zero padding on this axis (both sides added). */
  padding?: number;
  dilation?: number;
}

function positiveInteger(fn: string, arg: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new Error(`${fn}: ${arg} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function axis(fn: string, o: AxisOptions): { n: number; k: number; s: number; p: number; d: number } {
  if (typeof o !== "object" || o === null) throw new Error(`${fn}: options must be an object, got ${String(o)}`);
  const n = positiveInteger(fn, "input", o.input);
  const k = positiveInteger(fn, "kernel", o.kernel);
  const s = positiveInteger(fn, "stride", o.stride ?? 1);
  const d = positiveInteger(fn, "dilation", o.dilation ?? 1);
  const p = o.padding ?? 0;
  if (typeof p !== "number" || !Number.isInteger(p) || p < 0) {
    throw new Error(`${fn}: padding must be an integer ≥ 0, got ${String(p)}`);
  }
  const span = d * (k - 1) + 1;
  if (span > n + p) {
    throw new Error(`${fn}: kernel ${k}${d > 1 ? ` (dilation ${d})` : ""} does not fit input ${n} with padding ${p}`);
  }
  return { n, k, s, p, d };
}

/** Output length along one axis, ⌊(n + p − d(k − 1) − 1)/s⌋ + 1 (lecture 002) — 04-convolution-by-hand. */
export function outputSize(options: AxisOptions): number {
  const { n, k, s, p, d } = axis("outputSize", options);
  return Math.floor((n + p - d * (k - 1) - 1) / s) + 1;
}

/** The output-size formula with the numbers filled in, e.g. "⌊(2 + 4 − 3)/1⌋ + 1 = 4" — 04-convolution-by-hand. */
export function outputSizeWorking(options: AxisOptions): string {
  const { n, k, s, p, d } = axis("outputSizeWorking", options);
  const kernel = d === 1 ? `${k}` : `${d}·(${k} − 1) − 1`;
  const size = Math.floor((n + p - d * (k - 1) - 1) / s) + 1;
  return `⌊(${n} + ${p} − ${kernel})/${s}⌋ + 1 = ${size}`;
}
