// `dl-by-hand run` ends its kernel (by PID and process group) and removes the connection files
// when it gets Ctrl-C (SIGINT) or SIGTERM (the removal of the connection files is not checked here).
import { spawn } from "child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { expect, it } from "vitest";
import { serializeNotebook } from "../src/course/notebook";
import { codeCell, notebook, running } from "./helpers";

function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

it.each(["SIGINT", "SIGTERM"] as const)(
  "on %s the runner ends its kernel, the cell's children and the connection files",
  async (signal) => {
    const dir = join(__dirname, "fixtures", "kernel");
    const out = mkdtempSync(join(tmpdir(), "runner-signal-"));
    const file = join(out, "spin.ipynb");
    writeFileSync(file, serializeNotebook(notebook([codeCell('require("child_process").spawn("sleep", ["300"]);\nwhile (true) {}')])));
    const runner = spawn(process.execPath, [join(__dirname, "..", "bin", "dl-by-hand.js"), "run", file, "--out", join(out, "o")], {
      cwd: dir,
      stdio: "ignore",
    });
    let kernel = 0;
    for (let i = 0; i < 600 && kernel === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      kernel = childrenOf(runner.pid ?? 0)[0] ?? 0;
    }
    expect(kernel).toBeGreaterThan(0);
    let grandchildren: number[] = [];
    for (let i = 0; i < 600 && grandchildren.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      grandchildren = childrenOf(kernel).filter((p) => readFileSync(`/proc/${p}/cmdline`, "utf8").startsWith("sleep"));
    }
    expect(grandchildren.length).toBe(1);
    runner.kill(signal);
    const code = await new Promise<number | null>((resolve) => runner.on("exit", (c) => resolve(c)));
    expect(code).toBe(signal === "SIGINT" ? 130 : 143);
    await new Promise((r) => setTimeout(r, 300));
    expect(running(kernel)).toBe(false);
    expect(grandchildren.filter(running)).toEqual([]);
    expect(existsSync(join(out, "o", "spin.ipynb"))).toBe(false);
  },
);
