// dl.rnn — recurrent cells in the bar engine: the simple RNN, the GRU, unrolling over time (13-recurrent-networks).
export { rnnParams as params, gruParams, rnnStep as step, gruStep, unroll } from "../rnn";
export type { RnnParams, GruParams, CellOptions, GruOptions } from "../rnn";
