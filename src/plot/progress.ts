// Output that changes while training runs: a text progress bar and a figure, each updated in
// place (Jupyter display_id + update_display_data) instead of printing line after line.
import { canDisplay, display, newDisplayId } from "../display";
import { fail, finite, integer, knownOptions, positiveInteger, readable } from "../args";
import { Figure, checkFigure, describe } from "./figure";
import { ensurePlotly, figureBundle } from "./show";

/** Where training is: epoch and batch (1-based), the loss (and accuracy), and the time since the start — 09-training-lenet-mnist. */
export interface ProgressState {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  batchSize: number;
  loss: number;
  /** Fraction of the epoch's examples classified right so far, when known. */
  accuracy?: number;
  seconds: number;
}

function clock(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, "0")}`;
}

function checkState(fn: string, state: unknown): void {
  if (typeof state !== "object" || state === null || Array.isArray(state))
    fail(fn, "state", "a progress state { epoch, epochs, batch, batches, batchSize, loss, seconds }", state);
  readable(fn, "state", state, "a progress state", () => {
    const s: { [key: string]: unknown } = { ...(typeof state === "object" && state !== null ? state : {}) };
    for (const key of ["epoch", "epochs", "batch", "batches", "batchSize"]) integer(fn, `state.${key}`, s[key], { min: 1, max: 1e9 });
    finite(fn, "state.loss", s.loss);
    finite(fn, "state.seconds", s.seconds, { min: 0 });
    if (s.accuracy !== undefined) finite(fn, "state.accuracy", s.accuracy, { min: 0, max: 1 });
  });
}

/** One progress line: "epoch 2/5 [██████░░░░] batch 30/60 · loss 0.1234 · accuracy 96.2 % · 1,234 images/s · ETA 0:12" — 09-training-lenet-mnist. */
export function progressLine(state: ProgressState, width = 20): string {
  checkState("plot.progressLine", state);
  integer("plot.progressLine", "width", width, { min: 1, max: 200 });
  const done = (state.epoch - 1) * state.batches + state.batch;
  const total = state.epochs * state.batches;
  const filled = Math.round((width * state.batch) / state.batches);
  const bar = "█".repeat(filled) + "░".repeat(width - filled);
  const rate = state.seconds > 0 ? (done * state.batchSize) / state.seconds : 0;
  const eta = done > 0 ? ((total - done) * state.seconds) / done : 0;
  const loss = Number.isFinite(state.loss) ? state.loss.toFixed(4) : String(state.loss);
  const accuracy = state.accuracy === undefined ? "" : `accuracy ${(100 * state.accuracy).toFixed(1)} % · `;
  return (
    `epoch ${state.epoch}/${state.epochs} [${bar}] batch ${state.batch}/${state.batches} · loss ${loss} · ${accuracy}` +
    `${Math.round(rate).toLocaleString("en-US")} images/s · ${done === total ? `took ${clock(state.seconds)}` : `ETA ${clock(eta)}`}`
  );
}

/** Options of `progressBar` — 09-training-lenet-mnist. */
export interface ProgressOptions {
  epochs: number;
  /** Batches per epoch. */
  batches: number;
  /** Images per batch (for images/s). */
  batchSize: number;
  /** Least milliseconds between two screen updates (default 200); the last batch always shows. */
  every?: number;
  /** Milliseconds now (tests pass a fake clock; default performance.now). */
  now?: () => number;
}

/** A progress bar shown once and updated in place; `update` after every batch — 09-training-lenet-mnist. */
export interface ProgressBar {
  update(epoch: number, batch: number, loss: number, accuracy?: number): void;
  /** The line now on screen. */
  readonly line: string;
}

/** A live text progress bar (epoch, batch, loss, images/s, ETA) updated in place — 09-training-lenet-mnist. */
export function progressBar(options: ProgressOptions): ProgressBar {
  const fn = "plot.progressBar";
  knownOptions(fn, options, ["epochs", "batches", "batchSize", "every", "now"], { required: true });
  if (options.now !== undefined && typeof options.now !== "function") fail(fn, "now", "a function returning milliseconds", options.now);
  const epochs = positiveInteger(fn, "epochs", options.epochs);
  const batches = positiveInteger(fn, "batches", options.batches);
  const batchSize = positiveInteger(fn, "batchSize", options.batchSize);
  const every = options.every ?? 200;
  const now = options.now ?? (() => performance.now());
  const start = now();
  const displayId = newDisplayId();
  let shown = false;
  let lastShown = -Infinity;
  let line = "";
  const interactive = canDisplay();
  return {
    get line() {
      return line;
    },
    update(epoch: number, batch: number, loss: number, accuracy?: number): void {
      if (!Number.isInteger(epoch) || epoch < 1 || epoch > epochs)
        throw new Error(`plot.progressBar.update: epoch must be 1..${epochs}, got ${describe(epoch)}`);
      if (!Number.isInteger(batch) || batch < 1 || batch > batches)
        throw new Error(`plot.progressBar.update: batch must be 1..${batches}, got ${describe(batch)}`);
      if (typeof loss !== "number") throw new Error(`plot.progressBar.update: loss must be a number, got ${describe(loss)}`);
      if (accuracy !== undefined && !(accuracy >= 0 && accuracy <= 1)) {
        throw new Error(`plot.progressBar.update: accuracy must be a fraction from 0 to 1, got ${describe(accuracy)}`);
      }
      const t = now();
      line = progressLine({ epoch, epochs, batch, batches, batchSize, loss, accuracy, seconds: (t - start) / 1000 });
      const last = batch === batches;
      if (!last && t - lastShown < every) return;
      if (!interactive) {
        // Outside a kernel, print one line per epoch instead of redrawing.
        if (last) process.stdout.write(line + "\n");
        return;
      }
      display({ "text/plain": line }, { displayId, update: shown });
      shown = true;
      lastShown = t;
    },
  };
}

/** A figure shown once and redrawn in place with `update(newFigure)` (loss curves while training) — 09-training-lenet-mnist. */
export interface LiveFigure {
  update(figure: Figure): void;
}

/** Show `figure` now and return a handle that replaces it in place; plotly.js is sent first if needed — 09-training-lenet-mnist. */
export function liveFigure(figure: Figure): LiveFigure {
  checkFigure("plot.liveFigure", figure);
  const displayId = newDisplayId();
  // The library goes in its own output, so that replacing this figure never removes it.
  ensurePlotly();
  display(figureBundle(figure), { displayId });
  return {
    update(next: Figure): void {
      checkFigure("plot.liveFigure.update", next);
      display(figureBundle(next), { displayId, update: true });
    },
  };
}
