// Grading a class that includes hostile submissions: each gets the status and the score it
// deserves, none crashes the batch, hangs, reads the hidden tests or changes another's grade;
// submissions are never touched and no kernel is left behind.
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, relative, resolve } from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { gradeAll, BatchReport } from "../src/course/grade/batch";
import { loadAssignment } from "../src/course/grade/assignment";
import { releaseNotebook } from "../src/course/grade/release";
import { namespacesAvailable } from "../src/course/grade/sandbox";
import { Notebook, serializeNotebook, text } from "../src/course/notebook";
import { Row } from "../src/course/grade/gradebook";

const fixtures = join(__dirname, "fixtures", "grade");
const instructorFile = resolve(fixtures, "fixture-sums.ipynb");
const released = releaseNotebook(loadAssignment(instructorFile));
const other = releaseNotebook(loadAssignment(join(fixtures, "fixture-other.ipynb")));

const ADD = "function add(a: number, b: number): number {\n  return a + b;\n}";
const TOTAL = "function total(xs: number[]): number {\n  return xs.reduce((s, x) => s + x, 0);\n}";
const SQUARE = "function square(x: number): number {\n  return x * x;\n}";
const WRONG = {
  add: "function add(a: number, b: number): number {\n  return 0;\n}",
  total: "function total(xs: number[]): number {\n  return 0;\n}",
  square: "function square(x: number): number {\n  return 0;\n}",
};

/** A student's notebook: the released one with these solution cells (by exercise name) filled in. */
function student(solutions: { add?: string; total?: string; square?: string }, change: (cells: Notebook["cells"]) => void = () => undefined): string {
  const nb: Notebook = JSON.parse(serializeNotebook(released));
  const code: Record<string, string> = { "fixture-sums-add": solutions.add ?? ADD, "fixture-sums-total": solutions.total ?? TOTAL, "fixture-sums-square": solutions.square ?? SQUARE };
  for (const cell of nb.cells) {
    const meta = cell.metadata.nbgrader;
    const id = typeof meta === "object" && meta !== null && "grade_id" in meta ? String(meta.grade_id) : "";
    if (code[id] !== undefined) cell.source = code[id];
  }
  change(nb.cells);
  return serializeNotebook(nb);
}

interface Case {
  name: string;
  /** File contents by path under the submissions folder. */
  files: Record<string, string>;
  status: string | RegExp;
  scores: number[];
  note?: RegExp;
}

