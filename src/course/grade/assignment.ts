// The instructor's version of an assignment (one notebook, solutions and hidden tests in):
// which cells are solutions, which are tests and how many points each is worth.
import { createHash } from "crypto";
import { readFileSync } from "fs";
import { basename } from "path";
import { Cell, Notebook, parseNotebook, text } from "../notebook";
import { hasHiddenTests, hasSolution } from "../solutions";
import { isLocked, isTest, nbgraderMeta, NbgraderMeta } from "./checksum";

/** A cell that carries nbgrader metadata, with its position in the instructor's notebook. */
export interface GradedCell {
  index: number;
  meta: NbgraderMeta;
  cell: Cell;
}

/** An autograder test cell and the exercise it belongs to. */
export interface TestCell extends GradedCell {
  points: number;
  /** grade_id of the solution cell before it, or null when the test stands alone. */
  exercise: string | null;
}

export interface Assignment {
  /** The notebook's name without `.ipynb`, e.g. "08-lenet-parameters". */
  name: string;
  file: string;
  notebook: Notebook;
  /** SHA-256 of the file's bytes: a changed instructor version regrades everyone. */
  hash: string;
  /** Every cell with nbgrader metadata, in notebook order. */
  cells: GradedCell[];
  byId: Map<string, GradedCell>;
  tests: TestCell[];
  maxPoints: number;
  /** Title of each exercise (solution grade_id → first heading of the markdown cell before it). */
  titles: Map<string, string>;
}

/** The first markdown heading of the closest markdown cell before `index`, if any. */
function headingBefore(cells: Cell[], index: number): string | null {
  for (let i = index - 1; i >= 0; i--) {
    const cell = cells[i];
    if (cell.cell_type !== "markdown") continue;
    const heading = text(cell.source)
      .split("\n")
      .find((line) => /^#{1,6}\s/.test(line));
    return heading ? heading.replace(/^#+\s*/, "").trim() : null;
  }
  return null;
}

/** Check the exercise cells of an instructor notebook and index them; errors name the file and the cell. */
export function assignmentFromNotebook(notebook: Notebook, file: string, hash = ""): Assignment {
  const cells: GradedCell[] = [];
  const byId = new Map<string, GradedCell>();
  const tests: TestCell[] = [];
  const titles = new Map<string, string>();
  let exercise: string | null = null;
  notebook.cells.forEach((cell, index) => {
    const where = `${file}: cell ${index + 1}`;
    const source = text(cell.source);
    const meta = nbgraderMeta(cell, where);
    if (hasSolution(source) && !meta?.solution) {
      throw new Error(`${where}: has "// BEGIN SOLUTION" but is not a solution cell (metadata.nbgrader.solution)`);
    }
    if (hasHiddenTests(source) && !meta?.grade) {
      throw new Error(`${where}: has "// BEGIN HIDDEN TESTS" but is not a grade cell (metadata.nbgrader.grade)`);
    }
    if (meta === null) return;
    if (byId.has(meta.gradeId)) throw new Error(`${where}: grade_id "${meta.gradeId}" is used twice`);
    const graded: GradedCell = { index, meta, cell };
    cells.push(graded);
    byId.set(meta.gradeId, graded);
    if (meta.solution) {
      exercise = meta.gradeId;
      titles.set(meta.gradeId, headingBefore(notebook.cells, index) ?? meta.gradeId);
    }
    if (isTest(meta) && cell.cell_type === "code") {
      tests.push({ ...graded, points: meta.points ?? 0, exercise });
    }
  });
  const maxPoints = tests.reduce((sum, t) => sum + t.points, 0);
  const name = basename(file).replace(/\.ipynb$/, "");
  return { name, file, notebook, hash, cells, byId, tests, maxPoints, titles };
}

/** Read an instructor notebook from disk. */
export function loadAssignment(file: string): Assignment {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new Error(`loadAssignment: cannot read ${file} (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  const notebook = parseNotebook(bytes.toString("utf8"), file);
  return assignmentFromNotebook(notebook, file, createHash("sha256").update(bytes).digest("hex"));
}

/** True for the cells nbgrader overwrites from the instructor's copy when grading. */
export function isRestored(graded: GradedCell): boolean {
  return isLocked(graded.meta);
}
