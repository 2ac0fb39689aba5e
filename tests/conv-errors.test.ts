// Bad input never gives a wrong result or an index crash: every random bad call throws an Error
// whose message names the function, the argument and (for option values) the value at fault.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import ndarray from "ndarray";
import { formatValue } from "../src/check";
import { conv2d, conv2dBatch, convolve2d, correlate1d, correlate2d, normalizedFilter, pad2d } from "../src/conv";
import { outputShape, outputSize } from "../src/geometry";
import { explainCorrelate2d, symbolicCorrelate2d } from "../src/explain";
import { maxPool2d, pool2d, poolChannels } from "../src/pool";
import { activate } from "../src/activations";
import { applyKernel, galleryKernel } from "../src/kernels";

/** One bad call: which function, which argument it should blame, the bad value (when it is an option). */
interface BadCall {
  fn: string;
  arg: string;
  value?: unknown;
  call: () => unknown;
}

/** The public name `<group>.<fn>` each error starts with. */
const GROUP: Record<string, string> = {
  pool2d: "pool.pool2d",
  maxPool2d: "pool.maxPool2d",
  poolChannels: "pool.poolChannels",
  activate: "activations.activate",
  galleryKernel: "kernels.entry",
  applyKernel: "kernels.apply",
};
const publicName = (fn: string): string => GROUP[fn] ?? `conv.${fn}`;

function expectNamedError(bad: BadCall): void {
  let error: unknown = null;
  try {
    bad.call();
  } catch (e) {
    error = e;
  }
  expect(error, `${bad.fn} should reject bad ${bad.arg}`).toBeInstanceOf(Error);
  expect(error).not.toBeInstanceOf(TypeError);
  expect(error).not.toBeInstanceOf(RangeError);
  const message = error instanceof Error ? error.message : "";
  expect(message.startsWith(`${publicName(bad.fn)}: `), message).toBe(true);
  expect(message.includes(bad.arg), message).toBe(true);
  if ("value" in bad) expect(message.includes(formatValue(bad.value)), message).toBe(true);
}

const good = [
  [1, 2, 3],
  [4, 5, 6],
  [7, 8, 9],
];
const goodKernel = [
  [1, 0],
  [0, -1],
];

/** Things that are not a non-empty rectangular matrix of finite numbers. */
const badMatrix: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>([], [[]], [[], []], null, undefined, 3, "abc", {}, [1, 2, 3], [[[1]]], [[1, 2], [3]]),
  // ragged: one row of the wrong length
  fc
    .record({ h: fc.integer({ min: 2, max: 5 }), w: fc.integer({ min: 1, max: 5 }), row: fc.nat(), len: fc.integer({ min: 0, max: 6 }) })
    .filter((r) => r.len !== r.w)
    .map((r) => Array.from({ length: r.h }, (_, i) => new Array<number>(i === r.row % r.h ? r.len : r.w).fill(1))),
  // one poisoned entry
  fc
    .record({
      h: fc.integer({ min: 1, max: 5 }),
      w: fc.integer({ min: 1, max: 5 }),
      at: fc.nat(),
      poison: fc.constantFrom<unknown>(NaN, Infinity, -Infinity, "1", null, undefined, [1], {}, true),
    })
    .map((r) => {
      const m: unknown[][] = Array.from({ length: r.h }, () => new Array<unknown>(r.w).fill(0));
      const k = r.at % (r.h * r.w);
      m[Math.floor(k / r.w)][k % r.w] = r.poison;
      return m;
    }),
);

/** Values that are not a positive integer (or [h, w] of them). */
const badStride: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(0, -1, 1.5, NaN, Infinity, "2", null, true, [1], [1, 2, 3], [0, 1], [1, 0.5], {}),
  fc.integer({ min: -50, max: 0 }),
  fc.double({ min: 0.01, max: 10, noNaN: true }).filter((v) => !Number.isInteger(v)),
);

/** Values that are not a padding. */
const badPadding: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    -1,
    1.5,
    NaN,
    "full",
    "SAME",
    null,
    true,
    [1],
    [1, 2, 3],
    [-1, 0],
    { top: 1 },
    { top: 1, bottom: 1, left: 1, right: -1 },
  ),
  fc.integer({ min: -20, max: -1 }),
);

/** Calling with values the types forbid: what a JavaScript user (or a hurried student) may do. */
function loose<T>(value: unknown): T {
  return value as T;
}

