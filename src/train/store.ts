// Keep a trained model on disk so that a later notebook can use it without training again
// (09-training-lenet-mnist saves LeNet-5 to build/models/, 10-when-cnns-fail loads it).
// TensorFlow.js in Node has no file:// handler without tfjs-node; these write the same two files.
import { fail } from "../args";
import { dirArg, modelArg } from "./args";
import { describe as formatValue } from "../args";
import * as fs from "fs";
import * as path from "path";
import { tf } from "../tf";

/** Where the course keeps trained models: build/models/<name> in the package (not committed) — 09-training-lenet-mnist. */
export function modelPath(name: string): string {
  if (typeof name !== "string") fail("train.modelPath", "name", "letters, digits, '.', '_' or '-'", name);
  if (!/^[A-Za-z0-9_.-]+$/.test(name))
    throw new Error(`train.modelPath: name must be letters, digits, '.', '_' or '-', got ${formatValue(name)}`);
  return path.resolve(__dirname, "..", "..", "build", "models", name);
}

/** Save `model` as `dir`/model.json (architecture, weight list) and `dir`/weights.bin — 09-training-lenet-mnist. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  modelArg("train.saveModel", model);
  dirArg("train.saveModel", dir);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      fs.mkdirSync(dir, { recursive: true });
      const weights = artifacts.weightData;
      const bytes =
        weights === undefined
          ? new Uint8Array(0)
          : new Uint8Array(tf.io.concatenateArrayBuffers(Array.isArray(weights) ? weights : [weights]));
      const { modelTopology, weightSpecs, format, generatedBy, convertedBy } = artifacts;
      fs.writeFileSync(path.join(dir, "model.json"), JSON.stringify({ modelTopology, weightSpecs, format, generatedBy, convertedBy }));
      fs.writeFileSync(path.join(dir, "weights.bin"), bytes);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

/** True when `dir` holds a model saved by `saveModel` — 10-when-cnns-fail. */
export function hasModel(dir: string): boolean {
  dirArg("train.hasModel", dir);
  return fs.existsSync(path.join(dir, "model.json")) && fs.existsSync(path.join(dir, "weights.bin"));
}

/** Load a model saved by `saveModel` — 10-when-cnns-fail. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  dirArg("train.loadModel", dir);
  if (!hasModel(dir)) throw new Error(`train.loadModel: ${dir} holds no saved model (model.json and weights.bin)`);
  const json: unknown = JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8"));
  const file = path.join(dir, "model.json");
  if (typeof json !== "object" || json === null || !("modelTopology" in json) || !("weightSpecs" in json)) {
    throw new Error(`train.loadModel: ${file} is not a saved model`);
  }
  const { modelTopology, weightSpecs } = json;
  if (typeof modelTopology !== "object" || modelTopology === null || !isWeightSpecs(weightSpecs)) {
    throw new Error(`train.loadModel: ${file} has no architecture or weight list`);
  }
  const bytes = fs.readFileSync(path.join(dir, "weights.bin"));
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology, weightSpecs, weightData }));
}

/** A weight list as saveModel writes it: name, shape and dtype of every weight. */
function isWeightSpecs(value: unknown): value is tf.io.WeightsManifestEntry[] {
  return (
    Array.isArray(value) &&
    value.every(
      (w: unknown) =>
        typeof w === "object" &&
        w !== null &&
        "name" in w &&
        typeof w.name === "string" &&
        "shape" in w &&
        Array.isArray(w.shape) &&
        "dtype" in w &&
        w.dtype === "float32",
    )
  );
}
