// dl.search — hyperparameter search: grid and random configurations, scored on the validation split (12-generalisation-and-hyperparameters).
export { evenlySpaced, gridConfigs as grid, randomConfigs as random, runSearch as run, distinctValues } from "../search";
export type { Config, Range, Trial } from "../search";
