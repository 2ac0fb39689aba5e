// Answers for tests/exercises.test.ts, by notebook and solution grade_id: a second correct solution written
// differently from the instructor's, and a wrong answer of the right shape (a near miss) that the hidden tests
// must reject. Each is the whole solution cell a student would hand in.

import { alternatives0710, wrongAnswers0710 } from "./exercise-answers-07-10";
import { alternatives1114, wrongAnswers1114 } from "./exercise-answers-11-14";

/** Second correct solutions. */

/** 04's kernel learned by gradient descent with the bar engine (the near miss below turns it by 180°). */
const LEARN_KERNEL = `function learnKernel(pairs: { x: number[][]; y: number[][] }[], kh: number, kw: number): number[][] {
  let K = Array.from({ length: kh }, () => new Array<number>(kw).fill(0));
  const count = pairs.reduce((n, p) => n + p.y.length * p.y[0].length, 0);
  for (let step = 0; step < 500; step++) {
    const grad = K.map((row) => row.map(() => 0));
    for (const { x, y } of pairs) {
      const yBar = dl.conv.correlate2d(x, K).map((row, i) => row.map((v, j) => (v - y[i][j]) / count));
      dl.conv.correlate2d(x, yBar).forEach((row, u) => row.forEach((g, v) => (grad[u][v] += g)));
    }
    K = K.map((row, u) => row.map((k, v) => k - 0.5 * grad[u][v]));
  }
  return K;
}`;

/** 04's convolution as a matrix, built column by column (the near miss below reads the pixels column-major). */
const CONV_MATRIX = `function convolutionMatrix(h: number, w: number, K: number[][], padding: number, stride: number): number[][] {
  const outH = Math.floor((h + 2 * padding - K.length) / stride) + 1;
  const outW = Math.floor((w + 2 * padding - K[0].length) / stride) + 1;
  const M = Array.from({ length: outH * outW }, () => new Array<number>(h * w).fill(0));
  // column by column: the outputs whose window covers input pixel (r, c), and where in the window it sits
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++)
      for (let i = 0; i < outH; i++)
        for (let j = 0; j < outW; j++) {
          const u = r + padding - i * stride;
          const v = c + padding - j * stride;
          if (u >= 0 && u < K.length && v >= 0 && v < K[0].length) M[i * outW + j][r * w + c] = K[u][v];
        }
  return M;
}`;

