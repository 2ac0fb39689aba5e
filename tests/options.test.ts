// Options objects: every public function that takes one refuses a misspelt key, names the nearest valid key, lists
// exactly the keys its type declares, and refuses options that are not an object. The functions are found from the
// library's types (every parameter named `options` or typed `…Options`), so a new function with options must get an
// example call here: the first test fails until it has one.
import ndarray from "ndarray";
import * as path from "path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as dl from "../src";
import { setDisplaySink } from "../src/display";

interface OptionsParam {
  /** The public name, e.g. "conv.correlate2d". */
  name: string;
  /** Which argument is the options object. */
  index: number;
  /** The keys its type declares. */
  keys: string[];
}

/** Every public function (or class) with an options parameter, read from src/index.ts by the TypeScript checker. */
function optionsParams(): OptionsParam[] {
  const file = path.join(__dirname, "..", "src", "index.ts");
  const program = ts.createProgram([file], { strict: true, skipLibCheck: true, esModuleInterop: true, noEmit: true });
  const checker = program.getTypeChecker();
  const found = new Map<string, OptionsParam>();
  const visit = (module: ts.Symbol, prefix: string): void => {
    for (const exported of checker.getExportsOfModule(module)) {
      const name = prefix ? `${prefix}.${exported.name}` : exported.name;
      if (name === "tf") continue; // TensorFlow.js's own API
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (symbol.flags & ts.SymbolFlags.ValueModule) {
        visit(symbol, name);
        continue;
      }
      const declaration = symbol.valueDeclaration;
      if (!declaration || !(symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class))) continue;
      const type = checker.getTypeOfSymbolAtLocation(symbol, declaration);
      const signatures = symbol.flags & ts.SymbolFlags.Class ? type.getConstructSignatures() : type.getCallSignatures();
      for (const signature of signatures) {
        signature.parameters.forEach((parameter, index) => {
          const parameterType = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(parameter, parameter.valueDeclaration!));
          if (parameter.name !== "options" && !/Options\b/.test(checker.typeToString(parameterType))) return;
          const keys = parameterType.getProperties().map((p) => p.name);
          found.set(name, { name, index, keys: keys.sort() });
        });
      }
    }
  };
  visit(checker.getSymbolAtLocation(program.getSourceFile(file)!)!, "");
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Look up a public function by its dotted name. */
function publicFunction(name: string): (...args: unknown[]) => unknown {
  let value: unknown = dl;
  for (const part of name.split(".")) value = (value as Record<string, unknown>)[part];
  if (typeof value !== "function") throw new Error(`no public function ${name}`);
  const f = value as (...args: unknown[]) => unknown;
  return /^class\b/.test(Function.prototype.toString.call(f)) ? (...args) => Reflect.construct(f, args) : f;
}

