// The grading tool's parts that need no kernel: nbgrader's checksum, the student version, restoring
// the tests, scoring a test cell, the gradebook, the feedback page and finding submissions.
import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { describe, expect, it, vi } from "vitest";
import { CodeCell, Notebook, readNotebook, text } from "../src/course/notebook";
import { assignmentFromNotebook, loadAssignment } from "../src/course/grade/assignment";
import { computeChecksum, nbgraderMeta, pythonFloat } from "../src/course/grade/checksum";
import { releaseFiles, releaseNotebook, splitLines } from "../src/course/grade/release";
import { restoreSubmission } from "../src/course/grade/restore";
import { deathReason, scoreTest, statusText } from "../src/course/grade/grade";
import { csvField, gradebookCsv, Row } from "../src/course/grade/gradebook";
import { feedbackHtml } from "../src/course/grade/feedback";
import { escapeHtml } from "../src/course/html";
import { findSubmissions, safeName } from "../src/course/grade/submissions";
import { scrub } from "../src/course/grade/batch";
import { capOutputs } from "../src/course/grade/outputs";
import { guardTestCell } from "../src/course/grade/integrity";
import { sandboxSpec } from "../src/course/grade/sandbox";
import { cli } from "../src/course/grade/index";
import { CellResult } from "../src/course/runner";

const fixture = join(__dirname, "fixtures", "grade", "fixture-sums.ipynb");
const notebooksDir = join(__dirname, "..", "notebooks");

// What nbgrader's generate_assignment makes of a notebook with the shipped nbgrader_config.py.
const reference = join(__dirname, "fixtures", "grade", "nbgrader_reference.py");
const config = join(__dirname, "..", "nbgrader_config.py");

function codeCell(source: string, nbgrader?: Record<string, unknown>): CodeCell {
  return { cell_type: "code", metadata: nbgrader ? { nbgrader } : {}, source, outputs: [], execution_count: null };
}

