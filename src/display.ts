// Rich output in the kernel: one display_data message carrying several MIME types at once.
import { randomBytes } from "crypto";

/** A Jupyter MIME bundle: MIME type → content (strings, or JSON for application/*+json). */
export type MimeBundle = Record<string, unknown>;

/** Where a bundle goes: tslab's display writer inside the kernel, anything else in tests. */
export type DisplaySink = (
  content: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id?: string } },
  update: boolean,
) => void;

let testSink: DisplaySink | null = null;

/** Send display output to `sink` instead of the kernel (tests); `null` restores the kernel. */
export function setDisplaySink(sink: DisplaySink | null): void {
  testSink = sink;
}

function kernelSink(): DisplaySink | null {
  if (testSink) return testSink;
  try {
    // tslab keeps the writer of the cell that is running in this module-level variable.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter: { lastWriteDisplayData: DisplaySink | null } = require("tslab/dist/jupyter");
    return jupyter.lastWriteDisplayData;
  } catch {
    return null;
  }
}

/** True when a kernel (or a test sink) can show rich output — 00-welcome. */
export function canDisplay(): boolean {
  return kernelSink() !== null;
}

/** A fresh display id for output that is updated in place — 00-welcome. */
export function newDisplayId(): string {
  return randomBytes(8).toString("hex");
}

/** Show a MIME bundle; with `displayId`, `update: true` replaces the earlier output in place — 00-welcome. */
export function display(
  bundle: MimeBundle,
  options: { displayId?: string; update?: boolean; metadata?: Record<string, unknown> } = {},
): void {
  if (typeof bundle !== "object" || bundle === null || Object.keys(bundle).length === 0) {
    throw new Error(`display: bundle must be a non-empty object of MIME types, got ${String(bundle)}`);
  }
  if (options.update && !options.displayId) {
    throw new Error("display: update: true needs a displayId");
  }
  const sink = kernelSink();
  if (!sink) {
    // Outside a kernel (plain node), fall back to the text form so scripts still say something.
    const text = bundle["text/plain"];
    if (typeof text === "string") process.stdout.write(text + "\n");
    return;
  }
  const transient = options.displayId ? { display_id: options.displayId } : {};
  sink({ data: bundle, metadata: options.metadata ?? {}, transient }, options.update === true);
}
