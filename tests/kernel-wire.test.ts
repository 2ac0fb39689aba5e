// The wire protocol module and both transports, end to end between the course client and kernel.
import { existsSync, readdirSync, readFileSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { KernelClient, Message } from "../src/course/client";
import { kernelSpec } from "../src/course/kernelspec";
import { connectionInfo, decode, encode, endpoint, newHeader, ReplayGuard, SendQueue, Signer } from "../src/course/wire";

const base = {
  ip: "127.0.0.1",
  shell_port: 1,
  iopub_port: 2,
  stdin_port: 3,
  control_port: 4,
  hb_port: 5,
  key: "k",
  signature_scheme: "hmac-sha256",
};

describe("wire", () => {
  it("endpoints follow Jupyter's convention for tcp and ipc", () => {
    expect(endpoint(connectionInfo({ ...base, transport: "tcp" }), "shell")).toBe("tcp://127.0.0.1:1");
    expect(endpoint(connectionInfo({ ...base, transport: "ipc", ip: "/run/k/kernel" }), "hb")).toBe("ipc:///run/k/kernel-5");
    expect(() => connectionInfo({ ...base, transport: "udp" })).toThrow(/transport must be "tcp" or "ipc"/);
    expect(() => connectionInfo({ ...base, shell_port: "x" })).toThrow(/shell_port must be a port number/);
  });

  it("a signed message decodes once; a replay, a wrong or missing signature are refused", () => {
    const signer = new Signer("secret");
    const replays = new ReplayGuard();
    const frames = encode(signer, { header: newHeader("execute_request", "s"), content: { code: "1" } });
    const first = decode(frames, signer, replays);
    expect("message" in first && first.message.content).toEqual({ code: "1" });
    const again = decode(frames, signer, replays);
    expect("refusal" in again && again.refusal.reason).toBe("replay");
    const forged = encode(new Signer("guess"), { header: newHeader("execute_request", "s"), content: { code: "2" } });
    const bad = decode(forged, signer, replays);
    expect("refusal" in bad && bad.refusal.reason).toBe("bad signature");
    expect(JSON.stringify(bad)).not.toContain(signer.sign(forged.slice(2, 6)));
    const unsigned = [...forged.slice(0, 1), Buffer.from(""), ...forged.slice(2)];
    expect("refusal" in decode(unsigned, signer, replays) && "unsigned").toBe("unsigned");
  });

  it("a send queue sends everything, in order, one at a time", async () => {
    const sent: string[] = [];
    let inFlight = 0;
    const q = new SendQueue({
      send: async (frames) => {
        inFlight++;
        expect(inFlight).toBe(1);
        await new Promise((r) => setImmediate(r));
        sent.push(frames[0].toString());
        inFlight--;
      },
    });
    for (let i = 0; i < 1000; i++) q.send([Buffer.from(String(i))]);
    await q.idle();
    expect(sent).toEqual(Array.from({ length: 1000 }, (_, i) => String(i)));
  });
});

describe.each(["ipc", "tcp"] as const)("the kernel over %s transport", (transport) => {
  it("starts, runs a cell, answers the heartbeat, and leaves no connection files", async () => {
    const kernel = await KernelClient.start(kernelSpec(), { cwd: __dirname, transport });
    const dir = kernel.connectionDir;
    const connection = JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8"));
    expect(connection.transport).toBe(transport);
    // ipc: five Unix sockets named <ip>-<port> next to the connection file.
    const sockets = readdirSync(dir).filter((f) => f !== "kernel.json");
    expect(sockets.sort()).toEqual(transport === "ipc" ? ["kernel-1", "kernel-2", "kernel-3", "kernel-4", "kernel-5"] : []);
    const seen: Message[] = [];
    const reply = await kernel.execute('console.log("over " + "ipc or tcp"); 6 * 7', { stopOnError: true, timeoutMs: 30_000 }, (m) =>
      seen.push(m),
    );
    expect(reply.content).toMatchObject({ status: "ok", execution_count: 1 });
    expect(seen.map((m) => m.header.msg_type)).toEqual(["status", "execute_input", "stream", "execute_result"]);
    expect(seen[3].content.data).toEqual({ "text/plain": "42" });
    expect(await kernel.heartbeat()).toBe(true);
    await kernel.shutdown();
    expect(existsSync(dir)).toBe(false);
    expect(kernel.stderr).toBe("");
  });
});
