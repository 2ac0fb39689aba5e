// dl.resnet — shortcut connections y = F(x) + x, in the bar engine and as TensorFlow.js models (11-training-deep-networks).
export { shortcut, residual as block, denseStack } from "../residual";
export type { DenseStackOptions } from "../residual";
