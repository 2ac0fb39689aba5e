// The course kernel: tslab's TypeScript executor behind a Jupyter server that reports errors
// the Jupyter way. Started by Jupyter as `node dist/course/kernel.js <connection_file>`.
//
// What it changes from stock tslab 1.0.22 (measured):
// - compile and runtime errors become a standard iopub `error` message (ename, evalue,
//   traceback pointing at the cell line) instead of text on stderr;
// - after an error, queued requests are aborted only when the request said `stop_on_error`,
//   and a cell sent right after a failed one runs (tslab dropped every request for 200 ms);
// - the value of a cell's last expression is an `execute_result`, not a line on stdout.
import { inspect } from "util";
import { createConverter, Converter, ConvertResult } from "tslab/dist/converter";
import { createExecutor, ConverterSet } from "tslab/dist/executor";
import { JupyterHandlerImpl, ZmqServer } from "tslab/dist/jupyter";
import type * as zmq from "zeromq";
import { codeFrame, runtimeTraceback } from "./traceback";

type Bundle = Record<string, string>;

/** What a cell's execution reports back, as Jupyter's execute_reply content. */
export interface ExecuteReplyContent {
  status: "ok" | "error" | "aborted";
  execution_count: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  user_expressions?: Record<string, never>;
}

interface CellIO {
  /** Route process.stdout/stderr and tslab's display writer to this cell's iopub messages. */
  begin(code: string, count: number): void;
  error(ename: string, evalue: string, traceback: string[]): void;
  result(data: Bundle, count: number): void;
}

interface ExecuteRequestContent {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  stop_on_error?: boolean;
}

/** Read an execute_request's content, with the protocol's defaults. */
function executeRequest(content: object): ExecuteRequestContent {
  const c = new Map(Object.entries(content));
  const flag = (name: string, fallback: boolean) => (typeof c.get(name) === "boolean" ? c.get(name) === true : fallback);
  const code = c.get("code");
  return {
    code: typeof code === "string" ? code : "",
    silent: flag("silent", false),
    store_history: flag("store_history", true),
    stop_on_error: flag("stop_on_error", true),
  };
}

/** Errors reported by tslab's executor through the `console.error` we hand it. */
type Reported =
  | { kind: "diagnostic"; file: string; line: number; column: number; message: string }
  | { kind: "exception"; value: unknown };

class CourseHandler extends JupyterHandlerImpl {
  private queue: Promise<unknown> = Promise.resolve();
  /** Bumped after a failed cell that asked to stop on error: older queued requests are aborted. */
  private generation = 0;
  private count = 0;
  /** True while requests that were already waiting when a cell failed are being turned away. */
  private aborting = false;
  /** Whether the shell socket holds requests not yet dispatched (set once the server is up). */
  pendingInput: () => boolean = () => false;

  constructor(
    private readonly run: (code: string) => Promise<boolean>,
    private readonly takeReported: () => Reported[],
    private readonly lastOutput: () => ConvertResult | null,
    private readonly takeResult: () => { value: unknown } | null,
    executor: ConstructorParameters<typeof JupyterHandlerImpl>[0],
  ) {
    super(executor, false);
  }

  executeCell(req: ExecuteRequestContent, io: CellIO): Promise<ExecuteReplyContent> {
    const generation = this.generation;
    const doomed = this.aborting;
    const task = async (): Promise<ExecuteReplyContent> => {
      if (doomed || generation !== this.generation) return { status: "aborted", execution_count: null };
      const count = req.silent ? this.count : ++this.count;
      io.begin(req.code, count);
      this.takeReported();
      const ok = await this.run(req.code);
      const reported = this.takeReported();
      const result = this.takeResult();
      if (ok) {
        if (result && !req.silent) io.result({ "text/plain": inspect(result.value, { colors: false, depth: 4 }) }, count);
        return { status: "ok", execution_count: count, user_expressions: {} };
      }
      const { ename, evalue, traceback } = describeFailure(reported, req.code, this.lastOutput());
      io.error(ename, evalue, traceback);
      if (req.stop_on_error !== false) await this.abortWaitingRequests();
      return { status: "error", execution_count: count, ename, evalue, traceback };
    };
    const done = this.queue.then(task, task);
    this.queue = done.catch(() => undefined);
    return done;
  }

