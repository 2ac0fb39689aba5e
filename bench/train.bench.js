// LeNet-5 training speed on the course's 8,000 MNIST digits (batch 64, Adam 0.001, cross-entropy):
// (a) TensorFlow.js's stock `cpu` backend, a short run; (b) `fit` on the fast backend with 1 and 2
// threads; (c) PyTorch (bench/lenet_torch.py, when `import torch` works) with the same thread counts.
// The machine may be shared, so the two are interleaved: after every `fit` epoch, PyTorch trains one
// epoch with the same number of threads; each ratio is the median of these side-by-side pairs.
// Then one training step is profiled kernel by kernel (tf.profile) next to torch.profiler.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const readline = require("readline");
const { spawn, spawnSync } = require("child_process");
const { tf } = require("../dist/tf");
const { useFastBackend } = require("../dist/train/backend");
const { fit, mnistExamples, selectExamples } = require("../dist/train/fit");
const { GradientStep } = require("../dist/train/step");
const { FlatAdam } = require("../dist/train/adam");
const { lenet5, toTfModel } = require("../dist/models");
const { loadMnist } = require("../dist/datasets");
const { run: runKernel, runStock } = require("../dist/train/kernels/util");

const BATCH = 64;
const EPOCHS = 5; // measured epochs per thread count (after the first)
const CPU_RUNS = 3;
const CPU_BATCHES = 2; // the stock backend takes seconds per batch: a few batches are enough
const PROFILE_STEPS = 10;
const PRODUCT_RUNS = 200;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const round = (x) => Math.round(x);
const fixed = (x, digits = 2) => Number(x.toFixed(digits));
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

