// Markdown cells to HTML with markdown-it; math typeset at build time with KaTeX; code with highlight.js.
import { existsSync, readFileSync } from "fs";
import { extname, join } from "path";
import hljs from "highlight.js";
import katex from "katex";
import MarkdownIt from "markdown-it";
import { escapeHtml } from "../html";

/** A heading seen while rendering, for a page's table of contents. */
export interface Heading {
  level: number;
  id: string;
  html: string;
}

/**
 * What rendering one notebook needs and collects: where we are (for warnings), the KaTeX
 * macros defined so far, the headings and their ids, and whether a plotly figure was seen.
 */
export class RenderContext {
  warnings: string[] = [];
  headings: Heading[] = [];
  hasPlotly = false;
  /** Current location for messages, e.g. "04-convolution-by-hand.ipynb cell 3". */
  where = "";
  /**
   * KaTeX output: HTML (styled by KaTeX's CSS) with MathML for screen readers, or MathML alone for
   * places without KaTeX's CSS, such as reveal.js's speaker view, where browsers lay MathML out natively.
   */
  mathOutput: "htmlAndMathml" | "mathml" = "htmlAndMathml";
  /** Attachments of the markdown cell being rendered. */
  attachments: Record<string, Record<string, unknown>> = {};
  private readonly slugs = new Set<string>();
  readonly macros: Record<string, string> = {};

  /** @param baseDir folder that relative image paths in markdown are read from (the notebook's). */
  constructor(readonly baseDir: string) {}

  warn(message: string): void {
    this.warnings.push(this.where ? `${this.where}: ${message}` : message);
  }

  /** A unique id for a heading with text `text`: "Output size" → "output-size", then "output-size-2". */
  slug(text: string): string {
    const base =
      text
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, "-")
        .replace(/^-+|-+$/g, "") || "section";
    let id = base;
    for (let n = 2; this.slugs.has(id); n++) id = `${base}-${n}`;
    this.slugs.add(id);
    return id;
  }
}

/** markdown-it passes an environment object through to the render rules: ours carries the context. */
function contextOf(env: Record<string, unknown> | undefined): RenderContext {
  if (env?.context instanceof RenderContext) return env.context;
  throw new Error("markdown: render called without a RenderContext");
}

/** Syntax-highlighted HTML for `code` (escaped plain text when the language is unknown). */
export function highlightCode(code: string, language: string): string {
  const name = language.toLowerCase();
  if (name && hljs.getLanguage(name)) return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
  return escapeHtml(code);
}

/**
 * Typeset `tex` with KaTeX. A formula KaTeX cannot read is a warning, and it is shown as its
 * source between its delimiters, so the failure stays visible on the slide.
 */
export function renderMath(tex: string, display: boolean, context: RenderContext): string {
  try {
    return katex.renderToString(tex, {
      displayMode: display,
      output: context.mathOutput,
      throwOnError: true,
      strict: "ignore",
      // Macros defined with \newcommand stay defined for the rest of the notebook, as in Jupyter.
      globalGroup: true,
      macros: context.macros,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    context.warn(`cannot typeset ${display ? "$$" : "$"}${tex}${display ? "$$" : "$"}: ${message}`);
    const delimiter = display ? "$$" : "$";
    return `<code class="math-error" title="${escapeHtml(message)}">${escapeHtml(delimiter + tex + delimiter)}</code>`;
  }
}

const DOLLAR = 0x24;

/**
 * Inline rule: `$x$` (no space inside the dollars, no digit right after the closing one, as in
 * pandoc, so "$5 and $10" stay prices) and `$$x$$`. Math never reaches into a code span.
 */
function mathInline(state: MarkdownIt.StateInline, silent: boolean): boolean {
  const src = state.src;
  if (src.charCodeAt(state.pos) !== DOLLAR) return false;
  const delimiter = src.startsWith("$$", state.pos) ? "$$" : "$";
  const start = state.pos + delimiter.length;
  if (delimiter === "$" && /^\s?$/.test(src.charAt(start))) return false;
  let end = src.indexOf(delimiter, start);
  while (end !== -1) {
    const escaped = src.charAt(end - 1) === "\\";
    const badInline = delimiter === "$" && (/\s/.test(src.charAt(end - 1)) || /\d/.test(src.charAt(end + 1)));
    if (!escaped && !badInline && end > start) break;
    end = src.indexOf(delimiter, end + 1);
  }
  if (end === -1 || src.slice(start, end).includes("`")) return false;
  if (!silent) {
    const token = state.push(delimiter === "$$" ? "math_display" : "math_inline", "", 0);
    token.content = src.slice(start, end);
    token.markup = delimiter;
  }
  state.pos = end + delimiter.length;
  return true;
}

/** Block rule: a `$$ … $$` block, or a bare `\begin{env} … \end{env}` block, starting a line. */
function mathBlock(state: MarkdownIt.StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine] - state.blkIndent >= 4) return false;
  const lineText = (line: number) => state.src.slice(state.bMarks[line] + state.tShift[line], state.eMarks[line]);
  const first = lineText(startLine).trimEnd();
  const environment = /^\\begin\{([A-Za-z]+\*?)\}/.exec(first);
  if (!first.startsWith("$$") && !environment) return false;
  // "$$a$$ and more text" is inline math inside a paragraph, not a block.
  if (!environment && first.indexOf("$$", 2) !== -1 && !first.endsWith("$$")) return false;
  const isClosing = (text: string): boolean => (environment ? text.includes(`\\end{${environment[1]}}`) : text.endsWith("$$"));
  let last = startLine;
  const oneLine = environment ? isClosing(first) : first.length >= 4 && first.endsWith("$$");
  if (!oneLine) {
    last = startLine + 1;
    while (last < endLine && !isClosing(lineText(last).trimEnd())) last++;
    if (last >= endLine) return false;
  }
  if (silent) return true;
  const lines: string[] = [];
  for (let line = startLine; line <= last; line++) lines.push(lineText(line));
  let tex = lines.join("\n").trim();
  if (!environment) tex = tex.slice(2, -2);
  const token = state.push("math_block", "", 0);
  token.content = tex;
  token.map = [startLine, last + 1];
  token.block = true;
  state.line = last + 1;
  return true;
}

