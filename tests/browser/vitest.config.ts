// `npm run test:browser`: real Chromium against Debian's Jupyter Notebook and an nbconvert HTML export.
import * as path from "path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: path.resolve(__dirname, "..", ".."),
  test: {
    include: ["tests/browser/figures.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    pool: "forks",
    fileParallelism: false,
  },
});
