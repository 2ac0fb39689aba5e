// Making every slide fit its box: the deck lays itself out in the browser that shows it (with the
// fonts that browser has) before reveal.js starts, and moves whatever does not fit onto new vertical
// slides right below. Nothing is scaled below the size floors; code wraps instead of running off.
//
// How a slide is filled ("flow"): its pieces (cells, fragments) are put on the slide one by one; a
// piece that makes the slide overflow goes onto a new vertical slide. A piece too tall for an empty
// slide is opened up and its children are flowed the same way: a cell into its code and outputs, a
// list into its items, a table into its rows (the header repeated), a block of code or text into
// its lines. Speaker notes go with every part. An author forces a break with the standard
// `slideshow.slide_type: "subslide"`; automatic breaks never merge what the author separated.

/** The slide box reveal.js scales to the screen: 1280×720 (16:9), so 1920×1080 shows the same layout. */
export const SLIDE = { width: 1280, height: 720, padX: 40, padY: 24 } as const;

/**
 * Size floors at 1280×720: body text; code, text outputs and tables; labels around a figure (ticks,
 * axis titles, captions, legend); text inside a figure's plotting area (values in heatmap cells,
 * labels of a drawn graph), which grows with the drawing so it keeps its place.
 */
export const FLOORS = { body: 28, code: 20, figure: 20, figureText: 14 } as const;

/** Deck CSS that sets the sizes the floors promise, wraps code, and sizes images for the slide. */
export const FIT_CSS = `
.reveal { --r-main-font-size: ${FLOORS.body}px; --r-link-color: #1a5fb4; --r-link-color-hover: #0d4a8f; }
.reveal .slides section > section {
  box-sizing: border-box; height: ${SLIDE.height}px; padding: ${SLIDE.padY}px ${SLIDE.padX}px; overflow: hidden; text-align: left;
}
/* Print mode (?print-pdf) moves each slide into a page of its own: the same box as on screen. */
html.reveal-print .reveal .slides .pdf-page > section {
  box-sizing: border-box !important; height: ${SLIDE.height}px; padding: ${SLIDE.padY}px ${SLIDE.padX}px !important; overflow: hidden; text-align: left;
}
.reveal h1, .reveal h2, .reveal h3 { text-transform: none; }
.reveal h1 { font-size: 2em; } .reveal h2 { font-size: 1.5em; } .reveal h3 { font-size: 1.2em; }
.reveal p, .reveal li { line-height: 1.3; }
.reveal .cell { margin: 0.2em 0; }
.reveal pre, .reveal pre code { white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word; }
.reveal pre { width: 100%; box-shadow: none; font-size: ${FLOORS.code}px; line-height: 1.3; margin: 0.3em 0; }
.reveal pre code { max-height: none; overflow: visible; }
.reveal pre.code code.hljs { background: transparent; padding: 4px 8px; }
.reveal .outputs pre { padding: 4px 8px; }
.reveal .output-image img { max-width: 100%; max-height: ${SLIDE.height - 2 * SLIDE.padY - 16}px; width: auto; height: auto; margin: 0; object-fit: contain; }
.reveal table { font-size: ${FLOORS.code + 2}px; margin: 0.3em 0; max-width: 100%; }
.reveal .output-html table, .reveal .output-html th, .reveal .output-html td { font-size: ${FLOORS.code + 2}px !important; }
.reveal th, .reveal td { overflow-wrap: anywhere; }
.reveal .plotly-figure { width: 100%; font-size: 16px; margin: 0 auto; }
.reveal .katex-display { margin: 0.3em 0; }
/* A display formula wider than the slide breaks between its terms (KaTeX's bases), as inline math does. */
.reveal .katex-display > .katex { white-space: normal; }
.reveal .math-error { color: #b00; }
.reveal .fit-line { display: block; }
html.fit-measuring .reveal .slides > section.fit-open, html.fit-measuring .reveal .slides > section > section.fit-open {
  display: block !important; visibility: hidden; transition: none;
}
`;

/**
 * Backgrounds of code and outputs, chosen with highlight.js's a11y themes so every colour keeps
 * 4.5:1 (a11y-light's #007faa is darkened: it has 4.36:1 on white).
 */
export function codeCss(dark: boolean): string {
  return dark
    ? `.reveal pre.code { background: #2b2b2b; border: 1px solid #555; }
.reveal .outputs pre { background: #1e1e1e; color: #f0f0f0; }
.reveal .output-stderr, .reveal .output-error { background: #3a1d1d !important; color: #f0f0f0; }`
    : `.reveal pre.code { background: #fff; border: 1px solid #ccc; }
.reveal .hljs-title, .reveal .hljs-section { color: #006d94; }
.reveal .outputs pre { background: #f4f4f4; }
.reveal .output-stderr { background: #fbe9e9 !important; }
.reveal .output-error { background: #f8dcdc !important; color: inherit; }`;
}

