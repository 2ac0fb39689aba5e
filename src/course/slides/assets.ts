// Everything a deck or page needs from node_modules, read once and inlined, so a file works offline.
import { existsSync, readFileSync } from "fs";
import { dirname, join } from "path";
import { PLOTLY_FILE, PLOTLY_PACKAGE } from "../../plot/show";
import { FLOORS } from "./fit";

/** reveal.js themes shipped in its npm package. */
export const THEMES = [
  "white",
  "black",
  "simple",
  "serif",
  "beige",
  "sky",
  "solarized",
  "moon",
  "night",
  "league",
  "blood",
  "dracula",
  "white-contrast",
  "black-contrast",
] as const;
export type Theme = (typeof THEMES)[number];
const DARK_THEMES: readonly Theme[] = ["black", "black-contrast", "moon", "night", "league", "blood", "dracula"];

export function isTheme(value: string): value is Theme {
  return THEMES.some((theme) => theme === value);
}

export function isDarkTheme(theme: Theme): boolean {
  return DARK_THEMES.includes(theme);
}

/** The folder of an installed npm package (found from its main file, as `require` finds it). */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, "package.json")) || readPackageName(join(dir, "package.json")) !== name) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`packageDir: cannot find the folder of npm package ${name}`);
    dir = parent;
  }
  return dir;
}

function readPackageName(path: string): string | null {
  const json: unknown = JSON.parse(readFileSync(path, "utf8"));
  return typeof json === "object" && json !== null && "name" in json && typeof json.name === "string" ? json.name : null;
}

const cache = new Map<string, string>();

/** A text file of an npm package, read once per process. */
function packageFile(name: string, file: string): string {
  const key = `${name}/${file}`;
  let text = cache.get(key);
  if (text === undefined) {
    text = readFileSync(join(packageDir(name), file), "utf8");
    cache.set(key, text);
  }
  return text;
}

/** KaTeX's stylesheet with its woff2 fonts inlined as data URIs (woff/ttf fallbacks dropped). */
export function katexCss(): string {
  const key = "katex.css+fonts";
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const fonts = join(packageDir("katex"), "dist");
  const css = packageFile("katex", "dist/katex.min.css").replace(
    /src:url\((fonts\/[^)]+\.woff2)\) format\("woff2"\)[^;}]*/g,
    (_match, file: string) => {
      const base64 = readFileSync(join(fonts, file)).toString("base64");
      return `src:url(data:font/woff2;base64,${base64}) format("woff2")`;
    },
  );
  cache.set(key, css);
  return css;
}

/** True when `html` holds typeset math, so the KaTeX stylesheet and fonts are needed. */
export function usesKatex(html: string): boolean {
  return html.includes('class="katex');
}

