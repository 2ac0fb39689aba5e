// LeNet-5 training speed on the course's 8,000 MNIST digits (batch 64, Adam 0.001, cross-entropy):
// (a) TensorFlow.js's stock `cpu` backend, a short run; (b) the fast backend (`useFastBackend`);
// (c) PyTorch on one CPU thread (bench/lenet_torch.py), when `import torch` works.
// Each figure is the median of several runs; the ratios compare figures measured in this one run.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawnSync } = require("child_process");
const { tf } = require("../dist/tf");
const { useFastBackend } = require("../dist/train/backend");
const { fit, mnistExamples, selectExamples } = require("../dist/train/fit");
const { lenet5, toTfModel } = require("../dist/models");
const { loadMnist } = require("../dist/datasets");

const BATCH = 64;
const RUNS = { cpu: 3, fast: 5, torch: 5 };
const CPU_BATCHES = 2; // the stock backend takes seconds per batch: a few batches are enough

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Images per second of `fit` for one epoch over `examples`, after one warm-up batch. */
async function imagesPerSecond(examples) {
  const model = toTfModel(lenet5({ inputSize: 28 }), { seed: 1 });
  await fit(model, selectExamples(examples, Array.from({ length: BATCH }, (_, i) => i)), { epochs: 1, batchSize: BATCH });
  const start = performance.now();
  await fit(model, examples, { epochs: 1, batchSize: BATCH, seed: 1 });
  const seconds = (performance.now() - start) / 1000;
  model.dispose();
  return (Math.floor(examples.count / BATCH) * BATCH) / seconds;
}

/** A python3 that can import torch, or null. */
function findTorchPython() {
  for (const python of ["python3", "/usr/bin/python3"]) {
    const probe = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
    if (probe.status === 0) return python;
  }
  return null;
}

/** PyTorch's images per second, one per epoch, on the same digits (written to a temporary file). */
function torchRuns(train) {
  const python = findTorchPython();
  if (!python) return { skipped: "python3 cannot import torch (Debian: apt-get install python3-torch)" };
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lenet-")), "digits.bin");
  const labels = Int32Array.from(train.y);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(train.x.buffer, train.x.byteOffset, train.x.byteLength), Buffer.from(labels.buffer)]));
  const script = path.join(__dirname, "lenet_torch.py");
  // One extra epoch first: PyTorch warms up too.
  const run = spawnSync(python, [script, file, String(train.count), String(RUNS.torch + 1), String(BATCH), "1"], { encoding: "utf8" });
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  if (run.status !== 0) return { skipped: `lenet_torch.py failed: ${run.stderr.trim().split("\n").pop()}` };
  const out = JSON.parse(run.stdout.trim().split("\n").pop());
  return { runs: out.imagesPerSecond.slice(1), version: out.torch, params: out.params };
}

async function run({ json } = {}) {
  const say = (line) => {
    if (!json) console.log(line);
  };
  const train = mnistExamples(loadMnist("train"));
  const cpuSubset = selectExamples(train, Array.from({ length: CPU_BATCHES * BATCH }, (_, i) => i));
  const round = (x) => Math.round(x);

  await tf.setBackend("cpu");
  const cpuRuns = [];
  for (let i = 0; i < RUNS.cpu; i++) cpuRuns.push(await imagesPerSecond(cpuSubset));
  const cpu = median(cpuRuns);
  say(`stock cpu backend: ${round(cpu)} images/s (median of ${RUNS.cpu} runs of ${CPU_BATCHES} batches: ${cpuRuns.map(round).join(", ")})`);

  const backend = await useFastBackend();
  const fastRuns = [];
  for (let i = 0; i < RUNS.fast; i++) fastRuns.push(await imagesPerSecond(train));
  const fast = median(fastRuns);
  say(`fast backend (${backend} + custom kernels): ${round(fast)} images/s (median of ${RUNS.fast} epochs of ${train.count}: ${fastRuns.map(round).join(", ")})`);

  const torch = torchRuns(train);
  const result = {
    digits: train.count,
    batchSize: BATCH,
    cpu: { imagesPerSecond: round(cpu), runs: cpuRuns.map(round) },
    fast: { imagesPerSecond: round(fast), runs: fastRuns.map(round), backend },
    torch: torch.runs ? { imagesPerSecond: round(median(torch.runs)), runs: torch.runs.map(round), threads: 1, version: torch.version } : { skipped: torch.skipped },
    ratios: { fastOverCpu: Number((fast / cpu).toFixed(1)) },
  };
  if (torch.runs) {
    say(`PyTorch ${torch.version}, 1 thread: ${round(median(torch.runs))} images/s (median of ${torch.runs.length} epochs: ${torch.runs.map(round).join(", ")})`);
    result.ratios.fastOverTorch = Number((fast / median(torch.runs)).toFixed(2));
  } else say(`PyTorch: skipped (${torch.skipped})`);
  say(`ratios: fast / stock cpu = ${result.ratios.fastOverCpu}×` + (torch.runs ? `, fast / PyTorch = ${result.ratios.fastOverTorch}×` : ""));
  return result;
}

module.exports = { run };
