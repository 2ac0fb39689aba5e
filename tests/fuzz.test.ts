// Fuzzing every export: hostile arguments of every kind, a watchdog per call (tests/fuzz/harness.ts).
// Every call must return a correct-looking result (no NaN, no wrong-typed argument accepted), or throw an Error whose
// message starts with the public name `<group>.<fn>:`. Part of `npm test` (under a minute here); `npm run test:fuzz`
// runs it alone. FUZZ_DIST=/other/dist/index.js measures another build (e.g. an older commit) with the same fuzzer;
// FUZZ_VERBOSE=1 prints every finding; FUZZ_SEEDS (default 12,1) and FUZZ_CALLS (per seed, default 3000) set the run.
import { join } from "path";
import { describe, expect, it } from "vitest";
import { fuzz } from "./fuzz/harness";

const dist = process.env.FUZZ_DIST ?? join(__dirname, "..", "dist", "index.js");
const seeds = (process.env.FUZZ_SEEDS ?? "12,1").split(",").map(Number);
const calls = Number(process.env.FUZZ_CALLS ?? 3000);

describe("the fuzzer", () => {
  it.each(seeds)(
    `seed %i: about ${calls} hostile calls over every export, each returns or throws a well-formed error`,
    async (seed) => {
      const report = await fuzz(dist, { seed, calls, timeoutMs: 15_000 });
      const bad = report.calls.filter((c) => c.outcome !== "good error" && c.outcome !== "returned");
      process.stdout.write(
        `fuzz seed ${seed}: ${report.functions} functions, ${report.calls.length} calls ${JSON.stringify(report.counts)}\n`,
      );
      if (process.env.FUZZ_VERBOSE) for (const c of bad) process.stdout.write(`${c.outcome}\t${c.name}\t${c.detail}\n`);
      expect(report.functions).toBeGreaterThan(100);
      expect(report.calls.length).toBeGreaterThan(calls * 0.9);
      if (process.env.FUZZ_DIST) return; // measuring another build: print only
      // Every finding, one line each: the list must be empty (no function is exempt).
      expect(bad.map((c) => `#${c.index} ${c.name}: ${c.outcome} ${c.detail}`)).toEqual([]);
    },
    300_000,
  );
});
