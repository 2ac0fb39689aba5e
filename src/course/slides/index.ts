// `dl-by-hand slides|pages|build`: offline decks, pages and the course home page from executed notebooks.
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, statSync, writeFileSync } from "fs";
import { basename, join, relative } from "path";
import { parseCommandLine, UsageError } from "../args";
import { findNotebooks } from "../notebook-files";
import { findRemoteResources, GENERATOR, isTheme, Theme, THEMES } from "./assets";
import { renderDeck } from "./deck";
import { Lecture, renderHome } from "./home";
import { Notebook, readNotebook } from "./notebook";
import { renderPage } from "./page";
import { DEFAULT_CHROMIUM, printDecks } from "./pdf";

export type Command = "slides" | "pages" | "build";

export interface BuildOptions {
  /** Notebook files or folders of notebooks; empty: `build/notebooks` (the runner's output). */
  inputs: string[];
  /** Output folder: decks go to `<out>/slides`, pages to `<out>/pages`, the home page to `<out>/index.html`. */
  out: string;
  solutions: boolean;
  code: boolean;
  theme: Theme;
  /** Pages show the speaker notes (never in the student version). */
  notes: boolean;
  /** Also print each deck to `<out>/pdf/<notebook>.pdf` with headless Chromium. */
  pdf: boolean;
  /** The Chromium that prints the PDFs. */
  chromium: string;
}

export const USAGE = `usage: dl-by-hand slides|pages|build [notebook.ipynb | folder ...] [options]
  slides           a reveal.js deck per notebook: <out>/slides/<notebook>.html
  pages            a readable page per notebook:  <out>/pages/<notebook>.html
  build            both, and the course home page <out>/index.html
options:
  --out DIR        output folder (default: build)
  --no-solutions   student version: exercise solutions replaced by the stub, hidden tests removed
  --no-code        hide code cells, keep their outputs
  --theme NAME     deck theme: ${THEMES.join(", ")} (default: white)
  --notes          pages show the speaker notes (decks always have them in the presenter view, key S)
  --pdf            also print each deck to <out>/pdf/<notebook>.pdf (one slide per page; needs Chromium)
  --chromium PATH  the Chromium that prints (default: $CHROMIUM or ${DEFAULT_CHROMIUM})
The student version (--no-solutions) never carries speaker notes.
Notebooks default to build/notebooks (executed by \`dl-by-hand run\`).`;

/** Read the command line; a mistake is an Error whose message says what is wrong. */
export function parseArgs(args: string[]): BuildOptions {
  const parsed = parseCommandLine("", args, ["--out", "--theme", "--chromium"], ["--no-solutions", "--no-code", "--notes", "--pdf"]);
  const theme = parsed.values.get("--theme") ?? "white";
  if (!isTheme(theme)) throw new UsageError(`--theme: unknown theme ${JSON.stringify(theme)}; choose one of ${THEMES.join(", ")}`);
  const options: BuildOptions = {
    inputs: parsed.positional,
    out: parsed.values.get("--out") ?? "build",
    solutions: !parsed.flags.has("--no-solutions"),
    code: !parsed.flags.has("--no-code"),
    theme,
    notes: parsed.flags.has("--notes"),
    pdf: parsed.flags.has("--pdf"),
    chromium: parsed.values.get("--chromium") ?? (process.env.CHROMIUM || DEFAULT_CHROMIUM),
  };
  if (options.notes && !options.solutions) {
    throw new UsageError("--notes cannot go with --no-solutions: the student version never carries speaker notes");
  }
  return options;
}

/**
 * Write `text` to `path` through a temporary file, so a reader never sees half a file. A file that
 * this tool did not write (no generator tag) is never overwritten.
 */
