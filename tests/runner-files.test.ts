// The runner on files: bad notebooks are reported by name, nothing is written for them,
// the others still run; sources are never touched.
import { execFileSync, spawn } from "child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "fs";
import { tmpdir } from "os";
import { basename, join } from "path";
import { describe, expect, it } from "vitest";
import { runNotebooks } from "../src/course/runner";
import { serializeNotebook } from "../src/course/notebook";
import { codeCell, notebook } from "./helpers";

describe("runNotebooks", async () => {
  // Notebooks must live inside the project for `import "dl-by-hand"` to resolve: use the fixture folder.
  const dir = join(__dirname, "fixtures", "kernel");
  const out = mkdtempSync(join(tmpdir(), "runner-out-"));
  const good = join(mkdtempSync(join(tmpdir(), "runner-src-")), "good.ipynb");
  writeFileSync(good, serializeNotebook(notebook([codeCell('console.log("fine")')])));
  const before = readFileSync(good, "utf8");
  const bad = {
    json: join(out, "..", `broken-${process.pid}.ipynb`),
    v3: join(out, "..", `old-${process.pid}.ipynb`),
    missing: join(dir, "does-not-exist.ipynb"),
  };
  writeFileSync(bad.json, '{"cells": [');
  writeFileSync(bad.v3, JSON.stringify({ nbformat: 3, nbformat_minor: 0, metadata: {}, worksheets: [] }));
  const lines: string[] = [];
  const reports = await runNotebooks([bad.json, bad.missing, bad.v3, good], { outDir: out, log: (l) => lines.push(l) });

  it("malformed JSON is reported naming the file", () => {
    expect(reports[0]).toMatchObject({ ok: false, out: null });
    expect(reports[0].message).toContain(bad.json);
    expect(reports[0].message).toContain("not valid notebook JSON");
  });

  it("a missing file is reported naming the file", () => {
    expect(reports[1].message).toBe(`${bad.missing}: no such file`);
  });

  it("an nbformat 3 file is reported with how to convert it", () => {
    expect(reports[2].message).toContain("nbformat 3 is not supported");
    expect(reports[2].message).toContain(bad.v3);
  });

  it("nothing is written for the bad files, the good one still runs", () => {
    expect(existsSync(join(out, `broken-${process.pid}.ipynb`))).toBe(false);
    expect(existsSync(join(out, `old-${process.pid}.ipynb`))).toBe(false);
    expect(reports[3]).toMatchObject({ ok: true, out: join(out, "good.ipynb") });
    const executed = JSON.parse(readFileSync(join(out, "good.ipynb"), "utf8"));
    expect(executed.cells[0].outputs).toEqual([{ output_type: "stream", name: "stdout", text: "fine\n" }]);
    expect(executed.cells[0].execution_count).toBe(1);
  });

  it("the source notebook is untouched and each failure is logged once", () => {
    expect(readFileSync(good, "utf8")).toBe(before);
    expect(lines.filter((l) => l.includes(bad.json))).toHaveLength(1);
  });

  it("a failing cell is reported as <notebook>: cell N: <ename>: <evalue>", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "runner-fail-")), "fails.ipynb");
    writeFileSync(file, serializeNotebook(notebook([codeCell("1"), codeCell('throw new Error("nope")'), codeCell("2")])));
    const [report] = await runNotebooks([file], { outDir: out, log: () => undefined });
    expect(report.ok).toBe(false);
    expect(report.message).toBe(`${file}: cell 2: Error: nope`);
  });

  it("--inplace rewrites the notebook itself with its outputs", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "runner-inplace-")), "inplace.ipynb");
    copyFileSync(good, file);
    await runNotebooks([file], { inplace: true, log: () => undefined });
    expect(JSON.parse(readFileSync(file, "utf8")).cells[0].outputs[0].text).toBe("fine\n");
  });
});

