// Figure builders: plain plotly figures whose traces, axes and annotations match their input.
import { describe, expect, it } from "vitest";
import { plot } from "../src/index";
import type { Figure } from "../src/index";

const {
  barFigure,
  confusionMatrixFigure,
  decisionBoundaryFigure,
  imageFigure,
  imageGridFigure,
  lineFigure,
  matrixFigure,
  matrixRowFigure,
  slidingWindowFigure,
} = plot;

const X1 = [
  [9, 9, 3, 3, 4],
  [9, 3, 3, 4, 5],
  [9, 3, 3, 5, 5],
  [9, 3, 3, 4, 5],
  [9, 9, 3, 3, 4],
];
const W = [
  [-1, 0, 1],
  [-1, 0, 1],
  [-1, 0, 1],
];
const Y = [
  [-18, -3, 5],
  [-18, 4, 6],
  [-18, -3, 5],
];

/** The labels written in the cells of trace `panel`, row by row. */
function cellTexts(fig: Figure, panel: number): string[][] {
  const text: unknown = fig.data[panel].text;
  if (!Array.isArray(text)) throw new Error(`trace ${panel} has no cell texts`);
  const rows: string[][] = [];
  for (const row of text) {
    if (!Array.isArray(row)) throw new Error(`trace ${panel} has no cell texts`);
    rows.push(row.map(String));
  }
  expect(fig.data[panel].texttemplate).toBe("%{text}");
  return rows;
}

function axis(fig: Figure, name: string): Record<string, unknown> {
  const a = fig.layout[name];
  if (typeof a !== "object" || a === null) throw new Error(`no layout.${name}`);
  return { ...a };
}

describe("matrixFigure", () => {
  it("is one heatmap whose cell labels equal the matrix", () => {
    const fig = matrixFigure(X1, { title: "x1" });
    expect(fig.data).toHaveLength(1);
    expect(fig.data[0].type).toBe("heatmap");
    expect(fig.data[0].z).toEqual(X1);
    expect(cellTexts(fig, 0)).toEqual(X1.map((row) => row.map(String)));
    expect(fig.layout.title?.text).toBe("x1");
  });

  it("centres the diverging colour scale on 0", () => {
    const fig = matrixFigure([
      [-2, 0],
      [1, 5],
    ]);
    expect(fig.data[0].zmin).toBe(-5);
    expect(fig.data[0].zmax).toBe(5);
  });

  it("writes expressions instead of values, and decimals for fractions", () => {
    const text = [["-6 - 6 - 6", "-6 + 1 + 2"]];
    expect(cellTexts(matrixFigure([[-18, -3]], { text }), 0)).toEqual(text);
    expect(cellTexts(matrixFigure([[7 / 9, -1 / 9]]), 0)).toEqual([["0.78", "-0.11"]]);
  });

  it("outlines the window, rows top to bottom", () => {
    const fig = matrixFigure(X1, { window: { row: 1, col: 2, rows: 3, cols: 3 } });
    expect(fig.layout.shapes).toHaveLength(1);
    const s = fig.layout.shapes?.[0];
    expect([s?.x0, s?.x1, s?.y0, s?.y1]).toEqual([1.5, 4.5, 0.5, 3.5]);
    expect(axis(fig, "yaxis").range).toEqual([4.5, -0.5]);
  });

  it("rejects bad input naming the argument", () => {
    expect(() => matrixFigure([[1, 2], [3]])).toThrow(/matrixFigure: values must be rectangular/);
    expect(() => matrixFigure([])).toThrow(/matrixFigure: values must be a non-empty matrix/);
    expect(() => matrixFigure([[1, 2]], { window: { row: 0, col: 1, rows: 1, cols: 2 } })).toThrow(/does not fit a 1×2 matrix/);
    expect(() => matrixFigure([[1, 2]], { text: [["a"]] })).toThrow(/options.text must be 1×2 strings/);
  });
});

