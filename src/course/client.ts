// A Jupyter client over the real wire protocol: ZMQ sockets, HMAC-signed messages, heartbeat.
// It starts a kernel from its kernelspec argv, as JupyterLab and nbclient do.
import { ChildProcess, spawn } from "child_process";
import { randomBytes, randomUUID } from "crypto";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { createServer } from "net";
import { tmpdir } from "os";
import { join } from "path";
import * as zmq from "zeromq";
import { KernelSpec } from "./kernelspec";
import { ConnectionInfo, decode, encode, endpoint, Message, newHeader, SendQueue, Signer } from "./wire";

export type { Message } from "./wire";

/** Thrown when the kernel process ends while a request waits for it. */
export class DeadKernelError extends Error {
  override name = "DeadKernelError";
}

/** Thrown when a request is not answered in time. */
export class KernelTimeoutError extends Error {
  override name = "KernelTimeoutError";
}

export interface StartOptions {
  /** Working directory of the kernel process (a notebook's folder). */
  cwd: string;
  /** Extra environment variables for the kernel. */
  env?: Record<string, string>;
  /** Arguments put right after the node executable, e.g. ["--max-old-space-size=512"]. */
  nodeArgs?: string[];
  /** How long the kernel may take to answer its first kernel_info_request (ms, default 60 s). */
  startTimeout?: number;
  /** "tcp" (127.0.0.1, free ports) or "ipc" (Unix sockets next to the connection file). Default "tcp". */
  transport?: "tcp" | "ipc";
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    return typeof address === "object" && address !== null ? address.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A running kernel and the sockets to talk to it. */
export class KernelClient {
  private readonly session = randomUUID();
  private readonly replyWaiters = new Map<string, (m: Message) => void>();
  private readonly iopubListeners = new Map<string, (m: Message) => void>();
  private exitWaiters: Array<() => void> = [];
  private stderrTail = "";
  /** Bytes the kernel process wrote to its own stderr so far (0 in normal operation). */
  stderrBytes = 0;
  /** Exit code (or signal) once the kernel process has ended. */
  exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  /** The connection file the kernel was started with (inside connectionDir). */
  readonly connectionFile: string;
  private readonly signer: Signer;
  private readonly shellQueue: SendQueue;
  private readonly controlQueue: SendQueue;

  private constructor(
    readonly process: ChildProcess,
    key: string,
    private readonly shell: zmq.Dealer,
    private readonly control: zmq.Dealer,
    private readonly iopub: zmq.Subscriber,
    private readonly hb: zmq.Request,
    /** The folder holding the connection file (and, with ipc, the sockets); removed at shutdown. */
    readonly connectionDir: string,
  ) {
    this.connectionFile = join(connectionDir, "kernel.json");
    this.signer = new Signer(key);
    this.shellQueue = new SendQueue(shell);
    this.controlQueue = new SendQueue(control);
  }

  /** Kernels started and not yet shut down (for killAll). */
  private static readonly live = new Set<KernelClient>();

  /** End every kernel this process started, at once: their process groups and connection files. */
  static killAll(): void {
    for (const k of KernelClient.live) {
      if (!k.exited) k.process.kill("SIGKILL");
      k.killGroup();
      rmSync(k.connectionDir, { recursive: true, force: true });
    }
    KernelClient.live.clear();
  }

