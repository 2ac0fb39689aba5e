// The fuzzer's worker (run by tests/fuzz.test.ts, or by hand: node tests/fuzz/worker.js <dist/index.js> <seed> <calls> [from]).
// It walks every export of the library recursively, calls each function with hostile arguments and reports each
// outcome to the parent over IPC. Before each call it says which call starts, so the parent's watchdog can name a
// call that hangs, kill this process and start a new one after it.
"use strict";
const fc = require("fast-check");
const os = require("os");
const fs = require("fs");
const path = require("path");

const [distIndex, seedText, callsText, fromText] = process.argv.slice(2);
const seed = Number(seedText);
const totalCalls = Number(callsText);
const from = Number(fromText ?? 0);
process.chdir(fs.mkdtempSync(path.join(os.tmpdir(), "dl-fuzz-")));
const dl = require(distIndex);
const tf = dl.tf;

// ------------------------------------------------------------------ what to call
const SKIP = new Set(["tf", "version"]);
const isClass = (f) => /^class\b/.test(Function.prototype.toString.call(f));
/** How many parameters a function declares (with defaults and rest), read from its source. */
function paramCount(f) {
  const src = Function.prototype.toString.call(f);
  let at = isClass(f) ? src.indexOf("constructor(") : src.indexOf("(");
  if (at < 0) return isClass(f) ? 0 : f.length;
  at = src.indexOf("(", at);
  let depth = 0;
  let count = 0;
  let any = false;
  for (let i = at; i < src.length; i++) {
    const ch = src[i];
    if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) {
      depth--;
      if (depth === 0) break;
    } else if (ch === "," && depth === 1) count++;
    else if (depth >= 1 && !/\s/.test(ch)) any = true;
  }
  return any ? count + 1 : 0;
}
function walk(obj, prefix, out, depth) {
  for (const key of Object.keys(obj).sort()) {
    if (SKIP.has(key) && depth === 0) continue;
    const v = obj[key];
    const name = prefix ? `${prefix}.${key}` : key;
    // Error classes (CheckError) are exported for `instanceof`; constructing one is JavaScript's Error, not the library.
    if (typeof v === "function" && v.prototype instanceof Error) continue;
    if (typeof v === "function") out.push({ name, fn: v, cls: isClass(v), params: paramCount(v) });
    else if (v && typeof v === "object" && !Array.isArray(v) && depth < 2) walk(v, name, out, depth + 1);
  }
  return out;
}
// FUZZ_ONLY=conv. fuzzes only the functions whose public name starts with it (for working on one group).
const targets = walk(dl, "", [], 0).filter((t) => t.name.startsWith(process.env.FUZZ_ONLY ?? ""));

// ------------------------------------------------------------------ hostile values
let model = null;
try {
  model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2, 1] }), tf.layers.dense({ units: 2, activation: "softmax" })] });
  model.compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
} catch {
  model = null;
}
const hostileProxy = (target) =>
  new Proxy(target, {
    get() {
      throw new Error("hostile proxy");
    },
    ownKeys() {
      throw new Error("hostile proxy");
    },
  });

function circularArray() {
  const circular = [1, 2];
  circular.push(circular);
  return circular;
}
function circularObject() {
  const o = { stride: 1 };
  o.self = o;
  return o;
}
function deeplyNested() {
  let deep = [1];
  for (let i = 0; i < 20000; i++) deep = [deep];
  return deep;
}
/**
 * The hostile values, each made fresh for the call that picks it (so that a call which mutates its arguments cannot
 * change the next one, and no call pays for making the values it does not get). WRONG below counts on this order.
 */
