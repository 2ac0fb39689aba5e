// dl.optimisers — SGD, momentum and Adam written by hand, with L2 (12-generalisation-and-hyperparameters).
export { optimiser as create, minimise } from "../optimise";
export type { OptimiserOptions, Optimiser, Path } from "../optimise";
