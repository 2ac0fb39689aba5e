// The course tools' command lines: one reader (Node's util.parseArgs), one way to say what is wrong.
import { parseArgs } from "util";
import { nearest } from "../args";

/** A mistake on the command line: the tool prints it with the usage and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** What a command line holds: positional arguments, options with a value, flags. */
export interface ParsedArgs {
  positional: string[];
  /** Options with a value, keyed by their spelling (`--out`). */
  values: Map<string, string>;
  /** Flags that were given (`--check`). */
  flags: Set<string>;
}

/**
 * Read `args` of `command`: `valued` options take a value (`--out DIR` or `--out=DIR`), `flags` take none.
 * An unknown option, a missing value or a value given to a flag is a UsageError naming what was typed,
 * after `command: ` (nothing when `command` is "").
 */
export function parseCommandLine(command: string, args: string[], valued: string[], flags: string[]): ParsedArgs {
  const prefix = command === "" ? "" : `${command}: `;
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const name of valued) options[name.replace(/^--/, "")] = { type: "string" };
  for (const name of flags) options[name.replace(/^--/, "")] = { type: "boolean" };
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const parsed: ParsedArgs = { positional: [], values: new Map(), flags: new Set() };
  for (const token of tokens) {
    if (token.kind === "positional") parsed.positional.push(token.value);
    if (token.kind !== "option") continue;
    const spelling = `--${token.name}`;
    if (valued.includes(spelling)) {
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith("--"))) {
        throw new UsageError(`${prefix}${spelling} needs a value`);
      }
      parsed.values.set(spelling, token.value);
    } else if (flags.includes(spelling)) {
      if (token.value !== undefined) throw new UsageError(`${prefix}${spelling} takes no value, got ${token.rawName}=${token.value}`);
      parsed.flags.add(spelling);
    } else {
      throw new UsageError(`${prefix}unknown option ${token.rawName}${didYouMean(token.rawName, [...valued, ...flags])}`);
    }
  }
  return parsed;
}

/** True when `args` asks for help (`--help` or `-h` before any `--`). */
export function wantsHelp(args: string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

/** `; did you mean "x"?` for the choice nearest to `word`, or "" when none is near (at most a third of it mistyped). */
export function didYouMean(word: string, choices: string[]): string {
  const best = nearest(word, choices);
  return best === undefined ? "" : `; did you mean ${best}?`;
}

/** A number option of at least `min`; absent: undefined. */
export function numberOption(command: string, parsed: ParsedArgs, option: string, min: number): number | undefined {
  const raw = parsed.values.get(option);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < min) {
    throw new UsageError(`${command}: ${option} must be a number ≥ ${min}, got ${raw}`);
  }
  return value;
}
