// dl.pool — pooling: max, average, sum and min windows, the max-pool's backward pass, the worked windows
// (07-pooling-relu-x-vs-o).
export { pool2d, maxPool2d, maxPoolBackward, poolChannels, explainPool2d, poolingWalk } from "../pool";
export type { PoolMode, Pool2dOptions, PooledCell } from "../pool";
