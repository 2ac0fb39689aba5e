// Every kernel useFastBackend registers for 'wasm' gives what TensorFlow.js's reference `cpu` kernel
// gives, on random shapes, strides, paddings, data formats and rounding modes (fast-check).
// Tolerance: |wasm − cpu| ≤ 1e-4 · (1 + largest |cpu|), since float32 sums are added in another order;
// Slice and PadV2 move numbers without arithmetic and must be exactly equal.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { tf } from "../src/tf";
import { readFileSync } from "fs";
import { spawnSync } from "child_process";
import { join } from "path";
import { fastKernels, useFastBackend } from "../src/train/backend";
import { NATIVE_RELAXED_WASM, NATIVE_WASM, PATCH_LIMIT, nativeWasmFile, relaxedSimd } from "../src/train/native";
import { channelsCase, type ChannelsPass } from "../src/train/kernels/channels";
import { NATIVE_ROWS, coversWholeInput, nativeProductCase } from "../src/train/kernels/batchMatMul";
import { seededRandom } from "../src/random";

const RUNS = 60;
const TOLERANCE = 1e-4;

beforeAll(async () => {
  await useFastBackend();
});

type Shape = number[];
type Pair = [number, number];
type ExplicitPad = [Pair, Pair, Pair, Pair];
type Pad = "valid" | "same" | number | ExplicitPad;

/** Seeded numbers in [−1, 1) for a shape; `levels` > 0 draws from that many values only (to make ties). */
function values(shape: Shape, seed: number, levels = 0): Float32Array {
  const random = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => (levels > 0 ? random.int(levels) / levels : random.uniform(-1, 1)));
}

/** Run `f` on a backend and read its result; tensors are made inside `f` so they live on that backend. */
async function on(backend: "cpu" | "wasm", f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const data = Float32Array.from(out.dataSync());
  out.dispose();
  return data;
}

/** Both backends' results of `f`, checked equal within the tolerance (or exactly). */
async function expectSameOnBoth(f: () => tf.Tensor, exact = false): Promise<void> {
  const cpu = await on("cpu", f);
  const wasm = await on("wasm", f);
  expect(wasm.length).toBe(cpu.length);
  const scale = 1 + cpu.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let worst = 0;
  for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(wasm[i] - cpu[i]));
  if (exact) expect(Array.from(wasm)).toEqual(Array.from(cpu));
  else expect(worst).toBeLessThanOrEqual(TOLERANCE * scale);
}

function run(name: string, inputs: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap): tf.Tensor {
  const out = tf.engine().runKernel(name, inputs, attrs);
  if (Array.isArray(out)) throw new Error(`${name} returned several tensors`);
  return out;
}

// ---------------------------------------------------------------- convolution gradients

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  filter: Pair;
  strides: Pair;
  pad: Pad;
  dimRoundingMode?: "floor" | "round" | "ceil";
  dataFormat: "NHWC" | "NCHW";
  seed: number;
}

const size = (max: number) => fc.integer({ min: 1, max });
const explicitPad = fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)).map(([t, b, l, r]): ExplicitPad => [
  [0, 0],
  [t, b],
  [l, r],
  [0, 0],
]);

const convCase: fc.Arbitrary<ConvCase> = fc
  .record({
    batch: size(3),
    height: size(11),
    width: size(11),
    inChannels: size(4),
    outChannels: size(4),
    filter: fc.tuple(size(5), size(5)),
    strides: fc.tuple(size(3), size(3)),
    pad: fc.oneof(fc.constant<Pad>("valid"), fc.constant<Pad>("same"), explicitPad, fc.nat(3)),
    dimRoundingMode: fc.constantFrom<ConvCase["dimRoundingMode"]>(undefined, "floor", "round", "ceil"),
    dataFormat: fc.constantFrom<ConvCase["dataFormat"]>("NHWC", "NCHW"),
    seed: fc.nat(),
  })
  .map((c): ConvCase => {
    // tfjs takes a numeric pad with square kernels and strides only, and a rounding mode with a numeric pad only.
    if (typeof c.pad === "number") return { ...c, filter: [c.filter[0], c.filter[0]], strides: [c.strides[0], c.strides[0]] };
    return { ...c, dimRoundingMode: undefined };
  })
  .filter(usable);

/** A case tfjs accepts, with at least one whole output pixel. */
function usable(c: ConvCase): boolean {
  const info = convInfo(c);
  return info !== null && info.outHeight >= 1 && info.outWidth >= 1 && Number.isInteger(info.outHeight) && Number.isInteger(info.outWidth);
}

function xShape(c: ConvCase): [number, number, number, number] {
  return c.dataFormat === "NHWC" ? [c.batch, c.height, c.width, c.inChannels] : [c.batch, c.inChannels, c.height, c.width];
}
function filterShape(c: ConvCase): [number, number, number, number] {
  return [c.filter[0], c.filter[1], c.inChannels, c.outChannels];
}
function convInfo(c: ConvCase): tf.backend_util.Conv2DInfo | null {
  try {
    const format = c.dataFormat === "NHWC" ? "channelsLast" : "channelsFirst";
    return tf.backend_util.computeConv2DInfo(xShape(c), filterShape(c), c.strides, 1, c.pad, c.dimRoundingMode, false, format);
  } catch {
    return null;
  }
}
function attrsOf(c: ConvCase): tf.NamedAttrMap {
  const attrs: tf.NamedAttrMap = { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat };
  if (c.dimRoundingMode) attrs.dimRoundingMode = c.dimRoundingMode;
  return attrs;
}
function dyShape(c: ConvCase): Shape {
  const info = convInfo(c);
  if (!info) throw new Error("invalid case");
  return info.outShape;
}