/** Images per second of the stock cpu backend on a few batches, after one warm-up batch. */
async function cpuImagesPerSecond(examples) {
  const model = toTfModel(lenet5({ inputSize: 28 }), { seed: 1 });
  await fit(
    model,
    selectExamples(
      examples,
      Array.from({ length: BATCH }, (_, i) => i),
    ),
    { epochs: 1, batchSize: BATCH, workers: 1 },
  );
  const start = performance.now();
  await fit(model, examples, { epochs: 1, batchSize: BATCH, seed: 1, workers: 1 });
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

/** PyTorch in a child process that trains one epoch (or profiles one step) when asked; null without torch. */
async function startTorch(train) {
  const python = findTorchPython();
  if (!python) return { skipped: "python3 cannot import torch (Debian: apt-get install python3-torch)" };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lenet-"));
  const file = path.join(dir, "digits.bin");
  const labels = Int32Array.from(train.y);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(train.x.buffer, train.x.byteOffset, train.x.byteLength), Buffer.from(labels.buffer)]));
  const child = spawn(python, [path.join(__dirname, "lenet_torch.py"), file, String(train.count), String(BATCH)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`lenet_torch.py stopped: ${stderr.trim().split("\n").pop()}`);
    return JSON.parse(value);
  };
  const ask = (command) => {
    child.stdin.write(command + "\n");
    return next();
  };
  const hello = await next();
  return {
    version: hello.torch,
    epoch: async (threads) => (await ask(`epoch ${threads}`)).imagesPerSecond,
    profile: (threads) => ask(`profile ${threads}`),
    close: () => {
      child.stdin.end("quit\n");
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `fit` over all digits with `threads` threads; after each epoch PyTorch trains one with as many. */
async function sideBySide(train, threads, torch) {
  const pairs = [];
  const model = toTfModel(lenet5({ inputSize: 28 }), { seed: 1 });
  await fit(model, train, {
    epochs: EPOCHS + 1,
    batchSize: BATCH,
    seed: 1,
    workers: threads,
    onEpoch: async (r) => {
      pairs.push({ tfjs: r.imagesPerSecond, threads: r.threads, torch: torch.epoch ? await torch.epoch(threads) : null });
    },
  });
  model.dispose();
  if (pairs.some((p) => p.threads !== threads)) throw new Error(`fit trained on ${pairs[0].threads} threads, asked for ${threads}`);
  const [first, ...rest] = pairs;
  const summary = (list) => {
    const tfjs = median(list.map((p) => p.tfjs));
    if (!torch.epoch) return { tfjs: round(tfjs), runs: list.map((p) => round(p.tfjs)) };
    return {
      tfjs: round(tfjs),
      torch: round(median(list.map((p) => p.torch))),
      ratio: fixed(median(list.map((p) => p.tfjs / p.torch))),
      runs: list.map((p) => [round(p.tfjs), round(p.torch)]),
    };
  };
  return { first: summary([first]), steady: summary(rest) };
}

/** Per-kernel milliseconds of one `fit` training step (forward, loss, gradients, Adam), medians over steps. */
async function profileStep(train) {
  const model = toTfModel(lenet5({ inputSize: 28 }), { seed: 1 });
  const step = new GradientStep(model, 10);
  const weights = step.readWeights();
  const grads = new Float32Array(step.size);
  const adam = new FlatAdam(step.size, 0.001);
  const x = train.x.subarray(0, BATCH * 784);
  const labels = train.y.subarray(0, BATCH);
  const oneHot = new Float32Array(BATCH * 10);
  labels.forEach((y, i) => (oneHot[i * 10 + y] = 1));
  const once = () => {
    step.run(x, train.shape, oneHot, labels, BATCH, grads, 1);
    adam.step(weights, grads);
    step.writeWeights(weights);
  };
  for (let i = 0; i < 5; i++) once();
  const perKernel = new Map();
  const walls = [];
  for (let s = 0; s < PROFILE_STEPS; s++) {
    const start = performance.now();
    once();
    walls.push(performance.now() - start);
    const info = await tf.profile(once);
    const sums = new Map();
    for (const k of info.kernels) {
      const e = sums.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += k.kernelTimeMs;
      e.calls++;
      sums.set(k.name, e);
    }
    for (const [name, e] of sums) {
      if (!perKernel.has(name)) perKernel.set(name, { ms: [], calls: e.calls });
      perKernel.get(name).ms.push(e.ms);
    }
  }
  model.dispose();
  // Ops that are not kernels of the backend (custom-gradient ops) contain kernels listed on their own: left out.
  const backend = tf.getBackend();
  const ops = [...perKernel]
    .filter(([name]) => tf.getKernel(name, backend) !== undefined)
    .map(([name, e]) => ({ name, ms: median(e.ms), calls: e.calls }))
    .sort((a, b) => b.ms - a.ms);
  return { ops, stepMs: median(walls) };
}

/**
 * Milliseconds of C5's forward product as the batch's rows times the kernel, 64×400 · 400×120 (median of
 * PRODUCT_RUNS): the stock kernel with a new B each time (training: XNNPACK repacks it), the stock kernel
 * with the same B (its packing kept), and the fast backend's kernel (the native loop for ≤ 256 rows).
 */
function productTimes() {
  const backend = tf.backend();
  const a = tf.randomUniform([1, BATCH, 400], -1, 1, "float32", 1);
  const b0 = tf.randomUniform([1, 400, 120], -1, 1, "float32", 2);
  const time = (kernel, fresh) => {
    const ms = [];
    for (let i = 0; i < PRODUCT_RUNS; i++) {
      const b = fresh ? tf.mul(b0, 1) : b0;
      const start = performance.now();
      const c = kernel("BatchMatMul", backend, { a, b }, { transposeA: false, transposeB: false });
      ms.push(performance.now() - start);
      backend.disposeData(c.dataId);
      if (fresh) b.dispose();
    }
    return fixed(median(ms.slice(PRODUCT_RUNS / 5)), 3);
  };
  const result = { stockNewB: time(runStock, true), stockSameB: time(runStock, false), fast: time(runKernel, true) };
  tf.dispose([a, b0]);
  return result;
}

function printProfiles(say, tfjs, torch) {
  const top = 14;
  const total = (ops) => ops.reduce((a, o) => a + o.ms, 0);
  say(`one training step, 1 thread, batch ${BATCH} (per-kernel ms, median of ${PROFILE_STEPS} steps):`);
  say(
    `  ${"TensorFlow.js kernel (tf.profile)".padEnd(44)} ${"ms".padStart(6)}  ${"calls".padStart(5)}   ${torch ? "PyTorch op (torch.profiler, self time)".padEnd(44) + " " + "ms".padStart(6) + "  " + "calls".padStart(5) : ""}`,
  );
  for (let i = 0; i < top; i++) {
    const a = tfjs.ops[i];
    const b = torch?.ops[i];
    const left = a ? `${a.name.padEnd(44)} ${a.ms.toFixed(2).padStart(6)}  ${String(a.calls).padStart(5)}` : " ".repeat(58);
    const right = b ? `${b.name.slice(0, 44).padEnd(44)} ${b.ms.toFixed(2).padStart(6)}  ${String(b.calls).padStart(5)}` : "";
    say(`  ${left}   ${right}`);
  }
  say(
    `  ${"all kernels".padEnd(44)} ${total(tfjs.ops).toFixed(2).padStart(6)}  ${String(tfjs.ops.reduce((a, o) => a + o.calls, 0)).padStart(5)}   ` +
      (torch
        ? `${"all ops".padEnd(44)} ${total(torch.ops).toFixed(2).padStart(6)}  ${String(torch.ops.reduce((a, o) => a + o.calls, 0)).padStart(5)}`
        : ""),
  );
  say(
    `  ${"whole step (wall clock)".padEnd(44)} ${tfjs.stepMs.toFixed(2).padStart(6)}          ` +
      (torch ? `${"whole step (wall clock)".padEnd(44)} ${torch.stepMs.toFixed(2).padStart(6)}` : ""),
  );
}

/** @param {{ json?: boolean }} [options] */
async function run({ json } = {}) {
  const say = (line) => {
    if (!json) console.log(line);
  };
  const loadBefore = load();
  say(`load average (1, 5, 15 min) before: ${loadBefore}; ${os.availableParallelism()} cores`);
  const train = mnistExamples(loadMnist("train"));
  const cpuSubset = selectExamples(
    train,
    Array.from({ length: CPU_BATCHES * BATCH }, (_, i) => i),
  );

  await tf.setBackend("cpu");
  const cpuRuns = [];
  for (let i = 0; i < CPU_RUNS; i++) cpuRuns.push(await cpuImagesPerSecond(cpuSubset));
  const cpu = median(cpuRuns);
  say(`stock cpu backend: ${round(cpu)} images/s (median of ${CPU_RUNS} runs of ${CPU_BATCHES} batches: ${cpuRuns.map(round).join(", ")})`);

  const backend = await useFastBackend();
  const torch = await startTorch(train);
  if (torch.skipped) say(`PyTorch: skipped (${torch.skipped})`);
  const rows = {};
  try {
    for (const threads of [1, 2]) rows[threads] = await sideBySide(train, threads, torch);
    const tfjsProfile = await profileStep(train);
    const products = productTimes();
    const torchProfile = torch.profile ? await torch.profile(1) : null;
    const result = {
      digits: train.count,
      batchSize: BATCH,
      backend,
      torch: torch.version ?? null,
      load: { before: loadBefore, after: load() },
      cpu: { imagesPerSecond: round(cpu), runs: cpuRuns.map(round) },
      threads: rows,
      fastOverCpu: fixed(rows[1].steady.tfjs / cpu, 1),
      profile: { tfjs: tfjsProfile, torch: torchProfile },
      products,
    };

    say(
      `\nLeNet-5 training, images/s (fit on ${backend} + custom kernels vs PyTorch ${torch.version ?? "(not run)"}; each epoch of fit followed by one of PyTorch):`,
    );
    say(`  ${"threads".padEnd(22)} ${"fit".padStart(8)} ${"PyTorch".padStart(8)} ${"fit/PyTorch".padStart(12)}`);
    const line = (label, r) =>
      say(
        `  ${label.padEnd(22)} ${String(r.tfjs).padStart(8)} ${String(r.torch ?? "-").padStart(8)} ${(r.ratio === undefined ? "-" : r.ratio.toFixed(2) + "×").padStart(12)}`,
      );
    line("1, first epoch", rows[1].first);
    line(`1, median of ${EPOCHS} epochs`, rows[1].steady);
    line(`2, median of ${EPOCHS} epochs`, rows[2].steady);
    say(`  pairs (fit, PyTorch) at 1 thread: ${JSON.stringify(rows[1].steady.runs)}; at 2: ${JSON.stringify(rows[2].steady.runs)}`);
    say(
      `  fit, 2 threads over 1: ${(rows[2].steady.tfjs / rows[1].steady.tfjs).toFixed(2)}×; fit 1 thread over stock cpu: ${result.fastOverCpu}×`,
    );
    say("");
    printProfiles(say, tfjsProfile, torchProfile);
    say(
      `C5's product ${BATCH}×400 · 400×120 (ms, median of ${PRODUCT_RUNS}): stock kernel with a new B ${products.stockNewB}, ` +
        `with the same B ${products.stockSameB} (XNNPACK's packing kept); fast backend with a new B ${products.fast}`,
    );
    say(`load average (1, 5, 15 min) after: ${result.load.after}`);
    return result;
  } finally {
    torch.close?.();
  }
}

module.exports = { run };
