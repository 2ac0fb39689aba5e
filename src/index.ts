// dl-by-hand: the public surface of the teaching library. Notebooks: import * as dl from "dl-by-hand".
export { version } from "./version";
export { check, checkTrue, checkThrows, CheckError, formatValue } from "./check";
export type { CheckOptions } from "./check";
export { display, newDisplayId, canDisplay, setDisplaySink } from "./display";
export type { MimeBundle, DisplaySink } from "./display";

// view.ts, geometry.ts, conv.ts, explain.ts, pool.ts, activations.ts, kernels.ts — ndarray views, output size and padding,
// convolution by hand, pooling, activations, the kernel gallery
// (04-convolution-by-hand, 05-channels-and-filters, 06-kernel-gallery, 07-pooling-relu-x-vs-o)
export { stackChannels, stackKernels, channel, isView, toView, toNested, toMatrix, view } from "./view";
export type { Matrix, Volume, KernelBank, View, NumericData } from "./view";
export { outputSize, outputSizeWorking, outputShape, outputShapeWorking, resolvePadding, geometry, formatPadding } from "./geometry";
export type { AxisOptions, Edges, Sides, Padding, PerAxis, Conv2dOptions, Conv1dOptions, Geometry } from "./geometry";
export {
  correlate2d, convolve2d, flipKernel, pad2d, normalizedFilter, correlate1d, convolve1d, conv2d, conv2dBatch,
} from "./conv";
export type { ConvLayerOptions, ConvBatchOptions, PadMode } from "./conv";
export {
  explainCorrelate2d, explainConv2d, explanationHeatmap, convolutionWalk, symbolicCorrelate2d, formatSum, latexMatrix, truncateDecimals,
} from "./explain";
export type { Tap, ExplainedCell, Explanation, ExplainOptions, ChannelExplanation, WalkStep } from "./explain";
export { pool2d, maxPool2d, maxPoolBackward, poolChannels, explainPool2d, poolingWalk } from "./pool";
export type { PoolMode, Pool2dOptions, PooledCell } from "./pool";
export {
  relu, reluDerivative, sigmoid, sigmoidDerivative, tanh, tanhDerivative, sign, signDerivative, softmax,
  activate, activationDerivative, activations,
} from "./activations";
export type { ActivationName, Numbers } from "./activations";
export { kernelGallery, kernelNames, galleryKernel, kernel, applyKernel, describeKernel } from "./kernels";
export type { KernelName, GalleryKernel, Border, DisplayScale, ApplyKernelOptions, FilteredImage } from "./kernels";

// layers.ts, models.ts — layer specs, shapes, parameter counts, the lectures' models (01-why-deep, 08-lenet-parameters, 09-training-lenet-mnist)
export {
  inputLayer, convLayer, poolLayer, flattenLayer, denseLayer, activationLayer, dropoutLayer, reshapeLayer,
  propagateShapes, modelOutputShape, layerParams, modelSummary, countParams,
  summaryText, summaryHtml, summaryBundle, paramsChartData, compareFcConv, formatCount, formatShape,
} from "./layers";
export type {
  LayerActivation, LayerPadding, LayerSize, LayerSpec, ModelSpec, LayerShape, InputSpec, Conv2dSpec, PoolSpec, FlattenSpec, DenseSpec,
  ActivationSpec, DropoutSpec, ReshapeSpec, LayerStep, ParamCount, SummaryRow, ModelSummary, CompareOptions, Comparison,
} from "./layers";
export { lenet5, kerasDigitModel, kerasDigitModelCorrected, alexnet, weightSharingDense, weightSharingConv, toTfModel } from "./models";
export type { TfModelOptions } from "./models";

