// dl.plot — plotly figures as plain data, shown offline with dl.show (every notebook): matrices, images, charts,
// the sliding window, the computation graph, progress.
export { matrixFigure, matrixRowFigure } from "../plot/matrix";
export type { MatrixPanel, MatrixOptions, MatrixRowOptions, MatrixColors } from "../plot/matrix";
export { imageFigure, imageGridFigure } from "../plot/image";
export type { ImageInput, ImageOptions, ImageGridOptions } from "../plot/image";
export { lineFigure, barFigure, confusionMatrixFigure, decisionBoundaryFigure } from "../plot/charts";
export type { Series, ChartOptions, LineOptions, GridValues, LabelledPoints } from "../plot/charts";
export { slidingWindowFigure } from "../plot/animation";
export type { SlideStep, SlidingWindowWalk } from "../plot/animation";
export { computationGraphFigure, traceBundle, showTrace } from "../plot/graph";
export type { GraphFigureOptions, TraceBundleOptions } from "../plot/graph";
export { loadPlotly, plotlyLoaded, plotlyVersion, figureBundle, figureSummary } from "../plot/show";
export { progressBar, progressLine, liveFigure } from "../plot/progress";
export type { ProgressBar, ProgressOptions, ProgressState, LiveFigure } from "../plot/progress";
export type { Figure, Trace, Layout, Annotation, Shape, Frame, CellWindow } from "../plot/figure";
