// One notebook cell to HTML: markdown, highlighted code, and the outputs the kernel produced.
import { hasSolution, MARKDOWN_STUB, removeHiddenTests, removeSolutions, SOLUTION_STUB } from "../solutions";
import { escapeHtml } from "../html";
import { isRecord } from "../notebook";
import { highlightCode, RenderContext, renderMarkdown, renderMath } from "./markdown";
import type { Cell, Output } from "./notebook";

export interface RenderOptions {
  /** false: the student version (solutions stubbed, hidden tests removed, their outputs dropped). */
  solutions: boolean;
  /** false: code cells show only their outputs. */
  code: boolean;
}

/** Remove terminal colour codes and other escape sequences (error tracebacks carry them). */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)/g, "").replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "");
}

/** What a terminal would show for text with carriage returns: each line keeps what was written last. */
export function collapseCarriageReturns(text: string): string {
  return text
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => line.slice(line.lastIndexOf("\r") + 1))
    .join("\n");
}

function preformatted(text: string, className: string): string {
  return `<pre class="${className}">${escapeHtml(collapseCarriageReturns(stripAnsi(text)))}</pre>`;
}

/** Plotly figures travel as JSON inside the page; `<` is escaped so no `</script>` can end the block. */
function plotlyFigure(figure: unknown, context: RenderContext): string | null {
  if (typeof figure !== "object" || figure === null || !("data" in figure) || !Array.isArray(figure.data)) {
    context.warn("plotly output has no data list; showing the next format");
    return null;
  }
  context.hasPlotly = true;
  const json = JSON.stringify(figure).replace(/</g, "\\u003c");
  return `<div class="plotly-figure"><script type="application/json">${json}</script></div>`;
}

/** ` width="…" height="…"` from the output's metadata (per MIME type, as nbformat allows). */
function imageSize(metadata: Record<string, unknown>, mime: string): string {
  const own = metadata[mime];
  const size = isRecord(own) ? own : metadata;
  return ["width", "height"]
    .filter((key) => typeof size[key] === "number")
    .map((key) => ` ${key}="${String(size[key])}"`)
    .join("");
}

/** text/latex holds math with its delimiters (or a bare environment): typeset it all. */
function latexOutput(text: string, context: RenderContext): string {
  const trimmed = text.trim();
  const delimited = /^(\$\$|\\\[)([\s\S]*)(\$\$|\\\])$/.exec(trimmed) ?? /^(\$|\\\()([\s\S]*)(\$|\\\))$/.exec(trimmed);
  if (delimited)
    return `<div class="output-latex">${renderMath(delimited[2], delimited[1] !== "$" && delimited[1] !== "\\(", context)}</div>`;
  if (trimmed.includes("$")) return `<div class="output-latex">${renderMarkdown(trimmed, context)}</div>`;
  return `<div class="output-latex">${renderMath(trimmed, true, context)}</div>`;
}

/**
 * The richest format of a display_data / execute_result bundle that a static file can show:
 * an interactive plotly figure first, HTML only when there is no plotly JSON, then images, LaTeX, text.
 */
