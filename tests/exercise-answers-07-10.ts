// Answers for tests/exercises.test.ts, notebooks 07–10 (merged into its tables in exercise-answers.ts): a second
// correct solution written differently from the instructor's, and a near miss of the right shape that the hidden
// tests must reject. Each is the whole solution cell a student would hand in.

/** Second correct solutions, notebooks 07–10. */
export const alternatives0710: Record<string, Record<string, string>> = {
  "07-pooling-relu-x-vs-o": {
    "07-pooling-relu-x-vs-o-pooled-size": `function pooledSize(n: number, window: number, stride: number): number {
  let count = 0;
  for (let start = 0; start < n; start += stride) {
    count++;
    if (start + window >= n) break;
  }
  return count;
}`,
    "07-pooling-relu-x-vs-o-max-pool": `function maxPoolKeep(map: number[][], window: number, stride: number): number[][] {
  const starts = (n: number) => {
    const s: number[] = [];
    for (let i = 0; i < n; i += stride) { s.push(i); if (i + window >= n) break; }
    return s;
  };
  return starts(map.length).map((r) => starts(map[0].length).map((c) => Math.max(...map.slice(r, r + window).flatMap((row) => row.slice(c, c + window)))));
}`,
    "07-pooling-relu-x-vs-o-predict-average": `function predictAverage(): { stillVotesX: boolean; marginSmaller: boolean } {
  return { marginSmaller: true, stillVotesX: true };
}`,
    // another correct answer: erase two pixels of the lower right stroke's centre and a corner of the frame
    "07-pooling-relu-x-vs-o-fool-average": `function fooledAverage(): number[][] {
  const image = X.map((row) => row.slice());
  image[5][5] = -image[5][5];
  image[0][1] = -image[0][1];
  return image;
}`,
  },
  "08-lenet-parameters": {
    "08-lenet-parameters-conv-params": `function convParams(filters: number, channels: number, kernel: number, bias: boolean): number {
  return (channels * kernel ** 2 + Number(bias)) * filters;
}`,
    "08-lenet-parameters-conv-pool-size": `function afterConvPool(n: number, kernel: number, window: number): number {
  return Math.floor((n - kernel + 1) / window);
}`,
    "08-lenet-parameters-predict-28": `function predict28(): { s4Side: number; c5Fits: boolean } {
  const c1 = 28 - 5 + 1, s2 = c1 / 2, c3 = s2 - 5 + 1;
  return { c5Fits: c3 / 2 >= 5, s4Side: c3 / 2 };
}`,
    // from the top down: one output of layer i sees (r − 1)·s + k pixels of the layer below, down to the input
    "08-lenet-parameters-receptive-field": `function receptiveField(layers: { kernel: number; stride: number }[]): number[] {
  return layers.map((_, i) => layers.slice(0, i + 1).reduceRight((r, { kernel, stride }) => (r - 1) * stride + kernel, 1));
}`,
    "08-lenet-parameters-alexnet-groups": `function groupedAlexnetParams(): number {
  const rows = dl.layers.summary(dl.models.alexnet()).rows;
  const halved = rows.filter((r) => ["conv2", "conv4", "conv5"].includes(r.name)).reduce((s, r) => s + r.weights / 2, 0);
  return dl.layers.countParams(dl.models.alexnet()) - halved;
}`,
  },
  "09-training-lenet-mnist": {
    "09-training-lenet-mnist-pixel-std": `function pixelStd(x: Float32Array): number {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < x.length; i++) {
    sum += x[i];
    squares += x[i] * x[i];
  }
  const mean = sum / x.length;
  return Math.sqrt(Math.max(0, squares / x.length - mean * mean));
}`,
    "09-training-lenet-mnist-predict-loss": `function predictedStartLoss(): number {
  return -Math.log(1 / 10);
}`,
    "09-training-lenet-mnist-most-confused": `function mostConfused(counts: number[][]): [number, number] {
  const n = counts.length;
  let best = -1;
  let at: [number, number] = [0, 1];
  counts.flat().forEach((v, k) => {
    const [t, p] = [Math.floor(k / n), k % n];
    if (t !== p && v > best) [best, at] = [v, [t, p]];
  });
  return at;
}`,
    "09-training-lenet-mnist-c1-by-hand": `function c1ByHand(digit: number[][][]): number[][][] {
  const z = dl.conv.conv2d(digit, c1.kernels, { padding: 2 });
  return z.map((row) => row.map((cell) => cell.map((v, k) => Math.tanh(v + c1.bias[k]))));
}`,
  },
  "10-when-cnns-fail": {
    "10-when-cnns-fail-predict-noise": `function randomNoiseAbove50(): boolean {
  return 0.5 < 1;
}`,
    "10-when-cnns-fail-targeted-step": `function targetedStep(net: dl.tf.LayersModel, examples: dl.train.Examples, target: number, eps: number): Float32Array {
  const g = dl.attacks.inputGradient(net, { ...examples, y: examples.y.map(() => target) });
  const out = new Float32Array(examples.x.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(range[0], Math.min(range[1], examples.x[i] - eps * Math.sign(g[i])));
  return out;
}`,
    "10-when-cnns-fail-shift-digit": `function shiftDigit(image: number[][], dx: number, dy: number): number[][] {
  const out = image.map((row) => row.map(() => 0));
  for (let r = 0; r < image.length; r++) {
    for (let c = 0; c < image[r].length; c++) {
      const [to, from] = [r + dy, c + dx];
      if (to >= 0 && to < image.length && from >= 0 && from < image[r].length) out[to][from] = image[r][c];
    }
  }
  return out;
}`,
    "10-when-cnns-fail-freeze": `function freeze(model: dl.tf.LayersModel, names: string[]): number {
  model.layers.forEach((layer) => {
    if (names.includes(layer.name)) layer.trainable = false;
  });
  return model.layers.filter((layer) => layer.trainable).reduce((n, layer) => n + layer.countParams(), 0);
}`,
  },
};

