// What a student watches while `fit` runs: one progress line and one loss/accuracy figure, each
// updated in place in the notebook. This is display code; fit.ts only reports numbers to it.
import { knownOptions } from "../args";
import { canDisplay, display, newDisplayId } from "../display";
import { lineFigure } from "../plot/charts";
import { liveFigure, progressLine, type LiveFigure } from "../plot/progress";
import type { Figure } from "../plot/figure";
import { type EpochResult, type FitOptions, type TrainProgress } from "./fit";

const MONITOR_KEYS = ["every", "lineEvery", "title"] as const;

/** Options of `trainingMonitor` — 09-training-lenet-mnist. */
export interface MonitorOptions {
  /** Batches between two points of the figure (default 25). */
  every?: number;
  /** Least milliseconds between two redraws of the progress line (default 250). */
  lineEvery?: number;
  title?: string;
}

/** Callbacks for `fit` that show a live progress line and a live loss/accuracy figure — 09-training-lenet-mnist. */
export function trainingMonitor(options: MonitorOptions = {}): Pick<FitOptions, "onBatch" | "onEpoch"> {
  knownOptions("train.monitor", options, MONITOR_KEYS);
  const every = options.every ?? 25;
  const lineEvery = options.lineEvery ?? 250;
  if (!Number.isInteger(every) || every < 1) throw new Error(`train.monitor: every must be a positive integer, got ${every}`);
  const title = options.title ?? "Training: loss and accuracy";
  const interactive = canDisplay();
  const lineId = newDisplayId();
  let lineShown = false;
  let lastLine = -Infinity;
  let live: LiveFigure | null = null;
  const at: number[] = [];
  const loss: number[] = [];
  const accuracy: number[] = [];
  const epochs: number[] = [];
  const testAccuracy: number[] = [];

  const figure = (): Figure => {
    const series = [
      { name: "training loss (running mean)", x: at, y: loss },
      { name: "training accuracy (running)", x: at, y: accuracy },
    ];
    if (testAccuracy.length > 0) series.push({ name: "test accuracy", x: epochs, y: testAccuracy });
    return lineFigure(series, { title, xLabel: "epoch", yLabel: "loss · accuracy" });
  };
  const redraw = (): void => {
    if (!interactive) return;
    if (live) live.update(figure());
    else live = liveFigure(figure());
  };

  return {
    onBatch(p: TrainProgress): void {
      const last = p.batch === p.batches;
      if (p.batch % every === 0 || last) {
        at.push(p.epoch - 1 + p.batch / p.batches);
        loss.push(p.loss);
        accuracy.push(p.accuracy);
        if (!last) redraw();
      }
      const now = performance.now();
      if (!interactive) {
        if (last) process.stdout.write(progressLine(p) + "\n");
        return;
      }
      if (last || now - lastLine >= lineEvery) {
        display({ "text/plain": progressLine(p) }, { displayId: lineId, update: lineShown });
        lineShown = true;
        lastLine = now;
      }
    },
    onEpoch(r: EpochResult): void {
      if (r.testAccuracy !== undefined) {
        epochs.push(r.epoch);
        testAccuracy.push(r.testAccuracy);
      }
      redraw();
    },
  };
}
