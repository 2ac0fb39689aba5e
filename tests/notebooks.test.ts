// Every course notebook: committed clean, follows the conventions, and runs through the real
// kernel with no error and nothing on stderr.
import { mkdirSync, readdirSync } from "fs";
import { join, resolve } from "path";
import { describe, expect, it } from "vitest";
import { readNotebook, text, writeNotebook } from "../src/course/notebook";
import { executeNotebook } from "../src/course/runner";

const dir = join(__dirname, "..", "notebooks");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ipynb"))
  .sort();
const SLIDE_TYPES = ["slide", "subslide", "fragment", "skip", "notes", "-"];

interface Nbgrader {
  grade: boolean;
  solution: boolean;
  locked?: boolean;
  grade_id: string;
  points?: number;
}

function nbgrader(metadata: Record<string, unknown>): Nbgrader | null {
  const m = metadata.nbgrader;
  return typeof m === "object" && m !== null && "grade_id" in m ? (m as Nbgrader) : null;
}

it("the course has notebooks", () => {
  expect(files).toContain("00-welcome.ipynb");
});

describe.each(files)("%s", (file) => {
  const nb = readNotebook(join(dir, file));
  const name = file.replace(/\.ipynb$/, "");

  it("is committed without outputs, with ids, kernel and course metadata", () => {
    expect(nb.nbformat_minor).toBeGreaterThanOrEqual(5);
    expect(nb.metadata.kernelspec).toMatchObject({ name: "dl-by-hand", language: "typescript" });
    const course = nb.metadata["dl-by-hand"] as { title?: string; outcomes?: string[] } | undefined;
    expect(course?.title).toBeTruthy();
    expect(course?.outcomes?.length).toBeGreaterThan(0);
    for (const cell of nb.cells) {
      expect(cell.id).toBeTruthy();
      if (cell.cell_type === "code") {
        expect(cell.outputs).toEqual([]);
        expect(cell.execution_count).toBeNull();
      }
    }
    expect(new Set(nb.cells.map((c) => c.id)).size).toBe(nb.cells.length);
  });

  it("opens with a title cell, ends with a summary, and every cell has a slide type", () => {
    expect(nb.cells[0].cell_type).toBe("markdown");
    expect(text(nb.cells[0].source)).toMatch(/^# /);
    const last = nb.cells[nb.cells.length - 1];
    expect(last.cell_type === "markdown" && /summary/i.test(text(last.source))).toBe(true);
    for (const cell of nb.cells) {
      const slideshow = cell.metadata.slideshow as { slide_type?: string } | undefined;
      expect(SLIDE_TYPES).toContain(slideshow?.slide_type);
    }
  });

  it("has at least two graded exercises, each a solution cell and a locked test cell", () => {
    const solutions = nb.cells.filter((c) => nbgrader(c.metadata)?.solution);
    const tests = nb.cells.filter((c) => nbgrader(c.metadata)?.grade);
    expect(solutions.length).toBeGreaterThanOrEqual(2);
    expect(tests.length).toBeGreaterThanOrEqual(2);
    for (const cell of solutions) {
      expect(nbgrader(cell.metadata)?.grade_id.startsWith(`${name}-`)).toBe(true);
      expect(text(cell.source)).toContain("// BEGIN SOLUTION");
      expect(text(cell.source)).toContain("// END SOLUTION");
    }
    for (const cell of tests) {
      const m = nbgrader(cell.metadata);
      expect(m?.locked).toBe(true);
      expect(m?.points).toBeGreaterThan(0);
      expect(text(cell.source)).toMatch(/dl\.check/);
    }
    const ids = [...solutions, ...tests].map((c) => nbgrader(c.metadata)?.grade_id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("runs top to bottom through the course kernel with no error and nothing on stderr", async () => {
    const result = await executeNotebook(nb, { cwd: dir, timeout: 300 });
    expect(result.failure).toBeNull();
    const stderr = result.notebook.cells.flatMap((c) =>
      c.cell_type === "code" ? c.outputs.filter((o) => o.output_type === "stream" && o.name === "stderr") : [],
    );
    expect(stderr).toEqual([]);
    // CI builds the decks from these runs instead of running every notebook again (`npm start`).
    const keep = process.env.DL_BY_HAND_NOTEBOOKS_OUT;
    if (keep) {
      mkdirSync(resolve(__dirname, "..", keep), { recursive: true });
      writeNotebook(resolve(__dirname, "..", keep, file), result.notebook);
    }
  }, 600_000);
});
