import { defineConfig } from "vitest/config";

// tests/exercises.test.ts grades every notebook three ways and validates it twice: too long for npm test here,
// so it runs on its own (npm run test:exercises).
export default defineConfig({
  test: {
    include: ["tests/exercises.test.ts"],
    testTimeout: 3_600_000,
    hookTimeout: 120_000,
    pool: "forks",
    setupFiles: ["tests/matchers.ts"],
  },
});
