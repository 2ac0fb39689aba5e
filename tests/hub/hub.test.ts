// A JupyterHub for a class (tests/hub/jupyterhub_config.py) on 127.0.0.1: the course installed
// once (kernelspec and server config in a system-like prefix, course folder shared), three
// students log in, get their own copies of the released notebooks, and run notebook 04 at the
// same time in Chromium through the hub; nothing one does changes another's files or the course.
// Needs: jupyterhub, jupyter-server, python3-jupyterlab-server, chromium (Debian) and npm's
// configurable-http-proxy. Prints the memory each student's server and kernel use.
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Server,
  browser,
  buildLab,
  drawnFigures,
  figureOutputs,
  freePort,
  httpOk,
  installKernel,
  prompts,
  root,
  runAll,
  save,
  shots,
  startProcess,
  waitFor,
  waitForIdle,
  waitForNotebook,
} from "../lab/helpers";

const work = path.join(root, "build", "hub-test");
const course = path.join(work, "course");
const prefix = path.join(work, "prefix");
const homes = path.join(work, "homes");
const USERS = ["ada", "grace", "alan"];
const NB04 = "04-convolution-by-hand.ipynb";

/** sha256 of every file under `dir` (relative path → hash), skipping Jupyter's own state folders. */
function checksums(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isSymbolicLink()) out.set(path.relative(dir, full), `-> ${fs.readlinkSync(full)}`);
      else if (entry.isDirectory()) {
        if (![".jupyter", ".local", ".ipynb_checkpoints", ".cache", ".ipython"].includes(entry.name)) walk(full);
      } else out.set(path.relative(dir, full), createHash("sha256").update(fs.readFileSync(full)).digest("hex"));
    }
  };
  walk(dir);
  return out;
}

function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((n) => before.get(n) !== after.get(n)).sort();
}

/** The processes a user's server started (JupyterHub gives each JUPYTERHUB_USER): their PSS and RSS in MB. */
function memoryOf(user: string): { pss: number; rss: number; processes: number } {
  let pss = 0;
  let rss = 0;
  let processes = 0;
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const environ = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      if (!environ.includes(`JUPYTERHUB_USER=${user}`)) continue;
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) / 1024;
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) / 1024;
      processes++;
    } catch {
      // the process ended meanwhile
    }
  }
  return { pss: Math.round(pss), rss: Math.round(rss), processes };
}

/** The command lines of the processes that carry the user's JUPYTERHUB_USER. */
function commandsOf(user: string): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      // This run's processes of the student only: a server left by another run has another home.
      const environ = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      if (!environ.includes(`JUPYTERHUB_USER=${user}`) || !environ.includes(`HOME=${path.join(homes, user)}`)) continue;
      out.push(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim());
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

