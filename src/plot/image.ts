// Pictures: grayscale and colour images, one or a grid with titles (kernel gallery, feature maps,
// digits, misclassified examples). Small images become heatmaps (hover shows each pixel's value);
// large ones become PNG data URIs, shrunk to about their size on screen so outputs stay small.
import { knownOptions, readable } from "../args";
import { PNG } from "pngjs";
import { Annotation, Figure, GRAY, Layout, Trace, axisRefs, describe, titleWidth } from "./figure";

/**
 * An image: rows of gray levels (`number[][]`), rows of [red, green, blue] (`number[][][]`), or a flat
 * row-major array with its shape [height, width] or [height, width, 3] — 05-kernel-gallery.
 */
export type ImageInput = number[][] | number[][][] | { data: ArrayLike<number>; shape: readonly number[] };

/** Options of `imageFigure` — 05-kernel-gallery. */
export interface ImageOptions {
  title?: string;
  /** Gray levels mapped to black and white: "auto" (min and max of the image, the default) or [black, white]. Colour images use [0, 255] unless given. */
  range?: "auto" | [number, number];
  /** Largest side in screen pixels (default 280). */
  size?: number;
  /** Larger images are averaged down to at most this many pixels a side before encoding (default: the size on screen). */
  maxSide?: number;
}

/** Options of `imageGridFigure` — 05-kernel-gallery. */
export interface ImageGridOptions extends Omit<ImageOptions, "title"> {
  title?: string;
  /** Images per row (default: up to 4). */
  columns?: number;
}

/** An image as plain numbers: height, width, channels (1 or 3), row-major values. */
interface Pixels {
  height: number;
  width: number;
  channels: 1 | 3;
  values: Float64Array;
}

/** Pixels up to this many are drawn as a heatmap, larger images as PNG. */
const HEATMAP_LIMIT = 64 * 64;

function toPixels(fn: string, arg: string, image: ImageInput): Pixels {
  if (Array.isArray(image)) {
    const height = image.length;
    const first: unknown = image[0];
    if (height === 0 || !Array.isArray(first) || first.length === 0) {
      throw new Error(`${fn}: ${arg} must be a non-empty array of rows, got ${describe(image)}`);
    }
    const width = first.length;
    const channels: 1 | 3 = Array.isArray(first[0]) ? 3 : 1;
    const values = new Float64Array(height * width * channels);
    image.forEach((row: unknown, r: number) => {
      if (!Array.isArray(row) || row.length !== width) {
        throw new Error(`${fn}: ${arg} row ${r} has ${describe(row)}, expected ${width} pixels like row 0`);
      }
      row.forEach((px: unknown, c: number) => {
        const channelValues = channels === 3 ? px : [px];
        if (!Array.isArray(channelValues) || channelValues.length !== channels) {
          throw new Error(`${fn}: ${arg}[${r}][${c}] must be ${channels === 3 ? "[red, green, blue]" : "a number"}, got ${describe(px)}`);
        }
        channelValues.forEach((v: unknown, k: number) => {
          if (typeof v !== "number" || !Number.isFinite(v)) {
            throw new Error(`${fn}: ${arg}[${r}][${c}] must hold finite numbers, got ${describe(v)}`);
          }
          values[(r * width + c) * channels + k] = v;
        });
      });
    });
    return { height, width, channels, values };
  }
  if (typeof image !== "object" || image === null || !("data" in image) || !Array.isArray(image.shape)) {
    throw new Error(`${fn}: ${arg} must be rows of pixels or {data, shape}, got ${describe(image)}`);
  }
  const shape = image.shape;
  const ok =
    (shape.length === 2 || (shape.length === 3 && shape[2] === 3) || (shape.length === 3 && shape[2] === 1)) &&
    shape.every((n) => Number.isInteger(n) && n > 0);
  if (!ok) throw new Error(`${fn}: ${arg}.shape must be [height, width] or [height, width, 3], got [${shape.join(", ")}]`);
  const [height, width] = shape;
  const channels: 1 | 3 = shape[2] === 3 ? 3 : 1;
  if (image.data.length !== height * width * channels) {
    throw new Error(`${fn}: ${arg}.data has ${image.data.length} values, shape [${shape.join(", ")}] needs ${height * width * channels}`);
  }
  return { height, width, channels, values: Float64Array.from(image.data) };
}

