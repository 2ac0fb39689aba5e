// The display step: a figure becomes ONE Jupyter display_data bundle with three forms of it.
//   application/vnd.plotly.v1+json  for frontends that draw plotly natively (JupyterLab with the
//                                   plotly extension, VS Code);
//   text/html                        a <div> plus a script that draws it with window.Plotly; the first
//                                   figure of a kernel session also carries plotly.js itself (from
//                                   node_modules, no CDN), later ones reuse it;
//   text/plain                       a one-line summary (terminals, and what is left without JavaScript).
import * as fs from "fs";
import { MimeBundle, canDisplay, display } from "../display";
import { Figure, checkFigure } from "./figure";
import { knownOptions } from "../args";
import { escapeHtml } from "../html";

/** MIME type of plotly figures that JupyterLab's and VS Code's plotly renderers read. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Figures waiting for plotly.js push their draw function on this global list. */
const QUEUE = "dlByHandPlotQueue";

/**
 * The plotly.js bundle of the course: the "cartesian" partial bundle (scatter, bar, heatmap,
 * contour, image and a few more; every trace type src/plot/ draws), 1.5 MB instead of the full 4.8 MB.
 * Notebooks and decks load the same file.
 */
export const PLOTLY_PACKAGE = "plotly.js-cartesian-dist-min";
export const PLOTLY_FILE = "plotly-cartesian.min.js";

let libraryCache: { version: string; script: string } | null = null;
let librarySent = false;

/** plotly.js from node_modules, made safe to inline in a <script> element. */
function plotlyLibrary(): { version: string; script: string } {
  if (libraryCache) return libraryCache;
  const file = require.resolve(`${PLOTLY_PACKAGE}/${PLOTLY_FILE}`);
  const pkg: unknown = JSON.parse(fs.readFileSync(require.resolve(`${PLOTLY_PACKAGE}/package.json`), "utf8"));
  const version = typeof pkg === "object" && pkg !== null && "version" in pkg ? String(pkg.version) : "?";
  // "<" written as \x3C means the same inside JS strings, regular expressions and comments,
  // and keeps the HTML parser from ending the script early.
  const script = fs
    .readFileSync(file, "utf8")
    .replace(/<\/script/gi, "\\x3C/script")
    .replace(/<script/gi, "\\x3Cscript")
    .replace(/<!--/g, "\\x3C!--");
  libraryCache = { version, script };
  return libraryCache;
}

/** The version of plotly.js that the notebooks load (the pinned `plotly.js-cartesian-dist-min`) — 00-welcome. */
export function plotlyVersion(): string {
  return plotlyLibrary().version;
}

/** JSON that can sit inside a <script> element ("<" escaped as \u003c, which JSON allows). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** One line describing a figure: its title, traces and frames — 00-welcome. */
export function figureSummary(figure: Figure): string {
  checkFigure("plot.figureSummary", figure);
  const counts = new Map<string, number>();
  for (const t of figure.data) counts.set(t.type, (counts.get(t.type) ?? 0) + 1);
  const traces = [...counts].map(([type, n]) => (n === 1 ? type : `${n} ${type}`)).join(", ");
  const title = figure.layout.title?.text;
  const frames = figure.frames && figure.frames.length > 0 ? `, ${figure.frames.length} frames` : "";
  const n = figure.data.length;
  return `[figure${title ? ` "${title}"` : ""}: ${n} trace${n === 1 ? "" : "s"} (${traces})${frames}; drawn by plotly.js in Jupyter]`;
}

/** The <script> elements that define window.Plotly and then draw the figures that were waiting. */
function libraryHtml(): string {
  const lib = plotlyLibrary();
  const flush = `(function () { var q = window.${QUEUE} || []; window.${QUEUE} = []; q.forEach(function (draw) { draw(window.Plotly); }); })();`;
  return `<script>/* plotly.js ${lib.version}, from node_modules/${PLOTLY_PACKAGE} */\n${lib.script}\n</script>\n<script>${flush}</script>\n`;
}

