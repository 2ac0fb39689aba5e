// Keeping the self-checks honest while a submission is graded.
//
// A submission runs in the same kernel as the restored test cells, so it could try to make a test
// pass without solving anything: print "✔" lines, patch a built-in the checks use (and restore it
// later), shadow `dl`, or hook the kernel's own machinery to see or rewrite the test cells. The
// grader runs one cell of its own first (`setupCell`), before any student code:
// - it removes the kernel's connection file and ipc socket files (the grader is connected already:
//   no one else can connect, read the key or listen to the kernel's messages);
// - it freezes the JavaScript intrinsics (Object, Array, Math, JSON, Number, Promise… and their
//   prototypes; Error keeps only `stackTraceLimit` writable, which TypeScript sets), with
//   assignments such as `x.toString = …` on ordinary objects still working, as SES does;
// - it freezes the kernel's machinery (tslab, zeromq, TypeScript, vm, module, crypto) and the
//   library, refuses `inspector` and `v8` (heap snapshots), native addons and process.binding,
//   and keeps SIGUSR1 from opening the inspector;
// - it holds, in a closure, one random confirmation per test cell. Each restored test cell calls
//   the guard first (`guardTestCell`), which throws when `dl` or a built-in the cell sees is not
//   the original, and ends by asking for its confirmation with a random nonce that appears only in
//   that cell's source. The grader gives a test cell its points only when the kernel said `ok`
//   and that cell's confirmation is on its stdout: printing "✔" lines or a forged reply does not
//   produce it, and a check that throws never reaches it.
import { randomBytes } from "crypto";
import { isAbsolute, join } from "path";
import * as ts from "@tslab/typescript-for-tslab";

/** A fresh guard name: an identifier a submission cannot know in advance. */
export function newGuardName(): string {
  return `gradingGuard${randomBytes(8).toString("hex")}`;
}

/** A test cell's secret pair: the nonce in its source, the confirmation the guard prints for it. */
export interface Confirmation {
  nonce: string;
  tag: string;
}

/** One confirmation per test cell, fresh for each run. */
export function newConfirmations(count: number): Confirmation[] {
  return Array.from({ length: count }, () => ({
    nonce: randomBytes(12).toString("hex"),
    tag: `#grading-confirmation ${randomBytes(24).toString("hex")}`,
  }));
}

/** The line the guard prints for a completed test cell (the grader looks for it and removes it). */
export const CONFIRMATION_PREFIX = "#grading-confirmation ";

function checkGuardName(caller: string, guard: string): void {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(guard)) throw new Error(`${caller}: guard must be a plain identifier, got ${JSON.stringify(guard)}`);
}

/** Global names a test cell's own references are checked against (shadowing them is refused). */
const SHADOWABLE = ["Math", "JSON", "Object", "Array", "Number", "String", "Reflect", "Boolean", "Symbol", "Promise", "Map", "Set"];

/** Intrinsics frozen before student code, with their prototypes (Error is handled on its own). */
const INTRINSICS = [
  "Object",
  "Function",
  "Array",
  "Number",
  "Boolean",
  "String",
  "Symbol",
  "BigInt",
  "Math",
  "JSON",
  "Reflect",
  "Promise",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "WeakRef",
  "RegExp",
  "Date",
  "ArrayBuffer",
  "SharedArrayBuffer",
  "DataView",
  "Atomics",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
  "Proxy",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
  "EvalError",
  "URIError",
  "AggregateError",
  "Intl",
  "WebAssembly",
  "isNaN",
  "isFinite",
  "parseInt",
  "parseFloat",
];

/** Built-in modules whose exports (and classes) the kernel uses to run cells and sign messages. */
const MACHINERY_BUILTINS = ["vm", "module", "crypto"];

/** Modules that could read the kernel's memory (heap snapshots, the debugger): refused. */
const REFUSED_MODULES = ["inspector", "v8", "trace_events", "wasi", "inspector/promises"];

