// Data-parallel training over worker_threads (TensorFlow.js's threaded wasm build does not start in
// Node). Every worker holds a copy of the model on its own fast backend. For each batch:
//
//   1. the batch and the current weights go into shared memory;
//   2. worker k takes rows [from_k, from_k + count_k) and computes (count_k / batch) · ∇(its mean loss);
//      the main thread takes the first rows itself, at the same time;
//   3. the main thread adds the gradients up, which is ∇ of the whole batch's mean loss, and runs Adam.
//
// So the weights after each step are those of one thread training on the whole batch, up to the order
// in which float32 numbers are added.
import * as fs from "fs";
import * as path from "path";
import { Worker } from "worker_threads";
import type { tf } from "../tf";
import type { GradientStep, StepResult } from "./step";

/** What a worker needs to build its copy of the model and find the shared buffers. */
export interface WorkerSetup {
  /** The model's layers, as `model.toJSON()` writes them. */
  topology: string;
  /** Every weight of the model (frozen ones too, which the shared buffer leaves out), in `model.getWeights()` order. */
  initialWeights: { values: Float32Array; shape: number[] }[];
  classes: number;
  shape: number[];
  weights: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  x: SharedArrayBuffer;
  oneHot: SharedArrayBuffer;
  labels: SharedArrayBuffer;
}

/** One batch's share for a worker: rows [from, from + count), gradients times `scale`. */
export interface WorkerTask {
  from: number;
  count: number;
  scale: number;
}

/** A message to a worker: build a model, or train on a share of the batch. */
export type WorkerMessage = { type: "init"; setup: WorkerSetup } | { type: "step"; task: WorkerTask };

type Reply = { ready: true; size: number } | (StepResult & { ready?: undefined }) | { error: string };

/** The compiled worker script: next to this file in dist/, or in dist/ when this file runs from src/. */
function workerFile(): string {
  const here = path.join(__dirname, "worker.js");
  if (fs.existsSync(here)) return here;
  const built = path.join(__dirname, "..", "..", "dist", "train", "worker.js");
  if (fs.existsSync(built)) return built;
  throw new Error("train.fit: the worker script dist/train/worker.js is missing (run npm run build)");
}

function shared(length: number, bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(1, length) * bytes);
}

/** One worker thread and the promise it is answering. Idle workers wait for the next `fit` (unref'd). */
class Helper {
  private pending: { resolve: (r: StepResult) => void; reject: (e: Error) => void } | null = null;
  private readyWaiter: { resolve: (size: number) => void; reject: (e: Error) => void } | null = null;
  alive = true;
  grads: Float32Array<ArrayBufferLike> = new Float32Array(0);

  constructor(readonly worker: Worker) {
    worker.on("message", (reply: Reply) => this.receive(reply));
    worker.on("error", (e) => this.fail(e instanceof Error ? e : new Error(String(e))));
    worker.on("exit", (code) => {
      this.alive = false;
      this.fail(new Error(`train.fit: a training worker exited (code ${code})`));
    });
  }

  private receive(reply: Reply): void {
    if ("error" in reply) return this.fail(new Error(`train.fit: a training worker failed: ${reply.error}`));
    if (reply.ready) {
      this.readyWaiter?.resolve(reply.size);
      this.readyWaiter = null;
      return;
    }
    const p = this.pending;
    this.pending = null;
    p?.resolve({ loss: reply.loss, correct: reply.correct });
  }

  private fail(e: Error): void {
    this.readyWaiter?.reject(e);
    this.pending?.reject(e);
    this.readyWaiter = null;
    this.pending = null;
  }

  /** Build the model in the worker; resolves with its number of weights. */
  init(setup: WorkerSetup): Promise<number> {
    this.grads = new Float32Array(setup.grads);
    return new Promise((resolve, reject) => {
      this.readyWaiter = { resolve, reject };
      this.worker.postMessage({ type: "init", setup } satisfies WorkerMessage);
    });
  }

  run(task: WorkerTask): Promise<StepResult> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage({ type: "step", task } satisfies WorkerMessage);
    });
  }
}

/** Worker threads between `fit` calls: starting one (a backend, TensorFlow.js) takes about a second. */
const idle: Helper[] = [];

function takeHelper(): Helper {
  for (let h = idle.pop(); h; h = idle.pop()) {
    if (h.alive) {
      h.worker.ref();
      return h;
    }
  }
  return new Helper(new Worker(workerFile()));
}

