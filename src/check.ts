// Self-checks for exercise test cells: one line per check on stdout, a failed check throws.
import { knownOptions } from "./args";

/** Options of `check`: tolerances for numbers and a hint printed when the check fails. */
export interface CheckOptions {
  /** Absolute tolerance for numbers (default 1e-6). */
  atol?: number;
  /** Relative tolerance for numbers (default 1e-6). */
  rtol?: number;
  /** Printed after a failure, to point the student in the right direction. */
  hint?: string;
}

/** The error a failed self-check throws; a test cell that hits it fails in Jupyter. */
export class CheckError extends Error {
  override name = "CheckError";
}

type Mismatch = string | null;

function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

/** Shape of a nested array, or null when it is ragged. */
function shapeOf(x: unknown): number[] | null {
  if (!isArrayLike(x)) return [];
  const n = x.length;
  if (n === 0) return [0];
  const inner = shapeOf(x[0]);
  if (inner === null) return null;
  for (let i = 1; i < n; i++) {
    const s = shapeOf(x[i]);
    if (s === null || s.join() !== inner.join()) return null;
  }
  return [n, ...inner];
}

function formatShape(shape: number[]): string {
  return shape.length === 0 ? "a scalar" : shape.join("×");
}

/** Short readable form of a value for a check line (bounded: circular or hostile values cannot break it). */
export function formatValue(x: unknown, depth = 0): string {
  let s: string;
  try {
    if (typeof x === "number") s = Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6)));
    else if (typeof x === "string") s = JSON.stringify(x);
    else if (depth > 8) s = "...";
    else if (isArrayLike(x))
      s =
        "[" +
        Array.from({ length: Math.min(x.length, 60) }, (_, i) => formatValue(x[i], depth + 1)).join(", ") +
        (x.length > 60 ? ", ..." : "") +
        "]";
    else if (x instanceof Error) s = `${x.name}: ${x.message}`;
    else if (typeof x === "object" && x !== null) {
      s =
        "{" +
        Object.entries(x)
          .slice(0, 20)
          .map(([k, v]) => `${k}: ${formatValue(v, depth + 1)}`)
          .join(", ") +
        "}";
    } else s = String(x);
  } catch {
    s = "a value that cannot be read";
  }
  return s.length > 160 ? s.slice(0, 157) + "..." : s;
}

function compare(actual: unknown, expected: unknown, atol: number, rtol: number, at: string): Mismatch {
  const where = at ? ` at ${at}` : "";
  if (typeof expected === "number") {
    if (typeof actual !== "number") return `expected the number ${formatValue(expected)}${where}, got ${formatValue(actual)}`;
    if (Number.isNaN(expected) && Number.isNaN(actual)) return null;
    const ok = Math.abs(actual - expected) <= atol + rtol * Math.abs(expected) || actual === expected;
    return ok ? null : `expected ${formatValue(expected)}${where}, got ${formatValue(actual)}`;
  }
  if (isArrayLike(expected)) {
    if (!isArrayLike(actual)) return `expected an array${where}, got ${formatValue(actual)}`;
    if (at === "") {
      const es = shapeOf(expected);
      const as = shapeOf(actual);
      if (as === null) return `expected shape ${es ? formatShape(es) : "?"}, got a ragged array`;
      if (es !== null && es.join() !== as.join()) {
        return `expected shape ${formatShape(es)}, got ${formatShape(as)}`;
      }
    }
    if (actual.length !== expected.length) {
      return `expected length ${expected.length}${where}, got ${actual.length}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const m = compare(actual[i], expected[i], atol, rtol, at ? `${at}[${i}]` : `[${i}]`);
      if (m) return m;
    }
    return null;
  }
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null) return `expected an object${where}, got ${formatValue(actual)}`;
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!(key in a)) return `expected a field "${key}"${where}`;
      const m = compare(a[key], e[key], atol, rtol, at ? `${at}.${key}` : key);
      if (m) return m;
    }
    return null;
  }
  return actual === expected ? null : `expected ${formatValue(expected)}${where}, got ${formatValue(actual)}`;
}

function report(name: string, mismatch: Mismatch, hint: string | undefined): void {
  if (mismatch === null) {
    process.stdout.write(`✔ ${name}\n`);
    return;
  }
  const line = `${name}: ${mismatch}` + (hint ? ` — hint: ${hint}` : "");
  process.stdout.write(`✘ ${line}\n`);
  throw new CheckError(line);
}

function validName(fn: string, name: unknown): string {
  if (typeof name !== "string" || name.trim() === "") {
    throw new Error(`${fn}: name must be a non-empty string, got ${formatValue(name)}`);
  }
  return name;
}

function validTolerance(fn: string, arg: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new Error(`${fn}: ${arg} must be a finite number ≥ 0, got ${formatValue(value)}`);
  }
  return value;
}

/**
 * Compare `actual` with `expected` (numbers within tolerance, arrays by shape then element,
 * objects by field), print "✔ name" or "✘ name: expected …, got … — hint: …", throw on failure — 00-welcome.
 */
export function check(name: string, actual: unknown, expected: unknown, options: CheckOptions = {}): void {
  validName("check", name);
  knownOptions("check", options, ["atol", "rtol", "hint"]);
  const atol = validTolerance("check", "atol", options.atol, 1e-6);
  const rtol = validTolerance("check", "rtol", options.rtol, 1e-6);
  if (actual instanceof Promise) {
    return report(name, "got a Promise: did you forget `await`?", options.hint);
  }
  return report(name, compare(actual, expected, atol, rtol, ""), options.hint);
}

/** Check that `condition` holds, printing ✔/✘ like `check` — 00-welcome. */
export function checkTrue(name: string, condition: boolean, options: { hint?: string } = {}): void {
  validName("checkTrue", name);
  knownOptions("checkTrue", options, ["hint"]);
  if (typeof condition !== "boolean") {
    throw new Error(`checkTrue: condition must be a boolean, got ${formatValue(condition)}`);
  }
  return report(name, condition ? null : "the condition is false", options.hint);
}

/** Check that `fn()` throws an error whose message contains `messagePart` — 00-welcome. */
export function checkThrows(name: string, fn: () => unknown, messagePart = "", options: { hint?: string } = {}): void {
  validName("checkThrows", name);
  knownOptions("checkThrows", options, ["hint"]);
  if (typeof fn !== "function") throw new Error(`checkThrows: fn must be a function, got ${formatValue(fn)}`);
  try {
    fn();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const ok = message.includes(messagePart);
    return report(name, ok ? null : `expected an error mentioning "${messagePart}", got "${message}"`, options.hint);
  }
  return report(name, "expected an error, but nothing was thrown", options.hint);
}
