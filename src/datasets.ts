// Loaders for datasets/: real MNIST digits, real photographs, and the lectures' toy data.
// A missing, truncated or corrupt file gives an error naming the file and what is wrong.
import { describe as formatValue, fail, isRecord, knownOptions, readable } from "./args";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { PNG, PNGWithMetadata } from "pngjs";

/** The folder of committed data: `datasets/` at the package root. */
export const DATASETS_DIR = path.resolve(__dirname, "..", "datasets");

/** Where to read from (tests point this at a temporary copy). */
export interface DatasetOptions {
  dir?: string;
}

/** A picture as a flat row-major array with its shape [height, width] or [height, width, 3] — 05-kernel-gallery. */
export interface ImageArray {
  data: Uint8Array;
  shape: [number, number] | [number, number, 3];
}

/** Digits and their labels: image i is `images[i*784 .. (i+1)*784)`, 28×28 bytes 0–255 — 09-training-lenet-mnist. */
export interface MnistData {
  images: Uint8Array;
  labels: Uint8Array;
  /** [count, 28, 28]. */
  shape: [number, number, number];
}

/** The two parts of the course's MNIST: 8,000 digits to train on, 2,000 to test — 09-training-lenet-mnist. */
export type MnistSplit = "train" | "test";

const IMAGE_MAGIC = 0x00000803;
const LABEL_MAGIC = 0x00000801;
const SIDE = 28;

function shortName(dir: string, file: string): string {
  const full = path.join(dir, file);
  return dir === DATASETS_DIR ? `datasets/${file}` : full;
}

function readFile(fn: string, dir: string, file: string): Buffer {
  const full = path.join(dir, file);
  if (!fs.existsSync(full)) {
    throw new Error(`${fn}: ${shortName(dir, file)} is missing (it is committed with the course; scripts/build-datasets.js rebuilds it)`);
  }
  return fs.readFileSync(full);
}

function gunzip(fn: string, dir: string, file: string): Buffer {
  const bytes = readFile(fn, dir, file);
  try {
    return zlib.gunzipSync(bytes);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(
      `${fn}: ${shortName(dir, file)} is not a valid gzip file (${why}; ${bytes.length.toLocaleString("en-US")} bytes on disk)`,
      { cause: e },
    );
  }
}

function header(fn: string, name: string, bytes: Buffer, magic: number, words: number): number[] {
  if (bytes.length < 4 * words) {
    throw new Error(`${fn}: ${name} is truncated: expected a ${4 * words}-byte IDX header, found ${bytes.length} bytes`);
  }
  const found = bytes.readUInt32BE(0);
  if (found !== magic) {
    const hex = (n: number) => "0x" + n.toString(16).padStart(8, "0");
    throw new Error(
      `${fn}: ${name} is not an IDX ${magic === IMAGE_MAGIC ? "image" : "label"} file (magic number ${hex(found)}, expected ${hex(magic)})`,
    );
  }
  return Array.from({ length: words - 1 }, (_, k) => bytes.readUInt32BE(4 * (k + 1)));
}

/** The options of a loader: only known keys; dir a folder path. */
function datasetOptions(fn: string, options: unknown, keys: readonly string[]): void {
  knownOptions(fn, options, keys);
  if (typeof options === "object" && options !== null && "dir" in options && options.dir !== undefined && typeof options.dir !== "string") {
    fail(fn, "options.dir", "a folder path", options.dir);
  }
}

