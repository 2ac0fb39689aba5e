// Receptive fields (lecture 002's VGG remark, lecture 004's "pooling lets us focus on larger regions"):
// how many input pixels one output of a layer sees. Walking the layers from the input,
//   r ← r + (k − 1) · j,   j ← j · s,
// with k the kernel (or pooling window), s the stride and j the distance, in input pixels, between
// two neighbouring outputs of the layer before. Two stacked 3×3 convolutions see 5×5, three see 7×7.
import { propagateShapes, type LayerSize, type ModelSpec } from "./layers";
import { positiveInteger } from "./args";

/** One layer's receptive field: size (input pixels per axis) and jump (input pixels between neighbouring outputs) — 11-training-deep-networks. */
export interface ReceptiveField {
  name: string;
  kind: string;
  /** [rows, cols] of input pixels one output sees; a dense layer sees the whole input. */
  size: [number, number];
  /** [rows, cols] of input pixels between two neighbouring outputs. */
  jump: [number, number];
  /** The working, e.g. "5 + (2 − 1) × 1 = 6". */
  formula: string;
}

function pair(s: LayerSize | undefined, fallback: [number, number]): [number, number] {
  if (s === undefined) return fallback;
  return typeof s === "number" ? [s, s] : [s[0], s[1]];
}

/** The receptive field of every layer of a model, from the input (r = 1, j = 1) on — 11-training-deep-networks. */
export function receptiveFields(model: ModelSpec): ReceptiveField[] {
  let steps: ReturnType<typeof propagateShapes>;
  try {
    steps = propagateShapes(model); // checks the model and every layer
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(`layers.receptiveFields: ${message.replace(/^layers\.propagateShapes: /, "")}`, { cause: e });
  }
  const first = model.layers[0];
  const inputSize: [number, number] = first.kind === "input" && first.shape.length === 3 ? [first.shape[0], first.shape[1]] : [1, 1];
  let size: [number, number] = [1, 1];
  let jump: [number, number] = [1, 1];
  let whole = false;
  return steps.map((s) => {
    const layer = s.layer;
    let formula = `${size[0]} (unchanged)`;
    if (!whole && (layer.kind === "conv2d" || layer.kind === "pool")) {
      const k = pair(layer.kind === "conv2d" ? layer.kernel : layer.size, [1, 1]);
      const st = pair(layer.stride, layer.kind === "pool" ? k : [1, 1]);
      formula = `${size[0]} + (${k[0]} − 1) × ${jump[0]} = ${size[0] + (k[0] - 1) * jump[0]}`;
      size = [size[0] + (k[0] - 1) * jump[0], size[1] + (k[1] - 1) * jump[1]];
      jump = [jump[0] * st[0], jump[1] * st[1]];
    } else if (layer.kind === "dense" || layer.kind === "flatten") {
      if (!whole) formula = `the whole ${inputSize[0]}×${inputSize[1]} input`;
      whole = true;
      size = [...inputSize];
    }
    return { name: s.name, kind: layer.kind, size: [...size], jump: [...jump], formula };
  });
}

/** The receptive field of n stacked k×k convolutions with stride 1: 1 + n(k − 1) — 11-training-deep-networks. */
export function stackedReceptiveField(n: number, k: number): number {
  positiveInteger("layers.stackedReceptiveField", "n", n);
  positiveInteger("layers.stackedReceptiveField", "k", k);
  return 1 + n * (k - 1);
}
