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
  FIGURES_JS, highlightCss, htmlDocument, inlineScript, inlineStyle, isDarkTheme, katexCss, plotlyJs, revealCss,
  revealJs, Theme, THEMES, isTheme, usesKatex,
} from "./assets";
import { escapeHtml, RenderContext } from "./markdown";
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

const DECK_CSS = `
.reveal .slides section > section { height: 100%; overflow-y: auto; text-align: left; }
.reveal .slides section > section::-webkit-scrollbar { width: 6px; }
.reveal h1, .reveal h2, .reveal h3 { text-transform: none; }
.reveal .cell { margin: 0.3em 0; }
.reveal pre { width: 100%; box-shadow: none; font-size: 0.5em; margin: 0.3em 0; }
.reveal pre code { max-height: 560px; }
.reveal pre.code { background: rgba(127,127,127,0.1); }
.reveal pre.code code.hljs { background: transparent; }
.reveal .outputs pre { padding: 0.3em 0.6em; background: rgba(127,127,127,0.08); white-space: pre-wrap; }
.reveal .output-stderr { background: rgba(255,80,80,0.12) !important; }
.reveal .output-error { background: rgba(255,80,80,0.18) !important; color: inherit; }
.reveal .output-image img { max-height: 520px; margin: 0; }
.reveal .output-html table { font-size: 0.55em; margin: 0.3em 0; }
.reveal .plotly-figure { width: 100%; font-size: 16px; }
.reveal .katex-display { margin: 0.4em 0; }
.reveal .math-error { color: #c00; }
`;

const DECK_JS = `${FIGURES_JS}
Reveal.initialize({
  hash: true, slideNumber: "c/t", center: false, width: 1280, height: 800, margin: 0.04,
  plugins: [RevealNotes]
}).then(function () {
  if (/print-pdf/.test(location.search)) renderFigures(document);
  else renderFigures(Reveal.getCurrentSlide());
});
Reveal.on("slidechanged", function (event) { renderFigures(event.currentSlide); });
`;

function renderCells(cells: Cell[], notebook: Notebook, options: DeckOptions, context: RenderContext): string {
  return cells
    .map((cell) => {
      context.where = `${notebook.name}.ipynb cell ${cell.index + 1}`;
      return renderCell(cell, notebook.language, options, context);
    })
    .join("\n");
}

function renderSubslide(subslide: Subslide, notebook: Notebook, options: DeckOptions, context: RenderContext): string {
  const blocks = subslide.blocks.map((block) => {
    const html = renderCells(block.cells, notebook, options, context);
    return block.fragment ? `<div class="fragment">${html}</div>` : html;
  });
  // The speaker view shows notes without the deck's CSS: their math is MathML, which browsers draw themselves.
  context.mathOutput = "mathml";
  const notes = subslide.notes.length > 0
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
  const sections = slides.map((slide) => {
    const inner = slide.subslides.map((subslide) => renderSubslide(subslide, notebook, options, context));
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
      inlineStyle(DECK_CSS),
    ],
    body: `${body}\n${scripts.join("\n")}`,
  });
  return { html, warnings: context.warnings, slides: countSlides(slides) };
}
