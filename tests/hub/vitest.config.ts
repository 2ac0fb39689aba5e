// `npm run test:hub`: the course in a real JupyterHub for a class, three students in Chromium.
import * as path from "path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: path.resolve(__dirname, "..", ".."),
  test: {
    include: ["tests/hub/**/*.test.ts"],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    pool: "forks",
    fileParallelism: false,
  },
});