function renderBundle(data: Record<string, unknown>, metadata: Record<string, unknown>, context: RenderContext): string {
  const text = (mime: string): string | null => {
    const value = data[mime];
    return typeof value === "string" ? value : null;
  };
  if ("application/vnd.plotly.v1+json" in data) {
    const figure = plotlyFigure(data["application/vnd.plotly.v1+json"], context);
    if (figure) return figure;
  }
  const html = text("text/html");
  if (html !== null) return `<div class="output-html">${html}</div>`;
  const md = text("text/markdown");
  if (md !== null) return `<div class="output-markdown">${renderMarkdown(md, context)}</div>`;
  const svg = text("image/svg+xml");
  if (svg !== null) {
    const uri = `data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`;
    return `<div class="output-image"><img src="${uri}" alt="figure"${imageSize(metadata, "image/svg+xml")}></div>`;
  }
  const latex = text("text/latex");
  if (latex !== null) return latexOutput(latex, context);
  for (const mime of ["image/png", "image/jpeg", "image/gif"]) {
    const base64 = text(mime);
    if (base64 !== null) {
      const uri = `data:${mime};base64,${base64.replace(/\s/g, "")}`;
      return `<div class="output-image"><img src="${uri}" alt="figure"${imageSize(metadata, mime)}></div>`;
    }
  }
  const plain = text("text/plain");
  if (plain !== null) return preformatted(plain, "output-text");
  if ("application/json" in data) return preformatted(JSON.stringify(data["application/json"], null, 2), "output-text");
  const kinds = Object.keys(data).join(", ");
  context.warn(`output of type ${kinds} cannot be shown in a static file`);
  return `<p class="output-unknown">[output of type ${escapeHtml(kinds)} not shown]</p>`;
}

/** Adjacent stream outputs of the same stream are one block of text, as in Jupyter. */
function mergeStreams(outputs: Output[]): Output[] {
  const merged: Output[] = [];
  for (const output of outputs) {
    const last = merged[merged.length - 1];
    if (output.kind === "stream" && last?.kind === "stream" && last.name === output.name) {
      merged[merged.length - 1] = { ...last, text: last.text + output.text };
    } else {
      merged.push(output);
    }
  }
  return merged;
}

export function renderOutput(output: Output, context: RenderContext): string {
  switch (output.kind) {
    case "stream":
      return preformatted(output.text, output.name === "stderr" ? "output-stream output-stderr" : "output-stream");
    case "error": {
      const traceback = output.traceback.length > 0 ? output.traceback.join("\n") : `${output.ename}: ${output.evalue}`;
      return preformatted(traceback, "output-error");
    }
    case "data":
      return renderBundle(output.data, output.metadata, context);
  }
}

/** The source a reader sees, and whether the cell's outputs may be shown with it. */
function visibleSource(cell: Cell, options: RenderOptions, context: RenderContext): { source: string; outputs: boolean } {
  if (options.solutions || cell.type !== "code") return { source: cell.source, outputs: true };
  if (cell.nbgrader?.solution && !hasSolution(cell.source)) {
    // nbgrader replaces a solution cell without delimiters as a whole.
    return { source: SOLUTION_STUB.join("\n"), outputs: false };
  }
  try {
    const student = removeHiddenTests(removeSolutions(cell.source));
    // Outputs of code the student does not see would give the answer away.
    return { source: student, outputs: student === cell.source };
  } catch (error) {
    context.warn(`${error instanceof Error ? error.message : String(error)}; the whole cell is replaced by the stub`);
    return { source: SOLUTION_STUB.join("\n"), outputs: false };
  }
}

/** One cell as HTML: `<div class="cell …">` holding its markdown, or its code and outputs. */
export function renderCell(cell: Cell, language: string, options: RenderOptions, context: RenderContext): string {
  const { source, outputs } = visibleSource(cell, options, context);
  if (cell.type === "markdown") {
    context.attachments = cell.attachments;
    const answer = !options.solutions && cell.nbgrader?.solution ? MARKDOWN_STUB : source;
    return `<div class="cell markdown-cell">${renderMarkdown(answer, context)}</div>`;
  }
  if (cell.type === "raw") return `<div class="cell raw-cell">${preformatted(source, "raw")}</div>`;
  const parts: string[] = [];
  if (options.code && source.trim() !== "") {
    parts.push(`<pre class="code"><code class="hljs language-${escapeHtml(language)}">${highlightCode(source, language)}</code></pre>`);
  }
  if (outputs) {
    const rendered = mergeStreams(cell.outputs).map((output) => renderOutput(output, context));
    if (rendered.length > 0) parts.push(`<div class="outputs">${rendered.join("\n")}</div>`);
  }
  return parts.length > 0 ? `<div class="cell code-cell">${parts.join("\n")}</div>` : "";
}