const lenetLayers: ConvCase[] = [
  {
    batch: 4,
    height: 32,
    width: 32,
    inChannels: 1,
    outChannels: 6,
    filter: [5, 5],
    strides: [1, 1],
    pad: "valid",
    dataFormat: "NHWC",
    seed: 1,
  }, // C1 after its zero padding
  {
    batch: 4,
    height: 28,
    width: 28,
    inChannels: 1,
    outChannels: 6,
    filter: [5, 5],
    strides: [1, 1],
    pad: "same",
    dataFormat: "NHWC",
    seed: 2,
  },
  {
    batch: 4,
    height: 14,
    width: 14,
    inChannels: 6,
    outChannels: 16,
    filter: [5, 5],
    strides: [1, 1],
    pad: "valid",
    dataFormat: "NHWC",
    seed: 3,
  }, // C3
  {
    batch: 4,
    height: 5,
    width: 5,
    inChannels: 16,
    outChannels: 120,
    filter: [5, 5],
    strides: [1, 1],
    pad: "valid",
    dataFormat: "NHWC",
    seed: 4,
  }, // C5: 1×1 output
];

async function checkBackpropFilter(c: ConvCase): Promise<void> {
  const x = values(xShape(c), c.seed);
  const dy = values(dyShape(c), c.seed + 1);
  await expectSameOnBoth(() =>
    run(
      "Conv2DBackpropFilter",
      { x: tf.tensor(x, xShape(c)), dy: tf.tensor(dy, dyShape(c)) },
      { ...attrsOf(c), filterShape: filterShape(c) },
    ),
  );
}

async function checkBackpropInput(c: ConvCase): Promise<void> {
  const w = values(filterShape(c), c.seed);
  const dy = values(dyShape(c), c.seed + 1);
  await expectSameOnBoth(() =>
    run(
      "Conv2DBackpropInput",
      { dy: tf.tensor(dy, dyShape(c)), filter: tf.tensor(w, filterShape(c)) },
      { ...attrsOf(c), inputShape: xShape(c) },
    ),
  );
}

describe("Conv2DBackpropFilter (missing in stock wasm) equals the cpu kernel", () => {
  it("on LeNet-5's three convolutions", async () => {
    for (const c of lenetLayers) await checkBackpropFilter(c);
  });
  it("on random shapes, strides, paddings, rounding modes and data formats", async () => {
    await fc.assert(fc.asyncProperty(convCase, checkBackpropFilter), { numRuns: RUNS });
  });
  it("through tf.grad of a strided convolution", async () => {
    const x = values([2, 9, 8, 3], 7);
    const w = values([3, 2, 3, 4], 8);
    const loss = (k: tf.Tensor) => tf.sum(tf.conv2d(tf.tensor4d(x, [2, 9, 8, 3]), tf.reshape(k, [3, 2, 3, 4]), [2, 3], "same"));
    await expectSameOnBoth(() => tf.grad(loss)(tf.tensor4d(w, [3, 2, 3, 4])));
  });
});

/** Images so large that their patches exceed PATCH_LIMIT (when strided: the batch is taken one image at a time). */
const hugeImages: ConvCase = {
  batch: 3,
  height: 450,
  width: 400,
  inChannels: 1,
  outChannels: 2,
  filter: [5, 5],
  strides: [1, 1],
  pad: "same",
  dataFormat: "NHWC",
  seed: 9,
};

/** hugeImages at a stride of 2 across: x̄ by patches, in chunks. */
const hugeStrided: ConvCase = { ...hugeImages, width: 800, strides: [1, 2] };

describe("Conv2DBackpropFilter refuses", () => {
  it("an error signal of the wrong shape, naming the kernel", async () => {
    await tf.setBackend("wasm");
    const x = tf.zeros([2, 6, 6, 1]);
    const dy = tf.zeros([2, 5, 5, 3]);
    expect(() => run("Conv2DBackpropFilter", { x, dy }, { strides: [1, 1], pad: "valid", filterShape: [3, 3, 1, 3] })).toThrow(
      "Conv2DBackpropFilter: dy must have shape [2, 4, 4, 3], got [2, 5, 5, 3]",
    );
    tf.dispose([x, dy]);
  });
});

/** The activations the course's forward passes apply themselves (after the native loop). */
const ownActivations = ["linear", "relu", "relu6", "elu", "sigmoid"] as const;

/** Channels last, any stride and padding: the cases the native convForward, convInput and convFilter take (1–9 channels into 1–20 kernels). */
function channelsLast(pass: ChannelsPass): fc.Arbitrary<ConvCase> {
  return fc
    .record({
      batch: size(3),
      height: size(11),
      width: size(11),
      inChannels: size(9),
      outChannels: size(20),
      filter: fc.tuple(size(5), size(5)),
      strides: fc.tuple(size(3), size(3)),
      pad: fc.oneof(fc.constant<Pad>("valid"), fc.constant<Pad>("same"), explicitPad, fc.nat(3)),
      seed: fc.nat(),
    })
    .map((c): ConvCase => ({
      ...c,
      dataFormat: "NHWC",
      ...(typeof c.pad === "number" ? { filter: [c.filter[0], c.filter[0]], strides: [c.strides[0], c.strides[0]] } : {}),
    }))
    .filter((c) => {
      const info = usable(c) ? convInfo(c) : null;
      return info !== null && channelsCase(info, "NHWC", pass);
    });
}

/** LeNet-5's C3 on 5 images of 13×13: 405 output pixels, more than W̄'s chunk of 256 and not a multiple of 4. */
const c3Odd: ConvCase = { ...lenetLayers[2], batch: 5, height: 13, width: 13, seed: 21 };

async function checkForward(c: ConvCase, activation: (typeof ownActivations)[number], withBias: boolean): Promise<void> {
  const x = values(xShape(c), c.seed);
  const w = values(filterShape(c), c.seed + 1);
  const b = values([c.outChannels], c.seed + 2);
  const input = () => ({ x: tf.tensor4d(x, xShape(c)), filter: tf.tensor4d(w, filterShape(c)), strides: c.strides, pad: c.pad });
  await expectSameOnBoth(() => tf.fused.conv2d({ ...input(), bias: withBias ? tf.tensor1d(b) : undefined, activation }));
  if (activation === "linear" && !withBias) await expectSameOnBoth(() => tf.conv2d(input().x, input().filter, c.strides, c.pad));
}

