// The kernel gallery (lectures 000, 001, 003, 004): named kernels with their matrices and what they do,
// and applying one to a real photograph with a choice of border and of display scaling.
import ndarray from "ndarray";
import { describe as formatValue, knownOptions, oneOf, readable } from "./args";
import { correlate2d, pad2d } from "./conv";
import { orDefault } from "./geometry";
import { isView, toView } from "./view";
import type { Matrix, View } from "./view";
import { formatNumber, latexMatrix } from "./explain";

/** The names of the gallery's kernels. */
export type KernelName =
  | "identity"
  | "edge4"
  | "edge8"
  | "sharpen"
  | "boxBlur"
  | "gaussian3"
  | "gaussian5"
  | "sobelX"
  | "sobelY"
  | "verticalEdge"
  | "verticalLine"
  | "horizontalLine"
  | "corner"
  | "emboss"
  | "diagonal"
  | "xShape"
  | "antiDiagonal";

/** A kernel of the gallery: its matrix is `integers` divided by `divisor` — 05-kernel-gallery. */
export interface GalleryKernel {
  name: KernelName;
  title: string;
  /** One line: what it does to an image. */
  description: string;
  /** The lectures that show it. */
  lectures: string[];
  /** Whole-number entries, as the slides print them. */
  integers: Matrix;
  /** 1, or the number the slide divides by (9 for the box blur, 16 and 256 for the Gaussians). */
  divisor: number;
  /** The kernel itself: integers / divisor. */
  matrix: Matrix;
  /** The matrix in LaTeX, with its fraction: "\frac{1}{9} \begin{bmatrix} … \end{bmatrix}". */
  latex: string;
}

type Entry = Omit<GalleryKernel, "matrix" | "latex">;

const entries: Entry[] = [
  {
    name: "identity",
    title: "Identity",
    description: "Copies the image unchanged: only the centre pixel counts.",
    lectures: ["001", "004"],
    divisor: 1,
    integers: [
      [0, 0, 0],
      [0, 1, 0],
      [0, 0, 0],
    ],
  },
  {
    name: "edge4",
    title: "Edge detection (4 neighbours)",
    description: "Centre minus its four neighbours: flat regions go to 0, edges and ridges light up.",
    lectures: ["001"],
    divisor: 1,
    integers: [
      [0, -1, 0],
      [-1, 4, -1],
      [0, -1, 0],
    ],
  },
  {
    name: "edge8",
    title: "Outline (8 neighbours)",
    description: "Centre minus all eight neighbours: outlines every edge, whatever its direction.",
    lectures: ["000", "001", "004"],
    divisor: 1,
    integers: [
      [-1, -1, -1],
      [-1, 8, -1],
      [-1, -1, -1],
    ],
  },
  {
    name: "sharpen",
    title: "Sharpen",
    description: "The image plus its 4-neighbour edges: details stand out more.",
    lectures: ["001", "004"],
    divisor: 1,
    integers: [
      [0, -1, 0],
      [-1, 5, -1],
      [0, -1, 0],
    ],
  },
  {
    name: "boxBlur",
    title: "Box blur (normalised)",
    description: "The average of the 3×3 neighbourhood: smooths the image.",
    lectures: ["001", "004"],
    divisor: 9,
    integers: [
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ],
  },
  {
    name: "gaussian3",
    title: "Gaussian blur 3×3",
    description: "A weighted average that trusts the centre most: a softer blur than the box.",
    lectures: ["001"],
    divisor: 16,
    integers: [
      [1, 2, 1],
      [2, 4, 2],
      [1, 2, 1],
    ],
  },
  {
    name: "gaussian5",
    title: "Gaussian blur 5×5",
    description: "The binomial 5×5 approximation of a Gaussian: a wider, smooth blur.",
    lectures: ["001"],
    divisor: 256,
    integers: [
      [1, 4, 6, 4, 1],
      [4, 16, 24, 16, 4],
      [6, 24, 36, 24, 6],
      [4, 16, 24, 16, 4],
      [1, 4, 6, 4, 1],
    ],
  },
  {
    name: "sobelX",
    title: "Sobel x",
    description: "Right minus left, centre row weighted twice: vertical edges (brightness changing along x).",
    lectures: ["001"],
    divisor: 1,
    integers: [
      [-1, 0, 1],
      [-2, 0, 2],
      [-1, 0, 1],
    ],
  },
  {
    name: "sobelY",
    title: "Sobel y",
    description: "Bottom minus top, centre column weighted twice: horizontal edges (brightness changing along y).",
    lectures: ["001"],
    divisor: 1,
    integers: [
      [-1, -2, -1],
      [0, 0, 0],
      [1, 2, 1],
    ],
  },
  {
    name: "verticalEdge",
    title: "Vertical edge (lecture 000's W)",
    description: "Right column minus left column: dark-to-bright steps from left to right.",
    lectures: ["000"],
    divisor: 1,
    integers: [
      [-1, 0, 1],
      [-1, 0, 1],
      [-1, 0, 1],
    ],
  },
  {
    name: "verticalLine",
    title: "Vertical line detector",
    description: "A bright middle column between dark ones: thin vertical lines.",
    lectures: ["001"],
    divisor: 1,
    integers: [
      [-1, 1, -1],
      [-1, 1, -1],
      [-1, 1, -1],
    ],
  },
  {
    name: "horizontalLine",
    title: "Horizontal line detector",
    description: "A bright middle row between dark ones: thin horizontal lines.",
    lectures: ["001"],
    divisor: 1,
    integers: [
      [-1, -1, -1],
      [1, 1, 1],
      [-1, -1, -1],
    ],
  },
  {
    name: "corner",
    title: "Corner detector",
    description: "A bright 2×2 block in the bottom-right, dark above and to the left: top-left corners.",
    lectures: ["001"],
    divisor: 1,
    integers: [
      [-1, -1, -1],
      [-1, 1, 1],
      [-1, 1, 1],
    ],
  },
  {
    name: "emboss",
    title: "Emboss",
    description: "Bottom-right minus top-left on top of the image: a raised, lit-from-one-side look.",
    lectures: [],
    divisor: 1,
    integers: [
      [-2, -1, 0],
      [-1, 1, 1],
      [0, 1, 2],
    ],
  },
  {
    name: "diagonal",
    title: "Diagonal feature (\\)",
    description: "Lecture 003's first feature: +1 on the main diagonal, −1 elsewhere.",
    lectures: ["003"],
    divisor: 1,
    integers: [
      [1, -1, -1],
      [-1, 1, -1],
      [-1, -1, 1],
    ],
  },
  {
    name: "xShape",
    title: "X feature",
    description: "Lecture 003's second feature: +1 on both diagonals, the small X where the strokes cross.",
    lectures: ["003"],
    divisor: 1,
    integers: [
      [1, -1, 1],
      [-1, 1, -1],
      [1, -1, 1],
    ],
  },
  {
    name: "antiDiagonal",
    title: "Anti-diagonal feature (/)",
    description: "Lecture 003's third feature: +1 on the anti-diagonal, −1 elsewhere.",
    lectures: ["003"],
    divisor: 1,
    integers: [
      [-1, -1, 1],
      [-1, 1, -1],
      [1, -1, -1],
    ],
  },
];

