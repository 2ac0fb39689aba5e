// What a student receives never carries the lecturer's speaker notes: the released notebook, and the
// --no-solutions decks and pages (even when notes are asked for).
import { readdirSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { assignmentFromNotebook } from "../src/course/grade/assignment";
import { releaseNotebook } from "../src/course/grade/release";
import { readNotebook as readCourseNotebook, text } from "../src/course/notebook";
import { renderDeck } from "../src/course/slides/deck";
import { readNotebook } from "../src/course/slides/notebook";
import { renderPage } from "../src/course/slides/page";

const dir = join(__dirname, "..", "notebooks");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ipynb"))
  .sort();

/** A phrase of each speaker-notes cell that no other cell of the notebook has. */
function notePhrases(file: string): string[] {
  const nb = readNotebook(join(dir, file));
  return nb.cells.filter((c) => c.slideType === "notes").map((c) => c.source.replace(/^Speaker notes \([^)]*\)\.\s*/, "").slice(0, 60));
}

describe.each(files)("%s", (file) => {
  const phrases = notePhrases(file);

  it("has speaker notes, and the lecturer's deck shows them", () => {
    expect(phrases.length).toBeGreaterThan(0);
    const deck = renderDeck(readNotebook(join(dir, file)), { solutions: true, code: true, theme: "white" }).html;
    for (const p of phrases) expect(deck).toContain(p.slice(0, 20).replace(/&/g, "&amp;").split("`")[0]);
  });

  it("the released notebook leaves them out", () => {
    const path = join(dir, file);
    const released = releaseNotebook(assignmentFromNotebook(readCourseNotebook(path), path));
    const all = released.cells.map((c) => text(c.source)).join("\n");
    for (const p of phrases) expect(all).not.toContain(p);
    expect(released.cells.some((c) => (c.metadata.slideshow as { slide_type?: string } | undefined)?.slide_type === "notes")).toBe(false);
  });

  it("the --no-solutions deck and page leave them out", () => {
    const nb = readNotebook(join(dir, file));
    const deck = renderDeck(nb, { solutions: false, code: true, theme: "white" }).html;
    const page = renderPage(nb, { solutions: false, code: true, notes: true }).html;
    for (const p of phrases) {
      const start = p.slice(0, 20).split("`")[0];
      expect(deck).not.toContain(start);
      expect(page).not.toContain(start);
    }
    expect(deck).not.toContain('<aside class="notes">');
  });
});
