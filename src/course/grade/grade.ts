// Grading one submission: restore the tests, run it in a fresh, isolated kernel, score each test
// cell as nbgrader does, and say what happened.
import { mkdirSync, rmSync } from "fs";
import { join, resolve } from "path";
import { CellResult, executeNotebook, ExecuteResult } from "../runner";
import { Cell, Notebook, NotebookError, Output, parseNotebook, text } from "../notebook";
import { hasHiddenTests } from "../solutions";
import { Assignment, TestCell } from "./assignment";
import { Group, makeGroup, oomKills, peakMemory, removeGroup } from "./cgroup";
import { CONFIRMATION_PREFIX, guardTestCell, newConfirmations, newGuardName, setupCell } from "./integrity";
import { capOutputs } from "./outputs";
import { restoreSubmission } from "./restore";
import { Isolation, sandboxSpec } from "./sandbox";
import { writeSeccompFilter } from "./seccomp";

export interface GradeSettings {
  /** Project root: the kernel resolves "dl-by-hand" from here. */
  root: string;
  /** Folder inside the project for the submissions' scratch folders. */
  scratch: string;
  /** Seconds a cell may run. */
  cellTimeout: number;
  /** Seconds the whole notebook may run. */
  notebookTimeout: number;
  /** Memory limit of each submission in MB (all its processes together, with the sandbox). */
  memoryMb: number;
  /** Processes and threads each submission may have at once (with the sandbox). */
  processes: number;
  isolation: Isolation;
  /** With the sandbox and a root grader: the first of the host uids kernels run as (one per job). */
  uidBase?: number;
}

/** What happened to a submission as a whole. */
export type Status =
  | { kind: "ok" }
  | { kind: "timeout"; cell: number; gradeId: string | null }
  | { kind: "notebook-timeout"; cell: number; seconds: number }
  | { kind: "dead"; cell: number; gradeId: string | null; reason: string }
  | { kind: "empty" }
  | { kind: "invalid"; message: string }
  | { kind: "nbformat"; message: string }
  | { kind: "wrong-assignment" }
  | { kind: "no-notebook" }
  | { kind: "several-notebooks"; files: string[] }
  | { kind: "no-instructor"; message: string }
  | { kind: "refused"; reason: string }
  | { kind: "grader-error"; message: string };

/** The short status of the gradebook: "ok", "timeout in cell 7", "kernel died in cell 3 (out of memory)"… */
export function statusText(status: Status): string {
  const id = (gradeId: string | null) => (gradeId ? ` (${gradeId})` : "");
  switch (status.kind) {
    case "ok":
      return "ok";
    case "timeout":
      return `timeout in cell ${status.cell}${id(status.gradeId)}`;
    case "notebook-timeout":
      return `notebook time limit (${status.seconds} s) in cell ${status.cell}`;
    case "dead":
      return `kernel died in cell ${status.cell}${id(status.gradeId)}: ${status.reason}`;
    case "empty":
      return "empty file";
    case "invalid":
      return status.message.includes("not valid notebook JSON") ? "invalid notebook JSON" : "invalid notebook";
    case "nbformat":
      return `nbformat ${/nbformat (\S+)/.exec(status.message)?.[1] ?? "?"}`;
    case "wrong-assignment":
      return "wrong assignment";
    case "no-notebook":
      return "no notebook";
    case "several-notebooks":
      return `${status.files.length} notebooks`;
    case "no-instructor":
      return "unknown assignment";
    case "grader-error":
      return "grader error";
    case "refused":
      return status.reason;
  }
}

/** One test cell's result. */
export interface TestScore {
  gradeId: string;
  /** grade_id of the exercise (solution cell) the test checks, or null. */
  exercise: string | null;
  points: number;
  maxPoints: number;
  outcome: "passed" | "partial" | "failed" | "not run";
  /** True when the instructor's test cell has hidden tests: feedback shows it only with showHidden. */
  hidden: boolean;
  /** The "✔ …" / "✘ …" lines the self-checks printed. */
  checks: string[];
  /** "CheckError: …", "CellTimeoutError: …", or null when it passed. */
  error: string | null;
}

/** One exercise as the student wrote it. */
export interface ExerciseReport {
  gradeId: string;
  title: string;
  code: string | null;
  /** The error of the solution cell itself (a type error, "not implemented"…), or null. */
  error: string | null;
}