function complete(e: Entry): GalleryKernel {
  const matrix = e.integers.map((r) => r.map((v) => v / e.divisor));
  const body = latexMatrix(e.integers, "bmatrix");
  return { ...e, matrix, latex: e.divisor === 1 ? body : `\\frac{1}{${e.divisor}} ${body}` };
}

/** Every kernel of the gallery, in teaching order — 05-kernel-gallery. */
export function kernelGallery(): GalleryKernel[] {
  return entries.map(complete);
}

/** The names of the gallery's kernels — 05-kernel-gallery. */
export function kernelNames(): KernelName[] {
  return entries.map((e) => e.name);
}

/** One kernel of the gallery by name, with its matrix, description and LaTeX — 05-kernel-gallery. */
export function galleryKernel(name: KernelName): GalleryKernel {
  return complete(lookup("kernels.entry", name));
}

function lookup(fn: string, name: unknown): Entry {
  const wanted = oneOf(
    fn,
    "name",
    name,
    entries.map((k) => k.name),
  );
  return entries.find((k) => k.name === wanted) ?? entries[0];
}

/** A gallery kernel's matrix (a fresh copy): `kernel("sobelX")` — 05-kernel-gallery. */
export function kernel(name: KernelName): Matrix {
  return complete(lookup("kernels.get", name)).matrix;
}

// ---------------------------------------------------------------------------------------------
// Applying a kernel to a photograph
// ---------------------------------------------------------------------------------------------

/** What happens at the border: zero padding (same size), copies of the edge pixels (same size), or crop ('valid', smaller). */
export type Border = "zero" | "replicate" | "crop";
/** How results become gray levels 0–255: clip (for blurs, sharpen), normalise min…max (edge maps), or absolute value clipped. */
export type DisplayScale = "clip" | "normalize" | "abs";

/** Options of `applyKernel` — 05-kernel-gallery. */
export interface ApplyKernelOptions {
  /** Default 'zero'. */
  border?: Border;
  /** Default 'clip'. */
  display?: DisplayScale;
}

/** A filtered image: row-major 0–255 values with its shape [h, w] or [h, w, 3], ready to show. */
export interface FilteredImage {
  data: Uint8ClampedArray;
  shape: number[];
  /** Smallest and largest value before scaling to 0–255. */
  range: [number, number];
}

