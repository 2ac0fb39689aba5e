// conv2d by hand vs tf.conv2d on the cpu backend: the two convolution layers of lecture 002's Keras digit model.
// Reports the median time of each and the ratio ours / tfjs (below 1 means ours is faster).
"use strict";
const ndarray = require("ndarray");
const { conv2dBatch } = require("../dist/conv");
const { tf } = require("../dist/tf");

/** @type {{ name: string, input: [number, number, number, number], kernels: [number, number, number, number] }[]} */
const CASES = [
  { name: "64×28×28×1 * 5×5×1×8 'same'", input: [64, 28, 28, 1], kernels: [5, 5, 1, 8] },
  { name: "64×14×14×8 * 3×3×8×16 'same'", input: [64, 14, 14, 8], kernels: [3, 3, 8, 16] },
];

/** Deterministic numbers in [-1, 1). */
function numbers(n, seed) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function median(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function time(fn, repeats) {
  fn(); // warm up (JIT, tfjs kernel setup)
  const times = [];
  for (let r = 0; r < repeats; r++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

/** @param {{ json?: boolean }} [options] */
async function run({ json } = {}) {
  await tf.setBackend("cpu");
  await tf.ready();
  const results = {};
  for (const c of CASES) {
    const size = (shape) => shape.reduce((a, b) => a * b, 1);
    const x = numbers(size(c.input), 1);
    const w = numbers(size(c.kernels), 2);
    const X = ndarray(x, c.input);
    const W = ndarray(w, c.kernels);
    const xt = tf.tensor4d(x, c.input);
    const wt = tf.tensor4d(w, c.kernels);
    const tfjs = time(() => {
      const y = tf.conv2d(xt, wt, 1, "same");
      y.dataSync();
      y.dispose();
    }, 15);
    const fast = time(() => conv2dBatch(X, W, { padding: "same" }), 15);
    const loop = time(() => conv2dBatch(X, W, { padding: "same", method: "loop" }), 5);
    xt.dispose();
    wt.dispose();
    const row = {
      tfjsMs: Number(tfjs.toFixed(2)),
      fastMs: Number(fast.toFixed(2)),
      loopMs: Number(loop.toFixed(2)),
      fastOverTfjs: Number((fast / tfjs).toFixed(2)),
      loopOverTfjs: Number((loop / tfjs).toFixed(2)),
    };
    results[c.name] = row;
    if (!json) {
      console.log(
        `${c.name}: tfjs ${row.tfjsMs} ms, fast path ${row.fastMs} ms (×${row.fastOverTfjs}), teaching loop ${row.loopMs} ms (×${row.loopOverTfjs})`,
      );
    }
  }
  return results;
}

module.exports = { run };
