// The whole notebook as one readable page, with a table of contents made from its headings.
import { dirname } from "path";
import { FIGURES_JS, highlightCss, htmlDocument, inlineScript, inlineStyle, katexCss, plotlyJs, usesKatex } from "./assets";
import { notebookTitle } from "./deck";
import { escapeHtml } from "../html";
import { Heading, RenderContext } from "./markdown";
import type { Notebook } from "./notebook";
import { renderCell, RenderOptions } from "./render";

export const PAGE_CSS = `
body { margin: 0; font: 17px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f; background: #fff; }
.layout { display: flex; gap: 2rem; max-width: 1200px; margin: 0 auto; padding: 1.5rem; }
nav.toc { flex: 0 0 240px; position: sticky; top: 1rem; align-self: flex-start; max-height: 95vh; overflow-y: auto; font-size: 0.9em; }
nav.toc ul { list-style: none; padding-left: 0; margin: 0; }
nav.toc li { margin: 0.2em 0; }
nav.toc .toc-2 { padding-left: 1em; } nav.toc .toc-3 { padding-left: 2em; }
nav.toc a { color: #1a5fb4; text-decoration: none; }
main { flex: 1; min-width: 0; }
a { color: #1a5fb4; }
pre { overflow-x: auto; padding: 0.6em 0.8em; border-radius: 4px; font-size: 0.85em; }
pre.code { background: #f6f8fa; border: 1px solid #e1e4e8; padding: 0; }
pre.code code.hljs { background: transparent; }
.outputs { border-left: 3px solid #d0d7de; padding-left: 0.8em; margin: 0.4em 0 1.2em; }
.outputs pre { background: #fafafa; margin: 0.3em 0; white-space: pre-wrap; }
.output-stderr { background: #fff0f0 !important; }
.output-error { background: #ffe5e5 !important; color: #8b0000; }
.output-image img { max-width: 100%; height: auto; }
.output-html table, .markdown-cell table { border-collapse: collapse; margin: 0.5em 0; }
.output-html th, .output-html td, .markdown-cell th, .markdown-cell td { border: 1px solid #d0d7de; padding: 0.2em 0.6em; }
.plotly-figure { width: 100%; }
.speaker-notes { border: 1px dashed #b0b0b0; background: #fcfbf3; padding: 0.2em 1em; margin: 0.6em 0; font-size: 0.92em; }
.speaker-notes::before { content: "Speaker notes"; font-weight: 600; color: #7a6a00; }
.math-error { color: #c00; }
.back { font-size: 0.9em; }
@media (max-width: 800px) { .layout { display: block; } nav.toc { position: static; max-height: none; } }
`;

function tableOfContents(headings: Heading[]): string {
  const items = headings
    .filter((heading) => heading.level <= 3)
    .map((heading) => `<li class="toc-${heading.level}"><a href="#${heading.id}">${heading.html}</a></li>`);
  return `<nav class="toc" aria-label="Contents"><p><strong>Contents</strong></p><ul>\n${items.join("\n")}\n</ul>\n<p class="back"><a href="../index.html">All lectures</a></p></nav>`;
}

export interface PageOptions extends RenderOptions {
  /** Show the speaker notes (boxed, marked as such); off unless asked, never with solutions off. */
  notes?: boolean;
}

/** A self-contained page (HTML text) for an executed notebook, and the warnings met on the way. */
export function renderPage(notebook: Notebook, options: PageOptions): { html: string; warnings: string[] } {
  const context = new RenderContext(dirname(notebook.path));
  const notes = options.notes === true && options.solutions;
  const cells = notebook.cells
    .filter((cell) => cell.slideType !== "notes" || notes)
    .map((cell) => {
      context.where = `${notebook.name}.ipynb cell ${cell.index + 1}`;
      const html = renderCell(cell, notebook.language, options, context);
      return cell.slideType === "notes" && html ? `<aside class="speaker-notes">${html}</aside>` : html;
    });
  const scripts: string[] = [];
  if (context.hasPlotly) {
    scripts.push(inlineScript(plotlyJs()));
    scripts.push(inlineScript(`${FIGURES_JS}\nrenderFigures(document);`));
  }
  const main = `<main>\n${cells.filter((html) => html !== "").join("\n")}\n</main>`;
  const html = htmlDocument({
    title: escapeHtml(notebookTitle(notebook)),
    head: [...(usesKatex(main) ? [inlineStyle(katexCss())] : []), inlineStyle(highlightCss(false)), inlineStyle(PAGE_CSS)],
    body: `<div class="layout">\n${tableOfContents(context.headings)}\n${main}\n</div>\n${scripts.join("\n")}`,
  });
  return { html, warnings: context.warnings };
}
