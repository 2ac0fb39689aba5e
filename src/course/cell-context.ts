// Which cell started a timer? A timer (setTimeout, setInterval, setImmediate) belongs to the cell
// that was running when it was set, or to the cell whose timer set it. Once that cell is
// interrupted its timers stop firing (an interval clears itself), so an interrupted loop that
// waits on timers ends and prints nothing into a later cell.
//
// Not AsyncLocalStorage: its promise hooks and the inspector's terminateExecution (how a cell
// stuck in an `await` loop is stopped) together abort Node 20. So a promise continuation that
// sets a timer after its cell has finished counts as the running cell's: see README, "The kernel".

/** What the kernel needs to know of a cell here. */
export interface CellState {
  interrupted: boolean;
}

/** The kernel's own timers: never stopped by an interrupt. */
export const kernelTimers = { setTimeout, clearTimeout, setImmediate } as const;

let running: () => CellState | null = () => null;
/** The cell whose timer callback is running now. */
let inTimerOf: CellState | null = null;

/** The cell a timer set now would belong to. */
export function originCell(): CellState | null {
  return inTimerOf ?? running();
}

/** A callback that does nothing once the cell that set it is interrupted. */
function guarded<A extends unknown[]>(callback: (...args: A) => void, onStopped?: () => void): (...args: A) => void {
  const cell = originCell();
  if (!cell) return callback;
  return function (this: unknown, ...args: A) {
    if (cell.interrupted) {
      onStopped?.();
      return;
    }
    const outer = inTimerOf;
    inTimerOf = cell;
    try {
      callback.apply(this, args);
    } finally {
      inTimerOf = outer;
    }
  };
}

let installed = false;

/** Make the global timers stop with their cell's interrupt; `current` tells the running cell. */
export function installCellTimers(current: () => CellState | null): void {
  running = current;
  if (installed) return;
  installed = true;
  const g = globalThis as unknown as Record<string, unknown>;
  const real = { setTimeout, setInterval, setImmediate, clearInterval };
  const keepPromisify = <F extends object>(wrapper: F, original: object): F => {
    for (const key of Object.getOwnPropertySymbols(original))
      Object.defineProperty(wrapper, key, { value: (original as Record<symbol, unknown>)[key] });
    return wrapper;
  };
  type Callback = (...args: unknown[]) => void;
  g.setTimeout = keepPromisify(
    (callback: Callback, ms?: number, ...args: unknown[]) =>
      real.setTimeout(typeof callback === "function" ? guarded(callback) : callback, ms, ...args),
    real.setTimeout,
  );
  g.setImmediate = keepPromisify(
    (callback: Callback, ...args: unknown[]) => real.setImmediate(typeof callback === "function" ? guarded(callback) : callback, ...args),
    real.setImmediate,
  );
  g.setInterval = (callback: Callback, ms?: number, ...args: unknown[]) => {
    if (typeof callback !== "function") return real.setInterval(callback, ms, ...args);
    const handle: NodeJS.Timeout = real.setInterval(
      guarded(callback, () => real.clearInterval(handle)),
      ms,
      ...args,
    );
    return handle;
  };
}
