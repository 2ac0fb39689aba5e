// Rich output in the kernel: one display_data message carrying several MIME types at once.
import { randomBytes } from "crypto";
import { boolean, fail, isRecord, knownOptions, readable, text } from "./args";

/** A Jupyter MIME bundle: MIME type → content (strings, or JSON for application/*+json). */
export type MimeBundle = Record<string, unknown>;

/** Where a bundle goes: the course kernel's display channel, or anything else in tests. */
export type DisplaySink = (
  content: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id?: string } },
  update: boolean,
) => void;

/** What the course kernel offers the library for rich output (src/course/kernel.ts opens it). */
export interface DisplayChannel {
  display: DisplaySink;
  clearOutput(wait: boolean): void;
}

let testSink: DisplaySink | null = null;
let channel: DisplayChannel | null = null;

/** Send display output to `sink` instead of the kernel (tests); `null` restores the kernel. */
export function setDisplaySink(sink: DisplaySink | null): void {
  testSink = sink;
}

/** Called by the course kernel at start: rich output from now on goes to the frontend. */
export function openDisplayChannel(kernel: DisplayChannel): void {
  channel = kernel;
}

function kernelSink(): DisplaySink | null {
  return testSink ?? channel?.display ?? null;
}

/** True when a kernel (or a test sink) can show rich output — 00-welcome. */
export function canDisplay(): boolean {
  return kernelSink() !== null;
}

/** A fresh display id for output that is updated in place — 00-welcome. */
export function newDisplayId(): string {
  return randomBytes(8).toString("hex");
}

/** Options of `display`: the id of output to update in place, and the bundle's metadata. */
export interface DisplayOptions {
  displayId?: string;
  update?: boolean;
  metadata?: Record<string, unknown>;
}

/** JSON as Jupyter sends it: `x` written out (a circular or unreadable value is not JSON). */
function isJson(x: unknown): boolean {
  try {
    return JSON.stringify(x) !== undefined;
  } catch {
    return false;
  }
}

/** A MIME bundle: MIME type keys, text for text types, JSON for the rest. */
function checkBundle(fn: string, bundle: unknown): MimeBundle {
  const must = 'a non-empty object of MIME types like { "text/plain": "…" }';
  return readable(fn, "bundle", bundle, must, () => {
    if (!isRecord(bundle) || Object.keys(bundle).length === 0) fail(fn, "bundle", must, bundle);
    for (const [mime, content] of Object.entries(bundle)) {
      if (!/^[a-z]+\/[\w.+-]+$/.test(mime)) fail(fn, "bundle", `${must} (keys are MIME types)`, mime);
      const isText = mime.startsWith("text/") || mime.endsWith("+xml");
      if (isText ? typeof content !== "string" : !isJson(content))
        fail(fn, `bundle["${mime}"]`, isText ? "a string" : "JSON (no functions, no cycles)", content);
    }
    return bundle;
  });
}

/** Show a MIME bundle; with `displayId`, `update: true` replaces the earlier output in place — 00-welcome. */
export function display(bundle: MimeBundle, options: DisplayOptions = {}): void {
  const fn = "display";
  const data = checkBundle(fn, bundle);
  knownOptions(fn, options, ["displayId", "update", "metadata"]);
  const { displayId, update = false, metadata = {} } = options;
  if (displayId !== undefined) text(fn, "displayId", displayId);
  boolean(fn, "update", update);
  if (!isRecord(metadata) || !isJson(metadata)) fail(fn, "metadata", "a JSON object", metadata);
  if (update && displayId === undefined) throw new Error("display: update: true needs a displayId");
  const sink = kernelSink();
  if (!sink) {
    // Outside a kernel (plain node), fall back to the text form so scripts still say something.
    const plain = data["text/plain"];
    if (typeof plain === "string") process.stdout.write(plain + "\n");
    return;
  }
  const transient = displayId !== undefined ? { display_id: displayId } : {};
  sink({ data, metadata, transient }, update);
}

/** Clear the running cell's output; with `wait: true`, only once new output arrives (for animations) — 00-welcome. */
export function clearOutput(options: { wait?: boolean } = {}): void {
  knownOptions("clearOutput", options, ["wait"]);
  const { wait = false } = options;
  boolean("clearOutput", "wait", wait);
  channel?.clearOutput(wait);
}
