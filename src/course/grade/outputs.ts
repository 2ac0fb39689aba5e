// What the grader keeps of a submission's outputs: capped per cell and per notebook, so a cell
// that displays 200 MB does not become a 200 MB autograded notebook, nor a long error a long page.
import { Cell, Output, text } from "../notebook";

/** Most bytes of outputs kept per cell. */
export const CELL_OUTPUT_BYTES = 100_000;
/** Most bytes of outputs kept per notebook. */
export const NOTEBOOK_OUTPUT_BYTES = 2_000_000;
/** Most characters of an error's message kept. */
const ERROR_CHARS = 2000;
const TRACEBACK_LINES = 30;

function size(o: Output): number {
  return Buffer.byteLength(JSON.stringify(o));
}

function shortError(o: Output): Output {
  if (o.output_type !== "error") return o;
  const evalue =
    o.evalue.length > ERROR_CHARS
      ? `${o.evalue.slice(0, ERROR_CHARS)}… [${o.evalue.length - ERROR_CHARS} characters cut by the grader]`
      : o.evalue;
  const traceback = o.traceback.slice(0, TRACEBACK_LINES).map((line) => (line.length > 500 ? `${line.slice(0, 500)}…` : line));
  return { ...o, evalue, traceback };
}

function shortStream(o: Output, bytes: number): Output {
  if (o.output_type !== "stream") return o;
  const body = Buffer.from(text(o.text)).subarray(0, bytes).toString("utf8");
  return { ...o, text: body };
}

/** The cells with their outputs capped; `notes` says which cells lost output. */
export function capOutputs(cells: Cell[]): { cells: Cell[]; notes: string[] } {
  let left = NOTEBOOK_OUTPUT_BYTES;
  const cut: number[] = [];
  const capped = cells.map((cell, index): Cell => {
    if (cell.cell_type !== "code") return cell;
    let cellLeft = Math.min(CELL_OUTPUT_BYTES, left);
    let dropped = 0;
    const outputs: Output[] = [];
    for (const original of cell.outputs) {
      let o = shortError(original);
      let bytes = size(o);
      if (bytes > cellLeft && o.output_type === "stream") {
        o = shortStream(o, Math.max(0, cellLeft - 200));
        dropped += bytes - size(o);
        bytes = size(o);
      }
      if (bytes > cellLeft) {
        dropped += bytes;
        continue;
      }
      cellLeft -= bytes;
      left -= bytes;
      outputs.push(o);
    }
    if (dropped === 0) return { ...cell, outputs };
    cut.push(index + 1);
    outputs.push({
      output_type: "stream",
      name: "stdout",
      text: `\n[${dropped} bytes of output not kept by the grader: at most ${CELL_OUTPUT_BYTES} bytes per cell and ${NOTEBOOK_OUTPUT_BYTES} per notebook]\n`,
    });
    return { ...cell, outputs };
  });
  const notes =
    cut.length > 0
      ? [
          `output not kept in full (size limit) in cell${cut.length === 1 ? "" : "s"} ${cut.slice(0, 10).join(", ")}${cut.length > 10 ? "…" : ""}`,
        ]
      : [];
  return { cells: capped, notes };
}