const cases: Case[] = [
  { name: "correct", files: { "correct.ipynb": student({}) }, status: "ok", scores: [2, 3, 3] },
  {
    name: "partly-wrong",
    files: { "partly-wrong.ipynb": student({ total: "function total(xs: number[]): number {\n  return xs.length === 0 ? 1 : xs.reduce((s, x) => s + x);\n}", square: "function square(x: number): number {\n  return x + x;\n}" }) },
    status: "ok",
    scores: [2, 0, 1],
  },
  {
    name: "visible-only",
    files: { "visible-only.ipynb": student({ add: "function add(a: number, b: number): number {\n  return 3;\n}" }) },
    status: "ok",
    scores: [0, 3, 3],
  },
  {
    name: "infinite-loop",
    files: { "infinite-loop.ipynb": student({ total: "function total(xs: number[]): number {\n  while (true) {}\n}" }) },
    status: "timeout in cell 8 (fixture-sums-total-test)",
    scores: [2, 0, 3],
  },
  {
    name: "exit",
    files: { "exit.ipynb": student({ total: `process.exit(3);\n${TOTAL}` }) },
    status: /^kernel died in cell 7 \(fixture-sums-total\): the kernel exited \(code 3\)/,
    scores: [2, 0, 0],
  },
  {
    name: "memory-hog",
    files: { "memory-hog.ipynb": student({ add: `const hog: number[][] = [];\nwhile (true) hog.push(new Array(100_000).fill(1));\n${ADD}` }) },
    status: /^kernel died in cell 4 \(fixture-sums-add\): .*out of memory/,
    scores: [0, 0, 0],
  },
  {
    name: "print-100mb",
    files: { "print-100mb.ipynb": student({ add: `for (let i = 0; i < 100_000; i++) console.log("x".repeat(1000));\n${ADD}` }) },
    status: "ok",
    scores: [2, 3, 3],
  },
  {
    name: "syntax-error",
    files: { "syntax-error.ipynb": student({ add: "function add(a: number, b: number): number {\n  return a + ;\n}" }) },
    status: "ok",
    scores: [0, 3, 3],
  },
  {
    name: "deleted-test",
    files: { "deleted-test.ipynb": student({}, (cells) => void cells.splice(7, 1)) },
    status: "ok",
    scores: [2, 3, 3],
    note: /fixture-sums-total-test: the locked cell was deleted/,
  },
  {
    name: "edited-test",
    files: { "edited-test.ipynb": student({ add: WRONG.add }, (cells) => void (cells[4].source = 'dl.check("1 + 2", 3, 3);')) },
    status: "ok",
    scores: [0, 3, 3],
    note: /fixture-sums-add-test: the locked cell was edited/,
  },
  {
    name: "fake-check",
    files: { "fake-check.ipynb": student({ ...WRONG, add: `const dl: any = { check: () => true, checkTrue: () => true };\n${WRONG.add}` }) },
    status: "ok",
    scores: [0, 0, 0],
    note: /tampered/,
  },
  {
    name: "patched-check",
    files: { "patched-check.ipynb": student({ ...WRONG, add: `try { Object.assign(require("dl-by-hand/dist/check"), { check: () => true }); } catch {}\n${WRONG.add}` }) },
    status: "ok",
    scores: [0, 0, 0],
  },
  {
    name: "patched-builtin",
    files: { "patched-builtin.ipynb": student({ ...WRONG, add: `Math.abs = () => 0;\n${WRONG.add}` }) },
    status: "ok",
    scores: [0, 0, 0],
    note: /tampered/,
  },
  {
    name: "snoop",
    files: {
      "snoop.ipynb": student({
        add: [
          `for (const path of [${JSON.stringify(instructorFile)}, "../../../tests/fixtures/grade/fixture-sums.ipynb", "node_modules/dl-by-hand/tests/fixtures/grade/fixture-sums.ipynb"]) {`,
          `  try { console.log("read", require("fs").readFileSync(path, "utf8").length); } catch (e) { console.log("denied", (e as { code?: string }).code); }`,
          `}`,
          `try { require("fs").writeFileSync(${JSON.stringify(resolve(__dirname, "..", "dist", "check.js"))}, "0"); } catch (e) { console.log("denied", (e as { code?: string }).code); }`,
          `console.log("sees", require("fs").readdirSync(${JSON.stringify(resolve(__dirname, ".."))}).join(","));`,
          ADD,
        ].join("\n"),
      }),
    },
    status: "ok",
    scores: [2, 3, 3],
  },
  {
    name: "kill-others",
    files: { "kill-others.ipynb": student({ total: `process.kill(0, "SIGKILL");\nprocess.kill(-1, "SIGKILL");\nprocess.kill(process.ppid, "SIGKILL");\n${TOTAL}` }) },
    // Inside its namespace the kernel is alone: kill(-1) finds no one (ESRCH), so its solution cell fails.
    status: "ok",
    scores: [2, 0, 3],
  },
  { name: "not-json", files: { "not-json.ipynb": '{"cells": [' }, status: "invalid notebook JSON", scores: [0, 0, 0] },
  { name: "nbformat3", files: { "nbformat3.ipynb": JSON.stringify({ nbformat: 3, nbformat_minor: 0, metadata: {}, worksheets: [] }) }, status: "nbformat 3", scores: [0, 0, 0] },
  { name: "other-assignment", files: { "other-assignment.ipynb": serializeNotebook(other) }, status: "wrong assignment", scores: [0, 0, 0] },
  { name: "empty", files: { "empty.ipynb": "" }, status: "empty file", scores: [0, 0, 0] },
  { name: "two-notebooks", files: { "two-notebooks/mine.ipynb": student({}), "two-notebooks/copy.ipynb": student({}) }, status: "2 notebooks", scores: [0, 0, 0] },
];

function hashes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(root, path)] = createHash("sha256").update(readFileSync(path)).digest("hex");
    }
  };
  walk(root);
  return out;
}

function gradingProcesses(): string[] {
  return execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.includes("grading-kernel"));
}

