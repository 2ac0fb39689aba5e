// The kernel gallery: every matrix as the lectures print it, and applying kernels to real images.
import { describe, expect, it } from "vitest";
import ndarray from "ndarray";
import baboon from "baboon-image";
import { correlate2d } from "../src/conv";
import { applyKernel, describeKernel, galleryKernel, kernel, kernelGallery, kernelNames } from "../src/kernels";
import type { KernelName } from "../src/kernels";

// Written out from the slides (lectures 000, 001, 003, 004) and the usual definitions (Sobel y, Gaussian 5×5, emboss).
const expected: Record<KernelName, { integers: number[][]; divisor: number }> = {
  identity: {
    integers: [
      [0, 0, 0],
      [0, 1, 0],
      [0, 0, 0],
    ],
    divisor: 1,
  },
  edge4: {
    integers: [
      [0, -1, 0],
      [-1, 4, -1],
      [0, -1, 0],
    ],
    divisor: 1,
  },
  edge8: {
    integers: [
      [-1, -1, -1],
      [-1, 8, -1],
      [-1, -1, -1],
    ],
    divisor: 1,
  },
  sharpen: {
    integers: [
      [0, -1, 0],
      [-1, 5, -1],
      [0, -1, 0],
    ],
    divisor: 1,
  },
  boxBlur: {
    integers: [
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ],
    divisor: 9,
  },
  gaussian3: {
    integers: [
      [1, 2, 1],
      [2, 4, 2],
      [1, 2, 1],
    ],
    divisor: 16,
  },
  gaussian5: {
    integers: [
      [1, 4, 6, 4, 1],
      [4, 16, 24, 16, 4],
      [6, 24, 36, 24, 6],
      [4, 16, 24, 16, 4],
      [1, 4, 6, 4, 1],
    ],
    divisor: 256,
  },
  sobelX: {
    integers: [
      [-1, 0, 1],
      [-2, 0, 2],
      [-1, 0, 1],
    ],
    divisor: 1,
  },
  sobelY: {
    integers: [
      [-1, -2, -1],
      [0, 0, 0],
      [1, 2, 1],
    ],
    divisor: 1,
  },
  verticalEdge: {
    integers: [
      [-1, 0, 1],
      [-1, 0, 1],
      [-1, 0, 1],
    ],
    divisor: 1,
  },
  verticalLine: {
    integers: [
      [-1, 1, -1],
      [-1, 1, -1],
      [-1, 1, -1],
    ],
    divisor: 1,
  },
  horizontalLine: {
    integers: [
      [-1, -1, -1],
      [1, 1, 1],
      [-1, -1, -1],
    ],
    divisor: 1,
  },
  corner: {
    integers: [
      [-1, -1, -1],
      [-1, 1, 1],
      [-1, 1, 1],
    ],
    divisor: 1,
  },
  emboss: {
    integers: [
      [-2, -1, 0],
      [-1, 1, 1],
      [0, 1, 2],
    ],
    divisor: 1,
  },
  diagonal: {
    integers: [
      [1, -1, -1],
      [-1, 1, -1],
      [-1, -1, 1],
    ],
    divisor: 1,
  },
  xShape: {
    integers: [
      [1, -1, 1],
      [-1, 1, -1],
      [1, -1, 1],
    ],
    divisor: 1,
  },
  antiDiagonal: {
    integers: [
      [-1, -1, 1],
      [-1, 1, -1],
      [1, -1, -1],
    ],
    divisor: 1,
  },
};

describe("the gallery", () => {
  it("has every kernel the issue asks for, each with a title and a one-line description", () => {
    expect(kernelNames().sort()).toEqual(Object.keys(expected).sort());
    for (const k of kernelGallery()) {
      expect(k.title.length).toBeGreaterThan(3);
      expect(k.description.length).toBeGreaterThan(10);
      expect(k.description.includes("\n")).toBe(false);
    }
  });

  for (const name of kernelNames()) {
    it(`${name}: the matrix is the slide's integers divided by ${expected[name].divisor}`, () => {
      const k = galleryKernel(name);
      expect(k.integers).toEqual(expected[name].integers);
      expect(k.divisor).toBe(expected[name].divisor);
      expect(kernel(name)).toEqual(expected[name].integers.map((r) => r.map((v) => v / expected[name].divisor)));
    });
  }

  it("blurs sum to 1 (they keep the brightness), edge detectors to 0 (flat regions go black), sharpen and identity to 1", () => {
    const total = (name: KernelName): number =>
      kernel(name)
        .flat()
        .reduce((a, b) => a + b, 0);
    for (const name of ["boxBlur", "gaussian3", "gaussian5", "identity", "sharpen", "emboss"] as const)
      expect(total(name)).toBeCloseTo(1, 12);
    for (const name of ["edge4", "edge8", "sobelX", "sobelY", "verticalEdge"] as const) expect(total(name)).toBe(0);
  });

  it("writes LaTeX with the fraction, and a description line", () => {
    expect(galleryKernel("boxBlur").latex).toBe("\\frac{1}{9} \\begin{bmatrix} 1 & 1 & 1 \\\\ 1 & 1 & 1 \\\\ 1 & 1 & 1 \\end{bmatrix}");
    expect(galleryKernel("sobelX").latex).toBe("\\begin{bmatrix} -1 & 0 & 1 \\\\ -2 & 0 & 2 \\\\ -1 & 0 & 1 \\end{bmatrix}");
    expect(describeKernel("gaussian3")).toContain("1/16 × [1 2 1; 2 4 2; 1 2 1]");
  });

  it("returns fresh copies: changing one does not change the gallery", () => {
    const k = kernel("identity");
    k[1][1] = 99;
    expect(kernel("identity")[1][1]).toBe(1);
  });
});

