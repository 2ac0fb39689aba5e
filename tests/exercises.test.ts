// Every notebook's exercises, through the real tools: no answer is printed above its exercise, the
// instructor solution (and a second, differently written one where the table below has it) scores
// full points in `grade` and passes `validate` alike, and a wrong answer of the right shape scores 0.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { assignmentFromNotebook } from "../src/course/grade/assignment";
import { gradeAll } from "../src/course/grade/batch";
import { releaseNotebook } from "../src/course/grade/release";
import { validateNotebook } from "../src/course/grade/validate";
import { Notebook, readNotebook, serializeNotebook, text } from "../src/course/notebook";
import { BEGIN_SOLUTION, END_SOLUTION } from "../src/course/solutions";
import { alternatives, wrongAnswers } from "./exercise-answers";

const dir = join(__dirname, "..", "notebooks");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ipynb"))
  .sort();
const scratch = mkdtempSync(join(tmpdir(), "exercises-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The instructor's code of a solution cell: the source with the two marker lines taken out. */
function instructorCode(source: string): string {
  return source
    .split("\n")
    .filter((line) => line.trim() !== BEGIN_SOLUTION && line.trim() !== END_SOLUTION)
    .join("\n");
}

/** The released notebook with each solution cell filled in: `code[gradeId]`, else the instructor's code. */
function submission(file: string, code: Record<string, string>): Notebook {
  const instructor = assignmentFromNotebook(readNotebook(file), file);
  const released = releaseNotebook(instructor);
  const cells = released.cells.map((cell) => {
    const graded = instructor.byId.get(gradeIdOf(cell) ?? "");
    if (!graded?.meta.solution) return cell;
    const source = code[graded.meta.gradeId] ?? instructorCode(text(graded.cell.source));
    return { ...cell, source };
  });
  return { ...released, cells };
}

/** The nbgrader grade_id of a cell, or null. */
function gradeIdOf(cell: Notebook["cells"][number]): string | null {
  const m = cell.metadata.nbgrader as { grade_id?: unknown } | undefined;
  return typeof m?.grade_id === "string" ? m.grade_id : null;
}

/** Numbers of a `dl.check` expected argument written as a literal (a number or nested arrays of them), else null. */
function literalNumbers(node: ts.Expression): number[] | null {
  if (ts.isNumericLiteral(node)) return [Number(node.text.replace(/_/g, ""))];
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand))
    return [-Number(node.operand.text.replace(/_/g, ""))];
  if (ts.isArrayLiteralExpression(node)) {
    const parts: number[] = [];
    for (const e of node.elements) {
      const numbers = literalNumbers(e);
      if (numbers === null) return null;
      parts.push(...numbers);
    }
    return parts;
  }
  return null;
}

/** Expected values written as literals in the `dl.check` calls of a test cell. */
function checkedLiterals(source: string): number[][] {
  const found: number[][] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.getText() === "dl.check" && node.arguments.length >= 3) {
      const numbers = literalNumbers(node.arguments[2]);
      if (numbers !== null) found.push(numbers);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, true));
  return found;
}

/** A literal answer is telling when it has three digits or more, or three numbers or more. */
function telling(numbers: number[]): boolean {
  return numbers.length >= 3 || numbers.some((v) => String(Math.abs(v)).replace(/\D/g, "").replace(/^0+/, "").length >= 3);
}

/** A pattern for the numbers as a cell would print them: in order, separated by spaces, commas or brackets. */
function printed(numbers: number[]): RegExp {
  const one = (v: number) => `(?:${[String(v), v.toLocaleString("en-US")].map((s) => s.replace(/[.\-+]/g, "\\$&")).join("|")})`;
  return new RegExp(`(?<![\\d.])${numbers.map(one).join("[\\s,;\\[\\]()]+")}(?![\\d])`);
}

/** Text a student reads in a cell's outputs (streams, plain text, markdown). */
function outputText(cell: Notebook["cells"][number]): string {
  if (cell.cell_type !== "code") return "";
  return cell.outputs
    .map((o) => {
      if (o.output_type === "stream") return text(o.text);
      if (o.output_type === "execute_result" || o.output_type === "display_data") {
        const data = o.data as Record<string, unknown>;
        return ["text/plain", "text/markdown"].map((k) => (data[k] === undefined ? "" : text(data[k] as string | string[]))).join("\n");
      }
      return "";
    })
    .join("\n");
}

describe("checkedLiterals and printed", () => {
  it("find literal answers and where they are printed", () => {
    expect(
      checkedLiterals('dl.check("a", f(1), [[1, -2], [3, 4]]); dl.check("b", g(), h(2)); dl.check("c", k(), -25, { hint: "x" });'),
    ).toEqual([[1, -2, 3, 4], [-25]]);
    expect(printed([1, -2, 3]).test("[[1, -2], [3, 4]]")).toBe(true);
    expect(printed([-25]).test("output: -25")).toBe(true);
    expect(printed([-25]).test("output: -250")).toBe(false);
    expect(printed([921600]).test("921,600 weights")).toBe(true);
    expect(telling([2, 3])).toBe(false);
    expect(telling([400])).toBe(true);
  });
});

