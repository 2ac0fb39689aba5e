// `npx dl-by-hand <command>`: the course tools for people (run, kernel, and the commands below).
import { readdirSync, statSync } from "fs";
import { join } from "path";
import { DISPLAY_NAME, installKernel, kernelDir, uninstallKernel } from "./kernelspec";
import { runNotebooks } from "./runner";
import { cli as slidesCli } from "./slides";
import { cli as gradeCli, USAGE as GRADE_USAGE } from "./grade";

const USAGE = `usage: dl-by-hand <command>

  run [paths...] [--allow-errors] [--timeout S] [--out DIR] [--inplace]
        execute notebooks (files or folders; default notebooks/) through the course kernel;
        executed copies go to build/notebooks/ unless --inplace
  kernel install | uninstall
        register the "${DISPLAY_NAME}" kernel with Jupyter, or remove it
  slides | pages | build [notebooks...] [--out DIR] [--no-solutions] [--no-code] [--theme NAME]
        offline reveal.js decks, readable pages and the course home page (build/)
  start
        run every notebook into build/notebooks/, then build the decks, pages and home page
  release | validate | grade ...   exercises and grading (see below)

${GRADE_USAGE}`;

/** Notebook files named by `paths` (folders are searched for *.ipynb, sorted). */
export function notebookFiles(paths: string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      isDir = false; // a missing path is reported by the runner, naming the file
    }
    if (!isDir) files.push(p);
    else
      files.push(
        ...readdirSync(p)
          .filter((f) => f.endsWith(".ipynb") && !f.startsWith("."))
          .sort()
          .map((f) => join(p, f)),
      );
  }
  return files;
}

interface RunArgs {
  paths: string[];
  allowErrors: boolean;
  inplace: boolean;
  timeout?: number;
  outDir?: string;
}

function parseRunArgs(args: string[]): RunArgs {
  const parsed: RunArgs = { paths: [], allowErrors: false, inplace: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--allow-errors") parsed.allowErrors = true;
    else if (a === "--inplace") parsed.inplace = true;
    else if (a === "--timeout") {
      const t = Number(args[++i]);
      if (!Number.isFinite(t) || t <= 0) throw new Error(`run: --timeout must be a number of seconds > 0, got ${args[i]}`);
      parsed.timeout = t;
    } else if (a === "--out") {
      const dir = args[++i];
      if (!dir) throw new Error("run: --out needs a folder");
      parsed.outDir = dir;
    } else if (a.startsWith("--")) throw new Error(`run: unknown option ${a}\n\n${USAGE}`);
    else parsed.paths.push(a);
  }
  if (parsed.paths.length === 0) parsed.paths.push("notebooks");
  return parsed;
}

async function run(args: string[]): Promise<number> {
  const a = parseRunArgs(args);
  const files = notebookFiles(a.paths);
  if (files.length === 0) {
    process.stdout.write(`run: no notebooks found in ${a.paths.join(", ")}\n`);
    return 1;
  }
  const reports = await runNotebooks(files, { allowErrors: a.allowErrors, inplace: a.inplace, timeout: a.timeout, outDir: a.outDir });
  const failed = reports.filter((r) => !r.ok);
  process.stdout.write(`${reports.length - failed.length} of ${reports.length} notebooks ran without error\n`);
  return failed.length === 0 ? 0 : 1;
}

function kernel(args: string[]): number {
  if (args[0] === "install") {
    process.stdout.write(`kernel "${DISPLAY_NAME}" registered in ${installKernel()}\n`);
    return 0;
  }
  if (args[0] === "uninstall") {
    const removed = uninstallKernel();
    process.stdout.write(removed ? `kernel removed from ${removed}\n` : `no kernel registered at ${kernelDir()}\n`);
    return 0;
  }
  process.stdout.write(USAGE);
  return 2;
}

/** The entry point of bin/dl-by-hand.js; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "run":
      return run(rest);
    case "kernel":
      return kernel(rest);
    case "slides":
    case "pages":
    case "build":
      return slidesCli(command, rest);
    case "release":
    case "validate":
    case "grade":
      return gradeCli(command, rest);
    case "start": {
      // The decks are built even when a notebook failed: its error shows plainly in them.
      const ran = await run(["notebooks", ...rest]);
      const built = await slidesCli("build", []);
      return Math.max(ran, built);
    }
    default:
      process.stdout.write(USAGE);
      return command === undefined || command === "help" || command === "--help" ? 0 : 2;
  }
}
