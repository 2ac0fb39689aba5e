// The course home page: every lecture in order, its learning outcomes, links to its deck and page.
import { dirname } from "path";
import { htmlDocument, inlineStyle, katexCss, usesKatex } from "./assets";
import { notebookTitle } from "./deck";
import { escapeHtml } from "../html";
import { RenderContext, renderInlineMarkdown, renderMarkdown } from "./markdown";
import type { Notebook } from "./notebook";
import { PAGE_CSS } from "./page";

export interface Lecture {
  notebook: Notebook;
  /** Paths relative to the home page, or null when that file could not be built. */
  deck: string | null;
  page: string | null;
}

const HOME_CSS = `
.home { max-width: 860px; margin: 0 auto; padding: 2rem 1.5rem; }
.lecture { border: 1px solid #d0d7de; border-radius: 8px; padding: 0.8em 1.2em; margin: 1em 0; }
.lecture h2 { margin: 0.2em 0; font-size: 1.25em; }
.lecture .number { color: #57606a; font-variant-numeric: tabular-nums; margin-right: 0.3em; }
.lecture .follows { color: #57606a; font-size: 0.9em; margin: 0; }
.lecture .links a { margin-right: 1.2em; font-weight: 600; }
.lecture .missing { color: #8b0000; margin-right: 1.2em; }
`;

/** The title cell without its heading, for a lecture whose metadata lists no outcomes. */
function titleCellBody(notebook: Notebook, context: RenderContext): string {
  const cell = notebook.cells.find((candidate) => candidate.type === "markdown");
  if (!cell) return "";
  const body = cell.source.replace(/^#{1,6}\s+.*$/m, "").trim();
  return body ? renderMarkdown(body, context) : "";
}

function lectureCard(lecture: Lecture, context: RenderContext): string {
  const { notebook } = lecture;
  context.where = `${notebook.name}.ipynb metadata`;
  const number = /^\d+/.exec(notebook.name)?.[0];
  const title = (number ? `<span class="number">${number}</span> ` : "") + renderInlineMarkdown(notebookTitle(notebook), context);
  const follows =
    notebook.course.lectures.length > 0
      ? `<p class="follows">Follows lecture${notebook.course.lectures.length > 1 ? "s" : ""} ${notebook.course.lectures.map(escapeHtml).join(", ")}</p>`
      : "";
  const outcomes =
    notebook.course.outcomes.length > 0
      ? `<p>After this lecture you can:</p><ul>${notebook.course.outcomes.map((outcome) => `<li>${renderInlineMarkdown(outcome, context)}</li>`).join("")}</ul>`
      : titleCellBody(notebook, context);
  const link = (href: string | null, label: string): string =>
    href ? `<a href="${escapeHtml(href)}">${label}</a>` : `<span class="missing">${label}: not built</span>`;
  return [
    `<section class="lecture" id="${escapeHtml(notebook.name)}">`,
    `<h2>${title}</h2>`,
    follows,
    outcomes,
    `<p class="links">${link(lecture.deck, "Slides")}${link(lecture.page, "Read as a page")}</p>`,
    "</section>",
  ].join("\n");
}

/** The home page (HTML text) listing `lectures` in the order given. */
export function renderHome(lectures: Lecture[], title: string): { html: string; warnings: string[] } {
  if (!Array.isArray(lectures)) throw new Error(`renderHome: lectures must be an array, got ${typeof lectures}`);
  const context = new RenderContext(lectures[0] ? dirname(lectures[0].notebook.path) : ".");
  const cards = lectures.map((lecture) => lectureCard(lecture, context));
  const body = `<div class="home">\n<h1>${escapeHtml(title)}</h1>\n${cards.join("\n")}\n</div>`;
  const html = htmlDocument({
    title: escapeHtml(title),
    head: [...(usesKatex(body) ? [inlineStyle(katexCss())] : []), inlineStyle(PAGE_CSS), inlineStyle(HOME_CSS)],
    body,
  });
  return { html, warnings: context.warnings };
}
