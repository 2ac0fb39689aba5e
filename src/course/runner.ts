// The notebook runner: executes notebooks through the course kernel over the Jupyter protocol,
// the way JupyterLab and nbclient do, and records nbformat 4.5 outputs.
import { dirname, join, resolve } from "path";
import { DeadKernelError, KernelClient, KernelTimeoutError, Message } from "./client";
import { kernelSpec, KernelSpec } from "./kernelspec";
import {
  Cell,
  CodeCell,
  ErrorOutput,
  Notebook,
  NotebookError,
  Output,
  readNotebook,
  text,
  withValidCellIds,
  writeNotebook,
} from "./notebook";
import { keptMode, planOutputs, targetProblem } from "./output-files";

/** The longest --timeout: Node's timers hold at most 2^31 - 1 ms. */
export const MAX_TIMEOUT_SECONDS = 2_147_483;

export interface ExecuteOptions {
  /** Kernel working directory (the notebook's folder). */
  cwd: string;
  /** Seconds a cell may run before it is interrupted (default 120, at most MAX_TIMEOUT_SECONDS). */
  timeout?: number;
  /** Keep going after a failed cell (cells still run one after another). */
  allowErrors?: boolean;
  /** Most bytes of stream output kept per cell; the rest is dropped with a note (default 1 MB). */
  maxStreamBytes?: number;
  /** Kernelspec to start (default: the course kernel). */
  spec?: KernelSpec;
  /** Passed to the kernel process. */
  env?: Record<string, string>;
  /** How the client reaches the kernel (default "tcp"; the grader's sandbox has no network: "ipc"). */
  transport?: "tcp" | "ipc";
  nodeArgs?: string[];
  /** Told the kernel's process id (the leader of its process group) and connection file once it has started. */
  onKernel?: (pid: number, connectionFile: string) => void;
  /** Told about each code cell once it has run. */
  onCell?: (index: number, result: CellResult) => void;
}

/** What happened to one code cell. */
export interface CellResult {
  /** Index in notebook.cells (0-based). */
  index: number;
  status: "ok" | "error" | "aborted" | "timeout" | "dead" | "skipped";
  error?: { ename: string; evalue: string };
  seconds: number;
}

export interface ExecuteResult {
  notebook: Notebook;
  cells: CellResult[];
  /** The first failed cell, if any. */
  failure: { index: number; ename: string; evalue: string } | null;
  kernelStartSeconds: number;
  seconds: number;
}

function appendStream(outputs: Output[], name: "stdout" | "stderr", chunk: string, budget: { left: number; dropped: number }): void {
  let kept = chunk;
  if (Buffer.byteLength(chunk) > budget.left) {
    kept = Buffer.from(chunk).subarray(0, Math.max(0, budget.left)).toString("utf8");
    budget.dropped += Buffer.byteLength(chunk) - Buffer.byteLength(kept);
  }
  budget.left -= Buffer.byteLength(kept);
  if (kept === "") return;
  const last = outputs[outputs.length - 1];
  if (last && last.output_type === "stream" && last.name === name) last.text = text(last.text) + kept;
  else outputs.push({ output_type: "stream", name, text: kept });
}

function record(x: unknown): Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) ? Object.fromEntries(Object.entries(x)) : {};
}

/** Execute every code cell of `nb` in a fresh kernel; returns a new notebook with outputs. */
export async function executeNotebook(nb: Notebook, options: ExecuteOptions): Promise<ExecuteResult> {
  const started = Date.now();
  const timeout = options.timeout ?? 120;
  if (typeof timeout !== "number" || !(timeout > 0 && timeout <= MAX_TIMEOUT_SECONDS)) {
    throw new RangeError(`executeNotebook: options.timeout must be seconds in (0, ${MAX_TIMEOUT_SECONDS}], got ${String(timeout)}`);
  }
  const timeoutMs = timeout * 1000;
  const executed: Notebook = { ...nb, cells: nb.cells.map(clearCell) };
  const results: CellResult[] = [];
  let failure: ExecuteResult["failure"] = null;
  const kernel = await KernelClient.start(options.spec ?? kernelSpec(), {
    cwd: options.cwd,
    env: options.env,
    nodeArgs: options.nodeArgs,
    transport: options.transport,
  });
  const kernelStartSeconds = (Date.now() - started) / 1000;
  if (kernel.process.pid !== undefined) options.onKernel?.(kernel.process.pid, kernel.connectionFile);
  /** Outputs carrying a display_id, wherever they are, so update_display_data can reach them. */
  const displays = new Map<string, Output[]>();
  let dead = false;
  try {
    for (let index = 0; index < executed.cells.length; index++) {
      const cell = executed.cells[index];
      if (cell.cell_type !== "code" || text(cell.source).trim() === "") continue;
      if (dead || (failure && !options.allowErrors)) {
        results.push({ index, status: "skipped", seconds: 0 });
        continue;
      }
      const result = await runCell(kernel, cell, index, timeoutMs, options, displays);
      results.push(result);
      options.onCell?.(index, result);
      if (result.status !== "ok" && !failure) {
        failure = { index, ename: result.error?.ename ?? "Error", evalue: result.error?.evalue ?? result.status };
      }
      if (result.status === "dead" || (result.status === "timeout" && kernel.exited)) dead = true;
    }
  } finally {
    await kernel.shutdown();
  }
  // The notebook keeps its nbformat version; its cell ids are made valid for it.
  return { notebook: withValidCellIds(executed), cells: results, failure, kernelStartSeconds, seconds: (Date.now() - started) / 1000 };
}

