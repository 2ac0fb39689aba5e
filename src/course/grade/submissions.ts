// Finding the submissions in a folder. Two layouts are understood:
//   nbgrader's   <submissions>/<student>/<assignment>/<notebook>.ipynb
//   flat         <submissions>/<student>.ipynb  or  <submissions>/<student>/<notebook>.ipynb
// (the flat layouts need the assignment's name). Nothing is opened for writing, no link is
// followed: every entry that looks like a submission gets one, with a problem when it cannot be
// graded (a symlink, a FIFO, a folder named .ipynb…), so each student has a row.
import { createHash } from "crypto";
import { lstatSync, readdirSync } from "fs";
import { basename, join, resolve } from "path";

export interface Submission {
  /** The student's name as a safe file name (what the gradebook and the feedback folder use). */
  student: string;
  /** The name as submitted, when it had to be changed to be safe. */
  submittedAs: string | null;
  /** The assignment's name, "" when the layout does not say and none was given. */
  assignment: string;
  /** The notebooks found for it (absolute paths, sorted): usually one. */
  files: string[];
  /** Why it cannot be graded ("symlink", "not a regular file"…), or null. */
  problem: string | null;
  notes: string[];
}

/** Folders Jupyter and Python make on their own: not submissions. */
const TOOL_FOLDERS = new Set([".ipynb_checkpoints", "__pycache__", ".git", ".DS_Store"]);

type Kind = "file" | "dir" | "link" | "other" | "missing";

function kind(path: string): Kind {
  try {
    const s = lstatSync(path);
    return s.isSymbolicLink() ? "link" : s.isDirectory() ? "dir" : s.isFile() ? "file" : "other";
  } catch {
    return "missing";
  }
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => !TOOL_FOLDERS.has(name))
      .sort();
  } catch {
    return [];
  }
}

/** Most characters of a name kept in file names. */
const NAME_CHARS = 80;

/**
 * A student or assignment name as a safe file name: letters, digits and . _ - @ + kept, anything
 * else "_", no leading dot, at most 80 characters; a changed name gets a short hash of the original
 * so two names never become one.
 */
export function safeName(name: string): string {
  let safe = name.replace(/[^A-Za-z0-9._@+-]/g, "_").replace(/^\./, "_");
  if (safe === "" || safe === "_") safe = "_unnamed";
  if (safe === name && safe.length <= NAME_CHARS) return safe;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${safe.slice(0, NAME_CHARS - 9)}~${hash}`;
}

function problemOf(path: string): string | null {
  const k = kind(path);
  if (k === "link") return "symlink";
  if (k === "other") return "not a regular file";
  if (k === "dir") return "a folder, not a notebook";
  if (k === "missing") return "unreadable file";
  return null;
}

function submission(name: string, assignment: string, files: string[], problem: string | null, notes: string[] = []): Submission {
  const student = safeName(name);
  const renamed = student !== name ? [`submitted as ${JSON.stringify(name.slice(0, 300))}; graded as ${student}`] : [];
  return { student, submittedAs: student !== name ? name : null, assignment, files, problem, notes: [...renamed, ...notes] };
}

/** The notebooks in a student's folder, and the first problem among entries that look like notebooks. */
function notebooksIn(dir: string): { files: string[]; problem: string | null } {
  const files: string[] = [];
  let problem: string | null = null;
  for (const name of entries(dir)) {
    if (!name.endsWith(".ipynb")) continue;
    const path = join(dir, name);
    const why = problemOf(path);
    if (why === null) files.push(path);
    else problem ??= `${why}: ${name}`;
  }
  return { files, problem };
}

/**
 * The submissions under `root`, one per student and assignment. `assignment` (if given) names the
 * assignment of flat layouts and keeps only that assignment's folders of nbgrader's layout.
 * `skip` lists folders to leave out (the output folder, if it lies inside `root`).
 */
export function findSubmissions(root: string, options: { assignment: string | null; skip?: string[] }): Submission[] {
  if (kind(root) !== "dir") throw new Error(`findSubmissions: ${root} is not a folder`);
  const skip = new Set((options.skip ?? []).map((p) => resolve(p)));
  const wanted = options.assignment;
  const found: Submission[] = [];
  for (const name of entries(root)) {
    const path = join(root, name);
    if (skip.has(resolve(path))) continue;
    const type = kind(path);
    if (name.endsWith(".ipynb") && type !== "dir") {
      const why = problemOf(path);
      found.push(submission(basename(name, ".ipynb"), wanted ?? "", why === null ? [path] : [], why));
      continue;
    }
    if (type === "link" || type === "other") {
      found.push(submission(name, wanted ?? "", [], problemOf(path)));
      continue;
    }
    if (type !== "dir") continue;
    if (name.endsWith(".ipynb")) {
      found.push(submission(basename(name, ".ipynb"), wanted ?? "", [], "a folder, not a notebook"));
      continue;
    }
    const rows: Submission[] = [];
    for (const sub of entries(path)) {
      const subPath = join(path, sub);
      const subKind = kind(subPath);
      if (sub.endsWith(".ipynb") || (wanted !== null && sub !== wanted)) continue;
      if (subKind === "link") rows.push(submission(name, sub, [], "symlink"));
      if (subKind !== "dir") continue;
      const inside = notebooksIn(subPath);
      rows.push(
        submission(
          name,
          sub,
          inside.files,
          inside.files.length === 0 ? inside.problem : null,
          inside.files.length > 0 && inside.problem ? [`not graded: ${inside.problem}`] : [],
        ),
      );
    }
    const direct = notebooksIn(path);
    if (direct.files.length > 0 || direct.problem !== null || rows.length === 0) {
      const same = rows.find((r) => r.assignment === (wanted ?? ""));
      if (same) same.files.push(...direct.files);
      else
        rows.push(
          submission(
            name,
            wanted ?? "",
            direct.files,
            direct.files.length === 0 ? direct.problem : null,
            direct.files.length > 0 && direct.problem ? [`not graded: ${direct.problem}`] : [],
          ),
        );
    }
    found.push(...rows);
  }
  return found;
}
