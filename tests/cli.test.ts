// The real `dl-by-hand` command (bin/dl-by-hand.js over dist/): help, mistakes, exit codes, stdout vs stderr.
import { spawnSync } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { nearest } from "../src/args";
import { didYouMean, parseCommandLine, UsageError } from "../src/course/args";
import { findNotebooks } from "../src/course/notebook-files";

const root = join(__dirname, "..");

function dlByHand(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  return dlByHandWith({}, ...args);
}

function dlByHandWith(env: NodeJS.ProcessEnv, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const work = mkdtempSync(join(tmpdir(), "cli-"));
  const result = spawnSync(process.execPath, [join(root, "bin", "dl-by-hand.js"), ...args], {
    cwd: work,
    encoding: "utf8",
    env: { ...process.env, JUPYTER_DATA_DIR: join(work, "jupyter"), JUPYTER_PATH: join(work, "jupyter"), ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const commands = ["run", "kernel", "slides", "pages", "build", "start", "release", "validate", "grade"];

describe("dl-by-hand --help", () => {
  it("lists every command and exits 0", () => {
    for (const flag of ["--help", "-h"]) {
      const { code, stdout, stderr } = dlByHand(flag);
      expect(code).toBe(0);
      expect(stderr).toBe("");
      for (const command of commands) expect(stdout).toMatch(new RegExp(`^\\s+(\\S+ \\| )*${command}\\b`, "m"));
    }
  });

  it.each(commands)("%s --help and -h print that command's usage on stdout and exit 0", (command) => {
    for (const flag of ["--help", "-h"]) {
      const { code, stdout, stderr } = dlByHand(command, flag);
      expect(code).toBe(0);
      expect(stderr).toBe("");
      const first = stdout.split("\n")[0];
      expect(first).toMatch(/^usage: dl-by-hand /);
      expect(first).toContain(command);
    }
  });

  it("help after other arguments still wins, and `help <command>` says the same", () => {
    const late = dlByHand("grade", "submissions", "--jobs", "2", "--help");
    expect(late.code).toBe(0);
    expect(late.stdout).toMatch(/^usage: dl-by-hand grade <submissions>/);
    expect(dlByHand("help", "grade").stdout).toBe(late.stdout);
  });

  it("the usage of one grading command is only that command's", () => {
    const { stdout } = dlByHand("validate", "--help");
    expect(stdout).toMatch(/^usage: dl-by-hand validate <notebook>/);
    expect(stdout).not.toContain("dl-by-hand grade");
    expect(stdout).not.toContain("dl-by-hand release");
  });
});

describe("mistakes on the command line", () => {
  it("an unknown command names the nearest one on stderr and exits 2", () => {
    for (const [typed, meant] of [
      ["relase", "release"],
      ["grad", "grade"],
      ["slide", "slides"],
      ["kernal", "kernel"],
    ]) {
      const { code, stdout, stderr } = dlByHand(typed, "x");
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toContain(`unknown command "${typed}"; did you mean ${meant}?`);
    }
  });

  it("a word far from every command gets no guess", () => {
    const { code, stderr } = dlByHand("photosynthesis");
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command "photosynthesis"');
    expect(stderr).not.toContain("did you mean");
  });

  it("an option before the command is refused", () => {
    const { code, stderr } = dlByHand("--verbose", "run");
    expect(code).toBe(2);
    expect(stderr).toMatch(/--verbose is not a command/);
  });

  it.each([
    ["run", "--allow-error", "--allow-errors"],
    ["slides", "--them", "--theme"],
    ["build", "--no-solution", "--no-solutions"],
    ["release", "--chek", "--check"],
    ["grade", "--jbos", "--jobs"],
    ["validate", "--timout", "--timeout"],
    ["start", "--timout", "--timeout"],
  ])("%s %s: unknown option, did you mean %s, exit 2, nothing on stdout", (command, typed, meant) => {
    const { code, stdout, stderr } = dlByHand(command, "x.ipynb", typed, "1");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(`unknown option ${typed}; did you mean ${meant}?`);
  });

  it("kernel with a mistyped action names the nearest one", () => {
    const { code, stderr } = dlByHand("kernel", "instal");
    expect(code).toBe(2);
    expect(stderr).toContain('unknown action "instal"; did you mean install?');
    expect(dlByHand("kernel").code).toBe(2);
  });

  it("errors speak of what the user gave, not of internal functions", () => {
    const cases: string[][] = [
      ["run", "missing-folder"],
      ["slides", "missing-folder"],
      ["release", "missing-folder"],
      ["run", "--timeout", "soon"],
      ["run", "--out"],
    ];
    for (const args of cases) {
      const { code, stdout, stderr } = dlByHand(...args);
      expect(code, args.join(" ")).toBeGreaterThan(0);
      expect(stdout, args.join(" ")).toBe("");
      expect(stderr, args.join(" ")).toMatch(new RegExp(args[args.length - 1]));
      expect(stderr, args.join(" ")).not.toMatch(/findNotebooks|notebookFiles|parseArgs|parseCommandLine|Error:|at .*\.js:\d+/);
    }
  });
});

describe("failures that are not the user's typing", () => {
  it("exit 1 with one line on stderr, no stack trace", () => {
    const file = join(mkdtempSync(join(tmpdir(), "cli-file-")), "not-a-folder");
    writeFileSync(file, "");
    const { code, stdout, stderr } = dlByHandWith({ JUPYTER_DATA_DIR: file }, "kernel", "install");
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toEqual([expect.stringMatching(/^dl-by-hand: ENOTDIR: .*not-a-folder/)]);
  });
});

describe("the shared command-line reader", () => {
  it("reads values in both spellings, flags and positionals", () => {
    const parsed = parseCommandLine(
      "t",
      ["a", "--out=x", "--check", "b", "--timeout", "3", "--", "--out"],
      ["--out", "--timeout"],
      ["--check"],
    );
    expect(parsed.positional).toEqual(["a", "b", "--out"]);
    expect(Object.fromEntries(parsed.values)).toEqual({ "--out": "x", "--timeout": "3" });
    expect([...parsed.flags]).toEqual(["--check"]);
  });

  it("rejects a missing value, a value on a flag and an unknown option with a UsageError", () => {
    expect(() => parseCommandLine("t", ["--out", "--check"], ["--out"], ["--check"])).toThrow(new UsageError("t: --out needs a value"));
    expect(() => parseCommandLine("t", ["--check=yes"], [], ["--check"])).toThrow(/t: --check takes no value/);
    expect(() => parseCommandLine("t", ["-x"], [], ["--check"])).toThrow(/t: unknown option -x$/);
  });

  it("guesses only near words", () => {
    expect(nearest("--thme", ["--out", "--theme"])).toBe("--theme");
    expect(nearest("--colour", ["--out", "--theme"])).toBeUndefined();
    expect(didYouMean("GRADE", ["grade"])).toBe("; did you mean grade?");
  });
});

describe("findNotebooks", () => {
  it("gives a folder's visible notebooks sorted, keeps .ipynb paths, names a bad path", () => {
    const dir = mkdtempSync(join(tmpdir(), "find-"));
    for (const name of ["b.ipynb", "a.ipynb", ".hidden.ipynb", "notes.md"]) writeFileSync(join(dir, name), "{}");
    expect(findNotebooks([dir, "later.ipynb"])).toEqual([join(dir, "a.ipynb"), join(dir, "b.ipynb"), "later.ipynb"]);
    expect(() => findNotebooks([join(dir, "nowhere")])).toThrow(`${join(dir, "nowhere")} does not exist`);
    expect(() => findNotebooks([join(dir, "notes.md")])).toThrow("notes.md is neither a folder nor an .ipynb file");
  });
});