/**
 * The grader's first cell. `root` is the project root as the kernel sees it; `forbidden` lists
 * files the kernel must not be able to read (the instructor's notebook): if it can, the cell fails
 * and the submission is reported as a grader error rather than graded without isolation.
 */
export function setupCell(root: string, guard: string, forbidden: string[], confirmations: Confirmation[]): string {
  if (!isAbsolute(root)) throw new Error(`setupCell: root must be an absolute path, got ${JSON.stringify(root)}`);
  checkGuardName("setupCell", guard);
  const dist = join(root, "dist");
  const machinery = ["tslab", "zeromq", "@tslab"].map((m) => join(root, "node_modules", m) + "/");
  return `// Added by the grader (not part of the notebook): keeps the self-checks honest.
{
  const fs = require("fs");
  // 1. Nobody else may connect to this kernel: remove its connection file and ipc socket files.
  const connectionFile = process.argv[process.argv.length - 1];
  try {
    const connection = JSON.parse(fs.readFileSync(connectionFile, "utf8"));
    if (connection.transport === "ipc") {
      for (const port of ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"]) {
        for (const sep of [":", "-"]) fs.rmSync(connection.ip + sep + connection[port], { force: true });
      }
    }
    fs.rmSync(connectionFile, { force: true });
  } catch {
    // Gone already.
  }
  // 2. No native code, no debugger, no heap snapshots.
  const Module = require("module");
  const load = Module._load;
  const refused = new Set(${JSON.stringify(REFUSED_MODULES.flatMap((m) => [m, `node:${m}`]))});
  Module._load = function (request: string, ...rest: unknown[]) {
    if (refused.has(request)) throw new Error("the grader does not allow require(" + JSON.stringify(request) + ")");
    return load.call(this, request, ...rest);
  };
  // process.getBuiltinModule (Node 20.16) hands out built-in modules without Module._load.
  const builtin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof builtin === "function") {
    const guarded = (id: string) => {
      if (refused.has(id)) throw new Error("the grader does not allow process.getBuiltinModule(" + JSON.stringify(id) + ")");
      return builtin.call(process, id);
    };
    Object.defineProperty(process, "getBuiltinModule", { value: guarded, writable: false, configurable: false });
  }
  const refuse = (what: string) => () => {
    throw new Error("the grader does not allow " + what);
  };
  for (const name of ["dlopen", "binding", "_linkedBinding", "_debugProcess", "_debugEnd"]) {
    Object.defineProperty(process, name, { value: refuse("process." + name), writable: false, configurable: false });
  }
  // SIGUSR1 (from the kernel itself or a child) would open Node's inspector on 127.0.0.1:9229,
  // and a debugger reads every closure. With a listener, the signal only calls it; removing the
  // listener leaves the default action, which ends the kernel.
  process.on("SIGUSR1", () => undefined);
  // 3. Freeze the intrinsics. Assigning an inherited name (toString, name, constructor…) on an
  // ordinary object still works: those become accessors that define the object's own property.
  const overridable = ["constructor", "toString", "valueOf", "toLocaleString", "toJSON", "name", "message", "stack", "then", "hasOwnProperty"];
  const tame = (proto: object, names: PropertyKey[] = overridable): void => {
    for (const name of names) {
      const d = Object.getOwnPropertyDescriptor(proto, name);
      if (!d || !("value" in d) || !d.configurable) continue;
      const value = d.value;
      Object.defineProperty(proto, name, {
        get() {
          return value;
        },
        set(this: object, next: unknown) {
          if (this === proto) throw new TypeError("Cannot assign to read only property '" + String(name) + "' of a frozen object");
          Object.defineProperty(this, name, { value: next, writable: true, enumerable: true, configurable: true });
        },
        enumerable: d.enumerable,
        configurable: false,
      });
    }
  };
  for (const name of ["caller", "arguments"]) delete (Function.prototype as unknown as Record<string, unknown>)[name];
  const deepFreeze = (x: unknown): void => {
    if ((typeof x !== "object" && typeof x !== "function") || x === null || x === Error || Object.isFrozen(x)) return;
    const proto = (x as { prototype?: unknown }).prototype;
    if (typeof x === "function" && typeof proto === "object" && proto !== null) tame(proto);
    if (typeof x === "object") tame(x);
    Object.freeze(x);
    for (const key of Reflect.ownKeys(x)) {
      const d = Object.getOwnPropertyDescriptor(x, key);
      if (d && "value" in d) deepFreeze(d.value);
    }
    deepFreeze(Object.getPrototypeOf(x));
  };
  const intrinsics: unknown[] = ${JSON.stringify(INTRINSICS)}.map((name: string) => (globalThis as unknown as Record<string, unknown>)[name]);
  intrinsics.push(Object.getPrototypeOf(function* () {}), Object.getPrototypeOf(async function () {}), Object.getPrototypeOf([][Symbol.iterator]()), Object.getPrototypeOf(Int8Array));
  tame(Error.prototype);
  deepFreeze(Error.prototype);
  for (const key of Reflect.ownKeys(Error)) {
    if (key === "stackTraceLimit") continue;
    const d = Object.getOwnPropertyDescriptor(Error, key);
    if (d && d.configurable) Object.defineProperty(Error, key, "value" in d ? { value: d.value, writable: false, configurable: false } : { get: d.get, set: d.set, configurable: false });
  }
  Object.defineProperty(Error, "prepareStackTrace", { value: Error.prepareStackTrace, writable: false, configurable: false });
  Object.preventExtensions(Error);
  for (const x of intrinsics) deepFreeze(x);
  for (const name of [...${JSON.stringify(INTRINSICS)}, "Error", "globalThis"]) {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    if (d && d.configurable) Object.defineProperty(globalThis, name, { value: d.value, writable: false, configurable: false });
  }
  // 4. Freeze the kernel's machinery and the library.
  const library: unknown = require(${JSON.stringify(join(dist, "index.js"))});
  const hardened = new WeakSet<object>();
  // Its classes' prototypes and functions: every method becomes fixed (an own property of an
  // instance can still be set, as with the intrinsics); the prototype chain is not followed.
  const harden = (x: unknown, depth: number): void => {
    if ((typeof x !== "object" && typeof x !== "function") || x === null || x === Error || hardened.has(x) || Object.isFrozen(x)) return;
    hardened.add(x);
    for (const key of Reflect.ownKeys(x)) {
      const d = Object.getOwnPropertyDescriptor(x, key);
      if (d && "value" in d && depth > 0) harden(d.value, depth - 1);
    }
    if (typeof x === "function" && depth > 0) harden((x as { prototype?: unknown }).prototype, depth);
    tame(x, Reflect.ownKeys(x));
    for (const key of Reflect.ownKeys(x)) {
      const d = Object.getOwnPropertyDescriptor(x, key);
      if (d && d.configurable && !("value" in d)) Object.defineProperty(x, key, { get: d.get, set: d.set, configurable: false });
    }
    Object.preventExtensions(x);
  };
  const keep = new Set(["lastWriteDisplayData"]);
  const lock = (exports: unknown): void => {
    if ((typeof exports !== "object" && typeof exports !== "function") || exports === null) return;
    for (const key of Reflect.ownKeys(exports)) {
      if (typeof key === "string" && keep.has(key)) continue;
      try {
        void (exports as Record<PropertyKey, unknown>)[key]; // a lazy getter defines its value now
      } catch {
        // A getter that throws stays as it is.
      }
      const d = Object.getOwnPropertyDescriptor(exports, key);
      if (!d || !d.configurable) continue;
      Object.defineProperty(exports, key, "value" in d ? { value: d.value, writable: false, configurable: false } : { get: d.get, set: d.set, configurable: false });
    }
    let extensible = true;
    for (const key of keep) if (Object.prototype.hasOwnProperty.call(exports, key)) extensible = false;
    if (extensible) Object.preventExtensions(exports);
  };
  const machinery = ${JSON.stringify(machinery)};
  for (const [file, loaded] of Object.entries(require.cache)) {
    if (!loaded) continue;
    if (file.startsWith(${JSON.stringify(dist + "/")})) Object.freeze(loaded.exports);
    else if (machinery.some((m) => file.startsWith(m))) {
      lock(loaded.exports);
      for (const value of Object.values(loaded.exports ?? {})) if (typeof value === "function") harden(value.prototype, 3);
    }
  }
  for (const name of ${JSON.stringify(MACHINERY_BUILTINS)}) {
    const exports = require(name);
    lock(exports);
    for (const value of Object.values(exports)) if (typeof value === "function") harden(value.prototype, 3);
  }
  harden(Module, 1);
  const tslabGlobal = Object.getOwnPropertyDescriptor(globalThis, "__tslab__");
  if (tslabGlobal) {
    Object.freeze(tslabGlobal.value);
    Object.defineProperty(globalThis, "__tslab__", { value: tslabGlobal.value, writable: false, configurable: false });
  }
  // 5. The guard each test cell calls first, and the confirmations it ends with.
  const originals = [${SHADOWABLE.join(", ")}];
  const confirmations = new Map<string, string>(${JSON.stringify(confirmations.map((c) => [c.nonce, c.tag]))});
  const write = (line: string) => process.stdout.write(line);
  const check = (checkLibrary: boolean, dl: unknown, seen: unknown[]): void => {
    if (checkLibrary && dl !== library) throw new Error("the self-checks were replaced: \`dl\` is not the dl-by-hand library here");
    for (let i = 0; i < originals.length; i++) {
      if (seen[i] !== originals[i]) throw new Error("the self-checks were tampered with: a built-in this test uses was replaced");
    }
  };
  const done = <T,>(nonce: string, value: T): T => {
    const tag = confirmations.get(nonce);
    confirmations.delete(nonce);
    if (tag !== undefined) write("\\n" + tag + "\\n");
    return value;
  };
  Object.defineProperty(globalThis, ${JSON.stringify(guard)}, { value: Object.freeze({ check: Object.freeze(check), done: Object.freeze(done) }), writable: false, configurable: false });
  for (const file of ${JSON.stringify(forbidden)}) {
    let content = "";
    try {
      content = fs.readFileSync(file, "utf8");
    } catch {
      // Not there for the kernel: as it should be.
    }
    if (content !== "") throw new Error("grading is not isolated: the kernel can read " + file);
  }
}
`;
}

