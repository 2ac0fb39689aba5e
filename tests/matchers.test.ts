// The shared matcher itself: it passes within tolerance and fails outside it, on shape and on NaN.
import { describe, expect, it } from "vitest";
import { allcloseMismatch } from "./matchers";

describe("toBeAllclose", () => {
  it("passes for values within atol + rtol·|expected|, nested or typed", () => {
    expect([
      [1, 2],
      [3, 4 + 1e-9],
    ]).toBeAllclose([
      [1, 2],
      [3, 4],
    ]);
    expect(new Float32Array([0.1, 0.2])).toBeAllclose([0.1, 0.2], { atol: 1e-7 });
    expect(100.001).toBeAllclose(100, { atol: 0, rtol: 1e-4 });
  });

  it("fails, naming the place, when a value, a length or a NaN differs", () => {
    expect(
      allcloseMismatch(
        [
          [1, 2],
          [3, 5],
        ],
        [
          [1, 2],
          [3, 4],
        ],
        1e-8,
        1e-5,
      ),
    ).toMatch(/^at \[1\]\[1\]: 5 is not close to 4/);
    expect(allcloseMismatch([1, 2], [1, 2, 3], 0, 0)).toBe("length at top: 2 vs 3");
    expect(allcloseMismatch([NaN], [1], 1, 1)).toMatch(/NaN/);
    expect(allcloseMismatch(1.1, 1, 0.05, 0)).toMatch(/not close/);
    expect(() => expect([1, 2]).toBeAllclose([1, 3])).toThrow("expected all close: at [1]: 2 is not close to 3");
  });
});
