import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { tf } from "../src/tf";
import {
  compareFcConv,
  convLayer,
  countParams,
  denseLayer,
  dropoutLayer,
  flattenLayer,
  inputLayer,
  layerParams,
  modelOutputShape,
  modelSummary,
  paramsChartData,
  poolLayer,
  propagateShapes,
  reshapeLayer,
  summaryBundle,
  summaryHtml,
  summaryText,
  type ModelSpec,
} from "../src/layers";

const model = (...layers: ModelSpec["layers"]): ModelSpec => ({ name: "test", layers });

describe("worked example 9 (lecture 001): parameters on a 200×200 RGB image", () => {
  it("a 5×5 kernel on an RGB image has 75 weights", () => {
    const p = layerParams(convLayer({ filters: 1, kernel: 5, bias: false }), [200, 200, 3]);
    expect(p.weights).toBe(75);
    expect(p.formula).toBe("1 × 3 × 5 × 5 = 75");
  });
  it("one fully-connected layer mapping the image to an image needs (200×200×3)² = 14,400,000,000 weights", () => {
    const fcNet = model(inputLayer([200, 200, 3]), flattenLayer(), denseLayer({ units: 200 * 200 * 3, bias: false }));
    expect(countParams(fcNet)).toBe(14_400_000_000);
    const c = compareFcConv({ input: [200, 200, 3], filters: 3, kernel: 5, padding: "same" });
    expect(c.outputShape).toEqual([200, 200, 3]);
    expect(c.fullyConnected.weights).toBe(14_400_000_000);
    expect(c.fullyConnected.formula).toBe("(200 × 200 × 3) × (200 × 200 × 3) = 14,400,000,000");
    expect(c.convolution.weights).toBe(3 * 75);
    expect(c.locallyConnected.weights).toBe(200 * 200 * 3 * 75);
  });
});

describe("worked example 11 (lecture 003)", () => {
  it("3 × 256 × 256 × 1,000 = 196,608,000 weights", () => {
    const net = model(inputLayer([256, 256, 3]), flattenLayer(), denseLayer({ units: 1000, bias: false }));
    const s = modelSummary(net);
    expect(s.totalParams).toBe(196_608_000);
    expect(s.rows[1].formula).toBe("196608 × 1000 = 196,608,000");
  });
});

describe("worked example 14 (lecture 004)", () => {
  it("10×10 input, 5×5 conv stride 1 → 6×6, 2×2 max pool stride 2 → 3×3", () => {
    const steps = propagateShapes(
      model(inputLayer([10, 10, 1]), convLayer({ filters: 1, kernel: 5 }), poolLayer({ mode: "max", size: 2, stride: 2 })),
    );
    expect(steps.map((s) => s.outputShape)).toEqual([
      [6, 6, 1],
      [3, 3, 1],
    ]);
    expect(steps[0].axes).toEqual(["⌊(10 + 0 − 5)/1⌋ + 1 = 6", "⌊(10 + 0 − 5)/1⌋ + 1 = 6"]);
    expect(steps[1].axes[0]).toBe("⌊(6 + 0 − 2)/2⌋ + 1 = 3");
    expect(steps[0].working).toBe("10×10×1 → conv 5×5, 1 filters → 6×6×1");
    expect(steps[1].working).toBe("6×6×1 → max pool 2×2, stride 2 → 3×3×1");
  });
});