describe("matrixRowFigure", () => {
  const fig = matrixRowFigure(
    [
      { values: X1, caption: "input" },
      { values: W, caption: "kernel" },
      { values: Y, caption: "output" },
    ],
    { title: "input ⊛ kernel = output" },
  );

  it("has one heatmap per matrix on its own axes", () => {
    expect(fig.data.map((t) => [t.type, t.xaxis, t.yaxis])).toEqual([
      ["heatmap", "x", "y"],
      ["heatmap", "x2", "y2"],
      ["heatmap", "x3", "y3"],
    ]);
    expect([axis(fig, "xaxis").title, axis(fig, "xaxis2").title, axis(fig, "xaxis3").title].map((t) => JSON.stringify(t))).toEqual(
      ["input", "kernel", "output"].map((c) => expect.stringContaining(`"text":"${c}"`)),
    );
  });

  it("labels every cell of every matrix with its value and puts ⊛ and = between them", () => {
    expect(cellTexts(fig, 0)).toEqual(X1.map((r) => r.map(String)));
    expect(cellTexts(fig, 1)).toEqual(W.map((r) => r.map(String)));
    expect(cellTexts(fig, 2)).toEqual(Y.map((r) => r.map(String)));
    const ops = (fig.layout.annotations ?? []).filter((a) => a.xref === "paper").map((a) => a.text);
    expect(ops).toEqual(["⊛", "="]);
  });

  it("places the panels left to right without overlap", () => {
    const domains = ["xaxis", "xaxis2", "xaxis3"].map((n) => axis(fig, n).domain);
    const flat = domains.flatMap((d) => (Array.isArray(d) ? d : []));
    expect(flat).toHaveLength(6);
    for (let i = 1; i < flat.length; i++) expect(flat[i]).toBeGreaterThan(flat[i - 1]);
    expect(flat[0]).toBe(0);
    expect(flat[5]).toBeCloseTo(1);
  });

  it("rejects too many operators", () => {
    expect(() => matrixRowFigure([{ values: W }], { operators: ["="] })).toThrow(/matrixRowFigure: operators must be at most 0 strings/);
  });
});

describe("slidingWindowFigure", () => {
  const steps = [0, 1, 2].flatMap((r) =>
    [0, 1, 2].map((c) => ({
      window: { row: r, col: c, rows: 3, cols: 3 },
      cell: { row: r, col: c },
      text: `= ${Y[r][c]}`,
    })),
  );
  const fig = slidingWindowFigure({ input: X1, kernel: W, output: Y, steps });

  it("has a frame per step, and a slider step per frame", () => {
    expect(fig.frames).toHaveLength(9);
    const sliders = fig.layout.sliders;
    expect(Array.isArray(sliders) && sliders.length === 1).toBe(true);
    const sliderSteps = Array.isArray(sliders) ? sliders[0].steps : [];
    expect(sliderSteps.map((s: { args: string[][] }) => s.args[0][0])).toEqual(fig.frames?.map((f) => f.name));
  });

  it("fills the output one cell per frame and moves the window", () => {
    const frames = fig.frames ?? [];
    const filled = frames.map((f) => (f.data?.[0].z ?? []).flat().filter((v) => v !== null).length);
    expect(filled).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(frames[1].data?.[0].text).toEqual([
      ["-18", "-3", ""],
      ["", "", ""],
      ["", "", ""],
    ]);
    expect(frames[8].data?.[0].z).toEqual(Y);
    expect(frames.map((f) => f.traces)).toEqual(frames.map(() => [2]));
    const windows = frames.map((f) => [f.layout?.shapes?.[0].x0, f.layout?.shapes?.[0].y0]);
    expect(windows[4]).toEqual([0.5, 0.5]);
    expect(fig.data).toHaveLength(3);
  });

  it("works without a kernel (pooling) and rejects windows outside the input", () => {
    const pooled = slidingWindowFigure({
      input: [
        [1, 2],
        [3, 4],
      ],
      output: [[4]],
      steps: [{ window: { row: 0, col: 0, rows: 2, cols: 2 }, cell: { row: 0, col: 0 } }],
      operator: "max",
    });
    expect(pooled.data).toHaveLength(2);
    expect(() =>
      slidingWindowFigure({
        input: W,
        kernel: W,
        output: [[0]],
        steps: [{ window: { row: 1, col: 0, rows: 3, cols: 3 }, cell: { row: 0, col: 0 } }],
      }),
    ).toThrow(/slidingWindowFigure: steps\[0\].window .* does not fit the 3×3 input/);
  });
});

