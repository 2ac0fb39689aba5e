// Keeping the self-checks honest while a submission is graded.
//
// A submission runs in the same kernel as the restored test cells, so it could try to make the tests
// pass without solving anything: shadow `dl` with an object whose `check` always passes, overwrite
// the library's `check` export, or patch a built-in the checks rely on (Math.abs, Array.prototype…).
// The grader runs one extra cell first (`setupCell`), before any student code: it freezes the
// library's modules and Promise, snapshots the built-ins, and installs a guard function on
// globalThis under a name chosen at random for this run (read-only, not configurable). Each restored
// test cell first calls the guard (`guardTestCell`), which throws when `dl` is not the library or a
// built-in was replaced, so the test cell fails. This closes the usual tricks; it is not a
// sandbox against an attacker inside the kernel (the namespace isolation in sandbox.ts protects the
// grader and the other students).
import { randomBytes } from "crypto";
import { isAbsolute, join } from "path";

/** A fresh guard name: an identifier a submission cannot know in advance. */
export function newGuardName(): string {
  return `gradingGuard${randomBytes(8).toString("hex")}`;
}

function checkGuardName(caller: string, guard: string): void {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(guard)) throw new Error(`${caller}: guard must be a plain identifier, got ${JSON.stringify(guard)}`);
}

/** Built-ins whose own properties are snapshotted (those the self-checks and the kernel use). */
const OWNERS = [
  "Math",
  "JSON",
  "Reflect",
  "Object",
  "Array",
  "Number",
  "String",
  "ArrayBuffer",
  "Error",
  "Object.prototype",
  "Array.prototype",
  "String.prototype",
  "Number.prototype",
  "Function.prototype",
  "Error.prototype",
];

/** Global names that must keep pointing at the original built-ins. */
const GLOBALS = ["Math", "JSON", "Reflect", "Object", "Array", "Number", "String", "ArrayBuffer", "Error", "Promise", "Symbol", "Function"];

/**
 * The grader's first cell. `root` is the project root as the kernel sees it; `forbidden` lists
 * files the kernel must not be able to read (the instructor's notebook): if it can, the cell fails
 * and the submission is reported as a grader error rather than graded without isolation.
 */
export function setupCell(root: string, guard: string, forbidden: string[]): string {
  if (!isAbsolute(root)) throw new Error(`setupCell: root must be an absolute path, got ${JSON.stringify(root)}`);
  checkGuardName("setupCell", guard);
  const dist = join(root, "dist");
  return `// Added by the grader (not part of the notebook): keeps the self-checks honest.
{
  const library: unknown = require(${JSON.stringify(join(dist, "index.js"))});
  for (const [file, loaded] of Object.entries(require.cache)) {
    if (loaded && file.startsWith(${JSON.stringify(dist + "/")})) Object.freeze(loaded.exports);
  }
  Object.freeze(Promise);
  Object.freeze(Promise.prototype);
  const ownKeys = Reflect.ownKeys;
  const describe = Object.getOwnPropertyDescriptor;
  const same = Object.is;
  const owners: Array<[string, object, PropertyKey[]]> = [
    ${OWNERS.map((o) => `[${JSON.stringify(o)}, ${o}, Reflect.ownKeys(${o})]`).join(",\n    ")},
    ["globalThis", globalThis, ${JSON.stringify(GLOBALS)}],
  ];
  // Functions, objects and accessors only: numbers such as Error.stackTraceLimit may change legitimately.
  const isMethod = (d: PropertyDescriptor | undefined) =>
    d !== undefined && (typeof d.value === "function" || (typeof d.value === "object" && d.value !== null) || d.get !== undefined || d.set !== undefined);
  const saved = owners.map(([name, owner, all]) => {
    const keys = all.filter((key) => isMethod(describe(owner, key)));
    return { name, owner, keys, before: keys.map((key) => describe(owner, key)) };
  });
  const guard = (checkLibrary: boolean, dl: unknown): void => {
    if (checkLibrary && dl !== library) {
      throw new Error("the self-checks were replaced: \`dl\` is not the dl-by-hand library here");
    }
    for (let i = 0; i < saved.length; i++) {
      const { name, owner, keys, before } = saved[i];
      for (let j = 0; j < keys.length; j++) {
        const now = describe(owner, keys[j]);
        const then = before[j];
        const kept = now !== undefined && then !== undefined && same(now.value, then.value) && now.get === then.get && now.set === then.set;
        if (!kept) throw new Error("the self-checks were tampered with: " + name + "." + String(keys[j]) + " was replaced");
      }
    }
  };
  Object.defineProperty(globalThis, ${JSON.stringify(guard)}, { value: Object.freeze(guard) });
  for (const file of ${JSON.stringify(forbidden)}) {
    let content = "";
    try {
      content = require("fs").readFileSync(file, "utf8");
    } catch {
      // Not there for the kernel: as it should be.
    }
    if (content !== "") throw new Error("grading is not isolated: the kernel can read " + file);
  }
}
`;
}

/**
 * A restored test cell that calls the guard first. The call goes on the first line, so the
 * line numbers of the test's own errors do not move.
 */
export function guardTestCell(source: string, guard: string): string {
  checkGuardName("guardTestCell", guard);
  const usesLibrary = /\bdl\s*\./.test(source);
  const call = usesLibrary ? `${guard}(true, dl);` : `${guard}(false, null);`;
  return `declare const ${guard}: (checkLibrary: boolean, dl: unknown) => void; ${call} ${source}`;
}
