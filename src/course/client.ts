// A Jupyter client over the real wire protocol: ZMQ sockets, HMAC-signed messages, heartbeat.
// It starts a kernel from its kernelspec argv, as JupyterLab and nbclient do.
import { ChildProcess, spawn } from "child_process";
import { createHmac, randomBytes, randomUUID } from "crypto";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { createServer } from "net";
import { tmpdir } from "os";
import { join } from "path";
import * as zmq from "zeromq";
import { KernelSpec } from "./kernelspec";

const DELIM = "<IDS|MSG>";

/** A Jupyter message as it travels on the wire, decoded. */
export interface Message {
  header: { msg_id: string; msg_type: string; session: string; username: string; date: string; version: string };
  parent_header: { msg_id?: string; msg_type?: string };
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
}

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
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
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
  /** Exit code (or signal) once the kernel process has ended. */
  exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  private constructor(
    readonly process: ChildProcess,
    private readonly key: string,
    private readonly shell: zmq.Dealer,
    private readonly control: zmq.Dealer,
    private readonly iopub: zmq.Subscriber,
    private readonly hb: zmq.Request,
    private readonly connectionDir: string,
  ) {}

  /** Start a kernel from `spec` and wait until it answers on shell and publishes on iopub. */
  static async start(spec: KernelSpec, options: StartOptions): Promise<KernelClient> {
    const ports = await freePorts(5);
    const key = randomBytes(16).toString("hex");
    const connection = {
      transport: "tcp",
      ip: "127.0.0.1",
      shell_port: ports[0],
      iopub_port: ports[1],
      stdin_port: ports[2],
      control_port: ports[3],
      hb_port: ports[4],
      key,
      signature_scheme: "hmac-sha256",
      kernel_name: "dl-by-hand",
    };
    const connectionDir = mkdtempSync(join(tmpdir(), "dl-by-hand-kernel-"));
    const connectionFile = join(connectionDir, "kernel.json");
    writeFileSync(connectionFile, JSON.stringify(connection));
    const [command, ...args] = spec.argv.map((a) => a.replace("{connection_file}", connectionFile));
    const child = spawn(command, [...(options.nodeArgs ?? []), ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...spec.env, ...options.env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const url = (port: number) => `tcp://127.0.0.1:${port}`;
    const shell = new zmq.Dealer({ linger: 0 });
    const control = new zmq.Dealer({ linger: 0 });
    const iopub = new zmq.Subscriber({ linger: 0 });
    const hb = new zmq.Request({ linger: 0, receiveTimeout: 2000, sendTimeout: 2000 });
    shell.connect(url(connection.shell_port));
    control.connect(url(connection.control_port));
    iopub.connect(url(connection.iopub_port));
    iopub.subscribe();
    hb.connect(url(connection.hb_port));
    const client = new KernelClient(child, key, shell, control, iopub, hb, connectionDir);
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

  private sign(parts: string[]): string {
    const hmac = createHmac("sha256", this.key);
    for (const p of parts) hmac.update(p);
    return hmac.digest("hex");
  }

  private decode(frames: Buffer[]): Message | null {
    const i = frames.findIndex((f) => f.toString("utf8") === DELIM);
    if (i < 0 || frames.length < i + 6) return null;
    const parts = frames.slice(i + 2, i + 6).map((f) => f.toString("utf8"));
    if (frames[i + 1].toString("utf8") !== this.sign(parts)) return null; // forged or corrupt: ignore
    const [header, parent_header, metadata, content] = parts.map((p) => JSON.parse(p));
    return { header, parent_header, metadata, content };
  }

  /** Sign and send a message; `before` sees its msg_id first, so no reply can outrun a listener. */
  private async send(socket: zmq.Dealer, msgType: string, content: object, before?: (msgId: string) => void): Promise<string> {
    const header = {
      msg_id: randomUUID(),
      msg_type: msgType,
      session: this.session,
      username: "dl-by-hand",
      date: new Date().toISOString(),
      version: "5.3",
    };
    before?.(header.msg_id);
    const parts = [JSON.stringify(header), "{}", "{}", JSON.stringify(content)];
    await socket.send([DELIM, this.sign(parts), ...parts]);
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
        await this.request(this.shell, "kernel_info_request", {}, 1000, () => (iopubSeen = true), () => delay(50));
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
  async execute(
    code: string,
    options: { stopOnError: boolean; timeoutMs: number },
    onIopub: (m: Message) => void,
  ): Promise<Message> {
    let idle!: () => void;
    const becameIdle = new Promise<void>((resolve) => (idle = resolve));
    const content = { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: options.stopOnError };
    const onMessage = (m: Message) => {
      if (m.header.msg_type === "status" && m.content.execution_state === "idle") idle();
      else onIopub(m);
    };
    // Outputs may trail the reply: wait for the idle status too, but not forever.
    return this.request(this.shell, "execute_request", content, options.timeoutMs, onMessage, () =>
      Promise.race([becameIdle, delay(2000)]),
    );
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
      await this.send(socket, msgType, content, (id) => {
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

  /** Interrupt the running cell as the kernelspec's interrupt_mode "signal" says: SIGINT. */
  interrupt(): void {
    if (!this.exited) this.process.kill("SIGINT");
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
    for (const s of [this.shell, this.control, this.iopub, this.hb]) if (!s.closed) s.close();
    rmSync(this.connectionDir, { recursive: true, force: true });
  }
}
