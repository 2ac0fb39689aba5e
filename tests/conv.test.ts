// The lectures' worked convolution examples (worked examples 1–9, 12–15, 18), with the slides' own sums.
import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import { conv2d, conv2dBatch, convolve1d, convolve2d, correlate1d, correlate2d, flipKernel, normalizedFilter, pad2d } from "../src/conv";
import { outputShape, outputShapeWorking, outputSize, outputSizeWorking, resolvePadding } from "../src/geometry";
import type { Conv2dOptions } from "../src/geometry";
import { channel, stackChannels, stackKernels, toNested, view } from "../src/view";
import { convolutionWalk, explainConv2d, explainCorrelate2d, explanationHeatmap, formatSum, symbolicCorrelate2d } from "../src/explain";

const W = [
  [-1, 0, 1],
  [-1, 0, 1],
  [-1, 0, 1],
];
const x1 = [
  [9, 9, 3, 3, 4],
  [9, 3, 3, 4, 5],
  [9, 3, 3, 5, 5],
  [9, 3, 3, 4, 5],
  [9, 9, 3, 3, 4],
];
const x2 = [
  [9, 9, 1, 1, 2],
  [9, 1, 1, 2, 3],
  [9, 1, 1, 3, 3],
  [9, 1, 1, 2, 3],
  [9, 9, 1, 1, 2],
];
const x3 = [
  [9, 9, 0, 0, 0],
  [9, 0, 0, 1, 1],
  [9, 0, 0, 2, 1],
  [9, 0, 0, 1, 1],
  [9, 9, 0, 0, 0],
];
const zeros3 = [
  [0, 0, 0],
  [0, 0, 0],
  [0, 0, 0],
];
const sums = (m: { cells: { sum: string }[][] }): string[][] => m.cells.map((r) => r.map((c) => c.sum));

