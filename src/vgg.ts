// VGG-16 (Simonyan & Zisserman 2014; lecture 002: "VGGNet used filters of this shape", 3×3 with
// stride 1 and padding 1): thirteen 3×3 convolutions in five blocks, each block ending in 2×2 max
// pooling, then three fully-connected layers.
import { convLayer, denseLayer, flattenLayer, inputLayer, poolLayer, type LayerSpec, type ModelSpec } from "./layers";

/** VGG-16 on a 224×224×3 image: 13 conv (3×3, pad 1) + 3 FC layers, 138,357,544 parameters — 11-training-deep-networks. */
export function vgg16(...extra: unknown[]): ModelSpec {
  if (extra.length > 0) throw new Error(`models.vgg16: takes no arguments, got ${extra.length}`);
  const blocks: Array<[number, number]> = [
    [64, 2],
    [128, 2],
    [256, 3],
    [512, 3],
    [512, 3],
  ];
  const layers: LayerSpec[] = [inputLayer([224, 224, 3])];
  blocks.forEach(([filters, convs], b) => {
    for (let c = 1; c <= convs; c++)
      layers.push(convLayer({ name: `conv${b + 1}_${c}`, filters, kernel: 3, padding: 1, activation: "relu" }));
    layers.push(poolLayer({ name: `pool${b + 1}`, mode: "max", size: 2 }));
  });
  layers.push(
    flattenLayer("flatten"),
    denseLayer({ name: "fc6", units: 4096, activation: "relu" }),
    denseLayer({ name: "fc7", units: 4096, activation: "relu" }),
    denseLayer({ name: "fc8", units: 1000, activation: "softmax" }),
  );
  return { name: "VGG-16 (224×224×3)", layers };
}
