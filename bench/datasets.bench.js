// Loading the committed data (09-training-lenet-mnist, 05-kernel-gallery) and building figures
// (every notebook): median milliseconds of a cold-ish load, repeated.
"use strict";
const { loadMnist, loadPhoto } = require("../dist/datasets");
const { imageFigure } = require("../dist/plot/image");
const { matrixRowFigure } = require("../dist/plot/matrix");
const { figureBundle } = require("../dist/plot/show");

function median(fn, repeats = 5) {
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return Number(times[Math.floor(repeats / 2)].toFixed(1));
}

/** @param {{ json?: boolean }} [options] */
async function run({ json } = {}) {
  const mandrill = loadPhoto("mandrill");
  const x = [
    [9, 9, 3, 3, 4],
    [9, 3, 3, 4, 5],
    [9, 3, 3, 5, 5],
    [9, 3, 3, 4, 5],
    [9, 9, 3, 3, 4],
  ];
  const w = [
    [-1, 0, 1],
    [-1, 0, 1],
    [-1, 0, 1],
  ];
  const figures = {
    mnistTrain8000Ms: median(() => loadMnist("train")),
    mnistTest2000Ms: median(() => loadMnist("test")),
    mnistLimit100Ms: median(() => loadMnist("train", { limit: 100 })),
    mandrillPngMs: median(() => loadPhoto("mandrill")),
    cameraGrayPngMs: median(() => loadPhoto("camera")),
    mandrillFigureMs: median(() => imageFigure(mandrill)),
    mandrillFigureBytes: JSON.stringify(figureBundle(imageFigure(mandrill))).length,
    matrixRowFigureBytes: JSON.stringify(figureBundle(matrixRowFigure([{ values: x }, { values: w }, { values: x }]))).length,
  };
  if (!json) for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(24)} ${v}`);
  return figures;
}

module.exports = { run };
