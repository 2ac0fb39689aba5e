// Finding the submissions in a folder. Two layouts are understood:
//   nbgrader's   <submissions>/<student>/<assignment>/<notebook>.ipynb
//   flat         <submissions>/<student>.ipynb  or  <submissions>/<student>/<notebook>.ipynb
// (the flat layouts need the assignment's name). Nothing is opened for writing.
import { readdirSync, statSync } from "fs";
import { basename, join, resolve } from "path";

export interface Submission {
  student: string;
  /** The assignment's name, "" when the layout does not say and none was given. */
  assignment: string;
  /** The notebooks found for it (absolute paths, sorted): usually one. */
  files: string[];
}

function visible(name: string): boolean {
  return !name.startsWith(".") && name !== "__pycache__";
}

function kind(path: string): "file" | "dir" | "other" {
  try {
    const s = statSync(path);
    return s.isDirectory() ? "dir" : s.isFile() ? "file" : "other";
  } catch {
    return "other";
  }
}

function entries(dir: string): string[] {
  return readdirSync(dir).filter(visible).sort();
}

function notebooksIn(dir: string): string[] {
  return entries(dir)
    .filter((name) => name.endsWith(".ipynb") && kind(join(dir, name)) === "file")
    .map((name) => join(dir, name));
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
    if (type === "file" && name.endsWith(".ipynb")) {
      found.push({ student: basename(name, ".ipynb"), assignment: wanted ?? "", files: [path] });
      continue;
    }
    if (type !== "dir") continue;
    const rows: Submission[] = [];
    for (const sub of entries(path)) {
      if (kind(join(path, sub)) !== "dir" || (wanted !== null && sub !== wanted)) continue;
      rows.push({ student: name, assignment: sub, files: notebooksIn(join(path, sub)) });
    }
    const direct = notebooksIn(path);
    if (direct.length > 0 || rows.length === 0) {
      const same = rows.find((r) => r.assignment === (wanted ?? ""));
      if (same) same.files.push(...direct);
      else rows.push({ student: name, assignment: wanted ?? "", files: direct });
    }
    found.push(...rows);
  }
  return found;
}
