// A training worker thread (see workers.ts): its own fast backend and copy of the model. An `init`
// message (re)builds the model and names the shared buffers; for each `step` it reads the shared
// weights and its rows of the shared batch, and writes its share of the gradient.
import { parentPort } from "worker_threads";
import { tf } from "../tf";
import { useFastBackend } from "./backend";
import { GradientStep } from "./step";
import type { WorkerMessage, WorkerSetup } from "./workers";

interface Current {
  setup: WorkerSetup;
  model: tf.LayersModel;
  step: GradientStep;
  weights: Float32Array;
  grads: Float32Array;
  x: Float32Array;
  oneHot: Float32Array;
  labels: Uint8Array;
}

async function main(): Promise<void> {
  if (!parentPort) throw new Error("worker.ts runs as a worker thread only");
  const port = parentPort;
  const ready = useFastBackend();
  let current: Current | null = null;
  const fail = (e: unknown) => port.postMessage({ error: e instanceof Error ? e.message : String(e) });

  async function init(setup: WorkerSetup): Promise<void> {
    await ready;
    current?.model.dispose();
    current = null;
    const model = await tf.models.modelFromJSON({ modelTopology: JSON.parse(setup.topology) });
    const initial = setup.initialWeights.map((w) => tf.tensor(w.values, w.shape, "float32"));
    model.setWeights(initial); // frozen layers included: the shared weights cover the trainable ones only
    tf.dispose(initial);
    const step = new GradientStep(model, setup.classes);
    current = {
      setup,
      model,
      step,
      weights: new Float32Array(setup.weights),
      grads: new Float32Array(setup.grads),
      x: new Float32Array(setup.x),
      oneHot: new Float32Array(setup.oneHot),
      labels: new Uint8Array(setup.labels),
    };
    port.postMessage({ ready: true, size: step.size });
  }

  port.on("message", (message: WorkerMessage) => {
    if (message.type === "init") {
      init(message.setup).catch(fail);
      return;
    }
    try {
      const c = current;
      if (!c) throw new Error("a step before init");
      const { from, count, scale } = message.task;
      const size = c.setup.shape.reduce((a, b) => a * b, 1);
      const classes = c.setup.classes;
      c.step.writeWeights(c.weights);
      const end = from + count;
      const result = c.step.run(
        c.x.subarray(from * size, end * size),
        c.setup.shape,
        c.oneHot.subarray(from * classes, end * classes),
        c.labels.subarray(from, end),
        count,
        c.grads,
        scale,
      );
      port.postMessage(result);
    } catch (e) {
      fail(e);
    }
  });
}

main().catch((e: unknown) => parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) }));
