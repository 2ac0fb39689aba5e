// Forged, unsigned, wrongly signed and replayed messages on shell and control never run, and
// nothing on iopub (readable without the key) reveals a signature.
import { readFileSync } from "fs";
import { join } from "path";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as zmq from "zeromq";
import { KernelClient, Message } from "../src/course/client";
import { kernelSpec } from "../src/course/kernelspec";
import { connectionInfo, encode, endpoint, newHeader, Signer } from "../src/course/wire";

let kernel: KernelClient;
let spy: zmq.Subscriber;
const seen: Buffer[][] = [];
beforeAll(async () => {
  kernel = await KernelClient.start(kernelSpec(), { cwd: __dirname });
  const conn = connectionInfo(JSON.parse(readFileSync(join(kernel.connectionDir, "kernel.json"), "utf8")));
  spy = new zmq.Subscriber({ linger: 0 });
  spy.connect(endpoint(conn, "iopub"));
  spy.subscribe();
  void (async () => {
    for await (const frames of spy) seen.push(frames);
  })().catch(() => undefined);
  await new Promise((r) => setTimeout(r, 500));
});
afterAll(async () => {
  spy.close();
  await kernel.shutdown();
});

it("forged, unsigned and replayed requests on shell and control are not executed or echoed", async () => {
  const conn = connectionInfo(JSON.parse(readFileSync(join(kernel.connectionDir, "kernel.json"), "utf8")));
  const good = new Signer(conn.key);
  const marker = (what: string) => `require("fs").writeFileSync(${JSON.stringify(join(kernel.connectionDir, what))}, "ran")`;
  for (const channel of ["shell", "control"] as const) {
    const s = new zmq.Dealer({ linger: 0 });
    s.connect(endpoint(conn, channel));
    const forged = encode(new Signer("not the key"), {
      header: newHeader("execute_request", "x"),
      content: { code: marker(`forged-${channel}`) },
    });
    const unsigned = encode(new Signer(""), {
      header: newHeader("execute_request", "x"),
      content: { code: marker(`unsigned-${channel}`) },
    });
    await s.send(forged);
    await s.send(unsigned);
    // A correctly signed shutdown would end the kernel: replay a harmless signed request instead.
    const signed = encode(good, { header: newHeader("kernel_info_request", "x"), content: {} });
    await s.send(signed);
    await s.send(signed);
    const replies: Buffer[][] = [];
    const reading = (async () => {
      for await (const f of s) replies.push(f);
    })().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1500));
    s.close();
    await reading;
    expect(replies).toHaveLength(1); // the first signed one only; the replay is refused
    for (const f of [forged, unsigned]) {
      const want = good.sign(f.slice(2, 6));
      expect(seen.some((frames) => frames.some((x) => x.toString().includes(want)))).toBe(false);
      expect(replies.some((frames) => frames.some((x) => x.toString().includes(want)))).toBe(false);
    }
  }
  const log: Message[] = [];
  const r = await kernel.execute(
    `require("fs").existsSync(${JSON.stringify(kernel.connectionDir)} + "/forged-shell")`,
    { stopOnError: true, timeoutMs: 30_000 },
    (m) => log.push(m),
  );
  expect(r.content.status).toBe("ok");
  expect(log.find((m) => m.header.msg_type === "execute_result")?.content.data).toEqual({ "text/plain": "false" });
  for (const name of ["forged-shell", "unsigned-shell", "forged-control", "unsigned-control"]) {
    expect(() => readFileSync(join(kernel.connectionDir, name))).toThrow();
  }
  expect(kernel.stderrBytes).toBe(0);
});

it("iopub read without the key carries no signature a listener could reuse for a request", () => {
  expect(seen.length).toBeGreaterThan(0);
  // Every iopub message is the kernel's own (status, outputs), signed over its own header: none is a request.
  for (const frames of seen) {
    const at = frames.findIndex((f) => f.toString() === "<IDS|MSG>");
    const header = JSON.parse(frames[at + 2].toString());
    expect(header.msg_type.endsWith("_request")).toBe(false);
  }
});