describe("a JupyterHub for a class", () => {
  const password = randomBytes(12).toString("hex");
  let hub: Server;
  let url = "";
  const contexts: BrowserContext[] = [];
  const pages = new Map<string, Page>();
  const outside: string[] = [];
  const errors: string[] = [];
  let courseBefore: Map<string, string>;

  beforeAll(async () => {
    const { dir } = buildLab();
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(path.join(course, "notebooks"), { recursive: true });
    fs.mkdirSync(homes, { recursive: true });
    fs.mkdirSync(shots, { recursive: true });
    // The course, installed once: released notebooks and the packages, read-only for students.
    for (const nb of fs.readdirSync(path.join(root, "notebooks")).filter((n) => n.endsWith(".ipynb"))) {
      fs.copyFileSync(path.join(root, "notebooks", nb), path.join(course, "notebooks", nb));
      fs.chmodSync(path.join(course, "notebooks", nb), 0o444);
    }
    fs.symlinkSync(path.join(root, "node_modules"), path.join(course, "node_modules"));
    // Jupyter's system-wide paths: the kernelspec, the Lab server extension and its switch.
    installKernel(path.join(prefix, "share", "jupyter"));
    fs.mkdirSync(path.join(prefix, "lib", "python"), { recursive: true });
    fs.copyFileSync(path.join(root, "scripts", "lab", "dl_by_hand_lab.py"), path.join(prefix, "lib", "python", "dl_by_hand_lab.py"));
    const serverConfig = path.join(prefix, "etc", "jupyter", "jupyter_server_config.d");
    fs.mkdirSync(serverConfig, { recursive: true });
    fs.writeFileSync(
      path.join(serverConfig, "dl_by_hand_lab.json"),
      JSON.stringify({ ServerApp: { jpserver_extensions: { dl_by_hand_lab: true } } }),
    );
    courseBefore = checksums(course);

    const [port, apiPort, proxyApiPort] = [await freePort(), await freePort(), await freePort()];
    url = `http://127.0.0.1:${port}`;
    const state = path.join(work, "state");
    fs.mkdirSync(state, { recursive: true });
    hub = startProcess("/usr/bin/jupyterhub", ["-f", path.join(root, "tests", "hub", "jupyterhub_config.py")], {
      cwd: state,
      env: {
        ...process.env,
        DL_HUB_COURSE: course,
        DL_HUB_PREFIX: prefix,
        DL_HUB_HOMES: homes,
        DL_HUB_STATE: state,
        DL_HUB_PORT: String(port),
        DL_HUB_API_PORT: String(apiPort),
        DL_HUB_PROXY_API_PORT: String(proxyApiPort),
        DL_HUB_PROXY: path.join(root, "node_modules", ".bin", "configurable-http-proxy"),
        DL_HUB_PASSWORD: password,
        DL_HUB_USERS: USERS.join(","),
        DL_BY_HAND_LAB: dir,
        PYTHONPATH: "",
      },
    });
    await waitFor("the hub", 90_000, async () => {
      if (hub.process.exitCode !== null) throw new Error(`jupyterhub exited:\n${hub.log()}`);
      return httpOk(`${url}/hub/login`);
    });
    for (const user of USERS) {
      const context = await browser(outside, errors);
      contexts.push(context);
      pages.set(user, await context.newPage());
    }
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await hub?.stop();
    // Servers and kernels the hub started may outlive it (a student's restarted server did, and ignored
    // SIGTERM): end this test's, found by the course's prefix or a student's home, and kill what stays.
    const ours = () =>
      fs
        .readdirSync("/proc")
        .filter((p) => /^\d+$/.test(p))
        .filter((pid) => {
          try {
            const environ = fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
            return (
              environ.includes(`JUPYTER_PATH=${path.join(prefix, "share", "jupyter")}`) ||
              environ.some((e) => e.startsWith(`HOME=${homes}/`))
            );
          } catch {
            return false; // gone already, or not ours to read
          }
        })
        .map(Number);
    const signal = (pids: number[], name: NodeJS.Signals) =>
      pids.forEach((pid) => {
        try {
          process.kill(pid, name);
        } catch {
          // gone meanwhile
        }
      });
    signal(ours(), "SIGTERM");
    for (let waited = 0; waited < 5_000 && ours().length > 0; waited += 250) await new Promise((r) => setTimeout(r, 250));
    signal(ours(), "SIGKILL");
  });

  it("rejects a wrong password", async () => {
    const page = pages.get(USERS[0])!;
    await page.goto(`${url}/hub/login`);
    await page.fill("#username_input", USERS[0]);
    await page.fill("#password_input", "not-the-password");
    await page.click("#login_submit");
    await page.locator("text=Invalid username or password").waitFor({ timeout: 30_000 });
    expect(fs.existsSync(path.join(homes, USERS[0]))).toBe(false);
  });

  it("logs three students in; each gets JupyterLab and their own copy of the released notebooks", async () => {
    await Promise.all(
      USERS.map(async (user) => {
        const page = pages.get(user)!;
        await page.goto(`${url}/hub/login`);
        await page.fill("#username_input", user);
        await page.fill("#password_input", password);
        await page.click("#login_submit");
        await page.waitForURL(new RegExp(`/user/${user}/lab`), { timeout: 180_000 });
        await page.locator(".jp-LabShell").waitFor({ timeout: 120_000 });
      }),
    );
    for (const user of USERS) {
      const released = fs.readdirSync(path.join(course, "notebooks")).sort();
      expect(fs.readdirSync(path.join(homes, user, "notebooks")).sort()).toEqual(released);
      for (const nb of released) {
        expect(fs.readFileSync(path.join(homes, user, "notebooks", nb))).toEqual(fs.readFileSync(path.join(course, "notebooks", nb)));
      }
    }
  });

  it("three students run notebook 04 at the same time; each sees every figure; no one touches another's files", async () => {
    const before = new Map(USERS.map((u) => [u, checksums(path.join(homes, u))]));
    const memory = new Map<string, ReturnType<typeof memoryOf>>();
    await Promise.all(
      USERS.map(async (user) => {
        const page = pages.get(user)!;
        await page.goto(`${url}/user/${user}/lab/tree/notebooks/${NB04}`);
        await waitForNotebook(page, NB04);
        await runAll(page, 600_000);
        // Each student writes something of their own into their notebook, then saves.
        await page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").last().locator(".jp-InputPrompt").first().click();
        await page.keyboard.press("Escape");
        await page.keyboard.press("b");
        await page.keyboard.press("Enter");
        await page.keyboard.insertText(`const author = "${user}-was-here";`);
        await page.keyboard.press("Control+Enter");
        await waitForIdle(page, 60_000);
        await save(page, 180_000);
        const file = path.join(homes, user, "notebooks", NB04);
        expect(fs.readFileSync(file, "utf8")).toContain(`${user}-was-here`);
        memory.set(user, memoryOf(user));
        await page.screenshot({ path: path.join(shots, `hub-${user}-04.png`) });
      }),
    );
    for (const user of USERS) {
      const page = pages.get(user)!;
      expect((await prompts(page)).filter((p) => !/^\[\d+\]:$/.test(p))).toEqual([]);
      const nb = JSON.parse(fs.readFileSync(path.join(homes, user, "notebooks", NB04), "utf8"));
      expect(
        nb.cells
          .flatMap((c: { outputs?: { output_type: string }[] }) => c.outputs ?? [])
          .filter((o: { output_type: string }) => o.output_type === "error"),
      ).toEqual([]);
      const stored = figureOutputs(nb);
      expect(stored).toBeGreaterThanOrEqual(6);
      await waitFor(`${user}'s figures`, 60_000, async () => (await drawnFigures(page)).filter((d) => d.svg).length >= stored);
      // Only their own notebook changed in their home; it holds their words and no one else's.
      expect(changed(before.get(user)!, checksums(path.join(homes, user)))).toEqual([`notebooks/${NB04}`]);
      const text = fs.readFileSync(path.join(homes, user, "notebooks", NB04), "utf8");
      for (const other of USERS)
        expect(`${user}'s notebook has ${other}: ${text.includes(`${other}-was-here`)}`).toBe(
          `${user}'s notebook has ${other}: ${other === user}`,
        );
    }
    expect(changed(courseBefore, checksums(course))).toEqual([]);
    const lines = USERS.map((u) => {
      const m = memory.get(u)!;
      return `${u}: ${m.processes} processes, PSS ${m.pss} MB, RSS ${m.rss} MB`;
    });
    console.log(`memory per student after notebook 04 (server + kernel):\n${lines.join("\n")}`);
    for (const u of USERS) expect(memory.get(u)!.processes).toBeGreaterThanOrEqual(2);
  });

  it("a student who stops and starts their server again keeps their work: the copy is made only once", async () => {
    const user = USERS[0];
    const page = pages.get(user)!;
    const file = path.join(homes, user, "notebooks", NB04);
    const before = checksums(path.join(homes, user));
    await page.goto(`${url}/hub/home`);
    await page.waitForLoadState("networkidle", { timeout: 10_000 }).catch(() => undefined);
    // The home page's scripts attach the buttons' handlers: a click that came before them is lost
    // (seen once in CI), so click Stop again every 15 s while it is still there.
    const start = page.locator("#start", { hasText: "Start My Server" });
    let clicked = 0;
    await waitFor(`${user}'s server to stop after Stop My Server`, 120_000, async () => {
      if (await start.isVisible()) return true;
      if (Date.now() - clicked > 15_000 && (await page.locator("#stop").isVisible())) {
        await page.click("#stop");
        clicked = Date.now();
      }
      return false;
    }).catch((error: Error) => {
      throw new Error(`${error.message}\nthe hub's log ends:\n${hub.log().split("\n").slice(-30).join("\n")}`);
    });
    await waitFor(`${user}'s server to stop`, 120_000, () => !commandsOf(user).some((c) => c.includes("jupyterhub-singleuser")));
    // jupyter-server 1.23 exits on the hub's SIGINT without shutting its kernels down: the course
    // kernel sees its parent gone (JPY_PARENT_PID) and ends too, so nothing of the student's runs on.
    await waitFor(`${user}'s kernel to end with the server`, 30_000, () => commandsOf(user).length === 0);
    await page.click("#start");
    await page.waitForURL(new RegExp(`/user/${user}/lab`), { timeout: 180_000 });
    await page.locator(".jp-LabShell").waitFor({ timeout: 120_000 });
    expect(fs.readFileSync(file, "utf8")).toContain(`${user}-was-here`);
    expect(changed(before, checksums(path.join(homes, user)))).toEqual([]);
  });

  it("asked nothing of the internet and threw no page error", () => {
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });
});
