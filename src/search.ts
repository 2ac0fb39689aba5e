// Hyperparameter search (lecture 004: grid search, random search; lecture 001: "hard to tune"). A
// configuration is a plain object of numbers; a search tries each, scores it on the VALIDATION split,
// and keeps the best. The test split is touched once, after the search, by the caller.
import { seededRandom } from "./random";
import { describe, isRecord } from "./args";
import { readArgs } from "./guard";

/** One setting of the hyperparameters, e.g. { learningRate: 0.01, width: 32 } — 12-generalisation-and-hyperparameters. */
export type Config = Record<string, number>;

/** A range to draw a hyperparameter from: uniformly, or uniformly in its logarithm — 12-generalisation-and-hyperparameters. */
export interface Range {
  low: number;
  high: number;
  scale?: "linear" | "log";
}

function checkRange(fn: string, name: string, r: Range): void {
  if (typeof r !== "object" || r === null || !Number.isFinite(r.low) || !Number.isFinite(r.high) || r.low >= r.high) {
    throw new Error(`${fn}: range '${name}' must be {low, high} with finite low < high, got ${describe(r)}`);
  }
  if (r.scale !== undefined && r.scale !== "linear" && r.scale !== "log")
    throw new Error(`${fn}: range '${name}' scale must be "linear" or "log", got ${describe(r.scale)}`);
  if (r.scale === "log" && r.low <= 0) throw new Error(`${fn}: range '${name}' on a log scale needs low > 0, got ${r.low}`);
}

function checkSpace(fn: string, space: unknown): Record<string, Range> {
  if (typeof space !== "object" || space === null || Object.keys(space).length === 0) {
    throw new Error(`${fn}: space must be an object of named ranges {name: {low, high, scale?}}, got ${describe(space)}`);
  }
  const ranges = space as Record<string, Range>;
  for (const [name, r] of Object.entries(ranges)) checkRange(fn, name, r);
  return ranges;
}

/** n values evenly spaced over a range, ends included (evenly in the logarithm for a log scale) — 12-generalisation-and-hyperparameters. */
export function evenlySpaced(range: Range, n: number): number[] {
  readArgs("search.evenlySpaced", () => checkRange("search.evenlySpaced", "range", range));
  if (!Number.isInteger(n) || n < 1) throw new Error(`search.evenlySpaced: n must be a positive integer, got ${describe(n)}`);
  const log = range.scale === "log";
  const [a, b] = log ? [Math.log(range.low), Math.log(range.high)] : [range.low, range.high];
  return Array.from({ length: n }, (_, i) => {
    const v = n === 1 ? (a + b) / 2 : a + ((b - a) * i) / (n - 1);
    return log ? Math.exp(v) : v;
  });
}

/** Grid search: every combination of `perAxis` evenly spaced values of each range (perAxis^axes configs) — 12-generalisation-and-hyperparameters. */
export function gridConfigs(space: Record<string, Range>, perAxis: number): Config[] {
  const ranges = readArgs("search.grid", () => checkSpace("search.grid", space));
  if (!Number.isInteger(perAxis) || perAxis < 1)
    throw new Error(`search.grid: perAxis must be a positive integer, got ${describe(perAxis)}`);
  let configs: Config[] = [{}];
  for (const [name, r] of Object.entries(ranges)) {
    const values = evenlySpaced(r, perAxis);
    configs = configs.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  }
  return configs;
}

/** Random search: `trials` configs, each hyperparameter drawn independently from its range (seeded) — 12-generalisation-and-hyperparameters. */
export function randomConfigs(space: Record<string, Range>, trials: number, seed = 0): Config[] {
  const ranges = readArgs("search.random", () => checkSpace("search.random", space));
  if (!Number.isInteger(trials) || trials < 1) throw new Error(`search.random: trials must be a positive integer, got ${describe(trials)}`);
  if (!Number.isInteger(seed)) throw new Error(`search.random: seed must be an integer, got ${describe(seed)}`);
  const random = seededRandom(seed);
  return Array.from({ length: trials }, () => {
    const c: Config = {};
    for (const [name, r] of Object.entries(ranges)) {
      c[name] = r.scale === "log" ? Math.exp(random.uniform(Math.log(r.low), Math.log(r.high))) : random.uniform(r.low, r.high);
    }
    return c;
  });
}

/** One tried config and its validation score — 12-generalisation-and-hyperparameters. */
export interface Trial {
  config: Config;
  score: number;
}

/** Score every config (on the validation split) and return all trials and the best (highest score; first on ties) — 12-generalisation-and-hyperparameters. */
export async function runSearch(
  configs: Config[],
  score: (config: Config) => number | Promise<number>,
): Promise<{ trials: Trial[]; best: Trial }> {
  if (!Array.isArray(configs) || configs.length === 0)
    throw new Error(`search.run: configs must be a non-empty list, got ${describe(configs)}`);
  if (typeof score !== "function") throw new Error(`search.run: score must be a function config => number, got ${describe(score)}`);
  const trials: Trial[] = [];
  for (const config of configs) {
    const s = await score(config);
    if (typeof s !== "number" || Number.isNaN(s))
      throw new Error(`search.run: score of ${describe(config)} is ${describe(s)}, not a number`);
    trials.push({ config, score: s });
  }
  const best = trials.reduce((a, b) => (b.score > a.score ? b : a));
  return { trials, best };
}

/** How many distinct values each hyperparameter takes among the configs (grid: perAxis; random: one per trial) — 12-generalisation-and-hyperparameters. */
export function distinctValues(configs: Config[]): Record<string, number> {
  return readArgs("search.distinctValues", () => {
    if (!Array.isArray(configs) || configs.length === 0 || !configs.every(isRecord))
      throw new Error(`search.distinctValues: configs must be a non-empty list of configs {name: value}, got ${describe(configs)}`);
    const out: Record<string, number> = {};
    for (const name of Object.keys(configs[0])) out[name] = new Set(configs.map((c) => c[name])).size;
    return out;
  });
}