/** `![](attachment:x.png)` and `![](images/x.png)` become data URIs, so the file stays self-contained. */
function imageSource(src: string, context: RenderContext): string {
  if (src.startsWith("attachment:")) {
    const bundle = context.attachments[src.slice("attachment:".length)];
    const mime = bundle && Object.keys(bundle).find((type) => type.startsWith("image/"));
    const data = mime && bundle[mime];
    if (mime && typeof data === "string") return `data:${mime};base64,${data.replace(/\s/g, "")}`;
    context.warn(`image ${src} is not among the cell's attachments`);
    return src;
  }
  if (/^[a-z]+:/i.test(src)) {
    if (!src.startsWith("data:")) context.warn(`image ${src} is not stored in the file: it needs the network`);
    return src;
  }
  const mimes: Record<string, string> = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
  };
  const path = join(context.baseDir, decodeURI(src));
  const mime = mimes[extname(path).toLowerCase()];
  if (!mime || !existsSync(path)) {
    context.warn(`image ${src} not found next to the notebook (${path})`);
    return src;
  }
  return `data:${mime};base64,${readFileSync(path).toString("base64")}`;
}

function createMarkdown() {
  const md = new MarkdownIt({
    html: true,
    highlight: (code, language) => highlightCode(code, language),
  });
  md.inline.ruler.after("escape", "math_inline", mathInline);
  md.block.ruler.before("fence", "math_block", mathBlock, { alt: ["paragraph", "reference", "blockquote", "list"] });
  md.renderer.rules.math_inline = (tokens, idx, _options, env) => renderMath(tokens[idx].content, false, contextOf(env));
  md.renderer.rules.math_display = (tokens, idx, _options, env) => renderMath(tokens[idx].content, true, contextOf(env));
  md.renderer.rules.math_block = (tokens, idx, _options, env) =>
    `<div class="math-block">${renderMath(tokens[idx].content, true, contextOf(env))}</div>\n`;

  // Headings get ids (for the table of contents) and are recorded in the context.
  md.renderer.rules.heading_open = (tokens, idx, options, env, self) => {
    const context = contextOf(env);
    const inline = tokens[idx + 1];
    const plain = (inline.children ?? []).map((child) => child.content).join("");
    const id = context.slug(plain);
    tokens[idx].attrSet("id", id);
    const html = md.renderer.renderInline(inline.children ?? [], options, env);
    context.headings.push({ level: Number(tokens[idx].tag.slice(1)), id, html });
    return self.renderToken(tokens, idx, options);
  };

  const defaultImage = md.renderer.rules.image;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    token.attrSet("src", imageSource(String(token.attrGet("src") ?? ""), contextOf(env)));
    return defaultImage ? defaultImage(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options);
  };
  return md;
}

const markdown = createMarkdown();

/** Render markdown (with `$…$`, `$$…$$` and `\begin{…}` math) to HTML. */
export function renderMarkdown(source: string, context: RenderContext): string {
  if (typeof source !== "string") throw new Error(`renderMarkdown: source must be a string, got ${typeof source}`);
  return markdown.render(source, { context });
}

/** Render one line of markdown without the surrounding paragraph (titles, outcomes). */
export function renderInlineMarkdown(source: string, context: RenderContext): string {
  if (typeof source !== "string") throw new Error(`renderInlineMarkdown: source must be a string, got ${typeof source}`);
  return markdown.renderInline(source, { context });
}
