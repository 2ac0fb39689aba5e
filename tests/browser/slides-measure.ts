// What a person at the back of the hall would notice, measured on the slide reveal.js is showing:
// content past the slide box, code cut at the right edge, text boxes on top of each other, figures
// not drawn, text or code below the size floor, text colours below WCAG AA contrast (4.5:1).
import type { Page } from "playwright-core";

export interface SlideReport {
  key: string;
  /** Content taller or wider than the slide box (scroll size larger than client size), in px. */
  overflowY: number;
  overflowX: number;
  /** Blocks of code or text cut at their right edge. */
  codeCut: number;
  /** Pairs of text boxes that overlap, described. */
  overlaps: string[];
  /** Figure text cut off at the edge of its figure (drawn partly outside the figure's box). */
  clipped: string[];
  figures: number;
  figuresDrawn: number;
  /** Text below its floor: "28px<p>: text…". */
  small: string[];
  /** Text colours below 4.5:1 on their background. */
  lowContrast: string[];
  /** Continued from the slide above (split by fitDeck). */
  continued: boolean;
}

export const FLOOR = { body: 28, code: 20, figure: 20, figureText: 14 };

/** Measure the slide reveal.js is showing. */
export function measureSlide(page: Page): Promise<SlideReport> {
  return page.evaluate((floor) => {
    const slide = Reveal.getCurrentSlide();
    const { h, v } = Reveal.getIndices();
    const all = (root: ParentNode, selector: string): Element[] => Array.from(root.querySelectorAll(selector));

    // Boxes in the slide's own pixels (reveal.js scales the slide to the window).
    const scale = slide.getBoundingClientRect().width / slide.offsetWidth || 1;
    const textBlocks = all(slide, "p, li, h1, h2, h3, h4, h5, h6, pre, td, th, .katex-display, .plotly-figure, img, .output-latex").filter(
      (element) => !element.closest("aside.notes") && element.getBoundingClientRect().height > 0,
    );
    const overlaps: string[] = [];
    const name = (element: Element) => `${element.tagName.toLowerCase()}"${(element.textContent ?? "").trim().slice(0, 30)}"`;
    const intersect = (a: DOMRect, b: DOMRect) =>
      Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2 * scale &&
      Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2 * scale;
    for (let i = 0; i < textBlocks.length; i++) {
      for (let j = i + 1; j < textBlocks.length; j++) {
        const a = textBlocks[i],
          b = textBlocks[j];
        if (a.contains(b) || b.contains(a)) continue;
        if (intersect(a.getBoundingClientRect(), b.getBoundingClientRect())) overlaps.push(`${name(a)} × ${name(b)}`);
      }
    }
    // Inside each figure: titles, captions, tick labels and cell text must not overlap either.
    for (const svg of all(slide, ".plotly-figure")) {
      // Rotated labels are left out: their bounding boxes are not their shape.
      const texts = all(svg, "text").filter(
        (t) =>
          (t.textContent ?? "").trim() !== "" &&
          t.getBoundingClientRect().width > 0 &&
          !/rotate\((?!0[,)])/.test(t.getAttribute("transform") ?? ""),
      );
      for (let i = 0; i < texts.length; i++) {
        for (let j = i + 1; j < texts.length; j++) {
          if (intersect(texts[i].getBoundingClientRect(), texts[j].getBoundingClientRect())) {
            overlaps.push(`figure text "${texts[i].textContent}" × "${texts[j].textContent}"`);
          }
        }
      }
    }

    // Figure text past the figure's own box is cut off there (a title wider than the figure, a caption above it).
    const clipped: string[] = [];
    for (const figure of all(slide, ".plotly-figure")) {
      const paper = figure.querySelector(".main-svg");
      if (!paper) continue;
      const box = paper.getBoundingClientRect();
      for (const text of all(figure, "text")) {
        const r = text.getBoundingClientRect();
        if ((text.textContent ?? "").trim() === "" || r.width === 0) continue;
        const past = Math.max(box.left - r.left, r.right - box.right, box.top - r.top, r.bottom - box.bottom) / scale;
        if (past > 2) clipped.push(`figure "${(text.textContent ?? "").slice(0, 40)}" by ${Math.round(past)}px`);
      }
    }

    // Text sizes, on every element that holds text of its own.
    const small: string[] = [];
    const lowContrast: string[] = [];
    const parseColor = (text: string): [number, number, number, number] => {
      const m = text.match(/rgba?\(([^)]+)\)/);
      if (!m) return [0, 0, 0, 0];
      const parts = m[1]
        .split(/[ ,/]+/)
        .filter(Boolean)
        .map(Number);
      return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
    };
    const luminance = ([r, g, b]: number[]) => {
      const channel = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const background = (element: Element): number[] => {
      // Layers of background colour from the element down to the page, composited.
      const layers: number[][] = [];
      for (let node: Element | null = element; node; node = node.parentElement) {
        const color = parseColor(getComputedStyle(node).backgroundColor);
        if (color[3] > 0) layers.push(color);
        if (color[3] >= 1) break;
      }
      let result = [255, 255, 255];
      for (const [r, g, b, a] of layers.reverse())
        result = [r * a + result[0] * (1 - a), g * a + result[1] * (1 - a), b * a + result[2] * (1 - a)];
      return result;
    };
    const contrast = (a: number[], b: number[]) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (hi + 0.05) / (lo + 0.05);
    };
    for (const element of all(slide, "*")) {
      if (element.closest("aside.notes, .plotly-figure, .katex, script, style")) continue;
      const ownText = Array.from(element.childNodes).some(
        (node) => node.nodeType === Node.TEXT_NODE && (node.textContent ?? "").trim() !== "",
      );
      if (!ownText) continue;
      const style = getComputedStyle(element);
      const size = parseFloat(style.fontSize);
      const isCode = element.closest("pre, code, table") !== null;
      const need = isCode ? floor.code : floor.body;
      if (size < need - 0.01) small.push(`${size.toFixed(1)}px<${need} ${name(element)}`);
      const ratio = contrast(parseColor(style.color), background(element));
      if (ratio < 4.5) lowContrast.push(`${ratio.toFixed(2)}:1 ${style.color} ${name(element)}`);
    }
    // Math: the formula's own size is that of the text around it (sub- and superscripts are smaller by design).
    for (const math of all(slide, ".katex")) {
      const size = parseFloat(getComputedStyle(math).fontSize);
      const need = math.closest("pre, table") ? floor.code : floor.body;
      if (!math.closest("aside.notes") && size < need - 0.01) small.push(`${size.toFixed(1)}px<${need} math`);
    }
    // Figures: labels against the figure's paper colour.
    for (const figure of all(slide, ".plotly-figure")) {
      const paper = figure.querySelector(".main-svg");
      const paperColor = paper ? parseColor(getComputedStyle(paper).backgroundColor) : [255, 255, 255, 1];
      const base = paperColor[3] > 0 ? paperColor : [255, 255, 255, 1];
      // Plotting areas of the subplots: text inside one is among the data, text outside is a label.
      const areas = all(figure, "rect.nsewdrag").map((rect) => rect.getBoundingClientRect());
      for (const text of all(figure, "text")) {
        const box = text.getBoundingClientRect();
        if ((text.textContent ?? "").trim() === "" || box.width === 0) continue;
        const x = (box.left + box.right) / 2,
          y = (box.top + box.bottom) / 2;
        const inside = areas.some((area) => x > area.left && x < area.right && y > area.top && y < area.bottom);
        const need = inside ? floor.figureText : floor.figure;
        const size = parseFloat(getComputedStyle(text).fontSize);
        if (size < need - 0.01) small.push(`${size.toFixed(1)}px<${need} figure${inside ? " plot" : ""} "${text.textContent}"`);
        // Text drawn on the plot's cells takes the cell's colour into account (plotly picks it); only labels are checked.
        if (text.closest(".heatmaplayer, .imagelayer, .textpoint")) continue;
        const fill = parseColor(getComputedStyle(text).fill);
        const ratio = contrast(fill, base);
        if (ratio < 4.5) lowContrast.push(`${ratio.toFixed(2)}:1 ${getComputedStyle(text).fill} figure "${text.textContent}"`);
      }
    }

    const figures = all(slide, ".plotly-figure");
    return {
      key: `${h}/${v}`,
      overflowY: Math.max(0, slide.scrollHeight - slide.clientHeight),
      overflowX: Math.max(0, slide.scrollWidth - slide.clientWidth),
      codeCut: all(slide, "pre, pre code").filter((element) => element.scrollWidth > element.clientWidth + 1).length,
      overlaps,
      clipped,
      figures: figures.length,
      figuresDrawn: figures.filter((div) => div.querySelector("svg.main-svg")).length,
      small,
      lowContrast,
      continued: slide.hasAttribute("data-fit-continued"),
    };
  }, FLOOR);
}

declare global {
  // reveal.js is a global in the deck; only what the tests call is declared.
  const Reveal: {
    isReady(): boolean;
    configure(options: Record<string, unknown>): void;
    getTotalSlides(): number;
    getCurrentSlide(): HTMLElement;
    getIndices(): { h: number; v: number };
    getSlideNotes(): string | undefined;
    getSlides(): HTMLElement[];
    isLastSlide(): boolean;
    availableFragments(): { prev: boolean; next: boolean };
    next(): void;
    slide(h: number, v: number, f?: number): void;
  };
}