/** Load the course's MNIST digits (`limit`: only the first n; the files are shuffled) — 09-training-lenet-mnist. */
export function loadMnist(split: MnistSplit = "train", options: DatasetOptions & { limit?: number } = {}): MnistData {
  const fn = "data.loadMnist";
  datasetOptions(fn, options, ["dir", "limit"]);
  if (split !== "train" && split !== "test") throw new Error(`${fn}: split must be "train" or "test", got ${formatValue(split)}`);
  const dir = options.dir ?? DATASETS_DIR;
  const imageFile = `mnist/${split}-images-idx3-ubyte.gz`;
  const labelFile = `mnist/${split}-labels-idx1-ubyte.gz`;
  const imageBytes = gunzip(fn, dir, imageFile);
  const [count, rows, cols] = header(fn, shortName(dir, imageFile), imageBytes, IMAGE_MAGIC, 4);
  if (rows !== SIDE || cols !== SIDE) throw new Error(`${fn}: ${shortName(dir, imageFile)} holds ${rows}×${cols} images, expected 28×28`);
  const pixels = imageBytes.length - 16;
  if (pixels !== count * SIDE * SIDE) {
    throw new Error(
      `${fn}: ${shortName(dir, imageFile)}: expected ${(count * SIDE * SIDE).toLocaleString("en-US")} pixel bytes, found ${pixels.toLocaleString("en-US")}`,
    );
  }
  const labelBytes = gunzip(fn, dir, labelFile);
  const [labelCount] = header(fn, shortName(dir, labelFile), labelBytes, LABEL_MAGIC, 2);
  if (labelCount !== count || labelBytes.length - 8 !== count) {
    throw new Error(
      `${fn}: ${shortName(dir, labelFile)}: expected ${count.toLocaleString("en-US")} labels (one per image), found ${(labelBytes.length - 8).toLocaleString("en-US")}`,
    );
  }
  const limit = options.limit ?? count;
  if (!Number.isInteger(limit) || limit < 1 || limit > count) {
    throw new Error(`${fn}: limit must be an integer from 1 to ${count} (the ${split} digits), got ${limit}`);
  }
  const images = new Uint8Array(imageBytes.subarray(16, 16 + limit * SIDE * SIDE));
  const labels = new Uint8Array(labelBytes.subarray(8, 8 + limit));
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new Error(`${fn}: ${shortName(dir, labelFile)}: label ${labels[bad]} at index ${bad} is not a digit 0–9`);
  return { images, labels, shape: [limit, SIDE, SIDE] };
}

/**
 * Check that `data` is what data.loadMnist returns (images and labels that agree with its shape), for public
 * function `fn`; an error names `fn` and says what is wrong.
 */
export function checkMnistData(fn: string, data: MnistData): void {
  const isMnist = readable(
    fn,
    "data",
    data,
    "digits from data.loadMnist",
    () =>
      typeof data === "object" &&
      data !== null &&
      data.images instanceof Uint8Array &&
      data.labels instanceof Uint8Array &&
      Array.isArray(data.shape) &&
      data.shape.length === 3,
  );
  if (!isMnist) fail(fn, "data", "digits from data.loadMnist", data);
  const [count, rows, cols] = data.shape;
  if (data.images.length !== count * rows * cols || data.labels.length !== count) {
    throw new Error(
      `${fn}: data holds ${data.images.length} pixels and ${data.labels.length} labels, expected ${count * rows * cols} and ${count}`,
    );
  }
}

/** Digit `index` of loaded MNIST data as its 28 rows of 28 numbers 0–255 — 09-training-lenet-mnist. */
export function mnistDigit(data: MnistData, index: number): number[][] {
  checkMnistData("data.mnistDigit", data);
  if (!Number.isInteger(index) || index < 0 || index >= data.shape[0]) {
    throw new Error(`data.mnistDigit: index must be an integer from 0 to ${data.shape[0] - 1}, got ${index}`);
  }
  const [, rows, cols] = data.shape;
  const start = index * rows * cols;
  return Array.from({ length: rows }, (_, r) => Array.from(data.images.subarray(start + r * cols, start + (r + 1) * cols)));
}

/** The photographs in datasets/photos/: a mandrill (colour), a cameraman (gray, strong edges), a cat (colour) — 05-kernel-gallery. */
export type PhotoName = "mandrill" | "camera" | "chelsea";

const PHOTOS: readonly PhotoName[] = ["mandrill", "camera", "chelsea"];

/** Load a photograph; `gray: true` gives one channel (0.299 R + 0.587 G + 0.114 B) — 05-kernel-gallery. */
export function loadPhoto(name: PhotoName, options: DatasetOptions & { gray?: boolean } = {}): ImageArray {
  const fn = "data.loadPhoto";
  datasetOptions(fn, options, ["dir", "gray"]);
  if (!PHOTOS.includes(name)) throw new Error(`${fn}: name must be one of ${PHOTOS.join(", ")}, got ${formatValue(name)}`);
  const dir = options.dir ?? DATASETS_DIR;
  const file = `photos/${name}.png`;
  const bytes = readFile(fn, dir, file);
  let png: PNGWithMetadata;
  try {
    png = PNG.sync.read(bytes);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`${fn}: ${shortName(dir, file)} is not a valid PNG (${why}; ${bytes.length.toLocaleString("en-US")} bytes on disk)`, {
      cause: e,
    });
  }
  const { width, height } = png;
  const isColour = png.color;
  const gray = options.gray ?? !isColour;
  const channels = gray ? 1 : 3;
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < width * height; i++) {
    const r = png.data[4 * i];
    const g = png.data[4 * i + 1];
    const b = png.data[4 * i + 2];
    if (gray) data[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    else data.set([r, g, b], 3 * i);
  }
  return { data, shape: gray ? [height, width] : [height, width, 3] };
}

