// dl.xor — learning XOR: the table, the hand solution, the network's layers and loss, training and its diagnosis (02-ffnn-xor).
export {
  xorTable as table,
  xorExactSolution as exactSolution,
  xorLayers as layers,
  xorOutput as output,
  xorLoss as loss,
  xorGrid as grid,
  bestLinearModel,
  xorNetwork as network,
  xorParamsOf as paramsOf,
  trainXor as train,
  diagnoseXor as diagnose,
  xorConvergence as convergence,
} from "../xor";
export type { XorParams, XorTrainOptions, XorTrainResult } from "../xor";