describe("shapes and counts", () => {
  it("the issue's working line: 28×28×1 → conv 5×5, 6 filters, pad 2 → 28×28×6", () => {
    const [s] = propagateShapes(model(inputLayer([28, 28, 1]), convLayer({ filters: 6, kernel: 5, padding: 2 })));
    expect(s.working).toBe("28×28×1 → conv 5×5, 6 filters, pad 2 → 28×28×6");
    expect(s.axes[0]).toBe("⌊(28 + 2·2 − 5)/1⌋ + 1 = 28");
  });
  it("'same' keeps ⌈n/s⌉ and per-axis padding and stride work", () => {
    expect(modelOutputShape(model(inputLayer([7, 9, 2]), convLayer({ filters: 4, kernel: 3, stride: 2, padding: "same" })))).toEqual([
      4, 5, 4,
    ]);
    // lecture 000: a 3×2 kernel on a 2×6 input, padding 2 rows × 0 columns, stride 1 × 2 → 4×3
    expect(
      modelOutputShape(model(inputLayer([2, 6, 1]), convLayer({ filters: 1, kernel: [3, 2], stride: [1, 2], padding: [2, 0] }))),
    ).toEqual([4, 3, 1]);
  });
  it("one FC layer of 80 neurons on 28×28 has 62,720 weights", () => {
    expect(countParams(model(inputLayer([28, 28, 1]), flattenLayer(), denseLayer({ units: 80, bias: false })))).toBe(62_720);
  });
  it("bias off drops the + filters term; layers without weights count 0", () => {
    expect(layerParams(convLayer({ filters: 6, kernel: 5 }), [32, 32, 1])).toEqual({
      weights: 150,
      biases: 6,
      total: 156,
      formula: "6 × 1 × 5 × 5 + 6 = 156",
    });
    expect(layerParams(convLayer({ filters: 6, kernel: 5, bias: false }), [32, 32, 1]).total).toBe(150);
    expect(layerParams(poolLayer({ mode: "avg", size: 2 }), [28, 28, 6]).total).toBe(0);
    expect(layerParams(dropoutLayer(0.5), [10]).total).toBe(0);
  });
  it("the summary table as text, HTML and chart data", () => {
    const net = model(
      inputLayer([28, 28, 1]),
      convLayer({ name: "c1", filters: 2, kernel: 3 }),
      flattenLayer("f"),
      denseLayer({ name: "out", units: 3 }),
    );
    const s = modelSummary(net);
    expect(s.totalParams).toBe(2 * 9 + 2 + 26 * 26 * 2 * 3 + 3);
    expect(s.totalWeights + s.totalBiases).toBe(s.totalParams);
    const text = summaryText(s);
    expect(text).toContain("c1 (conv2d)");
    expect(text).toContain("2 × 1 × 3 × 3 + 2 = 20");
    expect(text).toContain(`Total params: ${s.totalParams.toLocaleString("en-US")}`);
    const html = summaryHtml(s);
    expect(html.match(/<tr>/g)?.length).toBe(1 + 3 + 1);
    expect(html).toContain("26×26×2");
    const bundle = summaryBundle(net);
    expect(Object.keys(bundle).sort()).toEqual(["text/html", "text/plain"]);
    expect(paramsChartData(s)).toEqual({ labels: ["c1", "out"], values: [20, 4059] });
  });
  it("HTML escapes layer names", () => {
    expect(summaryHtml(modelSummary(model(inputLayer([4]), denseLayer({ name: "<b>", units: 1 }))))).toContain("&lt;b&gt;");
  });
  it("compareFcConv: without sharing each of the output positions has its own kernel", () => {
    const c = compareFcConv({ input: [28, 28, 1], filters: 6, kernel: 5, bias: true });
    expect(c.outputShape).toEqual([24, 24, 6]);
    expect(c.convolution.weights).toBe(156);
    expect(c.locallyConnected.weights).toBe(24 * 24 * 150 + 24 * 24 * 6);
    expect(c.fullyConnected.weights).toBe(784 * 24 * 24 * 6 + 24 * 24 * 6);
  });
});

describe("shapes agree with TensorFlow.js for random conv and pool layers", () => {
  it("conv2d", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom<"valid" | "same">("valid", "same"),
        (h, w, k, s, padding) => {
          fc.pre(padding === "same" || (k <= h && k <= w));
          const ours = modelOutputShape(model(inputLayer([h, w, 2]), convLayer({ filters: 3, kernel: k, stride: s, padding })));
          const theirs = tf.layers.conv2d({ filters: 3, kernelSize: k, strides: s, padding }).computeOutputShape([null, h, w, 2]);
          expect([null, ...ours]).toEqual(theirs);
        },
      ),
      { numRuns: 200, seed: 6 },
    );
  });
  it("max pooling", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom<"valid" | "same">("valid", "same"),
        (n, k, s, padding) => {
          fc.pre(padding === "same" || k <= n);
          const ours = modelOutputShape(model(inputLayer([n, n, 1]), poolLayer({ mode: "max", size: k, stride: s, padding })));
          const theirs = tf.layers.maxPooling2d({ poolSize: k, strides: s, padding }).computeOutputShape([null, n, n, 1]);
          expect([null, ...ours]).toEqual(theirs);
        },
      ),
      { numRuns: 200, seed: 6 },
    );
  });
});