describe("nbgrader checksum", () => {
  it("gives the student version and checksums nbgrader would, for the fixture and every lecture", () => {
    const files = [
      fixture,
      ...readdirSync(notebooksDir)
        .filter((f) => f.endsWith(".ipynb"))
        .map((f) => join(notebooksDir, f)),
    ];
    const run = spawnSync("python3", [reference, config, ...files], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    const expected: Record<string, Array<{ source: string; checksum: string | null }>> = JSON.parse(run.stdout);
    let checksums = 0;
    for (const file of files) {
      const released = releaseNotebook(loadAssignment(file));
      const got = released.cells.map((cell) => {
        const nbgrader = cell.metadata.nbgrader;
        const checksum = typeof nbgrader === "object" && nbgrader !== null && "checksum" in nbgrader ? String(nbgrader.checksum) : null;
        return { source: text(cell.source), checksum };
      });
      // Beyond nbgrader, the student version leaves out the speaker notes (lecturer only).
      const notes = new Set(
        loadAssignment(file)
          .notebook.cells.filter((c) => (c.metadata.slideshow as { slide_type?: string } | undefined)?.slide_type === "notes")
          .map((c) => text(c.source)),
      );
      expect(got, file).toEqual(expected[file].filter((c) => !notes.has(c.source)));
      checksums += got.filter((c) => c.checksum !== null).length;
    }
    expect(checksums).toBeGreaterThan(files.length * 2);
  });

  it("changes when the source or the points change", () => {
    const cell = codeCell("dl.check('x', 1, 1);", { grade: true, solution: false, locked: true, points: 2, grade_id: "t" });
    const meta = nbgraderMeta(cell, "test");
    if (meta === null) throw new Error("no metadata");
    const before = computeChecksum(cell, meta);
    expect(computeChecksum({ ...cell, source: "dl.check('x', 1, 2);" }, meta)).not.toBe(before);
    expect(computeChecksum(cell, { ...meta, points: 3 })).not.toBe(before);
  });

  it("writes points as Python's str(float) does", () => {
    expect([2, 0.5, 1e16, 0.00001, 0, 12.25].map(pythonFloat)).toEqual(["2.0", "0.5", "1e+16", "1e-05", "0.0", "12.25"]);
  });

  it("rejects a grade cell without points, naming the cell", () => {
    expect(() => nbgraderMeta(codeCell("x", { grade: true, grade_id: "t" }), "nb.ipynb: cell 3")).toThrow(/nb.ipynb: cell 3: .*points/);
  });
});

describe("release", () => {
  const assignment = loadAssignment(fixture);
  const released = releaseNotebook(assignment);

  it("replaces solutions by the stub and drops hidden tests, keeping visible tests and cell ids", () => {
    const json = JSON.stringify(released);
    expect(json).not.toContain("BEGIN SOLUTION");
    expect(json).not.toContain("HIDDEN TESTS");
    expect(json).not.toContain("hidden:");
    expect(json).not.toContain("return a + b");
    const add = released.cells[3];
    expect(text(add.source)).toBe(
      'function add(a: number, b: number): number {\n  // YOUR CODE HERE\n  throw new Error("not implemented");\n}',
    );
    expect(text(released.cells[4].source)).toBe('dl.check("1 + 2", add(1, 2), 3, { hint: "use +" });');
    expect(released.cells.map((c) => c.id)).toEqual(assignment.notebook.cells.map((c) => c.id));
  });

  it("clears outputs and locks the exercise cells as nbgrader does", () => {
    const withOutputs: Notebook = {
      ...assignment.notebook,
      cells: assignment.notebook.cells.map((c) =>
        c.cell_type === "code"
          ? { ...c, execution_count: 7, outputs: [{ output_type: "stream", name: "stdout", text: "✔ hidden: -1 + 1\n" }] }
          : c,
      ),
    };
    const out = releaseNotebook(assignmentFromNotebook(withOutputs, fixture));
    for (const cell of out.cells) if (cell.cell_type === "code") expect([cell.outputs, cell.execution_count]).toEqual([[], null]);
    expect(out.cells[4].metadata).toMatchObject({ deletable: false, editable: false, nbgrader: { cell_type: "code", points: 2 } });
    expect(out.cells[3].metadata).toMatchObject({ deletable: false });
    expect(out.cells[3].metadata.editable).toBeUndefined();
  });

  it("refuses solution delimiters outside a solution cell", () => {
    const bad: Notebook = { ...assignment.notebook, cells: [codeCell("// BEGIN SOLUTION\nx\n// END SOLUTION")] };
    expect(() => assignmentFromNotebook(bad, "bad.ipynb")).toThrow(/bad.ipynb: cell 1: .*not a solution cell/);
  });

  it("keeps Jupyter's list-of-lines source", () => {
    expect(splitLines("a\nb\n\nc")).toEqual(["a\n", "b\n", "\n", "c"]);
    expect(Array.isArray(released.cells[3].source)).toBe(true);
  });

  it("never writes over the instructor's folder and reports bad notebooks while releasing the others", () => {
    const dir = mkdtempSync(join(tmpdir(), "release-"));
    writeFileSync(join(dir, "broken.ipynb"), "{ not json");
    const reports = releaseFiles([join(dir, "broken.ipynb"), fixture], join(dir, "out"));
    expect(reports[0].out).toBeNull();
    expect(reports[0].message).toContain("not valid notebook JSON");
    expect(reports[1].out).toBe(join(dir, "out", "fixture-sums.ipynb"));
    const same = releaseFiles([join(dir, "out", "fixture-sums.ipynb")], join(dir, "out"));
    expect(same[0]).toMatchObject({ out: null });
    expect(same[0].message).toContain("own folder");
  });

  it("releases every lecture notebook without a solution, a hidden test or an output", () => {
    const files = readdirSync(notebooksDir)
      .filter((f) => f.endsWith(".ipynb"))
      .sort();
    expect(files.length).toBeGreaterThan(0);
    const out = mkdtempSync(join(tmpdir(), "release-all-"));
    const before = files.map((f) => readFileSync(join(notebooksDir, f), "utf8"));
    const reports = releaseFiles(
      files.map((f) => join(notebooksDir, f)),
      out,
    );
    for (const r of reports) {
      expect(r.out, r.message).not.toBeNull();
      const nb = readNotebook(r.out ?? "");
      expect(JSON.stringify(nb)).not.toMatch(/BEGIN (SOLUTION|HIDDEN TESTS)/);
      for (const cell of nb.cells) if (cell.cell_type === "code") expect(cell.outputs).toEqual([]);
    }
    expect(files.map((f) => readFileSync(join(notebooksDir, f), "utf8"))).toEqual(before);
  });
});

describe("restoring the tests of a submission", () => {
  const assignment = loadAssignment(fixture);
  const student = releaseNotebook(assignment);

  it("puts back an edited test cell, with its hidden tests, and says so", () => {
    const edited: Notebook = {
      ...student,
      cells: student.cells.map((c, i) => (i === 4 ? { ...c, source: 'dl.check("1 + 2", 3, 3);' } : c)),
    };
    const restored = restoreSubmission(assignment, edited);
    expect(text(restored.notebook.cells[4].source)).toContain("hidden: -1 + 1");
    expect(restored.notes).toEqual(["fixture-sums-add-test: the locked cell was edited; the original was used"]);
  });

  it("puts back a deleted test cell right after its exercise", () => {
    const deleted: Notebook = { ...student, cells: student.cells.filter((_, i) => i !== 7) };
    const restored = restoreSubmission(assignment, deleted);
    expect(restored.positions.get("fixture-sums-total-test")).toBe(7);
    expect(text(restored.notebook.cells[7].source)).toContain("hidden: total of []");
    expect(restored.notes).toEqual(["fixture-sums-total-test: the locked cell was deleted; the original was put back"]);
  });

  it("keeps the student's solutions and extra cells but not their nbgrader metadata tricks", () => {
    const extra = codeCell("const helper = 1;", { grade: true, solution: false, points: 100, grade_id: "my-bonus" });
    const cells = [...student.cells];
    cells.splice(3, 1, { ...cells[3], source: "function add(a: number, b: number): number { return a + b + helper - 1; }" });
    cells.splice(3, 0, extra);
    const restored = restoreSubmission(assignment, { ...student, cells });
    expect(text(restored.notebook.cells[4].source)).toContain("helper - 1");
    expect(restored.notebook.cells[3].metadata.nbgrader).toBeUndefined();
    expect(restored.notes).toEqual(['cell 4: grade_id "my-bonus" is not part of this assignment; it ran as an ordinary cell']);
    expect(restored.matched).toBe(6);
  });

  it("finds nothing to grade in another assignment's notebook", () => {
    const other = releaseNotebook(loadAssignment(join(__dirname, "fixtures", "grade", "fixture-other.ipynb")));
    expect(restoreSubmission(assignment, other).matched).toBe(0);
  });
});

describe("scoring a test cell", () => {
  const test = { ...loadAssignment(fixture).tests[2] };
  const ok: CellResult = { index: 0, status: "ok", seconds: 0.1 };

  it("gives the points when the kernel said ok and nothing went to stderr or an error output", () => {
    const cell = codeCell("x");
    cell.outputs = [{ output_type: "stream", name: "stdout", text: "✔ one\nnoise\n✘ two: expected 1\n" }];
    expect(scoreTest(test, cell, ok)).toMatchObject({ points: 3, outcome: "passed", checks: ["✔ one", "✘ two: expected 1"] });
  });

  it("when grading, gives the points only with the cell's own confirmation on stdout", () => {
    const tag = "#grading-confirmation 1234";
    const forged = codeCell("x");
    forged.outputs = [{ output_type: "stream", name: "stdout", text: "✔ one\n#grading-confirmation 9999\n" }];
    expect(scoreTest(test, forged, ok, tag)).toMatchObject({
      points: 0,
      outcome: "failed",
      error: expect.stringContaining("saw no confirmation"),
    });
    const real = codeCell("x");
    real.outputs = [{ output_type: "stream", name: "stdout", text: `✔ one\n${tag}\n` }];
    expect(scoreTest(test, real, ok, tag)).toMatchObject({ points: 3, outcome: "passed" });
  });

  it("gives 0 for an error reply, an error output, stderr, or a cell that never ran", () => {
    const cell = codeCell("x");
    expect(scoreTest(test, cell, { ...ok, status: "error", error: { ename: "CheckError", evalue: "nope" } })).toMatchObject({
      points: 0,
      error: "CheckError: nope",
    });
    const withError = codeCell("x");
    withError.outputs = [{ output_type: "error", ename: "Error", evalue: "late", traceback: [] }];
    expect(scoreTest(test, withError, ok).points).toBe(0);
    const withStderr = codeCell("x");
    withStderr.outputs = [{ output_type: "stream", name: "stderr", text: "warning\n" }];
    expect(scoreTest(test, withStderr, ok)).toMatchObject({ points: 0, outcome: "failed" });
    expect(scoreTest(test, cell, { ...ok, status: "skipped" })).toMatchObject({ points: 0, outcome: "not run" });
    expect(scoreTest(test, cell, undefined).outcome).toBe("not run");
  });

  it("gives partial credit for a numeric result, as nbgrader does", () => {
    const result = (plain: string) => {
      const cell = codeCell("x");
      cell.outputs = [{ output_type: "execute_result", execution_count: 1, data: { "text/plain": plain }, metadata: {} }];
      return scoreTest(test, cell, ok);
    };
    expect(result("1.5")).toMatchObject({ points: 1.5, outcome: "partial" });
    expect(result("0")).toMatchObject({ points: 0, outcome: "partial" });
    expect(result("'1.5'").points).toBe(3);
    expect(result("-1").points).toBe(3);
    expect(result("7").points).toBe(3);
  });
});

describe("statuses", () => {
  it("say what happened in a few words", () => {
    expect(statusText({ kind: "timeout", cell: 8, gradeId: "a-test" })).toBe("timeout in cell 8 (a-test)");
    expect(statusText({ kind: "dead", cell: 4, gradeId: null, reason: "out of memory" })).toBe("kernel died in cell 4: out of memory");
    expect(statusText({ kind: "nbformat", message: "x.ipynb: nbformat 3 is not supported" })).toBe("nbformat 3");
    expect(statusText({ kind: "several-notebooks", files: ["a.ipynb", "b.ipynb"] })).toBe("2 notebooks");
  });

  it("tell a memory death from process.exit", () => {
    expect(deathReason("the kernel died (exit code 134): FATAL ERROR: Reached heap limit Allocation failed")).toBe("out of memory");
    expect(deathReason("the kernel died (exit code 0): ")).toContain("exited (code 0)");
  });
});

describe("gradebook and feedback", () => {
  const row: Row = {
    student: '=HYPERLINK("x")',
    assignment: "fixture-sums",
    files: ["a.ipynb"],
    status: "ok",
    tests: [
      { gradeId: "t1", exercise: "e1", points: 1.5, maxPoints: 2, outcome: "partial", hidden: false, checks: ["✔ <b>ok</b>"], error: null },
      {
        gradeId: "t2",
        exercise: null,
        points: 0,
        maxPoints: 1,
        outcome: "failed",
        hidden: false,
        checks: [],
        error: 'Error: "quoted", <script>',
      },
      {
        gradeId: "t3",
        exercise: "e1",
        points: 0,
        maxPoints: 4,
        outcome: "failed",
        hidden: true,
        checks: ["✘ secret: expected 42, got 1"],
        error: "CheckError: secret: expected 42, got 1",
      },
    ],
    exercises: [{ gradeId: "e1", title: "Exercise <1>", code: "x < 1 && y", error: null }],
    total: 1.5,
    max: 3,
    notes: ["a, b"],
    seconds: 1,
    gradedAt: "2025-01-01T10:00:00.000Z",
  };

  it("writes a CSV with one column per test cell, quoting and defusing formulas", () => {
    const csv = gradebookCsv([row]).split("\n");
    expect(csv[0]).toBe("student,assignment,t1,t2,t3,total,max,status,notes");
    expect(csv[1]).toBe(`"'=HYPERLINK(""x"")",fixture-sums,1.5,0,0,1.5,3,ok,"a, b"`);
    expect(csvField("-1")).toBe(`"'-1"`);
    expect(csvField("@SUM(A1)")).toBe(`"'@SUM(A1)"`);
    expect(csvField("\tx")).toBe(`"'\tx"`);
    expect(csvField("+1")).toBe(`"'+1"`);
    expect(csvField("a;b")).toBe(`"a;b"`);
    expect(csvField("plain")).toBe("plain");
  });

  it("shows tests with hidden checks only with showHidden, and counts the visible ones before", () => {
    const before = feedbackHtml(row, "Sums");
    expect(before).not.toContain("secret");
    expect(before).not.toContain("t3");
    expect(before).toContain("1 test with hidden checks");
    expect(before).toContain("<b>1.5</b>of 3 points");
    const after = feedbackHtml(row, "Sums", { showHidden: true });
    expect(after).toContain("secret: expected 42, got 1");
    expect(after).toContain("<b>1.5</b>of 7 points");
  });

  it("escapes everything that comes from the submission", () => {
    const html = feedbackHtml(row, "Sums");
    expect(html).not.toContain("<script>");
    expect(html).toContain(escapeHtml('Error: "quoted", <script>'));
    expect(html).toContain("&lt;b&gt;ok&lt;/b&gt;");
    expect(html).toContain("Exercise &lt;1&gt;");
    expect(html).toContain("1.5 / 2 points");
  });
});

describe("finding submissions", () => {
  it("reads nbgrader's layout and the flat one, and never lists the output folder", () => {
    const root = mkdtempSync(join(tmpdir(), "subs-"));
    const put = (path: string) => {
      mkdirSync(join(root, path, ".."), { recursive: true });
      writeFileSync(join(root, path), "{}");
    };
    put("ann/a1/a1.ipynb");
    put("ann/a2/x.ipynb");
    put("ben.ipynb");
    put("cat/one.ipynb");
    put("cat/two.ipynb");
    put("graded/x/y.ipynb");
    put(".hidden/a1/a1.ipynb");
    put(".ipynb_checkpoints/ben-checkpoint.ipynb");
    const found = findSubmissions(root, { assignment: null, skip: [join(root, "graded")] });
    expect(found.map((s) => [s.student, s.assignment, s.files.length])).toEqual([
      [safeName(".hidden"), "a1", 1],
      ["ann", "a1", 1],
      ["ann", "a2", 1],
      ["ben", "", 1],
      ["cat", "", 2],
    ]);
    expect(found[0].notes[0]).toContain('submitted as ".hidden"');
    const only = findSubmissions(root, { assignment: "a1", skip: [join(root, "graded")] });
    expect(only.map((s) => [s.student, s.assignment])).toEqual([
      [safeName(".hidden"), "a1"],
      ["ann", "a1"],
      ["ben", "a1"],
      ["cat", "a1"],
    ]);
  });
});

describe("names, paths and outputs", () => {
  it("makes every name a safe, short, distinct file name", () => {
    expect(safeName("ann")).toBe("ann");
    expect(safeName(".x")).toMatch(/^_x~[0-9a-f]{8}$/);
    expect(safeName("a/b")).not.toBe(safeName("a_b"));
    expect(safeName("x".repeat(240)).length).toBe(80);
    expect(safeName("=cmd|' /C calc'!A0;")).toMatch(/^_cmd[A-Za-z0-9._@+~-]*$/);
    expect(safeName("")).toMatch(/^_unnamed/);
  });

  it("replaces the tutor's paths in messages", () => {
    expect(
      scrub("ENOENT: /home/t/course/subs/a.ipynb and /home/t/course", [
        ["/home/t/course/subs", "<submissions>"],
        ["/home/t/course", "<project>"],
      ]),
    ).toBe("ENOENT: <submissions>/a.ipynb and <project>");
  });

  it("caps outputs per cell and per notebook, with a note", () => {
    const big = {
      cell_type: "code" as const,
      metadata: {},
      source: "x",
      execution_count: 1,
      outputs: [{ output_type: "display_data" as const, data: { "text/html": "x".repeat(5_000_000) }, metadata: {} }],
    };
    const long = {
      ...big,
      outputs: [{ output_type: "error" as const, ename: "Error", evalue: "e".repeat(1_000_000), traceback: Array(1000).fill("line") }],
    };
    const { cells, notes } = capOutputs([big, long]);
    expect(JSON.stringify(cells).length).toBeLessThan(20_000);
    expect(notes).toEqual(["output not kept in full (size limit) in cell 1"]);
    const error = cells[1].cell_type === "code" ? cells[1].outputs[0] : null;
    expect(error?.output_type === "error" && error.evalue.length).toBeLessThan(2100);
    const many = Array.from({ length: 40 }, () => ({
      ...big,
      outputs: [{ output_type: "stream" as const, name: "stdout" as const, text: "y".repeat(90_000) }],
    }));
    expect(JSON.stringify(capOutputs(many).cells).length).toBeLessThan(2_100_000);
  });
});

describe("guards and arguments", () => {
  it("calls the guard on the test's first line and asks for the confirmation around its last expression", () => {
    const guarded = guardTestCell('dl.check("a", 1, 1);\nx + 1', "gradingGuardab", "0f");
    expect(guarded.split("\n")).toHaveLength(2);
    expect(guarded).toMatch(/^"use strict"; declare const gradingGuardab: .*gradingGuardab\.check\(true, dl, \[Math, /);
    expect(guarded.split("\n")[1]).toBe('gradingGuardab.done("0f", (x + 1))');
    expect(guardTestCell("let right = 1;", "g", "aa")).toContain('\ng.done("aa", undefined);');
    expect(guardTestCell("right", "g", "aa")).toContain("g.check(false, null, ");
    expect(() => guardTestCell("x", "g", 'a"); evil("')).toThrow(/guardTestCell: nonce/);
  });

  it("rejects a scratch folder outside the project and a tiny memory limit", () => {
    const base = { root: "/work/project", isolation: "none" as const };
    expect(() => sandboxSpec({ ...base, workDir: "/tmp/x", memoryMb: 1024 })).toThrow(/sandboxSpec: workDir .* \/tmp\/x/);
    expect(() => sandboxSpec({ ...base, workDir: "/work/project/build/x", memoryMb: 10 })).toThrow(/memoryMb .* 10/);
  });

  it("needs a seccomp filter file for the sandbox", () => {
    const base = { root: "/work/project", workDir: "/work/project/build/x", memoryMb: 1024, isolation: "sandbox" as const };
    const group = { dirs: [], procs: [] };
    expect(() => sandboxSpec({ ...base, group })).toThrow(/sandboxSpec: the sandbox needs options.seccomp/);
    const spec = sandboxSpec({ ...base, group, seccomp: "/work/project/build/x/.seccomp.bpf" });
    expect(spec.env?.DLBH_SECCOMP).toBe("/work/project/build/x/.seccomp.bpf");
    expect(spec.argv.join(" ")).toContain("bwrap --seccomp 9");
  });

  it("answers a bad command line with the usage and exit code 2", async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    try {
      expect(await cli("grade", [])).toBe(2);
      expect(await cli("grade", ["subs", "--jobs", "zero"])).toBe(2);
      expect(await cli("validate", ["a.ipynb", "--bogus"])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(out.join("")).toContain("--jobs must be a number ≥ 1, got zero");
    expect(out.join("")).toContain("unknown option --bogus");
  });
});