/**
 * The browser half: `fitDeck()` splits every vertical slide that overflows, sizes each plotly figure
 * for the slide (data-fit-width/height, read by renderFigures), and resolves when done.
 */
export const FIT_JS = `
var FIT = ${JSON.stringify({ ...SLIDE, floorFigure: FLOORS.figure })};

/** Every font face the deck declares (KaTeX's, inlined) loaded, so measuring sees the real glyphs. */
function loadFonts() {
  if (!document.fonts) return Promise.resolve();
  var faces = [];
  document.fonts.forEach(function (face) { faces.push(face.load().catch(function () {})); });
  return Promise.all(faces);
}

function fitDeck() {
  return loadFonts().then(function () {
    var slides = document.querySelector(".reveal .slides");
    slides.style.width = FIT.width + "px";
    slides.style.height = FIT.height + "px";
    document.documentElement.classList.add("fit-measuring");
    Array.prototype.slice.call(document.querySelectorAll(".reveal .slides > section > section")).forEach(fitSlide);
    document.documentElement.classList.remove("fit-measuring");
  });
}

/** The figure's own size, from its JSON (what the notebook asked for). */
function figureSize(div) {
  var figure = JSON.parse(div.querySelector('script[type="application/json"]').textContent);
  var layout = figure.layout || {};
  return { width: layout.width || 700, height: layout.height || 450 };
}

/** Size a figure for the slide: full width, or shorter than maxHeight, keeping its shape. */
function sizeFigure(div, maxHeight) {
  var own = figureSize(div);
  var inner = FIT.width - 2 * FIT.padX;
  var scale = Math.min(inner / own.width, maxHeight / own.height);
  var width = Math.floor(own.width * scale), height = Math.floor(own.height * scale);
  div.style.width = width + "px";
  div.style.height = height + "px";
  div.setAttribute("data-fit-width", String(width));
  div.setAttribute("data-fit-height", String(height));
}

function overflows(page) {
  return page.scrollHeight > page.clientHeight + 1;
}

/** Code and text blocks become one element per line, so they can be split between slides. */
function splitLines(pre) {
  if (pre.getAttribute("data-fit-lines")) return;
  pre.setAttribute("data-fit-lines", "1");
  var holder = pre.querySelector("code") || pre;
  var lines = [[]];
  // Walk the highlighted HTML, cutting at each newline and reopening the spans that were open.
  function walk(node, open) {
    node.childNodes.forEach(function (child) {
      if (child.nodeType === Node.TEXT_NODE) {
        var parts = child.textContent.split("\\n");
        parts.forEach(function (text, i) {
          if (i > 0) lines.push([]);
          if (text !== "") lines[lines.length - 1].push({ text: text, open: open });
        });
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        walk(child, open.concat([child]));
      }
    });
  }
  walk(holder, []);
  if (lines.length > 1 && lines[lines.length - 1].length === 0) lines.pop();
  holder.textContent = "";
  lines.forEach(function (pieces) {
    var line = document.createElement("span");
    line.className = "fit-line";
    pieces.forEach(function (piece) {
      var target = line;
      piece.open.forEach(function (element) {
        var copy = element.cloneNode(false);
        target.appendChild(copy);
        target = copy;
      });
      target.appendChild(document.createTextNode(piece.text));
    });
    if (pieces.length === 0) line.appendChild(document.createTextNode("\\u200b"));
    holder.appendChild(line);
  });
}

/** The children a block can be opened into, or null when it cannot be split. */
function partsOf(node) {
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  if (node.matches(".plotly-figure, .katex-display, .katex, img, svg, .fit-line, h1, h2, h3, h4, h5, h6, p, tr, thead")) return null;
  if (node.matches("pre")) {
    splitLines(node);
    var holder = node.querySelector("code") || node;
    return { shell: node, inner: holder, children: Array.prototype.slice.call(holder.children) };
  }
  var children = Array.prototype.slice.call(node.childNodes).filter(function (child) {
    return child.nodeType === Node.ELEMENT_NODE || (child.textContent || "").trim() !== "";
  });
  if (node.matches("ol")) {
    // Each item keeps its number wherever it lands.
    var start = Number(node.getAttribute("start") || 1);
    Array.prototype.slice.call(node.children).forEach(function (item, i) { item.setAttribute("value", String(start + i)); });
  }
  if (node.matches("table")) children = children.filter(function (child) { return !child.matches || !child.matches("thead"); });
  if (children.length === 0) return null;
  if (children.length === 1 && !node.matches("table, tbody, ul, ol")) {
    // One child: opening the block only helps if that child opens up.
    return children[0].nodeType === Node.ELEMENT_NODE ? { shell: node, inner: node, children: children } : null;
  }
  return { shell: node, inner: node, children: children };
}

/** A copy of a container without its children (a table keeps its header). */
function emptyCopy(node, inner) {
  var copy = node.cloneNode(false);
  var target = copy;
  if (inner !== node) {
    target = inner.cloneNode(false);
    copy.appendChild(target);
  }
  var head = node.matches("table") ? node.querySelector(":scope > thead") : null;
  if (head) {
    var headCopy = head.cloneNode(true);
    headCopy.classList.add("fit-head");
    copy.insertBefore(headCopy, copy.firstChild);
  }
  copy.classList.add("fit-part");
  return { copy: copy, target: target };
}

/** Fill one vertical slide, starting new ones below it while its content overflows. */
function fitSlide(section) {
  var notes = Array.prototype.slice.call(section.querySelectorAll(":scope > aside.notes"));
  notes.forEach(function (aside) { aside.remove(); });
  var pieces = Array.prototype.slice.call(section.childNodes).filter(function (child) {
    return child.nodeType === Node.ELEMENT_NODE || (child.textContent || "").trim() !== "";
  });
  section.textContent = "";
  var inner = FIT.height - 2 * FIT.padY;
  pieces.forEach(function (piece) {
    if (piece.querySelectorAll) piece.querySelectorAll(".plotly-figure").forEach(function (div) { sizeFigure(div, inner - 8); });
  });
  var page = section;
  page.classList.add("fit-open");
  section.parentNode.classList.add("fit-open");
  var pages = [page];
  // The chain of open containers on the current page: [page, copy of outer block, copy of inner block…].
  var path = [page];
  var originals = [null];
  // Pieces placed on the current page since it was started (copies of open containers do not count).
  var placed = 0;

  function newPage() {
    var next = document.createElement("section");
    next.setAttribute("data-fit-continued", "");
    next.className = "fit-open";
    page.classList.remove("fit-open");
    page.parentNode.insertBefore(next, page.nextSibling);
    page = next;
    pages.push(page);
    var newPath = [page];
    for (var i = 1; i < path.length; i++) {
      var copy = emptyCopy(originals[i].node, originals[i].inner);
      newPath[newPath.length - 1].appendChild(copy.copy);
      newPath.push(copy.target);
    }
    path = newPath;
    placed = 0;
  }

  /** Space left below what the current page holds. */
  function room(target) {
    var marker = document.createElement("div");
    target.appendChild(marker);
    var top = marker.getBoundingClientRect().top - page.getBoundingClientRect().top;
    marker.remove();
    return page.clientHeight - FIT.padY - top;
  }

  function place(node) {
    var target = path[path.length - 1];
    target.appendChild(node);
    if (!overflows(page)) { placed++; return; }
    target.removeChild(node);
    var figure = node.matches && node.matches(".plotly-figure") ? node : null;
    if (figure) {
      // Shrink a figure into the space left when that keeps most of it, else give it a slide.
      var left = room(target) - 12;
      var wanted = Number(figure.getAttribute("data-fit-height"));
      if (left >= Math.max(240, 0.6 * wanted)) {
        sizeFigure(figure, left);
        target.appendChild(figure);
        if (!overflows(page)) { placed++; return; }
        target.removeChild(figure);
      }
      sizeFigure(figure, inner - 8);
    }
    if (placed > 0) {
      // A whole piece that would fit on a slide of its own starts one; a bigger one is split here.
      var parts = partsOf(node);
      if (!parts || fitsAlone(node)) {
        newPage();
        return place(node);
      }
      return flowParts(node, parts);
    }
    var open = partsOf(node);
    if (open) return flowParts(node, open);
    // Cannot be split and too tall for an empty slide: it stays (the browser test reports it).
    target.appendChild(node);
    placed++;
  }

  function fitsAlone(node) {
    var probe = document.createElement("section");
    probe.className = "fit-open";
    page.parentNode.appendChild(probe);
    probe.appendChild(node);
    var fits = !overflows(probe);
    probe.removeChild(node);
    probe.remove();
    return fits;
  }

  function flowParts(node, parts) {
    var copy = emptyCopy(parts.shell, parts.inner);
    path[path.length - 1].appendChild(copy.copy);
    path.push(copy.target);
    originals.push({ node: parts.shell, inner: parts.inner });
    parts.children.forEach(function (child) { place(child); });
    path.pop();
    originals.pop();
    removeEmpty(copy.copy);
  }

  /** Remove a copy left with nothing of its own (a repeated table header does not count). */
  function removeEmpty(copy) {
    var text = copy.textContent;
    copy.querySelectorAll(".fit-head").forEach(function (head) { text = text.replace(head.textContent, ""); });
    if (text.trim() === "" && !copy.querySelector("img, svg, .plotly-figure")) copy.remove();
  }

  pieces.forEach(place);
  pages.forEach(function (each) {
    each.classList.remove("fit-open");
    // Empty copies left behind when a block moved on.
    each.querySelectorAll(".fit-part").forEach(removeEmpty);
    notes.forEach(function (aside) { each.appendChild(aside.cloneNode(true)); });
  });
  section.parentNode.classList.remove("fit-open");
  if (pages.length > 1) section.setAttribute("data-fit-parts", String(pages.length));
}
`;
