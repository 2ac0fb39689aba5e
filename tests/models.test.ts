import { describe, expect, it } from "vitest";
import { tf } from "../src/tf";
import {
  convLayer,
  countParams,
  denseLayer,
  flattenLayer,
  inputLayer,
  modelSummary,
  poolLayer,
  propagateShapes,
  type ModelSpec,
} from "../src/layers";
import {
  alexnet,
  kerasDigitModel,
  kerasDigitModelCorrected,
  lenet5,
  toTfModel,
  weightSharingConv,
  weightSharingDense,
} from "../src/models";

describe("worked example 16 (lecture 001): LeNet-5", () => {
  it("C1 156, C3 2,416, C5 48,120, FC1 10,164, FC2 850, total 61,706, with the slides' formulas", () => {
    const s = modelSummary(lenet5());
    const withParams = s.rows.filter((r) => r.total > 0);
    expect(withParams.map((r) => r.name)).toEqual(["C1", "C3", "C5", "FC1", "FC2"]);
    expect(withParams.map((r) => r.formula)).toEqual([
      "6 × 1 × 5 × 5 + 6 = 156",
      "16 × 6 × 5 × 5 + 16 = 2,416",
      "120 × 16 × 5 × 5 + 120 = 48,120",
      "120 × 84 + 84 = 10,164",
      "84 × 10 + 10 = 850",
    ]);
    expect(s.totalParams).toBe(61_706);
  });
  it("maps 32×32×1 → 28×28×6 → 14×14×6 → 10×10×16 → 5×5×16 → 120 → 84 → 10, tanh and average pooling", () => {
    const steps = propagateShapes(lenet5());
    expect(steps.map((s) => s.outputShape)).toEqual([[28, 28, 6], [14, 14, 6], [10, 10, 16], [5, 5, 16], [1, 1, 120], [120], [84], [10]]);
    for (const s of steps) {
      if (s.layer.kind === "pool") expect(s.layer.mode).toBe("avg");
      if (s.layer.kind === "conv2d") expect(s.layer.activation).toBe("tanh");
    }
    expect(steps[steps.length - 1].layer).toMatchObject({ kind: "dense", activation: "softmax" });
  });
  it("the 28×28 variant pads C1 by 2 and keeps every count", () => {
    const steps = propagateShapes(lenet5({ inputSize: 28 }));
    expect(steps[0].working).toBe("28×28×1 → conv 5×5, 6 filters, pad 2 → 28×28×6");
    expect(countParams(lenet5({ inputSize: 28 }))).toBe(61_706);
    expect(() => lenet5({ inputSize: 30 as 28 })).toThrow("lenet5: inputSize must be 32 or 28, got 30");
  });
  it("has fewer parameters than one FC layer of 80 neurons on 28×28 (62,720 weights)", () => {
    const fc80 = countParams({ name: "fc80", layers: [inputLayer([28, 28, 1]), flattenLayer(), denseLayer({ units: 80, bias: false })] });
    expect(fc80).toBe(62_720);
    expect(countParams(lenet5())).toBeLessThan(fc80);
  });
});

describe("worked example 17 (lecture 002): the Keras digit model", () => {
  it("reproduces the slide's table", () => {
    const s = modelSummary(kerasDigitModel());
    expect(s.rows.map((r) => [r.name, r.outputShape, r.total])).toEqual([
      ["conv2d_6", [28, 28, 8], 208],
      ["max_pooling2d_6", [14, 14, 8], 0],
      ["dropout_9", [14, 14, 8], 0],
      ["conv2d_7", [14, 14, 16], 1168],
      ["max_pooling2d_7", [7, 7, 16], 0],
      ["dropout_10", [7, 7, 16], 0],
      ["flatten_3", [784], 0],
      ["dense_6", [256], 200960],
      ["dropout_11", [256], 0],
      ["dense_7", [100], 25700],
      ["reshape", [10, 10, 1], 0],
    ]);
    expect(s.rows[0].formula).toBe("8 × 1 × 5 × 5 + 8 = 208");
    expect(s.rows[3].formula).toBe("16 × 8 × 3 × 3 + 16 = 1,168");
    expect(s.totalParams).toBe(228_036);
  });
  it("the corrected model ends in 10 softmax outputs", () => {
    const s = modelSummary(kerasDigitModelCorrected());
    expect(s.rows[s.rows.length - 1]).toMatchObject({ outputShape: [10], total: 2570 });
    expect(s.totalParams).toBe(228_036 - 25_700 + 2_570);
  });
});