function clearCell(cell: Cell): Cell {
  if (cell.cell_type !== "code") return { ...cell };
  return { ...cell, outputs: [], execution_count: null };
}

async function runCell(
  kernel: KernelClient,
  cell: CodeCell,
  index: number,
  timeoutMs: number,
  options: ExecuteOptions,
  displays: Map<string, Output[]>,
): Promise<CellResult> {
  const t0 = Date.now();
  const budget = { left: options.maxStreamBytes ?? 1_000_000, dropped: 0 };
  let clearPending = false;
  const push = (o: Output) => {
    if (clearPending) {
      cell.outputs = [];
      clearPending = false;
    }
    cell.outputs.push(o);
  };
  const onIopub = (m: Message) => {
    const c = m.content;
    switch (m.header.msg_type) {
      case "stream":
        if (clearPending) push({ output_type: "stream", name: "stdout", text: "" });
        appendStream(cell.outputs, c.name === "stderr" ? "stderr" : "stdout", String(c.text ?? ""), budget);
        break;
      case "display_data":
      case "execute_result": {
        const data = record(c.data);
        const metadata = record(c.metadata);
        const output: Output =
          m.header.msg_type === "execute_result"
            ? {
                output_type: "execute_result",
                execution_count: typeof c.execution_count === "number" ? c.execution_count : null,
                data,
                metadata,
              }
            : { output_type: "display_data", data, metadata };
        push(output);
        const id = record(c.transient).display_id;
        if (typeof id === "string") displays.set(id, [...(displays.get(id) ?? []), output]);
        break;
      }
      case "update_display_data": {
        const id = record(c.transient).display_id;
        for (const output of typeof id === "string" ? (displays.get(id) ?? []) : []) {
          if (output.output_type === "display_data" || output.output_type === "execute_result") {
            output.data = record(c.data);
            output.metadata = record(c.metadata);
          }
        }
        break;
      }
      case "error":
        push({
          output_type: "error",
          ename: String(c.ename ?? "Error"),
          evalue: String(c.evalue ?? ""),
          traceback: Array.isArray(c.traceback) ? c.traceback.map(String) : [],
        });
        break;
      case "clear_output":
        if (c.wait === true) clearPending = true;
        else cell.outputs = [];
        break;
    }
  };
  const finish = (status: CellResult["status"], error?: { ename: string; evalue: string }): CellResult => {
    if (budget.dropped > 0) {
      appendStream(cell.outputs, "stdout", "", budget);
      cell.outputs.push({ output_type: "stream", name: "stdout", text: `\n[output truncated: ${budget.dropped} bytes dropped]\n` });
    }
    return { index, status, error, seconds: (Date.now() - t0) / 1000 };
  };
  const addError = (ename: string, evalue: string): ErrorOutput => {
    const e: ErrorOutput = { output_type: "error", ename, evalue, traceback: [`${ename}: ${evalue}`] };
    cell.outputs.push(e);
    return e;
  };
  try {
    const reply = await kernel.execute(text(cell.source), { stopOnError: !options.allowErrors, timeoutMs }, onIopub);
    const c = reply.content;
    if (typeof c.execution_count === "number") cell.execution_count = c.execution_count;
    if (c.status === "ok") return finish("ok");
    if (c.status === "aborted") return finish("aborted", { ename: "Aborted", evalue: "the kernel aborted this cell" });
    const ename = String(c.ename ?? "Error");
    const evalue = String(c.evalue ?? "");
    if (!cell.outputs.some((o) => o.output_type === "error")) addError(ename, evalue);
    return finish("error", { ename, evalue });
  } catch (e) {
    if (e instanceof DeadKernelError) {
      addError("DeadKernelError", e.message);
      return finish("dead", { ename: "DeadKernelError", evalue: e.message });
    }
    if (e instanceof KernelTimeoutError) {
      const seconds = timeoutMs / 1000;
      // Interrupt as Jupyter does (SIGINT), then give up on the kernel if it does not come back.
      kernel.interrupt();
      const settled = await waitForInterrupt(kernel);
      const evalue =
        `the cell ran longer than ${seconds} s and was interrupted` + (settled ? "" : "; the kernel did not respond and was stopped");
      if (!settled) await kernel.shutdown();
      addError("CellTimeoutError", evalue);
      return finish("timeout", { ename: "CellTimeoutError", evalue });
    }
    throw e;
  }
}

