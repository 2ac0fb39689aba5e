// The decks, pages and home page in a real Chromium with the network cut off: every slide is
// stepped through, math is typeset, plotly figures are drawn, notes are there, nothing is fetched.
// Run with `npm run test:slides` (needs /usr/bin/chromium: Debian's `chromium` package).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { BrowserContext, chromium, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../../src/course/slides";
import { Notebook, readNotebook } from "../../src/course/slides/notebook";
import "./slides-measure";
import { CHROMIUM_FLAGS, DEFAULT_CHROMIUM } from "../../src/course/slides/pdf";

const ROOT = resolve(__dirname, "..", "..");
const SCREENSHOTS = join(ROOT, "build", "screenshots");
const SOURCES = [join(ROOT, "tests", "fixtures", "slides"), join(ROOT, "build", "notebooks")];

interface Built {
  notebook: Notebook;
  deck: string;
  page: string;
}

/** Build every notebook of `dir` into a fresh folder; the real build/ is left alone. */
async function buildAll(dir: string): Promise<{ out: string; built: Built[] }> {
  const out = mkdtempSync(join(tmpdir(), "slides-browser-"));
  // --notes: the pages show the speaker notes (they are off unless asked).
  const code = await cli("build", [dir, "--out", out, "--notes"]);
  if (code !== 0) throw new Error(`dl-by-hand build ${dir} exited with ${code}`);
  const built = readdirSync(dir)
    .filter((name) => name.endsWith(".ipynb"))
    .sort()
    .map((name) => {
      const notebook = readNotebook(join(dir, name));
      return { notebook, deck: join(out, "slides", `${notebook.name}.html`), page: join(out, "pages", `${notebook.name}.html`) };
    });
  return { out, built };
}

/** What the notebook's metadata says the deck must hold, counted straight from the cells. */
function expectations(notebook: Notebook) {
  const visible = notebook.cells.filter((cell) => cell.slideType !== "skip" && cell.slideType !== "notes");
  const starts = visible.filter((cell) => cell.slideType === "slide" || cell.slideType === "subslide").length;
  const firstStarts = visible[0]?.slideType === "slide" || visible[0]?.slideType === "subslide";
  const figures = notebook.cells
    .flatMap((cell) => cell.outputs)
    .filter((output) => output.kind === "data" && "application/vnd.plotly.v1+json" in output.data).length;
  const notes = notebook.cells.filter((cell) => cell.slideType === "notes" && cell.source.trim() !== "");
  return {
    slides: starts + (firstStarts ? 0 : 1),
    fragments: visible.slice(1).filter((cell) => cell.slideType === "fragment").length,
    figures,
    notesWords: notes.map((cell) => (cell.source.match(/[A-Za-z]{4,}/g) ?? []).slice(0, 3)),
    math: notebook.cells.some((cell) => cell.type === "markdown" && /\$[^$]+\$/.test(cell.source)),
  };
}

let context: BrowserContext;
let userDataDir: string;
const blocked: string[] = [];
const failed: string[] = [];
const errors: string[] = [];
const sources = SOURCES.filter((dir) => existsSync(dir) && readdirSync(dir).some((name) => name.endsWith(".ipynb")));
const builds: { dir: string; out: string; built: Built[] }[] = [];