  /**
   * After a failure with stop_on_error: abort what is queued and what already sits in the shell
   * socket, then reply. A request sent after the client saw the reply runs normally.
   */
  private async abortWaitingRequests(): Promise<void> {
    this.generation++;
    this.aborting = true;
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    for (let quiet = 0, i = 0; quiet < 2 && i < 1000; i++) {
      await tick();
      quiet = this.pendingInput() ? 0 : quiet + 1;
    }
    this.aborting = false;
  }
}

function describeFailure(
  reported: Reported[],
  code: string,
  converted: ConvertResult | null,
): { ename: string; evalue: string; traceback: string[] } {
  const diagnostics = reported.filter((r) => r.kind === "diagnostic");
  if (diagnostics.length > 0) {
    const traceback: string[] = [];
    for (const d of diagnostics) {
      const where = d.file ? `${d.file} line ${d.line}` : `cell line ${d.line}`;
      traceback.push(`TypeScriptError: ${where}, column ${d.column}: ${d.message}`);
      if (!d.file) traceback.push(...codeFrame(code, d.line, d.column));
    }
    const first = diagnostics[0];
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : "";
    return { ename: "TypeScriptError", evalue: `line ${first.line}: ${first.message}${more}`, traceback };
  }
  const exception = reported.find((r) => r.kind === "exception");
  const value = exception && exception.kind === "exception" ? exception.value : new Error("the cell failed");
  return runtimeTraceback(value, code, converted?.output ?? null);
}

function diagnosticFrom(args: unknown[]): Reported | null {
  // tslab prints a diagnostic as console.error("%s%d:%d - %s", fileName, line, column, message).
  if (args[0] !== "%s%d:%d - %s" || args.length !== 5) return null;
  const [, file, line, column, message] = args;
  return {
    kind: "diagnostic",
    file: String(file).trim(),
    line: Number(line),
    column: Number(column),
    message: String(message),
  };
}

/** Start the kernel on the connection file Jupyter gives. */
export function startKernel(connectionFile: string): void {
  let reported: Reported[] = [];
  let result: { value: unknown } | null = null;
  let lastConverted: ConvertResult | null = null;

  let node: Converter | null = null;
  let browser: Converter | null = null;
  const convs: ConverterSet = {
    get node(): Converter {
      if (!node) {
        const inner = createConverter({ isJS: false, isBrowser: false });
        node = {
          ...inner,
          convert: (prevDecl: string, src: string) => (lastConverted = inner.convert(prevDecl, src)),
        };
      }
      return node;
    },
    get browser(): Converter {
      if (!browser) browser = createConverter({ isJS: false, isBrowser: true });
      return browser;
    },
    close: () => {
      node?.close();
      browser?.close();
    },
  };
  void convs.node; // warm the TypeScript compiler before the first cell

  const executor = createExecutor(process.cwd(), convs, {
    // The executor logs only the value of a cell's last expression: make it an execute_result.
    log: (value: unknown) => {
      result = { value };
    },
    error: (...args: unknown[]) => {
      reported.push(diagnosticFrom(args) ?? { kind: "exception", value: args[0] });
    },
  });

  const handler = new CourseHandler(
    (code) => executor.execute(code),
    () => {
      const r = reported;
      reported = [];
      return r;
    },
    () => lastConverted,
    () => {
      const r = result;
      result = null;
      return r;
    },
    executor,
  );
  const server = new CourseServer(handler, connectionFile);
  handler.pendingInput = () => server.shell !== undefined && server.shell.readable;
  process.on("SIGINT", () => executor.interrupt());
  process.on("uncaughtException", (err) => process.stderr.write(`Uncaught exception: ${String(err)}\n`));
  process.on("unhandledRejection", (reason) => process.stderr.write(`Unhandled promise rejection: ${String(reason)}\n`));
  void server.init();
}

type Message = Parameters<ZmqServer["handleKernelInfo"]>[1];
type DisplayWriter = typeof import("tslab/dist/jupyter").lastWriteDisplayData;

// The module object itself, so the display writer it holds for tslab.display can be replaced.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tslabJupyter: { lastWriteDisplayData: DisplayWriter } = require("tslab/dist/jupyter");

const utf8 = new TextDecoder();

/** A replacement for process.stdout.write / process.stderr.write that sends iopub stream messages. */
function streamWriter(name: "stdout" | "stderr", writeStream: (name: string, text: string) => void): typeof process.stdout.write {
  return (chunk: string | Uint8Array, encodingOrDone?: BufferEncoding | ((err?: Error | null) => void), done?: (err?: Error | null) => void) => {
    writeStream(name, typeof chunk === "string" ? chunk : utf8.decode(chunk));
    const callback = typeof encodingOrDone === "function" ? encodingOrDone : done;
    if (callback) callback();
    return true;
  };
}

