// Released notebooks fail exactly their exercises when run, and `validate` tells a student which
// exercises pass. Runs real kernels on the fixture and on the welcome notebook.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { afterAll, describe, expect, it } from "vitest";
import { loadAssignment } from "../src/course/grade/assignment";
import { checkRelease, releaseFiles, releaseNotebook } from "../src/course/grade/release";
import { validateNotebook } from "../src/course/grade/validate";
import { Notebook, serializeNotebook } from "../src/course/notebook";

// Kernels resolve "dl-by-hand" from their folder upwards: the released copies live inside the project.
const work = join(__dirname, "..", "build", "test-grade-release", String(process.pid));
const fixture = join(__dirname, "fixtures", "grade", "fixture-sums.ipynb");
// A tutor's or a student's copy kept anywhere else on disk (no node_modules above it).
const outside = mkdtempSync(join(tmpdir(), "dl-by-hand-outside-"));
mkdirSync(work, { recursive: true });
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe("a released notebook", () => {
  it("fails exactly its exercises: the tests say not implemented, every other cell passes (also outside the course folder)", async () => {
    const [report] = releaseFiles([fixture], join(outside, "release"));
    const check = await checkRelease(report.out ?? "");
    expect(check.problems).toEqual([]);
  });

  it("is reported when a test passes without the student's code or another cell fails", async () => {
    const nb: Notebook = JSON.parse(readFileSync(fixture, "utf8"));
    nb.cells[7].source = 'dl.check("free points", 1, 1);';
    nb.cells[11] = {
      cell_type: "code",
      id: "broken",
      metadata: {},
      source: 'throw new Error("broken demo");',
      outputs: [],
      execution_count: null,
    };
    const file = join(work, "bad", "fixture-sums.ipynb");
    mkdirSync(join(work, "bad"), { recursive: true });
    writeFileSync(file, serializeNotebook(nb));
    const [report] = releaseFiles([file], join(work, "bad-release"));
    const check = await checkRelease(report.out ?? "");
    expect(check.problems).toEqual([
      'cell 8 (fixture-sums-total-test): a test cell should fail with "not implemented", got a pass',
      "cell 12: should pass, got Error: broken demo",
    ]);
  });

  // The welcome notebook teaches the exercise format; the other lectures are checked with
  // `dl-by-hand release --check` (see README, Tutors), which takes minutes.
  it("00-welcome fails exactly its exercises once released", async () => {
    const [report] = releaseFiles([join(__dirname, "..", "notebooks", "00-welcome.ipynb")], join(work, "lectures"));
    expect(report.out, report.message).not.toBeNull();
    const check = await checkRelease(report.out ?? "");
    expect(check.problems).toEqual([]);
  });
});

describe("validate", () => {
  it("says which exercises pass and notices an edited test cell, for a notebook outside the course folder", async () => {
    const released: Notebook = JSON.parse(serializeNotebook(releaseNotebook(loadAssignment(fixture))));
    released.cells[3].source = "function add(a: number, b: number): number {\n  return a + b;\n}";
    released.cells[9].source = "function square(x: number): number {\n  return x === 2 ? 4 : 0;\n}";
    released.cells[7].source = 'dl.check("total of [1, 2, 3]", 6, 6);';
    const file = join(outside, "student", "fixture-sums.ipynb");
    mkdirSync(join(outside, "student"), { recursive: true });
    writeFileSync(file, serializeNotebook(released));
    const lines: string[] = [];
    const report = await validateNotebook(file, { log: (l) => lines.push(l) });
    expect(report).toMatchObject({ passed: 2, tests: 3, points: 6, maxPoints: 8, edited: ["fixture-sums-total-test"] });
    expect(lines).toContain("✔ Exercise 1 — add two numbers (fixture-sums-add-test): 2/2 points");
    expect(lines).toContain("✘ Exercise 3 — squares (partial credit) (fixture-sums-square-test): 1/3 points");
    expect(lines).toContain("! fixture-sums-total-test: this locked cell was changed; grading uses the original");
    expect(lines.at(-1)).toBe("2 of 3 test cells pass: 6/8 points (hidden tests run only when grading)");
  });
});
