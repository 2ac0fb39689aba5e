import { defineConfig } from "vitest/config";

// The hostile grading corpus: needs bubblewrap, user namespaces and cgroups; `npm run test:grading`.
export default defineConfig({
  test: { include: ["tests/grading/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 1_800_000, pool: "forks" },
});