export const alternatives: Record<string, Record<string, string>> = {
  "00-welcome": {
    "00-welcome-sum-of-products": `function sumOfProducts(x: number[][], W: number[][], i: number, j: number): number {
  return W.reduce((s, row, u) => s + row.reduce((t, w, v) => t + w * x[i + u][j + v], 0), 0);
}`,
    "00-welcome-feature-map": `function featureMap(x: number[][], W: number[][]): number[][] {
  return x.slice(0, x.length - W.length + 1).map((_, i) => x[0].slice(0, x[0].length - W[0].length + 1).map((_, j) => sumOfProducts(x, W, i, j)));
}`,
    "00-welcome-predict-brighter": `function predictedTopLeft(): number {
  return 2 * -18 + 0 * 10;
}`,
  },
  "01-why-deep": {
    "01-why-deep-largest-side": `function largestSide(budget: number, channels: number): number {
  let n = 0;
  while (((n + 1) * (n + 1) * channels) ** 2 <= budget) n++;
  return n;
}`,
    "01-why-deep-sharing-factor": `function sharingFactor(height: number, width: number, kernel: number): number {
  let positions = 0;
  for (let i = 0; i + kernel <= height; i++) for (let j = 0; j + kernel <= width; j++) positions++;
  return positions;
}`,
    "01-why-deep-budget-net": `function budgetNet(): dl.layers.ModelSpec {
  const hidden = [16, 16, 16, 16].map((units) => dl.layers.dense({ units, activation: "relu" }));
  return { name: "four narrow layers", layers: [dl.layers.input([28, 28, 1]), dl.layers.flatten(), ...hidden, dl.layers.dense({ units: 10, activation: "softmax" })] };
}`,
    "01-why-deep-predict-bigger-image": `function predictedLocalWeights(): number {
  return 400 * 400 * 6 * 5 * 5 * 3;
}`,
  },
  "02-ffnn-xor": {
    "02-ffnn-xor-forward-by-hand": `function xorByHand(x: number[]): number {
  const W = [[1, 1], [1, 1]];
  const c = [0, -1];
  const w = [1, -2];
  const b = 0;
  let f = b;
  for (let i = 0; i < 2; i++) {
    let z = c[i];
    for (let j = 0; j < 2; j++) z += W[j][i] * x[j];
    f += w[i] * (z > 0 ? z : 0);
  }
  return f;
}`,
    // the book's solution with its two hidden units swapped
    "02-ffnn-xor-second-solution": `function mySolution(): dl.xor.XorParams {
  return { W: [[1, 1], [1, 1]], c: [-1, 0], w: [-2, 1], b: 0 };
}`,
    "02-ffnn-xor-predict-outside": `function predictedAt22(): number {
  return Math.max(0, 4) - 2 * Math.max(0, 3);
}`,
  },
  "03-backprop": {
    "03-backprop-bars-by-hand": `function errorSignals(w: number, b: number, x: number, t: number): { yBar: number; zBar: number; wBar: number; bBar: number } {
  const s = 1 / (1 + Math.exp(-(w * x + b)));
  const zBar = (s - t) * s * (1 - s);
  return { yBar: s - t, zBar, wBar: x * zBar, bBar: zBar };
}`,
    "03-backprop-predict-l2": `function predictedChange(): number {
  return 0.1 * 0.5;
}`,
  },
  "04-convolution-by-hand": {
    "04-convolution-by-hand-conv-matrix": CONV_MATRIX,
    "04-convolution-by-hand-conv-backward": `function convBackward(X: number[][], K: number[][], Ybar: number[][]): { Kbar: number[][]; Xbar: number[][] } {
  const Kbar = K.map((row) => row.map(() => 0));
  const Xbar = X.map((row) => row.map(() => 0));
  Ybar.forEach((row, i) =>
    row.forEach((g, j) =>
      K.forEach((kRow, u) =>
        kRow.forEach((k, v) => {
          Kbar[u][v] += g * X[i + u][j + v];
          Xbar[i + u][j + v] += g * k;
        }),
      ),
    ),
  );
  return { Kbar, Xbar };
}`,
    "04-convolution-by-hand-learn-kernel": LEARN_KERNEL,
    "04-convolution-by-hand-predict-output-size": `function predictedShape(): [number, number] {
  return [Math.floor((9 + 2 - 3) / 2) + 1, Math.floor((11 + 4 - 4) / 3) + 1];
}`,
  },
  "05-kernel-gallery": {
    "05-kernel-gallery-diagonal-detector": `function diagonalDetector(): number[][] {
  return [[4, -2, -2], [-2, 4, -2], [-2, -2, 4]];
}`,
    "05-kernel-gallery-box-blur": `function boxBlur(n: number): number[][] {
  const K: number[][] = [];
  for (let i = 0; i < n; i++) {
    K.push([]);
    for (let j = 0; j < n; j++) K[i].push(1 / n / n);
  }
  return K;
}`,
    "05-kernel-gallery-predict-step": `function predictedSobelRow(): number[] {
  return [0, 1, 2, 3].map((j) => (j === 1 || j === 2 ? 4 * 100 : 0));
}`,
  },
  "06-channels-and-filters": {
    "06-channels-and-filters-colour-top-left": `function topLeftOutput(channels: number[][][], kernels: number[][][], bias: number): number {
  let total = bias;
  channels.forEach((channel, c) => {
    for (const [r, col] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
      if (r < channel.length && col < channel[0].length) total += channel[r][col] * kernels[c][r + 1][col + 1];
    }
  });
  return total;
}`,
    "06-channels-and-filters-bank": `function twoKernelBank(): number[][][][] {
  const bank: number[][][][] = [];
  for (let r = 0; r < 3; r++) {
    bank.push([]);
    for (let c = 0; c < 3; c++) {
      const centre = r === 1 && c === 1 ? 1 : 0;
      bank[r].push([[W[r][c], centre], [0, centre], [0, centre]]);
    }
  }
  return bank;
}`,
    "06-channels-and-filters-predict-layer": `function predictedLayer(): { shape: [number, number, number]; params: number } {
  const side = 32 - 5 + 1;
  return { shape: [side, side, 8], params: 8 * (5 * 5 * 3 + 1) };
}`,
  },
};

