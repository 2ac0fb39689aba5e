// Before a submission runs: every locked cell (the tests) comes back from the instructor's copy,
// hidden tests included, matched by grade_id, so editing or deleting a test does not help.
// The student's own cells and solutions are kept as they are; what was changed is reported.
import { Cell, Notebook, text } from "../notebook";
import { Assignment, GradedCell, isRestored } from "./assignment";
import { rawNbgrader } from "./checksum";
import { studentSource } from "./release";

export interface Restored {
  notebook: Notebook;
  /** Where each instructor grade_id sits in `notebook`. */
  positions: Map<string, number>;
  /** What was restored or ignored, for the tutor and the student. */
  notes: string[];
  /** How many of the instructor's exercise cells the submission had. */
  matched: number;
}

function gradeIdOf(cell: Cell): string | null {
  const id = rawNbgrader(cell)?.grade_id;
  return typeof id === "string" ? id : null;
}

function fresh(cell: Cell): Cell {
  return cell.cell_type === "code" ? { ...cell, outputs: [], execution_count: null } : { ...cell };
}

function withoutNbgrader(cell: Cell): Cell {
  const metadata = { ...cell.metadata };
  delete metadata.nbgrader;
  return { ...fresh(cell), metadata };
}

/** The instructor's cell as it will run: the full source, hidden tests included. */
function instructorCell(graded: GradedCell): Cell {
  return fresh(graded.cell);
}

/** The submission with the instructor's locked cells put back. */
export function restoreSubmission(assignment: Assignment, submission: Notebook): Restored {
  const cells: Cell[] = [];
  const seen = new Set<string>();
  const notes: string[] = [];
  let matched = 0;
  submission.cells.forEach((cell, index) => {
    const id = gradeIdOf(cell);
    const graded = id === null ? undefined : assignment.byId.get(id);
    if (id === null) {
      cells.push(fresh(cell));
    } else if (graded === undefined || seen.has(id)) {
      const why = graded === undefined ? "is not part of this assignment" : "appears twice";
      notes.push(`cell ${index + 1}: grade_id "${id}" ${why}; it ran as an ordinary cell`);
      cells.push(withoutNbgrader(cell));
    } else {
      seen.add(id);
      matched++;
      if (isRestored(graded)) {
        if (text(cell.source) !== studentSource(graded.cell, graded) || cell.cell_type !== graded.cell.cell_type) {
          notes.push(`${id}: the locked cell was edited; the original was used`);
        }
        cells.push(instructorCell(graded));
      } else {
        // A solution: the student's code under the instructor's metadata (points cannot be edited).
        cells.push({ ...fresh(cell), metadata: { ...cell.metadata, nbgrader: graded.cell.metadata.nbgrader } });
      }
    }
  });
  // Put back what was deleted where the instructor's copy has it: after the exercise cell before it
  // (or before the one after it).
  const positionOf = (g: GradedCell) => cells.findIndex((c) => gradeIdOf(c) === g.meta.gradeId);
  const present = (g: GradedCell) => seen.has(g.meta.gradeId);
  assignment.cells.forEach((graded, order) => {
    const id = graded.meta.gradeId;
    if (seen.has(id) || matched === 0) return;
    const previous = assignment.cells.slice(0, order).reverse().find(present);
    const next = assignment.cells.slice(order + 1).find(present);
    const at = previous ? positionOf(previous) + 1 : next ? positionOf(next) : cells.length;
    if (isRestored(graded)) {
      cells.splice(at, 0, instructorCell(graded));
      notes.push(`${id}: the locked cell was deleted; the original was put back`);
    } else {
      cells.splice(at, 0, { ...instructorCell(graded), source: studentSource(graded.cell, graded) });
      notes.push(`${id}: the solution cell is missing; the empty exercise was used`);
    }
    seen.add(id);
  });
  const positions = new Map<string, number>();
  cells.forEach((cell, index) => {
    const id = gradeIdOf(cell);
    if (id !== null && assignment.byId.has(id)) positions.set(id, index);
  });
  return { notebook: { ...submission, cells }, positions, notes, matched };
}
