// Grading a class: find the submissions, grade them in parallel (each in its own kernel), show
// progress, write the gradebook and one feedback page per student. A rerun grades only what
// changed (by content hash) unless `force`. Submissions are only ever read.
import { createHash, randomBytes } from "crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "fs";
import { availableParallelism, homedir, tmpdir } from "os";
import { basename, join, relative, resolve, sep } from "path";
import { projectRoot } from "../kernelspec";
import { serializeNotebook, text, writeFileAtomic } from "../notebook";
import { Assignment, loadAssignment } from "./assignment";
import { feedbackHtml } from "./feedback";
import { GradeSettings, gradeFile, Graded, statusText, ungraded } from "./grade";
import { gradebookCsv, Row } from "./gradebook";
import { Isolation, unreadableForUid } from "./sandbox";
import { findSubmissions, safeName, Submission } from "./submissions";

/** Bumped when grading changes in a way that makes stored results stale. */
const GRADER_VERSION = "2";

export interface BatchOptions {
  /** The submissions folder (nbgrader's `submitted/` or a flat folder of notebooks). */
  submissions: string;
  /** Output folder: gradebook.csv, feedback/, autograded/. */
  out: string;
  /** Instructor notebooks: a folder (`notebooks/`, or nbgrader's `source/`) or one notebook. */
  source: string;
  /** The assignment of flat layouts; with nbgrader's layout, grade only this one. */
  assignment: string | null;
  /** Kernels run at once (default: the number of cores). */
  jobs?: number;
  /** Regrade everything, not only what changed. */
  force?: boolean;
  cellTimeout?: number;
  notebookTimeout?: number;
  memoryMb?: number;
  /** Processes and threads a submission may have at once (sandbox only; default 128). */
  processes?: number;
  isolation: Isolation;
  /** Feedback shows the hidden tests too (after the deadline). */
  showHidden?: boolean;
  log?: (line: string) => void;
}

export interface BatchReport {
  rows: Row[];
  graded: number;
  reused: number;
  seconds: number;
  gradebook: string;
  /** Most memory one submission used at once (bytes; sandbox only, else 0). */
  peakBytes: number;
}

