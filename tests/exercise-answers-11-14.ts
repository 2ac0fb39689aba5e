// Answers for tests/exercises.test.ts, notebooks 11–14 (merged into its tables in exercise-answers.ts): a second
// correct solution written differently from the instructor's, and a near miss of the right shape that the hidden
// tests must reject. Each is the whole solution cell a student would hand in.

/** Second correct solutions, notebooks 11–14. */
export const alternatives1114: Record<string, Record<string, string>> = {
  "11-training-deep-networks": {
    "11-training-deep-networks-leaky-init": `function leakyInitStd(fanIn: number, slope: number): number {
  const keptSquare = (1 + slope ** 2) / 2; // E[g(z)²] / E[z²] for a leaky ReLU
  return 1 / Math.sqrt(fanIn * keptSquare);
}`,
    // the bar engine instead of the formula: x̄ of y = tanh(W x) + x for the upstream ȳ
    "11-training-deep-networks-block-bar": `function blockInputBar(W: number[][], x: number[][], yBar: number[][]): number[][] {
  const xNode = dl.autodiff.param(x, "x");
  const y = dl.autodiff.add(dl.autodiff.tanh(dl.autodiff.matmul(dl.autodiff.input(W, "W"), xNode)), xNode);
  dl.autodiff.sum(dl.autodiff.mul(y, dl.autodiff.input(yBar, "ȳ"))).backward();
  return xNode.bar;
}`,
    // from the top down: one output sees (r − 1)·s + k inputs of the layer below
    "11-training-deep-networks-receptive-field": `function receptiveField(layers: Array<{ kernel: number; stride?: number }>): number {
  return layers.reduceRight((r, { kernel, stride }) => (r - 1) * (stride ?? 1) + kernel, 1);
}`,
  },
  "12-generalisation-and-hyperparameters": {
    "12-generalisation-and-hyperparameters-early-stopping": `function stopAt(validationLosses: number[], patience: number): { best: number; stop: number } {
  let best = 1;
  let sinceBest = 0;
  for (let epoch = 2; epoch <= validationLosses.length; epoch++) {
    if (validationLosses[epoch - 1] < validationLosses[best - 1]) {
      best = epoch;
      sinceBest = 0;
    } else sinceBest++;
    if (sinceBest === patience) return { best, stop: epoch };
  }
  return { best, stop: validationLosses.length };
}`,
    "12-generalisation-and-hyperparameters-dropout-by-hand": `function dropoutByHand(x: number[][], mask: number[][], rate: number, yBar: number[][]): { y: number[][]; xBar: number[][] } {
  const apply = (m: number[][]) => m.map((row, i) => row.map((v, j) => (mask[i][j] === 0 ? 0 : v / (1 - rate))));
  return { y: apply(x), xBar: apply(yBar) };
}`,
    // Adam's first step written out: m, s, the bias corrections, the update
    "12-generalisation-and-hyperparameters-adam-first-step": `function adamFirstStep(theta: number, g: number, learningRate: number): number {
  const [beta1, beta2, epsilon] = [0.9, 0.999, 1e-8];
  const m = (1 - beta1) * g;
  const s = (1 - beta2) * g * g;
  const mHat = m / (1 - beta1);
  const sHat = s / (1 - beta2);
  return theta - (learningRate * mHat) / (Math.sqrt(sHat) + epsilon);
}`,
  },
  "13-recurrent-networks": {
    // first every step's ā (top down), then W̄ as the sum of the outer products ā_t h_{t−1}ᵀ
    "13-recurrent-networks-bptt": `function bpttWeightBar(W: number[][], hs: number[][][], hLastBar: number[][]): number[][] {
  const aBars: number[][] = [];
  let hBar = hLastBar.map((r) => r[0]);
  for (let t = hs.length - 1; t >= 1; t--) {
    const aBar = hs[t].map((h, i) => hBar[i] * (1 - h[0] * h[0]));
    aBars[t] = aBar;
    hBar = W.map((_, j) => W.reduce((s, row, i) => s + row[j] * aBar[i], 0));
  }
  return W.map((row, i) => row.map((_, j) => aBars.reduce((s, aBar, t) => s + aBar[i] * hs[t - 1][j][0], 0)));
}`,
    "13-recurrent-networks-counts": `function rnnCount(hidden: number, inputs: number): number {
  return hidden * (hidden + inputs + 1);
}
function gruCount(hidden: number, inputs: number): number {
  return 3 * hidden * (hidden + inputs);
}`,
    "13-recurrent-networks-choose": `function chooseArchitecture(task: { swappable: boolean; grid: boolean; variableLength: boolean }): "mlp" | "cnn" | "rnn" {
  return task.swappable ? "mlp" : task.variableLength ? "rnn" : task.grid ? "cnn" : "mlp";
}`,
  },
  "14-cnns-in-the-world": {
    "14-cnns-in-the-world-iou": `function boxIoU(a: dl.world.Box, b: dl.world.Box): number {
  const overlap1d = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
  const inter = overlap1d(a.x, a.x + a.w, b.x, b.x + b.w) * overlap1d(a.y, a.y + a.h, b.y, b.y + b.h);
  return inter === 0 ? 0 : inter / (a.w * a.h + b.w * b.h - inter);
}`,
    "14-cnns-in-the-world-occlusion": `function occlusionByHand(predict: (image: Float32Array) => number, image: Float32Array, size: number, patch: number, stride: number): number[][] {
  const base = predict(image);
  const map: number[][] = [];
  for (let top = 0; top + patch <= size; top += stride) {
    const row: number[] = [];
    for (let left = 0; left + patch <= size; left += stride) {
      const covered = Float32Array.from(image, (v, p) => {
        const [r, c] = [Math.floor(p / size), p % size];
        return r >= top && r < top + patch && c >= left && c < left + patch ? 0 : v;
      });
      row.push(base - predict(covered));
    }
    map.push(row);
  }
  return map;
}`,
    "14-cnns-in-the-world-multi-label": `function presentLabels(scores: number[], names: string[]): string[] {
  const present: string[] = [];
  scores.forEach((z, k) => {
    if (1 / (1 + Math.exp(-z)) > 0.5) present.push(names[k]);
  });
  return present;
}`,
  },
};

