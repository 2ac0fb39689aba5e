// The course in a real JupyterLab 4 (npm's @jupyterlab packages, scripts/lab/) on Debian's
// jupyter-server, driven in Chromium through Lab's own menus and keys: notebooks 04 and 09 run
// with the course kernel, figures, the red error, completion, the inspector, live progress and
// what trusted and untrusted re-opened notebooks show, without and with a plotly renderer.
// Needs: jupyter-server, python3-jupyterlab-server, chromium (Debian). Screenshots: build/screenshots/lab-*.
import * as fs from "fs";
import * as path from "path";
import { randomBytes } from "crypto";
import { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  LabServer,
  browser,
  buildLab,
  drawnFigures,
  figureOutputs,
  installKernel,
  menu,
  prompts,
  root,
  runAll,
  save,
  savedNotebook,
  shots,
  startLab,
  waitFor,
  waitForIdle,
  waitForNotebook,
} from "./helpers";

const work = path.join(root, "build", "lab-test");
const NB04 = "04-convolution-by-hand.ipynb";
const NB09 = "09-training-lenet-mnist.ipynb";
const RECEIVED = "04-received.ipynb";
/** The sentence figureHtml (src/plot/show.ts) leaves in place when its script does not run. */
const NOT_RUN = "If this text stays, scripts did not run";

