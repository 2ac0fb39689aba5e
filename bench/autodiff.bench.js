// The autodiff engine on the notebooks' workloads: one gradient-descent step of the 2–2–1 XOR network
// (forward over the four inputs, zeroGrad, backward, update), the whole convergence study of
// 02-ffnn-xor (100 seeds, at most 1000 steps each), and forward + backward of the vectorised MLP of 03-backprop.
"use strict";
const ad = require("../dist/autodiff");
const { MLP, trainMLP } = require("../dist/mlp");
const { xorConvergence, xorTable } = require("../dist/xor");

function median(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** @param {{ json?: boolean }} [options] */
async function run({ json } = {}) {
  const { X, t } = xorTable();
  const T = t.map((v) => [v]);
  const model = new MLP([2, 2, 1], { seed: 3 });
  trainMLP(model, X, T, { lr: 0.1, steps: 200 }); // warm up
  const steps = 5000;
  let start = performance.now();
  trainMLP(model, X, T, { lr: 0.1, steps });
  const xorStepMicroseconds = ((performance.now() - start) * 1000) / steps;

  const studies = [];
  for (let k = 0; k < 3; k++) {
    start = performance.now();
    xorConvergence({ steps: 1000 });
    studies.push(performance.now() - start);
  }

  const times = [];
  for (let k = 0; k < 2000; k++) {
    start = performance.now();
    const W1 = ad.param(
      [
        [0.1, 0.2],
        [0.3, -0.4],
        [0.5, 0.1],
      ],
      "W1",
    );
    const b1 = ad.param([[0], [0.1], [0]], "b1");
    const W2 = ad.param(
      [
        [0.5, -0.6, 0.2],
        [-0.2, 0.4, 0.3],
      ],
      "W2",
    );
    const b2 = ad.param([[0.2], [-0.3]], "b2");
    const h = ad.sigmoid(ad.affine(W1, ad.input([[1], [2]], "x"), b1));
    const loss = ad.halfSquaredError(ad.affine(W2, h, b2), [[1], [0]]);
    loss.backward();
    times.push(performance.now() - start);
  }
  const figures = {
    xorStepMicroseconds: Number(xorStepMicroseconds.toFixed(1)),
    xorConvergenceStudyMs: Math.round(median(studies)),
    vectorisedMlpForwardBackwardMicroseconds: Number((median(times) * 1000).toFixed(1)),
  };
  if (!json) {
    console.log(`XOR 2–2–1 gradient-descent step (4 examples): ${figures.xorStepMicroseconds} µs`);
    console.log(`convergence study, 100 seeds × ≤ 1000 steps: ${figures.xorConvergenceStudyMs} ms (median of 3)`);
    console.log(`vectorised MLP 2–3–2 forward + backward: ${figures.vectorisedMlpForwardBackwardMicroseconds} µs`);
  }
  return figures;
}

module.exports = { run };
