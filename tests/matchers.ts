// The suite's shared float comparison: expect(actual).toBeAllclose(expected, { atol, rtol }) compares nested arrays
// or typed arrays of numbers shape first, then element by element: |a − e| ≤ atol + rtol·|e| (numpy's allclose).
// Loaded for every test file by vitest.config.ts (setupFiles).
import { expect } from "vitest";

export interface AllcloseOptions {
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
}

type Nested = number | ArrayLike<unknown>;

function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

/** The first place `actual` and `expected` differ beyond the tolerance, or null. */
export function allcloseMismatch(actual: unknown, expected: unknown, atol: number, rtol: number, at = ""): string | null {
  if (typeof expected === "number") {
    if (typeof actual !== "number") return `expected a number at ${at || "top"}, got ${String(actual)}`;
    if (Number.isNaN(expected) || Number.isNaN(actual))
      return Number.isNaN(expected) && Number.isNaN(actual) ? null : `NaN at ${at || "top"}: ${actual} vs ${expected}`;
    const ok = actual === expected || Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
    return ok
      ? null
      : `at ${at || "top"}: ${actual} is not close to ${expected} (|diff| ${Math.abs(actual - expected)} > ${atol} + ${rtol}·|${expected}|)`;
  }
  if (!isArrayLike(expected)) return `expected must be numbers or arrays of numbers, got ${String(expected)}`;
  if (!isArrayLike(actual)) return `expected an array at ${at || "top"}, got ${String(actual)}`;
  if (actual.length !== expected.length) return `length at ${at || "top"}: ${actual.length} vs ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const m = allcloseMismatch(actual[i], expected[i], atol, rtol, `${at}[${i}]`);
    if (m) return m;
  }
  return null;
}

expect.extend({
  toBeAllclose(received: unknown, expected: Nested, options: AllcloseOptions = {}) {
    const mismatch = allcloseMismatch(received, expected, options.atol ?? 1e-8, options.rtol ?? 1e-5);
    return {
      pass: mismatch === null,
      message: () => (mismatch === null ? "expected the values not to be all close" : `expected all close: ${mismatch}`),
    };
  },
});

declare module "vitest" {
  interface Assertion<T> {
    toBeAllclose(expected: Nested, options?: AllcloseOptions): T;
  }
  interface AsymmetricMatchersContaining {
    toBeAllclose(expected: Nested, options?: AllcloseOptions): void;
  }
}
