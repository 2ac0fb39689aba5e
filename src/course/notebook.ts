// Notebooks on disk (nbformat 4): read with clear errors, write atomically.
import { randomBytes } from "crypto";
import { readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from "fs";
import { dirname, basename, join } from "path";

export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: "display_data";
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  cell_type: "code";
  id?: string;
  metadata: Record<string, unknown>;
  source: MultilineString;
  outputs: Output[];
  execution_count: number | null;
}
export interface TextCell {
  cell_type: "markdown" | "raw";
  id?: string;
  metadata: Record<string, unknown>;
  source: MultilineString;
  attachments?: Record<string, unknown>;
}
export type Cell = CodeCell | TextCell;

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/** A notebook file that cannot be used, with the reason. */
export class NotebookError extends Error {
  override name = "NotebookError";
}

/** The text of a multiline field. */
export function text(source: MultilineString): string {
  return Array.isArray(source) ? source.join("") : source;
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function isMultiline(x: unknown): x is MultilineString {
  return typeof x === "string" || (Array.isArray(x) && x.every((l) => typeof l === "string"));
}

/** Check that parsed JSON is an nbformat 4 notebook; errors name `file` and what is wrong. */
export function parseNotebook(json: string, file: string): Notebook {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e) {
    throw new NotebookError(`${file}: not valid notebook JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isRecord(data)) throw new NotebookError(`${file}: a notebook must be a JSON object`);
  if (data.nbformat !== 4) {
    const hint = data.nbformat === 3 ? "; convert it with `jupyter nbconvert --to notebook --nbformat 4`" : "";
    throw new NotebookError(`${file}: nbformat ${String(data.nbformat)} is not supported, only nbformat 4${hint}`);
  }
  if (!Array.isArray(data.cells)) throw new NotebookError(`${file}: "cells" must be a list`);
  const cells: Cell[] = [];
  data.cells.forEach((raw: unknown, i: number) => {
    const where = `${file}: cell ${i + 1}`;
    if (!isRecord(raw)) throw new NotebookError(`${where}: a cell must be an object`);
    if (!isMultiline(raw.source)) throw new NotebookError(`${where}: "source" must be a string or a list of strings`);
    const metadata = isRecord(raw.metadata) ? raw.metadata : {};
    const id = typeof raw.id === "string" ? raw.id : undefined;
    if (raw.cell_type === "code") {
      const outputs = Array.isArray(raw.outputs) ? raw.outputs.filter(isOutput) : [];
      const count = typeof raw.execution_count === "number" ? raw.execution_count : null;
      cells.push({ cell_type: "code", id, metadata, source: raw.source, outputs, execution_count: count });
    } else if (raw.cell_type === "markdown" || raw.cell_type === "raw") {
      const cell: TextCell = { cell_type: raw.cell_type, id, metadata, source: raw.source };
      if (isRecord(raw.attachments)) cell.attachments = raw.attachments;
      cells.push(cell);
    } else {
      throw new NotebookError(`${where}: unknown cell_type ${JSON.stringify(raw.cell_type)}`);
    }
  });
  const minor = typeof data.nbformat_minor === "number" ? data.nbformat_minor : 4;
  return { nbformat: 4, nbformat_minor: minor, metadata: isRecord(data.metadata) ? data.metadata : {}, cells };
}

/** A well-formed stored output; anything else is dropped when a notebook is read (outputs are re-made by running it). */
function isOutput(x: unknown): x is Output {
  if (!isRecord(x)) return false;
  switch (x.output_type) {
    case "stream":
      return (x.name === "stdout" || x.name === "stderr") && isMultiline(x.text);
    case "display_data":
    case "execute_result":
      return isRecord(x.data) && isRecord(x.metadata);
    case "error":
      return typeof x.ename === "string" && typeof x.evalue === "string" && Array.isArray(x.traceback);
    default:
      return false;
  }
}

/** Read and check a notebook file; errors name the file. */
export function readNotebook(file: string): Notebook {
  let json: string;
  try {
    json = readFileSync(file, "utf8");
  } catch (e) {
    const code = isRecord(e) && typeof e.code === "string" ? e.code : "";
    throw new NotebookError(code === "ENOENT" ? `${file}: no such file` : `${file}: cannot be read (${String(e)})`);
  }
  if (json.trim() === "") throw new NotebookError(`${file}: the file is empty`);
  return parseNotebook(json, file);
}

/** Notebook JSON as Jupyter writes it: one-space indent, trailing newline. */
export function serializeNotebook(nb: Notebook): string {
  return JSON.stringify(nb, null, 1) + "\n";
}

/** Write a file atomically: a temporary sibling renamed over the target. */
export function writeFileAtomic(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Write a notebook atomically. */
export function writeNotebook(file: string, nb: Notebook): void {
  writeFileAtomic(file, serializeNotebook(nb));
}