const ATOM_MAKERS = [
  () => "abc",
  () => "",
  () => "relu",
  () => "stride",
  () => Symbol("s"),
  () => () => 1,
  () => null,
  () => undefined,
  () => true,
  () => false,
  () => NaN,
  () => Infinity,
  () => -Infinity,
  () => -1,
  () => 0,
  () => 1,
  () => 2,
  () => 2.5,
  () => 1e9,
  () => -1e9,
  () => 1e300,
  () => 2 ** 53,
  () => [],
  () => [[]],
  () => [1, 2, 3],
  () => [
    [1, 2],
    [3, 4],
  ],
  () => [[1, 2], [3]],
  () => [[[1]]],
  () => [[1, NaN]],
  () => [["a", "b"]],
  () => [1e9, 1],
  () => [0],
  () => [0, 0],
  circularArray,
  circularObject,
  deeplyNested,
  () => hostileProxy([]),
  () => hostileProxy({}),
  () => new Float32Array(4),
  () => ({}),
  () => ({ strides: 2 }),
  () => ({ stride: 2 }),
  () => ({ padding: 1e9 }),
  () => ({ learningRate: Infinity, epochs: 1 }),
  () => ({ epochs: 1e9 }),
  () => ({ steps: 1e9 }),
  () => ({ size: 1e9 }),
  () => ({ window: 0 }),
  () => ({ mode: "maxx" }),
  () => ({ input: 5, kernel: 3 }),
  () => ({ input: [5, 5], kernel: [3, 3] }),
  () => ({ input: 1e9, kernel: 1 }),
  () => ({ nodes: [], edges: [] }),
  () => ({ data: [1, 2], layout: {} }),
  () => ({ kind: "dense", units: 1e9 }),
  () => ({ name: "m", layers: [] }),
  () => new Array(1e6),
  () => "x".repeat(10000),
  () => ({ x: new Float32Array(8), y: [0, 1], shape: [2, 2, 1], count: 2 }),
  () => model,
];
const ATOMS = ATOM_MAKERS.length;
const hostile = fc.integer({ min: 0, max: ATOMS - 1 });
const argLists = (n) => fc.array(hostile, { minLength: 0, maxLength: Math.min(Math.max(n, 1) + 1, 4) });

// ------------------------------------------------------------------ one call
function nonFinite(x, depth = 0) {
  if (depth > 4) return false;
  if (typeof x === "number") return !Number.isFinite(x);
  if (x === undefined) return depth === 0 ? false : true;
  if (Array.isArray(x)) return x.slice(0, 50).some((v) => nonFinite(v, depth + 1));
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return Array.from(x.slice(0, 200)).some((v) => !Number.isFinite(v));
  return false;
}
/** Atoms no parameter of the library should accept, by their index in ATOM_MAKERS: a symbol, null, circular, deeply nested and hostile values. */
const WRONG = new Set([4, 6, 33, 34, 35, 36, 37]);
const wrongType = (i) => WRONG.has(i);
/** Atoms that are plain objects a function may take as its options (not the wrong-typed ones), by index. */
const PLAIN_OBJECTS = new Set(
  ATOM_MAKERS.map((make, i) => i).filter((i) => {
    if (WRONG.has(i)) return false;
    const v = ATOM_MAKERS[i]();
    return v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype;
  }),
);
/** The misspelt key the fuzzer adds to an options object that a call accepted. */
const MISSPELT = "strdie";
/** Functions whose default arguments are a long (valid) training run, and the small run the fuzzer uses instead. */
const SMALL_BUDGET = { "xor.convergence": { seeds: [1, 2], steps: 50 }, "xor.train": { steps: 50 } };
/** The atoms that ask for every default (undefined and {}), by their index in ATOM_MAKERS. */
const GIVES_DEFAULTS = new Set([7, 39]);
/**
 * Fresh arguments for one planned call. A training run called with its (valid) defaults trains for a minute: it gets
 * a small budget instead (decided from the picks, never by reading the values: a hostile one must reach the library,
 * not crash the fuzzer).
 */
function argsFor(t, picks) {
  const args = picks.map((k) => ATOM_MAKERS[k]());
  if (SMALL_BUDGET[t.name] && (picks.length === 0 || GIVES_DEFAULTS.has(picks[0]))) args[0] = { ...SMALL_BUDGET[t.name] };
  return args;
}
/** Functions that answer a yes/no question about any value: accepting every value is their job. */
const PREDICATES = new Set(["array.isView"]);

