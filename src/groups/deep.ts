// dl.deep — deep fully-connected networks in the bar engine: W̄ layer by layer, initial scales, gradient clipping (11-training-deep-networks).
export { deepNetwork as network, signalSizes, initStd, gaussianMatrix, randomBatch, clipByNorm } from "../deep";
export type { DeepActivation, InitScheme, DeepNetworkOptions, DeepNetwork, SignalSizes } from "../deep";
