// The course kernel over the real Jupyter protocol, through the runner and a raw client.
import { join } from "path";
import { describe, expect, it } from "vitest";
import { KernelClient, Message } from "../src/course/client";
import { kernelSpec } from "../src/course/kernelspec";
import { readNotebook, text } from "../src/course/notebook";
import { executeNotebook } from "../src/course/runner";
import { alive, codeCell, notebook } from "./helpers";

const fixtures = join(__dirname, "fixtures", "kernel");

describe("the runner records what the kernel sends, as Jupyter would", async () => {
  const nb = readNotebook(join(fixtures, "protocol.ipynb"));
  const result = await executeNotebook(nb, { cwd: fixtures, allowErrors: true });
  const outputs = (i: number) => {
    const cell = result.notebook.cells[i];
    return cell.cell_type === "code" ? cell.outputs : [];
  };

  it("a print is a stdout stream", () => {
    expect(outputs(0)).toEqual([{ output_type: "stream", name: "stdout", text: "hello\n" }]);
  });

  it("a display is one display_data with the whole MIME bundle", () => {
    expect(outputs(1)).toEqual([
      { output_type: "display_data", data: { "text/plain": "plain", "text/html": "<b>bold</b>" }, metadata: {} },
    ]);
  });

  it("update_display_data replaces the output with that display id", () => {
    expect(outputs(2)).toEqual([{ output_type: "display_data", data: { "text/plain": "v2" }, metadata: {} }]);
  });

  it("the last expression is an execute_result with the execution count", () => {
    const cell = result.notebook.cells[3];
    expect(cell.cell_type === "code" && cell.execution_count).toBe(4);
    expect(outputs(3)).toEqual([{ output_type: "execute_result", execution_count: 4, data: { "text/plain": "30" }, metadata: {} }]);
  });

  it("a type error is an error output naming the cell line", () => {
    const [error] = outputs(4);
    expect(error).toMatchObject({ output_type: "error", ename: "TypeScriptError" });
    expect(error.output_type === "error" && error.evalue).toContain("Type 'number' is not assignable to type 'string'");
    expect(error.output_type === "error" && error.traceback.join("\n")).toContain("cell line 1, column 7");
  });

  it("a runtime error carries ename, evalue and a traceback pointing at the cell line", () => {
    const [error] = outputs(5);
    expect(error).toMatchObject({ output_type: "error", ename: "RangeError", evalue: "boom" });
    const tb = error.output_type === "error" ? error.traceback.join("\n") : "";
    expect(tb).toContain("at cell line 2");
    expect(tb).toContain('throw new RangeError("boom")');
    expect(tb).not.toContain("evalmachine");
  });

  it("the cell after the error ran", () => {
    expect(outputs(6)).toEqual([{ output_type: "stream", name: "stdout", text: "after the error\n" }]);
  });

  it("a type error on a library call names the cell line", () => {
    const [error] = outputs(7);
    expect(error).toMatchObject({ output_type: "error", ename: "TypeScriptError" });
    expect(error.output_type === "error" && error.traceback[0]).toMatch(
      /cell line 1, column \d+: Type 'string' is not assignable to type 'number'/,
    );
  });

  it("nothing reached stderr and the first failure is reported", () => {
    const streams = result.notebook.cells.flatMap((c) => (c.cell_type === "code" ? c.outputs : []));
    expect(streams.some((o) => o.output_type === "stream" && o.name === "stderr")).toBe(false);
    expect(result.failure).toMatchObject({ index: 4, ename: "TypeScriptError" });
  });
});

describe("stop_on_error", () => {
  async function burst(stopOnError: boolean): Promise<string[]> {
    const kernel = await KernelClient.start(kernelSpec(), { cwd: fixtures });
    try {
      const none = (_m: Message) => undefined;
      const replies = await Promise.all([
        // The failing cell takes a moment, as a real one does, so the next two are queued behind it.
        kernel.execute(
          'await new Promise((r) => setTimeout(r, 500));\nthrow new Error("first fails");',
          { stopOnError, timeoutMs: 30_000 },
          none,
        ),
        kernel.execute("1 + 1", { stopOnError, timeoutMs: 30_000 }, none),
        kernel.execute("2 + 2", { stopOnError, timeoutMs: 30_000 }, none),
      ]);
      // A cell sent after the failure's reply always runs.
      const after = await kernel.execute("3 + 3", { stopOnError, timeoutMs: 30_000 }, none);
      return [...replies, after].map((r) => String(r.content.status));
    } finally {
      await kernel.shutdown();
    }
  }

  it("true: requests queued behind a failed cell are aborted, the next one sent runs", async () => {
    expect(await burst(true)).toEqual(["error", "aborted", "aborted", "ok"]);
  });

  it("false: every queued request runs", async () => {
    expect(await burst(false)).toEqual(["error", "ok", "ok", "ok"]);
  });

  it("the error reply carries ename, evalue and traceback", async () => {
    const kernel = await KernelClient.start(kernelSpec(), { cwd: fixtures });
    try {
      const errors: Message[] = [];
      const reply = await kernel.execute('throw new TypeError("bad")', { stopOnError: true, timeoutMs: 30_000 }, (m) => {
        if (m.header.msg_type === "error") errors.push(m);
      });
      expect(reply.content).toMatchObject({ status: "error", ename: "TypeError", evalue: "bad" });
      expect(errors).toHaveLength(1);
      expect(errors[0].content).toMatchObject({ ename: "TypeError", evalue: "bad" });
      expect(await kernel.heartbeat()).toBe(true);
    } finally {
      await kernel.shutdown();
    }
  });
});

