// `npm run test:slides`: the decks, pages and home page opened in Chromium, offline.
import { resolve } from "path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: resolve(__dirname, "../.."),
    include: ["tests/browser/slides.browser.test.ts", "tests/browser/slides.fit.browser.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: "forks",
    // One Chromium at a time: the machine running CI may have two cores.
    fileParallelism: false,
  },
});
