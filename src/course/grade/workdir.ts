// The folder a student's or a released notebook runs in: its own folder when `dl-by-hand` can be
// imported from there (inside the course project), else a scratch folder inside the project, so
// that `validate` and `release --check` work on a notebook kept anywhere.
import { mkdirSync, mkdtempSync, rmSync } from "fs";
import { dirname, join, resolve } from "path";
import { projectRoot } from "../kernelspec";

/** The working folder for `file`, and how to clean it up afterwards. */
export function notebookWorkDir(file: string): { dir: string; cleanup: () => void } {
  const own = dirname(resolve(file));
  try {
    require.resolve("dl-by-hand", { paths: [own] });
    return { dir: own, cleanup: () => undefined };
  } catch {
    const parent = join(projectRoot, "build", "runs");
    mkdirSync(parent, { recursive: true });
    const dir = mkdtempSync(join(parent, "run-"));
    return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }
}