// plot/ — plotly figures as data, shown offline in the notebook (04-convolution-by-hand, 06-kernel-gallery, 02-ffnn-xor, 09-training-lenet-mnist)
export { matrixFigure, matrixRowFigure } from "./plot/matrix";
export type { MatrixPanel, MatrixOptions, MatrixRowOptions, MatrixColors } from "./plot/matrix";
export { imageFigure, imageGridFigure } from "./plot/image";
export type { ImageInput, ImageOptions, ImageGridOptions } from "./plot/image";
export { lineFigure, barFigure, confusionMatrixFigure, decisionBoundaryFigure } from "./plot/charts";
export type { Series, ChartOptions, LineOptions, GridValues, LabelledPoints } from "./plot/charts";
export { slidingWindowFigure } from "./plot/animation";
export type { SlideStep, SlidingWindowWalk } from "./plot/animation";
export { show, loadPlotly, plotlyLoaded, plotlyVersion, figureBundle, figureHtml, figureSummary, PLOTLY_MIME } from "./plot/show";
export { progressBar, progressLine, liveFigure } from "./plot/progress";
export type { ProgressBar, ProgressOptions, ProgressState, LiveFigure } from "./plot/progress";
export type { Figure, Trace, Layout, Annotation, Shape, Frame, CellWindow } from "./plot/figure";

// datasets.ts — MNIST digits, photographs, the lectures' toy data (02-ffnn-xor, 04-convolution-by-hand, 06-kernel-gallery, 07-pooling-relu-x-vs-o, 09-training-lenet-mnist)
export {
  loadMnist, mnistDigit, loadPhoto, imageToMatrix, loadXAndO, loadXor, loadWorkedExamples, exampleMatrix, DATASETS_DIR,
} from "./datasets";
export type { MnistData, MnistSplit, PhotoName, ImageArray, DatasetOptions, XAndO, XorTable, WorkedExample } from "./datasets";

// autodiff.ts, gradcheck.ts, mlp.ts, xor.ts, random.ts, plot/graph.ts — back-propagation with bar-notation error signals,
// gradient checks, a small MLP and the XOR network (02-ffnn-xor, 03-backprop)
export * as autodiff from "./autodiff";
export {
  centralDifferences, maxRelativeDifference, engineGradient, numericGradient, engineGradients, numericGradients,
  tfGradients, gradCheck, gradCheckTensors,
} from "./gradcheck";
export type { GradCheckReport } from "./gradcheck";
// The library's one (quiet, prod-mode) TensorFlow.js instance, for writing the tf side of a gradient check.
export { tf } from "./tf";
export { MLP, Layer, Neuron, applyActivation, datasetLoss, trainMLP } from "./mlp";
export type { MLPActivation, MLPLoss, MLPOptions, MLPTrainOptions } from "./mlp";
export {
  xorTable, xorExactSolution, xorLayers, xorOutput, xorLoss, xorGrid, bestLinearModel, xorNetwork, xorParamsOf, trainXor,
  diagnoseXor, xorConvergence,
} from "./xor";
export type { XorParams, XorTrainOptions, XorTrainResult } from "./xor";
export { seededRandom } from "./random";
export type { Random } from "./random";
export { computationGraphFigure, traceBundle, showTrace } from "./plot/graph";
export type { GraphFigureOptions, TraceBundleOptions } from "./plot/graph";

// train/ — the fast CPU training backend, training loop, natural transformations, adversarial examples, model inversion
// (09-training-lenet-mnist, 10-when-cnns-fail)
export { useFastBackend, fastKernels } from "./train/backend";
export { fit, evaluate, confusionMatrix, mnistExamples, selectExamples, pixelStats, scaleExamples } from "./train/fit";
export type { Examples, Augment, TrainProgress, EpochResult, FitOptions, Evaluation } from "./train/fit";
export { moveImage, moveExamples, randomMoves } from "./train/augment";
export type { Move } from "./train/augment";
export { classify, inputGradient, fgsm, invertClasses } from "./train/attacks";
export type { Verdict, Adversarial, FgsmOptions, InversionOptions } from "./train/attacks";
export { trainingMonitor } from "./train/monitor";
export type { MonitorOptions } from "./train/monitor";
export { layerOutputs, layerWeights, layerKernels, featureMaps, exampleVolume } from "./train/inspect";
export type { LayerOutput } from "./train/inspect";
export { saveModel, loadModel, hasModel, modelPath } from "./train/store";
