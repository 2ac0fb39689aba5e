// Every figure kind, drawn in a real browser with no network: Debian's Jupyter Notebook (classic)
// running the course kernel, then the nbconvert HTML export of the executed notebook.
// Needs: jupyter-notebook, jupyter-nbconvert, chromium (Debian) and the registered kernel
// (`npm run kernel:install`). Screenshots go to build/screenshots/.
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { randomBytes } from "crypto";
import { BrowserContext, Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Figure, autodiff, plot } from "../../src/index";
import { PLOTLY_FILE, PLOTLY_PACKAGE } from "../../src/plot/show";
import { CHROMIUM_FLAGS, DEFAULT_CHROMIUM } from "../../src/course/slides/pdf";

const { computationGraphFigure } = plot;

const root = path.resolve(__dirname, "..", "..");
// Quiets the debugger notice Debian's Python prints when Jupyter's tools start.
process.env.PYDEVD_DISABLE_FILE_VALIDATION = "1";
const work = path.join(root, "build", "browser");
const shots = path.join(root, "build", "screenshots");
const NOTEBOOK = "figures.ipynb";

/** The figures the notebook shows, in order: title and number of traces. */
const EXPECTED: { title: string; traces: number }[] = [
  { title: "x1 and the kernel's window", traces: 1 },
  { title: "input ⊛ kernel = output", traces: 3 },
  { title: "sliding the kernel", traces: 3 },
  { title: "camera (grayscale photo)", traces: 1 },
  { title: "mandrill (colour photo)", traces: 1 },
  { title: "test digits", traces: 8 },
  { title: "activations", traces: 2 },
  { title: "parameters per layer", traces: 1 },
  { title: "confusion matrix", traces: 1 },
  { title: "XOR decision boundary", traces: 3 },
  { title: "live loss", traces: 2 },
  { title: "computation graph", traces: graphFigure().data.length },
];

/** The back-propagation helper's figure (src/plot/graph.ts), built here as the notebook builds it. */
function graphFigure(): Figure {
  const ad = autodiff;
  const t = ad.param(1, "t");
  const x = ad.cos(t, "x");
  const y = ad.pow(t, 2, "y");
  const f = ad.add(y, ad.exp(ad.mul(x, y, "xy"), "exp(xy)"), "f");
  f.backward();
  return computationGraphFigure(ad.graph(f), { title: "computation graph" });
}

const CELLS = [
  `import * as dl from "dl-by-hand";
const x1 = [[9, 9, 3, 3, 4], [9, 3, 3, 4, 5], [9, 3, 3, 5, 5], [9, 3, 3, 4, 5], [9, 9, 3, 3, 4]];
const W = [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]];
const Y = [[-18, -3, 5], [-18, 4, 6], [-18, -3, 5]];`,
  `dl.show(dl.plot.matrixFigure(x1, { title: "x1 and the kernel's window", window: { row: 0, col: 1, rows: 3, cols: 3 } }));`,
  `const sums = [["-6 - 6 - 6", "-6 + 1 + 2", "1 + 2 + 2"], ["-6 - 6 - 6", "1 + 2 + 1", "2 + 2 + 2"], ["-6 - 6 - 6", "2 + 1 - 6", "2 + 2 + 1"]];
dl.show(dl.plot.matrixRowFigure([{ values: x1, caption: "input" }, { values: W, caption: "kernel" }, { values: Y, caption: "output", text: sums }], { title: "input ⊛ kernel = output" }));`,
  `const steps = [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => ({ window: { row: r, col: c, rows: 3, cols: 3 }, cell: { row: r, col: c }, text: "= " + Y[r][c] })));
dl.show(dl.plot.slidingWindowFigure({ input: x1, kernel: W, output: Y, steps, title: "sliding the kernel" }));`,
  `dl.show(dl.plot.imageFigure(dl.data.loadPhoto("camera"), { title: "camera (grayscale photo)" }));`,
  `dl.show(dl.plot.imageFigure(dl.data.loadPhoto("mandrill"), { title: "mandrill (colour photo)" }));`,
  `const digits = dl.data.loadMnist("test", { limit: 8 });
dl.show(dl.plot.imageGridFigure(Array.from({ length: 8 }, (_, i) => ({ image: dl.data.mnistDigit(digits, i), title: "label " + digits.labels[i] })), { title: "test digits", columns: 8, size: 72 }));`,
  `const zs = Array.from({ length: 61 }, (_, i) => -3 + i / 10);
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
dl.show(dl.plot.lineFigure([{ name: "σ(z)", x: zs, y: zs.map(sigmoid) }, { name: "σ'(z)", x: zs, y: zs.map((z) => sigmoid(z) * (1 - sigmoid(z))), dash: "dash" }], { title: "activations", xLabel: "z" }));`,
  `dl.show(dl.plot.barFigure(["C1", "C3", "C5", "FC1", "FC2"], [156, 2416, 48120, 10164, 850], { title: "parameters per layer", yLabel: "parameters" }));`,
  `dl.show(dl.plot.confusionMatrixFigure([[50, 2, 1], [3, 45, 4], [0, 5, 40]], { title: "confusion matrix", labels: ["0", "1", "2"] }));`,
  `const xor = dl.xor.table();
const h = dl.xor.exactSolution();
const f = (a: number, b: number) => h.w[0] * Math.max(0, a * h.W[0][0] + b * h.W[1][0] + h.c[0]) + h.w[1] * Math.max(0, a * h.W[0][1] + b * h.W[1][1] + h.c[1]) + h.b;
const grid = Array.from({ length: 31 }, (_, i) => -0.25 + i * 0.05);
dl.show(dl.plot.decisionBoundaryFigure({ xs: grid, ys: grid, z: grid.map((b) => grid.map((a) => f(a, b))) },
  { x: xor.X.map((p) => p[0]), y: xor.X.map((p) => p[1]), label: xor.t }, { title: "XOR decision boundary" }));`,
  `const bar = dl.plot.progressBar({ epochs: 2, batches: 5, batchSize: 32, every: 0 });
const live = dl.plot.liveFigure(dl.plot.lineFigure([{ name: "loss", y: [1] }], { title: "live loss" }));
const losses: number[] = [];
for (let e = 1; e <= 2; e++) for (let b = 1; b <= 5; b++) { losses.push(1 / (5 * e + b)); bar.update(e, b, losses[losses.length - 1]); }
live.update(dl.plot.lineFigure([{ name: "loss", y: losses }, { name: "loss / 2", y: losses.map((v) => v / 2) }], { title: "live loss" }));`,
  `const ad = dl.autodiff;
const t = ad.param(1, "t");
const x = ad.cos(t, "x");
const y = ad.pow(t, 2, "y");
const f = ad.add(y, ad.exp(ad.mul(x, y, "xy"), "exp(xy)"), "f");
f.backward();
dl.show(dl.plot.computationGraphFigure(ad.graph(f), { title: "computation graph" }));`,
];

