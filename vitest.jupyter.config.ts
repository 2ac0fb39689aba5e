import { defineConfig } from "vitest/config";

// Tests that need Jupyter itself (Debian's jupyter-nbconvert); `npm run test:jupyter`.
export default defineConfig({
  test: { include: ["tests/jupyter/**/*.test.ts"], testTimeout: 300_000, pool: "forks", setupFiles: ["tests/matchers.ts"] },
});
