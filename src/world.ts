// CNNs in the world (lectures 000, 003, 004): boxes and their overlap (object localisation), digits placed on
// a larger canvas, a fixed permutation of the pixels (lecture 003's swap-columns rule), and a spurious cue
// (dataset bias).
import { fail, finite, integer, positiveInteger } from "./args";
import { seededRandom } from "./random";
import type { Examples } from "./train/fit";
import { examplesOf, readArgs } from "./guard";

/** A box: top-left corner (x, y), width and height — 14-cnns-in-the-world. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function box(fn: string, arg: string, b: unknown): Box {
  return readArgs(fn, () => {
    if (typeof b !== "object" || b === null) fail(fn, arg, "a box {x, y, w, h}", b);
    const { x, y, w, h } = b as Box;
    return {
      x: finite(fn, `${arg}.x`, x),
      y: finite(fn, `${arg}.y`, y),
      w: finite(fn, `${arg}.w`, w, { min: 0 }),
      h: finite(fn, `${arg}.h`, h, { min: 0 }),
    };
  });
}

/** Intersection over union of two boxes: overlap area / (area a + area b − overlap), 0 when they do not meet — 14-cnns-in-the-world. */
export function iou(a: Box, b: Box): number {
  const A = box("world.iou", "a", a);
  const B = box("world.iou", "b", b);
  const w = Math.max(0, Math.min(A.x + A.w, B.x + B.w) - Math.max(A.x, B.x));
  const h = Math.max(0, Math.min(A.y + A.h, B.y + B.h) - Math.max(A.y, B.y));
  const inter = w * h;
  const union = A.w * A.h + B.w * B.h - inter;
  return union === 0 ? 0 : inter / union;
}

/** Images placed at random positions on a blank size × size canvas, with their boxes (in pixels) — 14-cnns-in-the-world. */
export function placeOnCanvas(examples: Examples, size: number, seed = 0): { canvases: Examples; boxes: Box[] } {
  const fn = "world.placeOnCanvas";
  const e = readArgs(fn, () => examplesOf(fn, "examples", examples));
  if (e.shape.length !== 3 || e.shape[2] !== 1) fail(fn, "examples", "images of shape [rows, cols, 1]", e.shape);
  const [rows, cols] = e.shape;
  positiveInteger(fn, "size", size, 1000);
  if (size < Math.max(rows, cols)) fail(fn, "size", `at least the image size ${Math.max(rows, cols)}`, size);
  integer(fn, "seed", seed, { min: -1e9, max: 1e9 });
  const random = seededRandom(seed);
  const x = new Float32Array(e.count * size * size);
  const boxes: Box[] = [];
  for (let n = 0; n < e.count; n++) {
    const top = random.int(size - rows + 1);
    const left = random.int(size - cols + 1);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) x[n * size * size + (top + i) * size + left + j] = e.x[n * rows * cols + i * cols + j];
    boxes.push({ x: left, y: top, w: cols, h: rows });
  }
  return { canvases: { x, y: e.y, shape: [size, size, 1], count: e.count }, boxes };
}

/** A fixed random order of 0 … n − 1 (seeded) — 14-cnns-in-the-world. */
export function permutation(n: number, seed = 0): number[] {
  positiveInteger("world.permutation", "n", n, 10_000_000);
  integer("world.permutation", "seed", seed, { min: -1e9, max: 1e9 });
  const random = seededRandom(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Every example's numbers reordered by one fixed permutation: new[i] = old[order[i]] — 14-cnns-in-the-world. */
export function permuteExamples(examples: Examples, order: number[]): Examples {
  const fn = "world.permuteExamples";
  const e = readArgs(fn, () => examplesOf(fn, "examples", examples));
  const size = e.x.length / e.count;
  if (
    !Array.isArray(order) ||
    order.length !== size ||
    new Set(order).size !== size ||
    !order.every((v) => Number.isInteger(v) && v >= 0 && v < size)
  ) {
    fail(fn, "order", `a permutation of 0 … ${size - 1}`, order);
  }
  const x = new Float32Array(e.x.length);
  for (let n = 0; n < e.count; n++) for (let i = 0; i < size; i++) x[n * size + i] = e.x[n * size + order[i]];
  return { x, y: e.y, shape: e.shape, count: e.count };
}

/** A spurious cue: a 2×2 square of `value` in rows 0–1, columns 2·label … 2·label + 1 of each [rows, cols ≥ 20, 1] image — it tells the label, and means nothing — 14-cnns-in-the-world. */
export function addLabelCue(examples: Examples, value = 1): Examples {
  const fn = "world.addLabelCue";
  const e = readArgs(fn, () => examplesOf(fn, "examples", examples));
  if (e.shape.length !== 3 || e.shape[0] < 2 || e.shape[1] < 20 || e.shape[2] !== 1)
    fail(fn, "examples", "images [rows ≥ 2, cols ≥ 20, 1]", e.shape);
  finite(fn, "value", value);
  const cols = e.shape[1];
  const size = e.x.length / e.count;
  const x = e.x.slice();
  for (let n = 0; n < e.count; n++) {
    const label = e.y[n] % 10;
    for (let r = 0; r < 2; r++) for (let c = 2 * label; c < 2 * label + 2; c++) x[n * size + r * cols + c] = value;
  }
  return { x, y: e.y, shape: e.shape, count: e.count };
}
