// Reading a Jupyter notebook (nbformat 4) into plain typed values the renderer can trust.
import { readFileSync } from "fs";
import { basename } from "path";

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

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** nbformat stores multi-line text either as a string or as a list of lines. */
function joinText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((line) => typeof line === "string")) return value.join("");
  return null;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function readOutput(raw: unknown, where: string): Output {
  if (!isObject(raw)) throw new Error(`${where} is not an object`);
  const type = raw.output_type;
  if (type === "stream") {
    const text = joinText(raw.text);
    if (text === null) throw new Error(`${where}: stream output has no text`);
    return { kind: "stream", name: typeof raw.name === "string" ? raw.name : "stdout", text };
  }
  if (type === "display_data" || type === "execute_result" || type === "update_display_data") {
    if (!isObject(raw.data)) throw new Error(`${where}: ${type} output has no data`);
    // Text MIME types may be stored as lists of lines; JSON ones (application/*+json) stay objects.
    const data: Record<string, unknown> = {};
    for (const [mime, value] of Object.entries(raw.data)) {
      const isJson = mime === "application/json" || mime.endsWith("+json");
      data[mime] = isJson ? value : (joinText(value) ?? value);
    }
    return { kind: "data", data, metadata: isObject(raw.metadata) ? raw.metadata : {} };
  }
  if (type === "error") {
    return {
      kind: "error",
      ename: typeof raw.ename === "string" ? raw.ename : "Error",
      evalue: typeof raw.evalue === "string" ? raw.evalue : "",
      traceback: stringList(raw.traceback),
    };
  }
  throw new Error(`${where} has unknown output_type ${JSON.stringify(type)}`);
}

function readCell(raw: unknown, index: number, file: string): Cell {
  const where = `${file}: cell ${index + 1}`;
  if (!isObject(raw)) throw new Error(`${where} is not an object`);
  const type = raw.cell_type;
  if (type !== "markdown" && type !== "code" && type !== "raw") {
    throw new Error(`${where} has unknown cell_type ${JSON.stringify(type)}`);
  }
  const source = joinText(raw.source);
  if (source === null) throw new Error(`${where} has no source text`);
  const metadata = isObject(raw.metadata) ? raw.metadata : {};
  const slideshow = isObject(metadata.slideshow) ? metadata.slideshow : {};
  const slideType = slideshow.slide_type ?? "-";
  if (!isSlideType(slideType)) {
    throw new Error(`${where} has unknown slideshow.slide_type ${JSON.stringify(slideType)}`);
  }
  const nbgrader = isObject(metadata.nbgrader)
    ? { solution: metadata.nbgrader.solution === true, grade: metadata.nbgrader.grade === true }
    : null;
  const rawOutputs = type === "code" && Array.isArray(raw.outputs) ? raw.outputs : [];
  const outputs = rawOutputs.map((output, k) => readOutput(output, `${where}, output ${k + 1}`));
  const attachments: Record<string, Record<string, unknown>> = {};
  if (isObject(raw.attachments)) {
    for (const [name, bundle] of Object.entries(raw.attachments)) {
      if (isObject(bundle)) attachments[name] = bundle;
    }
  }
  return { index, type, source, slideType, nbgrader, outputs, attachments };
}

function readCourseInfo(metadata: Json): CourseInfo {
  const info = isObject(metadata["dl-by-hand"]) ? metadata["dl-by-hand"] : {};
  return {
    title: typeof info.title === "string" ? info.title : null,
    lectures: stringList(info.lectures),
    outcomes: stringList(info.outcomes),
  };
}

/** Parse the JSON text of a notebook; `path` names it in errors. Throws on anything but nbformat 4. */
export function parseNotebook(text: string, path: string): Notebook {
  if (typeof text !== "string") throw new Error(`parseNotebook: text must be a string, got ${typeof text}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`parseNotebook: ${path} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isObject(json)) throw new Error(`parseNotebook: ${path} is not a JSON object`);
  if (json.nbformat !== 4) {
    throw new Error(`parseNotebook: ${path} has nbformat ${JSON.stringify(json.nbformat)}, expected 4`);
  }
  if (!Array.isArray(json.cells)) throw new Error(`parseNotebook: ${path} has no cells list`);
  const metadata = isObject(json.metadata) ? json.metadata : {};
  const kernelspec = isObject(metadata.kernelspec) ? metadata.kernelspec : {};
  const languageInfo = isObject(metadata.language_info) ? metadata.language_info : {};
  const language =
    typeof languageInfo.name === "string" ? languageInfo.name
    : typeof kernelspec.language === "string" ? kernelspec.language
    : "typescript";
  const cells = json.cells.map((cell, index) => {
    try {
      return readCell(cell, index, path);
    } catch (error) {
      throw new Error(`parseNotebook: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return { name: basename(path).replace(/\.ipynb$/, ""), path, language, course: readCourseInfo(metadata), cells };
}

/** Read and parse the notebook file at `path`. */
export function readNotebook(path: string): Notebook {
  if (typeof path !== "string" || !path.endsWith(".ipynb")) {
    throw new Error(`readNotebook: path must name an .ipynb file, got ${JSON.stringify(path)}`);
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`readNotebook: cannot read ${path} (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseNotebook(text, path);
}
