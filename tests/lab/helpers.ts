// Shared by the JupyterLab and JupyterHub suites: the Lab build, Jupyter servers on 127.0.0.1,
// Chromium, and driving a notebook through JupyterLab's own menus and keys.
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { BrowserContext, Page, chromium } from "playwright-core";
import { CHROMIUM_FLAGS, DEFAULT_CHROMIUM } from "../../src/course/slides/pdf";

export const root = path.resolve(__dirname, "..", "..");
export const shots = path.join(root, "build", "screenshots");
/** Debian's Python, whatever python3 comes first on PATH: it has jupyter-server and jupyterlab-server. */
export const PYTHON = "/usr/bin/python3";
// Quiets the debugger notice Debian's Python prints when Jupyter's tools start.
process.env.PYDEVD_DISABLE_FILE_VALIDATION = "1";

/** Build (or reuse) the JupyterLab front end; returns its folder and what the build reported. */
export function buildLab(): { dir: string; log: string } {
  const log = execFileSync(process.execPath, [path.join(root, "scripts", "lab", "build.js")], { encoding: "utf8" });
  const lines = log.trim().split("\n");
  return { dir: lines[lines.length - 1], log };
}

/** Register the course kernel into `dataDir`/kernels with the project's own CLI (`npm run kernel:install`). */
export function installKernel(dataDir: string): void {
  execFileSync(process.execPath, [path.join(root, "bin", "dl-by-hand.js"), "kernel", "install"], {
    env: { ...process.env, JUPYTER_DATA_DIR: dataDir },
    encoding: "utf8",
  });
}

export function freePort(): Promise<number> {
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

export async function waitFor(what: string, ms: number, test: () => Promise<boolean> | boolean): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

export async function httpOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/** A child process whose output is kept for error messages. */
export interface Server {
  process: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

export function startProcess(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Server {
  let log = "";
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout?.on("data", (d) => (log += String(d)));
  child.stderr?.on("data", (d) => (log += String(d)));
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once("exit", r));
    process.kill(-child.pid, "SIGTERM");
    const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, "SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { process: child, log: () => log, stop };
}

export interface LabServer extends Server {
  url: string;
  token: string;
}

/** Debian's jupyter-server with the course's Lab build (scripts/lab/dl_by_hand_lab.py) on 127.0.0.1. */
export async function startLab(options: {
  build: string;
  notebookDir: string;
  home: string;
  jupyterPath: string;
  configDir: string;
  token: string;
}): Promise<LabServer> {
  const port = await freePort();
  const data = path.join(options.home, ".local", "share", "jupyter");
  fs.mkdirSync(data, { recursive: true });
  fs.mkdirSync(options.configDir, { recursive: true });
  const server = startProcess(
    PYTHON,
    [
      "-m",
      "dl_by_hand_lab",
      "--no-browser",
      "--ServerApp.ip=127.0.0.1",
      `--ServerApp.port=${port}`,
      "--ServerApp.port_retries=0",
      `--ServerApp.token=${options.token}`,
      `--ServerApp.root_dir=${options.notebookDir}`,
      ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
    ],
    {
      cwd: options.notebookDir,
      env: {
        ...process.env,
        HOME: options.home,
        DL_BY_HAND_LAB: options.build,
        PYTHONPATH: path.join(root, "scripts", "lab"),
        JUPYTER_DATA_DIR: data,
        JUPYTER_PATH: options.jupyterPath,
        JUPYTER_CONFIG_DIR: options.configDir,
        JUPYTER_RUNTIME_DIR: path.join(data, "runtime"),
        BROWSER: "true",
      },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor("the Lab server", 60_000, async () => {
      if (server.process.exitCode !== null) throw new Error(`the Lab server exited:\n${server.log()}`);
      return httpOk(`${url}/api/status?token=${options.token}`);
    });
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { ...server, url, token: options.token };
}

/** A fresh Chromium profile; requests to hosts other than 127.0.0.1 are recorded and blocked. */
export async function browser(outside: string[], errors: string[]): Promise<BrowserContext> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "dl-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: DEFAULT_CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    viewport: { width: 1280, height: 900 },
  });
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    const local = ["data:", "blob:"].includes(url.protocol) || url.hostname === "127.0.0.1";
    if (local) return route.continue();
    outside.push(url.href);
    return route.abort();
  });
  context.on("page", (page) =>
    page.on("pageerror", (e) => errors.push(`${e.message} ${(e.stack ?? "").split("\n").slice(1, 4).join(" ")}`)),
  );
  return context;
}