export interface Graded {
  status: Status;
  tests: TestScore[];
  exercises: ExerciseReport[];
  total: number;
  max: number;
  notes: string[];
  /** The notebook as it ran, with outputs (hidden tests in it: for tutors only). */
  executed: Notebook | null;
  seconds: number;
  /** Most memory the submission's processes used at once, in bytes (0 when unknown). */
  peakBytes: number;
}

const MAX_FILE_BYTES = 50_000_000;
const MAX_CHECK_LINES = 40;

/** A result with no points: the submission could not be run. */
export function ungraded(assignment: Assignment | null, status: Status, notes: string[] = []): Graded {
  const tests: TestScore[] = (assignment?.tests ?? []).map((t) => ({
    gradeId: t.meta.gradeId,
    exercise: t.exercise,
    points: 0,
    maxPoints: t.points,
    outcome: "not run",
    hidden: hasHiddenTests(text(t.cell.source)),
    checks: [],
    error: null,
  }));
  const detail =
    status.kind === "invalid" || status.kind === "nbformat" || status.kind === "grader-error" || status.kind === "no-instructor"
      ? [status.message]
      : [];
  return {
    status,
    tests,
    exercises: [],
    total: 0,
    max: assignment?.maxPoints ?? 0,
    notes: [...detail, ...notes],
    executed: null,
    seconds: 0,
    peakBytes: 0,
  };
}

function streamText(outputs: Output[], name: "stdout" | "stderr"): string {
  return outputs.map((o) => (o.output_type === "stream" && o.name === name ? text(o.text) : "")).join("");
}

/** nbgrader's partial credit: a test cell whose result is a number gets that many points (0…max). */
function partialCredit(outputs: Output[], max: number): number | null {
  for (const o of outputs) {
    if (o.output_type !== "execute_result") continue;
    const plain = o.data["text/plain"];
    const value = typeof plain === "string" ? plain.trim() : Array.isArray(plain) && plain.length === 1 ? String(plain[0]).trim() : "";
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) return null;
    const points = Number(value);
    return points < 0 ? null : Math.min(points, max);
  }
  return null;
}

/**
 * Score a test cell from how it ran: its points if the kernel said ok, it wrote no error and
 * nothing on stderr and, when grading (`confirmation` given), its confirmation is on stdout.
 */
export function scoreTest(
  test: TestCell,
  cell: Cell | undefined,
  result: CellResult | undefined,
  confirmation: string | null = null,
): TestScore {
  const outputs = cell?.cell_type === "code" ? cell.outputs : [];
  const stdout = streamText(outputs, "stdout");
  const confirmed = confirmation === null || stdout.split("\n").includes(confirmation);
  const checks = stdout
    .split("\n")
    .filter((line) => /^[✔✘]/.test(line))
    .slice(0, MAX_CHECK_LINES)
    .map((line) => line.slice(0, 300));
  const hidden = hasHiddenTests(text(test.cell.source));
  const score: TestScore = {
    gradeId: test.meta.gradeId,
    exercise: test.exercise,
    points: 0,
    maxPoints: test.points,
    outcome: "failed",
    hidden,
    checks,
    error: null,
  };
  if (result === undefined || result.status === "skipped") {
    return { ...score, outcome: "not run", error: "not run: the kernel had stopped before this cell" };
  }
  const errorOutput = outputs.find((o) => o.output_type === "error");
  const stderr = streamText(outputs, "stderr");
  if (result.status !== "ok" || errorOutput !== undefined) {
    const e = result.error ?? (errorOutput?.output_type === "error" ? errorOutput : null);
    return { ...score, error: e ? `${e.ename}: ${e.evalue}`.slice(0, 2000) : result.status };
  }
  if (stderr.trim() !== "") {
    return { ...score, error: `wrote to stderr (nbgrader gives 0 points): ${stderr.trim().split("\n")[0].slice(0, 200)}` };
  }
  if (!confirmed) {
    return {
      ...score,
      error:
        "the test did not run to its end: the grader saw no confirmation from it (output or replies were forged, or the cell was cut short)",
    };
  }
  const partial = partialCredit(outputs, test.points);
  if (partial !== null && partial < test.points) return { ...score, points: partial, outcome: "partial" };
  return { ...score, points: test.points, outcome: "passed" };
}

/** Why a kernel died, from the runner's message (the end of the kernel's stderr). */
export function deathReason(evalue: string): string {
  if (/out of memory|allocation failed|heap limit/i.test(evalue)) return "out of memory";
  if (/exit code 13[49]|SIGABRT|SIGSEGV|Segmentation fault|Aborted/.test(evalue)) return "crashed (most likely out of memory)";
  const code = /exit code (\d+)/.exec(evalue);
  if (code) return `the kernel exited (code ${code[1]}), e.g. process.exit()`;
  return evalue.slice(0, 200);
}

