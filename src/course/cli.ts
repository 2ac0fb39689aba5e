// `npx dl-by-hand <command>`: the course tools for people (run, kernel, and the commands below).
import { didYouMean, parseCommandLine, UsageError, wantsHelp } from "./args";
import { DISPLAY_NAME, installKernel, kernelDir, uninstallKernel } from "./kernelspec";
import { findNotebooks } from "./notebook-files";
import { MAX_TIMEOUT_SECONDS, runNotebooks } from "./runner";
import { cli as gradeCli, USAGE as GRADE_USAGE } from "./grade";

const RUN_USAGE = `usage: dl-by-hand run [notebook.ipynb | folder ...] [--allow-errors] [--timeout S] [--out DIR] [--inplace]
  execute notebooks (files or folders; default notebooks/) through the course kernel
  --allow-errors   keep running a notebook after a failing cell
  --timeout S      seconds a cell may run (default 120, at most ${MAX_TIMEOUT_SECONDS})
  --out DIR        where the executed copies go (default build/notebooks; never a notebook's own folder)
  --inplace        write the outputs into the notebooks themselves (through symlinks; the file keeps
                   its mode; read-only and hard-linked notebooks are refused)`;

const KERNEL_USAGE = `usage: dl-by-hand kernel install | uninstall
  register the "${DISPLAY_NAME}" kernel with Jupyter, or remove it`;

const START_USAGE = `usage: dl-by-hand start [run options]
  run every notebook of notebooks/ into build/notebooks/ (see \`dl-by-hand run --help\`),
  then build the decks, pages and home page into build/`;

/** The commands, in the order `dl-by-hand --help` lists them. */
export const COMMANDS = ["run", "kernel", "slides", "pages", "build", "start", "release", "validate", "grade", "help"] as const;
type Command = (typeof COMMANDS)[number];

const USAGE = `usage: dl-by-hand <command> [options]

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

${GRADE_USAGE}
\`dl-by-hand <command> --help\` prints the usage of one command.
`;

/** The slides tools load highlight.js and KaTeX: only for the commands that use them. */
const slides = () => import("./slides");

/** The usage of one command, as `dl-by-hand <command> --help` prints it. */
export async function commandUsage(command: Command): Promise<string> {
  if (command === "run") return RUN_USAGE;
  if (command === "kernel") return KERNEL_USAGE;
  if (command === "start") return START_USAGE;
  if (command === "help") return USAGE.trimEnd();
  if (command === "slides" || command === "pages" || command === "build") return (await slides()).USAGE;
  // The grading usage describes its three commands in blocks that start with `  dl-by-hand <command>`.
  const lines = GRADE_USAGE.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`  dl-by-hand ${command} `) || line === `  dl-by-hand ${command}`);
  let end = start + 1;
  while (end < lines.length && !lines[end].startsWith("  dl-by-hand ") && lines[end].trim() !== "") end++;
  return ["usage: " + lines[start].trim(), ...lines.slice(start + 1, end).map((line) => line.slice(2))].join("\n");
}

/** `run`, or `start` (which runs notebooks/ first): `command` is the one the user typed, for the messages. */
async function run(args: string[], command: "run" | "start" = "run"): Promise<number> {
  const parsed = parseCommandLine(command, args, ["--timeout", "--out"], ["--allow-errors", "--inplace"]);
  const raw = parsed.values.get("--timeout");
  const timeout = raw === undefined ? undefined : Number(raw);
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0 && timeout <= MAX_TIMEOUT_SECONDS)) {
    throw new UsageError(`${command}: --timeout must be a number of seconds > 0 and at most ${MAX_TIMEOUT_SECONDS}, got ${raw}`);
  }
  if (parsed.flags.has("--inplace") && parsed.values.has("--out")) {
    throw new UsageError(`${command}: --out and --inplace cannot be used together (--inplace writes into the notebooks themselves)`);
  }
  const paths = parsed.positional.length > 0 ? parsed.positional : ["notebooks"];
  let files: string[];
  try {
    files = findNotebooks(paths);
  } catch (error) {
    throw new UsageError(`${command}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (files.length === 0) {
    process.stderr.write(`dl-by-hand ${command}: no notebooks found in ${paths.join(", ")}\n`);
    return 1;
  }
  const reports = await runNotebooks(files, {
    allowErrors: parsed.flags.has("--allow-errors"),
    inplace: parsed.flags.has("--inplace"),
    timeout,
    outDir: parsed.values.get("--out"),
  });
  const failed = reports.filter((r) => !r.ok);
  process.stdout.write(`${reports.length - failed.length} of ${reports.length} notebooks ran without error\n`);
  return failed.length === 0 ? 0 : 1;
}

function kernel(args: string[]): number {
  const parsed = parseCommandLine("kernel", args, [], []);
  const [action, ...extra] = parsed.positional;
  if (action === undefined) throw new UsageError("kernel: say install or uninstall");
  if (extra.length > 0) throw new UsageError(`kernel ${action}: takes no arguments, got ${extra.join(" ")}`);
  if (action === "install") {
    process.stdout.write(`kernel "${DISPLAY_NAME}" registered in ${installKernel()}\n`);
    return 0;
  }
  if (action === "uninstall") {
    const removed = uninstallKernel();
    process.stdout.write(removed ? `kernel removed from ${removed}\n` : `no kernel registered at ${kernelDir()}\n`);
    return 0;
  }
  throw new UsageError(`kernel: unknown action ${JSON.stringify(action)}${didYouMean(action, ["install", "uninstall"])}`);
}

function isCommand(word: string): word is Command {
  return (COMMANDS as readonly string[]).includes(word);
}

async function dispatch(command: Command, rest: string[]): Promise<number> {
  switch (command) {
    case "run":
      return run(rest);
    case "kernel":
      return kernel(rest);
    case "slides":
    case "pages":
    case "build":
      return (await slides()).cli(command, rest);
    case "release":
    case "validate":
    case "grade":
      return gradeCli(command, rest);
    case "start": {
      // The decks are built even when a notebook failed: its error shows plainly in them.
      const ran = await run(["notebooks", ...rest], "start");
      const built = await (await slides()).cli("build", []);
      return Math.max(ran, built);
    }
    case "help": {
      const [topic] = rest;
      if (topic !== undefined && !isCommand(topic)) return unknownCommand(topic);
      process.stdout.write((await commandUsage(topic ?? "help")) + "\n");
      return 0;
    }
  }
}

function unknownCommand(word: string): number {
  const hint = didYouMean(
    word,
    COMMANDS.filter((c) => c !== "help"),
  );
  process.stderr.write(`dl-by-hand: unknown command ${JSON.stringify(word)}${hint}\n\`dl-by-hand --help\` lists the commands.\n`);
  return 2;
}

/** The entry point of bin/dl-by-hand.js; resolves to the exit code (0 done, 1 something failed, 2 a usage mistake). */
export async function main(args: string[]): Promise<number> {
  const [word, ...rest] = args;
  if (word === undefined || word === "--help" || word === "-h") {
    process.stdout.write(USAGE);
    return 0;
  }
  if (word.startsWith("-")) {
    process.stderr.write(`dl-by-hand: ${word} is not a command; give the command first\n\`dl-by-hand --help\` lists the commands.\n`);
    return 2;
  }
  if (!isCommand(word)) return unknownCommand(word);
  if (word !== "help" && wantsHelp(rest)) {
    process.stdout.write((await commandUsage(word)) + "\n");
    return 0;
  }
  try {
    return await dispatch(word, rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`dl-by-hand ${error.message}\n\`dl-by-hand ${word} --help\` prints its usage.\n`);
    return 2;
  }
}
