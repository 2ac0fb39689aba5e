// nbgrader's folder layout (submitted/<student>/<assignment>/<notebook>.ipynb) with two assignments,
// a notebook over its time limit, and grading without the sandbox (--isolation none).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { BatchReport, gradeAll, instructorFile } from "../src/course/grade/batch";
import { loadAssignment } from "../src/course/grade/assignment";
import { releaseNotebook } from "../src/course/grade/release";
import { Cell, Notebook, serializeNotebook } from "../src/course/notebook";

const fixtures = join(__dirname, "fixtures", "grade");

function solved(name: string, solutions: Record<string, string>, extra: Cell[] = []): string {
  const nb: Notebook = JSON.parse(serializeNotebook(releaseNotebook(loadAssignment(join(fixtures, `${name}.ipynb`)))));
  for (const cell of nb.cells) {
    const meta = cell.metadata.nbgrader;
    const id = typeof meta === "object" && meta !== null && "grade_id" in meta ? String(meta.grade_id) : "";
    if (solutions[id] !== undefined) cell.source = solutions[id];
  }
  nb.cells.splice(2, 0, ...extra);
  return serializeNotebook(nb);
}

const SUMS = {
  "fixture-sums-add": "function add(a: number, b: number): number { return a + b; }",
  "fixture-sums-total": "function total(xs: number[]): number { let s = 0; for (const x of xs) s += x; return s; }",
  "fixture-sums-square": "function square(x: number): number { return x * x; }",
};
const OTHER = { "fixture-other-double": "function double(x: number): number { return x + x; }" };
const sleeper = (i: number): Cell => ({
  cell_type: "code",
  id: `sleep-${i}`,
  metadata: {},
  source: "await new Promise((resolve) => setTimeout(resolve, 5000));",
  outputs: [],
  execution_count: null,
});

describe("grading nbgrader's layout", () => {
  const root = mkdtempSync(join(tmpdir(), "course-"));
  const submitted = join(root, "submitted");
  const put = (path: string, content: string) => {
    mkdirSync(join(submitted, path, ".."), { recursive: true });
    writeFileSync(join(submitted, path), content);
  };
  put("ann/fixture-sums/fixture-sums.ipynb", solved("fixture-sums", SUMS));
  put("ann/fixture-other/fixture-other.ipynb", solved("fixture-other", OTHER));
  put("ben/fixture-other/fixture-other.ipynb", solved("fixture-other", OTHER, [0, 1, 2, 3, 4, 5, 6, 7].map(sleeper)));
  put("ben/fixture-sums/fixture-sums.ipynb", solved("fixture-sums", SUMS));
  put("ben/fixture-sums/scratch.ipynb", "{}");
  let report: BatchReport;

  beforeAll(async () => {
    report = await gradeAll({
      submissions: submitted,
      out: join(root, "graded"),
      source: fixtures,
      assignment: null,
      jobs: 2,
      cellTimeout: 10,
      notebookTimeout: 30,
      memoryMb: 1024,
      isolation: "none",
      log: () => undefined,
    });
  }, 300_000);

  it("grades each student's assignments against the matching instructor notebook", () => {
    const csv = readFileSync(join(root, "graded", "gradebook.csv"), "utf8")
      .trim()
      .split("\n");
    expect(csv[0]).toBe(
      "student,assignment,fixture-other-double-test,fixture-sums-add-test,fixture-sums-total-test,fixture-sums-square-test,total,max,status,notes",
    );
    expect(csv[1]).toBe("ann,fixture-other,1,,,,1,1,ok,");
    expect(csv[2]).toMatch(/^ben,fixture-other,0,,,,0,1,notebook time limit \(30 s\) in cell \d+,$/);
    expect(csv[3]).toBe("ann,fixture-sums,,2,3,3,8,8,ok,");
    expect(csv[4]).toBe('ben,fixture-sums,,2,3,3,8,8,ok,"also in the folder, not graded: scratch.ipynb"');
  });

  it("stops a notebook at its time limit without holding up the others", () => {
    const ben = report.rows.find((r) => r.student === "ben" && r.assignment === "fixture-other");
    expect(ben?.tests[0]).toMatchObject({ points: 0, outcome: "not run" });
    // Ann's notebooks ran alongside and took less time than Ben's, which ran into the 30 s limit (a
    // fixed bound instead failed once on a loaded machine, where starting a kernel alone took seconds).
    const ann = report.rows.filter((r) => r.student === "ann");
    expect(ben?.seconds).toBeGreaterThanOrEqual(30);
    for (const row of ann) expect(row.seconds).toBeLessThan(ben?.seconds ?? 0);
  });

  it("finds the instructor notebook in notebooks/ or in nbgrader's source/<assignment>/", () => {
    expect(instructorFile(fixtures, "fixture-sums")).toBe(join(fixtures, "fixture-sums.ipynb"));
    const source = join(root, "source", "fixture-sums");
    mkdirSync(source, { recursive: true });
    writeFileSync(join(source, "sums.ipynb"), "{}");
    expect(instructorFile(join(root, "source"), "fixture-sums")).toBe(join(source, "sums.ipynb"));
    expect(() => instructorFile(fixtures, "nope")).toThrow(/no instructor notebook for "nope"/);
  });
});
