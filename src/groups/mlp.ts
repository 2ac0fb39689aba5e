// dl.mlp — a small multilayer perceptron built from dl.autodiff scalars, and its training loop (02-ffnn-xor).
export { MLP, applyActivation, datasetLoss, trainMLP as train } from "../mlp";
export type { MLPActivation, MLPLoss, MLPOptions, MLPTrainOptions } from "../mlp";
