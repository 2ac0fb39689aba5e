// The course kernel: a Jupyter kernel (protocol 5.3) for TypeScript. tslab compiles, completes
// and inspects (behind ./tslab.ts); the sockets live in a worker thread (./kernel-io.ts) so that
// heartbeat, shutdown and interrupts work while a cell is busy. Started by Jupyter as
// `node dist/course/kernel.js <connection_file>`.
import { appendFileSync, mkdirSync, readdirSync, readFileSync } from "fs";
import { homedir } from "os";
import { dirname, join } from "path";
import { inspect } from "util";
import { Worker } from "worker_threads";
import { openDisplayChannel } from "../display";
import { installCellTimers, kernelTimers, originCell } from "./cell-context";
import type { FromIo, IoData, ToIo } from "./kernel-io";
import { codeFrame, runtimeTraceback } from "./traceback";
import { createTypeScript, Outcome, Reported, TypeScriptRunner } from "./tslab";
import { Header, Message, PROTOCOL_VERSION } from "./wire";

/** The kernel's log of real faults and refused messages (never signatures): README, "The kernel". */
export function kernelLogFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DL_BY_HAND_KERNEL_LOG) return env.DL_BY_HAND_KERNEL_LOG;
  const state = env.XDG_STATE_HOME || join(homedir(), ".local", "state");
  return join(state, "dl-by-hand", "kernel.log");
}

const State = { idle: 0, user: 1, terminating: 2 } as const;

