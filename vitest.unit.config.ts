// `npm run test:unit`: the teaching library's tests only (no kernel, Jupyter, grading or slides). `npm test` runs everything.
import { defineConfig } from "vitest/config";

/**
 * The library's test files, by name: a new library test is added here as well. The fuzzer (tests/fuzz.test.ts,
 * one to two minutes on its own) runs in `npm test` only, so that this tier stays fast.
 */
const LIBRARY_TESTS = [
  "activations",
  "autodiff",
  "autodiff-graph",
  "check",
  "conv",
  "conv-errors",
  "conv-tf",
  "datasets",
  "gradcheck",
  "kernels",
  "layers",
  "matchers",
  "mlp",
  "models",
  "options",
  "plot",
  "plot-show",
  "pool",
  "train-fit",
  "train-kernels",
  "train-tools",
  "xor",
  // notebooks 11–14
  "deep-networks",
  "generalisation",
  "world",
];

export default defineConfig({
  test: {
    include: LIBRARY_TESTS.map((name) => `tests/${name}.test.ts`),
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    setupFiles: ["tests/matchers.ts"],
  },
});
