// Lecture 003's X-vs-O pipeline (worked example 10): normalised filtering, ReLU and max pooling
// compared with the slides' two-decimal truncation; pooling modes, edges, argmax and its backprop.
import { describe, expect, it } from "vitest";
import { normalizedFilter } from "../src/conv";
import { outputShape, outputSize, outputSizeWorking } from "../src/geometry";
import { explainCorrelate2d, truncateDecimals } from "../src/explain";
import { activate } from "../src/activations";
import { explainPool2d, maxPool2d, maxPoolBackward, pool2d, poolChannels, poolingWalk } from "../src/pool";

/** The 9×9 X: +1 on both diagonals of the inner 7×7, -1 elsewhere. */
const X = Array.from({ length: 9 }, (_, i) => Array.from({ length: 9 }, (_, j) => (i >= 1 && i <= 7 && (j === i || j === 8 - i) ? 1 : -1)));
const diagonal = [
  [1, -1, -1],
  [-1, 1, -1],
  [-1, -1, 1],
];
const xShape = [
  [1, -1, 1],
  [-1, 1, -1],
  [1, -1, 1],
];
const antiDiagonal = [
  [-1, -1, 1],
  [-1, 1, -1],
  [1, -1, -1],
];

// The slides' maps (lecture 003, "Multi-features" and "Pooling"), as printed.
const slideDiagonal = [
  [0.77, -0.11, 0.11, 0.33, 0.55, -0.11, 0.33],
  [-0.11, 1.0, -0.11, 0.33, -0.11, 0.11, -0.11],
  [0.11, -0.11, 1.0, -0.33, 0.11, -0.11, 0.55],
  [0.33, 0.33, -0.33, 0.55, -0.33, 0.33, 0.33],
  [0.55, -0.11, 0.11, -0.33, 1.0, -0.11, 0.11],
  [-0.11, 0.11, -0.11, 0.33, -0.11, 1.0, -0.11],
  [0.33, -0.11, 0.55, 0.33, 0.11, -0.11, 0.77],
];
const slideX = [
  [0.33, -0.55, 0.11, -0.11, 0.11, -0.55, 0.33],
  [-0.55, 0.55, -0.55, 0.33, -0.55, 0.55, -0.55],
  [0.11, -0.55, 0.55, -0.77, 0.55, -0.55, 0.11],
  [-0.11, 0.33, -0.77, 1.0, -0.77, 0.33, -0.11],
  [0.11, -0.55, 0.55, -0.77, 0.55, -0.55, 0.11],
  [-0.55, 0.55, -0.55, 0.33, -0.55, 0.55, -0.55],
  [0.33, -0.55, 0.11, -0.11, 0.11, -0.55, 0.33],
];
const slideAnti = [
  [0.33, -0.11, 0.55, 0.33, 0.11, -0.11, 0.77],
  [-0.11, 0.11, -0.11, 0.33, -0.11, 1.0, -0.11],
  [0.55, -0.11, 0.11, -0.33, 1.0, -0.11, 0.11],
  [0.33, 0.33, -0.33, 0.55, -0.33, 0.33, 0.33],
  [0.11, -0.11, 1.0, -0.33, 0.11, -0.11, 0.55],
  [-0.11, 1.0, -0.11, 0.33, -0.11, 0.11, -0.11],
  [0.77, -0.11, 0.11, 0.33, 0.55, -0.11, 0.33],
];
const slidePooled = [
  [
    [1.0, 0.33, 0.55, 0.33],
    [0.33, 1.0, 0.33, 0.55],
    [0.55, 0.33, 1.0, 0.11],
    [0.33, 0.55, 0.11, 0.77],
  ],
  [
    [0.55, 0.33, 0.55, 0.33],
    [0.33, 1.0, 0.55, 0.11],
    [0.55, 0.55, 0.55, 0.11],
    [0.33, 0.11, 0.11, 0.33],
  ],
  [
    [0.33, 0.55, 1.0, 0.77],
    [0.55, 0.55, 1.0, 0.33],
    [1.0, 1.0, 0.11, 0.55],
    [0.77, 0.33, 0.55, 0.33],
  ],
];
const slideReluDiagonalRow0 = [0.77, 0, 0.11, 0.33, 0.55, 0, 0.33];