const conv2dFns: [string, (x: unknown, k: unknown, o?: unknown) => unknown][] = [
  ["correlate2d", (x, k, o) => correlate2d(loose(x), loose(k), loose(o))],
  ["convolve2d", (x, k, o) => convolve2d(loose(x), loose(k), loose(o))],
  ["explainCorrelate2d", (x, k, o) => explainCorrelate2d(loose(x), loose(k), loose(o))],
];

const badCall: fc.Arbitrary<BadCall> = fc.oneof(
  // bad input or kernel matrices
  fc
    .tuple(fc.constantFrom(...conv2dFns), badMatrix, fc.boolean())
    .map(([[fn, f], m, asKernel]): BadCall =>
      asKernel ? { fn, arg: "kernel", call: () => f(good, m) } : { fn, arg: "input", call: () => f(m, goodKernel) },
    ),
  fc
    .tuple(badMatrix, fc.boolean())
    .map(([m, asFeature]): BadCall =>
      asFeature
        ? { fn: "normalizedFilter", arg: "feature", call: () => normalizedFilter(good, loose(m)) }
        : { fn: "normalizedFilter", arg: "image", call: () => normalizedFilter(loose(m), goodKernel) },
    ),
  badMatrix.map((m): BadCall => ({ fn: "pool2d", arg: "input", call: () => pool2d(loose(m)) })),
  badMatrix.map((m): BadCall => ({ fn: "maxPool2d", arg: "input", call: () => maxPool2d(loose(m)) })),
  badMatrix.map((m): BadCall => ({ fn: "pad2d", arg: "input", call: () => pad2d(loose(m), 1) })),
  // a kernel larger than the padded input
  fc
    .record({
      h: fc.integer({ min: 1, max: 6 }),
      w: fc.integer({ min: 1, max: 6 }),
      extra: fc.integer({ min: 1, max: 3 }),
      p: fc.integer({ min: 0, max: 2 }),
      tall: fc.boolean(),
    })
    .map(({ h, w, extra, p, tall }): BadCall => {
      const x = Array.from({ length: h }, () => new Array<number>(w).fill(1));
      const [kh, kw] = tall ? [h + 2 * p + extra, 1] : [1, w + 2 * p + extra];
      const K = Array.from({ length: kh }, () => new Array<number>(kw).fill(1));
      return {
        fn: "correlate2d",
        arg: `kernel ${kh}×${kw} does not fit input ${h}×${w} with padding ${p}`,
        call: () => correlate2d(x, K, { padding: p }),
      };
    }),
  // bad stride / dilation / padding options
  fc.tuple(fc.constantFrom(...conv2dFns), fc.constantFrom("stride", "dilation"), badStride).map(([[fn, f], arg, v]): BadCall => ({
    fn,
    arg,
    value: Array.isArray(v) ? (v.find((e) => !(Number.isInteger(e) && e > 0)) ?? v) : v,
    call: () => f(good, goodKernel, { [arg]: v }),
  })),
  fc
    .tuple(fc.constantFrom(...conv2dFns), badPadding)
    .map(([[fn, f], v]): BadCall => ({ fn, arg: "padding", call: () => f(good, goodKernel, { padding: v }) })),
  fc
    .constantFrom<unknown>(null, 3, "same")
    .map((o): BadCall => ({ fn: "correlate2d", arg: "options", value: o, call: () => correlate2d(good, goodKernel, loose(o)) })),
  // channels and bias of a layer
  fc
    .record({ c: fc.integer({ min: 1, max: 4 }), kc: fc.integer({ min: 1, max: 4 }) })
    .filter((r) => r.c !== r.kc)
    .map(({ c, kc }): BadCall => {
      const x = Array.from({ length: 3 }, () => Array.from({ length: 3 }, () => new Array<number>(c).fill(1)));
      const bank = Array.from({ length: 2 }, () => Array.from({ length: 2 }, () => Array.from({ length: kc }, () => [1])));
      return { fn: "conv2d", arg: `kernels have ${kc} channels`, call: () => conv2d(x, bank) };
    }),
  fc.constantFrom<unknown>([], [1, 2], [NaN], ["1"], 1, null).map((b): BadCall => {
    const x = [
      [[1], [2]],
      [[3], [4]],
    ];
    const bank = [[[[1]]]];
    return { fn: "conv2d", arg: "bias", call: () => conv2d(x, bank, { bias: loose(b) }) };
  }),
  fc.constantFrom<unknown>([[1, 2]], null, ndarray(new Float64Array(4), [2, 2])).map((v): BadCall => ({
    fn: "conv2dBatch",
    arg: "input",
    call: () => conv2dBatch(loose(v), ndarray(new Float64Array(1), [1, 1, 1, 1])),
  })),
  fc.constantFrom<unknown>("slow", 1, null).map((m): BadCall => ({
    fn: "conv2dBatch",
    arg: "method",
    value: m,
    call: () => conv2dBatch(ndarray(new Float64Array(4), [1, 2, 2, 1]), ndarray(new Float64Array(1), [1, 1, 1, 1]), { method: loose(m) }),
  })),
  // pooling options
  fc
    .oneof(badStride, fc.constantFrom<unknown>([2]))
    .map((v): BadCall => ({ fn: "pool2d", arg: "window", call: () => pool2d(good, { window: loose(v) }) })),
  fc
    .constantFrom<unknown>("median", "MAX", 1, null)
    .map((m): BadCall => ({ fn: "pool2d", arg: "mode", value: m, call: () => pool2d(good, { mode: loose(m) }) })),
  fc
    .constantFrom<unknown>("ceil", true, 0)
    .map((e): BadCall => ({ fn: "pool2d", arg: "edges", value: e, call: () => pool2d(good, { edges: loose(e) }) })),
  fc
    .integer({ min: 2, max: 5 })
    .map((p): BadCall => ({ fn: "pool2d", arg: "padding", call: () => pool2d(good, { window: 2, padding: p }) })),
  fc
    .constantFrom<unknown>("avg", "max")
    .map((m): BadCall => ({ fn: "maxPool2d", arg: "mode", value: m, call: () => maxPool2d(good, loose({ mode: m })) })),
  fc
    .constantFrom<unknown>([[[1, 2]], [[3]]], [[1, 2]])
    .map((v): BadCall => ({ fn: "poolChannels", arg: "input", call: () => poolChannels(loose(v)) })),
  // 1-D, output size
  fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 })).map(([n, extra]): BadCall => ({
    fn: "correlate1d",
    arg: `kernel ${n + extra} does not fit input ${n}`,
    call: () => correlate1d(new Array<number>(n).fill(1), new Array<number>(n + extra).fill(1)),
  })),
  badStride
    .filter((v) => !Array.isArray(v))
    .map((v): BadCall => ({ fn: "correlate1d", arg: "stride", value: v, call: () => correlate1d([1, 2, 3], [1], { stride: loose(v) }) })),
  badStride
    .filter((v) => !Array.isArray(v))
    .map((v): BadCall => ({
      fn: "outputSize",
      arg: "stride",
      value: v,
      call: () => outputSize({ input: 5, kernel: 3, stride: loose(v) }),
    })),
  fc
    .constantFrom<unknown>(0, -3, 2.5, "5", null)
    .map((v): BadCall => ({ fn: "outputSize", arg: "input", value: v, call: () => outputSize({ input: loose(v), kernel: 3 }) })),
  fc
    .constantFrom<unknown>([5], "5x5", null)
    .map((v): BadCall => ({ fn: "outputShape", arg: "input", value: v, call: () => outputShape({ input: loose(v), kernel: [3, 3] }) })),
  // explain, symbols, activations, gallery
  fc.constantFrom<unknown>("conv", 1).map((m): BadCall => ({
    fn: "explainCorrelate2d",
    arg: "mode",
    value: m,
    call: () => explainCorrelate2d(good, goodKernel, { mode: loose(m) }),
  })),
  fc
    .constantFrom<unknown>([["a", 1]], [["a"], ["b", "c"]], [], [[""]])
    .map((s): BadCall => ({ fn: "symbolicCorrelate2d", arg: "input", call: () => symbolicCorrelate2d(loose(s), [["α"]]) })),
  fc
    .constantFrom<unknown>(NaN, [1, Infinity], [[1], ["x"]], "1")
    .map((v): BadCall => ({ fn: "activate", arg: "x", call: () => activate(loose(v), "relu") })),
  fc
    .constantFrom<unknown>("leaky", "ReLU", null)
    .map((n): BadCall => ({ fn: "activate", arg: "name", value: n, call: () => activate(1, loose(n)) })),
  fc
    .constantFrom<unknown>("blur", "", null)
    .map((n): BadCall => ({ fn: "galleryKernel", arg: "name", value: n, call: () => galleryKernel(loose(n)) })),
  fc
    .constantFrom<unknown>("wrap", "reflect")
    .map((b): BadCall => ({ fn: "applyKernel", arg: "border", value: b, call: () => applyKernel(good, "identity", { border: loose(b) }) })),
  fc.constantFrom<unknown>("stretch", 255).map((d): BadCall => ({
    fn: "applyKernel",
    arg: "display",
    value: d,
    call: () => applyKernel(good, "identity", { display: loose(d) }),
  })),
  fc
    .constantFrom<unknown>({ data: [1, 2, 3], shape: [2, 2] }, { data: [1, 2, 3, NaN], shape: [2, 2] }, { data: [1], shape: [1, 1, 1, 1] })
    .map((img): BadCall => ({
      fn: "applyKernel",
      arg: "image",
      call: () => applyKernel(loose(img), "identity"),
    })),
);

