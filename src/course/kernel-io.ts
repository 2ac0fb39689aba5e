// The course kernel's sockets, in a worker thread of their own: heartbeat, control (shutdown,
// interrupt) and message authentication keep working while a cell blocks the main thread.
// The main thread (kernel.ts) runs the cells; the two talk through postMessage.
import { Session } from "inspector";
import { appendFileSync, mkdirSync } from "fs";
import { dirname, join } from "path";
import { parentPort, Worker, workerData } from "worker_threads";
import * as zmq from "zeromq";
import { decode, encode, endpoint, Header, Message, newHeader, readConnectionFile, ReplayGuard, SendQueue, Signer } from "./wire";

/**
 * Values of the shared state word (Int32Array slot 0), set by both threads with compareExchange.
 * Slot 1 becomes 1 once the sockets are closed.
 */
export const State = { idle: 0, user: 1, terminating: 2 } as const;

/** Main thread → worker. */
export type ToIo =
  | {
      kind: "send";
      channel: "iopub" | "shell";
      identities: Uint8Array[];
      parent: Partial<Header>;
      msgType: string;
      content: object;
      metadata?: object;
    }
  | { kind: "interrupt-handled" }
  | { kind: "terminated-handled" }
  | { kind: "exit"; code: number };

/** Worker → main thread. */
export type FromIo =
  | { kind: "request"; message: Message }
  | { kind: "interrupt" }
  | { kind: "terminated" }
  | { kind: "shutdown"; restart: boolean }
  | { kind: "log"; line: string };

export interface IoData {
  connectionFile: string;
  state: Int32Array;
  logFile: string;
  kernelInfo: object;
}