describe("lecture 000: kernel size, stride, padding (examples 1–4)", () => {
  it("example 1: stride 1, no padding, with the slide's per-row sums", () => {
    expect(correlate2d(x1, W)).toEqual([
      [-18, -3, 5],
      [-18, 4, 6],
      [-18, -3, 5],
    ]);
    const e = explainCorrelate2d(x1, W);
    expect(sums(e)).toEqual([
      ["-6 - 6 - 6", "-6 + 1 + 2", "1 + 2 + 2"],
      ["-6 - 6 - 6", "1 + 2 + 1", "2 + 2 + 2"],
      ["-6 - 6 - 6", "2 + 1 - 6", "2 + 2 + 1"],
    ]);
    expect(e.output).toEqual(correlate2d(x1, W));
    expect(e.cells[0][1].working).toBe("-6 + 1 + 2 = -3");
    expect(e.latex).toBe(
      "\\begin{pmatrix} -6 - 6 - 6 & -6 + 1 + 2 & 1 + 2 + 2 \\\\ -6 - 6 - 6 & 1 + 2 + 1 & 2 + 2 + 2 \\\\ -6 - 6 - 6 & 2 + 1 - 6 & 2 + 2 + 1 \\end{pmatrix}" +
        " = \\begin{pmatrix} -18 & -3 & 5 \\\\ -18 & 4 & 6 \\\\ -18 & -3 & 5 \\end{pmatrix}",
    );
  });

  it("example 2: stride 2", () => {
    expect(correlate2d(x1, W, { stride: 2 })).toEqual([
      [-18, 5],
      [-18, 5],
    ]);
    expect(sums(explainCorrelate2d(x1, W, { stride: 2 }))).toEqual([
      ["-6 - 6 - 6", "1 + 2 + 2"],
      ["-6 - 6 - 6", "2 + 2 + 1"],
    ]);
  });

  it("example 3: padding 1, stride 2", () => {
    const x = [
      [3, 3, 4],
      [3, 3, 5],
      [3, 3, 4],
    ];
    expect(correlate2d(x, W, { padding: 1, stride: 2 })).toEqual([
      [6, -6],
      [6, -6],
    ]);
    expect(sums(explainCorrelate2d(x, W, { padding: 1, stride: 2 }))).toEqual([
      ["0 + 3 + 3", "0 - 3 - 3"],
      ["3 + 3 + 0", "-3 - 3 + 0"],
    ]);
  });

  it("example 4: 3×2 kernel, padding (2 + 2) × 0, stride 1 × 2 → 4×3, and the output-size working", () => {
    const K = [
      [-1, 0],
      [-1, 1],
      [0, 1],
    ];
    const x = [
      [9, 9, 9, 3, 3, 4],
      [9, 9, 3, 5, 5, 8],
    ];
    const options: Conv2dOptions = { padding: [2, 0], stride: [1, 2] };
    expect(correlate2d(x, K, options)).toEqual([
      [9, 3, 4],
      [9, -1, 9],
      [-9, -7, 0],
      [-9, -3, -5],
    ]);
    expect(sums(explainCorrelate2d(x, K, options))).toEqual([
      ["0 + 0 + 9", "0 + 0 + 3", "0 + 0 + 4"],
      ["0 + 0 + 9", "0 - 6 + 5", "0 + 1 + 8"],
      ["-9 + 0 + 0", "-9 + 2 + 0", "-3 + 3 + 0"],
      ["-9 + 0 + 0", "-3 + 0 + 0", "-5 + 0 + 0"],
    ]);
    expect(outputShape({ input: [2, 6], kernel: [3, 2], ...options })).toEqual([4, 3]);
    expect(outputSizeWorking({ input: 2, kernel: 3, stride: 1, padding: 2 })).toBe("⌊(2 + 2·2 − 3)/1⌋ + 1 = 4");
    expect(outputSizeWorking({ input: 6, kernel: 2, stride: 2, padding: 0 })).toBe("⌊(6 + 0 − 2)/2⌋ + 1 = 3");
    expect(outputShapeWorking({ input: [2, 6], kernel: [3, 2], ...options })).toBe("⌊(2 + 2·2 − 3)/1⌋ + 1 = 4 by ⌊(6 + 0 − 2)/2⌋ + 1 = 3");
    // The same padding written side by side gives the same result.
    expect(correlate2d(x, K, { padding: { top: 2, bottom: 2, left: 0, right: 0 }, stride: [1, 2] })).toEqual(correlate2d(x, K, options));
  });
});

describe("lecture 000: channels (example 5)", () => {
  const input = stackChannels([x1, x2, x3]);

  it("one kernel per channel, the three maps summed, with the per-channel sums of the slide", () => {
    const e = explainConv2d(input, stackChannels([W, W, W]));
    expect(e.channels.map((c) => c.output)).toEqual([
      [
        [-18, -3, 5],
        [-18, 4, 6],
        [-18, -3, 5],
      ],
      [
        [-24, -5, 5],
        [-24, 4, 6],
        [-24, -5, 5],
      ],
      [
        [-27, -6, 2],
        [-27, 4, 3],
        [-27, -6, 2],
      ],
    ]);
    expect(sums(e.channels[1])).toEqual([
      ["-8 - 8 - 8", "-8 + 1 + 2", "1 + 2 + 2"],
      ["-8 - 8 - 8", "1 + 2 + 1", "2 + 2 + 2"],
      ["-8 - 8 - 8", "2 + 1 - 8", "2 + 2 + 1"],
    ]);
    expect(sums(e.channels[2])).toEqual([
      ["-9 - 9 - 9", "-9 + 1 + 2", "0 + 1 + 1"],
      ["-9 - 9 - 9", "1 + 2 + 1", "1 + 1 + 1"],
      ["-9 - 9 - 9", "2 + 1 - 9", "1 + 1 + 0"],
    ]);
    expect(e.output).toEqual([
      [-69, -14, 12],
      [-69, 12, 15],
      [-69, -14, 12],
    ]);
  });

  it("a bank of two kernels h×w×c×k: the sum above and the red-only vertical edge detector", () => {
    const bank = stackKernels([stackChannels([W, W, W]), stackChannels([W, zeros3, zeros3])]);
    expect([bank.length, bank[0].length, bank[0][0].length, bank[0][0][0].length]).toEqual([3, 3, 3, 2]);
    const out = conv2d(input, bank);
    expect(channel(out, 0)).toEqual([
      [-69, -14, 12],
      [-69, 12, 15],
      [-69, -14, 12],
    ]);
    expect(channel(out, 1)).toEqual([
      [-18, -3, 5],
      [-18, 4, 6],
      [-18, -3, 5],
    ]);
  });

  it("bias is added once per kernel", () => {
    const bank = stackKernels([stackChannels([W, zeros3, zeros3])]);
    expect(channel(conv2d(input, bank, { bias: [10] }), 0)).toEqual([
      [-8, 7, 15],
      [-8, 14, 16],
      [-8, 7, 15],
    ]);
  });
});

