// Train / validation / test (lecture 002's "Train Test Split": 90 % to train, 10 % to validate). The
// validation split chooses (epochs, hyperparameters); the test split is looked at once, at the end.
import { selectExamples, type Examples } from "./train/fit";
import { seededRandom } from "./random";
import { describe } from "./args";
import { examplesOf, readArgs } from "./guard";

/** How many examples a fraction takes from n: round(n · fraction); 42,000 × 0.1 = 4,200 — 12-generalisation-and-hyperparameters. */
export function splitSizes(n: number, fraction: number): { train: number; validation: number } {
  if (!Number.isInteger(n) || n < 2) throw new Error(`train.splitSizes: n must be an integer ≥ 2, got ${describe(n)}`);
  if (typeof fraction !== "number" || !(fraction > 0 && fraction < 1))
    throw new Error(`train.splitSizes: fraction must be between 0 and 1, got ${describe(fraction)}`);
  const validation = Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
  return { train: n - validation, validation };
}

/** A seeded random split of examples into train and validation (no example in both) — 12-generalisation-and-hyperparameters. */
export function trainValidationSplit(examples: Examples, fraction: number, seed = 0): { train: Examples; validation: Examples } {
  const { count } = readArgs("train.split", () => examplesOf("train.split", "examples", examples));
  if (count < 2) throw new Error(`train.split: examples must hold at least 2 examples to split, got ${count}`);
  if (typeof fraction !== "number" || !(fraction > 0 && fraction < 1))
    throw new Error(`train.split: fraction must be between 0 and 1, got ${describe(fraction)}`);
  if (!Number.isInteger(seed)) throw new Error(`train.split: seed must be an integer, got ${describe(seed)}`);
  const { validation } = splitSizes(count, fraction);
  const order = Array.from({ length: count }, (_, i) => i);
  const random = seededRandom(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return { validation: selectExamples(examples, order.slice(0, validation)), train: selectExamples(examples, order.slice(validation)) };
}
