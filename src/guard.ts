// Argument reading for notebooks 11–14's functions: an argument whose reading throws (a hostile getter, a
// proxy, a circular value) becomes an error that names the public function, like every other argument error.
import { describe, fail } from "./args";
import { Tensor } from "./autodiff-node";
import type { Random } from "./random";
import type { Examples } from "./train/fit";

/** Run a function's argument checks; anything they throw that does not name `fn` is reported as an unreadable argument. */
export function readArgs<T>(fn: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    const message = e instanceof Error ? e.message : describe(e);
    if (message.startsWith(`${fn}:`) && !(e instanceof TypeError || e instanceof RangeError)) throw e;
    throw new Error(`${fn}: an argument could not be read (${message.slice(0, 200)})`, { cause: e });
  }
}

/** An engine tensor. */
export function tensorOf(fn: string, arg: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) fail(fn, arg, "a Tensor of dl.autodiff", x);
  return x;
}

/** A generator from dl.data.seededRandom. */
export function randomOf(fn: string, arg: string, x: unknown): Random {
  if (typeof x !== "object" || x === null || typeof (x as Random).next !== "function" || typeof (x as Random).normal !== "function") {
    fail(fn, arg, "a generator from dl.data.seededRandom", x);
  }
  return x as Random;
}

/** Examples {x, y, shape, count} whose sizes agree. */
export function examplesOf(fn: string, arg: string, e: unknown): Examples {
  if (typeof e !== "object" || e === null) fail(fn, arg, "examples {x, y, shape, count}", e);
  const { x, y, shape, count } = e as Examples;
  const ok =
    x instanceof Float32Array &&
    y instanceof Uint8Array &&
    Array.isArray(shape) &&
    shape.length > 0 &&
    shape.every((s) => Number.isInteger(s) && s > 0) &&
    Number.isInteger(count) &&
    count > 0 &&
    y.length === count &&
    x.length === count * shape.reduce((a, b) => a * b, 1);
  if (!ok) fail(fn, arg, "examples {x: Float32Array, y: Uint8Array, shape, count} whose sizes agree", e);
  return { x, y, shape: [...shape], count };
}