describe.each(files)("%s", (file) => {
  const name = file.replace(/\.ipynb$/, "");
  const path = join(dir, file);
  const assignment = assignmentFromNotebook(readNotebook(path), path);
  const solutionIds = assignment.cells.filter((c) => c.meta.solution).map((c) => c.meta.gradeId);
  const second = alternatives[name] ?? {};
  const wrong = wrongAnswers[name] ?? {};
  const folder = join(scratch, name);
  const out = join(scratch, `${name}-graded`);
  mkdirSync(folder, { recursive: true });
  const students: Record<string, Notebook> = { instructor: submission(path, {}) };
  if (Object.keys(second).length > 0) students.second = submission(path, second);
  if (Object.keys(wrong).length > 0) students.wrong = submission(path, wrong);
  for (const [student, nb] of Object.entries(students)) writeFileSync(join(folder, `${student}.ipynb`), serializeNotebook(nb));

  it("the student's copy carries no speaker notes", () => {
    const notes = assignment.notebook.cells.filter(
      (c) => (c.metadata.slideshow as { slide_type?: string } | undefined)?.slide_type === "notes",
    );
    const released = releaseNotebook(assignment);
    for (const cell of notes) expect(released.cells.some((c) => text(c.source) === text(cell.source))).toBe(false);
    expect(released.cells.some((c) => /speaker notes/i.test(text(c.source)))).toBe(false);
  });

  it("has data only for exercises it has", () => {
    for (const id of [...Object.keys(second), ...Object.keys(wrong)]) expect(solutionIds).toContain(id);
  });

  describe("graded and validated", () => {
    let rows: Awaited<ReturnType<typeof gradeAll>>["rows"] = [];
    const validated = new Map<string, Map<string, boolean>>();

    it("grades every submission", async () => {
      const report = await gradeAll({
        submissions: folder,
        out,
        source: path,
        assignment: name,
        jobs: 1,
        cellTimeout: 300,
        notebookTimeout: 1200,
        isolation: "none",
        log: () => undefined,
      });
      rows = report.rows;
      for (const student of ["instructor", ...(students.second ? ["second"] : [])]) {
        const lines: string[] = [];
        await validateNotebook(join(folder, `${student}.ipynb`), { timeout: 300, log: (line) => lines.push(line) });
        const passes = new Map<string, boolean>();
        for (const t of assignment.tests) {
          const line = lines.find((l) => l.includes(`(${t.meta.gradeId}):`));
          passes.set(t.meta.gradeId, line?.startsWith("✔") ?? false);
        }
        validated.set(student, passes);
      }
      expect(rows.length).toBe(Object.keys(students).length);
    }, 3_600_000);

    it("the instructor solution and a second correct one score full points, and validate agrees test by test", () => {
      for (const student of ["instructor", ...(students.second ? ["second"] : [])]) {
        const row = rows.find((r) => r.student === student);
        expect(row?.status, student).toBe("ok");
        for (const t of row?.tests ?? []) {
          expect(`${student} ${t.gradeId}: ${t.points}/${t.maxPoints} ${t.error ?? ""}`).toBe(
            `${student} ${t.gradeId}: ${t.maxPoints}/${t.maxPoints} `,
          );
          expect(validated.get(student)?.get(t.gradeId), `${student} ${t.gradeId} in validate`).toBe(true);
        }
      }
    });

    it("a wrong answer of the right shape scores 0 in the hidden tests", () => {
      const row = rows.find((r) => r.student === "wrong");
      for (const id of Object.keys(wrong)) {
        const tests = assignment.tests.filter((t) => t.exercise === id);
        expect(tests.length, id).toBeGreaterThan(0);
        for (const t of tests) expect(row?.tests.find((s) => s.gradeId === t.meta.gradeId)?.points, `${id}: ${t.meta.gradeId}`).toBe(0);
      }
    });

    it("no exercise's answer is printed in an output of a cell above it", () => {
      const executed = readNotebook(join(out, "autograded", "instructor", `${name}.ipynb`));
      for (const t of assignment.tests) {
        const at = executed.cells.findIndex((c) => gradeIdOf(c) === (t.exercise ?? t.meta.gradeId));
        expect(at, t.meta.gradeId).toBeGreaterThan(0);
        const above = executed.cells.slice(0, at).map(outputText).join("\n");
        for (const numbers of checkedLiterals(text(t.cell.source)).filter(telling)) {
          expect(printed(numbers).test(above), `${t.meta.gradeId}: ${JSON.stringify(numbers)} is printed above the exercise`).toBe(false);
        }
      }
    });
  });
});