/** Near misses of the right shape, notebooks 11–14: each must score 0 in its test cell. */
export const wrongAnswers1114: Record<string, Record<string, string>> = {
  "11-training-deep-networks": {
    // a where a² belongs
    "11-training-deep-networks-leaky-init": `function leakyInitStd(fanIn: number, slope: number): number {
  return Math.sqrt(2 / ((1 + slope) * fanIn));
}`,
    // the branch only: forgets that the shortcut passes ȳ straight back
    "11-training-deep-networks-block-bar": `function blockInputBar(W: number[][], x: number[][], yBar: number[][]): number[][] {
  const a = W.map((row) => row.reduce((s, w, j) => s + w * x[j][0], 0));
  const aBar = a.map((ai, i) => yBar[i][0] * (1 - Math.tanh(ai) ** 2));
  return x.map((_, j) => [aBar.reduce((s, g, i) => s + W[i][j] * g, 0)]);
}`,
    // forgets that strides multiply the jump
    "11-training-deep-networks-receptive-field": `function receptiveField(layers: Array<{ kernel: number; stride?: number }>): number {
  return layers.reduce((r, { kernel }) => r + kernel - 1, 1);
}`,
  },
  "12-generalisation-and-hyperparameters": {
    // on ties keeps the last epoch, not the first
    "12-generalisation-and-hyperparameters-early-stopping": `function stopAt(validationLosses: number[], patience: number): { best: number; stop: number } {
  let best = 1;
  for (let epoch = 1; epoch <= validationLosses.length; epoch++) {
    if (validationLosses[epoch - 1] <= validationLosses[best - 1]) best = epoch;
    if (epoch - best >= patience) return { best, stop: epoch };
  }
  return { best, stop: validationLosses.length };
}`,
    // scales the forward pass but not the error signal
    "12-generalisation-and-hyperparameters-dropout-by-hand": `function dropoutByHand(x: number[][], mask: number[][], rate: number, yBar: number[][]): { y: number[][]; xBar: number[][] } {
  return {
    y: x.map((row, i) => row.map((v, j) => (v * mask[i][j]) / (1 - rate))),
    xBar: yBar.map((row, i) => row.map((g, j) => g * mask[i][j])),
  };
}`,
    // without the bias corrections
    "12-generalisation-and-hyperparameters-adam-first-step": `function adamFirstStep(theta: number, g: number, learningRate: number): number {
  const m = 0.1 * g;
  const s = 0.001 * g * g;
  return theta - (learningRate * m) / (Math.sqrt(s) + 1e-8);
}`,
  },
  "13-recurrent-networks": {
    // truncated after one step: only the last time step's contribution to W̄
    "13-recurrent-networks-bptt": `function bpttWeightBar(W: number[][], hs: number[][][], hLastBar: number[][]): number[][] {
  const T = hs.length - 1;
  const aBar = hLastBar.map((g, i) => g[0] * (1 - hs[T][i][0] ** 2));
  return W.map((row, i) => row.map((_, j) => aBar[i] * hs[T - 1][j][0]));
}`,
    // forgets the simple cell's bias
    "13-recurrent-networks-counts": `function rnnCount(hidden: number, inputs: number): number {
  return hidden * hidden + hidden * inputs;
}
function gruCount(hidden: number, inputs: number): number {
  return 3 * (hidden * hidden + hidden * inputs);
}`,
    // a grid first: a variable-length signal on a grid would go to a CNN
    "13-recurrent-networks-choose": `function chooseArchitecture(task: { swappable: boolean; grid: boolean; variableLength: boolean }): "mlp" | "cnn" | "rnn" {
  if (task.swappable) return "mlp";
  if (task.grid) return "cnn";
  return task.variableLength ? "rnn" : "mlp";
}`,
  },
  "14-cnns-in-the-world": {
    // no clamp: two negative overlaps multiply to a positive area
    "14-cnns-in-the-world-iou": `function boxIoU(a: dl.world.Box, b: dl.world.Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  const overlap = w * h;
  return overlap / (a.w * a.h + b.w * b.h - overlap);
}`,
    // one position short on each axis
    "14-cnns-in-the-world-occlusion": `function occlusionByHand(predict: (image: Float32Array) => number, image: Float32Array, size: number, patch: number, stride: number): number[][] {
  const base = predict(image);
  const n = Math.floor((size - patch) / stride);
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
    const copy = image.slice();
    for (let r = i * stride; r < i * stride + patch; r++) for (let c = j * stride; c < j * stride + patch; c++) copy[r * size + c] = 0;
    return base - predict(copy);
  }));
}`,
    // a softmax's answer: only the most likely label
    "14-cnns-in-the-world-multi-label": `function presentLabels(scores: number[], names: string[]): string[] {
  const top = scores.indexOf(Math.max(...scores));
  return scores[top] > 0 ? [names[top]] : [];
}`,
  },
};
