// dl.conv — convolution by hand: output size, stride, padding (per side), cross-correlation and true convolution,
// 1-D signals, channels and kernel banks, batches, and the worked sums the slides write out
// (04-convolution-by-hand, 06-channels-and-filters, 07-pooling-relu-x-vs-o).
export { outputSize, outputSizeWorking, outputShape, outputShapeWorking } from "../geometry";
export type { AxisOptions, Edges, Sides, Padding, PerAxis, Conv2dOptions, Conv1dOptions } from "../geometry";
export { correlate2d, convolve2d, flipKernel, pad2d, normalizedFilter, correlate1d, convolve1d, conv2d, conv2dBatch } from "../conv";
export type { ConvLayerOptions, ConvBatchOptions, PadMode } from "../conv";
export {
  explainCorrelate2d,
  explainConv2d,
  explanationHeatmap,
  convolutionWalk,
  symbolicCorrelate2d,
  formatSum,
  latexMatrix,
  truncateDecimals,
} from "../explain";
export type { Tap, ExplainedCell, Explanation, ExplainOptions, ChannelExplanation, WalkStep } from "../explain";