/** After SIGINT, check the kernel answers again within 5 s. */
async function waitForInterrupt(kernel: KernelClient): Promise<boolean> {
  try {
    await kernel.execute("", { stopOnError: false, timeoutMs: 5000 }, () => undefined);
    return true;
  } catch {
    return false;
  }
}

export interface RunOptions {
  outDir?: string;
  inplace?: boolean;
  allowErrors?: boolean;
  timeout?: number;
  log?: (line: string) => void;
}

export interface RunReport {
  file: string;
  out: string | null;
  ok: boolean;
  message: string | null;
  seconds: number;
  kernelStartSeconds: number;
}

/** Run notebook files one by one; a bad file is reported and the others still run. */
export async function runNotebooks(files: string[], options: RunOptions = {}): Promise<RunReport[]> {
  if (options.timeout !== undefined && !(options.timeout > 0 && options.timeout <= MAX_TIMEOUT_SECONDS)) {
    throw new RangeError(`runNotebooks: options.timeout must be seconds in (0, ${MAX_TIMEOUT_SECONDS}], got ${String(options.timeout)}`);
  }
  if (options.inplace && options.outDir !== undefined) {
    throw new RangeError(
      `runNotebooks: options.outDir and options.inplace exclude each other, got outDir ${JSON.stringify(options.outDir)}`,
    );
  }
  const log = options.log ?? ((line: string) => process.stdout.write(line + "\n"));
  const outDir = resolve(options.outDir ?? join("build", "notebooks"));
  const reports: RunReport[] = [];
  // Ctrl-C or SIGTERM while running: end the kernels and remove their connection files first.
  const stop = (signal: NodeJS.Signals) => {
    KernelClient.killAll();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    return await runFiles(files, options, outDir, log, reports);
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

async function runFiles(
  files: string[],
  options: RunOptions,
  outDir: string,
  log: (line: string) => void,
  reports: RunReport[],
): Promise<RunReport[]> {
  const plans = planOutputs(files, { outDir, inplace: options.inplace === true });
  const refuse = (file: string, message: string, seconds = 0) => {
    log(message);
    reports.push({ file, out: null, ok: false, message, seconds, kernelStartSeconds: 0 });
  };
  for (const { file, out, refusal } of plans) {
    const started = Date.now();
    if (refusal !== null) {
      refuse(file, refusal);
      continue;
    }
    let nb: Notebook;
    try {
      nb = readNotebook(file);
    } catch (e) {
      refuse(file, e instanceof NotebookError ? e.message : `${file}: ${String(e)}`);
      continue;
    }
    if (out === null) continue;
    try {
      const result = await executeNotebook(nb, { cwd: dirname(resolve(file)), timeout: options.timeout, allowErrors: options.allowErrors });
      // The target may have changed while the notebook ran: check it again.
      const problem = targetProblem(out, options.inplace === true);
      if (problem !== null) {
        refuse(file, `${file}: not written: ${problem}`, result.seconds);
        continue;
      }
      writeNotebook(out, result.notebook, keptMode(out));
      const f = result.failure;
      const message = f ? `${file}: cell ${f.index + 1}: ${f.ename}: ${f.evalue}` : null;
      const failed = f !== null && !options.allowErrors;
      log(message ?? `${file}: ok in ${result.seconds.toFixed(1)} s (kernel start ${result.kernelStartSeconds.toFixed(1)} s) → ${out}`);
      if (message && options.allowErrors) log(`${file}: written with errors → ${out}`);
      reports.push({ file, out, ok: !failed, message, seconds: result.seconds, kernelStartSeconds: result.kernelStartSeconds });
    } catch (e) {
      refuse(file, `${file}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, (Date.now() - started) / 1000);
    }
  }
  return reports;
}