describe("bad input gets an error naming the function, the argument and the value", () => {
  it("on 400 random bad calls", () => {
    fc.assert(
      fc.property(badCall, (bad) => expectNamedError(bad)),
      { numRuns: 400, seed: 10 },
    );
  });

  it("views are checked too: shape, and every entry where it sits", () => {
    const rowMajor = ndarray(new Float64Array([1, 2, NaN, 4]), [2, 2]);
    expect(() => correlate2d(rowMajor, [[1]])).toThrow("correlate2d: input[1][0] must be a finite number, got NaN");
    const transposed = rowMajor.transpose(1, 0);
    expect(() => correlate2d(transposed, [[1]])).toThrow("correlate2d: input[0][1] must be a finite number, got NaN");
    expect(() => correlate2d(ndarray(new Float64Array(8), [2, 2, 2]), [[1]])).toThrow(
      "correlate2d: input must have 2 axes (rows × columns), got shape [2, 2, 2]",
    );
    expect(() => conv2dBatch(ndarray(new Float64Array(4), [1, 2, 2, 1]), ndarray(new Float64Array([Infinity]), [1, 1, 1, 1]))).toThrow(
      "conv2dBatch: kernels[0][0][0][0] must be a finite number, got Infinity",
    );
  });

  it("the issue's example message", () => {
    expect(() =>
      correlate2d(
        [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ],
        Array.from({ length: 5 }, () => [1, 1, 1, 1, 1]),
      ),
    ).toThrow("correlate2d: kernel 5×5 does not fit input 3×3 with padding 0");
    expect(() => conv2d([[[1, 2, 3]]], [[[[1]]]])).toThrow(
      "conv2d: kernels have 1 channels (shape 1×1×1×1) but the input has 3 (shape 1×1×3)",
    );
    expect(() => correlate2d([[1, NaN]], [[1]])).toThrow("correlate2d: input[0][1] must be a finite number, got NaN");
    expect(() => correlate2d([[1, 2], [3]], [[1]])).toThrow("correlate2d: input is ragged: input[1] should have 2 entries, got 1 entries");
    expect(() => correlate2d(good, goodKernel, { stride: 0 })).toThrow(
      "conv.correlate2d: stride must be a positive integer ≤ 100000, got 0",
    );
    expect(() => correlate2d(good, goodKernel, loose({ padding: "full" }))).toThrow(
      "correlate2d: padding must be a number, [h, w], {top, bottom, left, right}, 'valid' or 'same', got \"full\"",
    );
  });
});

describe("bounds and misspelt options", () => {
  it("a misspelt option names the nearest valid one", () => {
    expect(() => correlate2d(good, goodKernel, loose({ strides: 2 }))).toThrow(
      "conv.correlate2d: unknown option 'strides' (did you mean 'stride'?)",
    );
    expect(() => pool2d(good, loose({ windw: 2 }))).toThrow("pool.pool2d: unknown option 'windw' (did you mean 'window'?)");
    expect(() => outputSize(loose({ input: 5, kernal: 3 }))).toThrow("conv.outputSize: unknown option 'kernal' (did you mean 'kernel'?)");
  });

  it("sizes beyond the stated bound are refused before anything is allocated", () => {
    expect(() => pad2d([[1]], 1e9)).toThrow("conv.pad2d: padding must be an integer from 0 to 100000, got 1000000000");
    expect(() => pad2d([[1]], 100_000)).toThrow(
      "conv.pad2d: the padded input would hold 200001×200001 numbers, more than the 50000000 allowed",
    );
  });
});
