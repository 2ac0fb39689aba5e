import { describe, readable } from "./args";

// Early stopping (notebook 12): watch the loss on the validation split after every epoch; stop once it has
// not improved for `patience` epochs, and keep the weights of the best epoch.

/** Where early stopping stops and which epoch it keeps (epochs count from 1) — 12-generalisation-and-hyperparameters. */
export interface StoppingPoint {
  /** The epoch with the lowest validation loss up to the stop (the first of equal ones). */
  best: number;
  /** The last epoch trained: `patience` epochs after the best, or the last epoch given. */
  stop: number;
}

/** Early stopping on a list of validation losses, one per epoch — 12-generalisation-and-hyperparameters. */
export function earlyStopping(validationLosses: number[], patience: number): StoppingPoint {
  const fn = "train.earlyStopping";
  const ok = readable(
    fn,
    "validationLosses",
    validationLosses,
    "a list of numbers",
    () => Array.isArray(validationLosses) && validationLosses.length > 0 && validationLosses.every(Number.isFinite),
  );
  if (!ok) throw new Error(`${fn}: validationLosses must be a non-empty list of finite numbers, got ${describe(validationLosses)}`);
  if (!Number.isInteger(patience) || patience < 1) throw new Error(`${fn}: patience must be a positive integer, got ${describe(patience)}`);
  let best = 1;
  for (let epoch = 1; epoch <= validationLosses.length; epoch++) {
    if (validationLosses[epoch - 1] < validationLosses[best - 1]) best = epoch;
    if (epoch - best >= patience) return { best, stop: epoch };
  }
  return { best, stop: validationLosses.length };
}