function writeNotebook(file: string): void {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "dl-by-hand", display_name: "TypeScript (dl-by-hand)", language: "typescript" },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
    },
    cells: CELLS.map((source, i) => ({ id: `cell-${i}`, cell_type: "code", metadata: {}, source, outputs: [], execution_count: null })),
  };
  fs.writeFileSync(file, JSON.stringify(nb, null, 1));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitFor(what: string, ms: number, test: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** A fresh Chromium profile whose every request to a host other than 127.0.0.1 is recorded and blocked. */
async function browser(outside: string[], errors: string[]): Promise<BrowserContext> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "dl-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: DEFAULT_CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    viewport: { width: 1200, height: 900 },
  });
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    const local = url.protocol === "file:" || url.protocol === "data:" || url.protocol === "blob:" || url.hostname === "127.0.0.1";
    if (local) return route.continue();
    outside.push(url.href);
    return route.abort();
  });
  context.on("page", (page) => page.on("pageerror", (e) => errors.push(e.message)));
  return context;
}

interface Drawn {
  traces: number;
  svg: boolean;
  title: string;
  points: number;
}

/** Every plotly figure on the page: trace count (gd.data), whether its SVG exists, its title. */
async function drawnFigures(page: Page): Promise<Drawn[]> {
  return page.$$eval(".js-plotly-plot", (plots) =>
    plots.map((el) => {
      const gd = el as HTMLElement & { data?: unknown[]; layout?: { title?: { text?: string } } };
      return {
        traces: Array.isArray(gd.data) ? gd.data.length : -1,
        svg: el.querySelector("svg.main-svg") !== null,
        title: gd.layout?.title?.text ?? "",
        points: el.querySelectorAll(".heatmaplayer image, .imagelayer image, .scatterlayer path, .barlayer path, .contourlayer path")
          .length,
      };
    }),
  );
}

function expectAllDrawn(drawn: Drawn[]): void {
  expect(drawn.map((d) => `${d.title}: ${d.traces} traces, svg ${d.svg}`)).toEqual(
    EXPECTED.map((e) => `${e.title}: ${e.traces} traces, svg true`),
  );
  for (const d of drawn) expect(`${d.title} has marks: ${d.points > 0}`).toBe(`${d.title} has marks: true`);
}