function log(file: string, line: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${new Date().toISOString()} [${process.pid}] ${line}\n`);
  } catch {
    // The log is best effort: a read-only home must not stop the kernel.
  }
}

async function main(port: NonNullable<typeof parentPort>, data: IoData): Promise<void> {
  const conn = readConnectionFile(data.connectionFile);
  const signer = new Signer(conn.key);
  const replays = new ReplayGuard();
  const session = newHeader("", "").session;
  const iopub = new zmq.Publisher({ linger: 1000, sendHighWaterMark: 0 });
  const shell = new zmq.Router({ linger: 1000, sendHighWaterMark: 0, receiveHighWaterMark: 0 });
  const control = new zmq.Router({ linger: 1000, sendHighWaterMark: 0, receiveHighWaterMark: 0 });
  const stdin = new zmq.Router({ linger: 0 });
  const hb = new zmq.Reply({ linger: 0 });
  // SIGINT reaches this process while the main thread may be blocked: a small watcher thread
  // waits for it and tells us. The sockets are bound only once it watches, so no client can
  // see the kernel ready and send a SIGINT that nobody catches.
  let onSigint = () => undefined as void;
  const watcher = new Worker(join(__dirname, "sigint-watcher.js"));
  await new Promise<void>((ready) => {
    watcher.on("message", (m: unknown) => (m === "ready" ? ready() : onSigint()));
    watcher.on("error", () => ready());
  });
  watcher.unref();
  await Promise.all([
    iopub.bind(endpoint(conn, "iopub")),
    shell.bind(endpoint(conn, "shell")),
    control.bind(endpoint(conn, "control")),
    stdin.bind(endpoint(conn, "stdin")),
    hb.bind(endpoint(conn, "hb")),
  ]);
  const queues = { iopub: new SendQueue(iopub), shell: new SendQueue(shell), control: new SendQueue(control) };
  const state = data.state;

  const send = (
    channel: "iopub" | "shell" | "control",
    to: { identities: Buffer[]; parent: Partial<Header> },
    msgType: string,
    content: object,
    metadata: object = {},
  ) => {
    const header = newHeader(msgType, to.parent.session ?? session);
    queues[channel].send(encode(signer, { identities: to.identities, header, parent_header: to.parent, metadata, content }));
  };

  // Interrupt: ask the main thread first (a cell awaiting a promise ends at once); if it is
  // blocked in a cell's code, terminate that JavaScript execution through the inspector.
  let asked = 0;
  let resent = 0;
  let inspecting: Session | null = null;
  let poll: NodeJS.Timeout | null = null;
  const interrupt = () => {
    port.postMessage({ kind: "interrupt" } satisfies FromIo);
    if (poll) return; // already seeing this interrupt through
    asked = Date.now();
    resent = 0;
    poll = setInterval(() => {
      // No answer for 150 ms: the main thread is busy. Only a cell's own code is stopped (while it
      // compiles, or the kernel's own code runs, this waits).
      if (asked === 0 || Date.now() - asked < 150 || Atomics.load(state, 0) !== State.user) return;
      asked = Date.now();
      // A SIGINT that came while the cell compiled found no vm watchdog to stop it: signal again
      // (a cell's synchronous code runs with breakOnSigint). Only then terminate through the inspector.
      if (resent < 3) {
        resent++;
        process.kill(process.pid, "SIGINT");
        return;
      }
      if (Atomics.compareExchange(state, 0, State.user, State.terminating) !== State.user) return;
      asked = 0;
      // Connected only for this (a connected session makes Node wait for it at exit). The main
      // thread reads "terminated" once the termination has freed it, and then says so.
      inspecting?.disconnect();
      inspecting = new Session();
      inspecting.connectToMainThread();
      inspecting.post("Runtime.terminateExecution");
      port.postMessage({ kind: "terminated" } satisfies FromIo);
    }, 25);
  };
  /** The main thread handled the interrupt itself. */
  const interruptHandled = () => {
    asked = 0;
    if (poll) clearInterval(poll);
    poll = null;
  };

  onSigint = interrupt;

  const refuse = (channel: "shell" | "control", m: { identities: Buffer[]; header: Header | null }, reason: string, detail: string) => {
    log(data.logFile, `refused a message on ${channel}: ${reason}: ${detail}`);
    // Only a correctly signed message gets an answer: a forger learns nothing.
    if (reason !== "malformed" || !m.header) return;
    const type = m.header.msg_type.endsWith("_request") ? m.header.msg_type.replace(/_request$/, "_reply") : "error";
    send(channel, { identities: m.identities, parent: m.header }, type, {
      status: "error",
      ename: "BadMessage",
      evalue: detail,
      traceback: [],
    });
  };

  let shuttingDown = false;
  const onControl = (m: Message) => {
    const to = { identities: m.identities, parent: m.header };
    send("iopub", { identities: [], parent: m.header }, "status", { execution_state: "busy" });
    switch (m.header.msg_type) {
      case "shutdown_request": {
        const restart = m.content.restart === true;
        send("control", to, "shutdown_reply", { status: "ok", restart });
        shuttingDown = true;
        port.postMessage({ kind: "shutdown", restart } satisfies FromIo);
        break;
      }
      case "interrupt_request":
        // A cell's own synchronous code stops through vm's breakOnSigint, as with Jupyter's
        // SIGINT: signal this process, once (an interrupt already being seen through re-signals on
        // its own). Otherwise ask the main thread directly. A needless signal could land while the
        // watcher thread re-arms after an earlier one, and Node exits on a SIGINT that finds no watchdog.
        if (!poll && Atomics.load(state, 0) === State.user) process.kill(process.pid, "SIGINT");
        else interrupt();
        send("control", to, "interrupt_reply", { status: "ok" });
        break;
      case "kernel_info_request":
        send("control", to, "kernel_info_reply", data.kernelInfo);
        break;
      default: {
        const t = m.header.msg_type;
        const type = t.endsWith("_request") ? t.replace(/_request$/, "_reply") : "error";
        send("control", to, type, {
          status: "error",
          ename: "UnknownRequest",
          evalue: `the control channel does not handle ${t}`,
          traceback: [],
        });
      }
    }
    send("iopub", { identities: [], parent: m.header }, "status", { execution_state: "idle" });
  };

  const pump = async (channel: "shell" | "control", socket: zmq.Router) => {
    try {
      for await (const frames of socket) {
        const d = decode(frames, signer, replays);
        if ("refusal" in d) refuse(channel, d.refusal, d.refusal.reason, d.refusal.detail);
        else if (channel === "control") onControl(d.message);
        else if (!shuttingDown) port.postMessage({ kind: "request", message: d.message } satisfies FromIo);
      }
    } catch {
      // Closed at exit.
    }
  };
  void pump("shell", shell);
  void pump("control", control);
  void (async () => {
    try {
      for await (const frames of hb) await hb.send(frames);
    } catch {
      // Closed at exit.
    }
  })();
  void (async () => {
    try {
      for await (const _ of stdin) void _; // input() is not offered: allow_stdin is ignored
    } catch {
      // Closed at exit.
    }
  })();

  // Jupyter's launcher names the kernel's parent in JPY_PARENT_PID. A server that dies without
  // shutting its kernels down (jupyter-server 1.23 on a SIGINT, a SIGKILL) leaves them orphaned:
  // once the parent is gone, stop the cell and shut down instead of holding the memory.
  const parentPid = Number(process.env.JPY_PARENT_PID);
  if (Number.isInteger(parentPid) && parentPid > 1 && process.ppid === parentPid) {
    const watch = setInterval(() => {
      if (process.ppid === parentPid) return;
      clearInterval(watch);
      if (shuttingDown) return;
      log(data.logFile, `the parent process ${parentPid} is gone: shutting down`);
      shuttingDown = true;
      if (Atomics.load(state, 0) === State.user) interrupt();
      port.postMessage({ kind: "shutdown", restart: false } satisfies FromIo);
    }, 1000);
    watch.unref();
  }

  port.on("message", (m: ToIo) => {
    if (m.kind === "send") {
      const identities = m.identities.map((i) => Buffer.from(i));
      send(m.channel, { identities, parent: m.parent }, m.msgType, m.content, m.metadata);
    } else if (m.kind === "interrupt-handled") {
      interruptHandled();
    } else if (m.kind === "terminated-handled") {
      inspecting?.disconnect();
      inspecting = null;
    } else if (m.kind === "exit") {
      inspecting?.disconnect();
      // Let queued replies and outputs leave, then close everything.
      void Promise.all([queues.iopub.idle(), queues.shell.idle(), queues.control.idle()]).then(async () => {
        for (const s of [iopub, shell, control, stdin, hb]) s.close();
        if (poll) clearInterval(poll);
        await watcher.terminate();
        // process.exit() from a cell waits on this word; shutdown waits for this worker to end,
        // which it does by itself once the port closes and the sockets' last callbacks have run.
        Atomics.store(state, 1, 1);
        Atomics.notify(state, 1);
        port.close();
      });
    }
  });
  port.postMessage({ kind: "log", line: "bound" } satisfies FromIo);
}

if (parentPort && workerData && typeof workerData === "object" && "connectionFile" in workerData) {
  const port = parentPort;
  const data: IoData = workerData;
  main(port, data).catch((e: unknown) => {
    const text = e instanceof Error ? (e.stack ?? e.message) : String(e);
    log(data.logFile, `kernel sockets failed: ${text}`);
    port.postMessage({ kind: "log", line: `fatal ${text}` } satisfies FromIo);
  });
}
