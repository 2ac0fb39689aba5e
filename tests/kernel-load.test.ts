// Floods through the course client: nothing lost, everything in order, kernel stderr empty.
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

function run(code: string, timeoutMs = 120_000): Promise<{ reply: Message; iopub: Message[] }> {
  const iopub: Message[] = [];
  return kernel.execute(code, { stopOnError: true, timeoutMs }, (m) => iopub.push(m)).then((reply) => ({ reply, iopub }));
}

describe("floods", () => {
  it("a cell making 10,000 displays: every one arrives, in order, then the reply", async () => {
    const { reply, iopub } = await run(
      'import * as dl from "dl-by-hand";\nfor (let i = 0; i < 10_000; i++) dl.display({ "text/plain": "d" + i });',
    );
    expect(reply.content.status).toBe("ok");
    const shown = iopub
      .filter((m) => m.header.msg_type === "display_data")
      .map((m) => (m.content.data as Record<string, string>)["text/plain"]);
    expect(shown).toEqual(Array.from({ length: 10_000 }, (_, i) => "d" + i));
    expect(kernel.stderrBytes).toBe(0);
  });

  it("a cell printing 100,000 lines: every line arrives, in order", async () => {
    const { reply, iopub } = await run("for (let i = 0; i < 100_000; i++) console.log(i);");
    expect(reply.content.status).toBe("ok");
    const text = iopub
      .filter((m) => m.header.msg_type === "stream")
      .map((m) => String(m.content.text))
      .join("");
    expect(text).toBe(Array.from({ length: 100_000 }, (_, i) => `${i}\n`).join(""));
    expect(kernel.stderrBytes).toBe(0);
  });

  it("500 cells sent back to back: 500 replies, each cell's output with it, counts in order", async () => {
    const all = await Promise.all(Array.from({ length: 500 }, (_, i) => run(`console.log("cell ${i}"); ${i}`)));
    const counts = all.map((r) => Number(r.reply.content.execution_count));
    expect(all.every((r) => r.reply.content.status === "ok")).toBe(true);
    expect(counts.every((c, i) => i === 0 || c === counts[i - 1] + 1)).toBe(true);
    all.forEach((r, i) => {
      const types = r.iopub.map((m) => m.header.msg_type);
      expect(types).toEqual(["status", "execute_input", "stream", "execute_result"]);
      expect(r.iopub[2].content.text).toBe(`cell ${i}\n`);
      expect(r.iopub[3].content.data).toEqual({ "text/plain": String(i) });
    });
    expect(kernel.stderrBytes).toBe(0);
  });
});
