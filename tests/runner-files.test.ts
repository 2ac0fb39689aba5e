// The runner on files: bad notebooks are reported by name, nothing is written for them,
// the others still run; sources are never touched.
import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
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
