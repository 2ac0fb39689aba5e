import fc from "fast-check";
import { readFileSync } from "fs";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { findRemoteResources } from "../src/course/slides/assets";
import { countSlides, groupSlides, renderDeck } from "../src/course/slides/deck";
import { renderHome } from "../src/course/slides/home";
import { RenderContext, renderMarkdown } from "../src/course/slides/markdown";
import { Cell, parseNotebook, readNotebook, SlideType } from "../src/course/slides/notebook";
import { renderPage } from "../src/course/slides/page";
import { collapseCarriageReturns, renderCell, RenderOptions, stripAnsi } from "../src/course/slides/render";

const FIXTURES = join(__dirname, "fixtures", "slides");
const conv = readNotebook(join(FIXTURES, "04-fixture-convolution.ipynb"));
const whyDeep = readNotebook(join(FIXTURES, "01-fixture-why-deep.ipynb"));
const withCode = { solutions: true, code: true } as const;

function cell(slideType: SlideType, source: string = slideType, type: Cell["type"] = "markdown"): Cell {
  return { index: 0, type, source, slideType, nbgrader: null, outputs: [], attachments: {} };
}

/** The text a reader could see: markup without scripts, styles and KaTeX's MathML copy. */
function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, "")
    .replace(/<style[\s\S]*?<\/style>/g, "")
    .replace(/<annotation[\s\S]*?<\/annotation>/g, "")
    .replace(/<[^>]+>/g, "");
}

describe("parseNotebook", () => {
  it("joins sources stored as lists of lines and reads the course metadata", () => {
    expect(conv.cells[0].source.startsWith("# Convolution by hand\n\nFollows")).toBe(true);
    expect(conv.course).toEqual({
      title: "Convolution by hand (fixture)",
      lectures: ["000", "004"],
      outcomes: expect.arrayContaining([expect.stringContaining("output size")]),
    });
    expect(conv.language).toBe("typescript");
  });

  it("names the file and the problem when a notebook is broken", () => {
    expect(() => parseNotebook("{not json", "bad.ipynb")).toThrow(/parseNotebook: bad.ipynb: not valid notebook JSON/);
    expect(() => parseNotebook('{"nbformat": 3, "cells": []}', "old.ipynb")).toThrow(
      /parseNotebook: old.ipynb: nbformat 3 is not supported, only nbformat 4/,
    );
    const oddSlide = JSON.stringify({
      nbformat: 4,
      metadata: {},
      cells: [{ cell_type: "markdown", source: "x", metadata: { slideshow: { slide_type: "wobble" } } }],
    });
    expect(() => parseNotebook(oddSlide, "odd.ipynb")).toThrow(/odd.ipynb: cell 1 has unknown slideshow.slide_type "wobble"/);
    expect(() => readNotebook("notes.txt")).toThrow(/readNotebook: path must name an .ipynb file, got "notes.txt"/);
  });
});

describe("groupSlides", () => {
  it("starts columns at slide, vertical slides at subslide, and keeps '-' cells with what came before", () => {
    const slides = groupSlides(
      [cell("slide", "a"), cell("-", "b"), cell("subslide", "c"), cell("fragment", "d"), cell("-", "e"), cell("slide", "f")],
      "test",
    );
    expect(slides.map((slide) => slide.subslides.length)).toEqual([2, 1]);
    expect(slides[0].subslides[0].blocks).toEqual([
      { fragment: false, cells: [expect.objectContaining({ source: "a" }), expect.objectContaining({ source: "b" })] },
    ]);
    const [start, fragment] = slides[0].subslides[1].blocks;
    expect(start.cells.map((c) => c.source)).toEqual(["c"]);
    expect(fragment).toEqual({
      fragment: true,
      cells: [expect.objectContaining({ source: "d" }), expect.objectContaining({ source: "e" })],
    });
  });

  it("leaves skipped cells out and puts notes on the slide they follow", () => {
    const slides = groupSlides([cell("slide", "a"), cell("skip", "hidden"), cell("notes", "say this"), cell("slide", "b")], "test");
    const all = slides.flatMap((slide) => slide.subslides.flatMap((sub) => sub.blocks.flatMap((block) => block.cells)));
    expect(all.map((c) => c.source)).toEqual(["a", "b"]);
    expect(slides[0].subslides[0].notes.map((c) => c.source)).toEqual(["say this"]);
    expect(slides[1].subslides[0].notes).toEqual([]);
  });

  it("starts the first slide at the first visible cell and gives it the notes written before it", () => {
    const slides = groupSlides([cell("notes", "early"), cell("skip"), cell("fragment", "first")], "test");
    expect(slides).toHaveLength(1);
    expect(slides[0].subslides[0].notes.map((c) => c.source)).toEqual(["early"]);
    expect(slides[0].subslides[0].blocks[0].fragment).toBe(false);
  });

  it("rejects a notebook with no visible cell, naming it", () => {
    expect(() => groupSlides([cell("skip"), cell("notes")], "empty.ipynb")).toThrow(/groupSlides: empty.ipynb has no visible cell/);
  });

  it("counts one slide per slide or subslide cell, plus the first visible cell (property)", () => {
    const types: SlideType[] = ["slide", "subslide", "fragment", "skip", "notes", "-"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...types), { minLength: 1, maxLength: 40 }), (sequence) => {
        const cells = sequence.map((type) => cell(type));
        const visible = sequence.filter((type) => type !== "skip" && type !== "notes");
        fc.pre(visible.length > 0);
        const starts = visible.filter((type) => type === "slide" || type === "subslide").length;
        const expected = starts + (visible[0] === "slide" || visible[0] === "subslide" ? 0 : 1);
        const slides = groupSlides(cells, "property");
        expect(countSlides(slides)).toBe(expected);
        const fragments = slides.flatMap((s) => s.subslides.flatMap((sub) => sub.blocks.filter((b) => b.fragment)));
        expect(fragments).toHaveLength(visible.slice(1).filter((type) => type === "fragment").length);
      }),
    );
  });
});

