// dl-by-hand: the public surface of the teaching library. Notebooks: import * as dl from "dl-by-hand".
//
// The one rule: every name lives in exactly one group, and a group is a concept of the lectures, named by the
// slides' noun (dl.conv, dl.pool, dl.autodiff, …), holding what the notebook that teaches that concept calls;
// a name inside a group does not repeat the group's word (dl.xor.table, dl.layers.dense, dl.kernels.get).
// Only what every notebook uses sits at the top: version, display, show, the self-checks, the shared data
// shapes (Matrix, Volume, KernelBank, View, Figure) and TensorFlow.js. docs/API.md lists the groups;
// docs/GLOSSARY.md maps the slides' symbols to these names.
export { version } from "./version";
export { check, checkTrue, checkThrows, CheckError } from "./check";
export type { CheckOptions } from "./check";
export { display, newDisplayId, clearOutput } from "./display";
export type { MimeBundle } from "./display";
export { show } from "./plot/show";
export type { Matrix, Volume, KernelBank, View } from "./view";
export type { Figure } from "./plot/figure";
// The library's one (quiet, prod-mode) TensorFlow.js instance, for writing the tf side of a check.
export { tf } from "./tf";

export * as array from "./groups/array";
export * as conv from "./groups/conv";
export * as pool from "./groups/pool";
export * as activations from "./groups/activations";
export * as kernels from "./groups/kernels";
export * as autodiff from "./groups/autodiff";
export * as mlp from "./groups/mlp";
export * as xor from "./groups/xor";
export * as layers from "./groups/layers";
export * as models from "./groups/models";
export * as data from "./groups/data";
export * as train from "./groups/train";
export * as attacks from "./groups/attacks";
export * as plot from "./groups/plot";

// Notebooks 11–14 (issue 16): training deep networks, generalisation and hyperparameters, recurrent networks.
// Each group is one concept of the lectures; receptive fields join dl.layers, VGG-16 joins dl.models, and the
// train/validation split, early stopping and the classifier with a chosen optimiser join dl.train.
export * as deep from "./groups/deep";
export * as resnet from "./groups/resnet";
export * as dropout from "./groups/dropout";
export * as optimisers from "./groups/optimisers";
export * as search from "./groups/search";
export * as rnn from "./groups/rnn";
export * as xai from "./groups/xai";
export * as world from "./groups/world";
