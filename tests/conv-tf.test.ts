// Property tests: convolution and pooling by hand agree with TensorFlow.js (cpu backend) on random
// shapes, strides, dilations and paddings that tfjs supports, within 1e-5.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import ndarray from "ndarray";
import { tf } from "../src/tf";
import { conv2d, conv2dBatch, correlate2d } from "../src/conv";
import type { Padding, Sides } from "../src/geometry";
import { toNested } from "../src/view";
import { pool2d, poolChannels } from "../src/pool";

const RUNS = 150;
const TOLERANCE = 1e-5;

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

type TfPad = "valid" | "same" | number | [[number, number], [number, number], [number, number], [number, number]];

/** A padding both libraries understand: ours, and the same thing in tfjs's words. */
interface PadCase {
  ours: Padding;
  tf: TfPad;
}

/**
 * A number p pads every side by p. It goes to tfjs as explicit padding: tfjs 4.22 sizes the output of a
 * numeric pad with the kernel's height and stride for both axes, wrong for non-square kernels or strides.
 */
const numericPad = (p: number): PadCase => ({
  ours: p,
  tf: [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ],
});

const padCase = (maxPad: number): fc.Arbitrary<PadCase> =>
  fc.oneof(
    fc.constant<PadCase>({ ours: "valid", tf: "valid" }),
    fc.constant<PadCase>({ ours: "same", tf: "same" }),
    fc.integer({ min: 0, max: maxPad }).map(numericPad),
    fc
      .tuple(
        fc.integer({ min: 0, max: maxPad }),
        fc.integer({ min: 0, max: maxPad }),
        fc.integer({ min: 0, max: maxPad }),
        fc.integer({ min: 0, max: maxPad }),
      )
      .map(([top, bottom, left, right]): PadCase => {
        const sides: Sides = { top, bottom, left, right };
        return {
          ours: sides,
          tf: [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ],
        };
      }),
  );

/** n numbers in [-1, 1]. */
const values = (n: number): fc.Arbitrary<number[]> => fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n, maxLength: n });

/** Cut a flat array into rows of n. */
function rows<T>(flat: T[], n: number): T[][] {
  return Array.from({ length: flat.length / n }, (_, i) => flat.slice(i * n, (i + 1) * n));
}
const nest2 = (flat: number[], w: number): number[][] => rows(flat, w);
const nest3 = (flat: number[], w: number, c: number): number[][][] => rows(rows(flat, c), w);
const nest4 = (flat: number[], w: number, c: number, k: number): number[][][][] => rows(rows(rows(flat, k), c), w);

function flatten(x: unknown): number[] {
  return Array.isArray(x) ? x.flatMap(flatten) : typeof x === "number" ? [x] : [];
}

function expectClose(ours: number[], theirs: number[]): void {
  expect(ours).toBeAllclose(theirs, { atol: TOLERANCE, rtol: 0 });
}

interface ConvCase {
  h: number;
  w: number;
  c: number;
  k: number;
  kh: number;
  kw: number;
  stride: [number, number];
  dilation: [number, number];
  pad: PadCase;
  x: number[];
  weights: number[];
}

/** Random convolutions that fit: tfjs wants stride 1 when dilation > 1. */
const convCase: fc.Arbitrary<ConvCase> = fc
  .record({
    h: fc.integer({ min: 1, max: 8 }),
    w: fc.integer({ min: 1, max: 8 }),
    c: fc.integer({ min: 1, max: 3 }),
    k: fc.integer({ min: 1, max: 3 }),
    kh: fc.integer({ min: 1, max: 4 }),
    kw: fc.integer({ min: 1, max: 4 }),
    dilated: fc.boolean(),
    s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    pad: padCase(3),
  })
  .filter((r) => {
    const [dh, dw] = r.dilated ? r.d : [1, 1];
    const sides = r.pad.ours;
    const [pt, pl] =
      typeof sides === "number"
        ? [2 * sides, 2 * sides]
        : typeof sides === "object" && !Array.isArray(sides)
          ? [sides.top + sides.bottom, sides.left + sides.right]
          : [1e9, 1e9];
    // 'same' always fits; otherwise the dilated kernel must fit the padded input.
    return (
      sides === "same" ||
      (dh * (r.kh - 1) + 1 <= r.h + (sides === "valid" ? 0 : pt) && dw * (r.kw - 1) + 1 <= r.w + (sides === "valid" ? 0 : pl))
    );
  })
  .chain((r) =>
    fc
      .record({
        x: values(r.h * r.w * r.c),
        weights: values(r.kh * r.kw * r.c * r.k),
      })
      .map(({ x, weights }): ConvCase => ({
        h: r.h,
        w: r.w,
        c: r.c,
        k: r.k,
        kh: r.kh,
        kw: r.kw,
        stride: r.dilated ? [1, 1] : r.s,
        dilation: r.dilated ? r.d : [1, 1],
        pad: r.pad,
        x,
        weights,
      })),
  );