function classify(name, error) {
  if (!(error instanceof Error)) return "internal error";
  if (error.name === "CheckError") return "good error";
  const message = String(error.message);
  if (error instanceof RangeError && /call stack/.test(message)) return "stack overflow";
  if (message.startsWith(`${name}:`)) return error instanceof TypeError || error instanceof RangeError ? "internal error" : "good error";
  if (message === "hostile proxy") return "internal error";
  if (/^[A-Za-z][\w.]*:/.test(message) && !(error instanceof TypeError) && !(error instanceof RangeError)) return "wrong name";
  return "internal error";
}

async function settle(value) {
  if (value && typeof value.then === "function") return await value;
  return value;
}

async function main() {
  const plan = [];
  const perTarget = Math.max(1, Math.ceil(totalCalls / targets.length));
  targets.forEach((t, k) => {
    const lists = fc.sample(argLists(t.params), { seed: seed + k * 7919, numRuns: perTarget });
    for (const picks of lists) plan.push({ t, picks });
  });
  process.send({ kind: "plan", count: plan.length, functions: targets.length });
  // FUZZ_SHOW=<index> prints that call's arguments (to reproduce a finding by hand).
  if (process.env.FUZZ_SHOW) {
    const { t, picks } = plan[Number(process.env.FUZZ_SHOW)];
    const args = picks.map((k) => ATOM_MAKERS[k]());
    process.stderr.write(
      `${t.name}(${args
        .map((a) => {
          try {
            return typeof a === "function" ? "() => 1" : typeof a === "symbol" ? "Symbol()" : JSON.stringify(a)?.slice(0, 80);
          } catch {
            return "<circular/hostile>";
          }
        })
        .join(", ")})\n`,
    );
  }
  for (let i = from; i < plan.length; i++) {
    const { t, picks } = plan[i];
    const args = argsFor(t, picks);
    process.send({ kind: "start", index: i, name: t.name });
    let outcome;
    let detail = "";
    try {
      const result = await settle(t.cls ? Reflect.construct(t.fn, args) : Reflect.apply(t.fn, undefined, args));
      if (nonFinite(result)) outcome = "silent NaN";
      // Only declared parameters count: JavaScript ignores extra arguments.
      else if (!PREDICATES.has(t.name) && picks.slice(0, t.params).some(wrongType)) outcome = "accepted wrong type";
      else outcome = "returned";
      // A call that worked with an options object must refuse the same object with a misspelt key added.
      if (outcome === "returned" && !PREDICATES.has(t.name)) {
        for (let p = 0; p < Math.min(picks.length, t.params); p++) {
          if (!PLAIN_OBJECTS.has(picks[p])) continue;
          const again = argsFor(t, picks);
          again[p] = { ...again[p], [MISSPELT]: 1 };
          try {
            await settle(t.cls ? Reflect.construct(t.fn, again) : Reflect.apply(t.fn, undefined, again));
            outcome = "misspelt ignored";
            detail = `argument ${p + 1} ${JSON.stringify(again[p]).slice(0, 80)}`;
          } catch (e) {
            const message = e instanceof Error ? String(e.message) : "";
            if (!message.startsWith(`${t.name}:`) || !message.includes(`'${MISSPELT}'`)) {
              outcome = "misspelt ignored";
              detail = `argument ${p + 1}: ${message.slice(0, 160)}`;
            }
          }
          if (outcome !== "returned") break;
        }
      }
    } catch (e) {
      try {
        outcome = classify(t.name, e);
        detail = e instanceof Error ? `${e.name}: ${String(e.message).slice(0, 160)}` : String(e);
      } catch {
        outcome = "internal error";
        detail = "an error whose message cannot be read";
      }
    }
    process.send({ kind: "done", index: i, name: t.name, outcome, detail });
  }
}
// process.send only queues a message: exit once the last one is sent, or the parent, when slow to read
// (a loaded machine), loses the queue's tail and takes the exit for a crash of the call under way.
main().then(
  () => process.send({ kind: "end" }, () => process.exit(0)),
  (e) => process.send({ kind: "crash", detail: String(e && e.stack) }, () => process.exit(1)),
);
