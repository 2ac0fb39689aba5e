// dl.world — CNNs in the world: boxes and IoU, digits on a canvas, a fixed pixel permutation, a spurious cue (14-cnns-in-the-world).
export { iou, placeOnCanvas, permutation, permuteExamples, addLabelCue } from "../world";
export type { Box } from "../world";