/** reveal.js core CSS and the theme; theme font imports from the web are removed (system fonts stand in). */
export function revealCss(theme: Theme): string {
  const themeCss = packageFile("reveal.js", `dist/theme/${theme}.css`).replace(/@import\s+(url\()?["']?https?:[^;]*;/g, "");
  return packageFile("reveal.js", "dist/reveal.css") + "\n" + themeCss;
}

/** reveal.js and its speaker-notes plugin (globals `Reveal` and `RevealNotes`). */
export function revealJs(): string {
  return packageFile("reveal.js", "dist/reveal.js") + "\n" + packageFile("reveal.js", "dist/plugin/notes.js");
}

export function highlightCss(dark: boolean): string {
  return packageFile("highlight.js", `styles/${dark ? "a11y-dark" : "a11y-light"}.min.css`);
}

/** The course's minified plotly.js bundle (global `Plotly`), the one the notebooks load too. */
export function plotlyJs(): string {
  return packageFile(PLOTLY_PACKAGE, PLOTLY_FILE);
}

/**
 * Draws every `.plotly-figure` under a root that is not drawn yet; decks call it per slide, pages once.
 * A deck's figure carries data-fit-width/height (set by fitDeck): the figure is drawn at that size,
 * its margins scaled with it and every label at least FLOORS.figure px.
 */
export const FIGURES_JS = `
var FIGURE_FLOOR = ${FLOORS.figure};
var FIGURE_TEXT_FLOOR = ${FLOORS.figureText};

/** Scale every font size found under a plotly object, never below the floor. */
function scaleFonts(value, scale, floor) {
  if (Array.isArray(value)) { value.forEach(function (item) { scaleFonts(item, scale, floor); }); return; }
  if (typeof value !== "object" || value === null) return;
  Object.keys(value).forEach(function (key) {
    var item = value[key];
    if (/font$/.test(key) && typeof item === "object" && item !== null && !Array.isArray(item)) {
      var size = typeof item.size === "number" ? item.size : 12;
      item.size = Math.max(size * scale, floor);
    } else {
      scaleFonts(item, scale, floor);
    }
  });
}

function fitFigure(figure, div) {
  var width = Number(div.getAttribute("data-fit-width"));
  var height = Number(div.getAttribute("data-fit-height"));
  if (!width || !height) return figure;
  var copy = JSON.parse(JSON.stringify(figure));
  var layout = copy.layout || {};
  var scale = Math.min(width / (layout.width || 700), height / (layout.height || 450));
  layout.width = width;
  layout.height = height;
  if (layout.margin) Object.keys(layout.margin).forEach(function (side) {
    if (typeof layout.margin[side] === "number") layout.margin[side] = Math.round(layout.margin[side] * scale);
  });
  layout.font = Object.assign({}, layout.font);
  // Text placed among the data (annotations in data coordinates, text of traces) grows with the
  // drawing, so it keeps its place; labels around the plot get the larger floor.
  var inPlot = (layout.annotations || []).filter(function (note) { return note.xref && !/^paper/.test(note.xref); });
  layout.annotations = (layout.annotations || []).filter(function (note) { return inPlot.indexOf(note) < 0; });
  scaleFonts(layout, scale, FIGURE_FLOOR);
  scaleFonts(inPlot, scale, FIGURE_TEXT_FLOOR);
  inPlot.forEach(function (note) {
    // An annotation without a font of its own used layout.font: keep it in step with the drawing.
    if (!note.font || typeof note.font.size !== "number") note.font = Object.assign({}, note.font, { size: Math.max(12 * scale, FIGURE_TEXT_FLOOR) });
  });
  layout.annotations = layout.annotations.concat(inPlot);
  scaleFonts(copy.data, scale, FIGURE_TEXT_FLOOR);
  spaceAxes(layout);
  wrapLabels(layout);
  copy.layout = layout;
  return copy;
}

/** Log axes label decades only (minor labels crowd at slide size); tick labels stand off the axis. */
function spaceAxes(layout) {
  Object.keys(layout).forEach(function (key) {
    var axis = layout[key];
    if (!/^[xy]axis[0-9]*$/.test(key) || typeof axis !== "object" || axis === null) return;
    if (axis.type === "log" && axis.dtick === undefined && axis.tickvals === undefined) axis.dtick = 1;
    // Far enough that the first x label and the lowest y label cannot meet at the corner.
    var tick = (axis.tickfont && axis.tickfont.size) || (layout.font && layout.font.size) || 12;
    if (axis.ticklabelstandoff === undefined) axis.ticklabelstandoff = Math.max(6, Math.ceil(tick * 0.6));
  });
  var title = layout.title;
  var top = (layout.annotations || []).some(function (note) { return !note.yref || /^paper/.test(note.yref) ? note.y >= 0.98 : false; });
  if (title && title.text && top) {
    // A caption on top of the plot: the title needs a line of its own above it (wrapLabels pins it to the top).
    var size = (title.font && title.font.size) || layout.font.size * 1.4;
    layout.margin = layout.margin || {};
    layout.margin.t = (layout.margin.t === undefined ? 100 : layout.margin.t) + size * 1.3;
  }
}

var PLOTLY_FAMILY = '"Open Sans", verdana, arial, sans-serif';
var measureCanvas = null;

/** The width in px of text drawn at size px in family, measured by the browser (tags are not drawn). */
function textWidth(text, size, family) {
  measureCanvas = measureCanvas || document.createElement("canvas");
  var context = measureCanvas.getContext("2d");
  context.font = size + "px " + (family || PLOTLY_FAMILY);
  return context.measureText(text.replace(/<[^>]+>/g, "")).width * 1.05;
}

/** Break text into lines no wider than maxWidth px at spaces (plotly draws "<br>" as a line break). */
function wrapText(text, maxWidth, size, family) {
  if (typeof text !== "string" || text.indexOf("<br") >= 0 || textWidth(text, size, family) <= maxWidth) return { text: text, lines: 1 };
  var lines = [], line = "";
  text.split(" ").forEach(function (word) {
    var longer = line === "" ? word : line + " " + word;
    if (line !== "" && textWidth(longer, size, family) > maxWidth) { lines.push(line); line = word; }
    else line = longer;
  });
  lines.push(line);
  return { text: lines.join("<br>"), lines: lines.length };
}

/** Axis titles, captions and the figure's title wider than their room are wrapped, and the margins grow to hold them. */
function wrapLabels(layout) {
  var margin = layout.margin = layout.margin || {};
  var plotWidth = layout.width - (margin.l === undefined ? 80 : margin.l) - (margin.r === undefined ? 80 : margin.r);
  var base = layout.font.size;
  var family = layout.font.family;
  var extraBottom = 0, extraTop = 0;
  Object.keys(layout).forEach(function (key) {
    var axis = layout[key];
    if (!/^xaxis[0-9]*$/.test(key) || !axis || !axis.title || typeof axis.title.text !== "string") return;
    var domain = axis.domain || [0, 1];
    var size = (axis.title.font && axis.title.font.size) || base;
    var wrapped = wrapText(axis.title.text, (domain[1] - domain[0]) * plotWidth + 16, size, family);
    axis.title.text = wrapped.text;
    extraBottom = Math.max(extraBottom, (wrapped.lines - 1) * size * 1.3);
  });
  var notes = (layout.annotations || []).filter(function (note) { return typeof note.text === "string" && note.xref !== "x" && typeof note.x === "number"; });
  var plotHeight = layout.height - (margin.t === undefined ? 100 : margin.t) - (margin.b === undefined ? 80 : margin.b);
  var rows = [];
  notes.forEach(function (note) {
    // The room of a caption: half the distance to its nearest neighbour on the same row, on each side.
    var gap = 1;
    notes.forEach(function (other) {
      if (other !== note && Math.abs((other.y || 0) - (note.y || 0)) < 0.05) gap = Math.min(gap, Math.abs(other.x - note.x));
    });
    var size = (note.font && note.font.size) || base;
    var wrapped = wrapText(note.text, gap * plotWidth - 8, size, family);
    note.text = wrapped.text;
    var grow = (wrapped.lines - 1) * size * 1.3;
    if (grow === 0) return;
    var row = rows.filter(function (r) { return Math.abs(r.y - (note.y || 0)) < 0.005; })[0];
    if (!row) rows.push(row = { y: note.y || 0, grow: 0 });
    row.grow = Math.max(row.grow, grow);
  });
  rows.forEach(function (row) {
    // Captions standing on subplots (a grid of images): the subplots of that row give up the height
    // the extra lines need, and the row's captions move down with their tops.
    var below = Object.keys(layout).filter(function (key) {
      var axis = layout[key];
      return /^yaxis[0-9]*$/.test(key) && axis && axis.domain && Math.abs(axis.domain[1] - row.y) < 0.005;
    });
    var onTop = notes.filter(function (note) { return Math.abs((note.y || 0) - row.y) < 0.005 && note.yanchor === "bottom"; });
    if (below.length > 0 && onTop.length > 0 && plotHeight > 0) {
      var shift = row.grow / plotHeight;
      below.forEach(function (key) {
        var domain = layout[key].domain;
        layout[key].domain = [domain[0], Math.max(domain[0] + (domain[1] - domain[0]) / 2, domain[1] - shift)];
      });
      onTop.forEach(function (note) { note.y = row.y - shift; });
    } else if (row.y >= 0.95) {
      // Captions of the top edge grow upwards into the top margin.
      extraTop = Math.max(extraTop, row.grow);
    }
  });
  var top = (margin.t === undefined ? 100 : margin.t) + extraTop;
  var title = layout.title;
  if (title && typeof title.text === "string" && title.text !== "") {
    var titleSize = (title.font && title.font.size) || base * 1.4;
    var left = title.xanchor === "left" && typeof title.x === "number" ? title.x * layout.width : 20;
    var wrappedTitle = wrapText(title.text, layout.width - left - 20, titleSize, (title.font && title.font.family) || family);
    title.text = wrappedTitle.text;
    top += (wrappedTitle.lines - 1) * titleSize * 1.3;
    // The title's lines, a legend drawn above the plot, and a little air must fit in the top margin
    // (the margin was scaled with the drawing, the title's font was not scaled below the floor).
    var legend = layout.legend || {};
    var legendAbove = typeof legend.y === "number" && legend.y >= 1 && legend.orientation === "h" ? ((legend.font && legend.font.size) || base) * 1.6 : 0;
    top = Math.max(top, 10 + wrappedTitle.lines * titleSize * 1.3 + legendAbove);
    // Plotly draws a title of several lines downwards from its first line, whatever its yanchor:
    // the first line goes just under the top edge and the others into the margin made for them.
    title.yref = "container";
    title.y = 1 - (6 + titleSize) / layout.height;
    title.yanchor = "bottom";
  }
  if (extraBottom > 0) margin.b = (margin.b === undefined ? 80 : margin.b) + extraBottom;
  margin.t = top;
}

function renderFigures(root) {
  if (typeof Plotly === "undefined") return;
  root.querySelectorAll(".plotly-figure").forEach(function (div) {
    if (div.classList.contains("js-plotly-plot")) return;
    var figure = fitFigure(JSON.parse(div.querySelector('script[type="application/json"]').textContent), div);
    var config = Object.assign({ responsive: true, displaylogo: false }, figure.config || {});
    // The figure object form keeps animation frames (the kernel-sliding walkthroughs step through them).
    Plotly.newPlot(div, { data: figure.data, layout: figure.layout || {}, frames: figure.frames || [], config: config });
  });
}`;

/** A script element; `</script` inside the code is written `<\\/script` so it cannot end the element early. */
export function inlineScript(code: string): string {
  return `<script>${code.replace(/<\/script/gi, "<\\/script")}</script>`;
}

export function inlineStyle(css: string): string {
  return `<style>${css.replace(/<\/style/gi, "<\\/style")}</style>`;
}

/** Written into every generated file, so a rebuild knows which files it may replace. */
export const GENERATOR = '<meta name="generator" content="dl-by-hand slides">';

/** A complete HTML document. */
export function htmlDocument(parts: { title: string; head: string[]; body: string; bodyClass?: string }): string {
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    GENERATOR,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${parts.title}</title>`,
    ...parts.head,
    "</head>",
    parts.bodyClass ? `<body class="${parts.bodyClass}">` : "<body>",
    parts.body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/**
 * References in `html` that make a browser fetch from another host: script/img/iframe/link
 * `src`/`href` to http(s) or protocol-relative URLs, CSS `url(http…)` and `@import`.
 * Links a reader clicks (`<a href>`) are not fetches and are not reported.
 */
export function findRemoteResources(html: string): string[] {
  const found: string[] = [];
  const patterns = [
    /<(?:script|img|iframe|audio|video|source|embed|input)\b[^>]*?\ssrc\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]+)/gi,
    /<link\b[^>]*?\shref\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]+)/gi,
    /url\(\s*["']?((?:https?:)?\/\/[^"')\s]+)/gi,
    /@import\s+(?:url\()?\s*["']?((?:https?:)?\/\/[^"')\s;]+)/gi,
  ];
  for (const pattern of patterns) {
    for (const match of html.matchAll(pattern)) found.push(match[1]);
  }
  return [...new Set(found)];
}