describe("the course in JupyterLab 4", () => {
  const token = randomBytes(16).toString("hex");
  const configDir = path.join(work, "config");
  let lab: LabServer;
  let context: BrowserContext;
  let page: Page;
  const outside: string[] = [];
  const errors: string[] = [];

  /** Lab's page config: stock JupyterLab 4 has no plotly renderer; `true` adds jupyterlab-plotly. */
  function plotlyRenderer(on: boolean): void {
    const file = path.join(configDir, "labconfig", "page_config.json");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ disabledExtensions: { "jupyterlab-plotly": !on } }));
  }

  async function open(file: string): Promise<void> {
    await page.goto(`${lab.url}/lab/tree/${file}?token=${token}`);
    await waitForNotebook(page, file);
  }

  /** A new cell at the end of the visible notebook, in edit mode, holding `code`. */
  async function newCellAtEnd(code: string): Promise<void> {
    await page
      .locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell")
      .last()
      .locator(".jp-InputPrompt, .jp-Cell-inputCollapser")
      .first()
      .click();
    await page.keyboard.press("Escape");
    await page.keyboard.press("b");
    await page.keyboard.press("Enter");
    // Type only once the new cell's editor has the focus, and go on once Lab's editor holds the text.
    const editor = lastCell().locator(".cm-content");
    await waitFor("the new cell's editor to have the focus", 30_000, () =>
      editor.evaluate((el) => el === document.activeElement || el.contains(document.activeElement)),
    );
    await page.keyboard.insertText(code);
    await waitFor("the new cell to hold its code", 30_000, async () => ((await editor.textContent()) ?? "") === code.replace(/\n/g, ""));
  }

  /** Tab, and again every 10 s while `done` is false (a Tab that came before Lab's completer was ready is lost). */
  async function tabUntil(what: string, ms: number, done: () => Promise<boolean>): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      await page.keyboard.press("Tab");
      try {
        await waitFor(what, Math.min(10_000, end - Date.now()), done);
        return;
      } catch {
        // not yet: press Tab again
      }
    }
    throw new Error(`timed out after ${ms} ms waiting for ${what} (Tab pressed every 10 s)`);
  }

  function lastCell() {
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").last();
  }

  beforeAll(async () => {
    const { dir, log } = buildLab();
    console.log(log.trim());
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(path.join(work, "notebooks"), { recursive: true });
    fs.mkdirSync(shots, { recursive: true });
    // Notebook 09 as released, its full training: with fewer epochs LeNet-5 stays under the
    // notebook's own 97 % self-check (93.8 % after one), whose error stops Lab's Run All there.
    for (const nb of [NB04, NB09]) fs.copyFileSync(path.join(root, "notebooks", nb), path.join(work, "notebooks", nb));
    const share = path.join(work, "prefix", "share", "jupyter");
    installKernel(share);
    plotlyRenderer(false);
    // The test saves with Ctrl+S only. Once here, on a loaded machine, a single Ctrl+S stopped at
    // Lab's "File Changed" dialog (the server's copy newer than Lab's), most likely Lab's own
    // autosave (every 120 s) writing at the same moment, so this Lab user has autosave off.
    const docSettings = path.join(work, "home", ".jupyter", "lab", "user-settings", "@jupyterlab", "docmanager-extension");
    fs.mkdirSync(docSettings, { recursive: true });
    fs.writeFileSync(path.join(docSettings, "plugin.jupyterlab-settings"), JSON.stringify({ autosave: false }));
    lab = await startLab({
      build: dir,
      notebookDir: path.join(work, "notebooks"),
      home: path.join(work, "home"),
      jupyterPath: share,
      configDir,
      token,
    });
    context = await browser(outside, errors);
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await lab?.stop();
  });

  it("is JupyterLab 4 with the course kernel", async () => {
    await open(NB04);
    const version = await page.evaluate(() => (window as unknown as { jupyterapp: { version: string } }).jupyterapp.version);
    expect(version).toMatch(/^4\./);
    await expect(page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar-kernelName").textContent()).resolves.toContain(
      "TypeScript (dl-by-hand)",
    );
  });

  it("runs notebook 04 from Lab's Run menu; every figure draws from its HTML (stock Lab 4)", async () => {
    await runAll(page, 300_000);
    const ps = await prompts(page);
    expect(ps.length).toBeGreaterThan(10);
    expect(ps.filter((p) => !/^\[\d+\]:$/.test(p))).toEqual([]);
    await save(page, 60_000);
    await waitFor("the save", 30_000, async () => figureOutputs(await savedNotebook(lab.url, token, NB04)) > 0);
    const saved = await savedNotebook(lab.url, token, NB04);
    const stored = figureOutputs(saved);
    expect(saved.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === "error")).toEqual([]);
    expect(stored).toBeGreaterThanOrEqual(6);
    await waitFor("every figure to draw", 60_000, async () => (await drawnFigures(page)).filter((d) => d.svg).length >= stored);
    const drawn = await drawnFigures(page);
    expect(drawn.length).toBe(stored);
    for (const d of drawn)
      expect(`${d.title}: svg ${d.svg}, marks ${d.marks > 0}, from ${d.mime}`).toBe(`${d.title}: svg true, marks true, from text/html`);
    await page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .js-plotly-plot").nth(1).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, "lab-04-figures.png") });
    expect(await page.locator(`.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output:has-text("${NOT_RUN}")`).count()).toBe(0);
  });

  it("shows an error as Lab's red error output naming the cell line", async () => {
    await newCellAtEnd(`const fine = 1;\nthrow new Error("boom from the second line");`);
    await page.keyboard.press("Shift+Enter");
    const error = page
      .locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
      .last();
    await error.waitFor({ timeout: 60_000 });
    await waitForIdle(page, 60_000);
    const text = (await error.textContent()) ?? "";
    expect(text).toContain("boom from the second line");
    expect(text).toMatch(/line 2\b/);
    // Lab's light theme paints error outputs with --jp-rendermime-error-background (#fdd).
    expect(await error.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(255, 221, 221)");
    await error.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, "lab-04-error.png") });
  });

  it("completes after `dl.con` and a cell-defined function", async () => {
    await newCellAtEnd(`/** Halves every number. */\nfunction halveEach(xs: number[]): number[] { return xs.map((x) => x / 2); }`);
    await page.keyboard.press("Shift+Enter");
    await waitForIdle(page, 60_000);

    await newCellAtEnd("dl.con");
    const completer = page.locator(".jp-Completer");
    const editor = lastCell().locator(".cm-content");
    // Lab lists the library names starting with "con" (and, matching loosely, names
    // holding c, o, n in that order); a single match may be inserted instead.
    await tabUntil(
      "completion after dl.con",
      60_000,
      async () => (await completer.isVisible()) || /^dl\.con\w+/.test((await editor.textContent()) ?? ""),
    );
    if (await completer.isVisible()) {
      const items = await completer.locator(".jp-Completer-item").evaluateAll((els) => els.map((e) => e.getAttribute("data-value") ?? ""));
      expect(items.length).toBeGreaterThan(0);
      expect(items.filter((i) => i.startsWith("con")).length).toBeGreaterThan(0);
      await page.screenshot({ path: path.join(shots, "lab-04-completion.png") });
      await page.keyboard.press("Escape");
    }

    await newCellAtEnd("halv");
    await tabUntil(
      "completion of halveEach",
      30_000,
      async () =>
        ((await editor.last().textContent()) ?? "").includes("halveEach") ||
        (await completer.locator('.jp-Completer-item[data-value="halveEach"]').count()) > 0,
    );
    await page.keyboard.press("Escape");
  });

  it("shows the kernel's help for what is under the cursor in Lab's contextual help", async () => {
    await menu(page, "Help", "Show Contextual Help");
    const inspector = page.locator(".jp-Inspector");
    await inspector.waitFor({ timeout: 30_000 });
    await newCellAtEnd("");
    // Lab asks the kernel as the student types.
    await page.keyboard.type("halveEach", { delay: 50 });
    await waitFor("the inspector to show halveEach", 30_000, async () => ((await inspector.textContent()) ?? "").includes("halveEach"));
    expect((await inspector.textContent()) ?? "").toContain("number[]");
    await page.screenshot({ path: path.join(shots, "lab-04-inspector.png") });
    // The student closes the help tab: the notebook gets its full width back.
    await page.locator(".lm-TabBar-tab", { hasText: "Contextual Help" }).locator(".lm-TabBar-tabCloseIcon").click();
    await inspector.waitFor({ state: "detached", timeout: 30_000 });
  });

  it("re-opened after saving, the notebook is trusted and its figures draw again", async () => {
    await save(page, 60_000);
    const stored = figureOutputs(await savedNotebook(lab.url, token, NB04));
    await open(NB04);
    await waitFor("the stored figures to draw", 60_000, async () => (await drawnFigures(page)).filter((d) => d.svg).length >= stored);
    expect((await drawnFigures(page)).length).toBe(stored);
  });

  it("a notebook with outputs that this Jupyter did not see run is untrusted: figures stay as their note", async () => {
    // A copy whose content differs from what was signed, as a notebook from someone else is.
    const nb = JSON.parse(fs.readFileSync(path.join(work, "notebooks", NB04), "utf8"));
    nb.metadata.received_from = "a classmate";
    fs.writeFileSync(path.join(work, "notebooks", RECEIVED), JSON.stringify(nb, null, 1));
    const stored = figureOutputs(nb);
    await open(RECEIVED);
    const notes = page.locator(
      `.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output[data-mime-type="text/html"]:has-text("${NOT_RUN}")`,
    );
    await waitFor("the untrusted outputs", 60_000, async () => (await notes.count()) >= stored);
    expect(await notes.count()).toBe(stored);
    expect(await drawnFigures(page)).toEqual([]);
    await notes.first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, "lab-04-untrusted.png") });
  });

  it("with the jupyterlab-plotly renderer, figures draw from the plotly JSON, untrusted too", async () => {
    plotlyRenderer(true);
    await open(RECEIVED);
    const stored = figureOutputs(JSON.parse(fs.readFileSync(path.join(work, "notebooks", RECEIVED), "utf8")));
    await waitFor("the JSON figures to draw", 60_000, async () => (await drawnFigures(page)).filter((d) => d.svg).length >= stored);
    const drawn = await drawnFigures(page);
    expect(drawn.length).toBe(stored);
    for (const d of drawn)
      expect(`${d.title}: marks ${d.marks > 0}, from ${d.mime}`).toBe(`${d.title}: marks true, from application/vnd.plotly.v1+json`);
    await page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .js-plotly-plot").nth(1).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, "lab-04-plotly-renderer.png") });
  });

  it("runs notebook 09: the training progress updates live, then its figures draw", async () => {
    plotlyRenderer(false);
    await open(NB09);
    await menu(page, "Run", "Run All Cells");
    // The training cell's progress line is one output replaced in place while the cell runs:
    // record each text it shows, and how many progress outputs the cell has at each look.
    const lines = new Set<string>();
    let mostOutputs = 0;
    let shot = false;
    const fitCell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell", { hasText: "dl.train.fit(model" }).first();
    const progress = fitCell.locator('.jp-OutputArea-output[data-mime-type="text/plain"]');
    const end = Date.now() + 600_000;
    while (Date.now() < end) {
      const texts = await progress.allTextContents();
      mostOutputs = Math.max(mostOutputs, texts.length);
      for (const t of texts) if (t.trim()) lines.add(t.trim());
      const done = await page.evaluate(() => {
        const panel = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden)");
        const ps = Array.from(panel?.querySelectorAll(".jp-CodeCell .jp-InputArea-prompt") ?? []).map((p) => p.textContent ?? "");
        const failed = panel?.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]') !== null;
        return failed || (ps.length > 0 && ps.every((p) => /^\[\d+\]:$/.test(p.trim())));
      });
      if (done) break;
      if (lines.size >= 3 && !shot) {
        await fitCell.scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(shots, "lab-09-progress.png") });
        shot = true;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`notebook 09's progress line showed ${lines.size} texts, the last: ${[...lines].pop()}`);
    await waitForIdle(page, 60_000);
    expect((await prompts(page)).filter((p) => !/^\[\d+\]:$/.test(p))).toEqual([]);
    expect(lines.size).toBeGreaterThanOrEqual(3);
    expect(mostOutputs).toBe(1);
    expect([...lines].pop()).toMatch(/^epoch (\d+)\/\1 .* batch (\d+)\/\2 .* took /);
    await save(page, 60_000);
    await waitFor("the save", 30_000, async () => figureOutputs(await savedNotebook(lab.url, token, NB09)) > 0);
    const saved = await savedNotebook(lab.url, token, NB09);
    expect(saved.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === "error")).toEqual([]);
    const stored = figureOutputs(saved);
    await waitFor("every figure to draw", 60_000, async () => (await drawnFigures(page)).filter((d) => d.svg).length >= stored);
    const drawn = await drawnFigures(page);
    expect(drawn.length).toBe(stored);
    for (const d of drawn) expect(`${d.title}: marks ${d.marks > 0}`).toBe(`${d.title}: marks true`);
    await page.screenshot({ path: path.join(shots, "lab-09-done.png") });
  });

  it("asked nothing of the internet and threw no page error", () => {
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });
});
