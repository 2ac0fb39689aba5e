// Errata of notebooks 00–10: each corrected number and slide note, recomputed, and the note text present.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { countParams } from "../src/layers";
import { lenet5 } from "../src/models";
import { activate, sigmoid } from "../src/activations";
import { correlate2d, normalizedFilter } from "../src/conv";
import { loadMnist, loadXAndO } from "../src/datasets";
import { pool2d, type PoolMode } from "../src/pool";
import { mnistExamples, pixelStats } from "../src/train/fit";
import { kernel as kernelMatrix } from "../src/kernels";

function notebookText(name: string): string {
  const nb = JSON.parse(readFileSync(`notebooks/${name}.ipynb`, "utf8")) as { cells: { source: string | string[] }[] };
  return nb.cells.map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source)).join("\n");
}

const slope = (f: (z: number) => number) => (f(1e-6) - f(-1e-6)) / 2e-6;
const oneHot = (labels: number[], n: number) => labels.map((c) => Array.from({ length: n }, (_, k) => (k === c ? 1 : 0)));
const shapeOf = (a: unknown): number[] => (Array.isArray(a) ? [a.length, ...shapeOf(a[0])] : []);

describe("errata of notebooks 00–10", () => {
  it("02: tanh is four times as steep as the sigmoid at 0, not twice", () => {
    const ratio = slope(Math.tanh) / slope(sigmoid);
    expect(ratio).toBeCloseTo(4, 6);
    const text = notebookText("02-ffnn-xor");
    expect(text).toContain("**four times** as steep");
    expect(text).not.toContain("twice as steep");
  });

  it("09: 82 errors on the 10,000 test digits is 99.18 %, the slide's 99.86 % divides by 60,000", () => {
    expect(100 * (1 - 82 / 10000)).toBeCloseTo(99.18, 10);
    expect(100 * (1 - 82 / 60000)).toBeCloseTo(99.86, 2);
    const text = notebookText("09-training-lenet-mnist");
    expect(text).toContain("Slide note: the 82 errors are on the **10,000 test digits**");
    expect(text).toContain("99.18 %");
  });

  it("08: the modern LeNet-5 has 61,706 parameters, the 1998 network 60,000", () => {
    expect(countParams(lenet5({ inputSize: 32 }))).toBe(61706);
    const c3 = (6 * 3 + 9 * 4 + 6) * 25 + 16;
    expect(c3).toBe(1516);
    const total1998 = 6 * 26 + 6 * 2 + c3 + 16 * 2 + 120 * (16 * 25 + 1) + 84 * (120 + 1);
    expect(total1998).toBe(60000);
    const text = notebookText("08-lenet-parameters");
    expect(text).toContain("Slide note: lecture 001's table (61,706) is the **modern variant**");
    expect(text).toContain('dl.check("about 60,000 trainable parameters in 1998", total1998, 60000)');
  });

  it("08: one-hot encoding (N, 10) labels a second time gives the slide's (N, 10, 10)", () => {
    const twice = oneHot([3, 1, 4], 10).map((row) => oneHot(row, 10));
    expect(shapeOf(twice)).toEqual([3, 10, 10]);
    const text = notebookText("08-lenet-parameters");
    expect(text).toContain("**one-hot encoded twice**");
    expect(text).not.toContain("Keras raises a shape error at `fit`");
  });

  it("08: AlexNet's slide note gives the paper's 15.3 % and keeps the slide's 15.4 %", () => {
    const text = notebookText("08-lenet-parameters");
    expect(text).toContain("top-5 error 15.4 %");
    expect(text).toContain("Slide note: Krizhevsky et al. (2012, Table 2) report **15.3 %**");
    // lecture 004's 17 %: the paper's single CNN on ILSVRC-2010 (Table 1), not the 2012 entry; a published figure, kept as text
    expect(text).toContain("*Top-5 Error: 17%*");
    expect(text).toContain("Slide note: lecture 004's 17 % is not the 2012 competition");
  });

  it("10: 57.7 % is the panda's confidence, the gibbon is at 99.3 %", () => {
    const text = notebookText("10-when-cnns-fail");
    expect(text).toContain('classified "panda" at 57.7 % confidence, that becomes "gibbon" at 99.3 %');
    expect(text).not.toContain("gibbon at 57.7");
  });

  it("00: exercise 1's text, visible and hidden tests all allow a kernel of any size", () => {
    const text = notebookText("00-welcome");
    expect(text).toContain("the tests also try a $2\\times2$ kernel");
    expect(text).toContain('dl.check("a 2×2 kernel"');
    // the visible 2×2 case, recomputed: window [[2, 0], [4, 0]] under [[0, 1], [1, 0]]
    const x = [
      [1, 2, 0],
      [3, 4, 0],
    ];
    const W = [
      [0, 1],
      [1, 0],
    ];
    let s = 0;
    for (let u = 0; u < 2; u++) for (let v = 0; v < 2; v++) s += W[u][v] * x[u][v + 1];
    expect(s).toBe(4);
    expect(text).toContain("sumOfProducts([[1, 2, 0], [3, 4, 0]], [[0, 1], [1, 0]], 0, 1), 4,");
  });

  it("07: lecture 003's frames that print 0.11 in rows 1 and 5 of the diagonal map: the value is −1/9", () => {
    const data = loadXAndO();
    const map = normalizedFilter(data.x, data.features.diagonal);
    expect(map[0][5]).toBeCloseTo(-1 / 9, 12);
    expect(map[4][1]).toBeCloseTo(-1 / 9, 12);
    const text = notebookText("07-pooling-relu-x-vs-o");
    expect(text).toContain("Slide note: two frames of lecture 003's pooling walk print **0.11** in row 1, column 6");
  });

  it("07: average pooling keeps the X's vote by a few thousandths, and erasing its centre pixel flips it (max pooling does not)", () => {
    const data = loadXAndO();
    const twelve = (image: number[][], mode: PoolMode) =>
      [data.features.diagonal, data.features.x, data.features.antiDiagonal].flatMap((f) => {
        const options = { window: 2, stride: 2, edges: "keep" as const, mode };
        return pool2d(pool2d(activate(normalizedFilter(image, f), "relu") as number[][], options), options).flat();
      });
    const vote = (f: number[], w: number[]) => f.reduce((s, v, k) => s + v * w[k], 0) / w.reduce((a, b) => a + b, 0);
    const margin = (image: number[][], mode: PoolMode) =>
      vote(twelve(image, mode), twelve(data.x, mode)) - vote(twelve(image, mode), twelve(data.o, mode));
    expect(margin(data.x, "max")).toBeGreaterThan(0.1);
    expect(margin(data.x, "avg")).toBeGreaterThan(0);
    expect(margin(data.x, "avg")).toBeLessThan(0.005);
    const erased = data.x.map((row, r) => row.map((v, c) => (r === 4 && c === 4 ? -v : v)));
    expect(margin(erased, "avg")).toBeLessThan(0);
    expect(margin(erased, "max")).toBeGreaterThan(0);
  });

  it("09: LeCun's input mapping (−0.1 background, 1.175 ink) does not give variance 1 on these digits; the notebook says so and computes it", () => {
    const { mean, std } = pixelStats(mnistExamples(loadMnist("train")));
    expect(Math.abs(-0.1 + 1.275 * mean)).toBeLessThan(0.1); // mean roughly 0: true
    expect((1.275 * std) ** 2).toBeLessThan(0.5); // variance roughly 1: not on these digits
    const text = notebookText("09-training-lenet-mnist");
    expect(text).toContain("on these digits it does not quite");
    expect(text).not.toContain("LeCun scaled\nthe inputs so they spread by about 1");
  });

  it("09: no speed typed in prose; the training cell prints images/s and threads from fit's history", () => {
    const text = notebookText("09-training-lenet-mnist");
    for (const typed of ["17 images/s", "4,000 images/s", "13,000", "well under a minute", "under 30 s"]) expect(text).not.toContain(typed);
    expect(text).toContain("history.map((r) => r.imagesPerSecond)");
    expect(text).toContain("history[0].threads");
  });

  it("14: lecture 004's dataset-bias slide is quoted whole, with a slide note that augmentation cannot remove every bias", () => {
    const text = notebookText("14-cnns-in-the-world");
    expect(text).toContain(
      "to add random permutations\nof data to avoid bias.* Slide note: augmentation helps against some biases, not all",
    );
  });

  it.each(["11-training-deep-networks", "12-generalisation-and-hyperparameters", "13-recurrent-networks", "14-cnns-in-the-world"])(
    "%s: no training time typed in prose (a run's time depends on the machine)",
    (name) => {
      expect(notebookText(name)).not.toMatch(/\d+ s of training|takes? (about )?(a|\d+) seconds?/);
    },
  );

  it("02: lecture 002's 'g(z) - tanh(z) = 2σ(2z) − 1' is a typo for =: the identity holds, the difference would not", () => {
    const zs = Array.from({ length: 81 }, (_, k) => -4 + k * 0.1);
    expect(Math.max(...zs.map((z) => Math.abs(Math.tanh(z) - (2 * sigmoid(2 * z) - 1))))).toBeLessThan(1e-12);
    expect(2 * sigmoid(2) - 1).toBeCloseTo(0.7616, 4); // the slide's left side, g − tanh, is 0 for g = tanh
    const text = notebookText("02-ffnn-xor");
    expect(text).toContain("Slide note: lecture 002 prints the identity as $g(z) - \\tanh(z) = 2\\sigma(2z) - 1$");
    expect(text).toContain("$0.7616$");
  });

  it("05: lecture 001's line and corner detectors do not sum to 0 (−3, −3, −1): negative on a flat area", () => {
    const sum = (m: number[][]) => m.flat().reduce((a, b) => a + b, 0);
    expect([sum(kernelMatrix("verticalLine")), sum(kernelMatrix("horizontalLine")), sum(kernelMatrix("corner"))]).toEqual([-3, -3, -1]);
    const flat = Array.from({ length: 5 }, () => new Array<number>(5).fill(10));
    expect(correlate2d(flat, kernelMatrix("verticalLine"))[1][1]).toBe(-30);
    const text = notebookText("05-kernel-gallery");
    expect(text).toContain("(−3 for the line detectors, −1 for the corner)");
    expect(text).not.toContain('"is there a change here?" (edges, lines, corners)');
  });
  it("06: lecture 000's green channel needs a 1, not the printed 2, for its own sum −24", () => {
    const W = kernelMatrix("verticalEdge");
    const green = [
      [9, 9, 1, 1, 2],
      [9, 1, 1, 2, 3],
      [9, 1, 1, 3, 3],
      [9, 1, 1, 2, 3],
      [9, 9, 1, 1, 2],
    ];
    expect(correlate2d(green, W)[0][0]).toBe(-24);
    const printed = green.map((row) => [...row]);
    printed[1][2] = 2;
    expect(correlate2d(printed, W)[0][0]).toBe(-23);
    const text = notebookText("06-channels-and-filters");
    expect(text).toContain("Slide note: lecture 000's first multi-channel example prints the green channel's second row");
    expect(text).toContain("top-left output would be $-23$");
  });
});