/** Average blocks of `factor`×`factor` pixels (the last blocks may be smaller). */
function shrink(p: Pixels, factor: number): Pixels {
  if (factor === 1) return p;
  const height = Math.ceil(p.height / factor);
  const width = Math.ceil(p.width / factor);
  const values = new Float64Array(height * width * p.channels);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      for (let k = 0; k < p.channels; k++) {
        let sum = 0;
        let n = 0;
        for (let i = r * factor; i < Math.min(p.height, (r + 1) * factor); i++) {
          for (let j = c * factor; j < Math.min(p.width, (c + 1) * factor); j++) {
            sum += p.values[(i * p.width + j) * p.channels + k];
            n++;
          }
        }
        values[(r * width + c) * p.channels + k] = sum / n;
      }
    }
  }
  return { height, width, channels: p.channels, values };
}

function valueRange(fn: string, p: Pixels, range: ImageOptions["range"]): [number, number] {
  if (Array.isArray(range)) {
    if (range.length !== 2 || !range.every(Number.isFinite) || !(range[0] < range[1])) {
      throw new Error(`${fn}: range must be [black, white] with black < white, got ${describe(range)}`);
    }
    return [range[0], range[1]];
  }
  if (range !== undefined && range !== "auto") throw new Error(`${fn}: range must be "auto" or [black, white], got ${describe(range)}`);
  if (p.channels === 3) return [0, 255];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of p.values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/** A PNG data URI of the pixels, mapped from `range` to 0..255. */
function pngDataUri(p: Pixels, range: [number, number]): string {
  const png = new PNG({ width: p.width, height: p.height });
  const scale = 255 / (range[1] - range[0]);
  for (let i = 0; i < p.width * p.height; i++) {
    for (let k = 0; k < 3; k++) {
      const v = p.values[i * p.channels + (p.channels === 3 ? k : 0)];
      png.data[i * 4 + k] = Math.round(Math.min(255, Math.max(0, (v - range[0]) * scale)));
    }
    png.data[i * 4 + 3] = 255;
  }
  const bytes = PNG.sync.write(png, { colorType: p.channels === 3 ? 2 : 0 });
  return "data:image/png;base64," + bytes.toString("base64");
}

/** The trace drawing one image on subplot `i`, in the image's own pixel coordinates. */
function imageTrace(fn: string, p: Pixels, i: number, options: ImageOptions, name: string, shownSize: number): Trace {
  const refs = axisRefs(i);
  const range = valueRange(fn, p, options.range);
  if (p.channels === 1 && p.height * p.width <= HEATMAP_LIMIT) {
    const z = Array.from({ length: p.height }, (_, r) => Array.from(p.values.subarray(r * p.width, (r + 1) * p.width)));
    return {
      type: "heatmap",
      name,
      z,
      xaxis: refs.x,
      yaxis: refs.y,
      colorscale: GRAY,
      zmin: range[0],
      zmax: range[1],
      showscale: false,
      hovertemplate: "row %{y}, column %{x}: %{z}<extra></extra>",
    };
  }
  const maxSide = options.maxSide ?? shownSize;
  if (!Number.isInteger(maxSide) || maxSide < 8) throw new Error(`${fn}: maxSide must be an integer ≥ 8, got ${describe(maxSide)}`);
  const factor = Math.ceil(Math.max(p.height, p.width) / maxSide);
  const small = shrink(p, factor);
  return {
    type: "image",
    name,
    source: pngDataUri(small, range),
    xaxis: refs.x,
    yaxis: refs.y,
    x0: (factor - 1) / 2,
    y0: (factor - 1) / 2,
    dx: factor,
    dy: factor,
    hoverinfo: "x+y",
  };
}

function imageAxes(layout: Layout, i: number, p: Pixels, xDomain: [number, number], yDomain: [number, number]): void {
  const refs = axisRefs(i);
  const hidden = { showgrid: false, zeroline: false, showticklabels: false, ticks: "", constrain: "domain" };
  layout[refs.xaxis] = { ...hidden, domain: xDomain, range: [-0.5, p.width - 0.5], anchor: refs.y };
  layout[refs.yaxis] = { ...hidden, domain: yDomain, range: [p.height - 0.5, -0.5], anchor: refs.x, scaleanchor: refs.x };
}

function checkSize(fn: string, size: unknown, fallback: number): number {
  if (size === undefined) return fallback;
  if (typeof size !== "number" || !Number.isInteger(size) || size < 16)
    throw new Error(`${fn}: size must be an integer ≥ 16 (pixels), got ${describe(size)}`);
  return size;
}

/** One grayscale or colour image — 05-kernel-gallery. */
export function imageFigure(image: ImageInput, options: ImageOptions = {}): Figure {
  knownOptions("plot.imageFigure", options, ["title", "range", "size", "maxSide"]);
  const p = readable("plot.imageFigure", "image", image, "an image", () => toPixels("plot.imageFigure", "image", image));
  const size = checkSize("plot.imageFigure", options.size, 280);
  const scale = size / Math.max(p.height, p.width);
  const top = options.title !== undefined ? 40 : 8;
  const plotWidth = Math.round(p.width * scale);
  const extra = Math.max(0, titleWidth(options.title) - plotWidth - 16);
  const layout: Layout = {
    width: plotWidth + 16 + extra,
    height: Math.round(p.height * scale) + top + 8,
    margin: { l: 8, r: 8 + extra, t: top, b: 8 },
  };
  if (options.title !== undefined) layout.title = { text: options.title, x: 0.02, xanchor: "left", font: { size: 14 } };
  imageAxes(layout, 0, p, [0, 1], [0, 1]);
  return { data: [imageTrace("plot.imageFigure", p, 0, options, options.title ?? "image", size)], layout };
}

/** Several images in a grid, each with its title (kernel gallery, feature maps, digits) — 05-kernel-gallery. */
export function imageGridFigure(images: { image: ImageInput; title?: string }[], options: ImageGridOptions = {}): Figure {
  const fn = "plot.imageGridFigure";
  const listOk = readable(
    fn,
    "images",
    images,
    "an array of { image, title }",
    () =>
      Array.isArray(images) &&
      images.length > 0 &&
      images.length <= 1000 &&
      images.every((item) => typeof item === "object" && item !== null && "image" in item),
  );
  if (!listOk) throw new Error(`${fn}: images must be a non-empty array of at most 1000 {image, title}, got ${describe(images)}`);
  knownOptions(fn, options, ["title", "columns", "size", "range", "maxSide"]);
  const columns = options.columns ?? Math.min(images.length, 4);
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`${fn}: columns must be a positive integer, got ${describe(columns)}`);
  const size = checkSize(fn, options.size, 150);
  const pixels = images.map((item, i) => {
    if (typeof item !== "object" || item === null || !("image" in item))
      throw new Error(`${fn}: images[${i}] must be {image, title}, got ${describe(item)}`);
    return toPixels(fn, `images[${i}].image`, item.image);
  });
  const rows = Math.ceil(images.length / columns);
  const titleRow = 24;
  const gap = 12;
  const top = options.title !== undefined ? 44 : 8;
  const plotWidth = columns * size + (columns - 1) * gap;
  const plotHeight = rows * (size + titleRow) + (rows - 1) * gap;
  const extra = Math.max(0, titleWidth(options.title) - plotWidth - 16);
  const layout: Layout = {
    width: plotWidth + 16 + extra,
    height: plotHeight + top + 8,
    margin: { l: 8, r: 8 + extra, t: top, b: 8 },
  };
  if (options.title !== undefined) layout.title = { text: options.title, x: 0.02, xanchor: "left", font: { size: 14 } };
  const annotations: Annotation[] = [];
  const data = pixels.map((p, i) => {
    const row = Math.floor(i / columns);
    const col = i % columns;
    const x0 = col * (size + gap);
    const yTop = row * (size + titleRow + gap) + titleRow;
    const xDomain: [number, number] = [x0 / plotWidth, (x0 + size) / plotWidth];
    const yDomain: [number, number] = [1 - (yTop + size) / plotHeight, 1 - yTop / plotHeight];
    imageAxes(layout, i, p, xDomain, yDomain);
    const title = images[i].title ?? "";
    annotations.push({
      text: title,
      x: (xDomain[0] + xDomain[1]) / 2,
      y: yDomain[1],
      xref: "paper",
      yref: "paper",
      xanchor: "center",
      yanchor: "bottom",
      showarrow: false,
      font: { size: 12 },
    });
    return imageTrace(fn, p, i, { ...options, title: undefined }, title || `image ${i + 1}`, size);
  });
  layout.annotations = annotations;
  return { data, layout };
}