/**
 * A restored test cell that calls the guard first and asks for its confirmation last. The call
 * goes on the first line and the last expression is wrapped where it stands, so the line numbers
 * of the test's own errors do not move and its value (partial credit) is still the cell's value.
 */
export function guardTestCell(source: string, guard: string, nonce: string): string {
  checkGuardName("guardTestCell", guard);
  if (!/^[0-9a-f]+$/.test(nonce)) throw new Error(`guardTestCell: nonce must be hexadecimal, got ${JSON.stringify(nonce)}`);
  const usesLibrary = /\bdl\s*\./.test(source);
  const seen = `[${SHADOWABLE.join(", ")}]`;
  const call = `${guard}.check(${usesLibrary ? "true, dl" : "false, null"}, ${seen});`;
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const last = file.statements[file.statements.length - 1];
  const done = (value: string) => `${guard}.done(${JSON.stringify(nonce)}, ${value})`;
  let body: string;
  if (last !== undefined && ts.isExpressionStatement(last)) {
    const expression = last.expression;
    const start = expression.getStart(file);
    body = source.slice(0, start) + done(`(${source.slice(start, expression.end)})`) + source.slice(expression.end);
  } else {
    body = `${source}\n${done("undefined")};`;
  }
  // Strict, so that a student's function it calls cannot reach it (and its source) as `f.caller`.
  return `"use strict"; declare const ${guard}: { check(checkLibrary: boolean, dl: unknown, seen: unknown[]): void; done<T>(nonce: string, value: T): T }; ${call} ${body}`;
}