  /** Start a kernel from `spec` and wait until it answers on shell and publishes on iopub. */
  static async start(spec: KernelSpec, options: StartOptions): Promise<KernelClient> {
    const transport = options.transport ?? "tcp";
    if (transport !== "tcp" && transport !== "ipc")
      throw new Error(`KernelClient.start: options.transport must be "tcp" or "ipc", got ${JSON.stringify(transport)}`);
    const key = randomBytes(32).toString("hex");
    const connectionDir = mkdtempSync(join(tmpdir(), "dl-by-hand-kernel-"));
    const connectionFile = join(connectionDir, "kernel.json");
    const ports = transport === "tcp" ? await freePorts(5) : [1, 2, 3, 4, 5];
    const connection: ConnectionInfo = {
      transport,
      ip: transport === "tcp" ? "127.0.0.1" : join(connectionDir, "kernel"),
      shell_port: ports[0],
      iopub_port: ports[1],
      stdin_port: ports[2],
      control_port: ports[3],
      hb_port: ports[4],
      key,
      signature_scheme: "hmac-sha256",
      kernel_name: "dl-by-hand",
    };
    writeFileSync(connectionFile, JSON.stringify(connection), { mode: 0o600 });
    const [command, ...args] = spec.argv.map((a) => a.replace("{connection_file}", connectionFile));
    // A process group of its own: the kernel and whatever its cells start are ended together.
    const child = spawn(command, [...(options.nodeArgs ?? []), ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...spec.env, ...options.env },
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    });
    const shell = new zmq.Dealer({ linger: 0, sendHighWaterMark: 0, receiveHighWaterMark: 0 });
    const control = new zmq.Dealer({ linger: 0, sendHighWaterMark: 0, receiveHighWaterMark: 0 });
    const iopub = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: 0 });
    const hb = new zmq.Request({ linger: 0, receiveTimeout: 2000, sendTimeout: 2000 });
    shell.connect(endpoint(connection, "shell"));
    control.connect(endpoint(connection, "control"));
    iopub.connect(endpoint(connection, "iopub"));
    iopub.subscribe();
    hb.connect(endpoint(connection, "hb"));
    const client = new KernelClient(child, key, shell, control, iopub, hb, connectionDir);
    KernelClient.live.add(client);
    client.listen();
    try {
      await client.waitReady(options.startTimeout ?? 60_000);
    } catch (e) {
      await client.shutdown();
      throw e;
    }
    return client;
  }

  private listen(): void {
    this.process.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-4000);
      this.stderrBytes += chunk.length;
    });
    this.process.on("exit", (code, signal) => {
      this.exited = { code, signal };
      for (const w of this.exitWaiters) w();
      this.exitWaiters = [];
    });
    const pump = async (socket: zmq.Dealer | zmq.Subscriber, deliver: (m: Message) => void) => {
      try {
        for await (const frames of socket) {
          const m = this.decode(frames);
          if (m) deliver(m);
        }
      } catch {
        // The socket was closed: nothing more will arrive.
      }
    };
    const toWaiter = (m: Message) => {
      const parent = m.parent_header.msg_id;
      const waiter = parent ? this.replyWaiters.get(parent) : undefined;
      if (waiter && parent) {
        this.replyWaiters.delete(parent);
        waiter(m);
      }
    };
    void pump(this.shell, toWaiter);
    void pump(this.control, toWaiter);
    void pump(this.iopub, (m) => {
      const parent = m.parent_header.msg_id;
      const listener = parent ? this.iopubListeners.get(parent) : undefined;
      if (listener) listener(m);
    });
  }

  private decode(frames: Buffer[]): Message | null {
    // Forged or corrupt messages are ignored; the kernel's replies are not checked for replays.
    const d = decode(frames, this.signer, null);
    return "message" in d ? d.message : null;
  }

  /** Sign and send a message; `before` sees its msg_id first, so no reply can outrun a listener. */
  private send(queue: SendQueue, msgType: string, content: object, before?: (msgId: string) => void): string {
    const header = newHeader(msgType, this.session);
    before?.(header.msg_id);
    queue.send(encode(this.signer, { header, content }));
    return header.msg_id;
  }

  /** Last lines the kernel process wrote to its own stderr (for crash reports). */
  get stderr(): string {
    return this.stderrTail;
  }

  /** Resolve on the reply to `msgId`, reject when the kernel dies or `timeoutMs` passes. */
  private waitReply(msgId: string, timeoutMs: number): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replyWaiters.delete(msgId);
        reject(new KernelTimeoutError(`no reply in ${timeoutMs} ms`));
      }, timeoutMs);
      const onExit = () => {
        clearTimeout(timer);
        this.replyWaiters.delete(msgId);
        reject(new DeadKernelError(this.deathMessage()));
      };
      if (this.exited) return onExit();
      this.exitWaiters.push(onExit);
      this.replyWaiters.set(msgId, (m) => {
        clearTimeout(timer);
        this.exitWaiters = this.exitWaiters.filter((w) => w !== onExit);
        resolve(m);
      });
    });
  }

  private deathMessage(): string {
    const how = this.exited?.signal ? `signal ${this.exited.signal}` : `exit code ${this.exited?.code}`;
    const lines = this.stderrTail.trim().split("\n");
    // V8's "heap out of memory" line says why, even when a stack dump follows it.
    const memory = lines.find((l) => /out of memory/i.test(l));
    const tail = [...(memory ? [memory.trim()] : []), ...lines.slice(-3)].filter((l) => l.trim() !== "").join(" | ");
    return `the kernel died (${how})` + (tail ? `: ${tail}` : "");
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let iopubSeen = false;
    while (Date.now() < deadline) {
      if (this.exited) throw new DeadKernelError(this.deathMessage());
      // The kernel publishes busy/idle for every request: seeing them proves iopub is connected.
      try {
        await this.request(
          this.shell,
          "kernel_info_request",
          {},
          1000,
          () => (iopubSeen = true),
          () => delay(50),
        );
        if (iopubSeen) break;
      } catch (e) {
        if (e instanceof DeadKernelError) throw e;
      }
    }
    if (!iopubSeen) throw new KernelTimeoutError(`the kernel did not start within ${timeoutMs / 1000} s`);
    if (!(await this.heartbeat())) throw new KernelTimeoutError("the kernel does not answer its heartbeat");
  }

  /** Ping the heartbeat channel; true when the kernel echoes within 2 s. */
  async heartbeat(): Promise<boolean> {
    try {
      await this.hb.send("ping");
      const [echo] = await this.hb.receive();
      return echo.toString() === "ping";
    } catch {
      return false;
    }
  }

  /**
   * Send an execute_request; `onIopub` sees every iopub message of this request.
   * Resolves with the execute_reply once the kernel is idle again (all outputs delivered).
   */
  async execute(code: string, options: { stopOnError: boolean; timeoutMs: number }, onIopub: (m: Message) => void): Promise<Message> {
    let idle!: () => void;
    const becameIdle = new Promise<void>((resolve) => (idle = resolve));
    const content = {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: options.stopOnError,
    };
    const onMessage = (m: Message) => {
      if (m.header.msg_type === "status" && m.content.execution_state === "idle") idle();
      else onIopub(m);
    };
    // Outputs may trail the reply (under load, thousands of displays by many seconds): wait for
    // the idle status the kernel sends after them, at most the cell's own time limit.
    const settle = () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.timeoutMs);
        void becameIdle.then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    return this.request(this.shell, "execute_request", content, options.timeoutMs, onMessage, settle);
  }

  /** Any other shell request (complete_request, inspect_request, ...): its reply. */
  shellRequest(msgType: string, content: object, timeoutMs = 30_000): Promise<Message> {
    return this.request(this.shell, msgType, content, timeoutMs);
  }

  /** Send a request and wait for its reply; listeners are in place before the message leaves. */
  private async request(
    socket: zmq.Dealer,
    msgType: string,
    content: object,
    timeoutMs: number,
    onIopub?: (m: Message) => void,
    settle?: () => Promise<unknown>,
  ): Promise<Message> {
    let msgId = "";
    let reply: Promise<Message> = Promise.reject(new Error("not sent"));
    reply.catch(() => undefined);
    try {
      this.send(socket === this.control ? this.controlQueue : this.shellQueue, msgType, content, (id) => {
        msgId = id;
        if (onIopub) this.iopubListeners.set(id, onIopub);
        reply = this.waitReply(id, timeoutMs);
        reply.catch(() => undefined);
      });
      const m = await reply;
      if (settle) await settle();
      return m;
    } finally {
      this.iopubListeners.delete(msgId);
    }
  }

  /** Interrupt the running cell with an interrupt_request on the control channel; its reply. */
  interruptRequest(timeoutMs = 10_000): Promise<Message> {
    return this.request(this.control, "interrupt_request", {}, timeoutMs);
  }

  /** Any control request (shutdown_request, kernel_info_request, ...): its reply. */
  controlRequest(msgType: string, content: object, timeoutMs = 10_000): Promise<Message> {
    return this.request(this.control, msgType, content, timeoutMs);
  }

  /** Interrupt the running cell as the kernelspec's interrupt_mode "signal" says: SIGINT. */
  interrupt(): void {
    if (!this.exited) this.process.kill("SIGINT");
  }

  /** End whatever is left of the kernel's process group (processes its cells started). */
  private killGroup(): void {
    const pid = this.process.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // The group is already empty.
    }
  }

  /** Wait until the kernel process ends, at most `timeoutMs`; true when it did. */
  waitExit(timeoutMs: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.exitWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Ask the kernel to shut down, kill it if it does not, close the sockets. Safe to call twice. */
  async shutdown(): Promise<void> {
    if (!this.exited) {
      try {
        await this.request(this.control, "shutdown_request", { restart: false }, 2000);
      } catch {
        // No answer: it is killed below.
      }
      if (!(await this.waitExit(2000))) {
        this.process.kill("SIGKILL");
        await this.waitExit(5000);
      }
    }
    this.killGroup();
    for (const s of [this.shell, this.control, this.iopub, this.hb]) if (!s.closed) s.close();
    rmSync(this.connectionDir, { recursive: true, force: true });
    KernelClient.live.delete(this);
  }
}
