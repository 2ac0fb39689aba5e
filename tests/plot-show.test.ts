// The display step: one bundle per figure, plotly.js inlined once per kernel session, live updates.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as fs from "fs";
import { DisplaySink, MimeBundle, setDisplaySink } from "../src/display";
import { plot } from "../src/index";

const { matrixFigure, lineFigure } = plot;
import {
  PLOTLY_FILE,
  PLOTLY_MIME,
  PLOTLY_PACKAGE,
  figureBundle,
  figureSummary,
  loadPlotly,
  plotlyVersion,
  resetPlotlyLoaded,
  show,
} from "../src/plot/show";
import { liveFigure, progressBar, progressLine } from "../src/plot/progress";

interface Sent {
  data: MimeBundle;
  displayId?: string;
  update: boolean;
}

let sent: Sent[] = [];
const sink: DisplaySink = (content, update) => sent.push({ data: content.data, displayId: content.transient.display_id, update });

beforeEach(() => {
  sent = [];
  resetPlotlyLoaded();
  setDisplaySink(sink);
});
afterEach(() => setDisplaySink(null));

function html(s: Sent): string {
  const h = s.data["text/html"];
  if (typeof h !== "string") throw new Error("no text/html");
  return h;
}

const LIBRARY_BYTES = fs.statSync(require.resolve(`${PLOTLY_PACKAGE}/${PLOTLY_FILE}`)).size;
const fig = matrixFigure(
  [
    [1, -2],
    [3, 4],
  ],
  { title: "m" },
);

describe("show", () => {
  it("sends ONE bundle with plotly JSON, HTML and a one-line text summary", () => {
    show(fig);
    expect(sent).toHaveLength(1);
    expect(Object.keys(sent[0].data).sort()).toEqual([PLOTLY_MIME, "text/html", "text/plain"].sort());
    expect(sent[0].data[PLOTLY_MIME]).toEqual({ data: fig.data, layout: fig.layout });
    const text = sent[0].data["text/plain"];
    expect(typeof text === "string" && !text.includes("\n")).toBe(true);
    expect(text).toBe(figureSummary(fig));
  });

  it("inlines plotly.js in the first figure only", () => {
    show(fig);
    show(fig);
    show(lineFigure([{ name: "loss", y: [3, 2, 1] }]));
    const sizes = sent.map((s) => html(s).length);
    expect(sizes[0]).toBeGreaterThan(LIBRARY_BYTES);
    expect(sizes[1]).toBeLessThan(20_000);
    expect(sizes[2]).toBeLessThan(20_000);
    expect(html(sent[0])).toContain(`plotly.js ${plotlyVersion()}`);
    expect(html(sent[1])).not.toContain("plotly.js " + plotlyVersion() + ", from node_modules");
  });

  it("loads nothing from the network, and never ends a script early", () => {
    show(fig);
    show(fig);
    const h = html(sent[0]);
    // (plotly.js itself mentions CDN addresses in strings it never fetches for these traces.)
    expect(/<script[^>]*\bsrc=/i.test(h)).toBe(false);
    expect(/https?:/.test(html(sent[1]))).toBe(false);
    // Our two <script> elements of the library plus the figure's: every "</script" is a real end tag.
    expect(h.match(/<script>/g)?.length).toBe(3);
    expect(h.match(/<\/script>/gi)?.length).toBe(3);
    expect(h.includes("<!--")).toBe(false);
  });

  it("keeps waiting figures in a queue that the library flushes", () => {
    const h = html({ data: figureBundle(fig), update: false });
    expect(h).toContain("window.dlByHandPlotQueue");
    expect(h).toContain("If this text stays, scripts did not run");
  });

  it("loadPlotly sends the library on its own whenever asked; figures after it do not carry it", () => {
    show(fig);
    loadPlotly();
    show(fig);
    expect(sent).toHaveLength(3);
    expect(html(sent[1]).length).toBeGreaterThan(LIBRARY_BYTES);
    expect(sent[1].data[PLOTLY_MIME]).toBeUndefined();
    expect(html(sent[2]).length).toBeLessThan(20_000);
  });

  it("rejects what is not a figure", () => {
    expect(() => show({ data: "x", layout: {} } as never)).toThrow(/show: figure must be a plotly figure/);
  });
});

describe("progress", () => {
  it("progressLine shows epoch, bar, batch, loss, images/s and ETA", () => {
    const line = progressLine({ epoch: 2, epochs: 4, batch: 5, batches: 10, batchSize: 32, loss: 0.123456, seconds: 15 }, 10);
    // 15 batches of 32 in 15 s: 32 images/s; 25 batches left at 1 s each.
    expect(line).toBe("epoch 2/4 [█████░░░░░] batch 5/10 · loss 0.1235 · 32 images/s · ETA 0:25");
  });

  it("progressLine adds the accuracy when training reports it, and says how long it took at the end", () => {
    const line = progressLine(
      { epoch: 2, epochs: 4, batch: 5, batches: 10, batchSize: 32, loss: 0.123456, accuracy: 0.9617, seconds: 15 },
      10,
    );
    expect(line).toBe("epoch 2/4 [█████░░░░░] batch 5/10 · loss 0.1235 · accuracy 96.2 % · 32 images/s · ETA 0:25");
    const end = progressLine({ epoch: 4, epochs: 4, batch: 10, batches: 10, batchSize: 32, loss: 0.1, accuracy: 0.99, seconds: 59.6 }, 10);
    expect(end).toContain("took 1:00");
    expect(() => progressBar({ epochs: 1, batches: 1, batchSize: 1 }).update(1, 1, 0.5, 96)).toThrow(
      /^plot.progressBar.update: accuracy must be a fraction from 0 to 1, got 96/,
    );
  });

  it("progressBar updates ONE display in place, throttled, always showing the last batch", () => {
    let t = 0;
    const bar = progressBar({ epochs: 1, batches: 4, batchSize: 10, every: 100, now: () => t });
    for (let b = 1; b <= 4; b++) {
      t += 40;
      bar.update(1, b, 1 / b);
    }
    // Shown at batch 1 (first), 4 (last); batch 2 and 3 came within 100 ms of the previous display.
    expect(sent.map((s) => s.update)).toEqual([false, true]);
    expect(new Set(sent.map((s) => s.displayId)).size).toBe(1);
    expect(sent[1].data["text/plain"]).toBe(bar.line);
    expect(bar.line).toContain("took 0:00");
    expect(() => bar.update(2, 1, 0)).toThrow(/^plot.progressBar.update: epoch must be 1..1, got 2/);
  });

  it("liveFigure sends plotly.js on its own, then replaces the figure in place", () => {
    const live = liveFigure(lineFigure([{ name: "loss", y: [1] }]));
    live.update(lineFigure([{ name: "loss", y: [1, 0.5] }]));
    expect(sent).toHaveLength(3);
    expect(html(sent[0]).length).toBeGreaterThan(LIBRARY_BYTES);
    expect(sent[0].displayId).toBeUndefined();
    expect(sent[1].displayId).toBeDefined();
    expect([sent[1].update, sent[2].update]).toEqual([false, true]);
    expect(sent[2].displayId).toBe(sent[1].displayId);
    expect(html(sent[2]).length).toBeLessThan(20_000);
  });
});
