// Decks that a lecture hall can read: every slide of every deck opened at 1280×720 and 1920×1080
// in Chromium, and measured (slides-measure.ts): nothing past the slide box, no code cut at the
// right edge, no text box over another (figure labels included), no figure text cut off at the
// figure's edge, every figure drawn, body text ≥ 28 px, code ≥ 20 px, figure labels ≥ 20 px,
// every text colour ≥ 4.5:1 on its background.
// Then one deck printed with `--pdf`: one page per slide, no blank page.
// Run with `npm run test:slides` (after `npm start`, which executes the notebooks into build/notebooks).
import { execFileSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../../src/course/slides";
import { DeckReport, measureDeck, SIZES, summarise } from "./slides-fit";
import { CHROMIUM_FLAGS, DEFAULT_CHROMIUM } from "../../src/course/slides/pdf";

const ROOT = resolve(__dirname, "..", "..");
const SCREENSHOTS = join(ROOT, "build", "screenshots");
const SOURCES = [join(ROOT, "tests", "fixtures", "slides"), join(ROOT, "build", "notebooks")].filter(
  (dir) => existsSync(dir) && readdirSync(dir).some((name) => name.endsWith(".ipynb")),
);

let context: BrowserContext;
let userDataDir: string;
const outs: string[] = [];
const decks: string[] = [];

beforeAll(async () => {
  for (const dir of SOURCES) {
    const out = mkdtempSync(join(tmpdir(), "slides-fit-"));
    outs.push(out);
    expect(await cli("slides", [dir, "--out", out])).toBe(0);
    for (const name of readdirSync(join(out, "slides"))
      .filter((file) => file.endsWith(".html"))
      .sort())
      decks.push(join(out, "slides", name));
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  userDataDir = mkdtempSync(join(tmpdir(), "slides-fit-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: DEFAULT_CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS],
  });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    return url.startsWith("file:") || url.startsWith("data:") ? route.continue() : route.abort();
  });
});

afterAll(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  for (const out of outs) rmSync(out, { recursive: true, force: true });
});

/** Everything wrong on the slides of one report, one line per slide. */
function problems(report: DeckReport): string[] {
  const found = [...report.errors];
  for (const slide of report.slides) {
    const wrong: string[] = [];
    if (slide.overflowY > 1 || slide.overflowX > 1) wrong.push(`overflows by ${slide.overflowY}px down, ${slide.overflowX}px right`);
    if (slide.codeCut > 0) wrong.push(`${slide.codeCut} code blocks cut`);
    if (slide.overlaps.length > 0) wrong.push(`overlaps: ${slide.overlaps.slice(0, 3).join("; ")}`);
    if (slide.clipped.length > 0) wrong.push(`cut off at the figure's edge: ${slide.clipped.slice(0, 3).join("; ")}`);
    if (slide.figuresDrawn !== slide.figures) wrong.push(`${slide.figures - slide.figuresDrawn} figures not drawn`);
    if (slide.small.length > 0) wrong.push(`too small: ${slide.small.slice(0, 3).join("; ")}`);
    if (slide.lowContrast.length > 0) wrong.push(`low contrast: ${slide.lowContrast.slice(0, 3).join("; ")}`);
    if (wrong.length > 0) found.push(`${report.deck} ${report.size} slide ${slide.key}: ${wrong.join(" | ")}`);
  }
  return found;
}

describe.each(SIZES)("every slide at $width×$height", (size) => {
  it("fits the slide box, reads from the back, and draws its figures", async () => {
    expect(decks.length).toBeGreaterThan(0);
    const reports: DeckReport[] = [];
    for (const deck of decks) reports.push(await measureDeck(context, deck, size, SCREENSHOTS));
    console.log(`${size.width}x${size.height}:`, JSON.stringify(summarise(reports)));
    // The measurement itself must have seen slides, figures and continued slides, or it proves nothing.
    const slides = reports.flatMap((report) => report.slides);
    expect(slides.length).toBeGreaterThan(decks.length);
    expect(slides.some((slide) => slide.figures > 0)).toBe(true);
    expect(reports.flatMap(problems)).toEqual([]);
  });
});

/** Grey levels of a binary PGM (P5) that pdftoppm -gray writes. */
function pgmPixels(path: string): Uint8Array {
  const data = readFileSync(path);
  const header = data.toString("latin1", 0, 64).match(/^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/);
  if (!header) throw new Error(`${path} is not a binary PGM`);
  return new Uint8Array(data.subarray(header[0].length));
}

describe("dl-by-hand build --pdf", () => {
  it("prints a deck with figures and math: one page per slide, none blank", async () => {
    const source = SOURCES.at(-1);
    if (!source) throw new Error("no notebooks to build");
    // The deck with the most figures among those with math: the hardest one to print.
    const notebook = readdirSync(source)
      .filter((name) => name.endsWith(".ipynb"))
      .sort()
      .map((name) => ({ name, text: readFileSync(join(source, name), "utf8") }))
      .filter(({ text }) => text.includes("$"))
      .sort((a, b) => b.text.split("application/vnd.plotly.v1+json").length - a.text.split("application/vnd.plotly.v1+json").length)[0];
    const out = mkdtempSync(join(tmpdir(), "slides-pdf-"));
    outs.push(out);
    const input = join(source, notebook.name);
    expect(await cli("build", [input, "--out", out, "--pdf"])).toBe(0);
    const stem = notebook.name.replace(/\.ipynb$/, "");
    const pdf = join(out, "pdf", `${stem}.pdf`);
    expect(existsSync(pdf)).toBe(true);

    // Slides as reveal.js counts them in the same deck on screen (after fitting).
    const page = await context.newPage();
    await page.goto(`file://${join(out, "slides", `${stem}.html`)}`);
    await page.waitForFunction(() => typeof Reveal !== "undefined" && Reveal.isReady());
    const slides = await page.evaluate(() => Reveal.getTotalSlides());
    const figures = await page.evaluate(() => document.querySelectorAll(".plotly-figure").length);
    await page.close();
    expect(figures).toBeGreaterThan(0);

    const info = execFileSync("pdfinfo", [pdf], { encoding: "utf8" });
    expect(Number(/Pages:\s+(\d+)/.exec(info)?.[1])).toBe(slides);
    const pngs = join(out, "raster");
    mkdirSync(pngs);
    execFileSync("pdftoppm", ["-r", "12", "-gray", pdf, join(pngs, "p")]);
    const pages = readdirSync(pngs)
      .filter((name) => name.endsWith(".pgm"))
      .sort();
    expect(pages).toHaveLength(slides);
    for (const name of pages) {
      const pixels = pgmPixels(join(pngs, name));
      const inked = pixels.filter((grey) => grey < 200).length / pixels.length;
      expect(inked, `${name} of ${stem}.pdf is blank`).toBeGreaterThan(0.003);
    }
    // A rebuild replaces its own PDF; a file it did not print is never overwritten.
    expect(await cli("build", [input, "--out", out, "--pdf"])).toBe(0);
  });
});