/** A one-channel image as rows of numbers, the form the by-hand convolution takes — 05-kernel-gallery. */
export function imageToMatrix(image: ImageArray): number[][] {
  const isImage = readable(
    "data.imageToMatrix",
    "image",
    image,
    "an image from data.loadPhoto",
    () =>
      typeof image === "object" &&
      image !== null &&
      Array.isArray(image.shape) &&
      image.shape.every((n) => Number.isInteger(n) && n > 0) &&
      ArrayBuffer.isView(image.data),
  );
  if (!isImage) fail("data.imageToMatrix", "image", "an image from data.loadPhoto ({ data, shape })", image);
  if (image.shape.length !== 2) {
    throw new Error(
      `data.imageToMatrix: image must have one channel (shape [height, width]), got shape [${image.shape.join(", ")}]; load it with { gray: true }`,
    );
  }
  const [height, width] = image.shape;
  if (image.data.length !== height * width) {
    throw new Error(`data.imageToMatrix: image.data has ${image.data.length} values, shape [${height}, ${width}] needs ${height * width}`);
  }
  return Array.from({ length: height }, (_, r) => Array.from(image.data.subarray(r * width, (r + 1) * width)));
}

// ---- the lectures' toy data (datasets/toy/*.json) ----

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function readJson(fn: string, dir: string, file: string): Record<string, unknown> {
  const text = readFile(fn, dir, file).toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`${fn}: ${shortName(dir, file)} is not valid JSON (${why})`, { cause: e });
  }
  if (!isRecord(value)) throw new Error(`${fn}: ${shortName(dir, file)} must hold a JSON object`);
  return value;
}

function isNumbers(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === "number");
}

function isMatrix(v: unknown): v is number[][] {
  if (!Array.isArray(v) || v.length === 0 || !isNumbers(v[0]) || v[0].length === 0) return false;
  const cols = v[0].length;
  return v.every((row) => isNumbers(row) && row.length === cols);
}

function matrixField(fn: string, name: string, obj: Record<string, unknown>, key: string): number[][] {
  const v = obj[key];
  if (!isMatrix(v)) throw new Error(`${fn}: ${name}: "${key}" must be a rectangular matrix of numbers`);
  return v.map((row) => row.slice());
}

/** The 9×9 X and O of lecture 003 (+1 ink, -1 background) and its three 3×3 features — 07-pooling-relu-x-vs-o. */
export interface XAndO {
  x: number[][];
  o: number[][];
  features: { diagonal: number[][]; x: number[][]; antiDiagonal: number[][] };
  /** The 7×7 map of the diagonal feature as the slide prints it (7/9 and 5/9 truncated). */
  slideDiagonalMap: number[][];
  /** That map after 2×2 max pooling with stride 2, as on the slide. */
  slidePooledDiagonalMap: number[][];
}

/** Load the X and O images and features of lecture 003 — 07-pooling-relu-x-vs-o. */
export function loadXAndO(options: DatasetOptions = {}): XAndO {
  const fn = "data.loadXAndO";
  datasetOptions(fn, options, ["dir"]);
  const dir = options.dir ?? DATASETS_DIR;
  const file = "toy/x-and-o.json";
  const name = shortName(dir, file);
  const obj = readJson(fn, dir, file);
  const features = obj.features;
  if (!isRecord(features)) throw new Error(`${fn}: ${name}: "features" must be an object`);
  const result: XAndO = {
    x: matrixField(fn, name, obj, "x"),
    o: matrixField(fn, name, obj, "o"),
    features: {
      diagonal: matrixField(fn, name, features, "diagonal"),
      x: matrixField(fn, name, features, "x"),
      antiDiagonal: matrixField(fn, name, features, "antiDiagonal"),
    },
    slideDiagonalMap: matrixField(fn, name, obj, "slideDiagonalMap"),
    slidePooledDiagonalMap: matrixField(fn, name, obj, "slidePooledDiagonalMap"),
  };
  for (const key of ["x", "o"] as const) {
    if (result[key].length !== 9 || result[key][0].length !== 9) throw new Error(`${fn}: ${name}: "${key}" must be 9×9`);
  }
  return result;
}