describe("renderMarkdown", () => {
  const render = (source: string) => {
    const context = new RenderContext(FIXTURES);
    return { html: renderMarkdown(source, context), context };
  };

  it("typesets inline and display math with KaTeX at build time", () => {
    const { html, context } = render("Size $w_{out}$:\n\n$$\nW = \\begin{pmatrix} -1 & 0 \\\\ 1 & 2 \\end{pmatrix}\n$$\n");
    expect(html).toContain('class="katex"');
    expect(html).toContain('class="katex-display"');
    expect(visibleText(html)).not.toMatch(/\$|\\begin/);
    expect(context.warnings).toEqual([]);
  });

  it("typesets a bare \\begin{align} block and display math inside a paragraph", () => {
    const { html } = render("\\begin{align}\ny &= x^2\n\\end{align}\n\nThen $$\\sum_i x_i$$ follows.");
    expect(html.match(/class="katex-display"/g)).toHaveLength(2);
    expect(visibleText(html)).not.toMatch(/\$\$|\\begin/);
  });

  it("leaves prices and code spans alone", () => {
    const { html } = render("It costs $5 and $10; see `$HOME`.");
    expect(html).not.toContain("katex");
    expect(html).toContain("It costs $5 and $10");
    expect(html).toContain("<code>$HOME</code>");
  });

  it("warns about a formula KaTeX cannot read and shows it, delimiters included", () => {
    const { html, context } = render("Broken: $\\frac{1}{$ here, fine: $x$.");
    expect(context.warnings).toHaveLength(1);
    expect(context.warnings[0]).toMatch(/cannot typeset \$\\frac\{1\}\{\$/);
    expect(html).toContain('class="math-error"');
    expect(html).toContain('class="katex"');
  });

  it("keeps \\newcommand definitions for the rest of the notebook", () => {
    const context = new RenderContext(FIXTURES);
    renderMarkdown("$\\newcommand{\\RR}{\\mathbb{R}}$", context);
    const html = renderMarkdown("$x \\in \\RR$", context);
    expect(context.warnings).toEqual([]);
    expect(html).toContain("mathbb");
  });

  it("gives headings unique ids and records them", () => {
    const { html, context } = render("# Output size\n\n## Output size\n\n### The $k$ kernel");
    expect(html).toContain('<h1 id="output-size">');
    expect(html).toContain('<h2 id="output-size-2">');
    expect(context.headings.map((h) => [h.level, h.id])).toEqual([
      [1, "output-size"],
      [2, "output-size-2"],
      [3, "the-k-kernel"],
    ]);
  });
});

describe("renderCell outputs", () => {
  const codeCell = (outputs: Cell["outputs"], source = "f();"): Cell => ({ ...cell("-", source, "code"), outputs });
  const render = (c: Cell, options: RenderOptions = withCode) => {
    const context = new RenderContext(FIXTURES);
    return { html: renderCell(c, "typescript", options, context), context };
  };

  it("prefers the interactive plotly figure to the HTML of the same output", () => {
    const plotly = conv.cells.find((c) => c.outputs.some((o) => o.kind === "data" && "application/vnd.plotly.v1+json" in o.data));
    if (!plotly) throw new Error("fixture has no plotly output");
    const { html, context } = render(plotly);
    expect(html).toContain('class="plotly-figure"');
    expect(html).not.toContain("cdn.plot.ly");
    expect(context.hasPlotly).toBe(true);
  });

  it("shows HTML, images, LaTeX and text, choosing the richest format", () => {
    expect(
      render(codeCell([{ kind: "data", data: { "text/html": "<table><tr><td>1</td></tr></table>", "text/plain": "1" }, metadata: {} }]))
        .html,
    ).toContain("<table><tr><td>1</td></tr></table>");
    const image = render(
      codeCell([{ kind: "data", data: { "image/png": "iVBOR\nw0K", "text/plain": "img" }, metadata: { "image/png": { width: 64 } } }]),
    ).html;
    expect(image).toContain('src="data:image/png;base64,iVBORw0K" alt="figure" width="64"');
    const latex = render(codeCell([{ kind: "data", data: { "text/latex": "$$\\bar{z} = \\bar{y}\\,\\sigma'(z)$$" }, metadata: {} }])).html;
    expect(latex).toContain('class="katex-display"');
    expect(visibleText(latex)).not.toContain("$$");
    expect(render(codeCell([{ kind: "data", data: { "text/plain": "a < b" }, metadata: {} }])).html).toContain("a &lt; b");
  });

  it("shows errors plainly, without terminal colour codes, and progress lines as a terminal would", () => {
    const { html } = render(
      codeCell([
        { kind: "stream", name: "stderr", text: "10%\r50%\r100%\n" },
        { kind: "error", ename: "TypeError", evalue: "boom", traceback: ["\u001b[31mTypeError\u001b[39m: boom"] },
      ]),
    );
    expect(html).toContain('<pre class="output-stream output-stderr">100%\n</pre>');
    expect(html).toContain('<pre class="output-error">TypeError: boom</pre>');
    expect(stripAnsi("\u001b[1;31mred\u001b[0m \u001b]8;;x\u0007link\u001b]8;;\u0007")).toBe("red link");
    expect(collapseCarriageReturns("a\r\nb\rc")).toBe("a\nc");
  });

  it("merges adjacent writes to the same stream into one block", () => {
    const { html } = render(
      codeCell([
        { kind: "stream", name: "stdout", text: "a\n" },
        { kind: "stream", name: "stdout", text: "b\n" },
      ]),
    );
    expect(html.match(/<pre class="output-stream">/g)).toHaveLength(1);
    expect(html).toContain("a\nb\n");
  });

  it("--no-code hides the code and keeps the outputs", () => {
    const { html } = render(codeCell([{ kind: "stream", name: "stdout", text: "42\n" }], "secretCode();"), {
      solutions: true,
      code: false,
    });
    expect(html).not.toContain("secretCode");
    expect(html).toContain("42");
  });

  it("--no-solutions stubs solutions, removes hidden tests, and drops the outputs of that code", () => {
    const exercise = conv.cells.filter((c) => c.nbgrader !== null);
    const html = exercise.map((c) => render(c, { solutions: false, code: true }).html).join("\n");
    expect(html).toContain("YOUR CODE HERE");
    expect(html).toContain("not implemented");
    expect(html).not.toMatch(/n - k \+ 1|size 7,3|HIDDEN/);
    const solutionCell: Cell = {
      ...cell("-", "answer = 42;", "code"),
      nbgrader: { solution: true, grade: false },
      outputs: [{ kind: "stream", name: "stdout", text: "42\n" }],
    };
    const whole = render(solutionCell, { solutions: false, code: true }).html;
    expect(whole).not.toMatch(/answer|42/);
    expect(whole).toContain("YOUR CODE HERE");
  });
});

describe("renderDeck", () => {
  const deck = renderDeck(conv, { ...withCode, theme: "white" });
  const types = conv.cells.map((c) => c.slideType);

  it("has one vertical slide per slide/subslide cell", () => {
    const expected = types.filter((t) => t === "slide" || t === "subslide").length;
    expect(deck.slides).toBe(expected);
    // Columns are <section> holding <section>s: count the inner ones.
    expect(deck.html.match(/<section>\n(?!<section>)/g)).toHaveLength(expected);
  });

  it("has one fragment per fragment cell and notes where notes cells are", () => {
    expect(deck.html.match(/class="fragment"/g)).toHaveLength(types.filter((t) => t === "fragment").length);
    expect(deck.html.match(/<aside class="notes">/g)).toHaveLength(types.filter((t) => t === "notes").length);
    expect(deck.html.includes("Remind the class")).toBe(true);
  });

  it("keeps speaker notes out of the student version (--no-solutions)", () => {
    expect(deck.html.match(/<aside class="notes">/g)?.length).toBeGreaterThan(0);
    const student = renderDeck(conv, { solutions: false, code: true, theme: "white" });
    expect(student.html.includes('<aside class="notes">')).toBe(false);
  });

  it("writes the math of speaker notes as MathML, which the speaker view draws without KaTeX's CSS", () => {
    const notes = deck.html.match(/<aside class="notes">[\s\S]*?<\/aside>/g) ?? [];
    const withMath = notes.filter((aside) => aside.includes("<math"));
    expect(withMath).toHaveLength(1);
    expect(withMath[0]).not.toContain("katex-html");
  });

  it("leaves skipped cells out", () => {
    expect(deck.html.includes("import * as dl")).toBe(false);
  });

  it("typesets every formula: KaTeX HTML and no raw $$", () => {
    expect(deck.html.match(/class="katex"/g)?.length).toBeGreaterThan(10);
    expect(visibleText(deck.html)).not.toContain("$$");
    expect(deck.warnings).toEqual([]);
  });

  it("inlines reveal.js, KaTeX fonts and plotly.js once, and fetches nothing from another host", () => {
    expect(findRemoteResources(deck.html)).toEqual([]);
    expect(deck.html.match(/plotly\.js \(cartesian - minified\) v\d/g)).toHaveLength(1);
    expect(deck.html.includes("data:font/woff2;base64,")).toBe(true);
    expect(deck.html.includes("Reveal.initialize")).toBe(true);
  });

  it("rejects an unknown theme, naming it", () => {
    // @ts-expect-error: checking the run-time guard
    expect(() => renderDeck(conv, { ...withCode, theme: "neon" })).toThrow(/renderDeck: options.theme must be one of white, .*got "neon"/);
  });

  it("leaves plotly.js out of a deck without figures", () => {
    const small = renderDeck(whyDeep, { ...withCode, theme: "black" });
    expect(/plotly\.js \(cartesian - minified\) v\d/.test(small.html)).toBe(false);
    expect(small.slides).toBe(3);
    expect(small.html.includes("Theme: a11y-dark")).toBe(true);
    expect(visibleText(small.html)).not.toContain("$$");
  });
});

describe("renderPage", () => {
  const page = renderPage(conv, withCode);

  it("shows the whole notebook, skipped cells included, with a table of contents; notes only when asked", () => {
    expect(visibleText(page.html)).toContain("import * as dl from");
    expect(page.html.includes('<aside class="speaker-notes">')).toBe(false);
    expect(renderPage(conv, { ...withCode, notes: true }).html.includes('<aside class="speaker-notes">')).toBe(true);
    // The student version never carries notes, even when asked.
    expect(renderPage(conv, { solutions: false, code: true, notes: true }).html.includes('<aside class="speaker-notes">')).toBe(false);
    for (const id of ["convolution-by-hand", "the-output-size", "a-kernel-as-a-matrix", "summary"]) {
      expect(page.html.includes(`<a href="#${id}">`)).toBe(true);
      expect(page.html.includes(`id="${id}"`)).toBe(true);
    }
  });

  it("is offline and typeset", () => {
    expect(findRemoteResources(page.html)).toEqual([]);
    expect(visibleText(page.html)).not.toContain("$$");
    expect(page.html.match(/plotly\.js \(cartesian - minified\) v\d/g)).toHaveLength(1);
  });
});

describe("renderHome", () => {
  it("lists the lectures in order with outcomes and links", () => {
    const { html } = renderHome(
      [
        { notebook: whyDeep, deck: "slides/01.html", page: "pages/01.html" },
        { notebook: conv, deck: "slides/04.html", page: null },
      ],
      "Course",
    );
    expect(html.indexOf("Why deep (fixture)")).toBeLessThan(html.indexOf("Convolution by hand (fixture)"));
    expect(html).toContain("Follows lectures 000, 004");
    expect(html).toContain('href="slides/04.html"');
    expect(html).toContain("Read as a page: not built");
    expect(html).toContain('class="katex"');
    expect(findRemoteResources(html)).toEqual([]);
  });
});

describe("findRemoteResources", () => {
  it("finds what a browser would fetch, not the links a reader clicks", () => {
    const html = [
      '<script src="https://cdn.example.org/x.js"></script>',
      '<link rel="stylesheet" href="//fonts.example.org/f.css">',
      "<style>@import url(https://fonts.example.org/a.css); p { background: url('http://x.example/b.png') }</style>",
      '<img alt="" src="https://example.org/i.png">',
      '<a href="https://example.org/page">a link</a>',
      '<script src="data:text/javascript,1"></script>',
    ].join("\n");
    expect(findRemoteResources(html).sort()).toEqual([
      "//fonts.example.org/f.css",
      "http://x.example/b.png",
      "https://cdn.example.org/x.js",
      "https://example.org/i.png",
      "https://fonts.example.org/a.css",
    ]);
  });

  it("leaves the notebook file as it was", () => {
    const before = readFileSync(join(FIXTURES, "04-fixture-convolution.ipynb"), "utf8");
    renderDeck(readNotebook(join(FIXTURES, "04-fixture-convolution.ipynb")), { ...withCode, theme: "white" });
    expect(readFileSync(join(FIXTURES, "04-fixture-convolution.ipynb"), "utf8")).toBe(before);
  });
});
