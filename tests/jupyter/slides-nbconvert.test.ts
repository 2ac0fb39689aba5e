// Compatibility: the slide metadata the course renderer reads is the one `jupyter nbconvert --to slides`
// reads, so Jupyter's own tool must still make a deck from every notebook. Runs where Debian's
// jupyter-nbconvert is installed: `npm run test:jupyter` (.ci/run installs it first).
import { execFileSync } from "child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { readNotebook } from "../../src/course/slides/notebook";

function notebooksIn(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith(".ipynb"))
        .sort()
        .map((name) => join(dir, name))
    : [];
}

const notebooks = [...notebooksIn(join(__dirname, "..", "fixtures", "slides")), ...notebooksIn(join(__dirname, "..", "..", "notebooks"))];

describe("jupyter nbconvert --to slides", () => {
  it.each(notebooks)("makes a deck from %s", (notebook) => {
    const out = mkdtempSync(join(tmpdir(), "nbconvert-"));
    execFileSync("jupyter", ["nbconvert", "--to", "slides", "--output-dir", out, notebook], { stdio: "pipe" });
    const [deck] = readdirSync(out).filter((name) => name.endsWith(".slides.html"));
    expect(deck).toBeDefined();
    const html = readFileSync(join(out, deck), "utf8");
    const starts = readNotebook(notebook).cells.filter((cell) => cell.slideType === "slide" || cell.slideType === "subslide").length;
    // nbconvert writes one <section> per vertical slide, inside one per column.
    expect((html.match(/<section/g) ?? []).length).toBeGreaterThanOrEqual(starts);
  });
});
