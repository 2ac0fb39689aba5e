// Notebooks 09 and 10 make their choices on validation digits and look at the test digits once, at the end:
// checked in their source (both train, so their exercises run in tests/exercises.test.ts with the others).
import { join } from "path";
import { describe, expect, it } from "vitest";
import { readNotebook, text } from "../src/course/notebook";

const dir = join(__dirname, "..", "notebooks");

/** The code cells of a notebook, in order, with their sources. */
function codeCells(name: string): string[] {
  return readNotebook(join(dir, `${name}.ipynb`))
    .cells.filter((c) => c.cell_type === "code")
    .map((c) => text(c.source));
}

/** Does this code read the test digits (the variable `test`, not the option key `test:` or a word in a string)? */
const readsTest = (code: string) => /(?<![\w.])test(?![\w:])(?=\s*[,).;\]]|\.\w)/.test(code.replace(/"[^"\n]*"|`[^`\n]*`/g, '""'));

describe("09 and 10 choose on validation digits and look at the test digits once", () => {
  it("09: training monitors the validation digits; the test digits first appear after fit, in the evaluation cell", () => {
    const cells = codeCells("09-training-lenet-mnist");
    const fitCell = cells.findIndex((c) => c.includes("await dl.train.fit(model, train"));
    expect(fitCell).toBeGreaterThan(0);
    expect(cells[fitCell]).toContain("test: validation");
    const firstRead = cells.findIndex((c, i) => i > 0 && readsTest(c) && !c.includes("const test = dl.train.scaleExamples"));
    expect(firstRead).toBeGreaterThan(fitCell);
    expect(cells[firstRead]).toContain("dl.train.evaluate(model, test)");
  });

  it("10: no cell before section 6 reads the test digits (beyond defining them)", () => {
    const nb = readNotebook(join(dir, "10-when-cnns-fail.ipynb"));
    const section6 = nb.cells.findIndex((c) => c.cell_type === "markdown" && text(c.source).startsWith("## 6 · The test digits, once"));
    expect(section6).toBeGreaterThan(0);
    const before = nb.cells.slice(0, section6).filter((c) => c.cell_type === "code");
    const readers = before.filter((c) =>
      readsTest(text(c.source).replace("const test = dl.train.scaleExamples(testPixels, 1 / std);", "")),
    );
    expect(readers.map((c) => c.id)).toEqual([]);
    const after = nb.cells.slice(section6).filter((c) => c.cell_type === "code");
    expect(after.some((c) => readsTest(text(c.source)))).toBe(true);
  });

  it("the check of `test` reads catches a read and ignores the option key and strings", () => {
    expect(readsTest("dl.train.evaluate(lenet, test).accuracy")).toBe(true);
    expect(readsTest("const x = test.count;")).toBe(true);
    expect(readsTest("fit(net, train, { test: validation })")).toBe(false);
    expect(readsTest('console.log("the test digits")')).toBe(false);
  });
});
