import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // The exercises suite (npm run test:exercises) runs every notebook several times: it runs on its own.
    exclude: ["tests/browser/**", "tests/jupyter/**", "tests/grading/**", "tests/lab/**", "tests/hub/**", "tests/exercises.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    setupFiles: ["tests/matchers.ts"],
  },
});