/** The text/html form of a figure; with `withLibrary`, plotly.js itself comes first — 00-welcome. */
export function figureHtml(figure: Figure, options: { withLibrary?: boolean } = {}): string {
  checkFigure("plot.figureHtml", figure);
  const id = "dl-plot-" + Math.random().toString(36).slice(2, 10);
  const width = typeof figure.layout.width === "number" ? `${figure.layout.width}px` : "100%";
  const height = typeof figure.layout.height === "number" ? `${figure.layout.height}px` : "420px";
  const title = figure.layout.title?.text ?? "figure";
  const note =
    `${escapeHtml(title)}: an interactive figure drawn by JavaScript (plotly.js). ` +
    "If this text stays, scripts did not run: trust the notebook or run the cell again.";
  const waiting =
    "Waiting for plotly.js, which comes with the first figure of the notebook. " +
    "If that output was cleared, restart the kernel and run all cells.";
  const script = `(function () {
  var figure = ${scriptJson({ ...figure, config: { displaylogo: false, responsive: false, ...figure.config } })};
  var el = document.getElementById(${JSON.stringify(id)});
  function draw(Plotly) { el.innerHTML = ""; Plotly.newPlot(el, figure); }
  if (window.Plotly) { draw(window.Plotly); return; }
  (window.${QUEUE} = window.${QUEUE} || []).push(draw);
  el.firstChild.textContent = ${JSON.stringify(waiting)};
})();`;
  return (
    (options.withLibrary ? libraryHtml() : "") +
    `<div id="${id}" class="dl-by-hand-plot" style="width:${width};height:${height};max-width:100%">` +
    `<div style="font:13px sans-serif;color:#555;padding:8px;border:1px dashed #bbb">${note}</div></div>\n` +
    `<script>\n${script}\n</script>`
  );
}

/** The MIME bundle of a figure: plotly JSON, HTML (optionally with plotly.js) and a text summary — 00-welcome. */
export function figureBundle(figure: Figure, options: { withLibrary?: boolean } = {}): MimeBundle {
  checkFigure("plot.figureBundle", figure);
  knownOptions("plot.figureBundle", options, ["withLibrary"]);
  const json: Record<string, unknown> = { data: figure.data, layout: figure.layout };
  if (figure.frames) json.frames = figure.frames;
  if (figure.config) json.config = figure.config;
  return {
    [PLOTLY_MIME]: json,
    "text/html": figureHtml(figure, options),
    "text/plain": figureSummary(figure),
  };
}

/** True once this kernel session has sent plotly.js to the notebook — 00-welcome. */
export function plotlyLoaded(): boolean {
  return librarySent;
}

/** Tests: forget that plotly.js was sent (a new kernel session). */
export function resetPlotlyLoaded(): void {
  librarySent = false;
}

/**
 * Send plotly.js to the notebook now, as an output of its own (even if a figure carried it
 * already); later figures reuse it instead of carrying it — 00-welcome.
 */
export function loadPlotly(): void {
  if (!canDisplay()) return;
  display({
    "text/html": libraryHtml() + `<div style="font:12px sans-serif;color:#777">plotly.js ${plotlyVersion()} loaded</div>`,
    "text/plain": `[plotly.js ${plotlyVersion()} loaded for the figures of this notebook]`,
  });
  librarySent = true;
}

/** Send plotly.js on its own unless this kernel session already did (live figures, before their first draw). */
export function ensurePlotly(): void {
  if (!librarySent) loadPlotly();
}

/** Show a figure in the notebook as ONE output; the first figure of a session carries plotly.js — 00-welcome. */
export function show(figure: Figure): void {
  checkFigure("show", figure);
  const withLibrary = !librarySent && canDisplay();
  display(figureBundle(figure, { withLibrary }));
  if (withLibrary) librarySent = true;
}