/** The main thread's step plus `workers − 1` worker threads, sharing each batch — 09-training-lenet-mnist. */
export class StepPool {
  /** The weights, in shared memory: the main thread writes them, the workers read them. */
  readonly weights: Float32Array;
  private readonly x: Float32Array;
  private readonly oneHot: Float32Array;
  private readonly labels: Uint8Array;

  private constructor(
    private readonly step: GradientStep,
    private readonly helpers: Helper[],
    private readonly shape: number[],
    private readonly exampleSize: number,
    private readonly classes: number,
    buffers: { weights: SharedArrayBuffer; x: SharedArrayBuffer; oneHot: SharedArrayBuffer; labels: SharedArrayBuffer },
  ) {
    this.weights = new Float32Array(buffers.weights);
    this.x = new Float32Array(buffers.x);
    this.oneHot = new Float32Array(buffers.oneHot);
    this.labels = new Uint8Array(buffers.labels);
  }

  /** Start `workers − 1` threads with copies of `model` for batches of up to `batchSize` examples of `shape`. */
  static async start(
    model: tf.LayersModel,
    step: GradientStep,
    classes: number,
    shape: number[],
    batchSize: number,
    workers: number,
  ): Promise<StepPool> {
    const exampleSize = shape.reduce((a, b) => a * b, 1);
    const buffers = {
      weights: shared(step.size, 4),
      x: shared(batchSize * exampleSize, 4),
      oneHot: shared(batchSize * classes, 4),
      labels: shared(batchSize, 1),
    };
    const topology = model.toJSON();
    if (typeof topology !== "string") throw new Error("train.fit: the model's toJSON gave no string");
    const helpers: Helper[] = [];
    try {
      for (let k = 1; k < workers; k++) helpers.push(takeHelper());
      // The shared buffer holds the trainable weights only: a frozen layer's weights (set from another model,
      // say) go to each worker once, here.
      const initialWeights = model.getWeights().map((w) => ({ values: Float32Array.from(w.dataSync()), shape: [...w.shape] }));
      const sizes = await Promise.all(
        helpers.map((h) => h.init({ topology, initialWeights, classes, shape, grads: shared(step.size, 4), ...buffers })),
      );
      if (sizes.some((s) => s !== step.size))
        throw new Error(`train.fit: a worker's model has ${sizes.join(", ")} weights, expected ${step.size}`);
    } catch (e) {
      await Promise.all(helpers.map((h) => h.worker.terminate()));
      throw e;
    }
    const pool = new StepPool(step, helpers, shape, exampleSize, classes, buffers);
    step.readWeights(pool.weights);
    return pool;
  }

  /** Threads in use, the main one included. */
  get threads(): number {
    return this.helpers.length + 1;
  }

  /** One batch over all threads: the summed gradient goes into `grads`; the weights must be in `weights`. */
  async run(x: Float32Array, oneHot: Float32Array, labels: Uint8Array, count: number, grads: Float32Array): Promise<StepResult> {
    this.x.set(x);
    this.oneHot.set(oneHot);
    this.labels.set(labels);
    const threads = this.threads;
    const rows = (k: number) => Math.floor((count * (k + 1)) / threads) - Math.floor((count * k) / threads);
    const jobs = this.helpers.map((h, i) => {
      const k = i + 1;
      const from = Math.floor((count * k) / threads);
      return h.run({ from, count: rows(k), scale: rows(k) / count });
    });
    const n0 = rows(0);
    const own = this.step.run(
      x.subarray(0, n0 * this.exampleSize),
      this.shape,
      oneHot.subarray(0, n0 * this.classes),
      labels.subarray(0, n0),
      n0,
      grads,
      n0 / count,
    );
    const results = await Promise.all(jobs);
    let { loss, correct } = own;
    results.forEach((r, i) => {
      loss += r.loss;
      correct += r.correct;
      const g = this.helpers[i].grads;
      for (let j = 0; j < grads.length; j++) grads[j] += g[j];
    });
    return { loss, correct };
  }

  /** Hand the workers back for the next `fit`; they do not keep the process alive while they wait. */
  close(): void {
    for (const h of this.helpers) {
      if (!h.alive) continue;
      h.worker.unref();
      idle.push(h);
    }
  }
}
