// Argument checks shared by dl.train and dl.attacks (on top of src/args.ts): a TensorFlow.js model, labelled
// examples, one image with its shape, a folder path.
import { fail, integer, readable } from "../args";
import { tf } from "../tf";
import type { Examples } from "./fit";

/** A TensorFlow.js layers model (models.toTfModel, train.loadModel). */
export function modelArg(fn: string, model: unknown): tf.LayersModel {
  if (!(model instanceof tf.LayersModel)) return fail(fn, "model", "a TensorFlow.js model (models.toTfModel or train.loadModel)", model);
  return model;
}

/** Labelled examples { x, y, shape, count } whose sizes agree (train.mnistExamples). */
export function examplesArg(fn: string, examples: unknown, arg = "examples"): Examples {
  const ok = readable(fn, arg, examples, "labelled examples { x, y, shape, count }", () => {
    if (
      typeof examples !== "object" ||
      examples === null ||
      !("x" in examples && "y" in examples && "shape" in examples && "count" in examples)
    )
      return false;
    const { x, y, shape, count } = examples;
    if (!(x instanceof Float32Array) || !(y instanceof Uint8Array) || !Array.isArray(shape) || !Number.isInteger(count)) return false;
    if (shape.length < 1 || shape.length > 4 || !shape.every((n) => Number.isInteger(n) && n > 0)) return false;
    const size = shape.reduce((a: number, b: number) => a * b, 1);
    return typeof count === "number" && count > 0 && x.length === count * size && y.length === count;
  });
  if (!ok || !isExamples(examples))
    return fail(
      fn,
      arg,
      "labelled examples { x: Float32Array, y: Uint8Array, shape, count } of matching sizes (train.mnistExamples)",
      examples,
    );
  return examples;
}

function isExamples(x: unknown): x is Examples {
  return typeof x === "object" && x !== null && "x" in x && x.x instanceof Float32Array && "y" in x && x.y instanceof Uint8Array;
}

/** One image: numbers of the given shape ([h, w] or [h, w, c]). */
export function imageArg(fn: string, image: unknown, shape: unknown): { image: Float32Array; shape: number[] } {
  const shapeOk = readable(
    fn,
    "shape",
    shape,
    "a shape",
    () => Array.isArray(shape) && shape.length >= 2 && shape.length <= 3 && shape.every((n) => Number.isInteger(n) && n > 0 && n <= 10_000),
  );
  if (!shapeOk || !Array.isArray(shape)) return fail(fn, "shape", "[height, width] or [height, width, channels]", shape);
  if (!(image instanceof Float32Array)) return fail(fn, "image", "a Float32Array of pixels", image);
  const size = shape.reduce((a: number, b: number) => a * b, 1);
  if (image.length !== size) return fail(fn, "image", `${size} numbers (shape ${shape.join("×")})`, image);
  for (let i = 0; i < image.length; i++) if (!Number.isFinite(image[i])) fail(fn, `image[${i}]`, "a finite number", image[i]);
  return { image, shape: shape.map((n) => integer(fn, "shape", n, { min: 1, max: 10_000 })) };
}

/** A folder path (a non-empty string). */
export function dirArg(fn: string, dir: unknown, arg = "dir"): string {
  if (typeof dir !== "string" || dir.trim() === "") return fail(fn, arg, "a folder path (a non-empty string)", dir);
  return dir;
}
