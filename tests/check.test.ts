// Self-checks: ✔ / ✘ lines on stdout, a CheckError on failure, never anything on stderr.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { check, CheckError, checkThrows, checkTrue } from "../src/check";

let out: string[] = [];
let err: string[] = [];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  expect(err).toEqual([]);
});

describe("check", () => {
  it("passes equal numbers within tolerance and prints ✔", () => {
    expect(check("sum", 0.1 + 0.2, 0.3)).toBeUndefined();
    expect(out).toEqual(["✔ sum\n"]);
  });

  it("fails with expected, got and the hint, and throws CheckError", () => {
    expect(() => check("conv output", 5, 4, { hint: "use the formula" })).toThrow(CheckError);
    expect(out).toEqual(["✘ conv output: expected 4, got 5 — hint: use the formula\n"]);
  });

  it("reports a shape mismatch of matrices", () => {
    expect(() =>
      check(
        "conv output size",
        [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ],
        [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
          [0, 0, 0],
        ],
      ),
    ).toThrow("conv output size: expected shape 4×3, got 3×3");
  });

  it("reports the first differing element with its index", () => {
    expect(() =>
      check(
        "Y",
        [
          [1, 2],
          [3, 5],
        ],
        [
          [1, 2],
          [3, 4],
        ],
      ),
    ).toThrow("Y: expected 4 at [1][1], got 5");
  });

  it("compares typed arrays and ragged arrays", () => {
    expect(check("typed", new Float32Array([0.5, 0.25]), [0.5, 0.25])).toBeUndefined();
    expect(() =>
      check(
        "ragged",
        [[1], [2, 3]],
        [
          [1, 1],
          [2, 3],
        ],
      ),
    ).toThrow("got a ragged array");
  });

  it("respects atol", () => {
    expect(check("rough", 0.77, 7 / 9, { atol: 0.01 })).toBeUndefined();
    expect(() => check("exact", 0.77, 7 / 9)).toThrow(CheckError);
  });

  it("compares objects field by field and strings exactly", () => {
    expect(check("obj", { h: 4, w: 3, extra: 1 }, { h: 4, w: 3 })).toBeUndefined();
    expect(() => check("obj", { h: 4, w: 2 }, { h: 4, w: 3 })).toThrow("obj: expected 3 at w, got 2");
    expect(() => check("str", "abc", "abd")).toThrow('str: expected "abd", got "abc"');
  });

  it("says when a Promise was passed", () => {
    expect(() => check("async", Promise.resolve(1), 1)).toThrow("did you forget `await`");
  });

  it("rejects a bad name or tolerance naming the function and argument", () => {
    expect(() => check("", 1, 1)).toThrow("check: name must be a non-empty string");
    expect(() => check("x", 1, 1, { atol: -1 })).toThrow("check: atol must be a finite number ≥ 0, got -1");
  });
});

describe("checkTrue and checkThrows", () => {
  it("checkTrue prints ✔ or fails", () => {
    expect(checkTrue("positive", 3 > 0)).toBeUndefined();
    expect(() => checkTrue("negative", false, { hint: "look at the sign" })).toThrow(
      "negative: the condition is false — hint: look at the sign",
    );
  });

  it("checkThrows needs an error with the message part", () => {
    expect(
      checkThrows(
        "throws",
        () => {
          throw new Error("stride must be positive");
        },
        "stride",
      ),
    ).toBeUndefined();
    expect(() => checkThrows("quiet", () => 1)).toThrow("expected an error, but nothing was thrown");
    expect(() =>
      checkThrows(
        "wrong",
        () => {
          throw new Error("other");
        },
        "stride",
      ),
    ).toThrow('expected an error mentioning "stride"');
  });
});
