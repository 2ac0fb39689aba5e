// Where the runner writes each executed notebook, decided before anything runs, and the rules that
// keep it from destroying or silently rewriting a user's files (README, "Instructors"):
// never into a source folder without --inplace; --inplace writes through a symlink to the real
// file and keeps its mode, but refuses a read-only notebook and one with several hard links;
// two notebooks never write the same file; only regular files are replaced.
import { accessSync, constants, existsSync, realpathSync, statSync } from "fs";
import { basename, dirname, join, resolve } from "path";
import { fileKind } from "./notebook";

/** Where one notebook's executed copy goes, or why it will not be written. */
export interface OutputPlan {
  file: string;
  /** The real file written (symlinks resolved), or null when refused. */
  out: string | null;
  /** Why nothing will be run or written for this notebook, naming it. */
  refusal: string | null;
}

/** `path` with its nearest existing ancestor's symlinks resolved (the path need not exist yet). */
function realPath(path: string): string {
  const full = resolve(path);
  if (existsSync(full)) return realpathSync(full);
  const parent = dirname(full);
  return parent === full ? full : join(realPath(parent), basename(full));
}

/** Why `target` may not be replaced, or null when it may (a missing target may be created). */
export function targetProblem(target: string, inplace: boolean): string | null {
  let st;
  try {
    st = statSync(target);
  } catch {
    return null;
  }
  if (!st.isFile()) return `${target} is ${fileKind(st)}, not a notebook file: it is not replaced`;
  // Write permission by the mode bits, not access(): root may write anywhere, yet a read-only file says "keep me".
  if ((st.mode & 0o222) === 0 || !writable(target)) return `${target} is read-only: it is not replaced (make it writable first)`;
  if (!writable(dirname(target))) return `${dirname(target)} is not writable: ${basename(target)} cannot be replaced safely`;
  if (inplace && st.nlink > 1) {
    return (
      `${target} has ${st.nlink} hard links: --inplace writes a new file, which would cut this name off from the ` +
      `others (and writing over the shared file is not atomic); use --out, or make it a single file first`
    );
  }
  return null;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decide every notebook's output before any runs: `outDir/<name>` (or, with `inplace`, the real
 * file behind the notebook's path). Refused: an --out that is the notebook's own folder, a target
 * that may not be replaced (see targetProblem), and two notebooks whose outputs are the same file
 * (both are refused, each naming the other).
 */
export function planOutputs(files: string[], options: { outDir: string; inplace: boolean }): OutputPlan[] {
  const outDir = realPath(options.outDir);
  const plans = files.map((file): OutputPlan => {
    if (options.inplace) {
      // A missing or unreadable source is reported by the reader, naming it.
      if (!existsSync(file)) return { file, out: null, refusal: null };
      const out = realpathSync(file);
      return { file, out, refusal: problem(file, targetProblem(out, true)) };
    }
    if (realPath(dirname(file)) === outDir) {
      const refusal = `${file}: not run: --out ${options.outDir} is the notebook's own folder; the runner writes into the sources only with --inplace`;
      return { file, out: null, refusal };
    }
    const out = join(outDir, basename(file));
    return { file, out, refusal: problem(file, targetProblem(out, false)) };
  });
  const byTarget = new Map<string, OutputPlan[]>();
  for (const plan of plans) if (plan.out !== null) byTarget.set(plan.out, [...(byTarget.get(plan.out) ?? []), plan]);
  for (const [target, same] of byTarget) {
    if (same.length < 2) continue;
    for (const plan of same) {
      const others = same.filter((p) => p !== plan).map((p) => p.file);
      plan.refusal = `${plan.file}: not run: its output ${target} would be the same file as that of ${others.join(", ")}; rename one, or run them with different --out folders`;
      plan.out = null;
    }
  }
  return plans;
}

function problem(file: string, reason: string | null): string | null {
  return reason === null ? null : `${file}: not run: ${reason}`;
}

/** The mode to give a replaced file: that of the file it replaces, if any. */
export function keptMode(target: string): number | undefined {
  try {
    return statSync(target).mode & 0o7777;
  } catch {
    return undefined;
  }
}
