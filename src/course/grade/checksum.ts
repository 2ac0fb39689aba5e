// nbgrader's view of a cell: its metadata, the kind of cell it is, and the checksum nbgrader
// writes into locked cells. Re-implemented from nbgrader's utils.py (is_grade, is_solution,
// is_locked, compute_checksum) so that `nbgrader autograde` accepts the notebooks we release.
import { createHash } from "crypto";
import { Cell, isRecord, text } from "../notebook";

/** The `metadata.nbgrader` fields the course uses (schema version 3). */
export interface NbgraderMeta {
  grade: boolean;
  solution: boolean;
  locked: boolean;
  gradeId: string;
  /** Points of a grade cell; null for other cells. */
  points: number | null;
  checksum: string | null;
}

/** The raw `metadata.nbgrader` object of a cell, or null when there is none. */
export function rawNbgrader(cell: Cell): Record<string, unknown> | null {
  const meta = cell.metadata.nbgrader;
  return isRecord(meta) ? meta : null;
}

/**
 * The nbgrader metadata of `cell`, or null when the cell has none (an ordinary cell).
 * Throws when the metadata is there but unusable (no grade_id, points that are not a number).
 */
export function nbgraderMeta(cell: Cell, where: string): NbgraderMeta | null {
  const raw = rawNbgrader(cell);
  if (raw === null) return null;
  const gradeId = raw.grade_id;
  if (typeof gradeId !== "string" || gradeId.trim() === "") {
    throw new Error(`${where}: metadata.nbgrader.grade_id must be a non-empty string, got ${JSON.stringify(gradeId)}`);
  }
  const grade = raw.grade === true;
  let points: number | null = null;
  if (grade) {
    const p = typeof raw.points === "string" ? Number(raw.points) : raw.points;
    if (typeof p !== "number" || !Number.isFinite(p) || p < 0) {
      throw new Error(`${where}: grade cell "${gradeId}" needs metadata.nbgrader.points ≥ 0, got ${JSON.stringify(raw.points)}`);
    }
    points = p;
  }
  return {
    grade,
    solution: raw.solution === true,
    locked: raw.locked === true,
    gradeId,
    points,
    checksum: typeof raw.checksum === "string" ? raw.checksum : null,
  };
}

/** nbgrader's is_locked: grade cells and cells marked locked, but never solution cells. */
export function isLocked(meta: NbgraderMeta): boolean {
  return !meta.solution && (meta.grade || meta.locked);
}

/** An autograder test cell: graded, not a solution (nbgrader's "Autograder tests"). */
export function isTest(meta: NbgraderMeta): boolean {
  return meta.grade && !meta.solution;
}

/** Python's str() of a bool. */
function pythonBool(b: boolean): string {
  return b ? "True" : "False";
}

/** Python's str() of a float: "2.0", "0.5", "1e+16", "1e-05". */
export function pythonFloat(x: number): string {
  if (typeof x !== "number") throw new Error(`pythonFloat: x must be a number, got ${JSON.stringify(x)}`);
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const magnitude = Math.abs(x);
  if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e16)) {
    const [mantissa, exponent] = x.toExponential().split("e");
    const sign = exponent.startsWith("-") ? "-" : "+";
    return `${mantissa}e${sign}${exponent.replace(/^[+-]/, "").padStart(2, "0")}`;
  }
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

/**
 * nbgrader's compute_checksum: the MD5 of the source, the cell type, whether the cell is a grade,
 * solution and locked cell (Python's "True"/"False"), its grade_id and, for grade cells, its points
 * as a Python float.
 */
export function computeChecksum(cell: Cell, meta: NbgraderMeta): string {
  const md5 = createHash("md5");
  md5.update(text(cell.source), "utf8");
  md5.update(cell.cell_type, "utf8");
  md5.update(pythonBool(meta.grade), "utf8");
  md5.update(pythonBool(meta.solution), "utf8");
  md5.update(pythonBool(isLocked(meta)), "utf8");
  md5.update(meta.gradeId, "utf8");
  if (meta.grade && meta.points !== null) md5.update(pythonFloat(meta.points), "utf8");
  return md5.digest("hex");
}
