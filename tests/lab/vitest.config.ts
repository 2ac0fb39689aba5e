// `npm run test:lab`: the course in a real JupyterLab 4 (scripts/lab/) in Chromium.
import * as path from "path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: path.resolve(__dirname, "..", ".."),
  test: {
    include: ["tests/lab/**/*.test.ts"],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    pool: "forks",
    fileParallelism: false,
  },
});
