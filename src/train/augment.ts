// Natural transformations of digits (lecture 004): shift and rotate images, to test how a CNN copes,
// and the same moves drawn at random during training (data augmentation).
import { fail, finite, integer, knownOptions } from "../args";
import { examplesArg } from "./args";
import type { Random } from "../random";
import type { Augment, Examples } from "./fit";

/** A move of an image: turned `degrees` anticlockwise about its centre, then `dx` pixels right and `dy` pixels down — 10-when-cnns-fail. */
export interface Move {
  dx?: number;
  dy?: number;
  degrees?: number;
}

/** Bilinear sample of a `height`×`width` image at real coordinates (row, col); outside the image counts as 0. */
function sample(image: Float32Array, height: number, width: number, row: number, col: number): number {
  const r0 = Math.floor(row);
  const c0 = Math.floor(col);
  const fr = row - r0; // how far towards the next row, 0–1
  const fc = col - c0;
  const pixel = (r: number, c: number) => (r >= 0 && r < height && c >= 0 && c < width ? image[r * width + c] : 0);
  return (
    (1 - fr) * (1 - fc) * pixel(r0, c0) +
    (1 - fr) * fc * pixel(r0, c0 + 1) +
    fr * (1 - fc) * pixel(r0 + 1, c0) +
    fr * fc * pixel(r0 + 1, c0 + 1)
  );
}

/** Move one image (`height`×`width`, one channel): each output pixel looks up where it came from — 10-when-cnns-fail. */
export function moveImage(image: Float32Array, height: number, width: number, move: Move): Float32Array {
  const fn = "train.moveImage";
  if (!(image instanceof Float32Array)) fail(fn, "image", "a Float32Array of pixels", image);
  integer(fn, "height", height, { min: 1, max: 10_000 });
  integer(fn, "width", width, { min: 1, max: 10_000 });
  knownOptions(fn, move, ["dx", "dy", "degrees"], { arg: "move", required: true });
  if (image.length !== height * width) {
    throw new Error(`train.moveImage: image has ${image.length} pixels, expected ${height}×${width} = ${height * width}`);
  }
  const { dx = 0, dy = 0, degrees = 0 } = move;
  for (const [name, v] of Object.entries({ dx, dy, degrees })) {
    if (!Number.isFinite(v)) throw new Error(`train.moveImage: ${name} must be a finite number, got ${v}`);
  }
  if (degrees === 0 && Number.isInteger(dx) && Number.isInteger(dy)) return shiftImage(image, height, width, dx, dy);
  const angle = (degrees * Math.PI) / 180;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const cy = (height - 1) / 2;
  const cx = (width - 1) / 2;
  const out = new Float32Array(height * width);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      // Undo the shift, then undo the rotation (rows grow downwards: anticlockwise on screen).
      const y = r - dy - cy;
      const x = c - dx - cx;
      const row = cy + sin * x + cos * y;
      const col = cx + cos * x - sin * y;
      out[r * width + c] = sample(image, height, width, row, col);
    }
  }
  return out;
}

/** A whole-pixel shift is a copy: output pixel (r, c) is input pixel (r − dy, c − dx), 0 where that falls outside. */
function shiftImage(image: Float32Array, height: number, width: number, dx: number, dy: number): Float32Array {
  const out = new Float32Array(height * width);
  for (let r = Math.max(0, dy); r < Math.min(height, height + dy); r++) {
    for (let c = Math.max(0, dx); c < Math.min(width, width + dx); c++) out[r * width + c] = image[(r - dy) * width + (c - dx)];
  }
  return out;
}

function imageSize(fn: string, examples: Examples): [number, number] {
  const [height, width, channels = 1] = examples.shape;
  if (examples.shape.length < 2 || channels !== 1)
    throw new Error(`${fn}: examples must be one-channel images, got shape [${examples.shape.join(", ")}]`);
  return [height, width];
}

/** Every example moved the same way (a test set shifted by 3 pixels, rotated by 20°) — 10-when-cnns-fail. */
export function moveExamples(examples: Examples, move: Move): Examples {
  examplesArg("train.moveExamples", examples);
  knownOptions("train.moveExamples", move, ["dx", "dy", "degrees"], { arg: "move", required: true });
  const [height, width] = imageSize("train.moveExamples", examples);
  const size = height * width;
  const x = new Float32Array(examples.x.length);
  for (let i = 0; i < examples.count; i++) {
    x.set(moveImage(examples.x.subarray(i * size, (i + 1) * size), height, width, move), i * size);
  }
  return { x, y: examples.y, shape: [...examples.shape], count: examples.count };
}

/** Data augmentation for `fit`: each training image shifted by up to `maxShift` pixels and rotated by up to `maxDegrees` — 10-when-cnns-fail. */
export function randomMoves(options: { maxShift?: number; maxDegrees?: number }): Augment {
  knownOptions("train.randomMoves", options, ["maxShift", "maxDegrees"], { required: true });
  if (options.maxShift !== undefined) finite("train.randomMoves", "maxShift", options.maxShift, { min: 0, max: 100 });
  if (options.maxDegrees !== undefined) finite("train.randomMoves", "maxDegrees", options.maxDegrees, { min: 0, max: 360 });
  const maxShift = options.maxShift ?? 0;
  const maxDegrees = options.maxDegrees ?? 0;
  if (!(maxShift >= 0) || !(maxDegrees >= 0)) {
    throw new Error(`train.randomMoves: maxShift and maxDegrees must be ≥ 0, got ${maxShift} and ${maxDegrees}`);
  }
  return (x: Float32Array, shape: number[], count: number, random: Random): void => {
    const [height, width] = shape;
    const size = height * width;
    for (let i = 0; i < count; i++) {
      const move = {
        dx: Math.round(random.uniform(-maxShift, maxShift)),
        dy: Math.round(random.uniform(-maxShift, maxShift)),
        degrees: random.uniform(-maxDegrees, maxDegrees),
      };
      x.set(moveImage(x.subarray(i * size, (i + 1) * size), height, width, move), i * size);
    }
  };
}