describe("convolutions channels last (the course's convForward, convInput and convFilter) equal the cpu kernels", () => {
  it("the random cases are ones the native loops take; NCHW, a dilation, a patch (row) of fewer than 4 (8) numbers are not", () => {
    for (const pass of ["forward", "input", "filter"] as const) {
      fc.assert(
        fc.property(channelsLast(pass), (c) => {
          const info = convInfo(c);
          expect(info && channelsCase(info, "NHWC", pass)).toBe(true);
        }),
        { numRuns: 20 },
      );
    }
    const c3 = convInfo(lenetLayers[2]);
    if (!c3) throw new Error("invalid case");
    for (const pass of ["forward", "input", "filter"] as const) {
      expect(channelsCase(c3, "NHWC", pass)).toBe(true);
      expect(channelsCase(c3, "NCHW", pass)).toBe(false);
      expect(channelsCase({ ...c3, dilationHeight: 2 }, "NHWC", pass)).toBe(false);
    }
    const c1 = convInfo(lenetLayers[1]);
    if (!c1) throw new Error("invalid case");
    expect(channelsCase(c1, "NHWC", "forward")).toBe(true);
    expect(channelsCase(c1, "NHWC", "filter")).toBe(true);
    expect(channelsCase(c1, "NHWC", "input")).toBe(false); // 5 numbers a patch row
    expect(channelsCase({ ...c3, inChannels: 3, filterHeight: 1, filterWidth: 1 }, "NHWC", "filter")).toBe(false); // 3 numbers a patch
  });
  it("Conv2D and FusedConv2D on random shapes, strides and paddings, each activation, with and without a bias", async () => {
    await fc.assert(fc.asyncProperty(channelsLast("forward"), fc.constantFrom(...ownActivations), fc.boolean(), checkForward), {
      numRuns: RUNS,
    });
  });
  it("Conv2DBackpropFilter on random shapes, strides and paddings", async () => {
    await fc.assert(fc.asyncProperty(channelsLast("filter"), checkBackpropFilter), { numRuns: RUNS });
  });
  it("Conv2DBackpropInput on random shapes, strides and paddings", async () => {
    await fc.assert(fc.asyncProperty(channelsLast("input"), checkBackpropInput), { numRuns: RUNS });
  });
  it("on LeNet-5's C1 (28×28 'same', 32×32 'valid') and C3 at a batch of 64, and on 405 output pixels (W̄ in chunks, a last block of one pixel)", async () => {
    for (const c of [{ ...lenetLayers[0], batch: 64 }, { ...lenetLayers[1], batch: 64 }, { ...lenetLayers[2], batch: 64 }, c3Odd]) {
      await checkForward(c, "sigmoid", true);
      await checkBackpropFilter(c);
      if (c.inChannels > 1) await checkBackpropInput(c);
    }
  });
  it("on large one-channel images, one kernel or two (fewer than 8: results widened to 8 and cut), plain and strided", async () => {
    for (const c of [hugeImages, { ...hugeImages, outChannels: 1, strides: [2, 3] as Pair }]) {
      await checkForward(c, "linear", true);
      await checkBackpropFilter(c);
    }
  });
  it("FusedConv2D and _FusedMatMul with tanh (the course's layer ops fuse it on wasm) equal tanh of the cpu's linear result, on the native and the stock paths", async () => {
    /** wasm's kernel `name` with activation tanh, against tf.tanh of the same kernel, linear, on cpu. */
    const check = async (name: string, inputs: () => Record<string, tf.Tensor>, attrs: tf.NamedAttrMap) => {
      const cpu = await on("cpu", () => tf.tanh(run(name, inputs(), { ...attrs, activation: "linear" })));
      const wasm = await on("wasm", () => run(name, inputs(), { ...attrs, activation: "tanh" }));
      expect(wasm.length).toBe(cpu.length);
      for (let i = 0; i < cpu.length; i++) expect(Math.abs(wasm[i] - cpu[i])).toBeLessThanOrEqual(1e-5);
    };
    await fc.assert(
      fc.asyncProperty(channelsLast("forward"), fc.boolean(), async (c, dilated) => {
        const x = values(xShape(c), c.seed);
        const w = values(filterShape(c), c.seed + 1);
        const b = values([c.outChannels], c.seed + 2);
        // Dilated (at stride 1, as TensorFlow.js requires; not with a numeric pad, whose output shape TensorFlow.js
        // computes for a square kernel, so that the stock wasm kernel writes past its output): the stock kernel, then tanh.
        const strides: Pair = dilated ? [1, 1] : c.strides;
        const pad: Pad = dilated && typeof c.pad === "number" ? "valid" : c.pad;
        const attrs = { ...attrsOf(c), strides, pad, dilations: dilated ? [2, 1] : [1, 1] };
        const info = dilated ? tf.backend_util.computeConv2DInfo(xShape(c), filterShape(c), strides, [2, 1], pad) : null;
        if (info && (info.outHeight < 1 || info.outWidth < 1)) return;
        await check(
          "FusedConv2D",
          () => ({ x: tf.tensor4d(x, xShape(c)), filter: tf.tensor4d(w, filterShape(c)), bias: tf.tensor1d(b) }),
          attrs,
        );
      }),
      { numRuns: 20 },
    );
    for (const rows of [5, NATIVE_ROWS + 3]) {
      const a = values([1, rows, 7], rows);
      const bm = values([1, 7, 9], rows + 1);
      const bias = values([9], rows + 2);
      await check("_FusedMatMul", () => ({ a: tf.tensor3d(a, [1, rows, 7]), b: tf.tensor3d(bm, [1, 7, 9]), bias: tf.tensor1d(bias) }), {
        transposeA: false,
        transposeB: false,
      });
    }
  });
  it("through tf.grad: the input's and the kernel's gradients of a fused, strided, padded convolution", async () => {
    const x = values([3, 12, 10, 5], 31);
    const w = values([3, 4, 5, 12], 32);
    const b = values([12], 33);
    const loss = (input: tf.Tensor, kernel: tf.Tensor) =>
      tf.sum(
        tf.square(
          tf.fused.conv2d({
            x: input as tf.Tensor4D,
            filter: kernel as tf.Tensor4D,
            strides: [2, 1],
            pad: "same",
            bias: tf.tensor1d(b),
            activation: "relu",
          }),
        ),
      );
    for (const which of [0, 1]) {
      await expectSameOnBoth(() => tf.grads(loss)([tf.tensor4d(x, [3, 12, 10, 5]), tf.tensor4d(w, [3, 4, 5, 12])])[which]);
    }
  });
});