function writeOutput(path: string, text: string): void {
  if (existsSync(path) && !fileStart(path).includes(GENERATOR)) {
    throw new Error(`refusing to overwrite ${path}: it was not written by dl-by-hand`);
  }
  mkdirSync(join(path, ".."), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** The first kilobytes of a file, where a generated file carries its generator tag. */
function fileStart(path: string): string {
  const buffer = Buffer.alloc(2048);
  const fd = openSync(path, "r");
  try {
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

function formatSize(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(2)} MB` : `${Math.ceil(bytes / 1000)} kB`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface Outcome {
  /** Decks written, for --pdf. */
  decks: string[];
  written: string[];
  failed: string[];
  warnings: string[];
}

/** Render and write one kind of file for one notebook; failures are recorded, never thrown. */
function produce(path: string, render: () => { html: string; warnings: string[] }, outcome: Outcome): boolean {
  try {
    const { html, warnings } = render();
    outcome.warnings.push(...warnings);
    for (const url of findRemoteResources(html)) outcome.warnings.push(`${path} loads ${url} from the network`);
    writeOutput(path, html);
    outcome.written.push(path);
    return true;
  } catch (error) {
    outcome.failed.push(`${path}: ${message(error)}`);
    return false;
  }
}

/** Build the files of `command` for every notebook; one broken notebook does not stop the others. */
export function build(command: Command, options: BuildOptions): Outcome {
  const outcome: Outcome = { decks: [], written: [], failed: [], warnings: [] };
  let inputs = options.inputs;
  if (inputs.length === 0) {
    inputs = ["build/notebooks"];
    if (!existsSync("build/notebooks") && existsSync("notebooks")) {
      outcome.warnings.push(
        "build/notebooks does not exist: using notebooks/, which has no outputs (run `dl-by-hand run notebooks` first)",
      );
      inputs = ["notebooks"];
    }
  }
  const files = findNotebooks(inputs);
  if (files.length === 0) throw new Error(`no notebooks found in ${inputs.join(", ")}`);
  const lectures: Lecture[] = [];
  for (const file of files) {
    let notebook: Notebook;
    try {
      notebook = readNotebook(file);
    } catch (error) {
      outcome.failed.push(message(error));
      continue;
    }
    const deck = join(options.out, "slides", `${notebook.name}.html`);
    const page = join(options.out, "pages", `${notebook.name}.html`);
    const lecture: Lecture = { notebook, deck: null, page: null };
    if (command !== "pages" && produce(deck, () => renderDeck(notebook, options), outcome)) {
      lecture.deck = relative(options.out, deck);
      outcome.decks.push(deck);
    }
    if (
      command !== "slides" &&
      produce(page, () => renderPage(notebook, { ...options, notes: options.notes && options.solutions }), outcome)
    ) {
      lecture.page = relative(options.out, page);
    }
    lectures.push(lecture);
  }
  if (command === "build") {
    produce(join(options.out, "index.html"), () => renderHome(lectures, "Deep Learning by Hand"), outcome);
  }
  return outcome;
}

/** Entry point of `dl-by-hand slides|pages|build`; returns the process exit code. */
export async function cli(command: Command, args: string[]): Promise<number> {
  if (command !== "slides" && command !== "pages" && command !== "build") {
    throw new Error(`cli: command must be slides, pages or build, got ${JSON.stringify(command)}`);
  }
  let options: BuildOptions;
  try {
    options = parseArgs(args);
  } catch (error) {
    console.error(`dl-by-hand ${command}: ${message(error)}\n${USAGE}`);
    return 2;
  }
  const started = Date.now();
  let outcome: Outcome;
  try {
    outcome = build(command, options);
  } catch (error) {
    console.error(`dl-by-hand ${command}: ${message(error)}`);
    return 2;
  }
  if (options.pdf && command !== "pages") {
    try {
      const jobs = outcome.decks.map((deck) => ({ deck, pdf: join(options.out, "pdf", basename(deck).replace(/\.html$/, ".pdf")) }));
      for (const printed of await printDecks(jobs, options.chromium)) {
        outcome.written.push(printed.pdf);
        console.log(`  printed ${printed.pdf}: ${printed.pages} pages in ${printed.seconds.toFixed(1)} s`);
      }
    } catch (error) {
      outcome.failed.push(message(error));
    }
  }
  for (const path of outcome.written) console.log(`  ${formatSize(statSync(path).size).padStart(9)}  ${path}`);
  for (const warning of outcome.warnings) console.warn(`warning: ${warning}`);
  for (const failure of outcome.failed) console.error(`failed: ${failure}`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`dl-by-hand ${command}: ${outcome.written.length} files written, ${outcome.failed.length} failed, in ${seconds} s`);
  if (command === "build" && outcome.written.includes(join(options.out, "index.html"))) {
    console.log(`Open ${join(options.out, "index.html")}`);
  }
  return outcome.failed.length > 0 ? 1 : 0;
}