function imageView(fn: string, image: unknown): View {
  if (isView(image)) {
    const dims = image.shape.length;
    if (dims !== 2 && dims !== 3) throw new Error(`${fn}: image must be h×w or h×w×c, got shape ${formatValue(image.shape)}`);
    return toView(fn, "image", image, dims);
  }
  if (typeof image === "object" && image !== null && "data" in image && "shape" in image) {
    const { data, shape } = image;
    if (!Array.isArray(shape) || (shape.length !== 2 && shape.length !== 3) || !shape.every((n) => Number.isInteger(n) && n > 0)) {
      throw new Error(`${fn}: image.shape must be [h, w] or [h, w, c], got ${formatValue(shape)}`);
    }
    const size = shape.reduce((a: number, b: number) => a * b, 1);
    const numbers = arrayLike(data);
    if (numbers === null || numbers.length !== size) {
      throw new Error(`${fn}: image.data must hold ${size} numbers for shape ${shape.join("×")}, got ${formatValue(data)}`);
    }
    const values = new Float64Array(size);
    for (let k = 0; k < size; k++) {
      const v = numbers[k];
      if (typeof v !== "number" || !Number.isFinite(v))
        throw new Error(`${fn}: image.data[${k}] must be a finite number, got ${formatValue(v)}`);
      values[k] = v;
    }
    return ndarray(values, shape);
  }
  const dims = Array.isArray(image) && Array.isArray(image[0]) && Array.isArray(image[0][0]) ? 3 : 2;
  return toView(fn, "image", image, dims);
}

/** An array or typed array of the data, or null. */
function arrayLike(data: unknown): ArrayLike<unknown> | null {
  if (Array.isArray(data)) return data;
  const typed = [Uint8Array, Uint8ClampedArray, Uint16Array, Int16Array, Int32Array, Float32Array, Float64Array];
  for (const T of typed) if (data instanceof T) return data;
  return null;
}

/**
 * Filter a real image with a kernel, each colour channel on its own (an alpha channel is dropped), then scale
 * to 0–255 for display — 05-kernel-gallery.
 */
export function applyKernel(
  image: Matrix | number[][][] | View | { data: ArrayLike<number>; shape: number[] },
  kernelOrName: Matrix | KernelName,
  options: ApplyKernelOptions = {},
): FilteredImage {
  const fn = "kernels.apply";
  knownOptions(fn, options, ["border", "display"]);
  const X = readable(fn, "image", image, "an image (h×w or h×w×c numbers)", () => imageView(fn, image));
  const K = typeof kernelOrName === "string" ? complete(lookup(fn, kernelOrName)).matrix : kernelOrName;
  toView(fn, "kernel", K, 2);
  if (typeof options !== "object" || options === null)
    throw new Error(`${fn}: options must be an object like { border, display }, got ${formatValue(options)}`);
  const border = orDefault(options.border, "zero");
  const display = orDefault(options.display, "clip");
  if (border !== "zero" && border !== "replicate" && border !== "crop")
    throw new Error(`${fn}: border must be 'zero', 'replicate' or 'crop', got ${formatValue(border)}`);
  if (display !== "clip" && display !== "normalize" && display !== "abs")
    throw new Error(`${fn}: display must be 'clip', 'normalize' or 'abs', got ${formatValue(display)}`);
  const channels = X.shape.length === 2 ? 1 : Math.min(X.shape[2], 3);
  const maps: Matrix[] = [];
  for (let c = 0; c < channels; c++) {
    const plane = X.shape.length === 2 ? X : X.pick(null, null, c);
    maps.push(filterPlane(plane, K, border));
  }
  const [h, w] = [maps[0].length, maps[0][0].length];
  const values = new Float64Array(h * w * channels);
  maps.forEach((m, c) => m.forEach((row, i) => row.forEach((v, j) => (values[(i * w + j) * channels + c] = v))));
  let [low, high] = [Infinity, -Infinity];
  for (const v of values) [low, high] = [Math.min(low, v), Math.max(high, v)];
  const data = new Uint8ClampedArray(values.length);
  for (let k = 0; k < values.length; k++) data[k] = scale(values[k], display, low, high);
  return { data, shape: channels === 1 ? [h, w] : [h, w, channels], range: [low, high] };
}

/** One channel through the kernel with the chosen border; correlation, as CNNs compute it. */
function filterPlane(plane: View, K: Matrix, border: Border): Matrix {
  if (border === "zero") return correlate2d(plane, K, { padding: "same" });
  if (border === "crop") return correlate2d(plane, K, { padding: "valid" });
  // Replicate: pad with copies of the nearest edge pixel, by as much as 'same' would, then slide with no padding.
  const [kh, kw] = [K.length, K[0].length];
  const top = Math.floor((kh - 1) / 2);
  const left = Math.floor((kw - 1) / 2);
  const padded = pad2d(plane, { top, bottom: kh - 1 - top, left, right: kw - 1 - left }, "replicate");
  return correlate2d(padded, K, { padding: "valid" });
}

function scale(v: number, display: DisplayScale, low: number, high: number): number {
  if (display === "clip") return Math.round(v);
  if (display === "abs") return Math.round(Math.abs(v));
  return high > low ? Math.round(((v - low) / (high - low)) * 255) : 0;
}

/** A short description line for a kernel: "Sobel x: Right minus left … [-1 0 1; -2 0 2; -1 0 1]" — 05-kernel-gallery. */
export function describeKernel(name: KernelName): string {
  const k = complete(lookup("kernels.describe", name));
  const rows = k.integers.map((r) => r.map((v) => formatNumber(v)).join(" ")).join("; ");
  return `${k.title}: ${k.description} ${k.divisor === 1 ? "" : `1/${k.divisor} × `}[${rows}]`;
}