describe("lecture 001 (examples 6–9)", () => {
  it("example 6: Sobel x on one 3×3 patch is 2, written out as the slide does", () => {
    const sobelX = [
      [-1, 0, 1],
      [-2, 0, 2],
      [-1, 0, 1],
    ];
    const patch = [
      [3, 2, 1],
      [1, 2, 3],
      [1, 1, 1],
    ];
    const e = explainCorrelate2d(patch, sobelX);
    expect(e.output).toEqual([[2]]);
    expect(e.cells[0][0].products).toBe("(3 · -1) + (2 · 0) + (1 · 1) + (1 · -2) + (2 · 0) + (3 · 2) + (1 · -1) + (1 · 0) + (1 · 1)");
    const nonZero = e.cells[0][0].taps
      .flat()
      .map((t) => t.input * t.weight)
      .filter((v) => v !== 0);
    expect(formatSum(nonZero)).toBe("-3 + 1 - 2 + 6 - 1 + 1");
  });

  it("example 7: a 2×2 filter over a 4×3 image of symbols", () => {
    const image = [
      ["a", "b", "c"],
      ["d", "e", "f"],
      ["g", "h", "i"],
      ["j", "k", "l"],
    ];
    const filter = [
      ["α", "β"],
      ["γ", "δ"],
    ];
    const s = symbolicCorrelate2d(image, filter);
    expect(s.output).toEqual([
      ["aα + bβ + dγ + eδ", "bα + cβ + eγ + fδ"],
      ["dα + eβ + gγ + hδ", "eα + fβ + hγ + iδ"],
      ["gα + hβ + jγ + kδ", "hα + iβ + kγ + lδ"],
    ]);
    expect(s.latex.startsWith("\\begin{bmatrix} a \\alpha + b \\beta + d \\gamma + e \\delta & ")).toBe(true);
    // The numbers agree with the symbols: substitute and compare.
    const values: Record<string, number> = {
      a: 1,
      b: 2,
      c: 3,
      d: 4,
      e: 5,
      f: 6,
      g: 7,
      h: 8,
      i: 9,
      j: 10,
      k: 11,
      l: 12,
      α: 2,
      β: -1,
      γ: 3,
      δ: 5,
    };
    const numeric = correlate2d(
      image.map((r) => r.map((v) => values[v])),
      filter.map((r) => r.map((v) => values[v])),
    );
    const evaluated = s.output.map((r) =>
      r.map((expr) => expr.split(" + ").reduce((sum, term) => sum + values[Array.from(term)[0]] * values[Array.from(term)[1]], 0)),
    );
    expect(evaluated).toEqual(numeric);
  });

  it("symbols under zero padding drop out", () => {
    const s = symbolicCorrelate2d(
      [
        ["a", "b"],
        ["c", "d"],
      ],
      [
        ["α", "β"],
        ["γ", "δ"],
      ],
      { padding: 1 },
    );
    expect(s.output[0][0]).toBe("aδ");
    expect(s.output[1][1]).toBe("aα + bβ + cγ + dδ");
  });

  it("example 8: zero padding 1 — the first output is -1", () => {
    const x = [
      [1, 2, 0, 3, 1],
      [1, 0, 0, 2, 2],
      [2, 1, 2, 1, 1],
      [0, 0, 1, 0, 0],
      [1, 2, 1, 1, 1],
    ];
    const K = [
      [-1, 1, 2],
      [1, 1, 0],
      [-1, -2, 0],
    ];
    const y = correlate2d(x, K, { padding: 1 });
    expect(y.length).toBe(5);
    expect(y[0][0]).toBe(-1);
    expect(pad2d(x, 1)[0]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(pad2d(x, 1)[1]).toEqual([0, 1, 2, 0, 3, 1, 0]);
  });

  it("example 9: a 5×5 kernel on an RGB image has 75 weights; one FC layer on 200×200×3 has (200·200·3)² weights", () => {
    const rgbKernel = stackChannels([0, 1, 2].map(() => Array.from({ length: 5 }, () => new Array<number>(5).fill(1))));
    const weights = rgbKernel.flat(2).length;
    expect(weights).toBe(75);
    // The kernel's 75 weights meet 75 input numbers: all-ones input and kernel give 75 at every position.
    const image = Array.from({ length: 6 }, () => Array.from({ length: 6 }, () => [1, 1, 1]));
    expect(channel(conv2d(image, stackKernels([rgbKernel])), 0)).toEqual([
      [75, 75],
      [75, 75],
    ]);
    const inputs = 200 * 200 * 3;
    expect(inputs).toBe(120_000);
    expect(inputs * inputs).toBe(14_400_000_000);
  });
});

describe("lecture 003: fully-connected weights (example 11)", () => {
  it("3 × 256 × 256 inputs to 1,000 classes is 196,608,000 weights", () => {
    expect(3 * 256 * 256 * 1000).toBe(196_608_000);
  });
});

describe("lecture 004 (examples 12–15)", () => {
  it("example 12: the frame-by-frame 5×5 with a 3×3 kernel, and its nine frames", () => {
    const x = [
      [3, 3, 2, 1, 0],
      [0, 0, 1, 3, 1],
      [3, 1, 2, 2, 3],
      [2, 0, 0, 2, 2],
      [2, 0, 0, 0, 1],
    ];
    const K = [
      [0, 1, 2],
      [2, 2, 0],
      [0, 1, 2],
    ];
    expect(correlate2d(x, K)).toEqual([
      [12, 12, 17],
      [10, 17, 19],
      [9, 6, 14],
    ]);
    const walk = convolutionWalk(explainCorrelate2d(x, K));
    expect(walk.steps.length).toBe(9);
    expect(walk.steps[5].window).toEqual({ row: 1, col: 2, rows: 3, cols: 3 });
    expect(walk.steps[5].cell).toEqual({ row: 1, col: 2 });
    expect(walk.steps[5].text).toBe("5 + 8 + 6 = 19");
  });

  it("example 13: 4×4 image 1..16, kernel [[1,1],[0,2]], padding 1, stride 2", () => {
    const x = [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
      [13, 14, 15, 16],
    ];
    const K = [
      [1, 1],
      [0, 2],
    ];
    expect(correlate2d(x, K, { padding: 1, stride: 2 })).toEqual([
      [2, 6, 0],
      [23, 35, 8],
      [13, 29, 16],
    ]);
    const walk = convolutionWalk(explainCorrelate2d(x, K, { padding: 1, stride: 2 }));
    expect(walk.input.length).toBe(6);
    expect(walk.steps.map((s) => [s.window.row, s.window.col])).toEqual([
      [0, 0],
      [0, 2],
      [0, 4],
      [2, 0],
      [2, 2],
      [2, 4],
      [4, 0],
      [4, 2],
      [4, 4],
    ]);
  });

  it("example 14: 10×10, 5×5 conv stride 1 → 6×6, 2×2 max pool stride 2 → 3×3", () => {
    const conv = outputSize({ input: 10, kernel: 5, stride: 1 });
    expect(conv).toBe(6);
    expect(outputSize({ input: conv, kernel: 2, stride: 2 })).toBe(3);
  });

  it("example 15: colour convolution with padding 1 and bias 1: 308 + -498 + 164 + 1 = -25", () => {
    const red = [
      [156, 155, 196, 198, 158],
      [153, 154, 157, 159, 159],
      [149, 151, 155, 158, 159],
      [146, 146, 149, 153, 158],
      [145, 143, 143, 148, 158],
    ];
    const green = [
      [167, 166, 167, 169, 169],
      [164, 165, 168, 170, 170],
      [160, 162, 166, 169, 170],
      [156, 156, 159, 163, 168],
      [155, 153, 153, 158, 168],
    ];
    const blue = [
      [163, 162, 163, 165, 165],
      [160, 161, 164, 166, 166],
      [156, 158, 162, 165, 166],
      [155, 155, 158, 162, 167],
      [154, 152, 152, 157, 167],
    ];
    const kr = [
      [-1, -1, 1],
      [0, 1, -1],
      [0, 1, 1],
    ];
    const kg = [
      [1, 0, 0],
      [1, -1, -1],
      [1, 0, -1],
    ];
    const kb = [
      [0, 1, 1],
      [0, 1, 0],
      [1, -1, 1],
    ];
    const image = stackChannels([red, green, blue]);
    const e = explainConv2d(image, stackChannels([kr, kg, kb]), { padding: 1, bias: 1 });
    expect(e.channels.map((c) => c.output[0][0])).toEqual([308, -498, 164]);
    expect(e.output[0][0]).toBe(-25);
    expect(e.working[0][0]).toBe("308 + -498 + 164 + 1 = -25");
    expect(channel(conv2d(image, stackKernels([stackChannels([kr, kg, kb])]), { padding: 1, bias: [1] }), 0)[0][0]).toBe(-25);
  });
});

describe("lecture 002: output size (example 18)", () => {
  it("k = 3, s = 1, p = 1 keeps the width, for every width", () => {
    for (let n = 1; n <= 40; n++) {
      expect(outputSize({ input: n, kernel: 3, stride: 1, padding: 1 })).toBe(n);
      expect(correlate2d([new Array<number>(n).fill(1)], [[1, 1, 1]], { padding: [0, 1] })[0].length).toBe(n);
    }
  });

  it("the formula agrees with counting the positions of the window", () => {
    for (let n = 1; n <= 12; n++) {
      for (let k = 1; k <= 5; k++) {
        for (let s = 1; s <= 4; s++) {
          for (let p = 0; p <= 4; p++) {
            // p zeros on each side: the window may start anywhere in the n + 2p numbers.
            if (k > n + 2 * p) continue;
            let count = 0;
            for (let start = 0; start + k <= n + 2 * p; start += s) count++;
            expect(outputSize({ input: n, kernel: k, stride: s, padding: p })).toBe(count);
          }
        }
      }
    }
  });
});

describe("views, true convolution, 1-D, normalised filtering, 'same' padding", () => {
  it("true convolution is cross-correlation with the kernel turned by 180°", () => {
    const K = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    expect(flipKernel(K)).toEqual([
      [6, 5, 4],
      [3, 2, 1],
    ]);
    const x = [
      [1, 0, 2, 1],
      [3, 1, 0, 2],
      [0, 2, 1, 1],
    ];
    expect(convolve2d(x, K, { padding: 1 })).toEqual(correlate2d(x, flipKernel(K), { padding: 1 }));
    expect(convolve2d(x, K)).not.toEqual(correlate2d(x, K));
    // A symmetric kernel cannot tell them apart.
    const S = [
      [1, 2, 1],
      [2, 4, 2],
      [1, 2, 1],
    ];
    expect(convolve2d(x, S, { padding: 1 })).toEqual(correlate2d(x, S, { padding: 1 }));
    const e = explainCorrelate2d(x, K, { mode: "convolve" });
    expect(e.kernel).toEqual(flipKernel(K));
    expect(e.output).toEqual(convolve2d(x, K));
  });

  it("an ndarray view (transposed, strided, offset) reads the same numbers as the nested array it shows", () => {
    const data = new Float64Array([0, 0, 1, 4, 7, 2, 5, 8, 3, 6, 9]);
    // Offset 2, column-major strides: rows are [1,2,3], [4,5,6], [7,8,9].
    const view = ndarray(data, [3, 3], [1, 3], 2);
    expect(toNested(view)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(
      correlate2d(view, [
        [1, 0],
        [0, -1],
      ]),
    ).toEqual(
      correlate2d(
        [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ],
        [
          [1, 0],
          [0, -1],
        ],
      ),
    );
    const image = ndarray(
      new Float64Array(27).map((_, i) => i),
      [3, 3, 3],
    );
    expect(conv2d(image, stackKernels([stackChannels([W, W, W])]))[0][0][0]).toBe(
      correlate2d(channel(image, 0), W)[0][0] + correlate2d(channel(image, 1), W)[0][0] + correlate2d(channel(image, 2), W)[0][0],
    );
  });

  it("dl.array.view reads flat data with any shape, stride and offset, and refuses to reach outside it", () => {
    const data = [1, 2, 3, 4, 5, 6];
    expect(toNested(view(data, [2, 3]))).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(toNested(view(data, [3, 2], [1, 3]))).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(toNested(view(data, [3], [-2], 5))).toEqual([6, 4, 2]);
    expect(() => view(data, [2, 4])).toThrow("view: shape 2×4 with stride [4, 1] and offset 0 reaches outside data of length 6");
    expect(() => view(data, [2, 2], [1])).toThrow("view: stride must be 2 integers (one per axis), got [1]");
    expect(() => view(data, [3], [-2], 3)).toThrow("reaches outside data");
  });

  it("1-D convolution: lecture 003's filter size 2, stride 2 (and stride 1, padding 1)", () => {
    const x = [1, 0, 0, 1, 1, 1];
    expect(correlate1d(x, [1, -1], { stride: 2 })).toEqual([1, -1, 0]);
    expect(correlate1d(x, [1, -1], { stride: 1 })).toEqual([1, 0, -1, 0, 0]);
    expect(correlate1d(x, [1, -1], { stride: 2, padding: 1 })).toEqual([-1, 0, 0, 1]);
    expect(convolve1d(x, [1, -1], { stride: 2 })).toEqual([-1, 1, 0]);
    expect(correlate1d(x, [1, 1, 1], { padding: "same" })).toEqual([1, 1, 1, 2, 3, 2]);
  });

  it("normalised filtering divides by the number of kernel pixels", () => {
    const x = [
      [1, -1, 1],
      [-1, 1, -1],
      [1, -1, 1],
    ];
    expect(normalizedFilter(x, x)).toEqual([[1]]);
    expect(
      normalizedFilter(
        x,
        x.map((r) => r.map((v) => -v)),
      ),
    ).toEqual([[-1]]);
    const e = explainCorrelate2d(
      [
        [1, 1],
        [1, -1],
      ],
      [
        [1, 1],
        [1, 1],
      ],
      { normalize: true },
    );
    expect(e.cells[0][0].working).toBe("(1 + 1 + 1 - 1)/4 = 0.5");
  });

  it("'same' padding keeps the size at stride 1 and gives ⌈n/s⌉ otherwise, with the extra on the bottom/right", () => {
    expect(resolvePadding("same", { input: [5, 5], kernel: [3, 3] })).toEqual({ top: 1, bottom: 1, left: 1, right: 1 });
    expect(resolvePadding("same", { input: [6, 6], kernel: [2, 2] })).toEqual({ top: 0, bottom: 1, left: 0, right: 1 });
    expect(resolvePadding("same", { input: [28, 28], kernel: [5, 5] })).toEqual({ top: 2, bottom: 2, left: 2, right: 2 });
    expect(outputShape({ input: [7, 9], kernel: [3, 3], stride: 2, padding: "same" })).toEqual([4, 5]);
    expect(correlate2d([[1, 2, 3, 4, 5, 6, 7]], [[1, 1, 1]], { padding: "same", stride: 3 })).toEqual([[3, 12, 13]]);
  });

  it("dilation spreads the kernel's taps", () => {
    const x = [[1, 2, 3, 4, 5]];
    expect(correlate2d(x, [[1, 1]], { dilation: 2 })).toEqual([[4, 6, 8]]);
    expect(outputSizeWorking({ input: 5, kernel: 2, dilation: 2 })).toBe("⌊(5 + 0 − 2·(2 − 1) − 1)/1⌋ + 1 = 3");
  });

  it("the heatmap data carries values, the slide's sums and the working", () => {
    const h = explanationHeatmap(explainCorrelate2d(x1, W, { stride: 2 }), "sum");
    expect(h.z).toEqual([
      [-18, 5],
      [-18, 5],
    ]);
    expect(h.text[0][1]).toBe("1 + 2 + 2");
    expect(h.hover[0][1]).toBe("1 + 2 + 2 = 5");
  });
});

describe("conv2dBatch: the teaching loop and the fast path agree", () => {
  it("on a small batch with padding, stride and bias", () => {
    const rand = (n: number, seed: number): Float64Array => new Float64Array(n).map((_, i) => Math.sin(i * 12.9898 + seed) * 3);
    const X = ndarray(rand(2 * 7 * 6 * 3, 1), [2, 7, 6, 3]);
    const K = ndarray(rand(3 * 2 * 3 * 4, 2), [3, 2, 3, 4]);
    const cases: Conv2dOptions[] = [{ padding: "same" }, { stride: [2, 1], padding: 1 }, { dilation: 2 }];
    for (const options of cases) {
      const loop = conv2dBatch(X, K, { ...options, bias: [1, 2, 3, 4], method: "loop" });
      const fast = conv2dBatch(X, K, { ...options, bias: [1, 2, 3, 4], method: "fast" });
      expect(fast.shape).toEqual(loop.shape);
      const a = toNested(loop);
      const b = toNested(fast);
      expect(JSON.stringify(b, (_, v: unknown) => (typeof v === "number" ? Math.round(v * 1e9) / 1e9 : v))).toBe(
        JSON.stringify(a, (_, v: unknown) => (typeof v === "number" ? Math.round(v * 1e9) / 1e9 : v)),
      );
    }
  });
});

describe("datasets/toy/worked-examples.json through the library", () => {
  it("every single-channel example gives the file's output (and its cell sums, where the file has them)", async () => {
    const { loadWorkedExamples, exampleMatrix } = await import("../src/datasets");
    const examples = loadWorkedExamples();
    const sidesOf = (p: unknown): { top: number; bottom: number; left: number; right: number } => {
      const [[top, bottom], [left, right]] =
        Array.isArray(p) && p.every((r) => Array.isArray(r))
          ? p.map((r) => r.map(Number))
          : [
              [0, 0],
              [0, 0],
            ];
      return { top, bottom, left, right };
    };
    let checked = 0;
    for (const id of ["1", "2", "3", "4", "6", "8", "12", "13"]) {
      const ex = examples[id];
      const stride = Array.isArray(ex.fields.stride) ? ex.fields.stride.map(Number) : [1, 1];
      const options: Conv2dOptions = { stride: [stride[0], stride[1]], padding: sidesOf(ex.fields.padding) };
      const e = explainCorrelate2d(exampleMatrix(ex, "input"), exampleMatrix(ex, "kernel"), options);
      const expected = ex.fields.output;
      if (Array.isArray(expected) && Array.isArray(expected[0])) expect(e.output, `example ${id}`).toEqual(expected);
      else expect(e.output[0][0], `example ${id}`).toBe(expected);
      if (ex.fields.cellSums !== undefined) expect(sums(e), `example ${id}`).toEqual(ex.fields.cellSums);
      checked++;
    }
    expect(checked).toBe(8);
  });
});