/** The visible notebook's kernel as Lab's session context reports it, and its cells' prompts. */
interface KernelView {
  kernel: string;
  status: string;
  prompts: string[];
}

/**
 * The kernel of the visible notebook panel, read from Lab's own session context. The toolbar's
 * kernel name and status items are not used for this: in a narrow panel (the contextual help
 * split beside it) Lab moves them into the toolbar's overflow menu, out of the panel.
 */
function kernelView(page: Page): Promise<KernelView> {
  return page.evaluate(() => {
    interface Panel {
      node: Element;
      sessionContext?: { kernelDisplayName: string; kernelDisplayStatus: string };
    }
    const app = (window as unknown as { jupyterapp?: { shell: { widgets: (area: string) => Iterable<Panel> } } }).jupyterapp;
    const node = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden)");
    const panel = app && node ? Array.from(app.shell.widgets("main")).find((w) => w.node === node) : undefined;
    return {
      kernel: panel?.sessionContext?.kernelDisplayName ?? "",
      status: panel?.sessionContext?.kernelDisplayStatus ?? "",
      prompts: Array.from(node?.querySelectorAll(".jp-InputArea-prompt") ?? []).map((p) => p.textContent ?? ""),
    };
  });
}

/** Wait until Lab shows the notebook `name` with its kernel idle. */
export async function waitForNotebook(page: Page, name: string): Promise<void> {
  await page.locator(`.lm-TabBar-tab[data-type="document-title"]`, { hasText: name }).first().waitFor({ timeout: 120_000 });
  const firstCell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").first();
  await firstCell.waitFor({ timeout: 120_000 });
  let seen = "";
  await waitFor("the course kernel", 120_000, async () => (seen = (await kernelView(page)).kernel).includes("dl-by-hand")).catch(
    (error: Error) => {
      throw new Error(`${error.message} (the notebook's kernel: "${seen}")`);
    },
  );
  await waitForIdle(page, 120_000);
  // Lab's commands act on the notebook that has the focus.
  await firstCell.click();
}

/** The visible notebook's kernel is idle (Lab's session context) and no cell shows `[*]`. */
export async function waitForIdle(page: Page, ms: number): Promise<void> {
  let last: KernelView = { kernel: "", status: "", prompts: [] };
  await waitFor("the kernel to be idle", ms, async () => {
    last = await kernelView(page);
    return last.status === "idle" && !last.prompts.some((p) => p.includes("*"));
  }).catch((error: Error) => {
    const busy = last.prompts.filter((p) => p.includes("*")).length;
    throw new Error(`${error.message} (kernel "${last.kernel}" ${last.status || "not found"}, ${busy} cells at [*])`);
  });
}

/**
 * Save the visible notebook with Ctrl+S and wait until Lab has written it (its model is no longer
 * dirty). Pressed once: a second save started while one is under way can find the file newer
 * than Lab's copy and stop at Lab's "File Changed" dialog, which fails the wait with its text.
 */