interface Stored {
  version: string;
  key: string;
  row: Row;
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** The instructor notebook of an assignment: <source>.ipynb itself, <source>/<name>.ipynb or <source>/<name>/*.ipynb. */
export function instructorFile(source: string, name: string): string {
  const isDir = existsSync(source) && statSync(source).isDirectory();
  if (!isDir) {
    if (basename(source, ".ipynb") === name) return source;
    throw new Error(`the instructor notebook is ${source}, not one for "${name}"`);
  }
  const flat = join(source, `${name}.ipynb`);
  if (existsSync(flat)) return flat;
  const folder = join(source, name);
  if (existsSync(folder) && statSync(folder).isDirectory()) {
    const found = readdirSync(folder).filter((f) => f.endsWith(".ipynb") && !f.startsWith("."));
    if (found.length === 1) return join(folder, found[0]);
    throw new Error(`${folder} holds ${found.length} notebooks; expected one`);
  }
  throw new Error(`no instructor notebook for "${name}" in ${source}`);
}

/** The one notebook to grade among a student's files, or the status saying why there is none. */
function pick(files: string[], assignment: string): { file: string; notes: string[] } | Graded["status"] {
  if (files.length === 0) return { kind: "no-notebook" };
  if (files.length === 1) return { file: files[0], notes: [] };
  const named = files.find((f) => basename(f) === `${assignment}.ipynb`);
  if (named === undefined) return { kind: "several-notebooks", files: files.map((f) => basename(f)) };
  const others = files.filter((f) => f !== named).map((f) => basename(f));
  return { file: named, notes: [`also in the folder, not graded: ${others.join(", ")}`] };
}

/** The notebook's title: its "dl-by-hand" metadata, else its first "# " heading, else its name. */
function notebookTitle(assignment: Assignment | null, name: string): string {
  const meta = assignment?.notebook.metadata["dl-by-hand"];
  const title = typeof meta === "object" && meta !== null && "title" in meta ? meta.title : null;
  if (typeof title === "string") return title;
  for (const cell of assignment?.notebook.cells ?? []) {
    const heading = cell.cell_type === "markdown" ? /^# (.+)$/m.exec(text(cell.source)) : null;
    if (heading) return heading[1].trim();
  }
  return name;
}

/** Grade every submission under `options.submissions`; returns the rows of the gradebook. */
export async function gradeAll(options: BatchOptions): Promise<BatchReport> {
  const positive: Array<[string, number | undefined, number]> = [
    ["jobs", options.jobs, 1],
    ["cellTimeout", options.cellTimeout, 1],
    ["notebookTimeout", options.notebookTimeout, 1],
    ["memoryMb", options.memoryMb, 256],
    ["processes", options.processes, 32],
  ];
  for (const [name, value, min] of positive) {
    if (value !== undefined && !(Number.isFinite(value) && value >= min)) {
      throw new Error(`gradeAll: options.${name} must be a number ≥ ${min}, got ${String(value)}`);
    }
  }
  if (options.isolation !== "sandbox" && options.isolation !== "none") {
    throw new Error(`gradeAll: options.isolation must be "sandbox" or "none", got ${JSON.stringify(options.isolation)}`);
  }
  const started = Date.now();
  const log = options.log ?? ((line: string) => process.stdout.write(line + "\n"));
  const out = resolve(options.out);
  const submissionsRoot = resolve(options.submissions);
  const source = resolve(options.source);
  if (out === submissionsRoot || relative(out, submissionsRoot).split(/[\\/]/)[0] !== "..") {
    throw new Error(`gradeAll: the output folder ${out} must not be the submissions folder or hold it`);
  }
  const submissions = findSubmissions(submissionsRoot, { assignment: options.assignment, skip: [out] });
  const scratch = join(projectRoot, "build", "grading", `run-${process.pid}-${randomBytes(4).toString("hex")}`);
  const settings: GradeSettings = {
    root: projectRoot,
    scratch,
    cellTimeout: options.cellTimeout ?? 60,
    notebookTimeout: options.notebookTimeout ?? 600,
    memoryMb: options.memoryMb ?? 2048,
    processes: options.processes ?? 128,
    isolation: options.isolation,
    // As root, each kernel slot runs as a host uid of its own (no account needed), never as root.
    uidBase: process.getuid?.() === 0 ? UID_BASE : undefined,
  };
  if (settings.isolation === "sandbox" && settings.uidBase !== undefined) {
    const unreadable = unreadableForUid(projectRoot, settings.uidBase);
    if (unreadable !== null) {
      throw new Error(
        `gradeAll: the sandbox runs each kernel as host uid ${settings.uidBase} and up, which cannot read ${unreadable}: ` +
          `a folder on the way is closed to other users (mktemp -d makes such folders). Open it for reading (chmod o+rx) or grade from a project elsewhere`,
      );
    }
  }
  const hide = (message: string) =>
    scrub(message, [
      [out, "<output folder>"],
      [submissionsRoot, "<submissions>"],
      [source, "<instructor notebooks>"],
      [projectRoot, "<project>"],
      [tmpdir(), "<tmp>"],
      [homedir(), "~"],
    ]);
  const assignments = new Map<string, Assignment | Error>();
  const assignmentOf = (name: string): Assignment | Error => {
    let found = assignments.get(name);
    if (found === undefined) {
      try {
        found =
          name === ""
            ? new Error("no assignment name: the notebooks lie directly in the student's folder; give --assignment")
            : loadAssignment(instructorFile(source, name));
      } catch (e) {
        found = e instanceof Error ? e : new Error(String(e));
      }
      assignments.set(name, found);
    }
    return found;
  };
  const writeFeedback = (row: Row) => {
    const name = row.assignment || "_";
    const assignment = assignmentOf(row.assignment);
    const title = notebookTitle(assignment instanceof Error ? null : assignment, name);
    writeFileAtomic(
      join(out, "feedback", row.student, `${safeName(name)}.html`),
      feedbackHtml(row, title, { showHidden: options.showHidden === true }),
    );
  };
  const settingsKey = JSON.stringify([
    GRADER_VERSION,
    settings.cellTimeout,
    settings.notebookTimeout,
    settings.memoryMb,
    settings.processes,
    settings.isolation,
  ]);
  const rows: Row[] = new Array(submissions.length);
  const queue: Array<{ index: number; submission: Submission; key: string; stored: string }> = [];
  let reused = 0;
  submissions.forEach((submission, index) => {
    const assignment = assignmentOf(submission.assignment);
    const files = submission.files.map((f) => `${relative(submissionsRoot, f)}:${fileHash(f)}`);
    const key = sha256(JSON.stringify([settingsKey, assignment instanceof Error ? assignment.message : assignment.hash, files]));
    const stored = join(out, ".results", safeName(submission.assignment || "_"), `${submission.student}.json`);
    const previous = options.force ? null : readStored(stored);
    if (previous !== null && previous.key === key) {
      rows[index] = previous.row;
      writeFeedback(previous.row);
      reused++;
    } else {
      queue.push({ index, submission, key, stored });
    }
  });
  const total = queue.length;
  log(
    `grading ${total} submission${total === 1 ? "" : "s"}` +
      (reused > 0 ? ` (${reused} unchanged, kept)` : "") +
      ` with ${Math.min(options.jobs ?? availableParallelism(), Math.max(1, total))} kernels at a time`,
  );
  let done = 0;
  let peakBytes = 0;
  const gradingStarted = Date.now();
  const gradeOne = async (job: (typeof queue)[number], slot: number): Promise<Row> => {
    const { submission } = job;
    const assignment = assignmentOf(submission.assignment);
    let graded: Graded | undefined;
    let notes: string[] = [];
    try {
      const chosen = pick(submission.files, submission.assignment);
      if (submission.problem !== null)
        graded = ungraded(assignment instanceof Error ? null : assignment, { kind: "refused", reason: submission.problem.split(":")[0] }, [
          submission.problem,
        ]);
      else if (assignment instanceof Error) graded = ungraded(null, { kind: "no-instructor", message: assignment.message });
      else if ("kind" in chosen) graded = ungraded(assignment, chosen);
      else {
        notes = chosen.notes;
        let bytes: Buffer | null = null;
        try {
          bytes = readFileSync(chosen.file);
        } catch (e) {
          graded = ungraded(assignment, { kind: "refused", reason: "unreadable file" }, [e instanceof Error ? e.message : String(e)]);
        }
        graded ??=
          bytes === null
            ? ungraded(assignment, { kind: "refused", reason: "unreadable file" })
            : await gradeFile(assignment, bytes, basename(chosen.file), settings, `job-${job.index}`, slot);
      }
    } catch (e) {
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      graded = ungraded(assignment instanceof Error ? null : assignment, { kind: "grader-error", message });
    }
    graded ??= ungraded(assignment instanceof Error ? null : assignment, { kind: "grader-error", message: "no result" });
    const row: Row = {
      student: submission.student,
      submittedAs: submission.submittedAs,
      assignment: submission.assignment,
      files: submission.files.map((f) => relative(submissionsRoot, f)),
      status: hide(statusText(graded.status)),
      tests: graded.tests.map((t) => ({ ...t, error: t.error === null ? null : hide(t.error) })),
      exercises: graded.exercises.map((e) => ({ ...e, error: e.error === null ? null : hide(e.error) })),
      total: graded.total,
      max: graded.max,
      notes: [...submission.notes, ...notes, ...graded.notes].map(hide),
      seconds: graded.seconds,
      peakMemoryMb: Math.round(graded.peakBytes / 1e6),
      gradedAt: new Date().toISOString(),
    };
    writeFeedback(row);
    if (graded.executed)
      writeFileAtomic(
        join(out, "autograded", submission.student, `${safeName(submission.assignment || "_")}.ipynb`),
        serializeNotebook(graded.executed),
      );
    peakBytes = Math.max(peakBytes, graded.peakBytes);
    const stored: Stored = { version: GRADER_VERSION, key: job.key, row };
    writeFileAtomic(job.stored, JSON.stringify(stored) + "\n");
    return row;
  };
  const worker = async (slot: number) => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      const row = await gradeOne(job, slot);
      rows[job.index] = row;
      done++;
      const elapsed = (Date.now() - gradingStarted) / 1000;
      const eta = (elapsed / done) * (total - done);
      log(
        `[${done}/${total}] ${row.student} · ${row.assignment || "?"}: ${row.total}/${row.max} ${row.status} (${row.seconds.toFixed(1)} s) · ETA ${duration(eta)}`,
      );
    }
  };
  try {
    const kernels = Math.max(1, Math.min(options.jobs ?? availableParallelism(), total));
    await Promise.all(Array.from({ length: kernels }, (_, slot) => worker(slot)));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const gradebook = join(out, "gradebook.csv");
  writeFileAtomic(gradebook, gradebookCsv(rows));
  log(`gradebook: ${gradebook} · feedback: ${join(out, "feedback")} · ${duration((Date.now() - started) / 1000)}`);
  return { rows, graded: total, reused, seconds: (Date.now() - started) / 1000, gradebook, peakBytes };
}