function overallStatus(result: ExecuteResult, ids: Map<number, string>, overtime: number | null): Status {
  for (const cell of result.cells) {
    // The grader's setup cell is cell 0: cell numbers below count the submission's cells from 1.
    const number = cell.index;
    const gradeId = ids.get(cell.index) ?? null;
    if (overtime !== null && (cell.status === "dead" || cell.status === "timeout")) {
      return { kind: "notebook-timeout", cell: number, seconds: overtime };
    }
    if (cell.status === "timeout") return { kind: "timeout", cell: number, gradeId };
    if (cell.status === "dead") return { kind: "dead", cell: number, gradeId, reason: deathReason(cell.error?.evalue ?? "") };
  }
  return { kind: "ok" };
}

async function execute(
  notebook: Notebook,
  workDir: string,
  settings: GradeSettings,
  job: number,
): Promise<{ result: ExecuteResult; overtime: boolean; oom: boolean; peakBytes: number }> {
  let pid: number | null = null;
  let overtime = false;
  let group: Group | undefined;
  const stop = () => {
    if (pid === null) return;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(() => {
    overtime = true;
    stop();
  }, settings.notebookTimeout * 1000);
  try {
    const sandboxed = settings.isolation === "sandbox";
    if (sandboxed)
      group = makeGroup(`dl-by-hand-${process.pid}-${job}-${Date.now().toString(36)}`, {
        memoryMb: settings.memoryMb,
        processes: settings.processes,
      });
    const uid = sandboxed && settings.uidBase !== undefined ? settings.uidBase + job : undefined;
    const seccomp = sandboxed ? writeSeccompFilter(workDir) : undefined;
    const spec = sandboxSpec({
      root: settings.root,
      workDir,
      memoryMb: settings.memoryMb,
      isolation: settings.isolation,
      group,
      uid,
      seccomp,
    });
    const result = await executeNotebook(notebook, {
      cwd: workDir,
      spec,
      timeout: settings.cellTimeout,
      allowErrors: true,
      maxStreamBytes: 1_000_000,
      transport: sandboxed ? "ipc" : "tcp",
      onKernel: (p) => {
        pid = p;
        if (overtime) stop();
      },
    });
    const oom = group !== undefined && oomKills(group) > 0;
    return { result, overtime, oom, peakBytes: group ? peakMemory(group) : 0 };
  } finally {
    clearTimeout(timer);
    if (group !== undefined && !removeGroup(group))
      process.stderr.write(`grade: could not remove the control group ${group.dirs.join(", ")}\n`);
  }
}

/** Remove the grader's confirmation lines (real or forged) from a cell's stdout. */
function withoutConfirmations(cell: Cell): Cell {
  if (cell.cell_type !== "code") return cell;
  const outputs = cell.outputs.map((o): Output => {
    if (o.output_type !== "stream" || !text(o.text).includes(CONFIRMATION_PREFIX)) return o;
    const kept = text(o.text)
      .split("\n")
      .filter((line) => !line.startsWith(CONFIRMATION_PREFIX));
    return { ...o, text: kept.join("\n") };
  });
  return { ...cell, outputs };
}

/** Grade a parsed submission of `assignment`; `job` numbers the kernel slot (its uid and group). */
export async function gradeNotebook(
  assignment: Assignment,
  submission: Notebook,
  settings: GradeSettings,
  workName: string,
  job = 0,
): Promise<Graded> {
  const started = Date.now();
  const restored = restoreSubmission(assignment, submission);
  if (restored.matched === 0) {
    return ungraded(assignment, { kind: "wrong-assignment" }, [`none of the exercise cells of ${assignment.name} is in this notebook`]);
  }
  const guard = newGuardName();
  const confirmations = newConfirmations(assignment.tests.length);
  const confirmationOf = new Map(assignment.tests.map((t, i) => [t.meta.gradeId, confirmations[i]]));
  const forbidden = settings.isolation === "sandbox" ? [resolve(assignment.file)] : [];
  const testAt = new Map(assignment.tests.map((t) => [restored.positions.get(t.meta.gradeId), t.meta.gradeId]));
  const cells: Cell[] = restored.notebook.cells.map((cell, index) => {
    const id = testAt.get(index);
    const confirmation = id === undefined ? undefined : confirmationOf.get(id);
    return confirmation !== undefined && cell.cell_type === "code"
      ? { ...cell, source: guardTestCell(text(cell.source), guard, confirmation.nonce) }
      : cell;
  });
  const setup: Cell = {
    cell_type: "code",
    metadata: {},
    source: setupCell(settings.root, guard, forbidden, confirmations),
    outputs: [],
    execution_count: null,
  };
  const runnable: Notebook = { ...restored.notebook, cells: [setup, ...cells] };
  const workDir = join(settings.scratch, workName);
  mkdirSync(workDir, { recursive: true });
  let run: Awaited<ReturnType<typeof execute>>;
  try {
    run = await execute(runnable, workDir, settings, job);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const { result, overtime, oom, peakBytes } = run;
  const setupResult = result.cells.find((c) => c.index === 0);
  if (setupResult?.status !== "ok") {
    const why = setupResult?.error ? `${setupResult.error.ename}: ${setupResult.error.evalue}` : String(setupResult?.status);
    return ungraded(assignment, { kind: "grader-error", message: `the grader's setup cell failed: ${why}` }, restored.notes);
  }
  // Positions in the executed notebook are one further on: the setup cell comes first.
  const at = (id: string) => (restored.positions.get(id) ?? -2) + 1;
  const byIndex = new Map(result.cells.map((c) => [c.index, c]));
  const tests = assignment.tests.map((t) =>
    scoreTest(
      t,
      result.notebook.cells[at(t.meta.gradeId)],
      byIndex.get(at(t.meta.gradeId)),
      confirmationOf.get(t.meta.gradeId)?.tag ?? null,
    ),
  );
  const exercises: ExerciseReport[] = [];
  for (const graded of assignment.cells) {
    if (!graded.meta.solution) continue;
    const index = at(graded.meta.gradeId);
    const cell = result.notebook.cells[index];
    const ran = byIndex.get(index);
    exercises.push({
      gradeId: graded.meta.gradeId,
      title: assignment.titles.get(graded.meta.gradeId) ?? graded.meta.gradeId,
      code: cell ? text(cell.source).slice(0, 100_000) : null,
      error: ran?.error && ran.status !== "ok" ? `${ran.error.ename}: ${ran.error.evalue}`.slice(0, 2000) : null,
    });
  }
  const ids = new Map([...restored.positions].map(([id, index]) => [index + 1, id]));
  let status = overallStatus(result, ids, overtime ? settings.notebookTimeout : null);
  if (oom && status.kind === "dead")
    status = { ...status, reason: `out of memory (all its processes together went over ${settings.memoryMb} MB)` };
  const total = tests.reduce((sum, t) => sum + t.points, 0);
  const tampered = tests.some((t) => (t.error ?? "").includes("the self-checks were"));
  const forged = tests.some((t) => (t.error ?? "").includes("saw no confirmation"));
  const notes = [
    ...restored.notes,
    ...(tampered ? ["the self-checks were tampered with (see the test errors)"] : []),
    ...(forged ? ["a test cell ended without the grader's confirmation (forged output or replies?)"] : []),
  ];
  // What is kept: the submission's cells as they ran (not the grader's setup cell, no confirmations), capped in size.
  const capped = capOutputs(result.notebook.cells.slice(1).map(withoutConfirmations));
  if (capped.notes.length > 0) notes.push(...capped.notes);
  const executed: Notebook = { ...result.notebook, cells: capped.cells };
  return { status, tests, exercises, total, max: assignment.maxPoints, notes, executed, seconds: (Date.now() - started) / 1000, peakBytes };
}

/** Grade the bytes of a submitted file: empty, invalid or old files get a status and no points. */
export async function gradeFile(
  assignment: Assignment,
  bytes: Buffer,
  file: string,
  settings: GradeSettings,
  workName: string,
  job = 0,
): Promise<Graded> {
  if (bytes.length > MAX_FILE_BYTES)
    return ungraded(assignment, { kind: "invalid", message: `${file}: larger than ${MAX_FILE_BYTES / 1e6} MB` });
  const json = bytes.toString("utf8");
  if (json.trim() === "") return ungraded(assignment, { kind: "empty" });
  let notebook: Notebook;
  try {
    notebook = parseNotebook(json, file);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof NotebookError && /nbformat/.test(message)) return ungraded(assignment, { kind: "nbformat", message });
    return ungraded(assignment, { kind: "invalid", message });
  }
  return gradeNotebook(assignment, notebook, settings, workName, job);
}