describe("lecture 003: X vs O (example 10)", () => {
  const maps = [diagonal, xShape, antiDiagonal].map((f) => normalizedFilter(X, f));

  it("the three feature maps equal the slides after cutting to two decimals", () => {
    expect(maps[0][0].slice(0, 2)).toEqual([7 / 9, -1 / 9]);
    expect(truncateDecimals(maps[0])).toEqual(slideDiagonal);
    expect(truncateDecimals(maps[1])).toEqual(slideX);
    expect(truncateDecimals(maps[2])).toEqual(slideAnti);
  });

  it("the slide's working of one match: (1 + 1 - 1 + 1 + 1 + 1 - 1 + 1 + 1)/9 = .55", () => {
    // The slide's frame: a patch where the diagonal feature disagrees in two pixels.
    const e = explainCorrelate2d(X, diagonal, { normalize: true });
    const cell = e.cells.flat().find((c) => c.terms === "1 + 1 - 1 + 1 + 1 + 1 - 1 + 1 + 1");
    expect(cell?.value).toBeCloseTo(5 / 9, 12);
    expect(cell?.working).toBe("(1 + 1 - 1 + 1 + 1 + 1 - 1 + 1 + 1)/9 = 0.56");
    expect(e.cells[0][0].working).toBe("(-1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1)/9 = 0.78");
  });

  it("ReLU replaces the negatives by 0", () => {
    const rectified = maps.map((m) => activate(m, "relu"));
    expect(truncateDecimals(rectified[0][0])).toEqual(slideReluDiagonalRow0);
    for (const m of rectified) for (const v of m.flat()) expect(v).toBeGreaterThanOrEqual(0);
    expect(truncateDecimals(rectified[1][3])).toEqual([0, 0.33, 0, 1, 0, 0.33, 0]);
  });

  it("2×2 max pooling with stride 2, keeping the partial edge windows: 7×7 → 4×4", () => {
    expect(outputSize({ input: 7, kernel: 2, stride: 2, edges: "keep" })).toBe(4);
    expect(outputSize({ input: 7, kernel: 2, stride: 2 })).toBe(3);
    expect(outputSizeWorking({ input: 7, kernel: 2, stride: 2, edges: "keep" })).toBe("⌈(7 + 0 − 2)/2⌉ + 1 = 4");
    const pooled = maps.map((m) => pool2d(m, { window: 2, stride: 2, edges: "keep" }));
    pooled.forEach((p, k) => expect(truncateDecimals(p)).toEqual(slidePooled[k]));
    // ReLU before or after max pooling gives the same here (both keep the largest, all maxima are positive).
    expect(maps.map((m) => pool2d(activate(m, "relu"), { edges: "keep" }))).toEqual(pooled);
  });

  it("pooling again gives the slides' 'deep stacked' 2×2 maps", () => {
    const twice = maps.map((m) => truncateDecimals(pool2d(pool2d(m, { edges: "keep" }), { edges: "keep" })));
    expect(twice).toEqual([
      [
        [1.0, 0.55],
        [0.55, 1.0],
      ],
      [
        [1.0, 0.55],
        [0.55, 0.55],
      ],
      [
        [0.55, 1.0],
        [1.0, 0.55],
      ],
    ]);
  });

  it("the slides' truncation differs from rounding for 7/9 and 5/9", () => {
    expect(truncateDecimals([7 / 9, 5 / 9, -1 / 9, 1 / 3, 0.29])).toEqual([0.77, 0.55, -0.11, 0.33, 0.29]);
  });
});