/** A cell being (or having been) run: where its output goes. */
interface CellRun {
  identities: Uint8Array[];
  parent: Header;
  streams: StreamBuffer;
  interrupted: boolean;
  done: boolean;
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
      if (!this.timer) this.timer = kernelTimers.setTimeout(() => this.flush(), 20);
      return;
    }
    const last = this.pending[this.pending.length - 1];
    if (last && last.name === name) last.text += text;
    else this.pending.push({ name, text });
    this.pendingBytes += text.length;
    if (this.pendingBytes > 256_000) this.flush();
    else if (!this.timer) this.timer = kernelTimers.setTimeout(() => this.flush(), 20);
  }

  flush(): void {
    if (this.timer) kernelTimers.clearTimeout(this.timer);
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

function describeFailure(outcome: Outcome, code: string): { ename: string; evalue: string; traceback: string[] } {
  const diagnostics = outcome.reported.filter((r): r is Extract<Reported, { kind: "diagnostic" }> => r.kind === "diagnostic");
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
  const exception = outcome.reported.find((r) => r.kind === "exception");
  const value = exception && exception.kind === "exception" ? exception.value : new Error("the cell failed");
  return runtimeTraceback(value, code, outcome.converted?.output ?? null);
}

/** A cell stopped by vm's breakOnSigint (tslab runs a cell's synchronous part that way). */
function interruptedBySigint(outcome: Outcome): boolean {
  return (
    !outcome.ok &&
    outcome.reported.some(
      (r) => r.kind === "exception" && r.value instanceof Error && "code" in r.value && r.value.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED",
    )
  );
}

const INTERRUPTED = { ename: "Interrupt", evalue: "the cell was interrupted", traceback: ["Interrupt: the cell was interrupted"] };

/** Jupyter counts cursor positions in Unicode code points; JavaScript strings in UTF-16 units. */
function toUtf16(code: string, codePoints: number): number {
  let units = 0;
  let points = 0;
  for (const ch of code) {
    if (points >= codePoints) break;
    units += ch.length;
    points++;
  }
  return units;
}

function toCodePoints(code: string, units: number): number {
  return [...code.slice(0, Math.max(0, units))].length;
}

/** Shell-style glob (`*`, `?`) as a whole-string match, for history search. */
function glob(pattern: string): RegExp {
  const body = [...pattern]
    .map((c) => (c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`);
}

function str(x: unknown, fallback: string): string {
  return typeof x === "string" ? x : fallback;
}

function int(x: unknown): number | null {
  return typeof x === "number" && Number.isInteger(x) ? x : null;
}

/** All processes descended from this one (Linux /proc; empty elsewhere). */
function descendants(): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      found.push(c);
      walk(c);
    }
  };
  walk(process.pid);
  return found;
}

/** End what the cells started: every descendant process and the kernel's own process group. */
function endChildren(): void {
  for (const pid of descendants()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** Start the kernel on the connection file Jupyter gives. */
export function startKernel(connectionFile: string): void {
  const logFile = kernelLogFile();
  const log = (line: string) => {
    try {
      mkdirSync(dirname(logFile), { recursive: true });
      appendFileSync(logFile, `${new Date().toISOString()} [${process.pid}] ${line}\n`);
    } catch {
      // Nowhere to log: the client still gets the error message.
    }
  };
  const stateWord = new Int32Array(new SharedArrayBuffer(8));
  let current: CellRun | null = null;
  let last: CellRun | null = null;

  const io = new Worker(join(__dirname, "kernel-io.js"), {
    workerData: { connectionFile, state: stateWord, logFile, kernelInfo: kernelInfo() } satisfies IoData,
    stdout: true,
    stderr: true,
  });
  io.stdout.on("data", (d: Buffer) => log(`kernel sockets: ${d.toString("utf8").trimEnd()}`));
  io.stderr.on("data", (d: Buffer) => log(`kernel sockets: ${d.toString("utf8").trimEnd()}`));
  const toIo = (m: ToIo) => io.postMessage(m);
  const publish = (
    to: { identities?: Uint8Array[]; parent: Partial<Header> },
    msgType: string,
    content: object,
    channel: "iopub" | "shell" = "iopub",
  ) => toIo({ kind: "send", channel, identities: channel === "shell" ? (to.identities ?? []) : [], parent: to.parent, msgType, content });

  // Everything written to stdout/stderr goes to the running cell (or the last one), never to
  // the kernel's own stderr; what an interrupted cell's timers and promises still print is
  // dropped (./cell-context.ts), so it never shows up in a later cell.
  installCellTimers(() => current);
  const cellFor = (): CellRun | null => {
    const origin = originCell();
    return origin?.interrupted ? (origin as CellRun) : (current ?? last);
  };
  const writeStream = (name: "stdout" | "stderr", text: string) => {
    const cell = cellFor();
    if (!cell) log(`${name} outside any cell: ${text.trimEnd()}`);
    else if (!cell.interrupted) cell.streams.write(name, text);
  };
  const utf8 = new TextDecoder();
  const writer =
    (name: "stdout" | "stderr"): typeof process.stdout.write =>
    (chunk: string | Uint8Array, encodingOrDone?: BufferEncoding | ((err?: Error | null) => void), done?: (err?: Error | null) => void) => {
      writeStream(name, typeof chunk === "string" ? chunk : utf8.decode(chunk));
      const callback = typeof encodingOrDone === "function" ? encodingOrDone : done;
      if (callback) callback();
      return true;
    };
  process.stdout.write = writer("stdout");
  process.stderr.write = writer("stderr");

  /** Rich output, after the text written before it. */
  const output = (msgType: string, content: object) => {
    const cell = cellFor();
    if (!cell || cell.interrupted) return;
    cell.streams.flush();
    publish({ parent: cell.parent }, msgType, content);
  };
  openDisplayChannel({
    display: (content, update) => output(update ? "update_display_data" : "display_data", content),
    clearOutput: (wait) => output("clear_output", { wait }),
  });

  const fault = (what: string, e: unknown) => {
    const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    log(`${what}: ${e instanceof Error ? (e.stack ?? text) : text}`);
    const cell = cellFor();
    if (cell && !cell.interrupted)
      output("error", { ename: e instanceof Error ? e.name : "Error", evalue: `${what}: ${text}`, traceback: [`${what}: ${text}`] });
  };
  process.on("uncaughtException", (e) => fault("uncaught exception", e));
  process.on("unhandledRejection", (e) => fault("unhandled promise rejection", e));
  process.on("warning", (w) => log(`warning: ${w.name}: ${w.message}`));

  /**
   * The socket worker asked V8 to terminate the cell's code, but the cell's code may have ended
   * just before: wait here (in the cell's own turn) so that the termination lands on this loop,
   * not on the kernel's code. If it landed earlier, nothing comes and the wait ends.
   */
  const absorbTermination = () => {
    const until = Date.now() + 250;
    while (Atomics.load(stateWord, 0) === State.terminating && Date.now() < until) {
      // spin: the termination lands here
    }
    Atomics.store(stateWord, 0, State.idle);
  };
  const onCompiled = (running: boolean) => {
    if (running) {
      Atomics.store(stateWord, 0, State.user);
      return;
    }
    if (Atomics.compareExchange(stateWord, 0, State.user, State.idle) === State.terminating) absorbTermination();
  };
  const typescript: TypeScriptRunner = createTypeScript(process.cwd(), onCompiled);

  let count = 0;
  const history: Array<{ line: number; input: string; output: string | null }> = [];
  const HISTORY_SESSION = 1;
  const queue: Message[] = [];
  let busy = false;
  let finishInterrupted: (() => void) | null = null;

  const reply = (m: Message, msgType: string, content: object) =>
    publish({ identities: m.identities, parent: m.header }, msgType, content, "shell");
  const status = (m: Message, state: "busy" | "idle") => publish({ parent: m.header }, "status", { execution_state: state });

  async function execute(m: Message): Promise<void> {
    const c = m.content;
    if (typeof c.code !== "string") {
      reply(m, "execute_reply", {
        status: "error",
        execution_count: count,
        ename: "BadRequest",
        evalue: "execute_request: content.code must be a string",
        traceback: [],
      });
      return;
    }
    const code = c.code;
    const silent = c.silent === true;
    const storeHistory = !silent && c.store_history !== false;
    const stopOnError = c.stop_on_error !== false;
    const userExpressions = typeof c.user_expressions === "object" && c.user_expressions !== null ? Object.entries(c.user_expressions) : [];
    if (storeHistory) count++;
    const cell: CellRun = {
      identities: m.identities,
      parent: m.header,
      streams: new StreamBuffer((name, text) => publish({ parent: m.header }, "stream", { name, text })),
      interrupted: false,
      done: false,
    };
    if (!silent) publish({ parent: m.header }, "execute_input", { code, execution_count: count });
    current = cell;
    last = cell;
    const page = /^\s*([\w$.]+)\s*\?\s*$/.exec(code);
    let outcome: Outcome | "interrupted";
    if (page) {
      const text = typescript.inspect(page[1], page[1].length) ?? `${page[1]}: nothing known`;
      cell.done = true;
      current = null;
      reply(m, "execute_reply", {
        status: "ok",
        execution_count: count,
        user_expressions: {},
        payload: [{ source: "page", data: { "text/plain": text }, start: 0 }],
      });
      return;
    }
    outcome = await new Promise<Outcome | "interrupted">((resolve) => {
      finishInterrupted = () => resolve("interrupted");
      typescript
        .execute(code)
        .then(resolve, (e: unknown) => resolve({ ok: false, reported: [{ kind: "exception", value: e }], result: null, converted: null }));
    });
    finishInterrupted = null;
    if (cell.interrupted || (outcome !== "interrupted" && interruptedBySigint(outcome))) outcome = "interrupted";
    cell.streams.flush();
    let content: object;
    if (outcome !== "interrupted" && outcome.ok) {
      if (outcome.result && !silent) {
        publish({ parent: m.header }, "execute_result", {
          data: { "text/plain": inspect(outcome.result.value, { colors: false, depth: 4 }) },
          metadata: {},
          execution_count: count,
        });
      }
      const expressions: Record<string, object> = {};
      for (const [name, expr] of userExpressions) expressions[name] = await userExpression(String(expr), cell);
      content = { status: "ok", execution_count: count, user_expressions: expressions, payload: [] };
    } else {
      const e = outcome === "interrupted" ? INTERRUPTED : describeFailure(outcome, code);
      publish({ parent: m.header }, "error", e);
      content = { status: "error", execution_count: count, ...e, user_expressions: {}, payload: [] };
      if (stopOnError) await abortQueued();
    }
    if (storeHistory)
      history.push({
        line: count,
        input: code,
        output:
          outcome !== "interrupted" && outcome.ok && outcome.result ? inspect(outcome.result.value, { colors: false, depth: 4 }) : null,
      });
    cell.done = true;
    current = null;
    reply(m, "execute_reply", content);
  }

  async function userExpression(expr: string, _cell: CellRun): Promise<object> {
    const outcome = await typescript.execute(expr);
    if (!outcome.ok) return { status: "error", ...describeFailure(outcome, expr) };
    return { status: "ok", data: { "text/plain": inspect(outcome.result?.value, { colors: false, depth: 4 }) }, metadata: {} };
  }

  /** After a failure with stop_on_error: requests already waiting are aborted, later ones run. */
  async function abortQueued(): Promise<void> {
    // Requests still in the worker's hands arrive within a few turns of the event loop.
    for (let i = 0; i < 3; i++) await new Promise((resolve) => kernelTimers.setImmediate(resolve));
    for (let i = 0; i < queue.length;) {
      const q = queue[i];
      if (q.header.msg_type !== "execute_request") {
        i++;
        continue;
      }
      queue.splice(i, 1);
      status(q, "busy");
      reply(q, "execute_reply", { status: "aborted", execution_count: null });
      status(q, "idle");
    }
  }

  function historyReply(c: Record<string, unknown>): object {
    const output = c.output === true;
    const entry = (h: (typeof history)[number]) => [HISTORY_SESSION, h.line, output ? [h.input, h.output] : h.input];
    const type = c.hist_access_type;
    const n = int(c.n);
    let found: typeof history;
    if (type === "tail") found = n === null ? history : history.slice(Math.max(0, history.length - n));
    else if (type === "range") {
      const session = int(c.session) ?? 0;
      if (session !== 0 && session !== HISTORY_SESSION) found = [];
      else {
        const start = int(c.start) ?? 0;
        const stop = int(c.stop);
        found = history.filter((h) => h.line >= start && (stop === null || h.line < stop));
      }
    } else if (type === "search") {
      const re = glob(str(c.pattern, "*"));
      found = history.filter((h) => re.test(h.input));
      if (c.unique === true) {
        const seen = new Set<string>();
        found = found.filter((_, i, all) => {
          const later = all.slice(i + 1).some((h) => h.input === all[i].input);
          if (later || seen.has(all[i].input)) return false;
          seen.add(all[i].input);
          return true;
        });
      }
      if (n !== null) found = found.slice(Math.max(0, found.length - n));
    } else {
      return {
        status: "error",
        ename: "BadRequest",
        evalue: `history_request: hist_access_type must be tail, range or search, got ${JSON.stringify(type)}`,
        traceback: [],
        history: [],
      };
    }
    return { status: "ok", history: found.map(entry) };
  }

  async function handle(m: Message): Promise<void> {
    const c = m.content;
    const type = m.header.msg_type;
    status(m, "busy");
    try {
      switch (type) {
        case "execute_request":
          await execute(m);
          break;
        case "kernel_info_request":
          reply(m, "kernel_info_reply", kernelInfo());
          break;
        case "complete_request": {
          const code = str(c.code, "");
          const cursor = toUtf16(code, int(c.cursor_pos) ?? [...code].length);
          const r = typescript.complete(code, cursor);
          reply(m, "complete_reply", {
            status: "ok",
            matches: r.matches,
            cursor_start: toCodePoints(code, r.start),
            cursor_end: toCodePoints(code, r.end),
            metadata: {},
          });
          break;
        }
        case "inspect_request": {
          const code = str(c.code, "");
          const text = typescript.inspect(code, toUtf16(code, int(c.cursor_pos) ?? [...code].length));
          reply(m, "inspect_reply", {
            status: "ok",
            found: text !== null,
            data: text === null ? {} : { "text/plain": text },
            metadata: {},
          });
          break;
        }
        case "is_complete_request":
          reply(m, "is_complete_reply", typescript.isComplete(str(c.code, "")));
          break;
        case "history_request":
          reply(m, "history_reply", historyReply(c));
          break;
        case "comm_info_request":
          reply(m, "comm_info_reply", { status: "ok", comms: {} });
          break;
        case "comm_open":
          // No comm targets: close it at once, as the protocol asks.
          publish({ parent: m.header }, "comm_close", { comm_id: str(c.comm_id, ""), data: {} });
          break;
        case "comm_msg":
        case "comm_close":
          break;
        default:
          if (type.endsWith("_request")) {
            reply(m, type.replace(/_request$/, "_reply"), {
              status: "error",
              ename: "UnknownRequest",
              evalue: `the kernel does not handle ${type}`,
              traceback: [],
            });
          } else log(`ignored a ${type} message on shell`);
      }
    } catch (e) {
      fault(`${type} failed`, e);
      if (type.endsWith("_request")) {
        reply(m, type.replace(/_request$/, "_reply"), {
          status: "error",
          ename: e instanceof Error ? e.name : "Error",
          evalue: e instanceof Error ? e.message : String(e),
          traceback: [],
        });
      }
    } finally {
      status(m, "idle");
    }
  }

  async function drain(): Promise<void> {
    if (busy) return;
    busy = true;
    for (let m = queue.shift(); m; m = queue.shift()) await handle(m);
    busy = false;
  }

  // Exit (shutdown, a signal, or process.exit() in a cell): end the cells' processes, let the
  // socket worker send what is queued, close its sockets and end by itself, then exit. zeromq
  // aborts the process ("terminate called after throwing an instance of 'Napi::Error'") if the
  // process exits while a worker holding its sockets is still alive.
  const realExit = process.exit.bind(process);
  let exiting = false;
  let ioEnded = false;
  io.once("exit", () => (ioEnded = true));
  const beginExit = (): boolean => {
    if (exiting) return false;
    exiting = true;
    endChildren();
    try {
      typescript.close();
    } catch {
      // Closing the compiler is best effort.
    }
    toIo({ kind: "exit", code: 0 });
    return true;
  };
  /** process.exit() from a cell must not return: wait here (at most 3 s) for the sockets to close. */
  function exitKernel(code?: number | string | null): never {
    if (beginExit()) Atomics.wait(stateWord, 1, 0, 3000);
    return realExit(code ?? process.exitCode ?? 0);
  }
  process.exit = exitKernel;
  /** Shutdown and signals: wait for the socket worker to end (at most 5 s), then exit. */
  const shutdown = (code: number) => {
    if (!beginExit()) return;
    if (ioEnded) realExit(code);
    kernelTimers.setTimeout(() => realExit(code), 5000).unref();
    io.once("exit", () => realExit(code));
  };

  io.on("message", (m: FromIo) => {
    switch (m.kind) {
      case "request":
        // Cells run from a microtask, never straight from this callback: an interrupt that
        // terminates a cell's code then leaves Node's own bookkeeping intact.
        queue.push({ ...m.message, identities: m.message.identities.map((i) => Buffer.from(i)) });
        queueMicrotask(() => void drain());
        break;
      case "interrupt":
        queueMicrotask(() => {
          if (Atomics.load(stateWord, 0) === State.terminating) absorbTermination();
          if (current && !current.done) {
            current.interrupted = true;
            typescript.interrupt();
          }
          toIo({ kind: "interrupt-handled" });
        });
        break;
      case "terminated":
        Atomics.store(stateWord, 0, State.idle);
        if (current && !current.done) current.interrupted = true;
        finishInterrupted?.();
        toIo({ kind: "terminated-handled" });
        break;
      case "shutdown":
        shutdown(0);
        break;
      case "log":
        if (m.line.startsWith("fatal")) {
          log(m.line);
          shutdown(1);
        }
        break;
    }
  });
  io.on("error", (e) => {
    log(`kernel sockets failed: ${e.stack ?? e.message}`);
    shutdown(1);
  });
  for (const signal of ["SIGTERM", "SIGHUP"] as const) process.on(signal, () => shutdown(0));
  // SIGINT is Jupyter's interrupt: the socket worker's watcher thread catches it. No
  // process.on("SIGINT") here: Node then stops delivering SIGINT to vm's breakOnSigint watchdogs.
}

function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8"));
    return typeof pkg === "object" && pkg !== null && "version" in pkg && typeof pkg.version === "string" ? pkg.version : "0";
  } catch {
    return "0";
  }
}

/** The kernel_info_reply content. */
export function kernelInfo(): object {
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "dl-by-hand",
    implementation_version: packageVersion(),
    language_info: {
      name: "typescript",
      version: "5.0",
      mimetype: "text/typescript",
      file_extension: ".ts",
      codemirror_mode: { mode: "typescript", name: "javascript", typescript: true },
    },
    banner: "TypeScript (dl-by-hand): the Deep Learning by Hand course kernel",
    help_links: [
      { text: "Deep Learning by Hand (README)", url: `file://${join(__dirname, "..", "..", "README.md")}` },
      { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/" },
    ],
    debugger: false,
  };
}

if (require.main === module) {
  const connectionFile = process.argv[2];
  if (!connectionFile) {
    process.stdout.write("usage: node kernel.js <connection_file>\n");
    process.exit(2);
  }
  startKernel(connectionFile);
}