/** Near misses, notebooks 07–10. */
export const wrongAnswers0710: Record<string, Record<string, string>> = {
  "07-pooling-relu-x-vs-o": {
    "07-pooling-relu-x-vs-o-pooled-size": `function pooledSize(n: number, window: number, stride: number): number {
  return Math.ceil((n - window) / stride) + 1;
}`,
    "07-pooling-relu-x-vs-o-max-pool": `function maxPoolKeep(map: number[][], window: number, stride: number): number[][] {
  return dl.pool.pool2d(map, { window: window, stride: stride });
}`,
    "07-pooling-relu-x-vs-o-predict-average": `function predictAverage(): { stillVotesX: boolean; marginSmaller: boolean } {
  return { stillVotesX: true, marginSmaller: false };
}`,
    // (6, 6) lowers the average-pooling margin to about 0.001, but not below 0
    "07-pooling-relu-x-vs-o-fool-average": `function fooledAverage(): number[][] {
  return X.map((row, r) => row.map((v, c) => (r === 6 && c === 6 ? -v : v)));
}`,
  },
  "08-lenet-parameters": {
    "08-lenet-parameters-conv-params": `function convParams(filters: number, channels: number, kernel: number, bias: boolean): number {
  return filters * kernel * kernel + (bias ? filters : 0);
}`,
    "08-lenet-parameters-conv-pool-size": `function afterConvPool(n: number, kernel: number, window: number): number {
  return Math.ceil((n - kernel + 1) / window);
}`,
    "08-lenet-parameters-predict-28": `function predict28(): { s4Side: number; c5Fits: boolean } {
  return { s4Side: 5, c5Fits: true };
}`,
    // forgets that the outputs of a strided layer are further apart: 5, 6, 10, 11, 15
    "08-lenet-parameters-receptive-field": `function receptiveField(layers: { kernel: number; stride: number }[]): number[] {
  let size = 1;
  return layers.map(({ kernel }) => (size += kernel - 1));
}`,
    "08-lenet-parameters-alexnet-groups": `function groupedAlexnetParams(): number {
  const rows = dl.layers.summary(dl.models.alexnet()).rows;
  return rows.reduce((s, r) => s + (["conv2", "conv4", "conv5"].includes(r.name) ? r.total / 2 : r.total), 0);
}`,
  },
  "09-training-lenet-mnist": {
    // divides by N − 1
    "09-training-lenet-mnist-pixel-std": `function pixelStd(x: Float32Array): number {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  return Math.sqrt(x.reduce((a, v) => a + (v - mean) ** 2, 0) / (x.length - 1));
}`,
    // log base 2 of 10 classes
    "09-training-lenet-mnist-predict-loss": `function predictedStartLoss(): number {
  return Math.log2(10);
}`,
    // lets the diagonal win
    "09-training-lenet-mnist-most-confused": `function mostConfused(counts: number[][]): [number, number] {
  let best: [number, number] = [0, 0];
  counts.forEach((row, t) => row.forEach((v, p) => { if (v > counts[best[0]][best[1]]) best = [t, p]; }));
  return best;
}`,
    // forgets tanh
    "09-training-lenet-mnist-c1-by-hand": `function c1ByHand(digit: number[][][]): number[][][] {
  return dl.conv.conv2d(digit, c1.kernels, { padding: 2, bias: c1.bias });
}`,
  },
  "10-when-cnns-fail": {
    "10-when-cnns-fail-predict-noise": `function randomNoiseAbove50(): boolean {
  return false;
}`,
    // steps up the target's loss: the target becomes less likely
    "10-when-cnns-fail-targeted-step": `function targetedStep(net: dl.tf.LayersModel, examples: dl.train.Examples, target: number, eps: number): Float32Array {
  const g = dl.attacks.inputGradient(net, { ...examples, y: new Uint8Array(examples.count).fill(target) });
  return examples.x.map((v, i) => Math.min(range[1], Math.max(range[0], v + eps * Math.sign(g[i]))));
}`,
    // the sign error: output (r, c) taken from input (r + dy, c + dx)
    "10-when-cnns-fail-shift-digit": `function shiftDigit(image: number[][], dx: number, dy: number): number[][] {
  return image.map((row, r) => row.map((_, c) => image[r + dy]?.[c + dx] ?? 0));
}`,
    // counts every weight, frozen or not
    "10-when-cnns-fail-freeze": `function freeze(model: dl.tf.LayersModel, names: string[]): number {
  for (const name of names) model.getLayer(name).trainable = false;
  return model.countParams();
}`,
  },
};