describe("Conv2DBackpropInput equals the cpu kernel", () => {
  it("on LeNet-5's three convolutions (the convolution, many-channel and matrix-product paths)", async () => {
    for (const c of lenetLayers) await checkBackpropInput(c);
  });
  it("on a batch whose patches do not fit at once (taken in chunks of images)", async () => {
    const info = convInfo(hugeStrided);
    if (!info) throw new Error("invalid case");
    expect(channelsCase(info, "NHWC", "input")).toBe(false);
    expect(info.filterHeight * info.filterWidth * info.outHeight * info.outWidth).toBeGreaterThan(PATCH_LIMIT);
    await checkBackpropInput(hugeStrided);
  });
  it("on random shapes, strides, paddings, rounding modes and data formats", async () => {
    await fc.assert(fc.asyncProperty(convCase, checkBackpropInput), { numRuns: RUNS });
  });
});

// ---------------------------------------------------------------- pooling gradients

interface PoolCase {
  shape: [number, number, number, number];
  filterSize: Pair;
  strides: Pair;
  pad: "valid" | "same" | number;
  seed: number;
}

const poolCase: fc.Arbitrary<PoolCase> = fc
  .record({
    shape: fc.tuple(size(3), size(9), size(9), size(4)),
    filterSize: fc.tuple(size(4), size(4)),
    strides: fc.tuple(size(3), size(3)),
    pad: fc.oneof(fc.constant<PoolCase["pad"]>("valid"), fc.constant<PoolCase["pad"]>("same"), fc.nat(1)),
    seed: fc.nat(),
  })
  .map((c): PoolCase =>
    typeof c.pad === "number" ? { ...c, filterSize: [c.filterSize[0], c.filterSize[0]], strides: [c.strides[0], c.strides[0]] } : c,
  )
  .filter((c) => {
    try {
      const info = tf.backend_util.computePool2DInfo(c.shape, c.filterSize, c.strides, 1, c.pad);
      return info.outHeight >= 1 && info.outWidth >= 1 && Number.isInteger(info.outHeight) && Number.isInteger(info.outWidth);
    } catch {
      return false;
    }
  });

function poolOut(c: PoolCase): Shape {
  return tf.backend_util.computePool2DInfo(c.shape, c.filterSize, c.strides, 1, c.pad).outShape;
}

