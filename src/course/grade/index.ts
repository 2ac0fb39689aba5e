// `npx dl-by-hand release | validate | grade`: exercises and grading for tutors and students.
import { numberOption as number, parseCommandLine as parse, ParsedArgs as Parsed, UsageError } from "../args";
import { findNotebooks } from "../notebook-files";
import { checkRelease, releaseFiles } from "./release";
import { validateNotebook } from "./validate";
import { gradeAll } from "./batch";
import { Isolation, sandboxProblem } from "./sandbox";

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
                   [--timeout S] [--notebook-timeout S] [--memory MB] [--processes N] [--force]
                   [--show-hidden] [--isolation sandbox|none]
      grade nbgrader's submitted/<student>/<assignment>/*.ipynb or a folder of <student>.ipynb
      (then --assignment NAME) against the instructor notebooks in --source (default notebooks/);
      writes DIR/gradebook.csv and DIR/feedback/<student>/<assignment>.html (default graded/);
      a rerun grades only changed submissions unless --force; --show-hidden (after the deadline)
      puts the hidden tests in the feedback; each submission runs in a bubblewrap sandbox with
      memory and process limits, and grade refuses to run without one unless --isolation none
`;

async function release(args: string[]): Promise<number> {
  const parsed = parse("release", args, ["--out", "--timeout"], ["--check"]);
  const files = findNotebooks(parsed.positional.length > 0 ? parsed.positional : ["notebooks"]);
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
  process.stdout.write(
    `${reports.length - failed} of ${reports.length} notebooks released${parsed.flags.has("--check") ? " and checked" : ""}\n`,
  );
  return failed === 0 ? 0 : 1;
}

async function validate(args: string[]): Promise<number> {
  const parsed = parse("validate", args, ["--timeout"], []);
  if (parsed.positional.length !== 1) throw new UsageError("validate: give exactly one notebook");
  const report = await validateNotebook(parsed.positional[0], { timeout: number("validate", parsed, "--timeout", 1) });
  return report.passed === report.tests && report.edited.length === 0 ? 0 : 1;
}

function isolation(parsed: Parsed): Isolation {
  const wanted = parsed.values.get("--isolation") ?? "sandbox";
  if (wanted !== "sandbox" && wanted !== "none") throw new UsageError(`grade: --isolation must be sandbox or none, got ${wanted}`);
  if (wanted === "none") {
    process.stdout.write(
      "warning: grading without a sandbox (--isolation none): submissions can read and change this machine's files; grade only trusted work this way\n",
    );
    return "none";
  }
  const problem = sandboxProblem();
  if (problem !== null) {
    throw new Error(
      `refusing to grade untrusted work: this machine cannot sandbox the kernels: ${problem}. Fix that, or grade trusted work with --isolation none`,
    );
  }
  return "sandbox";
}

async function grade(args: string[]): Promise<number> {
  const valued = [
    "--out",
    "--source",
    "--assignment",
    "--jobs",
    "--timeout",
    "--notebook-timeout",
    "--memory",
    "--processes",
    "--isolation",
  ];
  const parsed = parse("grade", args, valued, ["--force", "--show-hidden"]);
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
    processes: number("grade", parsed, "--processes", 32),
    force: parsed.flags.has("--force"),
    showHidden: parsed.flags.has("--show-hidden"),
    isolation: isolation(parsed),
  });
  const problems = report.rows.filter((r) => r.status !== "ok").length;
  process.stdout.write(
    `${report.rows.length} submissions: ${report.graded} graded, ${report.reused} unchanged; ${problems} with a status other than ok\n`,
  );
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
      process.stderr.write(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`${command}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
