// Opening every slide of a deck at a window size and measuring it (see slides-measure.ts).
import { join } from "path";
import type { BrowserContext } from "playwright-core";
import { measureSlide, SlideReport } from "./slides-measure";

export const SIZES = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;

export interface DeckReport {
  deck: string;
  size: string;
  slides: SlideReport[];
  errors: string[];
}

/**
 * Every vertical slide of `file` opened in a window of `size`; figures waited for; screenshots of
 * the title slide, the first slide with a figure and the first continued slide written to `shots`.
 */
export async function measureDeck(
  context: BrowserContext,
  file: string,
  size: { width: number; height: number },
  shots: string | null,
): Promise<DeckReport> {
  const name =
    file
      .split("/")
      .pop()
      ?.replace(/\.html$/, "") ?? file;
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`${name}: ${error.message}`));
  await page.setViewportSize(size);
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => typeof Reveal !== "undefined" && Reveal.isReady(), undefined, { timeout: 60_000 });
  await page.evaluate(() => Reveal.configure({ transition: "none", backgroundTransition: "none" }));
  const indices = await page.evaluate(() => {
    // Every vertical slide (or a horizontal one without vertical ones), in order.
    const found: { h: number; v: number }[] = [];
    document.querySelectorAll(".reveal .slides > section").forEach((column, h) => {
      const inner = column.querySelectorAll(":scope > section");
      if (inner.length === 0) found.push({ h, v: 0 });
      inner.forEach((_section, v) => found.push({ h, v }));
    });
    return found;
  });
  const slides: SlideReport[] = [];
  const shot = new Set<string>();
  for (const { h, v } of indices) {
    await page.evaluate(({ h, v }) => Reveal.slide(h, v), { h, v });
    const drawn = await page
      .waitForFunction(
        () => Array.from(Reveal.getCurrentSlide().querySelectorAll(".plotly-figure")).every((div) => div.querySelector("svg.main-svg")),
        undefined,
        { timeout: 20_000 },
      )
      .then(
        () => true,
        () => false,
      );
    if (!drawn) errors.push(`${name} ${h}/${v}: a figure was not drawn within 20 s`);
    const report = await measureSlide(page);
    slides.push(report);
    const kind = slides.length === 1 ? "title" : report.figures > 0 ? "figure" : report.continued ? "continued" : null;
    if (shots && kind && !shot.has(kind)) {
      shot.add(kind);
      // All fragments shown, as the audience sees the slide at its end.
      await page.evaluate(() => {
        while (Reveal.availableFragments().next) Reveal.next();
      });
      await page.screenshot({ path: join(shots, `fit-${name}-${h}-${v}-${size.width}x${size.height}.png`) });
    }
  }
  await page.close();
  return { deck: name, size: `${size.width}x${size.height}`, slides, errors };
}

/** Counts over a set of deck reports: what the note quotes before and after. */
export function summarise(reports: DeckReport[]): Record<
  string,
  {
    slides: number;
    overflowing: number;
    codeCut: number;
    overlapping: number;
    clipped: number;
    small: number;
    lowContrast: number;
    maxOverflow: number;
  }
> {
  const out: ReturnType<typeof summarise> = {};
  for (const report of reports) {
    const row = (out[report.size] ??= {
      slides: 0,
      overflowing: 0,
      codeCut: 0,
      overlapping: 0,
      clipped: 0,
      small: 0,
      lowContrast: 0,
      maxOverflow: 0,
    });
    for (const slide of report.slides) {
      row.slides++;
      if (slide.overflowY > 1 || slide.overflowX > 1) row.overflowing++;
      if (slide.codeCut > 0) row.codeCut++;
      if (slide.overlaps.length > 0) row.overlapping++;
      if (slide.clipped.length > 0) row.clipped++;
      if (slide.small.length > 0) row.small++;
      if (slide.lowContrast.length > 0) row.lowContrast++;
      row.maxOverflow = Math.max(row.maxOverflow, slide.overflowY);
    }
  }
  return out;
}