/** A row read back from a results file (written by this grader; checked, not trusted). */
function isRow(x: unknown): x is Row {
  if (typeof x !== "object" || x === null) return false;
  const r = new Map(Object.entries(x));
  const strings = ["student", "assignment", "status", "gradedAt"].every((k) => typeof r.get(k) === "string");
  const numbers = ["total", "max", "seconds"].every((k) => typeof r.get(k) === "number");
  const lists = ["files", "tests", "exercises", "notes"].every((k) => Array.isArray(r.get(k)));
  return strings && numbers && lists;
}

function readStored(file: string): Stored | null {
  try {
    const data: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (typeof data !== "object" || data === null || !("key" in data) || !("row" in data) || !("version" in data)) return null;
    const { key, row, version } = data;
    if (typeof key !== "string" || version !== GRADER_VERSION || !isRow(row)) return null;
    return { version, key, row };
  } catch {
    return null;
  }
}

/** Host uids of the kernels when the grader is root: UID_BASE + the kernel's slot. */
const UID_BASE = 1_900_000;

/** `message` with these absolute paths replaced by labels (notes never show the tutor's folders). */
export function scrub(message: string, paths: Array<[string, string]>): string {
  let result = message;
  const longestFirst = [...paths].filter(([p]) => p.length > 1).sort((a, b) => b[0].length - a[0].length);
  for (const [path, label] of longestFirst)
    result = result
      .split(path + sep)
      .join(label + "/")
      .split(path)
      .join(label);
  return result;
}

/** SHA-256 of a file, or a marker when it cannot be read (the grading then says why). */
function fileHash(file: string): string {
  try {
    return sha256(readFileSync(file));
  } catch (e) {
    return `unreadable: ${e instanceof Error ? e.message : String(e)}`;
  }
}
