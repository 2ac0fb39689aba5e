// One way to check arguments. Every public function checks what it is given with these, so every error reads
//
//     <group>.<fn>: <argument> must be …, got …
//
// e.g. "conv.correlate2d: unknown option 'strides' (did you mean 'stride'?)". Sizes have stated bounds, so a
// typo such as pad2d([[1]], 1e9) is refused instead of growing until the process dies.

/** The largest length along one axis (padding, units, classes, steps…) any function accepts. */
export const MAX_SIZE = 100_000;
/** The most numbers one result may hold (50 million: 400 MB as float64). */
export const MAX_CELLS = 50_000_000;
/** How deeply arrays may nest before a value counts as circular or hostile. */
export const MAX_DEPTH = 16;

/** A short readable form of any value for an error message: never throws, never recurses without bound. */
export function describe(x: unknown, depth = 0): string {
  let s: string;
  try {
    if (typeof x === "number") s = Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6)));
    else if (typeof x === "string") s = JSON.stringify(x.length > 60 ? x.slice(0, 57) + "..." : x);
    else if (typeof x === "function") s = "a function";
    else if (typeof x === "symbol" || typeof x === "bigint") s = String(x);
    else if (Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView))) {
      const items = x as ArrayLike<unknown>;
      if (depth >= 3) s = `[${items.length} entries]`;
      else {
        const shown = Array.from({ length: Math.min(items.length, 8) }, (_, i) => describe(items[i], depth + 1));
        s = "[" + shown.join(", ") + (items.length > 8 ? ", ..." : "") + "]";
      }
    } else if (x instanceof Error) s = `${x.name}: ${x.message}`;
    else if (typeof x === "object" && x !== null) {
      if (depth >= 2) s = "{...}";
      else {
        const keys = Object.keys(x).slice(0, 6);
        const record = x as Record<string, unknown>;
        s = "{" + keys.map((k) => `${k}: ${describe(record[k], depth + 1)}`).join(", ") + "}";
      }
    } else s = String(x);
  } catch {
    s = "a value that cannot be read";
  }
  return s.length > 160 ? s.slice(0, 157) + "..." : s;
}

/** A plain object (not null, not an array): a record whose fields can be looked at. */
export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Throw the library's one kind of argument error. */
export function fail(fn: string, arg: string, must: string, got: unknown): never {
  throw new Error(`${fn}: ${arg} must be ${must}, got ${describe(got)}`);
}

/** A finite number, optionally within [min, max]. */
export function finite(fn: string, arg: string, x: unknown, range: { min?: number; max?: number } = {}): number {
  const { min = -Infinity, max = Infinity } = range;
  const within =
    min === -Infinity && max === Infinity
      ? ""
      : max === Infinity
        ? ` ≥ ${min}`
        : min === -Infinity
          ? ` ≤ ${max}`
          : ` from ${min} to ${max}`;
  if (typeof x !== "number" || !Number.isFinite(x) || x < min || x > max) fail(fn, arg, `a finite number${within}`, x);
  return x;
}

/** An integer from min to max (default 0 … MAX_SIZE). */
export function integer(fn: string, arg: string, x: unknown, range: { min?: number; max?: number } = {}): number {
  const { min = 0, max = MAX_SIZE } = range;
  if (typeof x !== "number" || !Number.isInteger(x) || x < min || x > max) {
    const must =
      min === 1 && max === MAX_SIZE
        ? `a positive integer ≤ ${max}`
        : min === 0 && max === MAX_SIZE
          ? `an integer from 0 to ${max}`
          : `an integer from ${min} to ${max}`;
    fail(fn, arg, must, x);
  }
  return x;
}

/** A positive integer ≤ max (default MAX_SIZE). */
export function positiveInteger(fn: string, arg: string, x: unknown, max = MAX_SIZE): number {
  return integer(fn, arg, x, { min: 1, max });
}

/** A non-empty string. */
export function text(fn: string, arg: string, x: unknown): string {
  if (typeof x !== "string" || x.trim() === "") fail(fn, arg, "a non-empty string", x);
  return x;
}

/** A plain boolean. */
export function boolean(fn: string, arg: string, x: unknown): boolean {
  if (typeof x !== "boolean") fail(fn, arg, "true or false", x);
  return x;
}

