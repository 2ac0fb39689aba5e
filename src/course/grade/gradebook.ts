// The gradebook: one row per student and assignment, one column per test cell.
import { ExerciseReport, TestScore } from "./grade";

/** A graded submission as the gradebook and the feedback page show it. */
export interface Row {
  student: string;
  /** The name as submitted, when it had to be made safe for file names (null otherwise). */
  submittedAs?: string | null;
  assignment: string;
  /** The notebook files that were looked at, relative to the submissions folder. */
  files: string[];
  /** Short status: "ok", "timeout in cell 7", "invalid notebook JSON"… */
  status: string;
  tests: TestScore[];
  exercises: ExerciseReport[];
  total: number;
  max: number;
  notes: string[];
  seconds: number;
  /** Most memory the submission's processes used at once, in MB (sandbox only). */
  peakMemoryMb?: number;
  gradedAt: string;
}

/** Points as a tutor writes them: 2, 1.5, 0.33. */
export function formatPoints(points: number): string {
  return String(Math.round(points * 100) / 100);
}

/**
 * A CSV field. Text that a spreadsheet could run as a formula (=, +, -, @, tab or carriage return
 * first) gets a leading apostrophe, as OWASP's CSV-injection advice says: student names and error
 * messages come from submissions. A field is quoted when it holds a comma, quote, semicolon (the
 * separator of some spreadsheets' locales), line break, or was escaped.
 */
export function csvField(value: string, isText = true): string {
  const escaped = isText && /^[=+\-@\t\r]/.test(value);
  const safe = escaped ? `'${value}` : value;
  return escaped || /[",;\n\r\t]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The test-cell columns of `rows`: every grade_id, in the order the rows first list them. */
export function testColumns(rows: Row[]): string[] {
  const columns: string[] = [];
  for (const row of rows) {
    for (const t of row.tests) if (!columns.includes(t.gradeId)) columns.push(t.gradeId);
  }
  return columns;
}

/** gradebook.csv: student, assignment, one column per test cell, total, max, status, notes. */
export function gradebookCsv(rows: Row[]): string {
  const columns = testColumns(rows);
  const header = ["student", "assignment", ...columns, "total", "max", "status", "notes"];
  const lines = [header.map((h) => csvField(h)).join(",")];
  const sorted = [...rows].sort((a, b) => a.assignment.localeCompare(b.assignment) || a.student.localeCompare(b.student));
  for (const row of sorted) {
    const points = columns.map((id) => {
      const test = row.tests.find((t) => t.gradeId === id);
      return test ? formatPoints(test.points) : "";
    });
    const fields = [
      csvField(row.student),
      csvField(row.assignment),
      ...points,
      formatPoints(row.total),
      formatPoints(row.max),
      csvField(row.status),
      csvField(row.notes.join("; ")),
    ];
    lines.push(fields.join(","));
  }
  return lines.join("\n") + "\n";
}
