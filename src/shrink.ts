// Smaller images for quick experiments (notebook 12): average each f×f block of pixels, so a 28×28 digit
// becomes 14×14 (f = 2) — a quarter of the inputs, the same digit to the eye.
import type { Examples } from "./train/fit";
import { examplesOf, readArgs } from "./guard";
import { describe } from "./args";

/** Every image of [rows, cols, 1] examples shrunk by averaging f×f blocks (rows and cols divisible by f) — 12-generalisation-and-hyperparameters. */
export function shrinkExamples(examples: Examples, f: number): Examples {
  const fn = "train.shrink";
  examples = readArgs(fn, () => examplesOf(fn, "examples", examples));
  if (!examples || !Array.isArray(examples.shape) || examples.shape.length !== 3 || examples.shape[2] !== 1) {
    throw new Error(
      `${fn}: examples must be images of shape [rows, cols, 1], got shape ${examples ? JSON.stringify(examples.shape) : String(examples)}`,
    );
  }
  const [rows, cols] = examples.shape;
  if (!Number.isInteger(f) || f < 1 || rows % f !== 0 || cols % f !== 0)
    throw new Error(`${fn}: f must be a positive integer dividing ${rows} and ${cols}, got ${describe(f)}`);
  if (examples.x.length !== examples.count * rows * cols)
    throw new Error(`${fn}: examples hold ${examples.x.length} numbers, expected ${examples.count * rows * cols}`);
  const r = rows / f;
  const c = cols / f;
  const x = new Float32Array(examples.count * r * c);
  for (let n = 0; n < examples.count; n++) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        x[n * r * c + Math.floor(i / f) * c + Math.floor(j / f)] += examples.x[n * rows * cols + i * cols + j] / (f * f);
      }
    }
  }
  return { x, y: Uint8Array.from(examples.y), shape: [r, c, 1], count: examples.count };
}