describe("bad input", () => {
  it("a kernel that no longer fits the shrinking feature map names the layer and the shapes", () => {
    const net = model(
      inputLayer([28, 28, 1]),
      convLayer({ filters: 6, kernel: 5 }),
      poolLayer({ mode: "max", size: 2 }),
      convLayer({ filters: 16, kernel: 5 }),
      poolLayer({ mode: "max", size: 2 }),
      convLayer({ name: "C5", filters: 120, kernel: 5 }),
    );
    expect(() => propagateShapes(net)).toThrow(
      "layers.propagateShapes: layer 5 (conv2d 'C5'): kernel 5×5 does not fit the 4×4 feature map with padding 0",
    );
    expect(() => modelSummary(model(inputLayer([3, 8, 1]), poolLayer({ mode: "avg", size: 4 })))).toThrow(
      "layer 1 (pool 'pool1'): window 4×4 does not fit the 3×8 feature map",
    );
  });
  it("explicit padding that gives a non-integer output size", () => {
    expect(() => propagateShapes(model(inputLayer([28, 28, 1]), convLayer({ filters: 1, kernel: 5, stride: 2, padding: 1 })))).toThrow(
      "output size (28 + 2 − 5)/2 + 1 = 13.5 is not an integer",
    );
    // 'valid' floors as Keras does
    expect(modelOutputShape(model(inputLayer([28, 28, 1]), convLayer({ filters: 1, kernel: 5, stride: 2 })))).toEqual([12, 12, 1]);
  });
  it("a dense layer on an unflattened input", () => {
    expect(() => propagateShapes(model(inputLayer([28, 28, 1]), denseLayer({ units: 10 })))).toThrow(
      "layers.propagateShapes: layer 1 (dense 'dense1'): a dense layer needs a flat input, got 28×28×1; add flattenLayer() before it",
    );
  });
  it("negative or zero sizes, in plain layer objects", () => {
    const image = inputLayer([28, 28, 1]);
    expect(() => propagateShapes(model({ kind: "input", shape: [0, 28, 1] }))).toThrow(
      "layers.propagateShapes: layer 0 (input): shape sizes must be positive integers, got [0, 28, 1]",
    );
    expect(() => propagateShapes(model(image, { kind: "conv2d", filters: 0, kernel: 3 }))).toThrow(
      "layers.propagateShapes: layer 1 (conv2d 'conv2d1'): filters must be a positive integer, got 0",
    );
    expect(() => propagateShapes(model(image, { kind: "conv2d", filters: 2, kernel: -3 }))).toThrow(
      "kernel must be a positive integer, got -3",
    );
    expect(() => propagateShapes(model(image, { kind: "conv2d", filters: 2, kernel: [3, 0] }))).toThrow(
      "kernel must be a positive integer, got 0",
    );
    expect(() => propagateShapes(model(image, { kind: "conv2d", filters: 2, kernel: 3, stride: 0 }))).toThrow(
      "stride must be a positive integer, got 0",
    );
    expect(() => propagateShapes(model(image, { kind: "conv2d", filters: 2, kernel: 3, padding: -1 }))).toThrow(
      "padding must be 'valid', 'same', or integers ≥ 0, got -1",
    );
    expect(() => propagateShapes(model(image, { kind: "pool", mode: "max", size: 0 }))).toThrow("size must be a positive integer, got 0");
    expect(() => propagateShapes(model(inputLayer([10]), { kind: "dense", units: -4 }))).toThrow(
      "units must be a positive integer, got -4",
    );
    expect(() => propagateShapes(model(inputLayer([10]), { kind: "reshape", shape: [5, 0] }))).toThrow(
      "shape sizes must be positive integers",
    );
    expect(() => layerParams(convLayer({ filters: 1, kernel: 1 }), [-1, 2, 3])).toThrow(
      "layers.params: inputShape sizes must be positive integers, got [-1, 2, 3]",
    );
    expect(() => compareFcConv({ input: [28, 28], filters: 1, kernel: 3 })).toThrow("layers.compareFcConv: input must be h×w×c, got 28×28");
    expect(() => compareFcConv({ input: [28, 28, 1], filters: 1, kernel: 30 })).toThrow("kernel 30×30 does not fit the 28×28 feature map");
  });
  it("the constructors reject bad sizes at once, naming themselves", () => {
    expect(() => inputLayer([28, -28, 1])).toThrow("layers.input: shape sizes must be positive integers, got [28, -28, 1]");
    expect(() => convLayer({ filters: 0, kernel: 5 })).toThrow("layers.conv: filters must be a positive integer, got 0");
    expect(() => convLayer({ filters: 6, kernel: 2.5 })).toThrow("layers.conv: kernel must be a positive integer, got 2.5");
    expect(() => poolLayer({ mode: "max", size: 2, stride: -2 })).toThrow("layers.pool: stride must be a positive integer, got -2");
    expect(() => denseLayer({ units: 0 })).toThrow("layers.dense: units must be a positive integer, got 0");
    expect(() => dropoutLayer(-0.1)).toThrow("layers.dropout: rate must be in [0, 1), got -0.1");
    expect(() => reshapeLayer([])).toThrow("layers.reshape: shape must be a non-empty list of sizes");
  });
  it("other mistakes: reshape count, dropout rate, input not first, empty model", () => {
    expect(() => propagateShapes(model(inputLayer([100]), reshapeLayer([10, 10, 2])))).toThrow(
      "cannot reshape 100 (100 values) to 10×10×2 (200 values)",
    );
    expect(() => propagateShapes(model(inputLayer([10]), dropoutLayer(1)))).toThrow("rate must be in [0, 1), got 1");
    expect(() => propagateShapes(model(inputLayer([10]), inputLayer([10])))).toThrow("an input layer may only come first");
    expect(() => propagateShapes(model(flattenLayer()))).toThrow("layers.propagateShapes: layer 0 must be an input layer, got flatten");
    expect(() => propagateShapes({ name: "empty", layers: [] })).toThrow("layers.propagateShapes: model must be");
    expect(() => propagateShapes(model(inputLayer([10]), convLayer({ filters: 1, kernel: 3 })))).toThrow(
      "needs a feature map h×w×c, got 10",
    );
  });
});