type Sendable = { send(message: Parameters<zmq.Publisher["send"]>[0]): Promise<void> };

/**
 * zeromq allows one send in progress per socket; tslab does not wait for its sends, so a cell
 * printing fast made the kernel die with EBUSY. Here each socket's sends wait their turn.
 */
function queueSends(socket: Sendable): void {
  const send = socket.send.bind(socket);
  let previous: Promise<void> = Promise.resolve();
  const queued: Sendable["send"] = (message) => {
    const next = previous.then(() => send(message));
    previous = next.catch(() => undefined); // a closed socket at shutdown: nothing left to tell
    return previous;
  };
  // `send` is a read-only property of zeromq's native sockets: define it on the instance.
  Object.defineProperty(socket, "send", { value: queued, writable: true, configurable: true });
}

/** Most stream text one cell sends; the rest is dropped with a note (a frontend could not show it anyway). */
const STREAM_LIMIT = 10_000_000;

/**
 * Coalesces a cell's stream writes into few iopub messages (a loop of console.log is one message
 * per tick, not one per line) and stops a runaway cell from filling the kernel's memory.
 */
class StreamBuffer {
  private pending: Array<{ name: string; text: string }> = [];
  private pendingBytes = 0;
  private sentBytes = 0;
  private dropped = 0;
  private noted = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly emit: (name: string, text: string) => void) {}

  write(name: string, text: string): void {
    if (this.sentBytes + this.pendingBytes + text.length > STREAM_LIMIT) {
      this.dropped += text.length;
      return;
    }
    const last = this.pending[this.pending.length - 1];
    if (last && last.name === name) last.text += text;
    else this.pending.push({ name, text });
    this.pendingBytes += text.length;
    if (this.pendingBytes > 256_000) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), 20);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pending = this.pending;
    this.pending = [];
    this.sentBytes += this.pendingBytes;
    this.pendingBytes = 0;
    for (const { name, text } of pending) this.emit(name, text);
    if (this.dropped > 0 && !this.noted) {
      this.emit("stdout", `\n[output truncated by the kernel after ${STREAM_LIMIT} characters]\n`);
      this.noted = true;
    }
  }
}

class CourseServer extends ZmqServer {
  constructor(
    private readonly course: CourseHandler,
    connectionFile: string,
  ) {
    super(course, connectionFile);
  }

  override async init(): Promise<void> {
    await super.init();
    for (const socket of [this.iopub, this.shell, this.control]) queueSends(socket);
  }

  override async handleExecute(sock: Parameters<ZmqServer["handleExecute"]>[0], msg: Message): Promise<void> {
    const publish = (msgType: string, content: object) => {
      const m = msg.createReply();
      m.header.msg_type = msgType;
      m.content = content;
      m.signAndSend(this.connInfo.key, this.iopub);
    };
    const streams = new StreamBuffer((name, text) => publish("stream", { name, text }));
    // Everything but stream text goes out after the text written before it, in order.
    const send = (msgType: string, content: object) => {
      streams.flush();
      publish(msgType, content);
    };
    const writeStream = (name: string, text: string) => streams.write(name, text);
    const writeDisplayData: DisplayWriter = (data, update) => send(update ? "update_display_data" : "display_data", data);
    const req = executeRequest(msg.content);
    const content = await this.course.executeCell(req, {
      begin: (code, count) => {
        send("execute_input", { code, execution_count: count });
        // Output written after the cell ends still goes to it, as in the Python kernel.
        process.stdout.write = streamWriter("stdout", writeStream);
        process.stderr.write = streamWriter("stderr", writeStream);
        tslabJupyter.lastWriteDisplayData = writeDisplayData;
      },
      error: (ename, evalue, traceback) => send("error", { ename, evalue, traceback }),
      result: (data, count) => send("execute_result", { data, metadata: {}, execution_count: count }),
    });
    streams.flush();
    const reply = msg.createReply();
    reply.header.msg_type = "execute_reply";
    reply.content = content;
    reply.signAndSend(this.connInfo.key, sock);
  }
}

if (require.main === module) {
  const connectionFile = process.argv[2];
  if (!connectionFile) {
    process.stderr.write("usage: node kernel.js <connection_file>\n");
    process.exit(2);
  }
  startKernel(connectionFile);
}
