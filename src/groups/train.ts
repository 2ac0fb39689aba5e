// dl.train — training LeNet-5 on MNIST with TensorFlow.js: examples, the fast CPU backend, the loop, evaluation,
// natural transformations, what the layers learnt, saved models (09-training-lenet-mnist, 10-when-cnns-fail).
export { useFastBackend } from "../train/backend";
export { fit, evaluate, confusionMatrix, mnistExamples, selectExamples, pixelStats, scaleExamples } from "../train/fit";
export type { Examples, Augment, TrainProgress, EpochResult, FitOptions, Evaluation } from "../train/fit";
export { moveImage, moveExamples, randomMoves } from "../train/augment";
export type { Move } from "../train/augment";
export { trainingMonitor as monitor } from "../train/monitor";
export type { MonitorOptions } from "../train/monitor";
export { layerOutputs, layerWeights, layerKernels, featureMaps, exampleVolume } from "../train/inspect";
export type { LayerOutput } from "../train/inspect";
export { saveModel, loadModel, hasModel, modelPath } from "../train/store";
// Train / validation splits, smaller images, early stopping, and a classifier trained with a chosen optimiser
// (12-generalisation-and-hyperparameters).
export { trainValidationSplit as split, splitSizes } from "../split";
export { shrinkExamples as shrink } from "../shrink";
export { earlyStopping } from "../early-stopping";
export type { StoppingPoint } from "../early-stopping";
export { tfClassifier as classifier, trainClassifier as withOptimiser, scoreClassifier as score } from "../classifier";
export type { ClassifierOptions, TrainClassifierOptions, ClassifierEpoch } from "../classifier";
