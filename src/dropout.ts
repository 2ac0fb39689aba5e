// Dropout (lecture 002's Keras model: "randomly selected neurons are ignored during training"), by hand
// in the bar engine. Training: keep each unit with probability 1 − rate and divide the kept ones by
// 1 − rate ("inverted" dropout), so that E[output] = x; evaluation: the identity. Backward: the same
// mask, x̄ = ȳ ∘ m / (1 − rate).
import { Tensor, attach, bar, hadamard, map, rule, tensorResult, word, type NameLike } from "./autodiff-node";
import { addInto } from "./autodiff-node";
import type { Random } from "./random";
import { randomOf, readArgs, tensorOf } from "./guard";
import { describe, knownOptions } from "./args";

/** Options of `dropout`: the rate of dropped units, the mode, and the generator of the mask — 12-generalisation-and-hyperparameters. */
export interface DropoutOptions {
  /** Probability that a unit is dropped, 0 ≤ rate < 1. */
  rate: number;
  /** true while training (drop and rescale), false when evaluating (identity). */
  training: boolean;
  /** Where the mask comes from (needed when training). */
  random?: Random;
}

function checkRate(fn: string, rate: unknown): number {
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate < 0 || rate >= 1) {
    throw new Error(`${fn}: rate must be a number with 0 ≤ rate < 1, got ${describe(rate)}`);
  }
  return rate;
}

/** A rows × cols mask of 0s and 1s, each 1 with probability 1 − rate — 12-generalisation-and-hyperparameters. */
export function dropoutMask(rows: number, cols: number, rate: number, random: Random): number[][] {
  checkRate("dropout.mask", rate);
  for (const [arg, v] of [
    ["rows", rows],
    ["cols", cols],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`dropout.mask: ${arg} must be a positive integer, got ${describe(v)}`);
  }
  readArgs("dropout.mask", () => randomOf("dropout.mask", "random", random));
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (random.next() < rate ? 0 : 1)));
}

/** Dropout with a given mask: y = x ∘ m / (1 − rate), x̄ += ȳ ∘ m / (1 − rate) — 12-generalisation-and-hyperparameters. */
export function dropoutWithMask(x: Tensor, mask: number[][], rate: number, name?: NameLike): Tensor {
  const X = tensorOf("dropout.withMask", "x", x);
  readArgs("dropout.withMask", () => JSON.stringify(mask));
  checkRate("dropout.withMask", rate);
  const [r, c] = X.shape;
  if (
    !Array.isArray(mask) ||
    mask.length !== r ||
    !mask.every((row) => Array.isArray(row) && row.length === c && row.every((v) => v === 0 || v === 1))
  ) {
    throw new Error(`dropout.withMask: mask must be a ${r}×${c} matrix of 0s and 1s (the shape of '${X.name.text}')`);
  }
  const scale = 1 / (1 - rate);
  const out = tensorResult(
    "dropout.apply",
    map(X.value, (v, i, j) => v * mask[i][j] * scale),
    [X],
    name,
  );
  const step = () => {
    addInto(
      X.bar,
      map(out.bar, (g, i, j) => g * mask[i][j] * scale),
    );
  };
  const local = word(`m/(1 − ${rate})`, `m / (1 - ${rate})`, null);
  attach(out, [X], step, () => [rule(X, () => hadamard(bar(out), local))]);
  return out;
}

/** Dropout in training mode (a fresh mask from `random`) or evaluation mode (the identity) — 12-generalisation-and-hyperparameters. */
export function dropout(x: Tensor, options: DropoutOptions, name?: NameLike): Tensor {
  const X = tensorOf("dropout.apply", "x", x);
  readArgs("dropout.apply", () => knownOptions("dropout.apply", options, ["rate", "training", "random"], { required: true }));
  const rate = checkRate("dropout.apply", options.rate);
  if (typeof options.training !== "boolean")
    throw new Error(`dropout.apply: training must be true or false, got ${describe(options.training)}`);
  const [r, c] = X.shape;
  if (!options.training)
    return dropoutWithMask(
      X,
      map(X.value, () => 1),
      0,
      name,
    );
  if (!options.random) throw new Error("dropout.apply: training needs random (a generator from dl.data.seededRandom) for the mask");
  return dropoutWithMask(X, dropoutMask(r, c, rate, options.random), rate, name);
}