describe("pooling gradients equal the cpu kernels", () => {
  it("AvgPoolGrad on random windows, strides and paddings", async () => {
    await fc.assert(
      fc.asyncProperty(poolCase, async (c) => {
        const x = values(c.shape, c.seed);
        const dy = values(poolOut(c), c.seed + 1);
        const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
        await expectSameOnBoth(() => run("AvgPoolGrad", { dy: tf.tensor(dy, poolOut(c)), input: tf.tensor(x, c.shape) }, attrs));
      }),
      { numRuns: RUNS },
    );
  });
  it("AvgPoolGrad on windows that tile the input from its corner, LeNet's 2×2 among them, with rows and columns no window reaches", async () => {
    const tiling = fc.record({
      n: size(3),
      rows: size(5),
      cols: size(5),
      channels: size(7),
      filterSize: fc.tuple(size(3), size(3)),
      seed: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(tiling, async (t) => {
        const [fh, fw] = t.filterSize;
        // Some cases leave the last rows and columns out of every window (zeros in dx).
        const [extraRows, extraCols] = [t.seed % fh, (t.seed >> 2) % fw];
        const shape: Shape = [t.n, t.rows * fh + extraRows, t.cols * fw + extraCols, t.channels];
        const outShape: Shape = [t.n, t.rows, t.cols, t.channels];
        const attrs = { filterSize: t.filterSize, strides: t.filterSize, pad: "valid" };
        const [x, dy] = [values(shape, t.seed), values(outShape, t.seed + 1)];
        // Memory that held NaNs first: the kernel must write every number of dx.
        await tf.setBackend("wasm");
        tf.fill(shape, NaN).dispose();
        await expectSameOnBoth(() => run("AvgPoolGrad", { dy: tf.tensor(dy, outShape), input: tf.tensor(x, shape) }, attrs));
      }),
      { numRuns: RUNS },
    );
  });
  it("MaxPoolGrad on random windows, strides and paddings, with ties (the first maximum wins)", async () => {
    await fc.assert(
      fc.asyncProperty(poolCase, fc.constantFrom(0, 3), async (c, levels) => {
        const x = values(c.shape, c.seed, levels);
        const dy = values(poolOut(c), c.seed + 1);
        const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
        await expectSameOnBoth(() => {
          const input = tf.tensor(x, c.shape);
          const output = tf.maxPool(tf.tensor4d(x, c.shape), c.filterSize, c.strides, c.pad);
          return run("MaxPoolGrad", { dy: tf.tensor(dy, poolOut(c)), input, output }, attrs);
        });
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------- the rest

describe("Tanh, Slice, PadV2 and BatchMatMul equal the cpu kernels", () => {
  it("Tanh, on small and large inputs", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.float({ min: -30, max: 30, noNaN: true }), { minLength: 1, maxLength: 50 }), async (xs) => {
        await expectSameOnBoth(() => tf.tanh(tf.tensor1d(xs)));
      }),
      { numRuns: RUNS },
    );
  });

  it("Slice, contiguous blocks (a batch) and strided ones", async () => {
    const sliceCase = fc.tuple(size(4), size(5), size(5), size(3)).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        begin: fc.tuple(...shape.map((n) => fc.nat(n - 1))),
        seed: fc.nat(),
        whole: fc.boolean(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(sliceCase, async ({ shape, begin, seed, whole }) => {
        // whole: keep every later axis entire, so that the slice is one contiguous block
        const start = whole ? [begin[0], 0, 0, 0] : begin;
        const sizes = shape.map((n, i) => n - start[i]);
        const x = values(shape, seed);
        await expectSameOnBoth(() => tf.slice(tf.tensor(x, shape), start, sizes), true);
      }),
      { numRuns: RUNS },
    );
  });

  it("PadV2, any rank, any paddings and constant", async () => {
    const padCase = fc.array(fc.record({ n: size(4), before: fc.nat(3), after: fc.nat(3) }), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(padCase, fc.constantFrom(0, 1.5), fc.nat(), async (axes, constant, seed) => {
        const shape = axes.map((a) => a.n);
        const x = values(shape, seed);
        const paddings = axes.map((a): Pair => [a.before, a.after]);
        await expectSameOnBoth(() => tf.pad(tf.tensor(x, shape), paddings, constant), true);
      }),
      { numRuns: RUNS },
    );
  });

  it("BatchMatMul with and without transposed operands, with broadcast batches", async () => {
    const mmCase = fc.record({
      batch: size(3),
      broadcast: fc.boolean(),
      m: size(6),
      k: size(6),
      n: size(6),
      transposeA: fc.boolean(),
      transposeB: fc.boolean(),
      seed: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(mmCase, async (c) => {
        const aShape = [c.broadcast ? 1 : c.batch, ...(c.transposeA ? [c.k, c.m] : [c.m, c.k])];
        const bShape = [c.batch, ...(c.transposeB ? [c.n, c.k] : [c.k, c.n])];
        const a = values(aShape, c.seed);
        const b = values(bShape, c.seed + 1);
        await expectSameOnBoth(() =>
          tf.matMul(
            tf.tensor3d(a, [aShape[0], aShape[1], aShape[2]]),
            tf.tensor3d(b, [bShape[0], bShape[1], bShape[2]]),
            c.transposeA,
            c.transposeB,
          ),
        );
      }),
      { numRuns: RUNS },
    );
  });
});

describe("products on the course's matmul (batches of up to NATIVE_ROWS rows) equal the cpu kernels", () => {
  // Row counts around the loop's blocks of four rows, column counts around its blocks of eight, and past NATIVE_ROWS.
  const productCase = fc.record({
    m: fc.oneof(size(9), fc.constantFrom(64, NATIVE_ROWS, NATIVE_ROWS + 1)),
    k: size(40),
    n: fc.oneof(size(19), fc.constantFrom(84, 120)),
    transposeA: fc.boolean(),
    transposeB: fc.boolean(),
    seed: fc.nat(),
  });
  type ProductCase = typeof productCase extends fc.Arbitrary<infer T> ? T : never;
  const aShape = (c: ProductCase) => [1, ...(c.transposeA ? [c.k, c.m] : [c.m, c.k])] as [number, number, number];
  const bShape = (c: ProductCase) => [1, ...(c.transposeB ? [c.n, c.k] : [c.k, c.n])] as [number, number, number];

  it("the cases up to NATIVE_ROWS rows are ones the native loop takes; a real batch or more rows are not", () => {
    fc.assert(
      fc.property(productCase, (c) => {
        const taken = nativeProductCase(aShape(c), bShape(c), c.transposeA, c.transposeB);
        expect(taken).toEqual(c.m <= NATIVE_ROWS ? [c.m, c.k, c.n] : null);
      }),
    );
    expect(nativeProductCase([2, 3, 4], [2, 4, 5], false, false)).toBeNull();
    expect(nativeProductCase([3, 4], [4, 5], false, false)).toEqual([3, 4, 5]);
  });
  it("BatchMatMul with and without transposed operands", async () => {
    await fc.assert(
      fc.asyncProperty(productCase, async (c) => {
        const a = values(aShape(c), c.seed);
        const b = values(bShape(c), c.seed + 1);
        await expectSameOnBoth(() => tf.matMul(tf.tensor3d(a, aShape(c)), tf.tensor3d(b, bShape(c)), c.transposeA, c.transposeB));
      }),
      { numRuns: RUNS },
    );
  });
  it("_FusedMatMul with a bias or none, each activation (leakyrelu left to the stock kernel)", async () => {
    const activation = fc.constantFrom("linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu") as fc.Arbitrary<tf.fused.Activation>;
    const bias = fc.constantFrom("none", "[n]", "[1, n]"); // the stock wasm kernel takes [n] only
    await fc.assert(
      fc.asyncProperty(productCase, activation, bias, async (c, f, kind) => {
        const a = values([c.transposeA ? c.k : c.m, c.transposeA ? c.m : c.k], c.seed);
        const b = values([c.transposeB ? c.n : c.k, c.transposeB ? c.k : c.n], c.seed + 1);
        const biasShape = kind === "[1, n]" ? [1, c.n] : [c.n];
        const bv = values(biasShape, c.seed + 2);
        await expectSameOnBoth(() =>
          tf.fused.matMul({
            a: tf.tensor2d(a, [c.transposeA ? c.k : c.m, c.transposeA ? c.m : c.k]),
            b: tf.tensor2d(b, [c.transposeB ? c.n : c.k, c.transposeB ? c.k : c.n]),
            transposeA: c.transposeA,
            transposeB: c.transposeB,
            bias: kind === "none" ? undefined : tf.tensor(bv, biasShape),
            activation: f,
          }),
        );
      }),
      { numRuns: RUNS },
    );
  });
  it("the case the stock _FusedMatMul gets wrong: a bias with B transposed (here past NATIVE_ROWS rows, on the stock kernel)", async () => {
    const m = NATIVE_ROWS + 44;
    const a = values([m, 1], 31);
    await expectSameOnBoth(() =>
      tf.fused.matMul({ a: tf.tensor2d(a, [m, 1]), b: tf.tensor2d([1, -2], [2, 1]), transposeB: true, bias: tf.tensor1d([0.5, 3]) }),
    );
  });
  /** A kernel as large as its input (LeNet-5's C5: 5×5×16 → 120), any batch, channels and kernels. */
  const wholeInput = fc.record({
    batch: fc.oneof(size(9), fc.constant(64)),
    height: size(6),
    width: size(6),
    channels: size(5),
    kernels: size(19),
    seed: fc.nat(),
  });
  it("Conv2D and FusedConv2D whose kernel covers the whole input (a 1×1 output), forward and through tf.grad", async () => {
    await fc.assert(
      fc.asyncProperty(wholeInput, fc.constantFrom(...ownActivations), fc.boolean(), async (c, f, withBias) => {
        const xs: [number, number, number, number] = [c.batch, c.height, c.width, c.channels];
        const ws: [number, number, number, number] = [c.height, c.width, c.channels, c.kernels];
        const info = tf.backend_util.computeConv2DInfo(xs, ws, 1, 1, "valid");
        expect(coversWholeInput(info, "NHWC")).toBe(true);
        const x = values(xs, c.seed);
        const w = values(ws, c.seed + 1);
        const b = values([c.kernels], c.seed + 2);
        const conv = (xx: tf.Tensor4D, ww: tf.Tensor4D) =>
          tf.fused.conv2d({ x: xx, filter: ww, strides: 1, pad: "valid", bias: withBias ? tf.tensor1d(b) : undefined, activation: f });
        await expectSameOnBoth(() => conv(tf.tensor4d(x, xs), tf.tensor4d(w, ws)));
        const loss = (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.square(conv(xx as tf.Tensor4D, ww as tf.Tensor4D)));
        for (const which of [0, 1]) await expectSameOnBoth(() => tf.grads(loss)([tf.tensor4d(x, xs), tf.tensor4d(w, ws)])[which]);
      }),
      { numRuns: RUNS / 2 },
    );
    const padded = tf.backend_util.computeConv2DInfo([1, 3, 3, 1], [3, 3, 1, 2], 1, 1, "same");
    expect(coversWholeInput(padded, "NHWC")).toBe(false);
  });
});

describe("convolutions with 'same' padding equal the cpu kernels (the stock wasm ones do not for even kernels and strides)", () => {
  const sameCase = fc.record({
    shape: fc.tuple(size(2), size(7), size(7), size(3)),
    filter: fc.tuple(size(4), size(4), size(3)),
    strides: fc.tuple(size(3), size(3)),
    seed: fc.nat(),
  });
  it("Conv2D, FusedConv2D, DepthwiseConv2dNative and FusedDepthwiseConv2D on random shapes and strides", async () => {
    await fc.assert(
      fc.asyncProperty(sameCase, async (c) => {
        const [kh, kw, k] = c.filter;
        const x = values(c.shape, c.seed);
        const w = values([kh, kw, c.shape[3], k], c.seed + 1);
        const b = values([k], c.seed + 2);
        const d = values([kh, kw, c.shape[3], 1], c.seed + 3);
        const t = () => [tf.tensor4d(x, c.shape), tf.tensor4d(w, [kh, kw, c.shape[3], k]), tf.tensor1d(b)] as const;
        await expectSameOnBoth(() => tf.conv2d(t()[0], t()[1], c.strides, "same"));
        await expectSameOnBoth(() =>
          tf.fused.conv2d({ x: t()[0], filter: t()[1], strides: c.strides, pad: "same", bias: t()[2], activation: "relu" }),
        );
        await expectSameOnBoth(() => tf.depthwiseConv2d(t()[0], tf.tensor4d(d, [kh, kw, c.shape[3], 1]), c.strides, "same"));
        await expectSameOnBoth(() =>
          tf.fused.depthwiseConv2d({
            x: t()[0],
            filter: tf.tensor4d(d, [kh, kw, c.shape[3], 1]),
            strides: c.strides,
            pad: "same",
            activation: "relu",
          }),
        );
      }),
      { numRuns: RUNS },
    );
  });
  it("a numeric pad with a window that is not square (dilated 2×1) no longer makes the stock kernel write past its output", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor4d(values([3, 8, 9, 8], 61), [3, 8, 9, 8]);
    const w = tf.tensor4d(values([4, 4, 8, 12], 62), [4, 4, 8, 12]);
    const before = tf.memory().numBytes;
    for (let i = 0; i < 20; i++) {
      const y = tf.conv2d(x, w, 1, 0, "NHWC", [2, 1]);
      expect(y.shape).toEqual([3, 2, 6, 12]); // the real size: 8 − 7 + 1 rows, 9 − 4 + 1 columns
      expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
      y.dispose();
      tf.tidy(() => tf.add(tf.ones([1000]), 1).dataSync()); // the heap still works
    }
    expect(tf.memory().numBytes).toBe(before);
    tf.dispose([x, w]);
  });
  it("the case the stock kernel gets wrong: a 2×1 kernel with strides 1×2 on a 1×2 image", async () => {
    await expectSameOnBoth(() => tf.conv2d(tf.tensor4d([1, 2], [1, 1, 2, 1]), tf.tensor4d([1, 10], [2, 1, 1, 1]), [1, 2], "same"));
  });
});

describe("Identity (the engine's copy of every tensor a gradient keeps)", () => {
  it("shares its input's numbers on wasm, and they outlive the input", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = run("Identity", { x }, {});
    const backend = tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } | undefined } };
    expect(y.dataId).toBe(x.dataId);
    expect(backend.dataIdMap.get(y.dataId)?.memoryOffset).toBe(backend.dataIdMap.get(x.dataId)?.memoryOffset);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(y.shape).toEqual([2, 3]);
    y.dispose();
  });
  it("equals the cpu kernel through tf.clone and a custom gradient that saves its inputs", async () => {
    const v = values([3, 4], 21);
    await expectSameOnBoth(() => tf.clone(tf.tensor2d(v, [3, 4])), true);
    const square = tf.customGrad((x, save) => {
      const t = x as tf.Tensor;
      (save as tf.GradSaveFunc)([t]);
      return { value: tf.square(t), gradFunc: (dy, saved) => tf.mul(dy, tf.mul(saved[0], 2)) };
    });
    await expectSameOnBoth(() => tf.grad((x) => tf.sum(square(x) as tf.Tensor))(tf.tensor2d(v, [3, 4])));
  });
  it("leaks nothing: a thousand clones disposed leave the backend's data as it was", async () => {
    await tf.setBackend("wasm");
    const x = tf.ones([1000]);
    const before = tf.backend().numDataIds();
    for (let i = 0; i < 1000; i++) tf.clone(x).dispose();
    expect(tf.backend().numDataIds()).toBe(before);
    x.dispose();
    expect(tf.backend().numDataIds()).toBe(before - 1);
  });
});

