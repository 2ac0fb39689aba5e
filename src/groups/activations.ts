// dl.activations — activation functions on plain numbers and their derivatives (02-ffnn-xor, 03-backprop,
// 07-pooling-relu-x-vs-o). The same functions as nodes of a computation graph are in dl.autodiff.
export {
  relu,
  reluDerivative,
  sigmoid,
  sigmoidDerivative,
  tanh,
  tanhDerivative,
  sign,
  signDerivative,
  linear,
  linearDerivative,
  softmax,
  activate,
  activationDerivative,
  activations as table,
  activationNames as names,
} from "../activations";
export type { ActivationName, Numbers } from "../activations";
