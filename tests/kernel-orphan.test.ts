// A kernel whose parent dies without shutting it down (a Jupyter server killed, or one that exits
// on a SIGINT without cleaning up, as jupyter-server 1.23 does under JupyterHub) ends by itself:
// Jupyter's launcher names the parent in JPY_PARENT_PID, and the kernel watches it.
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { afterAll, describe, expect, it } from "vitest";
import { KernelClient } from "../src/course/client";
import { kernelSpec } from "../src/course/kernelspec";
import { running } from "./helpers";

const dir = mkdtempSync(join(tmpdir(), "dl-by-hand-orphan-"));
const started: number[] = [];
afterAll(() => {
  // A kernel that failed to end is killed here, or it would spin on after the test run.
  for (const pid of started) if (running(pid)) process.kill(pid, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** The course kernel started under a bash that plays the Jupyter server: its pid is JPY_PARENT_PID. */
async function underParent(name: string, parentPid: "bash" | "none") {
  const spec = kernelSpec();
  const pids = join(dir, `${name}.pids`);
  const exportParent = parentPid === "bash" ? "export JPY_PARENT_PID=$$; " : "unset JPY_PARENT_PID; ";
  const script = `${exportParent}"$@" & echo "$$ $!" > ${JSON.stringify(pids)}; wait`;
  const kernel = await KernelClient.start({ ...spec, argv: ["bash", "-c", script, "bash", ...spec.argv] }, { cwd: __dirname });
  const [bash, node] = readFileSync(pids, "utf8").trim().split(" ").map(Number);
  started.push(node);
  return { kernel, bash, node };
}

async function gone(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (!running(pid)) return true;
  return !running(pid);
}

describe("a kernel whose parent is gone", () => {
  it("shuts down when idle", async () => {
    const { kernel, bash, node } = await underParent("idle", "bash");
    expect((await kernel.execute("1 + 1", { stopOnError: true, timeoutMs: 30_000 }, () => undefined)).content.status).toBe("ok");
    process.kill(bash, "SIGKILL");
    expect(await gone(node, 10_000)).toBe(true);
    await kernel.shutdown();
  });

  it("stops a cell that never ends, then shuts down", async () => {
    const { kernel, bash, node } = await underParent("busy", "bash");
    void kernel.execute("while (true) {}", { stopOnError: true, timeoutMs: 60_000 }, () => undefined).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1500));
    expect(running(node)).toBe(true);
    process.kill(bash, "SIGKILL");
    expect(await gone(node, 15_000)).toBe(true);
    await kernel.shutdown();
  });

  it("without JPY_PARENT_PID (not started by Jupyter's launcher) keeps running", async () => {
    const { kernel, bash, node } = await underParent("unnamed", "none");
    process.kill(bash, "SIGKILL");
    await new Promise((r) => setTimeout(r, 3000));
    expect(running(node)).toBe(true);
    process.kill(node, "SIGTERM");
    expect(await gone(node, 10_000)).toBe(true);
    await kernel.shutdown();
  });
});