describe("ActivationBiasGrad (z̄ = ȳ·f′ and b̄ = Σ z̄, the course's own kernel) equals the same ops on cpu", () => {
  const gradCase = fc.record({
    shape: fc.array(size(6), { minLength: 1, maxLength: 4 }),
    activation: fc.constantFrom("linear", "relu", "tanh", "sigmoid"),
    bias: fc.boolean(),
    seed: fc.nat(),
  });
  const reference = (dy: tf.Tensor, y: tf.Tensor, activation: string): tf.Tensor =>
    activation === "tanh"
      ? tf.mul(dy, tf.sub(1, tf.square(y)))
      : activation === "sigmoid"
        ? tf.mul(dy, tf.mul(y, tf.sub(1, y)))
        : activation === "relu"
          ? tf.mul(dy, tf.step(y))
          : dy;
  it("on random shapes (channel counts with and without a multiple of 4), activations, with and without a bias", async () => {
    await fc.assert(
      fc.asyncProperty(gradCase, async (c) => {
        const dy = values(c.shape, c.seed);
        const y = values(c.shape, c.seed + 1, c.activation === "relu" ? 4 : 0); // relu: exact zeros among the outputs
        const expected = await on("cpu", () => {
          const dz = reference(tf.tensor(dy, c.shape), tf.tensor(y, c.shape), c.activation);
          return tf.concat([
            tf.reshape(dz, [-1]),
            c.bias
              ? tf.sum(
                  dz,
                  c.shape.slice(0, -1).map((_, i) => i),
                )
              : tf.zeros([0]),
          ]);
        });
        const actual = await on("wasm", () => {
          const out = tf
            .engine()
            .runKernel(
              "ActivationBiasGrad",
              { dy: tf.tensor(dy, c.shape), y: tf.tensor(y, c.shape) },
              { activation: c.activation, bias: c.bias },
            );
          if (!Array.isArray(out)) throw new Error("one output");
          expect(out[0].shape).toEqual(c.shape);
          expect(out[1].shape).toEqual([c.bias ? c.shape[c.shape.length - 1] : 0]);
          return tf.concat([tf.reshape(out[0], [-1]), out[1]]);
        });
        expect(actual.length).toBe(expected.length);
        const scale = 1 + expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expected.forEach((v, i) => expect(Math.abs(actual[i] - v)).toBeLessThanOrEqual(TOLERANCE * scale));
      }),
      { numRuns: RUNS },
    );
  });
  it("refuses an unknown activation and mismatched shapes, naming the kernel", async () => {
    await tf.setBackend("wasm");
    const [a, b] = [tf.zeros([2, 3]), tf.zeros([3, 2])];
    expect(() => tf.engine().runKernel("ActivationBiasGrad", { dy: a, y: a }, { activation: "swish", bias: true })).toThrow(
      'ActivationBiasGrad: attribute activation must be linear, relu, tanh or sigmoid, got "swish"',
    );
    expect(() => tf.engine().runKernel("ActivationBiasGrad", { dy: a, y: b }, { activation: "tanh", bias: true })).toThrow(
      "ActivationBiasGrad: y must have shape [2, 3], got [3, 2]",
    );
    tf.dispose([a, b]);
  });
});

