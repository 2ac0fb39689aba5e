// `npx dl-by-hand release | validate | grade`: exercises and grading for tutors and students.
import { readdirSync, statSync } from "fs";
import { join } from "path";
import { checkRelease, releaseFiles } from "./release";
import { validateNotebook } from "./validate";
import { gradeAll } from "./batch";
import { Isolation, namespacesAvailable } from "./sandbox";

export { releaseNotebook, releaseFiles, checkRelease } from "./release";
export { gradeAll } from "./batch";
export { validateNotebook } from "./validate";
export { computeChecksum } from "./checksum";

export const USAGE = `usage:
  dl-by-hand release [notebooks...] [--out DIR] [--check] [--timeout S]
      write the student versions of instructor notebooks (default notebooks/ → release/):
      solutions stubbed, hidden tests removed, outputs cleared, test cells locked and checksummed;
      --check runs each released notebook and checks it fails exactly its exercises
  dl-by-hand validate <notebook> [--timeout S]
      run a notebook in a fresh kernel and say which exercises pass (before submitting)
  dl-by-hand grade <submissions> [--out DIR] [--source PATH] [--assignment NAME] [--jobs N]
                   [--timeout S] [--notebook-timeout S] [--memory MB] [--force] [--isolation auto|namespaces|none]
      grade nbgrader's submitted/<student>/<assignment>/*.ipynb or a folder of <student>.ipynb
      (then --assignment NAME) against the instructor notebooks in --source (default notebooks/);
      writes DIR/gradebook.csv and DIR/feedback/<student>/<assignment>.html (default graded/);
      a rerun grades only changed submissions unless --force
`;

class UsageError extends Error {
  override name = "UsageError";
}

interface Parsed {
  positional: string[];
  values: Map<string, string>;
  flags: Set<string>;
}

function parse(command: string, args: string[], valued: string[], flags: string[]): Parsed {
  const parsed: Parsed = { positional: [], values: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (flags.includes(arg)) parsed.flags.add(arg);
    else if (valued.includes(arg)) {
      const value = args[++i];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`${command}: ${arg} needs a value`);
      parsed.values.set(arg, value);
    } else if (arg.startsWith("--")) throw new UsageError(`${command}: unknown option ${arg}`);
    else parsed.positional.push(arg);
  }
  return parsed;
}

function number(command: string, parsed: Parsed, option: string, min: number): number | undefined {
  const raw = parsed.values.get(option);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new UsageError(`${command}: ${option} must be a number ≥ ${min}, got ${raw}`);
  return value;
}

/** Notebook files named by `paths`: files as given, folders searched for *.ipynb (sorted). */
function notebookFiles(paths: string[]): string[] {
  return paths.flatMap((p) => {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      return [p]; // reported by name when it cannot be read
    }
    if (!isDir) return [p];
    return readdirSync(p)
      .filter((f) => f.endsWith(".ipynb") && !f.startsWith("."))
      .sort()
      .map((f) => join(p, f));
  });
}

async function release(args: string[]): Promise<number> {
  const parsed = parse("release", args, ["--out", "--timeout"], ["--check"]);
  const files = notebookFiles(parsed.positional.length > 0 ? parsed.positional : ["notebooks"]);
  const out = parsed.values.get("--out") ?? "release";
  const timeout = number("release", parsed, "--timeout", 1);
  const reports = releaseFiles(files, out);
  for (const r of reports) process.stdout.write(r.message + "\n");
  let failed = reports.filter((r) => r.out === null).length;
  if (parsed.flags.has("--check")) {
    for (const r of reports) {
      if (r.out === null) continue;
      const check = await checkRelease(r.out, { timeout });
      if (check.problems.length > 0) failed++;
      const verdict = check.problems.length === 0 ? "fails exactly its exercises" : `${check.problems.length} problem(s)`;
      process.stdout.write(`check ${r.out}: ${verdict} (${check.seconds.toFixed(1)} s)\n`);
      for (const p of check.problems) process.stdout.write(`  ${p}\n`);
    }
  }
  process.stdout.write(`${reports.length - failed} of ${reports.length} notebooks released${parsed.flags.has("--check") ? " and checked" : ""}\n`);
  return failed === 0 ? 0 : 1;
}

async function validate(args: string[]): Promise<number> {
  const parsed = parse("validate", args, ["--timeout"], []);
  if (parsed.positional.length !== 1) throw new UsageError("validate: give exactly one notebook");
  const report = await validateNotebook(parsed.positional[0], { timeout: number("validate", parsed, "--timeout", 1) });
  return report.passed === report.tests && report.edited.length === 0 ? 0 : 1;
}

function isolation(parsed: Parsed): Isolation {
  const wanted = parsed.values.get("--isolation") ?? "auto";
  if (wanted !== "auto" && wanted !== "namespaces" && wanted !== "none") {
    throw new UsageError(`grade: --isolation must be auto, namespaces or none, got ${wanted}`);
  }
  const available = namespacesAvailable();
  if (wanted === "namespaces" && !available) {
    throw new UsageError("grade: --isolation namespaces needs Linux with unprivileged user namespaces (util-linux unshare, setpriv)");
  }
  if (wanted === "none" || !available) {
    process.stdout.write("warning: grading without isolation: submissions can read this machine's files (see README, Tutors)\n");
    return "none";
  }
  return "namespaces";
}

async function grade(args: string[]): Promise<number> {
  const valued = ["--out", "--source", "--assignment", "--jobs", "--timeout", "--notebook-timeout", "--memory", "--isolation"];
  const parsed = parse("grade", args, valued, ["--force"]);
  if (parsed.positional.length !== 1) throw new UsageError("grade: give exactly one submissions folder");
  const assignment = parsed.values.get("--assignment") ?? null;
  if (assignment !== null && (/[\\/]/.test(assignment) || assignment === "." || assignment === "..")) {
    throw new UsageError(`grade: --assignment must be a notebook name such as 08-lenet-parameters, got ${assignment}`);
  }
  const source = parsed.values.get("--source") ?? "notebooks";
  const report = await gradeAll({
    submissions: parsed.positional[0],
    out: parsed.values.get("--out") ?? "graded",
    source,
    assignment: assignment ?? (source.endsWith(".ipynb") ? source.replace(/^.*[\\/]/, "").replace(/\.ipynb$/, "") : null),
    jobs: number("grade", parsed, "--jobs", 1),
    cellTimeout: number("grade", parsed, "--timeout", 1),
    notebookTimeout: number("grade", parsed, "--notebook-timeout", 1),
    memoryMb: number("grade", parsed, "--memory", 256),
    force: parsed.flags.has("--force"),
    isolation: isolation(parsed),
  });
  const problems = report.rows.filter((r) => r.status !== "ok").length;
  process.stdout.write(`${report.rows.length} submissions: ${report.graded} graded, ${report.reused} unchanged; ${problems} with a status other than ok\n`);
  return 0;
}

/** Entry point of `dl-by-hand release|validate|grade`; resolves to the exit code. */
export async function cli(command: "release" | "validate" | "grade", args: string[]): Promise<number> {
  try {
    if (command === "release") return await release(args);
    if (command === "validate") return await validate(args);
    if (command === "grade") return await grade(args);
    throw new UsageError(`unknown command ${String(command)}`);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stdout.write(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    process.stdout.write(`${command}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