// The file-safety rules (README, "Instructors"): nothing of the user's is destroyed or silently
// rewritten; what cannot be done is said, naming the file, and the rest still runs.
const bin = join(__dirname, "..", "bin", "dl-by-hand.js");

function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

function write(file: string, nb = notebook([codeCell('console.log("ran")')])): string {
  writeFileSync(file, serializeNotebook(nb));
  return file;
}

/** Content, inode, mode and mtime: what "untouched" means. */
function fingerprint(file: string): string {
  const st = lstatSync(file);
  return JSON.stringify([readFileSync(file, "utf8"), st.ino, st.mode, st.mtimeMs, st.nlink]);
}

function cli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => done({ code, stdout, stderr, ms: Date.now() - t0 }));
  });
}

describe("runner file safety", () => {
  const quiet = { log: () => undefined };

  it("--out pointing at the notebook's own folder is refused (the sources stay as they are) unless --inplace", async () => {
    const dir = tmp("runner-same-");
    const file = write(join(dir, "a.ipynb"));
    const before = fingerprint(file);
    for (const outDir of [dir, join(dir, ".", "..", basename(dir))]) {
      const [report] = await runNotebooks([file], { outDir, ...quiet });
      expect(report).toMatchObject({ ok: false, out: null });
      expect(report.message).toContain(`${file}: not run: --out`);
      expect(report.message).toContain("only with --inplace");
    }
    expect(fingerprint(file)).toBe(before);
  });

  // One run with --inplace: two refusals and a symlink written through (one kernel start).
  describe("--inplace", async () => {
    const dir = tmp("runner-inplace-rules-");
    const readOnly = write(join(dir, "ro.ipynb"));
    chmodSync(readOnly, 0o444);
    const linked = write(join(dir, "linked.ipynb"));
    const other = join(dir, "other-name.ipynb");
    linkSync(linked, other);
    const real = write(join(dir, "real.ipynb"));
    chmodSync(real, 0o640);
    const link = join(tmp("runner-link-elsewhere-"), "link.ipynb");
    symlinkSync(real, link);
    const before = [readOnly, linked, other].map(fingerprint);
    const reports = await runNotebooks([readOnly, linked, link], { inplace: true, ...quiet });

    it("refuses a read-only notebook and one with several hard links, touching neither", () => {
      expect(reports[0].message).toBe(
        `${readOnly}: not run: ${realpathSync(readOnly)} is read-only: it is not replaced (make it writable first)`,
      );
      expect(reports[1].message).toContain(`${linked}: not run: ${realpathSync(linked)} has 2 hard links`);
      expect(reports.slice(0, 2).every((r) => !r.ok && r.out === null)).toBe(true);
      expect([readOnly, linked, other].map(fingerprint)).toEqual(before);
    });

    it("through a symlink writes the real file, keeps its mode, and the link stays a link", () => {
      expect(reports[2]).toMatchObject({ ok: true, out: realpathSync(real) });
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readlinkSync(link)).toBe(real);
      expect(statSync(real).mode & 0o7777).toBe(0o640);
      expect(JSON.parse(readFileSync(real, "utf8")).cells[0].outputs).toEqual([{ output_type: "stream", name: "stdout", text: "ran\n" }]);
    });
  });

  it("a read-only file already at the --out target is not replaced", async () => {
    const out = tmp("runner-ro-out-");
    const target = join(out, "a.ipynb");
    writeFileSync(target, "keep me");
    chmodSync(target, 0o400);
    const [report] = await runNotebooks([write(join(tmp("runner-src-"), "a.ipynb"))], { outDir: out, ...quiet });
    expect(report.message).toContain(`not run: ${target} is read-only`);
    expect(readFileSync(target, "utf8")).toBe("keep me");
  });

  // One run with --out: a clash of names refused, the others run (two kernel starts).
  describe("--out", async () => {
    const out = tmp("runner-out-rules-");
    const a = write(join(tmp("runner-a-"), "same.ipynb"));
    const b = write(join(tmp("runner-b-"), "same.ipynb"));
    const src = tmp("runner-minor-");
    const v44 = notebook([codeCell("1"), codeCell("2")]);
    const old = write(join(src, "v44.ipynb"), { ...v44, nbformat_minor: 4, cells: v44.cells.map(({ id: _id, ...cell }) => cell) });
    const v45 = notebook([codeCell("1"), codeCell("2"), codeCell("3")]);
    v45.cells[0].id = undefined;
    v45.cells[2].id = v45.cells[1].id; // a duplicate id is as invalid as none
    const current = write(join(src, "v45.ipynb"), v45);
    const reports = await runNotebooks([a, b, old, current], { outDir: out, ...quiet });

    it("two notebooks whose outputs would be the same file are both refused, each naming the other; the rest runs", () => {
      expect(reports[0].message).toBe(
        `${a}: not run: its output ${join(realpathSync(out), "same.ipynb")} would be the same file as that of ${b}; rename one, or run them with different --out folders`,
      );
      expect(reports[1].message).toContain(`${b}: not run: its output`);
      expect(reports[1].message).toContain(`as that of ${a};`);
      expect(existsSync(join(out, "same.ipynb"))).toBe(false);
      expect(reports.slice(2).map((r) => r.ok)).toEqual([true, true]);
    });

    it("keeps the nbformat minor version valid: 4.4 stays 4.4 without ids, 4.5 gets a valid unique id for every cell", () => {
      const v4 = JSON.parse(readFileSync(join(out, "v44.ipynb"), "utf8"));
      expect([v4.nbformat, v4.nbformat_minor]).toEqual([4, 4]);
      expect(v4.cells.map((c: { id?: string }) => c.id)).toEqual([undefined, undefined]);
      expect(v4.cells[1].outputs[0].data).toEqual({ "text/plain": "2" });
      const v5 = JSON.parse(readFileSync(join(out, "v45.ipynb"), "utf8"));
      expect(v5.nbformat_minor).toBe(5);
      const ids: string[] = v5.cells.map((c: { id: string }) => c.id);
      expect(new Set(ids).size).toBe(3);
      for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
    });
  });

  it("a FIFO named *.ipynb is refused at once, without blocking; the next notebook runs; exit code 1 at the end", async () => {
    const dir = tmp("runner-fifo-");
    const fifo = join(dir, "pipe.ipynb");
    execFileSync("mkfifo", [fifo]);
    const good = write(join(dir, "good.ipynb"));
    const out = join(tmp("runner-fifo-out-"), "o");
    const r = await cli(["run", fifo, good, "--out", out], dir);
    expect(r.stdout).toContain(`${fifo}: not a regular file (a named pipe (FIFO)), not read`);
    expect(r.stdout).toContain("1 of 2 notebooks ran without error");
    expect(r.code).toBe(1);
    expect(existsSync(join(out, "good.ipynb"))).toBe(true);
    expect(existsSync(join(out, "pipe.ipynb"))).toBe(false);
    expect(readNotebookKind(fifo)).toBe("fifo");
  });

  it("--timeout above 2,147,483 s, or --out with --inplace, is a usage error (exit 2) before anything runs", async () => {
    const dir = tmp("runner-usage-");
    const file = write(join(dir, "a.ipynb"));
    const before = fingerprint(file);
    const big = await cli(["run", file, "--timeout", "2147484"], dir);
    expect(big.code).toBe(2);
    expect(big.stderr).toContain("--timeout must be a number of seconds > 0 and at most 2147483, got 2147484");
    const both = await cli(["run", file, "--inplace", "--out", dir], dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--out and --inplace cannot be used together");
    expect(fingerprint(file)).toBe(before);
    await expect(runNotebooks([file], { timeout: 2_147_484, ...quiet })).rejects.toThrow(
      "runNotebooks: options.timeout must be seconds in (0, 2147483], got 2147484",
    );
  });
});

function readNotebookKind(file: string): string {
  return lstatSync(file).isFIFO() ? "fifo" : "other";
}