const M = [
  [1, 2, 3],
  [4, 5, 6],
  [7, 8, 9],
];
const K = [
  [1, 0],
  [0, -1],
];
/** A few tiny labelled examples: four 2×2 one-channel images of classes 0 and 1. */
const examples = (): dl.train.Examples => ({
  x: new Float32Array([0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0]),
  y: new Uint8Array([0, 1, 0, 1]),
  shape: [2, 2, 1],
  count: 4,
});
const tinyModel = (): dl.tf.LayersModel => {
  const m = dl.tf.sequential({
    layers: [dl.tf.layers.flatten({ inputShape: [2, 2, 1] }), dl.tf.layers.dense({ units: 2, activation: "softmax" })],
  });
  m.compile({ optimizer: "sgd", loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  return m;
};
const lossNode = (): dl.autodiff.Scalar => {
  const w = dl.autodiff.param(2, "w");
  const y = dl.autodiff.mul(w, dl.autodiff.input(3, "x"), "y");
  dl.autodiff.backward(y);
  return y;
};
const traceRows = (): unknown[] => dl.autodiff.trace(lossNode());
const square = (xs: dl.autodiff.Scalar[]): dl.autodiff.Scalar => dl.autodiff.mul(xs[0], xs[0]);

/**
 * One valid call per function: its arguments, with the options object where the types put it. Kept small and fast;
 * each must run as given (the first check below).
 */
const EXAMPLES: Record<string, () => unknown[]> = {
  check: () => ["one", 1, 1, {}],
  checkTrue: () => ["yes", true, {}],
  checkThrows: () => ["throws", () => dl.conv.pad2d(M, -1), "pad2d", {}],
  display: () => [{ "text/plain": "hi" }, {}],
  clearOutput: () => [{}],
  "conv.outputSize": () => [{ input: 5, kernel: 3 }],
  "conv.outputSizeWorking": () => [{ input: 5, kernel: 3 }],
  "conv.outputShape": () => [{ input: [5, 5], kernel: [3, 3] }],
  "conv.outputShapeWorking": () => [{ input: [5, 5], kernel: [3, 3] }],
  "conv.correlate2d": () => [M, K, {}],
  "conv.convolve2d": () => [M, K, {}],
  "conv.normalizedFilter": () => [M, K, {}],
  "conv.correlate1d": () => [[1, 2, 3, 4], [1, -1], {}],
  "conv.convolve1d": () => [[1, 2, 3, 4], [1, -1], {}],
  "conv.conv2d": () => [dl.array.stackChannels([M]), dl.array.stackKernels([dl.array.stackChannels([K])]), {}],
  "conv.conv2dBatch": () => [ndarray(new Float64Array(9), [1, 3, 3, 1]), ndarray(new Float64Array(4), [2, 2, 1, 1]), {}],
  "conv.explainCorrelate2d": () => [M, K, {}],
  "conv.explainConv2d": () => [dl.array.stackChannels([M]), dl.array.stackChannels([K]), {}],
  "conv.symbolicCorrelate2d": () => [
    [
      ["a", "b"],
      ["c", "d"],
    ],
    [["w"]],
    {},
  ],
  "pool.pool2d": () => [M, {}],
  "pool.maxPool2d": () => [M, {}],
  "pool.poolChannels": () => [dl.array.stackChannels([M]), { window: 3 }],
  "pool.explainPool2d": () => [M, {}],
  "pool.poolingWalk": () => [M, {}],
  "kernels.apply": () => [M, "identity", {}],
  "autodiff.maxPool": () => [dl.autodiff.input(M, "x"), {}],
  "autodiff.trace": () => [lossNode(), {}],
  "autodiff.gradCheck": () => [square, [3], {}],
  "autodiff.gradCheckTensors": () => [(xs: dl.autodiff.Tensor[]) => dl.autodiff.sum(dl.autodiff.mul(xs[0], xs[0])), [K], {}],
  "mlp.MLP": () => [[2, 2, 1], {}],
  "mlp.train": () => [new dl.mlp.MLP([2, 2, 1], { seed: 1 }), [[0, 1]], [[1]], { lr: 0.1, steps: 2 }],
  "xor.grid": () => [dl.xor.train({ steps: 5 }).theta, { steps: 3 }],
  "xor.train": () => [{ steps: 5 }],
  "xor.convergence": () => [{ seeds: [1], steps: 5 }],
  "layers.conv": () => [{ filters: 2, kernel: 3 }],
  "layers.pool": () => [{ mode: "max", size: 2 }],
  "layers.dense": () => [{ units: 3 }],
  "layers.compareFcConv": () => [{ input: [4, 4, 1], filters: 2, kernel: 3 }],
  "models.lenet5": () => [{}],
  "models.toTfModel": () => [dl.models.lenet5(), {}],
  "data.loadMnist": () => ["test", { limit: 2 }],
  "data.loadPhoto": () => ["camera", {}],
  "data.loadXAndO": () => [{}],
  "data.loadWorkedExamples": () => [{}],
  "train.fit": () => [tinyModel(), examples(), { epochs: 1, batchSize: 4 }],
  "train.evaluate": () => [tinyModel(), examples(), {}],
  "train.randomMoves": () => [{ maxShift: 1 }],
  "train.monitor": () => [{}],
  "train.classifier": () => [{ inputSize: 4, hidden: [3], classes: 2 }],
  "train.withOptimiser": () => [
    dl.train.classifier({ inputSize: 4, hidden: [3], classes: 2 }),
    { ...examples(), shape: [4] },
    { optimiser: "sgd", learningRate: 0.1, epochs: 1, batchSize: 4 },
  ],
  "attacks.fgsm": () => [tinyModel(), examples(), { epsilon: 0.1 }],
  "attacks.invertClasses": () => [tinyModel(), [0], [2, 2, 1], { steps: 2 }],
  "plot.matrixFigure": () => [M, {}],
  "plot.matrixRowFigure": () => [[{ values: M }, { values: K }], {}],
  "plot.imageFigure": () => [M, {}],
  "plot.imageGridFigure": () => [[{ image: M }], {}],
  "plot.lineFigure": () => [[{ name: "loss", y: [3, 2, 1] }], {}],
  "plot.barFigure": () => [["a", "b"], [1, 2], {}],
  "plot.confusionMatrixFigure": () => [K.map((r) => r.map(Math.abs)), {}],
  "plot.decisionBoundaryFigure": () => [
    { xs: [0, 1], ys: [0, 1], z: K.map((r) => r.map(Math.abs)) },
    { x: [0, 1], y: [1, 0], label: [0, 1] },
    {},
  ],
  "plot.computationGraphFigure": () => [dl.autodiff.graph(lossNode()), {}],
  "plot.traceBundle": () => [traceRows(), {}],
  "plot.showTrace": () => [traceRows(), {}],
  "plot.figureBundle": () => [dl.plot.matrixFigure(M), {}],
  "plot.progressBar": () => [{ epochs: 1, batches: 2, batchSize: 4 }],
  "deep.network": () => [{ depth: 3, width: 4, activation: "relu" }],
  "resnet.denseStack": () => [{ inputSize: 4, width: 4, depth: 2, classes: 2 }],
  "dropout.apply": () => [dl.autodiff.input(M, "x"), { rate: 0.5, training: true, random: dl.data.seededRandom(1) }],
  "optimisers.create": () => [{ kind: "sgd", learningRate: 0.1 }],
  "optimisers.minimise": () => [square, [3], { kind: "sgd", learningRate: 0.1, steps: 2 }],
  "rnn.params": () => [{ hidden: 2, inputs: 1 }],
  "rnn.gruParams": () => [{ hidden: 2, inputs: 1 }],
  "rnn.gruStep": () => {
    const params = dl.rnn.gruParams({ hidden: 2, inputs: 1, seed: 1 });
    return [params, dl.autodiff.input([[0], [0]], "h"), dl.autodiff.input([[1]], "y"), 1, {}];
  },
  "xai.occlusion": () => [tinyModel(), new Float32Array(4), [2, 2, 1], 0, { patch: 1 }],
};

const MISSPELT = "strdie";

/** The keys an "unknown option" error lists, in the library's wording "options may have 'a', 'b' or 'c'". */
function listedKeys(message: string): string[] {
  const list = message.split(" may have ")[1] ?? "";
  return [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]).sort();
}

/** Call, waiting for a promise; the error it throws (or rejects with), or undefined when it returns. */
async function errorOf(name: string, args: unknown[]): Promise<Error | undefined> {
  try {
    await publicFunction(name)(...args);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

describe("options objects", () => {
  const params = optionsParams();
  beforeAll(() => setDisplaySink(() => {}));
  afterAll(() => setDisplaySink(null));

  it("every public function with options is found from the types and has an example call here", () => {
    expect(params.length).toBeGreaterThan(60);
    expect(params.map((p) => p.name).filter((name) => !EXAMPLES[name])).toEqual([]);
    expect(Object.keys(EXAMPLES).filter((name) => !params.some((p) => p.name === name))).toEqual([]);
  });

  it.each(params.map((p) => [p.name, p] as const))(
    "%s: runs its example, refuses a misspelt key naming the nearest, lists its type's keys, refuses a non-object",
    async (name, p) => {
      const example = EXAMPLES[name];
      expect(example, `no example for ${name}`).toBeDefined();
      expect(await errorOf(name, example())).toBeUndefined();

      // An unknown key: named, with every key the type declares (no more, no fewer) listed.
      const unknown = example();
      unknown[p.index] = { ...(unknown[p.index] as object), [MISSPELT]: 1 };
      const error = await errorOf(name, unknown);
      expect(error?.message).toMatch(new RegExp(`^${name.replace(".", "\\.")}: unknown option '${MISSPELT}'`));
      expect(listedKeys(error!.message)).toEqual(p.keys);

      // A near miss of a real key (one letter more): the error suggests that key.
      const key = p.keys.find((k) => k.length >= 4) ?? p.keys[0];
      const near = example();
      near[p.index] = { ...(near[p.index] as object), [`${key}x`]: 1 };
      expect((await errorOf(name, near))?.message).toContain(`(did you mean '${key}'?)`);

      // Options that are not an object at all.
      const number = example();
      number[p.index] = 5;
      const refused = await errorOf(name, number);
      expect(refused?.message.startsWith(`${name}:`), refused?.message ?? "returned").toBe(true);
      expect(refused?.message).toContain("5");
    },
  );
});
