// A small seeded pseudo-random number generator, so every notebook repeats its results.

/** A seeded source of random numbers: `next()` in [0, 1), `uniform`, `normal`, `int` — 02-ffnn-xor. */
import { describe as formatValue } from "./args";

export interface Random {
  /** The seed the generator started from. */
  readonly seed: number;
  /** A number in [0, 1). */
  next(): number;
  /** A number in [low, high). */
  uniform(low: number, high: number): number;
  /** A normally distributed number with the given mean and standard deviation. */
  normal(mean?: number, std?: number): number;
  /** An integer in [0, n). */
  int(n: number): number;
}

/**
 * A seeded generator (mulberry32: a 32-bit state advanced by a constant, then mixed);
 * the same seed gives the same numbers on every machine — 02-ffnn-xor.
 */
export function seededRandom(seed: number): Random {
  if (!Number.isInteger(seed)) {
    throw new Error(`data.seededRandom: seed must be an integer, got ${formatValue(seed)}`);
  }
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    uniform(low: number, high: number): number {
      if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high)) {
        throw new Error(`uniform: need finite low ≤ high, got low = ${low}, high = ${high}`);
      }
      return low + (high - low) * next();
    },
    normal(mean = 0, std = 1): number {
      if (!(Number.isFinite(mean) && Number.isFinite(std) && std >= 0)) {
        throw new Error(`normal: need a finite mean and std ≥ 0, got mean = ${mean}, std = ${std}`);
      }
      // Box–Muller: two uniform numbers give one standard normal number.
      const u = 1 - next();
      const v = next();
      return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0) {
        throw new Error(`int: n must be a positive integer, got ${n}`);
      }
      return Math.floor(next() * n);
    },
  };
}
