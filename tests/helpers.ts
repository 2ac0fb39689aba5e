// Shared helpers for tests: build small notebooks in memory.
import { readFileSync } from "fs";
import type { Cell, Notebook } from "../src/course/notebook";

export function codeCell(source: string, metadata: Record<string, unknown> = {}): Cell {
  return { cell_type: "code", metadata, source, outputs: [], execution_count: null };
}

export function markdownCell(source: string): Cell {
  return { cell_type: "markdown", metadata: {}, source };
}

export function notebook(cells: Cell[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "dl-by-hand", display_name: "TypeScript (dl-by-hand)", language: "typescript" } },
    cells: cells.map((c, i) => ({ ...c, id: `cell-${i}` })),
  };
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Alive and not a zombie (an ended process waiting for a parent that no longer reaps). */
export function running(pid: number): boolean {
  if (!alive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}