describe("imageFigure and imageGridFigure", () => {
  it("draws a small grayscale image as a heatmap with square pixels", () => {
    const fig = imageFigure(X1, { title: "x1" });
    expect(fig.data[0].type).toBe("heatmap");
    expect(fig.data[0].z).toEqual(X1);
    expect(axis(fig, "yaxis").scaleanchor).toBe("x");
    expect(axis(fig, "xaxis").range).toEqual([-0.5, 4.5]);
  });

  it("draws a large or colour image as a PNG, shrunk to maxSide", () => {
    const data = new Uint8Array(300 * 200 * 3).map((_, i) => i % 256);
    const fig = imageFigure({ data, shape: [300, 200, 3] }, { maxSide: 100 });
    const t = fig.data[0];
    expect(t.type).toBe("image");
    expect(String(t.source).startsWith("data:image/png;base64,")).toBe(true);
    expect(t.dx).toBe(3);
    expect(axis(fig, "yaxis").range).toEqual([299.5, -0.5]);
  });

  it("puts one trace and one title per image in a grid", () => {
    const fig = imageGridFigure(
      [
        { image: W, title: "W" },
        { image: X1, title: "x1" },
        { image: Y, title: "y" },
      ],
      { columns: 2 },
    );
    expect(fig.data.map((t) => t.xaxis)).toEqual(["x", "x2", "x3"]);
    expect((fig.layout.annotations ?? []).map((a) => a.text)).toEqual(["W", "x1", "y"]);
    const d = (n: string) => axis(fig, n).domain;
    expect(d("yaxis3")).not.toEqual(d("yaxis"));
  });

  it("rejects a shape that does not match the data", () => {
    expect(() => imageFigure({ data: new Uint8Array(10), shape: [2, 2] })).toThrow(
      /imageFigure: image.data has 10 values, shape \[2, 2\] needs 4/,
    );
  });
});

describe("charts", () => {
  it("lineFigure: one scatter trace per series with its name and axes", () => {
    const fig = lineFigure(
      [
        { name: "loss", y: [1, 0.5] },
        { name: "accuracy", y: Float32Array.from([0.5, 0.75]), x: [1, 2] },
      ],
      { xLabel: "epoch", yScale: "log" },
    );
    expect(fig.data.map((t) => [t.type, t.name])).toEqual([
      ["scatter", "loss"],
      ["scatter", "accuracy"],
    ]);
    expect(fig.data[0].x).toEqual([0, 1]);
    expect(fig.data[1].y).toEqual([0.5, 0.75]);
    expect(JSON.stringify(axis(fig, "xaxis").title)).toContain("epoch");
    expect(axis(fig, "yaxis").type).toBe("log");
    expect(() => lineFigure([{ name: "a", y: [1, 2], x: [1] }])).toThrow(/lineFigure: series\[0\] has 1 x values but 2 y values/);
  });

  it("barFigure: one bar trace with the values written on the bars", () => {
    const fig = barFigure(["C1", "C3"], [156, 2416]);
    expect(fig.data).toHaveLength(1);
    expect(fig.data[0].type).toBe("bar");
    expect(fig.data[0].text).toEqual(["156", "2,416"]);
    expect(() => barFigure(["a"], [1, 2])).toThrow(/barFigure: 1 labels but 2 values/);
  });

  it("confusionMatrixFigure: counts annotated, true classes down, predicted across", () => {
    const counts = [
      [5, 1, 0],
      [2, 7, 1],
      [0, 0, 9],
    ];
    const fig = confusionMatrixFigure(counts, { labels: ["a", "b", "c"] });
    expect(fig.data).toHaveLength(1);
    expect(cellTexts(fig, 0)).toEqual(counts.map((r) => r.map(String)));
    expect(JSON.stringify(axis(fig, "xaxis").title)).toContain("predicted");
    expect(axis(fig, "yaxis").ticktext).toEqual(["a", "b", "c"]);
    expect(() => confusionMatrixFigure([[1, 2]])).toThrow(/must be square/);
  });

  it("decisionBoundaryFigure: a contour plus one marker trace per class", () => {
    const grid = {
      xs: [0, 0.5, 1],
      ys: [0, 1],
      z: [
        [0, 1, 0],
        [1, 0, 1],
      ],
    };
    const fig = decisionBoundaryFigure(grid, { x: [0, 0, 1, 1], y: [0, 1, 0, 1], label: [0, 1, 1, 0] });
    expect(fig.data.map((t) => t.type)).toEqual(["contour", "scatter", "scatter"]);
    expect(fig.data[1].x).toEqual([0, 1]);
    expect(fig.data[2].y).toEqual([1, 0]);
    expect(() => decisionBoundaryFigure({ ...grid, xs: [0, 1] }, { x: [], y: [], label: [] })).toThrow(/grid.z is 2×3 but needs/);
  });
});
