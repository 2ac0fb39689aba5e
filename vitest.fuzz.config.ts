import { defineConfig } from "vitest/config";

// `npm run test:fuzz`: the fuzzer over every export (tests/fuzz.test.ts) on its own; `npm test` runs it too.
export default defineConfig({
  test: { include: ["tests/fuzz.test.ts"], testTimeout: 300_000, pool: "forks", setupFiles: ["tests/matchers.ts"] },
});
