// A reveal.js deck from a notebook, grouped by each cell's metadata.slideshow.slide_type,
// with the same meaning as `jupyter nbconvert --to slides`:
//   slide     starts a new slide (a column of vertical slides),
//   subslide  starts a new vertical slide below the current one,
//   fragment  appears on the next click, together with the "-" cells after it,
//   -         continues whatever came before,
//   notes     speaker notes of the current slide,
//   skip      left out.
import { dirname } from "path";
import {
  FIGURES_JS,
  highlightCss,
  htmlDocument,
  inlineScript,
  inlineStyle,
  isDarkTheme,
  katexCss,
  plotlyJs,
  revealCss,
  revealJs,
  Theme,
  THEMES,
  isTheme,
  usesKatex,
} from "./assets";
import { escapeHtml } from "../html";
import { codeCss, FIT_CSS, FIT_JS, SLIDE } from "./fit";
import { RenderContext } from "./markdown";
import type { Cell, Notebook } from "./notebook";
import { renderCell, RenderOptions } from "./render";

/** Cells shown together: the start of a slide, or one fragment and the "-" cells after it. */
export interface Block {
  fragment: boolean;
  cells: Cell[];
}

/** One vertical slide. */
export interface Subslide {
  blocks: Block[];
  notes: Cell[];
}

/** One horizontal slide: a column of vertical slides. */
export interface Slide {
  subslides: Subslide[];
}

/** Group the cells into slides. `where` names the notebook in the error when no cell is visible. */
export function groupSlides(cells: Cell[], where: string): Slide[] {
  const slides: Slide[] = [];
  const pendingNotes: Cell[] = [];
  const current = (): Subslide | null => slides[slides.length - 1]?.subslides.at(-1) ?? null;
  const newSlide = (cell: Cell): void => {
    slides.push({ subslides: [{ blocks: [{ fragment: false, cells: [cell] }], notes: pendingNotes.splice(0) }] });
  };
  for (const cell of cells) {
    const subslide = current();
    if (cell.slideType === "skip") continue;
    if (cell.slideType === "notes") {
      (subslide ? subslide.notes : pendingNotes).push(cell);
    } else if (subslide === null || cell.slideType === "slide") {
      // The first visible cell always starts a slide, whatever its type.
      newSlide(cell);
    } else if (cell.slideType === "subslide") {
      slides[slides.length - 1].subslides.push({ blocks: [{ fragment: false, cells: [cell] }], notes: [] });
    } else if (cell.slideType === "fragment") {
      subslide.blocks.push({ fragment: true, cells: [cell] });
    } else {
      subslide.blocks[subslide.blocks.length - 1].cells.push(cell);
    }
  }
  if (slides.length === 0) {
    throw new Error(`groupSlides: ${where} has no visible cell (every cell is skip or notes)`);
  }
  return slides;
}

/** How many slides reveal.js will count: every vertical slide of every column. */
export function countSlides(slides: Slide[]): number {
  return slides.reduce((sum, slide) => sum + slide.subslides.length, 0);
}

export interface DeckOptions extends RenderOptions {
  theme: Theme;
}

const DECK_JS = `${FIGURES_JS}
${FIT_JS}
var printing = /print-pdf/.test(location.search);
// Split what does not fit first: reveal.js then counts, numbers and prints the final slides.
fitDeck().then(function () {
  return Reveal.initialize({
    hash: true, slideNumber: "c/t", center: false, width: ${SLIDE.width}, height: ${SLIDE.height}, margin: 0.04,
    pdfSeparateFragments: false, pdfMaxPagesPerSlide: 1, plugins: [RevealNotes]
  });
}).then(function () {
  if (printing) renderFigures(document);
  else renderFigures(Reveal.getCurrentSlide());
  Reveal.on("slidechanged", function (event) { renderFigures(event.currentSlide); });
});
`;

function renderCells(cells: Cell[], notebook: Notebook, options: DeckOptions, context: RenderContext): string {
  return cells
    .map((cell) => {
      context.where = `${notebook.name}.ipynb cell ${cell.index + 1}`;
      return renderCell(cell, notebook.language, options, context);
    })
    .join("\n");
}

/** Each fragment is numbered (data-fragment-of), so its parts are still one fragment after fitDeck splits it. */
function renderSubslide(
  subslide: Subslide,
  notebook: Notebook,
  options: DeckOptions,
  context: RenderContext,
  counter: { fragments: number },
): string {
  const blocks = subslide.blocks.map((block) => {
    const html = renderCells(block.cells, notebook, options, context);
    return block.fragment ? `<div class="fragment" data-fragment-of="${++counter.fragments}">${html}</div>` : html;
  });
  // The speaker view shows notes without the deck's CSS: their math is MathML, which browsers draw themselves.
  context.mathOutput = "mathml";
  const notes =
    subslide.notes.length > 0 && options.solutions
      ? `<aside class="notes">${renderCells(subslide.notes, notebook, options, context)}</aside>`
      : "";
  context.mathOutput = "htmlAndMathml";
  return `<section>\n${blocks.join("\n")}\n${notes}</section>`;
}

/** The title of a notebook: its course metadata, else its first heading, else its file name. */
export function notebookTitle(notebook: Notebook): string {
  if (notebook.course.title) return notebook.course.title;
  for (const cell of notebook.cells) {
    const heading = cell.type === "markdown" ? /^#{1,6}\s+(.+)$/m.exec(cell.source) : null;
    if (heading) return heading[1].trim();
  }
  return notebook.name;
}

/** A self-contained reveal.js deck (HTML text) for an executed notebook, and the warnings met on the way. */
export function renderDeck(notebook: Notebook, options: DeckOptions): { html: string; warnings: string[]; slides: number } {
  if (!isTheme(options.theme)) {
    throw new Error(`renderDeck: options.theme must be one of ${THEMES.join(", ")}, got ${JSON.stringify(options.theme)}`);
  }
  const slides = groupSlides(notebook.cells, `${notebook.name}.ipynb`);
  const context = new RenderContext(dirname(notebook.path));
  const counter = { fragments: 0 };
  const sections = slides.map((slide) => {
    const inner = slide.subslides.map((subslide) => renderSubslide(subslide, notebook, options, context, counter));
    return `<section>\n${inner.join("\n")}\n</section>`;
  });
  const body = `<div class="reveal"><div class="slides">\n${sections.join("\n")}\n</div></div>`;
  const scripts = [inlineScript(revealJs())];
  if (context.hasPlotly) scripts.push(inlineScript(plotlyJs()));
  scripts.push(inlineScript(DECK_JS));
  const html = htmlDocument({
    title: escapeHtml(notebookTitle(notebook)),
    head: [
      inlineStyle(revealCss(options.theme)),
      ...(usesKatex(body) ? [inlineStyle(katexCss())] : []),
      inlineStyle(highlightCss(isDarkTheme(options.theme))),
      inlineStyle(FIT_CSS + codeCss(isDarkTheme(options.theme))),
    ],
    body: `${body}\n${scripts.join("\n")}`,
  });
  return { html, warnings: context.warnings, slides: countSlides(slides) };
}
