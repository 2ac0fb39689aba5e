// Interrupts, by SIGINT and by interrupt_request on the control channel, stop every kind of cell
// that never ends, and the interrupted cell prints nothing into the next cell. One kernel lives
// through all of them; its own stderr stays empty.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient, Message } from "../src/course/client";
import { kernelSpec } from "../src/course/kernelspec";

let kernel: KernelClient;
beforeAll(async () => {
  kernel = await KernelClient.start(kernelSpec(), { cwd: __dirname });
});
afterAll(async () => {
  await kernel.shutdown();
});

const cells = {
  "a busy loop": "while (true) {}",
  "an await loop": "while (true) { await null; }",
  "a promise that never resolves": "await new Promise(() => {});",
  "a loop inside a function": "function spin(): number { let i = 0; for (;;) i++; }\nspin();",
  "an interval that prints": 'setInterval(() => console.log("tick"), 5);\nawait new Promise(() => {});',
  "an async loop that prints": [
    "(async () => {",
    "  for (;;) {",
    "    await new Promise((r) => setTimeout(r, 5));",
    '    console.log("tick");',
    "  }",
    "})();",
    "await new Promise(() => {});",
  ].join("\n"),
  "a chain of immediates that prints":
    'const again = () => { console.error("tick"); setImmediate(again); };\nagain();\nawait new Promise(() => {});',
};

describe.each(["SIGINT", "interrupt_request"] as const)("interrupt by %s", (how) => {
  it.each(Object.entries(cells))("stops %s; the next cell runs clean", async (_name, code) => {
    const iopub: Message[] = [];
    const running = kernel.execute(code, { stopOnError: false, timeoutMs: 60_000 }, (m) => iopub.push(m));
    // Wait until the cell is running (its execute_input arrived), then a moment more.
    for (let i = 0; i < 600 && !iopub.some((m) => m.header.msg_type === "execute_input"); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    if (how === "SIGINT") kernel.interrupt();
    else expect((await kernel.interruptRequest()).content).toEqual({ status: "ok" });
    const reply = await running;
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(reply.content).toMatchObject({ status: "error", ename: "Interrupt" });
    const next: Message[] = [];
    const after = await kernel.execute(
      'await new Promise((r) => setTimeout(r, 200)); console.log("next")',
      { stopOnError: true, timeoutMs: 30_000 },
      (m) => next.push(m),
    );
    expect(after.content.status).toBe("ok");
    expect(next.filter((m) => m.header.msg_type === "stream").map((m) => m.content.text)).toEqual(["next\n"]);
    expect(await kernel.heartbeat()).toBe(true);
    expect(kernel.stderrBytes).toBe(0);
  });
});

describe("timers of other cells", () => {
  it("an earlier cell's interval goes on through the interrupt of a later cell", async () => {
    // A global: tslab gives each cell its own copy of an earlier cell's `let`.
    const start =
      "const counter = globalThis as { ticks?: number };\ncounter.ticks = 0;\nconst ticker = setInterval(() => counter.ticks!++, 5);";
    const started = await kernel.execute(start, { stopOnError: true, timeoutMs: 30_000 }, () => undefined);
    expect(started.content.status).toBe("ok");
    const iopub: Message[] = [];
    const running = kernel.execute("await new Promise(() => {});", { stopOnError: false, timeoutMs: 60_000 }, (m) => iopub.push(m));
    for (let i = 0; i < 600 && !iopub.some((m) => m.header.msg_type === "execute_input"); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    expect((await kernel.interruptRequest()).content).toEqual({ status: "ok" });
    expect((await running).content).toMatchObject({ status: "error", ename: "Interrupt" });
    const out: Message[] = [];
    const check =
      "const before = counter.ticks!;\nawait new Promise((r) => setTimeout(r, 200));\nclearInterval(ticker);\ncounter.ticks! > before + 5";
    const reply = await kernel.execute(check, { stopOnError: true, timeoutMs: 30_000 }, (m) => out.push(m));
    expect(reply.content.status).toBe("ok");
    expect(out.find((m) => m.header.msg_type === "execute_result")?.content.data).toEqual({ "text/plain": "true" });
  });
});

describe("interrupt when idle", () => {
  it("does nothing to the kernel or to the next cell", async () => {
    kernel.interrupt();
    expect((await kernel.interruptRequest()).content).toEqual({ status: "ok" });
    await new Promise((r) => setTimeout(r, 500));
    const out: Message[] = [];
    const reply = await kernel.execute("21 * 2", { stopOnError: true, timeoutMs: 30_000 }, (m) => out.push(m));
    expect(reply.content.status).toBe("ok");
    expect(out.find((m) => m.header.msg_type === "execute_result")?.content.data).toEqual({ "text/plain": "42" });
  });
});

describe("a burst of interrupt requests", () => {
  it.each([
    ["idle", "21 * 2"],
    ["in a busy loop", "while (true) {}"],
  ])("when %s, is one interrupt; the kernel lives", async (_when, code) => {
    const iopub: Message[] = [];
    const running = kernel.execute(code, { stopOnError: false, timeoutMs: 60_000 }, (m) => iopub.push(m));
    for (let i = 0; i < 600 && !iopub.some((m) => m.header.msg_type === "execute_input"); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    const replies = await Promise.all(Array.from({ length: 8 }, () => kernel.interruptRequest()));
    expect(replies.map((r) => r.content.status)).toEqual(Array(8).fill("ok"));
    await running;
    const out: Message[] = [];
    const reply = await kernel.execute("6 * 7", { stopOnError: true, timeoutMs: 30_000 }, (m) => out.push(m));
    expect(reply.content.status).toBe("ok");
    expect(out.find((m) => m.header.msg_type === "execute_result")?.content.data).toEqual({ "text/plain": "42" });
    expect(kernel.stderrBytes).toBe(0);
  });
});
