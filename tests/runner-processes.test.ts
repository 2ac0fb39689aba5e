// No process and no file left: whatever way a run ends (normally, a cell past its --timeout, the
// kernel killed outright), a cell's child processes end with their kernel, checked by PID and by
// process group (the kernel leads its own), and the connection file is removed.
import { existsSync, readdirSync, readFileSync } from "fs";
import { describe, expect, it } from "vitest";
import { executeNotebook } from "../src/course/runner";
import { text } from "../src/course/notebook";
import { codeCell, notebook, running } from "./helpers";

/** Running processes whose process group is `pgid`. */
function group(pgid: number): number[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) === pgid && running(pid);
      } catch {
        return false;
      }
    });
}

const spawnSleep = 'require("child_process").spawn("sleep", ["1000"]).pid';
const ends = {
  "a normal end": ["1 + 1"],
  "a cell past its --timeout": ["while (true) {}"],
  "the kernel killed outright": ['process.kill(process.pid, "SIGKILL")'],
};

describe.each(Object.entries(ends))("after %s", (_how, cells) => {
  it("the cell's child process and the kernel's process group are gone, and the connection file", async () => {
    let kernel = 0;
    let connectionFile = "";
    const result = await executeNotebook(notebook([codeCell(spawnSleep), ...cells.map((c) => codeCell(c))]), {
      cwd: __dirname,
      timeout: 3,
      allowErrors: true,
      onKernel: (pid, file) => {
        kernel = pid;
        connectionFile = file;
      },
    });
    const first = result.notebook.cells[0];
    const shown = first.cell_type === "code" ? first.outputs.find((o) => o.output_type === "execute_result") : undefined;
    const child = Number(shown && "data" in shown ? text(String(shown.data["text/plain"])) : NaN);
    expect(child).toBeGreaterThan(0);
    expect(kernel).toBeGreaterThan(0);
    expect(result.cells.map((c) => c.status)).toEqual(["ok", { 0: "ok", 1: "timeout", 2: "dead" }[Object.keys(ends).indexOf(_how)]]);
    for (let i = 0; i < 50 && (running(child) || group(kernel).length > 0); i++) await new Promise((r) => setTimeout(r, 100));
    expect(running(child)).toBe(false);
    expect(running(kernel)).toBe(false);
    expect(group(kernel)).toEqual([]);
    expect(connectionFile).not.toBe("");
    expect(existsSync(connectionFile)).toBe(false);
  });
});
