// dl.array — how the numbers are held: nested arrays in, ndarray views (data, shape, stride, offset) inside;
// channels and banks of kernels (04-convolution-by-hand, 06-channels-and-filters).
export { view, asView, isView, toNested, toMatrix, stackChannels, stackKernels, channel } from "../view";
export type { Matrix, Volume, KernelBank, View, NumericData, Nested } from "../view";