describe("applying a kernel to an image", () => {
  const img = [
    [10, 20, 30, 40],
    [50, 60, 70, 80],
    [90, 100, 110, 120],
    [130, 140, 150, 160],
  ];

  it("identity gives the image back with every border", () => {
    for (const border of ["zero", "replicate"] as const) {
      const out = applyKernel(img, "identity", { border });
      expect(out.shape).toEqual([4, 4]);
      expect(Array.from(out.data)).toEqual(img.flat());
    }
    const cropped = applyKernel(img, "identity", { border: "crop" });
    expect(cropped.shape).toEqual([2, 2]);
    expect(Array.from(cropped.data)).toEqual([60, 70, 100, 110]);
  });

  it("zero padding darkens the border of a blur, replicate does not", () => {
    const flat = Array.from({ length: 5 }, () => new Array<number>(5).fill(90));
    const zero = applyKernel(flat, "boxBlur", { border: "zero" });
    const replicate = applyKernel(flat, "boxBlur", { border: "replicate" });
    expect(zero.data[0]).toBe(40); // 4 of 9 pixels: 360/9
    expect(zero.data[12]).toBe(90);
    expect(Array.from(replicate.data)).toEqual(new Array<number>(25).fill(90));
  });

  it("clip keeps 0–255, normalize stretches min…max, abs folds negatives", () => {
    const out = applyKernel(img, "edge8", { display: "clip" });
    const raw = correlate2d(img, kernel("edge8"), { padding: "same" }).flat();
    expect(out.range).toEqual([Math.min(...raw), Math.max(...raw)]);
    expect(Array.from(out.data)).toEqual(raw.map((v) => Math.min(255, Math.max(0, Math.round(v)))));
    const n = applyKernel(img, "edge8", { display: "normalize" });
    expect(Math.min(...n.data)).toBe(0);
    expect(Math.max(...n.data)).toBe(255);
    const a = applyKernel(img, "edge8", { display: "abs" });
    expect(Array.from(a.data)).toEqual(raw.map((v) => Math.min(255, Math.round(Math.abs(v)))));
  });

  it("filters each colour channel on its own and drops alpha (the baboon photo is a transposed view)", () => {
    // baboon-image is 512×512×4 stored column by column: its strides are [4, 2048, 1]. Transposing the view
    // gives rows first; no pixel moves. Crop to 64×64 to keep the test short.
    const photo = baboon.transpose(1, 0, 2).hi(64, 64, 4);
    expect(photo.shape).toEqual([64, 64, 4]);
    const out = applyKernel(photo, "sobelX", { border: "replicate", display: "abs" });
    expect(out.shape).toEqual([64, 64, 3]);
    const green = Array.from({ length: 64 }, (_, i) => Array.from({ length: 64 }, (_, j) => photo.get(i, j, 1)));
    const padded = [green[0], ...green, green[63]].map((r) => [r[0], ...r, r[63]]);
    const expectedGreen = correlate2d(padded, kernel("sobelX"))
      .flat()
      .map((v) => Math.min(255, Math.round(Math.abs(v))));
    expect(Array.from(out.data).filter((_, k) => k % 3 === 1)).toEqual(expectedGreen);
    const identity = applyKernel(photo, "identity");
    expect(identity.data[3 * (5 * 64 + 7) + 2]).toBe(photo.get(5, 7, 2));
  });

  it("takes {data, shape} images such as the photos in datasets/", () => {
    const image = { data: new Uint8Array([0, 255, 0, 255, 0, 255]), shape: [2, 3] };
    expect(Array.from(applyKernel(image, "identity").data)).toEqual([0, 255, 0, 255, 0, 255]);
    const rgb = {
      data: ndarray(
        new Uint8Array(12).map((_, i) => i * 10),
        [2, 2, 3],
      ).data,
      shape: [2, 2, 3],
    };
    expect(applyKernel(rgb, "identity").shape).toEqual([2, 2, 3]);
  });
});