describe("conv2d agrees with tf.conv2d", () => {
  it(`on ${RUNS} random h×w×c inputs and h×w×c×k banks`, () => {
    fc.assert(
      fc.property(convCase, (t) => {
        const ours = conv2d(nest3(t.x, t.w, t.c), nest4(t.weights, t.kw, t.c, t.k), {
          stride: t.stride,
          padding: t.pad.ours,
          dilation: t.dilation,
        });
        const theirs = tf.tidy(() =>
          tf.conv2d(
            tf.tensor3d(t.x, [t.h, t.w, t.c]),
            tf.tensor4d(t.weights, [t.kh, t.kw, t.c, t.k]),
            t.stride,
            t.pad.tf,
            "NHWC",
            t.dilation,
          ),
        );
        expect(ours.length).toBe(theirs.shape[0]);
        expect(ours[0].length).toBe(theirs.shape[1]);
        expectClose(flatten(ours), Array.from(theirs.dataSync()));
        theirs.dispose();
      }),
      { numRuns: RUNS, seed: 4 },
    );
  });

  it(`batches: the fast path and the teaching loop both agree with tf.conv2d (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(convCase, fc.integer({ min: 1, max: 3 }), (t, n) => {
        const batch = Array.from({ length: n }, (_, b) => t.x.map((v, i) => Math.sin(v * 7 + b + i)));
        const x = batch.flat();
        const X = ndarray(Float32Array.from(x), [n, t.h, t.w, t.c]);
        const K = ndarray(Float32Array.from(t.weights), [t.kh, t.kw, t.c, t.k]);
        const bias = Array.from({ length: t.k }, (_, q) => q / 4 - 0.3);
        const options = { stride: t.stride, padding: t.pad.ours, dilation: t.dilation, bias };
        const fast = conv2dBatch(X, K, { ...options, method: "fast" });
        const loop = conv2dBatch(X, K, { ...options, method: "loop" });
        const theirs = tf.tidy(() =>
          tf.add(
            tf.conv2d(
              tf.tensor4d(Float32Array.from(x), [n, t.h, t.w, t.c]),
              tf.tensor4d(Float32Array.from(t.weights), [t.kh, t.kw, t.c, t.k]),
              t.stride,
              t.pad.tf,
              "NHWC",
              t.dilation,
            ),
            tf.tensor1d(bias),
          ),
        );
        expect(fast.shape).toEqual(theirs.shape);
        const expected = Array.from(theirs.dataSync());
        expectClose(Array.from(fast.data), expected);
        expectClose(flatten(toNested(loop)), expected);
        theirs.dispose();
      }),
      { numRuns: RUNS, seed: 5 },
    );
  });

  it("correlate2d is conv2d with one channel and one kernel", () => {
    fc.assert(
      fc.property(convCase, (t) => {
        const x = nest2(t.x.slice(0, t.h * t.w), t.w);
        const K = nest2(t.weights.slice(0, t.kh * t.kw), t.kw);
        const options = { stride: t.stride, padding: t.pad.ours, dilation: t.dilation };
        const single = conv2d(
          x.map((r) => r.map((v) => [v])),
          K.map((r) => r.map((v) => [[v]])),
          options,
        );
        expect(correlate2d(x, K, options)).toEqual(single.map((r) => r.map((c) => c[0])));
      }),
      { numRuns: 100, seed: 6 },
    );
  });
});

interface PoolCase {
  h: number;
  w: number;
  c: number;
  window: [number, number];
  stride: [number, number];
  pad: PadCase;
  x: number[];
}

const poolCase: fc.Arbitrary<PoolCase> = fc
  .record({
    h: fc.integer({ min: 1, max: 9 }),
    w: fc.integer({ min: 1, max: 9 }),
    c: fc.integer({ min: 1, max: 3 }),
    window: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    pad: fc.oneof(
      fc.constant<PadCase>({ ours: "valid", tf: "valid" }),
      fc.constant<PadCase>({ ours: "same", tf: "same" }),
      fc.integer({ min: 0, max: 2 }).map(numericPad),
    ),
  })
  .filter((r) => {
    const p = typeof r.pad.ours === "number" ? r.pad.ours : 0;
    if (r.pad.ours === "same") return true;
    // The window must fit, and (for tfjs's numeric padding) the padding must be smaller than the window.
    return r.window[0] <= r.h + 2 * p && r.window[1] <= r.w + 2 * p && p < r.window[0] && p < r.window[1];
  })
  .chain((r) => values(r.h * r.w * r.c).map((x): PoolCase => ({ ...r, x })));

describe("pooling agrees with tf.maxPool and tf.avgPool", () => {
  for (const mode of ["max", "avg"] as const) {
    it(`${mode} pooling on ${RUNS} random maps, windows, strides and paddings`, () => {
      fc.assert(
        fc.property(poolCase, (t) => {
          const ours = poolChannels(nest3(t.x, t.w, t.c), { mode, window: t.window, stride: t.stride, padding: t.pad.ours });
          const op = mode === "max" ? tf.maxPool : tf.avgPool;
          const theirs = tf.tidy(() => op(tf.tensor3d(t.x, [t.h, t.w, t.c]), t.window, t.stride, t.pad.tf));
          expect([ours.length, ours[0].length, ours[0][0].length]).toEqual(theirs.shape);
          expectClose(flatten(ours), Array.from(theirs.dataSync()));
          theirs.dispose();
        }),
        { numRuns: RUNS, seed: mode === "max" ? 7 : 8 },
      );
    });
  }

  it("pool2d on one channel is poolChannels on a volume of one channel", () => {
    fc.assert(
      fc.property(poolCase, fc.constantFrom("max", "avg", "sum", "min" as const), (t, mode) => {
        const m = nest2(t.x.slice(0, t.h * t.w), t.w);
        const options = { mode, window: t.window, stride: t.stride, padding: t.pad.ours };
        expect(pool2d(m, options)).toEqual(
          poolChannels(
            m.map((r) => r.map((v) => [v])),
            options,
          ).map((r) => r.map((c) => c[0])),
        );
      }),
      { numRuns: 100, seed: 9 },
    );
  });
});