describe("lecture 004's weight-sharing comparison (our stated architecture)", () => {
  it("784 × 84 = 65,856 weights without convolutions, 32,130 with two conv layers of 10 and 20 filters", () => {
    expect(countParams(weightSharingDense())).toBe(65_856);
    const s = modelSummary(weightSharingConv());
    expect(s.rows.filter((r) => r.total > 0).map((r) => r.formula)).toEqual([
      "10 × 1 × 5 × 5 = 250",
      "20 × 10 × 5 × 5 = 5,000",
      "320 × 84 = 26,880",
    ]);
    expect(s.totalParams).toBe(32_130);
  });
});

describe("AlexNet (single tower)", () => {
  it("5 conv + 3 FC layers, 62,378,344 parameters, about 60 M", () => {
    const s = modelSummary(alexnet());
    expect(s.rows.filter((r) => r.type === "conv2d")).toHaveLength(5);
    expect(s.rows.filter((r) => r.type === "dense")).toHaveLength(3);
    expect(s.rows.find((r) => r.name === "pool5")?.outputShape).toEqual([6, 6, 256]);
    expect(s.totalParams).toBe(62_378_344);
  });
});

function crossCheck(spec: ModelSpec): void {
  const net = toTfModel(spec, { seed: 1 });
  try {
    const s = modelSummary(spec);
    for (const row of s.rows) {
      const layer = net.getLayer(row.name);
      expect([row.name, layer.outputShape]).toEqual([row.name, [null, ...row.outputShape]]);
      expect([row.name, layer.countParams()]).toEqual([row.name, row.total]);
    }
    expect(net.countParams()).toBe(s.totalParams);
    expect(net.outputShape).toEqual([null, ...s.rows[s.rows.length - 1].outputShape]);
  } finally {
    net.dispose();
  }
}

describe("every ready-made model matches TensorFlow.js countParams() and output shapes", () => {
  const specs: [string, () => ModelSpec][] = [
    ["LeNet-5", () => lenet5()],
    ["LeNet-5 28×28", () => lenet5({ inputSize: 28 })],
    ["Keras digit model", kerasDigitModel],
    ["Keras digit model corrected", kerasDigitModelCorrected],
    ["weight sharing, dense", weightSharingDense],
    ["weight sharing, conv", () => weightSharingConv()],
    ["AlexNet", alexnet],
  ];
  for (const [name, make] of specs) it(name, () => crossCheck(make()));
  it("explicit per-axis padding, strides and no bias", () => {
    crossCheck({
      name: "odd",
      layers: [
        inputLayer([9, 12, 2]),
        convLayer({ name: "a", filters: 3, kernel: [3, 2], stride: [2, 2], padding: [2, 0], bias: false }),
        poolLayer({ name: "b", mode: "avg", size: 2, stride: 1, padding: "same" }),
        flattenLayer("c"),
        denseLayer({ name: "d", units: 4, bias: false }),
      ],
    });
  });
});

describe("toTfModel", () => {
  it("a seed makes the initial weights repeatable", () => {
    const weights = (seed: number) => {
      const net = toTfModel(lenet5({ inputSize: 28 }), { seed });
      const values = net.getWeights().map((w) => Array.from(w.dataSync()));
      net.dispose();
      return values;
    };
    const a = weights(7);
    expect(weights(7)).toEqual(a);
    expect(weights(8)[0]).not.toEqual(a[0]);
    // layers of the same shape do not start alike
    expect(a[0]).not.toEqual(a[2].slice(0, a[0].length));
  });
  it("LeNet-5 predicts a distribution over 10 digits", () => {
    const net = toTfModel(lenet5({ inputSize: 28 }), { seed: 1 });
    const y = tf.tidy(() => net.predict(tf.ones([2, 28, 28, 1])) as tf.Tensor);
    expect(y.shape).toEqual([2, 10]);
    const sums = tf.tidy(() => y.sum(1).arraySync()) as number[];
    sums.forEach((s) => expect(s).toBeCloseTo(1, 5));
    y.dispose();
    net.dispose();
  });
  it("rejects a bad spec with this module's errors and a non-integer seed", () => {
    expect(() => toTfModel({ name: "bad", layers: [inputLayer([28, 28, 1]), denseLayer({ units: 3 })] })).toThrow(
      "a dense layer needs a flat input",
    );
    expect(() => toTfModel(lenet5(), { seed: 1.5 })).toThrow("toTfModel: seed must be an integer, got 1.5");
  });
});
