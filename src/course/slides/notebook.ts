// The renderer's view of a notebook: src/course/notebook.ts reads and checks the file; this adds
// joined sources, slide types, nbgrader flags and the course metadata the decks and pages use.
import { readFileSync } from "fs";
import { basename } from "path";
import { Cell as StoredCell, isRecord, Output as StoredOutput, parseNotebook as parseStored, text } from "../notebook";

export type SlideType = "slide" | "subslide" | "fragment" | "skip" | "notes" | "-";
const SLIDE_TYPES: readonly SlideType[] = ["slide", "subslide", "fragment", "skip", "notes", "-"];

function isSlideType(value: unknown): value is SlideType {
  return SLIDE_TYPES.some((type) => type === value);
}

/** One output of a code cell, as nbformat stores it. */
export type Output =
  | { kind: "stream"; name: string; text: string }
  | { kind: "data"; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { kind: "error"; ename: string; evalue: string; traceback: string[] };

export interface Cell {
  /** Position in the notebook, 0-based (for messages). */
  index: number;
  type: "markdown" | "code" | "raw";
  source: string;
  slideType: SlideType;
  /** nbgrader metadata, when the cell is an exercise cell. */
  nbgrader: { solution: boolean; grade: boolean } | null;
  outputs: Output[];
  /** Markdown cell attachments: name → MIME bundle (for `![](attachment:name)`). */
  attachments: Record<string, Record<string, unknown>>;
}

/** The course's own notebook metadata: `metadata["dl-by-hand"]`. */
export interface CourseInfo {
  title: string | null;
  lectures: string[];
  outcomes: string[];
}

export interface Notebook {
  /** File name without `.ipynb`, e.g. `04-convolution-by-hand`. */
  name: string;
  path: string;
  language: string;
  course: CourseInfo;
  cells: Cell[];
}

type Json = Record<string, unknown>;

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** The renderer's view of a stored output. Text MIME types stored as lists of lines are joined; JSON ones stay objects. */
function viewOutput(output: StoredOutput): Output {
  if (output.output_type === "stream") return { kind: "stream", name: output.name, text: text(output.text) };
  if (output.output_type === "error") {
    return { kind: "error", ename: output.ename, evalue: output.evalue, traceback: stringList(output.traceback) };
  }
  const data: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(output.data)) {
    const isJson = mime === "application/json" || mime.endsWith("+json");
    data[mime] = !isJson && isMultiline(value) ? text(value) : value;
  }
  return { kind: "data", data, metadata: output.metadata };
}

function isMultiline(value: unknown): value is string | string[] {
  return typeof value === "string" || (Array.isArray(value) && value.every((line) => typeof line === "string"));
}

function viewCell(cell: StoredCell, index: number, file: string): Cell {
  const slideshow = isRecord(cell.metadata.slideshow) ? cell.metadata.slideshow : {};
  const slideType = slideshow.slide_type ?? "-";
  if (!isSlideType(slideType)) {
    throw new Error(`${file}: cell ${index + 1} has unknown slideshow.slide_type ${JSON.stringify(slideType)}`);
  }
  const grading = cell.metadata.nbgrader;
  const nbgrader = isRecord(grading) ? { solution: grading.solution === true, grade: grading.grade === true } : null;
  const attachments: Record<string, Record<string, unknown>> = {};
  if (cell.cell_type !== "code" && cell.attachments) {
    for (const [name, bundle] of Object.entries(cell.attachments)) {
      if (isRecord(bundle)) attachments[name] = bundle;
    }
  }
  const outputs = cell.cell_type === "code" ? cell.outputs.map(viewOutput) : [];
  return { index, type: cell.cell_type, source: text(cell.source), slideType, nbgrader, outputs, attachments };
}

function readCourseInfo(metadata: Json): CourseInfo {
  const info = isRecord(metadata["dl-by-hand"]) ? metadata["dl-by-hand"] : {};
  return {
    title: typeof info.title === "string" ? info.title : null,
    lectures: stringList(info.lectures),
    outcomes: stringList(info.outcomes),
  };
}

/** Parse the JSON text of a notebook; `path` names it in errors. Throws on anything but nbformat 4. */
export function parseNotebook(json: string, path: string): Notebook {
  if (typeof json !== "string") throw new Error(`parseNotebook: text must be a string, got ${typeof json}`);
  try {
    // The course's one nbformat reader checks the file; this module only adds the renderer's view.
    const stored = parseStored(json, path);
    const metadata = stored.metadata;
    const kernelspec = isRecord(metadata.kernelspec) ? metadata.kernelspec : {};
    const languageInfo = isRecord(metadata.language_info) ? metadata.language_info : {};
    const language =
      typeof languageInfo.name === "string"
        ? languageInfo.name
        : typeof kernelspec.language === "string"
          ? kernelspec.language
          : "typescript";
    const cells = stored.cells.map((cell, index) => viewCell(cell, index, path));
    return { name: basename(path).replace(/\.ipynb$/, ""), path, language, course: readCourseInfo(metadata), cells };
  } catch (error) {
    throw new Error(`parseNotebook: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Read and parse the notebook file at `path`. */
export function readNotebook(path: string): Notebook {
  if (typeof path !== "string" || !path.endsWith(".ipynb")) {
    throw new Error(`readNotebook: path must name an .ipynb file, got ${JSON.stringify(path)}`);
  }
  let json: string;
  try {
    json = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`readNotebook: cannot read ${path} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  return parseNotebook(json, path);
}