describe("pooling modes, windows, strides, padding, edges", () => {
  const m = [
    [1, 5, 2, 0],
    [3, 4, -1, 6],
    [7, 0, 2, 2],
    [-3, 8, 1, 9],
  ];

  it("max, min, sum and avg over 2×2 windows", () => {
    expect(pool2d(m)).toEqual([
      [5, 6],
      [8, 9],
    ]);
    expect(pool2d(m, { mode: "min" })).toEqual([
      [1, -1],
      [-3, 1],
    ]);
    expect(pool2d(m, { mode: "sum" })).toEqual([
      [13, 7],
      [12, 14],
    ]);
    expect(pool2d(m, { mode: "avg" })).toEqual([
      [3.25, 1.75],
      [3, 3.5],
    ]);
  });

  it("overlapping windows (stride 1) and rectangular windows", () => {
    expect(pool2d(m, { window: 3, stride: 1 })).toEqual([
      [7, 6],
      [8, 9],
    ]);
    expect(pool2d(m, { window: [1, 4] })).toEqual([[5], [6], [7], [9]]);
    expect(pool2d(m, { window: [2, 1], stride: [2, 1] })).toEqual([
      [3, 5, 2, 6],
      [7, 8, 2, 9],
    ]);
  });

  it("partial windows count only the cells that are there", () => {
    const row = [[1, 2, 3, 4, 5]];
    expect(pool2d(row, { window: [1, 2], edges: "keep", mode: "avg" })).toEqual([[1.5, 3.5, 5]]);
    expect(pool2d(row, { window: [1, 2], edges: "keep", mode: "sum" })).toEqual([[3, 7, 5]]);
    expect(pool2d(row, { window: [1, 2], mode: "sum" })).toEqual([[3, 7]]);
  });

  it("padding cells never win and are not counted", () => {
    const neg = [
      [-1, -2],
      [-3, -4],
    ];
    expect(pool2d(neg, { window: 2, stride: 2, padding: 1 })).toEqual([
      [-1, -2],
      [-3, -4],
    ]);
    expect(pool2d(neg, { window: 2, stride: 1, padding: 1, mode: "avg" })).toEqual([
      [-1, -1.5, -2],
      [-2, -2.5, -3],
      [-3, -3.5, -4],
    ]);
  });

  it("max pooling says where each max came from, and backprop routes the error signal there", () => {
    const { output, argmax } = maxPool2d(m);
    expect(output).toEqual([
      [5, 6],
      [8, 9],
    ]);
    expect(argmax).toEqual([
      [
        [0, 1],
        [1, 3],
      ],
      [
        [3, 1],
        [3, 3],
      ],
    ]);
    expect(
      maxPoolBackward(
        [
          [1, 2],
          [3, 4],
        ],
        argmax,
        [4, 4],
      ),
    ).toEqual([
      [0, 1, 0, 0],
      [0, 0, 0, 2],
      [0, 0, 0, 0],
      [0, 3, 0, 4],
    ]);
    // Overlapping windows that share a maximum add their signals.
    const shared = maxPool2d(
      [
        [0, 0, 0],
        [0, 9, 0],
        [0, 0, 0],
      ],
      { window: 2, stride: 1 },
    );
    expect(
      maxPoolBackward(
        [
          [1, 1],
          [1, 1],
        ],
        shared.argmax,
        [3, 3],
      )[1][1],
    ).toBe(4);
    // Ties go to the first cell in reading order, as in TensorFlow.
    expect(
      maxPool2d([
        [2, 2],
        [2, 2],
      ]).argmax,
    ).toEqual([[[0, 0]]]);
  });

  it("pools each channel of a volume on its own", () => {
    const volume = m.map((r) => r.map((v) => [v, -v]));
    const p = poolChannels(volume);
    expect(p.map((r) => r.map((c) => c[0]))).toEqual(pool2d(m));
    expect(p.map((r) => r.map((c) => c[1]))).toEqual(pool2d(m.map((r) => r.map((v) => -v))));
  });

  it("the output size of pooling follows the same formula as convolution", () => {
    expect(outputShape({ input: [6, 6], kernel: [2, 2], stride: 2 })).toEqual([3, 3]);
    expect(pool2d(Array.from({ length: 6 }, () => new Array<number>(6).fill(1))).length).toBe(3);
  });

  it("explains each window and walks them frame by frame", () => {
    const e = explainPool2d(m);
    expect(e.cells[0][0].working).toBe("max(1, 5, 3, 4) = 5");
    expect(e.cells[1][1].from).toEqual([3, 3]);
    expect(explainPool2d(m, { mode: "avg" }).cells[0][0].working).toBe("(1 + 5 + 3 + 4)/4 = 3.25");
    const walk = poolingWalk(
      [
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ],
      { edges: "keep" },
    );
    expect(walk.output).toEqual([
      [5, 6],
      [8, 9],
    ]);
    expect(walk.steps[3].window).toEqual({ row: 2, col: 2, rows: 1, cols: 1 });
  });
});

describe("partial windows never start past the end", () => {
  it("outputSize, outputShape and pool2d agree with walking the window by hand", () => {
    for (let n = 1; n <= 12; n++) {
      for (let w = 1; w <= 4; w++) {
        for (let s = 1; s <= 4; s++) {
          // Walk: start at 0, s, 2s, …; stop after the first window that reaches the last cell; never start at or past n.
          let count = 0;
          for (let start = 0; start < n; start += s) {
            count++;
            if (start + w >= n) break;
          }
          expect(outputSize({ input: n, kernel: w, stride: s, edges: "keep" }), `n ${n}, w ${w}, s ${s}`).toBe(count);
          expect(outputShape({ input: [1, n], kernel: [1, w], stride: [1, s], edges: "keep" })[1]).toBe(count);
          expect(pool2d([Array.from({ length: n }, (_, i) => i)], { window: [1, w], stride: [1, s], edges: "keep" })[0].length).toBe(count);
        }
      }
    }
  });
});
