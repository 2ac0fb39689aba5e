// `release`: the student version of instructor notebooks, as `nbgrader generate_assignment` makes it:
// solutions replaced by the stub, hidden tests removed, outputs cleared, cell ids kept,
// exercise cells locked and checksummed.
import { notebookWorkDir } from "./workdir";
import { existsSync, realpathSync } from "fs";
import { basename, dirname, join, resolve } from "path";
import { executeNotebook } from "../runner";
import { Cell, MultilineString, Notebook, serializeNotebook, text, writeFileAtomic } from "../notebook";
import { hasHiddenTests, hasSolution, MARKDOWN_STUB, removeHiddenTests, removeSolutions, SOLUTION_STUB } from "../solutions";
import { Assignment, GradedCell, loadAssignment } from "./assignment";
import { computeChecksum, isLocked } from "./checksum";

/** Source lines as Jupyter stores them: each line keeps its "\n". */
export function splitLines(source: string): string[] {
  return source.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** `source` in the same shape (string or list of lines) as `like`. */
function shaped(like: MultilineString, source: string): MultilineString {
  return Array.isArray(like) ? splitLines(source) : source;
}

/** The student's source of an exercise cell (ordinary cells are returned unchanged). */
export function studentSource(cell: Cell, graded: GradedCell | null): string {
  let source = text(cell.source);
  if (graded === null) return source;
  if (graded.meta.solution) {
    if (cell.cell_type !== "code") source = MARKDOWN_STUB;
    else source = hasSolution(source) ? removeSolutions(source) : SOLUTION_STUB.join("\n");
  }
  if (graded.meta.grade) source = removeHiddenTests(source);
  return source;
}

/** Metadata of a released exercise cell: nbgrader's checksum and cell_type, and JupyterLab's lock flags. */
function studentMetadata(cell: Cell, graded: GradedCell): Record<string, unknown> {
  const metadata: Record<string, unknown> = { ...cell.metadata };
  const raw = cell.metadata.nbgrader;
  const nbgrader: Record<string, unknown> = typeof raw === "object" && raw !== null ? { ...raw } : {};
  nbgrader.checksum = computeChecksum(cell, graded.meta);
  nbgrader.cell_type = cell.cell_type;
  metadata.nbgrader = nbgrader;
  // As nbgrader's LockCells: solution cells cannot be deleted, test and read-only cells not edited either.
  metadata.deletable = false;
  if (isLocked(graded.meta)) metadata.editable = false;
  return metadata;
}

function releaseCell(cell: Cell, graded: GradedCell | null): Cell {
  const source = studentSource(cell, graded);
  const released: Cell =
    cell.cell_type === "code"
      ? { ...cell, source: shaped(cell.source, source), outputs: [], execution_count: null }
      : { ...cell, source: shaped(cell.source, source) };
  // nbgrader checksums and locks grade, solution and locked cells only.
  const marked = graded !== null && (graded.meta.grade || graded.meta.solution || graded.meta.locked);
  if (marked) released.metadata = studentMetadata(released, graded);
  return released;
}

/** A cell shown only in the presenter view (`slideshow.slide_type: "notes"`). */
function isSpeakerNotes(cell: Cell): boolean {
  const slideshow = cell.metadata.slideshow as { slide_type?: unknown } | undefined;
  return slideshow?.slide_type === "notes";
}

/** The student version of an assignment, without speaker notes; throws if a solution or hidden test would leak. */
export function releaseNotebook(assignment: Assignment): Notebook {
  const byIndex = new Map(assignment.cells.map((c) => [c.index, c]));
  const metadata: Record<string, unknown> = { ...assignment.notebook.metadata };
  delete metadata.celltoolbar;
  const released: Notebook = {
    ...assignment.notebook,
    metadata,
    // Speaker notes are for the lecturer: a student's copy leaves them out.
    cells: assignment.notebook.cells.flatMap((cell, index) =>
      isSpeakerNotes(cell) && !byIndex.has(index) ? [] : [releaseCell(cell, byIndex.get(index) ?? null)],
    ),
  };
  released.cells.forEach((cell, index) => {
    const source = text(cell.source);
    if (hasSolution(source) || hasHiddenTests(source)) {
      throw new Error(`releaseNotebook: ${assignment.file}: cell ${index + 1} still holds a solution or hidden tests`);
    }
  });
  return released;
}

export interface ReleaseReport {
  file: string;
  out: string | null;
  message: string;
}

function sameFolder(a: string, b: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  return real(a) === real(b);
}

/** Release each notebook file into `outDir`; a bad notebook is reported and the others still go out. */
export function releaseFiles(files: string[], outDir: string): ReleaseReport[] {
  if (typeof outDir !== "string" || outDir.trim() === "") {
    throw new Error(`releaseFiles: outDir must be a folder name, got ${JSON.stringify(outDir)}`);
  }
  return files.map((file): ReleaseReport => {
    if (sameFolder(dirname(file), outDir)) {
      return { file, out: null, message: `${file}: not released: the output folder is the notebook's own folder` };
    }
    try {
      const assignment = loadAssignment(file);
      const out = join(outDir, basename(file));
      writeFileAtomic(out, serializeNotebook(releaseNotebook(assignment)));
      return { file, out, message: `${file} → ${out} (${assignment.tests.length} test cells, ${assignment.maxPoints} points)` };
    } catch (e) {
      return { file, out: null, message: e instanceof Error ? e.message : `${file}: ${String(e)}` };
    }
  });
}

/** What running a released notebook showed: cells that did not behave as a fresh student copy should. */
export interface ReleaseCheck {
  file: string;
  problems: string[];
  seconds: number;
}

/**
 * Run a released notebook and check it fails exactly its exercises: every test cell fails with
 * "not implemented", a solution cell runs or fails the same way, every other cell passes.
 */
export async function checkRelease(file: string, options: { timeout?: number } = {}): Promise<ReleaseCheck> {
  if (typeof file !== "string" || file === "") throw new Error(`checkRelease: file must be a notebook path, got ${JSON.stringify(file)}`);
  const assignment = loadAssignment(file);
  const work = notebookWorkDir(file);
  let result: Awaited<ReturnType<typeof executeNotebook>>;
  try {
    result = await executeNotebook(assignment.notebook, { cwd: work.dir, timeout: options.timeout ?? 300, allowErrors: true });
  } finally {
    work.cleanup();
  }
  const byIndex = new Map(assignment.cells.map((c) => [c.index, c]));
  const problems: string[] = [];
  for (const cell of result.cells) {
    const graded = byIndex.get(cell.index);
    const what = graded ? `cell ${cell.index + 1} (${graded.meta.gradeId})` : `cell ${cell.index + 1}`;
    const failure = cell.error ? `${cell.error.ename}: ${cell.error.evalue}` : cell.status;
    const notImplemented = cell.status === "error" && (cell.error?.evalue ?? "").includes("not implemented");
    if (graded !== undefined && graded.meta.grade && !graded.meta.solution) {
      if (!notImplemented)
        problems.push(`${what}: a test cell should fail with "not implemented", got ${cell.status === "ok" ? "a pass" : failure}`);
    } else if (graded !== undefined && graded.meta.solution) {
      if (cell.status !== "ok" && !notImplemented)
        problems.push(`${what}: the solution stub should run or say "not implemented", got ${failure}`);
    } else if (cell.status !== "ok") {
      problems.push(`${what}: should pass, got ${failure}`);
    }
  }
  return { file, problems, seconds: result.seconds };
}