async function screenshotFigures(page: Page, prefix: string): Promise<void> {
  const plots = await page.$$(".js-plotly-plot");
  for (let i = 0; i < plots.length; i++) {
    await plots[i].scrollIntoViewIfNeeded();
    await plots[i].screenshot({ path: path.join(shots, `${prefix}-figure-${String(i + 1).padStart(2, "0")}.png`) });
  }
}

describe("figures in a real browser, offline", () => {
  const token = randomBytes(16).toString("hex");
  let server: ChildProcess | null = null;
  let port = 0;
  let serverLog = "";

  beforeAll(async () => {
    const specs = JSON.parse(execFileSync("jupyter", ["kernelspec", "list", "--json"], { encoding: "utf8" }));
    if (!specs.kernelspecs["dl-by-hand"]) throw new Error("the dl-by-hand kernel is not registered: run npm run kernel:install");
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { recursive: true });
    fs.mkdirSync(shots, { recursive: true });
    writeNotebook(path.join(work, NOTEBOOK));
    port = await freePort();
    const runtime = fs.mkdtempSync(path.join(os.tmpdir(), "dl-jupyter-runtime-"));
    server = spawn(
      "jupyter",
      [
        "notebook",
        "--no-browser",
        "--ip=127.0.0.1",
        `--port=${port}`,
        `--NotebookApp.token=${token}`,
        `--notebook-dir=${work}`,
        "--NotebookApp.port_retries=0",
        ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
      ],
      { cwd: work, env: { ...process.env, JUPYTER_RUNTIME_DIR: runtime, BROWSER: "true" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    server.stdout?.on("data", (d) => (serverLog += String(d)));
    server.stderr?.on("data", (d) => (serverLog += String(d)));
    await waitFor("Jupyter Notebook to listen", 60_000, async () => {
      if (server?.exitCode !== null) throw new Error(`jupyter notebook exited with code ${server?.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/status?token=${token}`);
        return res.ok;
      } catch {
        return false;
      }
    }).catch((e) => {
      throw new Error(`${e instanceof Error ? e.message : e}\n${serverLog}`);
    });
  });

  afterAll(async () => {
    if (server && server.exitCode === null && server.pid !== undefined) {
      const proc = server;
      // Shut the kernels down through the API, then stop this server (only the process we started).
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/kernels?token=${token}`);
        const kernels: { id: string }[] = await res.json();
        for (const k of kernels) await fetch(`http://127.0.0.1:${port}/api/kernels/${k.id}?token=${token}`, { method: "DELETE" });
      } catch {
        // the server may already be gone
      }
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (proc.exitCode === null) proc.kill("SIGKILL");
    }
  });

  it("Jupyter Notebook: Run All draws every figure, with no request leaving 127.0.0.1", async () => {
    const outside: string[] = [];
    const errors: string[] = [];
    const context = await browser(outside, errors);
    try {
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${port}/notebooks/${NOTEBOOK}?token=${token}`);
      await page.waitForSelector("#kernel_indicator_icon.kernel_idle_icon", { state: "attached", timeout: 90_000 });
      await page.click("#celllink");
      await page.click("#run_all_cells > a");
      await waitFor("every cell to run", 180_000, async () =>
        page.$$eval(".code_cell .input_prompt", (prompts) => prompts.every((p) => /In\s*\[\d+\]/.test(p.textContent ?? ""))),
      );
      await waitFor("every figure to draw", 60_000, async () => (await page.$$(".js-plotly-plot .main-svg")).length >= EXPECTED.length);
      const drawn = await drawnFigures(page);
      const failures = await page.$$eval(".output_error, .output_stderr", (els) => els.map((e) => e.textContent ?? ""));
      expect(failures).toEqual([]);
      expectAllDrawn(drawn);
      // The animation's frames are loaded: the slider has one step per frame.
      expect(
        await page.$$eval(".js-plotly-plot .slider-group .slider-label, .js-plotly-plot .slider-group .slider-step", (e) => e.length),
      ).toBeGreaterThan(0);
      const progress = await page.$$eval(".output_text pre", (els) =>
        els.map((e) => e.textContent ?? "").filter((t) => t.startsWith("epoch")),
      );
      expect(progress).toHaveLength(1);
      expect(progress[0]).toMatch(/^epoch 2\/2 \[█+\] batch 5\/5 · loss 0\.0667 · [\d,]+ images\/s · took \d+:\d\d$/);
      await page.screenshot({ path: path.join(shots, "notebook-classic.png"), fullPage: true });
      await screenshotFigures(page, "notebook");

      // Save through the UI (Ctrl+S in command mode) so the outputs reach the file.
      await page.keyboard.press("Escape");
      await page.keyboard.press("Control+s");
      await waitFor("the notebook to be saved with its outputs", 30_000, async () => {
        try {
          const nb = JSON.parse(fs.readFileSync(path.join(work, NOTEBOOK), "utf8"));
          return nb.cells.every((c: { execution_count: number | null }) => c.execution_count !== null);
        } catch {
          return false; // still being written
        }
      });

      // Re-opened, the saved (and so trusted) notebook draws its figures again from its outputs alone.
      await page.reload();
      await waitFor(
        "the re-opened notebook to draw its figures",
        60_000,
        async () => (await page.$$(".js-plotly-plot .main-svg")).length >= EXPECTED.length,
      );
      expectAllDrawn(await drawnFigures(page));
      await page.screenshot({ path: path.join(shots, "notebook-reopened.png") });
      expect(outside).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("untrusted, the notebook shows a note in place of each figure instead of running scripts", async () => {
    const nb = JSON.parse(fs.readFileSync(path.join(work, NOTEBOOK), "utf8"));
    nb.metadata["dl-by-hand-test"] = "edited elsewhere, so no longer signed";
    fs.writeFileSync(path.join(work, "untrusted.ipynb"), JSON.stringify(nb));
    const outside: string[] = [];
    const errors: string[] = [];
    const context = await browser(outside, errors);
    try {
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${port}/notebooks/untrusted.ipynb?token=${token}`);
      await waitFor("the outputs to show", 60_000, async () => (await page.$$(".output_html")).length >= EXPECTED.length);
      await page.waitForTimeout(1000);
      const notes = await page.$$eval(".output_html", (els) =>
        els.map((e) => e.textContent ?? "").filter((t) => t.includes("If this text stays, scripts did not run")),
      );
      expect(notes).toHaveLength(EXPECTED.length);
      expect(await page.$$(".js-plotly-plot")).toHaveLength(0);
      expect(await page.textContent("#notification_trusted")).toContain("Not Trusted");
      await page.screenshot({ path: path.join(shots, "notebook-untrusted.png") });
      expect(outside).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("the saved notebook carries plotly.js exactly once, and each later figure stays small", () => {
    const nb = JSON.parse(fs.readFileSync(path.join(work, NOTEBOOK), "utf8"));
    const outputs: { data?: Record<string, string | string[]> }[] = nb.cells.flatMap((c: { outputs: unknown[] }) => c.outputs);
    const htmls = outputs
      .map((o) => o.data?.["text/html"])
      .filter((h) => h !== undefined)
      .map((h) => (Array.isArray(h) ? h.join("") : String(h)));
    const carriers = htmls.filter((h) => h.includes(`from node_modules/${PLOTLY_PACKAGE}`));
    expect(carriers).toHaveLength(1);
    expect(htmls.indexOf(carriers[0])).toBe(0);
    const library = fs.statSync(path.join(root, "node_modules", PLOTLY_PACKAGE, PLOTLY_FILE)).size;
    const rest = htmls.slice(1).map((h) => h.length);
    // Photos are PNGs of at most 256×256; matrices and charts are a few kilobytes.
    expect(Math.max(...rest)).toBeLessThan(400_000);
    expect(fs.statSync(path.join(work, NOTEBOOK)).size).toBeLessThan(library + 2_500_000);
  });

  it("nbconvert --to html: the export draws every figure from the file alone, offline", async () => {
    execFileSync("jupyter", ["nbconvert", "--to", "html", NOTEBOOK, "--output", "figures-export"], {
      cwd: work,
      stdio: "pipe",
      timeout: 120_000,
    });
    const html = path.join(work, "figures-export.html");
    expect(fs.existsSync(html)).toBe(true);
    const outside: string[] = [];
    const errors: string[] = [];
    const context = await browser(outside, errors);
    try {
      const page = await context.newPage();
      await page.goto(`file://${html}`);
      await waitFor("every figure to draw", 60_000, async () => (await page.$$(".js-plotly-plot .main-svg")).length >= EXPECTED.length);
      expectAllDrawn(await drawnFigures(page));

      // The animation plays: ▶ steps the window across the input until the output is full.
      const animation = page.locator(".js-plotly-plot", { hasText: "sliding the kernel" });
      const filled = () =>
        animation.evaluate((el) => {
          const gd = el as HTMLElement & { data: { z: (number | null)[][] }[] };
          return gd.data[2].z.flat().filter((v) => v !== null).length;
        });
      expect(await filled()).toBe(1);
      await animation.locator(".updatemenu-button").first().click();
      await waitFor("the animation to reach its last step", 30_000, async () => (await filled()) === 9);
      await animation.screenshot({ path: path.join(shots, "nbconvert-animation-played.png") });
      await page.screenshot({ path: path.join(shots, "nbconvert-html.png"), fullPage: true });
      await screenshotFigures(page, "nbconvert");
      expect(outside).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
