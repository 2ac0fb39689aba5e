import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** The two longest files start first, one per worker, whatever the cache of past durations holds. */
const LONGEST = ["tests/notebooks.test.ts", "tests/runner-many-cells.test.ts"];
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONGEST.findIndex((name) => f.moduleId.endsWith(name));
      return i < 0 ? LONGEST.length : i;
    };
    return (await super.sort(files))
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // The exercises suite (npm run test:exercises) runs every notebook several times: it runs on its own.
    exclude: ["tests/browser/**", "tests/jupyter/**", "tests/grading/**", "tests/lab/**", "tests/hub/**", "tests/exercises.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Vitest's default is one worker on a 2-core machine; most files wait on kernels and processes,
    // so two run side by side (the notebooks file, the longest, alongside all the others).
    maxWorkers: 2,
    minWorkers: 1,
    sequence: { sequencer: LongestFirst },
    setupFiles: ["tests/matchers.ts"],
  },
});
