// dl.autodiff — back-propagation with bar-notation error signals: scalar and tensor nodes, their operations
// (the activations as graph nodes: dl.autodiff.relu, dl.autodiff.sigmoid, …), backward, the trace, and gradient
// checks against finite differences and TensorFlow.js (02-ffnn-xor, 03-backprop).
// Nodes are made by param, input and the operations; Node, Scalar and Tensor are their types.
export type { Node, Scalar, Tensor } from "../autodiff";
export {
  param,
  input,
  column,
  backward,
  zeroGrad,
  topologicalOrder,
  add,
  sub,
  mul,
  div,
  pow,
  exp,
  log,
  cos,
  sigmoid,
  tanh,
  relu,
  sign,
  scalarOp,
  affine,
  sum,
  mean,
  halfSquare,
  regularise,
  halfSquaredError,
  mse,
  softmaxCrossEntropy,
  matmul,
  maxPool,
  graph,
  trace,
  traceLatex,
  traceTable,
  traceText,
} from "../autodiff";
export type { Kind, Matrix, Name, NameLike, PoolOptions, GraphEdge, GraphNode, TraceOptions, TraceRow } from "../autodiff";
export {
  centralDifferences,
  maxRelativeDifference,
  engineGradient,
  numericGradient,
  engineGradients,
  numericGradients,
  tfGradients,
  gradCheck,
  gradCheckTensors,
} from "../gradcheck";
export type { GradCheckReport } from "../gradcheck";