export async function save(page: Page, ms: number): Promise<void> {
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+s");
  await waitFor("Lab to save the notebook", ms, async () => {
    const state = await page.evaluate(() => {
      interface Panel {
        node: Element;
        context?: { model: { dirty: boolean } };
      }
      const app = (window as unknown as { jupyterapp?: { shell: { widgets: (area: string) => Iterable<Panel> } } }).jupyterapp;
      const node = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden)");
      const panel = app && node ? Array.from(app.shell.widgets("main")).find((w) => w.node === node) : undefined;
      return { dirty: panel?.context?.model.dirty ?? true, dialog: document.querySelector(".jp-Dialog")?.textContent ?? "" };
    });
    if (state.dialog) throw new Error(`Lab showed a dialog while saving: ${state.dialog}`);
    return !state.dirty;
  });
}

/** Click through Lab's menu bar: `menu(page, "Run", "Run All Cells")`. */
export async function menu(page: Page, top: string, item: string): Promise<void> {
  await page.locator(".lm-MenuBar-itemLabel", { hasText: new RegExp(`^${top}$`) }).click();
  await page
    .locator(".lm-Menu:not(.lm-MenuBar-menu) .lm-Menu-itemLabel, .lm-MenuBar-menu .lm-Menu-itemLabel", { hasText: new RegExp(`^${item}$`) })
    .first()
    .click();
}

/** Run every cell through Lab's Run menu and wait for the kernel to finish. */
export async function runAll(page: Page, ms: number): Promise<void> {
  await menu(page, "Run", "Run All Cells");
  await waitFor("a cell to start", 30_000, () =>
    page.evaluate(() =>
      Array.from(document.querySelectorAll(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputArea-prompt")).some((p) =>
        /\[[*0-9]/.test(p.textContent ?? ""),
      ),
    ),
  );
  await waitForIdle(page, ms);
}

/** Code-cell prompts of the visible notebook, e.g. ["[1]:", "[2]:"]. */
export async function prompts(page: Page): Promise<string[]> {
  return page.$$eval(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt", (els) =>
    els.map((e) => (e.textContent ?? "").trim()),
  );
}

export interface Drawn {
  title: string;
  traces: number;
  svg: boolean;
  marks: number;
  /** The MIME type of the output that drew it (Lab's `data-mime-type`). */
  mime: string;
}

/** Every plotly figure in the visible notebook, and which output form drew it. */
export async function drawnFigures(page: Page): Promise<Drawn[]> {
  return page.$$eval(".jp-NotebookPanel:not(.lm-mod-hidden) .js-plotly-plot", (plots) =>
    plots.map((el) => {
      const gd = el as HTMLElement & { data?: unknown[]; layout?: { title?: { text?: string } } };
      return {
        title: gd.layout?.title?.text ?? "",
        traces: Array.isArray(gd.data) ? gd.data.length : -1,
        svg: el.querySelector("svg.main-svg") !== null,
        marks: el.querySelectorAll(
          ".heatmaplayer image, .imagelayer image, .scatterlayer path, .barlayer path, .contourlayer path, .shapelayer path, .layer-above path",
        ).length,
        // jupyterlab-plotly's output node carries its class, Lab's own renderers `data-mime-type`.
        mime: el.closest(".jp-RenderedPlotly")
          ? "application/vnd.plotly.v1+json"
          : (el.closest("[data-mime-type]")?.getAttribute("data-mime-type") ?? ""),
      };
    }),
  );
}

/** The notebook as the server stores it (Contents API). */
export async function savedNotebook(
  url: string,
  token: string,
  file: string,
): Promise<{ cells: { cell_type: string; outputs?: { output_type: string; data?: Record<string, unknown> }[] }[] }> {
  const response = await fetch(`${url}/api/contents/${encodeURIComponent(file)}?content=1&token=${token}`);
  if (!response.ok) throw new Error(`GET ${file}: ${response.status}`);
  return (await response.json()).content;
}

/** Figures (plotly MIME outputs) in a stored notebook. */
export function figureOutputs(nb: { cells: { outputs?: { data?: Record<string, unknown> }[] }[] }): number {
  return nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data && "application/vnd.plotly.v1+json" in o.data).length;
}
