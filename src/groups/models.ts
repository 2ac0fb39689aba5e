// dl.models — the lectures' models as layer specs, and as TensorFlow.js models (01-why-deep, 08-lenet-parameters,
// 09-training-lenet-mnist).
export { lenet5, kerasDigitModel, kerasDigitModelCorrected, alexnet, weightSharingDense, weightSharingConv, toTfModel } from "../models";
export type { TfModelOptions } from "../models";
// VGG-16 (11-training-deep-networks).
export { vgg16 } from "../vgg";