/** The XOR table of lecture 002 and the exact hand solution f(x) = wᵀ max(0, Wᵀx + c) + b — 02-ffnn-xor. */
export interface XorTable {
  inputs: number[][];
  targets: number[];
  handSolution: { W: number[][]; c: number[]; w: number[]; b: number };
}

function vectorField(fn: string, name: string, obj: Record<string, unknown>, key: string): number[] {
  const v = obj[key];
  if (!isNumbers(v)) throw new Error(`${fn}: ${name}: "${key}" must be an array of numbers`);
  return v.slice();
}

/** Load the XOR truth table and its hand solution — 02-ffnn-xor. */
export function loadXor(options: DatasetOptions = {}): XorTable {
  const fn = "data.loadXor";
  const dir = options.dir ?? DATASETS_DIR;
  const file = "toy/xor.json";
  const name = shortName(dir, file);
  const obj = readJson(fn, dir, file);
  const hand = obj.handSolution;
  if (!isRecord(hand) || typeof hand.b !== "number") throw new Error(`${fn}: ${name}: "handSolution" must be {W, c, w, b}`);
  const table: XorTable = {
    inputs: matrixField(fn, name, obj, "inputs"),
    targets: vectorField(fn, name, obj, "targets"),
    handSolution: {
      W: matrixField(fn, name, hand, "W"),
      c: vectorField(fn, name, hand, "c"),
      w: vectorField(fn, name, hand, "w"),
      b: hand.b,
    },
  };
  if (table.inputs.length !== 4 || table.targets.length !== 4) throw new Error(`${fn}: ${name}: expected 4 inputs and 4 targets`);
  return table;
}

/** One worked example of the lectures (datasets/toy/worked-examples.json): its lecture, a title, and the slide's matrices and numbers by name — 04-convolution-by-hand. */
export interface WorkedExample {
  lecture: string;
  title: string;
  /** Everything else as in the JSON file: input, kernel, stride, padding, output, cellSums, ... */
  fields: Record<string, Json>;
}

function isJson(v: unknown): v is Json {
  if (v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "string") return true;
  if (Array.isArray(v)) return v.every(isJson);
  return isRecord(v) && Object.values(v).every(isJson);
}

/** Load the lectures' worked examples (numbered as in datasets/toy/worked-examples.json: "1" ... "17") — 04-convolution-by-hand. */
export function loadWorkedExamples(options: DatasetOptions = {}): Record<string, WorkedExample> {
  const fn = "data.loadWorkedExamples";
  datasetOptions(fn, options, ["dir"]);
  const dir = options.dir ?? DATASETS_DIR;
  const file = "toy/worked-examples.json";
  const name = shortName(dir, file);
  const examples = readJson(fn, dir, file).examples;
  if (!isRecord(examples)) throw new Error(`${fn}: ${name}: "examples" must be an object`);
  const out: Record<string, WorkedExample> = {};
  for (const [id, ex] of Object.entries(examples)) {
    if (!isRecord(ex) || typeof ex.lecture !== "string" || typeof ex.title !== "string") {
      throw new Error(`${fn}: ${name}: example "${id}" must have a lecture and a title`);
    }
    const fields: Record<string, Json> = {};
    for (const [key, value] of Object.entries(ex)) {
      if (key === "lecture" || key === "title") continue;
      if (!isJson(value)) throw new Error(`${fn}: ${name}: example "${id}" field "${key}" is not plain JSON`);
      fields[key] = value;
    }
    out[id] = { lecture: ex.lecture, title: ex.title, fields };
  }
  return out;
}

/** A matrix field of a worked example, e.g. `exampleMatrix(examples["1"], "kernel")` — 04-convolution-by-hand. */
export function exampleMatrix(example: WorkedExample, key: string): number[][] {
  const isExample = readable(
    "data.exampleMatrix",
    "example",
    example,
    "a worked example",
    () =>
      typeof example === "object" &&
      example !== null &&
      typeof example.title === "string" &&
      typeof example.fields === "object" &&
      example.fields !== null,
  );
  if (!isExample) fail("data.exampleMatrix", "example", "a worked example from data.loadWorkedExamples", example);
  if (typeof key !== "string") fail("data.exampleMatrix", "key", "the name of a matrix of the example", key);
  return matrixField("data.exampleMatrix", `example "${example.title}"`, example.fields, key);
}