/** Near misses: the right shape, a wrong answer. */
export const wrongAnswers: Record<string, Record<string, string>> = {
  "00-welcome": {
    "00-welcome-sum-of-products": `function sumOfProducts(x: number[][], W: number[][], i: number, j: number): number {
  let sum = 0;
  for (let u = 0; u < W.length; u++) for (let v = 0; v < W[0].length; v++) sum += W[u][v] * x[i + v][j + u];
  return sum;
}`,
    "00-welcome-feature-map": `function featureMap(x: number[][], W: number[][]): number[][] {
  return x.slice(0, x.length - W.length).map((_, i) => x[0].slice(0, x[0].length - W[0].length).map((_, j) => sumOfProducts(x, W, i, j)));
}`,
    "00-welcome-predict-brighter": `function predictedTopLeft(): number {
  return -18;
}`,
  },
  "01-why-deep": {
    "01-why-deep-largest-side": `function largestSide(budget: number, channels: number): number {
  let n = Math.floor(Math.sqrt(Math.sqrt(budget) / channels));
  while (n > 0 && (n * n * channels) ** 2 >= budget) n--;
  return n;
}`,
    "01-why-deep-sharing-factor": `function sharingFactor(height: number, width: number, kernel: number): number {
  return (height - kernel) * (width - kernel);
}`,
    "01-why-deep-predict-bigger-image": `function predictedLocalWeights(): number {
  return 18_000_000;
}`,
  },
  "02-ffnn-xor": {
    "02-ffnn-xor-second-solution": `function mySolution(): dl.xor.XorParams {
  return { W: [[-1, 1], [1, -1]], c: [0, 0], w: [1, 1], b: 0.5 };
}`,
    "02-ffnn-xor-sign-network": `function signNetwork(x1: number, x2: number): number {
  return Math.sign(Math.sign(x1 + x2 - 0.5) - Math.sign(x1 + x2 - 1.5));
}
function outputAt01(): number {
  return -1;
}`,
    "02-ffnn-xor-predict-outside": `function predictedAt22(): number {
  return 0;
}`,
  },
  "03-backprop": {
    "03-backprop-bars-by-hand": `function errorSignals(w: number, b: number, x: number, t: number): { yBar: number; zBar: number; wBar: number; bBar: number } {
  const yBar = dl.activations.sigmoid(w * x + b) - t;
  return { yBar, zBar: yBar, wBar: yBar * x, bBar: yBar };
}`,
    "03-backprop-predict-l2": `function predictedChange(): number {
  return 0.1;
}`,
  },
  "04-convolution-by-hand": {
    "04-convolution-by-hand-conv-matrix": CONV_MATRIX.replace("[r * w + c]", "[c * h + r]"),
    "04-convolution-by-hand-kernel-stride-padding": `function quizAnswer(): { kernel: [number, number]; padding: [number, number]; stride: [number, number] } {
  return { kernel: [3, 2], padding: [1, 0], stride: [1, 2] };
}`,
    // the kernel not turned: right for symmetric kernels only
    "04-convolution-by-hand-conv-backward": `function convBackward(X: number[][], K: number[][], Ybar: number[][]): { Kbar: number[][]; Xbar: number[][] } {
  return { Kbar: dl.conv.correlate2d(X, Ybar), Xbar: dl.conv.correlate2d(Ybar, K, { padding: [K.length - 1, K[0].length - 1] }) };
}`,
    // the right kernel turned by 180°: what true convolution would have learned
    "04-convolution-by-hand-learn-kernel": LEARN_KERNEL.replace("return K;", "return dl.conv.flipKernel(K);"),
    "04-convolution-by-hand-predict-output-size": `function predictedShape(): [number, number] {
  return [5, 5];
}`,
  },
  "05-kernel-gallery": {
    "05-kernel-gallery-diagonal-detector": `function diagonalDetector(): number[][] {
  return [[-1, -1, 2], [-1, 2, -1], [2, -1, -1]];
}`,
    "05-kernel-gallery-box-blur": `function boxBlur(n: number): number[][] {
  return Array.from({ length: n }, () => new Array<number>(n).fill(1 / n));
}`,
    "05-kernel-gallery-predict-step": `function predictedSobelRow(): number[] {
  return [0, 300, 300, 0];
}`,
  },
  "06-channels-and-filters": {
    "06-channels-and-filters-colour-top-left": `function topLeftOutput(channels: number[][][], kernels: number[][][], bias: number): number {
  let total = 0;
  channels.forEach((channel, c) => {
    for (const [r, col] of [[0, 0], [0, 1], [1, 0], [1, 1]]) total += channel[r][col] * kernels[c][r + 1][col + 1];
  });
  return total;
}`,
    "06-channels-and-filters-bank": `function twoKernelBank(): number[][][][] {
  const identity = dl.kernels.get("identity");
  return dl.array.stackKernels([dl.array.stackChannels([W, zero, zero]), dl.array.stackChannels([identity, zero, zero])]);
}`,
    "06-channels-and-filters-predict-layer": `function predictedLayer(): { shape: [number, number, number]; params: number } {
  return { shape: [28, 28, 8], params: 5 * 5 * 3 * 8 };
}`,
  },
};

// Notebooks 07–10 and 11–14 keep their answers in files of their own.
Object.assign(alternatives, alternatives0710, alternatives1114);
Object.assign(wrongAnswers, wrongAnswers0710, wrongAnswers1114);