/** The candidate nearest to `word` by edit distance, when it is close enough to be a likely typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length];
}

function quoted(values: readonly unknown[]): string {
  const q = values.map((v) => (typeof v === "string" ? `'${v}'` : String(v)));
  return q.length <= 1 ? q.join("") : `${q.slice(0, -1).join(", ")} or ${q[q.length - 1]}`;
}

/** One of a fixed set of values; a misspelt string names the nearest one. */
export function oneOf<T>(fn: string, arg: string, x: unknown, values: readonly T[]): T {
  const found = values.find((v) => v === x);
  if (found !== undefined) return found;
  const near =
    typeof x === "string"
      ? nearest(
          x,
          values.filter((v): v is T & string => typeof v === "string"),
        )
      : undefined;
  throw new Error(`${fn}: ${arg} must be ${quoted(values)}, got ${describe(x)}${near ? ` (did you mean '${near}'?)` : ""}`);
}

/**
 * Check an options object has only known keys: `undefined` is fine (unless `required`), anything but a plain
 * object is an error, and a key that is not known is an error naming the nearest known one.
 */
export function knownOptions(fn: string, x: unknown, keys: readonly string[], settings: { arg?: string; required?: boolean } = {}): void {
  const arg = settings.arg ?? "options";
  if (x === undefined && !settings.required) return;
  if (typeof x !== "object" || x === null || Array.isArray(x)) fail(fn, arg, `an object like { ${keys.slice(0, 3).join(", ")} }`, x);
  let own: string[];
  try {
    own = Object.keys(x);
  } catch {
    return fail(fn, arg, "a plain object whose fields can be read", x);
  }
  for (const key of own) {
    if (!keys.includes(key)) {
      const near = nearest(key, keys);
      throw new Error(`${fn}: unknown option '${key}'${near ? ` (did you mean '${near}'?)` : ""}; ${arg} may have ${quoted(keys)}`);
    }
  }
}

/** Check a result of this shape stays within MAX_CELLS numbers. */
export function cells(fn: string, what: string, shape: readonly number[]): void {
  const n = shape.reduce((a, b) => a * b, 1);
  if (!(n <= MAX_CELLS)) throw new Error(`${fn}: ${what} would hold ${shape.join("×")} numbers, more than the ${MAX_CELLS} allowed`);
}

/**
 * Run `read` over a value the caller gave; an error it hits that is not one of ours (a getter or proxy that
 * throws) becomes "<fn>: <arg> must be <must>".
 */
export function readable<T>(fn: string, arg: string, x: unknown, must: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof Error && e.message.startsWith(`${fn}:`)) throw e;
    return fail(fn, arg, `${must} that can be read`, x);
  }
}

/** A non-empty array of finite numbers (at most `maxLength`). */
export function numbers(fn: string, arg: string, x: unknown, maxLength = MAX_CELLS): number[] {
  return readable(fn, arg, x, "an array of numbers", () => {
    if (!Array.isArray(x) || x.length === 0 || x.length > maxLength) fail(fn, arg, `a non-empty array of at most ${maxLength} numbers`, x);
    for (let i = 0; i < x.length; i++) finite(fn, `${arg}[${i}]`, x[i]);
    return x;
  });
}

/** A non-empty rectangular matrix of finite numbers (rows of equal length), at most MAX_CELLS numbers. */
export function matrix(fn: string, arg: string, x: unknown): number[][] {
  return readable(fn, arg, x, "a matrix of numbers", () => readMatrix(fn, arg, x));
}

function readMatrix(fn: string, arg: string, x: unknown): number[][] {
  if (!Array.isArray(x) || x.length === 0) fail(fn, arg, "a non-empty matrix (an array of rows)", x);
  const first: unknown = x[0];
  if (!Array.isArray(first) || first.length === 0) fail(fn, `${arg}[0]`, "a non-empty array of numbers", first);
  cells(fn, arg, [x.length, first.length]);
  x.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== first.length)
      fail(fn, `${arg}[${i}]`, `an array of ${first.length} numbers (${arg} is rectangular)`, row);
    for (let j = 0; j < row.length; j++) finite(fn, `${arg}[${i}][${j}]`, row[j]);
  });
  return x as number[][];
}