describe("grading a class with hostile submissions", () => {
  const submissions = mkdtempSync(join(tmpdir(), "submitted-"));
  const out = mkdtempSync(join(tmpdir(), "graded-"));
  for (const c of cases) {
    for (const [path, content] of Object.entries(c.files)) {
      mkdirSync(join(submissions, path, ".."), { recursive: true });
      writeFileSync(join(submissions, path), content);
    }
  }
  const before = hashes(submissions);
  const lines: string[] = [];
  let report: BatchReport;
  const row = (name: string): Row => {
    const found = report.rows.find((r) => r.student === name);
    if (!found) throw new Error(`no row for ${name}`);
    return found;
  };
  const settings = {
    submissions,
    out,
    source: fixtures,
    assignment: "fixture-sums",
    jobs: 2,
    cellTimeout: 20,
    notebookTimeout: 180,
    memoryMb: 768,
    isolation: "namespaces" as const,
    log: (line: string) => lines.push(line),
  };

  beforeAll(async () => {
    expect(namespacesAvailable()).toBe(true);
    report = await gradeAll(settings);
  }, 600_000);

  it.each(cases.map((c) => [c.name, c] as const))("%s", (name, c) => {
    const r = row(name);
    if (typeof c.status === "string") expect(r.status).toBe(c.status);
    else expect(r.status).toMatch(c.status);
    expect(r.tests.map((t) => t.points)).toEqual(c.scores);
    expect(r.total).toBe(c.scores.reduce((a, b) => a + b, 0));
    expect(r.max).toBe(8);
    if (c.note) expect(r.notes.join("\n")).toMatch(c.note);
  });

  it("runs the hidden tests and says which check failed", () => {
    const add = row("visible-only").tests[0];
    expect(add.checks).toEqual(["✔ 1 + 2", "✘ hidden: -1 + 1: expected 0, got 3"]);
    expect(add.error).toBe("CheckError: hidden: -1 + 1: expected 0, got 3");
    expect(row("partly-wrong").tests[2]).toMatchObject({ points: 1, outcome: "partial", checks: ["✘ square(1) = 1", "✔ square(2) = 4", "✘ square(3) = 9"] });
  });

  it("keeps the instructor's files, the library and the other students out of reach of a submission", () => {
    const graded = readFileSync(join(out, "autograded", "snoop", "fixture-sums.ipynb"), "utf8");
    const output = text(JSON.parse(graded).cells[4].outputs.map((o: { text?: string }) => o.text ?? "").join(""));
    expect(output).toBe("denied ENOENT\ndenied ENOENT\ndenied ENOENT\ndenied EROFS\nsees build,datasets,dist,node_modules,package.json\n");
    expect(readFileSync(resolve(__dirname, "..", "dist", "check.js"), "utf8")).not.toBe("0");
  });

  it("reports tampering with the self-checks in the test's error", () => {
    expect(row("fake-check").tests[0].error).toContain("the self-checks were replaced");
    expect(row("patched-builtin").tests[0].error).toContain("Math.abs was replaced");
    expect(row("patched-check").tests[0].error).toBe("CheckError: 1 + 2: expected 3, got 0 — hint: use +");
  });

  it("truncates a flood of output instead of keeping it", () => {
    const graded = readFileSync(join(out, "autograded", "print-100mb", "fixture-sums.ipynb"), "utf8");
    expect(graded.length).toBeLessThan(1_000_000);
    expect(graded).toContain("output truncated");
  });

  it("writes the gradebook with a row per student and one feedback page each", () => {
    const csv = readFileSync(join(out, "gradebook.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("student,assignment,fixture-sums-add-test,fixture-sums-total-test,fixture-sums-square-test,total,max,status,notes");
    expect(csv).toHaveLength(cases.length + 1);
    expect(csv).toContain("correct,fixture-sums,2,3,3,8,8,ok,");
    for (const c of cases) {
      const page = readFileSync(join(out, "feedback", c.name, "fixture-sums.html"), "utf8");
      expect(page).toContain(`${row(c.name).total} of 8`.replace(" of ", "</b>of "));
    }
    expect(lines.filter((l) => /^\[\d+\/\d+\] /.test(l))).toHaveLength(cases.length);
    expect(lines.at(-1)).toContain("gradebook");
  });

  it("never changes a submission and leaves no kernel behind", () => {
    expect(hashes(submissions)).toEqual(before);
    expect(gradingProcesses()).toEqual([]);
  });

  it("regrades only what changed on a rerun, everything with force", async () => {
    const again = await gradeAll({ ...settings, log: () => undefined });
    expect([again.graded, again.reused]).toEqual([0, cases.length]);
    expect(again.rows.map((r) => [r.student, r.total, r.status])).toEqual(report.rows.map((r) => [r.student, r.total, r.status]));
    writeFileSync(join(submissions, "empty.ipynb"), "{ still not a notebook");
    const changed = await gradeAll({ ...settings, log: () => undefined });
    expect([changed.graded, changed.reused]).toEqual([1, cases.length - 1]);
    expect(changed.rows.find((r) => r.student === "empty")?.status).toBe("invalid notebook JSON");
  }, 120_000);
});
