// Everything a deck or page needs from node_modules, read once and inlined, so a file works offline.
import { existsSync, readFileSync } from "fs";
import { dirname, join } from "path";

/** reveal.js themes shipped in its npm package. */
export const THEMES = [
  "white", "black", "simple", "serif", "beige", "sky", "solarized", "moon", "night", "league", "blood", "dracula",
  "white-contrast", "black-contrast",
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
  return packageFile("highlight.js", `styles/${dark ? "github-dark" : "github"}.min.css`);
}

/** The minified plotly.js bundle (global `Plotly`). */
export function plotlyJs(): string {
  return packageFile("plotly.js-dist-min", "plotly.min.js");
}

/** Draws every `.plotly-figure` under a root that is not drawn yet; decks call it per slide, pages once. */
export const FIGURES_JS = `
function renderFigures(root) {
  if (typeof Plotly === "undefined") return;
  root.querySelectorAll(".plotly-figure").forEach(function (div) {
    if (div.classList.contains("js-plotly-plot")) return;
    var figure = JSON.parse(div.querySelector('script[type="application/json"]').textContent);
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