describe("cells that never end or kill the kernel", () => {
  it("an infinite loop is interrupted at the timeout and no kernel process is left", async () => {
    let pid = 0;
    const nb = notebook([codeCell("while (true) {}"), codeCell('console.log("next")')]);
    const result = await executeNotebook(nb, { cwd: fixtures, timeout: 3, onKernel: (p) => (pid = p) });
    expect(result.cells[0]).toMatchObject({ status: "timeout", error: { ename: "CellTimeoutError" } });
    expect(result.cells[1].status).toBe("skipped");
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
  });

  it("process.exit(1) is reported as a dead kernel, without hanging", async () => {
    let pid = 0;
    const nb = notebook([codeCell("process.exit(1);"), codeCell('console.log("never")')]);
    const result = await executeNotebook(nb, { cwd: fixtures, timeout: 60, onKernel: (p) => (pid = p) });
    expect(result.cells[0]).toMatchObject({ status: "dead", error: { ename: "DeadKernelError" } });
    expect(result.cells[0].error?.evalue).toContain("exit code 1");
    expect(result.cells[0].seconds).toBeLessThan(30);
    expect(result.cells[1].status).toBe("skipped");
    expect(alive(pid)).toBe(false);
    const first = result.notebook.cells[0];
    expect(first.cell_type === "code" && text(first.source)).toBe("process.exit(1);");
  });
});

describe("completion and types in the kernel", () => {
  it("completes the library's exports after import", async () => {
    const kernel = await KernelClient.start(kernelSpec(), { cwd: fixtures });
    try {
      await kernel.execute('import * as dl from "dl-by-hand";', { stopOnError: true, timeoutMs: 60_000 }, () => undefined);
      const top = await kernel.shellRequest("complete_request", { code: "dl.", cursor_pos: 3 });
      // `dl.` shows the lecture groups, not the functions inside them.
      expect(top.content.matches).toEqual(expect.arrayContaining(["conv", "pool", "autodiff", "layers", "plot", "data", "train", "check"]));
      expect(top.content.matches).not.toContain("correlate2d");
      const code = "dl.conv.outputSi";
      const reply = await kernel.shellRequest("complete_request", { code, cursor_pos: code.length });
      expect(reply.content.matches).toContain("outputSize");
      const inspect = await kernel.shellRequest("inspect_request", { code: "dl.conv.outputSize", cursor_pos: 10, detail_level: 0 });
      expect(JSON.stringify(inspect.content)).toContain("AxisOptions");
    } finally {
      await kernel.shutdown();
    }
  });
});

describe("fast output", () => {
  it("a loop printing 5,000 lines keeps the kernel alive and loses nothing", async () => {
    const nb = notebook([codeCell('for (let i = 0; i < 5000; i++) console.log("line " + i);'), codeCell('console.log("still alive")')]);
    const result = await executeNotebook(nb, { cwd: fixtures, timeout: 60 });
    expect(result.failure).toBeNull();
    const [loop, after] = result.notebook.cells;
    const printed = loop.cell_type === "code" ? loop.outputs.map((o) => (o.output_type === "stream" ? text(o.text) : "")).join("") : "";
    expect(printed.split("\n").filter((l) => l !== "")).toHaveLength(5000);
    expect(printed.endsWith("line 4999\n")).toBe(true);
    expect(after.cell_type === "code" && after.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "still alive\n" }]);
  });

  it("a notebook whose cell makes 5,000 displays runs through the runner with every display, in order", async () => {
    const nb = notebook([
      codeCell('import * as dl from "dl-by-hand";\nfor (let i = 0; i < 5000; i++) dl.display({ "text/plain": "d" + i });'),
      codeCell('console.log("still alive")'),
    ]);
    const result = await executeNotebook(nb, { cwd: fixtures, timeout: 120 });
    expect(result.failure).toBeNull();
    const [flood, after] = result.notebook.cells;
    const shown =
      flood.cell_type === "code"
        ? flood.outputs.map((o) => (o.output_type === "display_data" ? text(o.data["text/plain"] as string | string[]) : ""))
        : [];
    expect(shown).toEqual(Array.from({ length: 5000 }, (_, i) => "d" + i));
    expect(after.cell_type === "code" && after.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "still alive\n" }]);
  });

  it("a runaway print is cut by the kernel at 10 MB, with a note, and the kernel lives on", async () => {
    const nb = notebook([codeCell('for (let i = 0; i < 12_000; i++) console.log("x".repeat(999));'), codeCell("1 + 1")]);
    const result = await executeNotebook(nb, { cwd: fixtures, timeout: 120, maxStreamBytes: 20_000_000 });
    expect(result.failure).toBeNull();
    const [flood] = result.notebook.cells;
    const printed = flood.cell_type === "code" ? flood.outputs.map((o) => (o.output_type === "stream" ? text(o.text) : "")).join("") : "";
    expect(printed.length).toBeLessThanOrEqual(10_000_100);
    expect(printed.length).toBeGreaterThan(9_900_000);
    expect(printed.match(/output truncated by the kernel/g)).toHaveLength(1);
  });

  it("300 displays in one cell all arrive, in order", async () => {
    const nb = notebook([
      codeCell('import * as dl from "dl-by-hand";\nfor (let i = 0; i < 300; i++) dl.display({ "text/plain": "d" + i });'),
    ]);
    const result = await executeNotebook(nb, { cwd: fixtures, timeout: 60 });
    expect(result.failure).toBeNull();
    const [cell] = result.notebook.cells;
    const shown =
      cell.cell_type === "code" ? cell.outputs.map((o) => (o.output_type === "display_data" ? o.data["text/plain"] : null)) : [];
    expect(shown).toEqual(Array.from({ length: 300 }, (_, i) => "d" + i));
  });
});
