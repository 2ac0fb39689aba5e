// Notebooks on disk (nbformat 4): read with clear errors, write atomically.
import { randomBytes } from "crypto";
import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  Stats,
  writeFileSync,
  mkdirSync,
} from "fs";
import { dirname, basename, join } from "path";
import { isRecord } from "../args";

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

/** A plain object (the library's one check, src/args.ts). */
export { isRecord };

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

/** What kind of file `st` is, in words, when it is not a regular file. */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return "a folder";
  if (st.isFIFO()) return "a named pipe (FIFO)";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  return "not a regular file";
}

/**
 * Read and check a notebook file; errors name the file. Anything but a regular file (a FIFO, a
 * device, a folder) is refused at once: it is opened without blocking and never read.
 */
export function readNotebook(file: string): Notebook {
  let json: string;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = isRecord(e) && typeof e.code === "string" ? e.code : "";
    if (code === "ENOENT") throw new NotebookError(`${file}: no such file`);
    if (code === "ENXIO") throw new NotebookError(`${file}: not a regular file (a socket), not read`);
    throw new NotebookError(`${file}: cannot be read (${code || String(e)})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new NotebookError(`${file}: not a regular file (${fileKind(st)}), not read`);
    json = readFileSync(fd, "utf8");
  } catch (e) {
    if (e instanceof NotebookError) throw e;
    throw new NotebookError(`${file}: cannot be read (${isRecord(e) && typeof e.code === "string" ? e.code : String(e)})`);
  } finally {
    closeSync(fd);
  }
  if (json.trim() === "") throw new NotebookError(`${file}: the file is empty`);
  return parseNotebook(json, file);
}

/** nbformat's pattern for a cell id (nbformat 4.5). */
const CELL_ID = /^[a-zA-Z0-9-_]{1,64}$/;

/**
 * Cell ids as `nb.nbformat_minor` allows them: from 4.5 on every cell gets a valid, unique id
 * (missing or clashing ones become `cell-<n>`); before 4.5 there are none. Returns a new notebook.
 */
export function withValidCellIds(nb: Notebook): Notebook {
  if (nb.nbformat_minor < 5) return { ...nb, cells: nb.cells.map(({ id: _id, ...cell }) => cell) };
  const taken = new Set<string>();
  const cells = nb.cells.map((cell) => {
    if (cell.id !== undefined && CELL_ID.test(cell.id) && !taken.has(cell.id)) {
      taken.add(cell.id);
      return cell;
    }
    return { ...cell, id: undefined };
  });
  let n = 0;
  return {
    ...nb,
    cells: cells.map((cell) => {
      if (cell.id !== undefined) return cell;
      while (taken.has(`cell-${n}`)) n++;
      taken.add(`cell-${n}`);
      return { ...cell, id: `cell-${n}` };
    }),
  };
}

/** Notebook JSON as Jupyter writes it: one-space indent, trailing newline. */
export function serializeNotebook(nb: Notebook): string {
  return JSON.stringify(nb, null, 1) + "\n";
}

/** Write a file atomically: a temporary sibling renamed over the target, given `mode` if one is given. */
export function writeFileAtomic(file: string, content: string, mode?: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    writeFileSync(tmp, content);
    if (mode !== undefined) chmodSync(tmp, mode);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Write a notebook atomically (with `mode` if given). */
export function writeNotebook(file: string, nb: Notebook, mode?: number): void {
  writeFileAtomic(file, serializeNotebook(nb), mode);
}
