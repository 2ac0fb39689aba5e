// dl.xai — explainable AI for a trained TensorFlow.js network: saliency (input gradient) and occlusion maps (14-cnns-in-the-world).
export { saliencyMap as saliency, occlusionMap as occlusion } from "../train/saliency";
export type { OcclusionOptions } from "../train/saliency";
