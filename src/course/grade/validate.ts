// `validate <notebook>` for students: run the notebook as it will be graded (a fresh kernel, every
// cell) and say which exercises pass, before submitting. Hidden tests are not in the student's
// copy, so a pass here is necessary, not sufficient.
import { executeNotebook } from "../runner";
import { readNotebook } from "../notebook";
import { assignmentFromNotebook } from "./assignment";
import { computeChecksum, isLocked } from "./checksum";
import { formatPoints } from "./gradebook";
import { scoreTest } from "./grade";
import { notebookWorkDir } from "./workdir";

export interface ValidateReport {
  passed: number;
  tests: number;
  points: number;
  maxPoints: number;
  /** Locked cells whose checksum no longer matches the released version. */
  edited: string[];
}

/** Validate one notebook, printing one line per test cell; throws on an unreadable notebook. */
export async function validateNotebook(
  file: string,
  options: { timeout?: number; log?: (line: string) => void } = {},
): Promise<ValidateReport> {
  if (typeof file !== "string" || file === "")
    throw new Error(`validateNotebook: file must be a notebook path, got ${JSON.stringify(file)}`);
  const log = options.log ?? ((line: string) => process.stdout.write(line + "\n"));
  const notebook = readNotebook(file);
  const assignment = assignmentFromNotebook(notebook, file);
  const edited: string[] = [];
  for (const graded of assignment.cells) {
    const expected = graded.meta.checksum;
    if (expected !== null && isLocked(graded.meta) && computeChecksum(graded.cell, graded.meta) !== expected) {
      edited.push(graded.meta.gradeId);
      log(`! ${graded.meta.gradeId}: this locked cell was changed; grading uses the original`);
    }
  }
  if (assignment.tests.length === 0) log(`${file}: no test cells (metadata.nbgrader) in this notebook`);
  const work = notebookWorkDir(file);
  let result: Awaited<ReturnType<typeof executeNotebook>>;
  try {
    result = await executeNotebook(notebook, { cwd: work.dir, timeout: options.timeout ?? 120, allowErrors: true });
  } finally {
    work.cleanup();
  }
  const byIndex = new Map(result.cells.map((c) => [c.index, c]));
  let passed = 0;
  let points = 0;
  for (const test of assignment.tests) {
    const score = scoreTest(test, result.notebook.cells[test.index], byIndex.get(test.index));
    const title = test.exercise ? (assignment.titles.get(test.exercise) ?? test.exercise) : test.meta.gradeId;
    const ok = score.outcome === "passed";
    if (ok) passed++;
    points += score.points;
    log(`${ok ? "✔" : "✘"} ${title} (${test.meta.gradeId}): ${formatPoints(score.points)}/${formatPoints(score.maxPoints)} points`);
    for (const line of score.checks) log(`    ${line}`);
    if (score.error && !score.checks.some((line) => line.startsWith("✘"))) log(`    ${score.error}`);
  }
  log(
    `${passed} of ${assignment.tests.length} test cells pass: ${formatPoints(points)}/${formatPoints(assignment.maxPoints)} points (hidden tests run only when grading)`,
  );
  return { passed, tests: assignment.tests.length, points, maxPoints: assignment.maxPoints, edited };
}
