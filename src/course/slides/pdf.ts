// `dl-by-hand build --pdf`: each deck printed to a PDF handout by headless Chromium, through
// reveal.js's print mode (`?print-pdf`): one slide per page, every figure drawn, math typeset.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "fs";
import { tmpdir } from "os";
import { dirname, join, resolve } from "path";
import { chromium } from "playwright-core";

/** Where Chromium is looked for unless `--chromium PATH` or the CHROMIUM environment variable says. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/** Headless, offline and with a fresh profile: how the course (and its browser tests) run Chromium. */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** True when `path` is a PDF that Chromium printed (Skia wrote it), so a rebuild may replace it. */
export function isPrintedPdf(path: string): boolean {
  const text = readFileSync(path).toString("latin1");
  return text.startsWith("%PDF-") && text.includes("/Producer (Skia/PDF");
}

export interface Printed {
  pdf: string;
  pages: number;
  seconds: number;
}

/**
 * Print each deck (an HTML file written by `dl-by-hand slides`) to the PDF path beside it; one
 * browser for all. Throws, naming the deck, when a page does not get ready or a figure is not drawn.
 */
export async function printDecks(jobs: { deck: string; pdf: string }[], chromiumPath: string): Promise<Printed[]> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`printDecks: Chromium not found at ${chromiumPath} (install Debian's chromium, or pass --chromium PATH)`);
  }
  for (const job of jobs) {
    if (existsSync(job.pdf) && !isPrintedPdf(job.pdf)) {
      throw new Error(`printDecks: refusing to overwrite ${job.pdf}: it was not printed by dl-by-hand`);
    }
  }
  const profile = mkdtempSync(join(tmpdir(), "dl-by-hand-pdf-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [...CHROMIUM_FLAGS],
  });
  try {
    // Decks are offline: anything but the file itself is refused.
    await browser.route("**/*", (route) => {
      const url = route.request().url();
      return url.startsWith("file:") || url.startsWith("data:") ? route.continue() : route.abort();
    });
    const printed: Printed[] = [];
    for (const job of jobs) {
      const started = Date.now();
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`file://${resolve(job.deck)}?print-pdf`);
      await page
        .waitForFunction(
          () => {
            const reveal = (window as unknown as { Reveal?: { isReady(): boolean } }).Reveal;
            if (!reveal || !reveal.isReady() || document.querySelectorAll(".pdf-page").length === 0) return false;
            return Array.from(document.querySelectorAll(".plotly-figure")).every((div) => div.querySelector("svg.main-svg"));
          },
          undefined,
          { timeout: 120_000 },
        )
        .catch(() => {
          throw new Error(`printDecks: ${job.deck} did not get ready to print (${errors.join("; ") || "timeout"})`);
        });
      if (errors.length > 0) throw new Error(`printDecks: ${job.deck}: ${errors.join("; ")}`);
      const pages = await page.evaluate(() => document.querySelectorAll(".pdf-page").length);
      mkdirSync(dirname(job.pdf), { recursive: true });
      const temporary = `${job.pdf}.${process.pid}.tmp`;
      await page.pdf({ path: temporary, preferCSSPageSize: true, printBackground: true });
      renameSync(temporary, job.pdf);
      await page.close();
      printed.push({ pdf: job.pdf, pages, seconds: (Date.now() - started) / 1000 });
    }
    return printed;
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