describe("the course's native module (assembly/kernels.ts → dist/native.wasm)", () => {
  /** The ids of a wasm binary's sections (1 type, 2 import, 5 memory, 6 global, 7 export, 10 code, 11 data…). */
  function sections(bytes: Uint8Array): number[] {
    const ids: number[] = [];
    let at = 8; // magic and version
    while (at < bytes.length) {
      const id = bytes[at++];
      let size = 0;
      for (let shift = 0; ; shift += 7) {
        const b = bytes[at++];
        size |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
      ids.push(id);
      at += size;
    }
    return ids;
  }
  it("both builds import the backend's memory and nothing else, and have no memory, globals or data of their own", () => {
    for (const file of [NATIVE_WASM, NATIVE_RELAXED_WASM]) {
      const bytes = new Uint8Array(readFileSync(file));
      const module = new WebAssembly.Module(bytes);
      expect(WebAssembly.Module.imports(module)).toEqual([{ module: "env", name: "memory", kind: "memory" }]);
      expect(WebAssembly.Module.exports(module).every((e) => e.kind === "function")).toBe(true);
      const ids = sections(bytes);
      expect(ids).toContain(10); // it has code
      for (const id of [5, 6, 11]) expect(ids).not.toContain(id);
    }
  });
  it("relaxed SIMD is on in this Node, so the kernels run native-relaxed.wasm; DL_BY_HAND_SIMD=plain keeps native.wasm", () => {
    expect(relaxedSimd()).toBe(true);
    expect(nativeWasmFile()).toBe(NATIVE_RELAXED_WASM);
    const before = process.env.DL_BY_HAND_SIMD;
    process.env.DL_BY_HAND_SIMD = "plain";
    try {
      expect(relaxedSimd()).toBe(false);
      expect(nativeWasmFile()).toBe(NATIVE_WASM);
    } finally {
      if (before === undefined) delete process.env.DL_BY_HAND_SIMD;
      else process.env.DL_BY_HAND_SIMD = before;
    }
  });
  it("a forward pass with fewer than 8 kernels writes nothing past its output (the last pixels' sums go through scratch)", () => {
    for (const kernels of [1, 3, 6, 7]) {
      const memory = new WebAssembly.Memory({ initial: 16 });
      const f = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(nativeWasmFile())), { env: { memory } }).exports as Record<
        string,
        CallableFunction
      >;
      const heap = new Float32Array(memory.buffer);
      const g = [2, 6, 7, 1, 3, 3, 1, 1, 6, 7, 1, 1]; // 'same': 84 output pixels
      const [x, w, b, scratch, z] = [0, 1000, 1100, 1200, 60_000]; // in numbers; z last, then the sentinels
      heap.set(values([2, 6, 7, 1], 51), x);
      heap.set(values([3, 3, 1, kernels], 52), w);
      heap.set(values([kernels], 53), b);
      const count = 84 * kernels;
      heap.fill(12345, z + count, z + count + 64);
      f.convForward(x * 4, w * 4, b * 4, z * 4, scratch * 4, kernels, 1, ...g);
      expect(Array.from(heap.subarray(z + count, z + count + 64)).every((v) => v === 12345)).toBe(true);
      expect(heap.subarray(z, z + count).every((v) => v !== 12345 && Number.isFinite(v))).toBe(true);
    }
  });
  it("a fresh process that refuses the v8 module (as the grader's kernels do) loads the plain build", () => {
    const script = [
      'const Module = require("module");',
      "const load = Module._load;",
      'Module._load = function (request, ...rest) { if (request === "v8" || request === "node:v8") throw new Error("refused"); return load.call(this, request, ...rest); };',
      `const native = require(${JSON.stringify(join(__dirname, "..", "dist", "train", "native.js"))});`,
      "console.log(JSON.stringify({ relaxed: native.relaxedSimd(), file: native.nativeWasmFile() }));",
    ].join("\n");
    const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, DL_BY_HAND_SIMD: "" } });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({ relaxed: false, file: NATIVE_WASM });
  });
  it("the plain build computes what the relaxed one does, function by function (within float rounding)", () => {
    /** Runs `call` on a fresh memory holding `arrays` (at 16-byte aligned offsets), returns the memory's numbers after. */
    const runOn = (file: string, arrays: Float32Array[], call: (f: Record<string, CallableFunction>, at: number[]) => void) => {
      const memory = new WebAssembly.Memory({ initial: 64 });
      const f = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), { env: { memory } }).exports as Record<
        string,
        CallableFunction
      >;
      const heap = new Float32Array(memory.buffer);
      const at: number[] = [];
      let next = 16;
      for (const a of arrays) {
        at.push(next * 4);
        heap.set(a, next);
        next += (a.length + 3) & ~3;
      }
      at.push(next * 4); // free memory after the arrays: outputs and scratch
      call(f, at);
      return Float32Array.from(heap.subarray(0, next + 200_000));
    };
    // LeNet-5's C3 on 3 images, padded by 1 on every side, stride 1: geometry (n, h, w, c, kh, kw, top, left, outH, outW, strides)
    const g = [3, 14, 14, 6, 5, 5, 1, 1, 12, 12, 1, 1];
    const x = values([3, 14, 14, 6], 41);
    const w = values([5, 5, 6, 16], 42);
    const b = values([16], 43);
    const dy = values([3, 12, 12, 16], 44);
    const x1 = values([3, 14, 14, 1], 45);
    const w1 = values([5, 5, 1, 6], 46);
    const dy1 = values([3, 12, 12, 6], 47);
    const OUT = 60_000; // numbers of the output region, after which scratch starts
    const calls: [string, (f: Record<string, CallableFunction>, at: number[]) => void][] = [
      ["convForward", (f, at) => f.convForward(at[0], at[1], at[2], at[7], at[7] + OUT * 4, 16, 1, ...g)],
      ["convFilter", (f, at) => f.convFilter(at[0], at[3], at[7], at[7] + OUT * 4, 16, ...g)],
      ["convInput", (f, at) => f.convInput(at[3], at[1], at[7], at[7] + OUT * 4, 16, ...g)],
      [
        "convForward (one channel, 6 kernels)",
        (f, at) => f.convForward(at[4], at[5], at[2], at[7], at[7] + OUT * 4, 6, 1, 3, 14, 14, 1, 5, 5, 1, 1, 12, 12, 1, 1),
      ],
      [
        "convFilter (one channel, 6 kernels)",
        (f, at) => f.convFilter(at[4], at[6], at[7], at[7] + OUT * 4, 6, 3, 14, 14, 1, 5, 5, 1, 1, 12, 12, 1, 1),
      ],
      ["matmul", (f, at) => f.matmul(at[0], at[1], at[7], at[2], 18, 150, 16, 1)], // x's first 18 × 150 numbers times W as [150, 16]
    ];
    for (const [name, call] of calls) {
      const arrays = [x, w, b, dy, x1, w1, dy1];
      const plain = runOn(NATIVE_WASM, arrays, call);
      const relaxed = runOn(NATIVE_RELAXED_WASM, arrays, call);
      const start = arrays.reduce((a, v) => a + ((v.length + 3) & ~3), 16);
      const out = plain.subarray(start, start + OUT);
      const other = relaxed.subarray(start, start + OUT);
      let worst = 0;
      let nonzero = 0;
      for (let i = 0; i < OUT; i++) {
        worst = Math.max(worst, Math.abs(out[i] - other[i]));
        if (out[i] !== 0) nonzero++;
      }
      expect(nonzero, name).toBeGreaterThan(100);
      expect(worst, name).toBeLessThan(1e-4);
    }
  });
});

describe("useFastBackend", () => {
  it("switches to wasm with every custom kernel registered, and a second call changes nothing", async () => {
    expect(await useFastBackend()).toBe("wasm");
    expect(await useFastBackend()).toBe("wasm");
    for (const kernel of fastKernels) expect(tf.getKernel(kernel.kernelName, "wasm")).toBe(kernel);
    expect(fastKernels.map((k) => k.kernelName)).toContain("Conv2DBackpropFilter");
  });

  it("a custom kernel refuses another backend by name", () => {
    const kernel = fastKernels[0];
    expect(() => kernel.kernelFunc({ inputs: {}, backend: {}, attrs: {} })).toThrow(`${kernel.kernelName}: runs on the wasm backend only`);
  });
});