beforeAll(async () => {
  for (const dir of sources) builds.push({ dir, ...(await buildAll(dir)) });
  mkdirSync(SCREENSHOTS, { recursive: true });
  userDataDir = mkdtempSync(join(tmpdir(), "slides-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: DEFAULT_CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [...CHROMIUM_FLAGS],
  });
  await context.route("**/*", async (route) => {
    const url = route.request().url();
    if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  context.on("requestfailed", (request) => failed.push(`${request.url()}: ${request.failure()?.errorText ?? "failed"}`));
});

afterAll(async () => {
  await context?.close();
  rmSync(userDataDir, { recursive: true, force: true });
  for (const build of builds) rmSync(build.out, { recursive: true, force: true });
});

async function open(file: string): Promise<Page> {
  const page = await context.newPage();
  page.on("pageerror", (error) => errors.push(`${file}: ${error.message}`));
  await page.goto(`file://${file}`);
  return page;
}

/** The presenter's screen: key S opens reveal.js's speaker view, which must show the slide's notes. */
async function checkSpeakerView(page: Page, slide: { h: number; v: number }, name: string): Promise<void> {
  await page.evaluate(({ h, v }) => Reveal.slide(h, v), slide);
  const notes = await page.evaluate(() => Reveal.getSlideNotes() ?? "");
  const word = (notes.replace(/<[^>]+>/g, " ").match(/[A-Za-z]{4,}/) ?? [""])[0];
  const [popup] = await Promise.all([context.waitForEvent("page"), page.keyboard.press("s")]);
  popup.on("pageerror", (error) => errors.push(`${name} speaker view: ${error.message}`));
  await popup
    .waitForFunction((expected) => (document.querySelector(".speaker-controls-notes .value")?.textContent ?? "").includes(expected), word, {
      timeout: 20_000,
    })
    .catch(() => {
      throw new Error(`${name}: the speaker view does not show the notes of slide ${slide.h}/${slide.v} ("${word}")`);
    });
  await popup.screenshot({ path: join(SCREENSHOTS, `speaker-view-${name}.png`) });
  await popup.close();
}

function expectNothingFetched(): void {
  expect(blocked).toEqual([]);
  expect(failed).toEqual([]);
  expect(errors).toEqual([]);
}

it("has notebooks to check", () => {
  expect(sources.length).toBeGreaterThan(0);
  expect(builds.flatMap((build) => build.built).length).toBeGreaterThan(0);
});

describe.each(sources)("notebooks in %s", (dir) => {
  const built = () => builds.find((build) => build.dir === dir)?.built ?? [];

  it("every deck: all slides stepped through, math typeset, figures drawn, notes there, offline", async () => {
    for (const { notebook, deck } of built()) {
      const expected = expectations(notebook);
      const page = await open(deck);
      await page.waitForFunction(() => typeof Reveal !== "undefined" && Reveal.isReady());
      await page.evaluate(() => Reveal.configure({ transition: "none", backgroundTransition: "none" }));
      // The notebook's slides, plus the vertical slides fitDeck added below those that did not fit.
      const continued = await page.locator("section[data-fit-continued]").count();
      expect(await page.evaluate(() => Reveal.getTotalSlides()), `${notebook.name}: slide count`).toBe(expected.slides + continued);
      // A fragment split between slides is still one fragment of the notebook.
      const fragments = await page.evaluate(
        () =>
          new Set(Array.from(document.querySelectorAll(".fragment[data-fragment-of]")).map((f) => f.getAttribute("data-fragment-of"))).size,
      );
      expect(fragments, `${notebook.name}: fragments`).toBe(expected.fragments);

      const visited = new Set<string>();
      const notes: string[] = [];
      let notesSlide: { h: number; v: number } | null = null;
      const shot = new Set<string>();
      for (let step = 0; step < 1000; step++) {
        const state = await page.evaluate(() => {
          const slide = Reveal.getCurrentSlide();
          const { h, v } = Reveal.getIndices();
          return {
            key: `${h}/${v}`,
            // Prose and outputs only: `$$` inside code (a cell that builds LaTeX) is not unrendered math.
            prose: (() => {
              const copy = slide.cloneNode(true);
              if (!(copy instanceof Element)) return "";
              copy.querySelectorAll("pre, code").forEach((n) => n.remove());
              return copy.textContent ?? "";
            })(),
            notes: Reveal.getSlideNotes() ?? "",
            figures: slide.querySelectorAll(".plotly-figure").length,
            math: slide.querySelectorAll(".katex").length,
            last: Reveal.isLastSlide() && !Reveal.availableFragments().next,
            leaving: !Reveal.availableFragments().next,
          };
        });
        expect(state.prose, `${notebook.name} slide ${state.key}: raw $$`).not.toContain("$$");
        if (!visited.has(state.key)) notes.push(state.notes);
        if (!notesSlide && state.notes.trim() !== "") {
          const [h, v] = state.key.split("/").map(Number);
          notesSlide = { h, v };
        }
        visited.add(state.key);
        if (state.leaving && state.figures > 0) {
          await page
            .waitForFunction(
              () =>
                Array.from(Reveal.getCurrentSlide().querySelectorAll(".plotly-figure")).every((div) => div.querySelector("svg.main-svg")),
              undefined,
              { timeout: 20_000 },
            )
            .catch(() => {
              throw new Error(`${notebook.name} slide ${state.key}: a plotly figure was not drawn`);
            });
        }
        // A few screenshots per deck: the title slide, the first slide with a figure, the first with math.
        const kind = visited.size === 1 ? "title" : state.figures > 0 ? "figure" : state.math > 0 ? "math" : null;
        if (state.leaving && kind && !shot.has(kind)) {
          await page.screenshot({ path: join(SCREENSHOTS, `slides-${notebook.name}-${state.key.replace("/", "-")}.png`) });
          shot.add(kind);
        }
        if (state.last) break;
        await page.evaluate(() => Reveal.next());
      }
      expect(visited.size, `${notebook.name}: slides visited`).toBe(expected.slides + continued);

      // Every plotly figure was drawn when its slide was shown: a plotly graph div with its SVG.
      const drawn = await page.evaluate(
        () =>
          Array.from(document.querySelectorAll(".plotly-figure")).filter(
            (div) => div.classList.contains("js-plotly-plot") && div.querySelector("svg.main-svg"),
          ).length,
      );
      expect(drawn, `${notebook.name}: plotly figures drawn`).toBe(expected.figures);
      if (expected.math) expect(await page.locator(".katex").count(), `${notebook.name}: KaTeX`).toBeGreaterThan(0);
      const allNotes = notes.join("\n");
      for (const words of expected.notesWords) {
        for (const word of words) expect(allNotes, `${notebook.name}: speaker notes`).toContain(word);
      }
      if (notesSlide) await checkSpeakerView(page, notesSlide, notebook.name);
      await page.close();
    }
    expectNothingFetched();
  });

  it("every page: table of contents, math typeset, figures drawn, notes shown, offline", async () => {
    for (const { notebook, page: file } of built()) {
      const expected = expectations(notebook);
      const page = await open(file);
      await page.waitForLoadState("load");
      if (expected.figures > 0) {
        await page.waitForFunction((count) => document.querySelectorAll(".plotly-figure svg.main-svg").length >= count, expected.figures);
      }
      const state = await page.evaluate(() => ({
        prose: (() => {
          const copy = document.querySelector("main")?.cloneNode(true);
          if (!(copy instanceof Element)) return "";
          copy.querySelectorAll("pre, code").forEach((n) => n.remove());
          return copy.textContent ?? "";
        })(),
        figures: Array.from(document.querySelectorAll(".plotly-figure")).filter(
          (div) => div.classList.contains("js-plotly-plot") && div.querySelector("svg.main-svg"),
        ).length,
        katex: document.querySelectorAll(".katex").length,
        tocLinks: Array.from(document.querySelectorAll("nav.toc a[href^='#']")).map((a) => a.getAttribute("href")?.slice(1) ?? ""),
        headingIds: Array.from(document.querySelectorAll("main h1, main h2, main h3")).map((h) => h.id),
        notes: Array.from(document.querySelectorAll(".speaker-notes"))
          .map((aside) => aside.textContent ?? "")
          .join("\n"),
      }));
      expect(state.prose, `${notebook.name}: raw $$ on the page`).not.toContain("$$");
      expect(state.figures, `${notebook.name}: figures on the page`).toBe(expected.figures);
      if (expected.math) expect(state.katex).toBeGreaterThan(0);
      expect(state.tocLinks.length).toBeGreaterThan(0);
      expect(state.tocLinks).toEqual(state.headingIds);
      for (const word of expected.notesWords.flat()) expect(state.notes).toContain(word);
      await page.screenshot({ path: join(SCREENSHOTS, `page-${notebook.name}.png`) });
      await page.close();
    }
    expectNothingFetched();
  });

  it("the home page lists every lecture in order and its links open", async () => {
    const build = builds.find((candidate) => candidate.dir === dir);
    if (!build) throw new Error(`no build for ${dir}`);
    const page = await open(join(build.out, "index.html"));
    const links = await page.evaluate(() =>
      Array.from(document.querySelectorAll(".lecture .links a")).map((a) => new URL(a.getAttribute("href") ?? "", location.href).href),
    );
    const expectedLinks = build.built.flatMap(({ deck, page: file }) => [`file://${deck}`, `file://${file}`]);
    expect(links).toEqual(expectedLinks);
    for (const link of links) expect(existsSync(new URL(link).pathname)).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, `home-${dir.split("/").slice(-2).join("-")}.png`), fullPage: true });
    await page.close();
    expectNothingFetched();
  });
});
