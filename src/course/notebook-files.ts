// Which notebook files a command line names: the one finder of run, release, slides, pages and build.
import { existsSync, readdirSync, statSync } from "fs";
import { join } from "path";

/**
 * The notebook files named by `paths`, in order: a folder gives its .ipynb files (sorted by name, hidden
 * files left out), an .ipynb path is kept as given (a missing one is reported by the tool that reads it,
 * naming the file). Any other path is an error that names it.
 */
export function findNotebooks(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (existsSync(path) && statSync(path).isDirectory()) {
      const names = readdirSync(path).filter((name) => name.endsWith(".ipynb") && !name.startsWith("."));
      files.push(...names.sort().map((name) => join(path, name)));
    } else if (path.endsWith(".ipynb")) {
      files.push(path);
    } else if (!existsSync(path)) {
      throw new Error(`${path} does not exist`);
    } else {
      throw new Error(`${path} is neither a folder nor an .ipynb file`);
    }
  }
  return files;
}
