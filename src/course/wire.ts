// The Jupyter wire protocol, shared by the course kernel and the runner's client: connection
// files, endpoints, HMAC signing checked in constant time, replay refusal, framing, and a send
// queue per socket (a zeromq 6 socket allows one send in progress at a time).
import { createHmac, randomUUID, timingSafeEqual } from "crypto";
import { readFileSync } from "fs";

/** The frame that separates ZeroMQ routing identities from the signed message. */
export const DELIMITER = "<IDS|MSG>";
/** The protocol version this kernel and client speak. */
export const PROTOCOL_VERSION = "5.3";

/** A message header (also the parent_header of a reply). */
export interface Header {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

/** A decoded message; `identities` are the routing frames a reply must carry back. */
export interface Message {
  identities: Buffer[];
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers: Buffer[];
}

/** What a connection file says (Jupyter's format). */
export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

type Channel = "shell" | "iopub" | "stdin" | "control" | "hb";

function record(x: unknown): Record<string, unknown> | null {
  return typeof x === "object" && x !== null && !Array.isArray(x) ? Object.fromEntries(Object.entries(x)) : null;
}

/** Check a parsed connection file; throws naming the field at fault. */
export function connectionInfo(raw: unknown, where = "connection file"): ConnectionInfo {
  const c = record(raw);
  if (!c) throw new Error(`connectionInfo: ${where} must hold a JSON object`);
  const transport = c.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc")
    throw new Error(`connectionInfo: ${where}: transport must be "tcp" or "ipc", got ${JSON.stringify(transport)}`);
  const ip = c.ip;
  if (typeof ip !== "string" || ip === "")
    throw new Error(`connectionInfo: ${where}: ip must be a non-empty string, got ${JSON.stringify(ip)}`);
  const port = (name: string): number => {
    const p = c[name];
    if (typeof p !== "number" || !Number.isInteger(p) || p < 0 || p > 65535)
      throw new Error(`connectionInfo: ${where}: ${name} must be a port number, got ${JSON.stringify(p)}`);
    return p;
  };
  const key = c.key ?? "";
  if (typeof key !== "string") throw new Error(`connectionInfo: ${where}: key must be a string`);
  const scheme = c.signature_scheme ?? "hmac-sha256";
  if (scheme !== "hmac-sha256")
    throw new Error(`connectionInfo: ${where}: signature_scheme must be "hmac-sha256", got ${JSON.stringify(scheme)}`);
  return {
    transport,
    ip,
    shell_port: port("shell_port"),
    iopub_port: port("iopub_port"),
    stdin_port: port("stdin_port"),
    control_port: port("control_port"),
    hb_port: port("hb_port"),
    key,
    signature_scheme: scheme,
    ...(typeof c.kernel_name === "string" ? { kernel_name: c.kernel_name } : {}),
  };
}

/** Read and check a connection file. */
export function readConnectionFile(file: string): ConnectionInfo {
  return connectionInfo(JSON.parse(readFileSync(file, "utf8")), file);
}

/** The ZeroMQ endpoint of a channel: `tcp://ip:port`, or Jupyter's `ipc://<ip>-<port>` (ip is a path). */
export function endpoint(conn: ConnectionInfo, channel: Channel): string {
  const port = conn[`${channel}_port`];
  return conn.transport === "ipc" ? `ipc://${conn.ip}-${port}` : `tcp://${conn.ip}:${port}`;
}

/** HMAC-SHA256 signing with the connection key; an empty key means unsigned messages (Jupyter's rule). */
export class Signer {
  constructor(private readonly key: string) {}

  get enabled(): boolean {
    return this.key !== "";
  }

  sign(parts: Array<Buffer | string>): string {
    if (!this.enabled) return "";
    const hmac = createHmac("sha256", this.key);
    for (const p of parts) hmac.update(p);
    return hmac.digest("hex");
  }

  /** True when `signature` is right for `parts`; compares in constant time, reveals nothing. */
  verify(signature: Buffer, parts: Buffer[]): boolean {
    if (!this.enabled) return true;
    const want = Buffer.from(this.sign(parts), "utf8");
    return signature.length === want.length && timingSafeEqual(signature, want);
  }
}

/** Signatures already seen, as ipykernel keeps them: a message sent twice is refused. */
export class ReplayGuard {
  private readonly seen = new Set<string>();
  constructor(private readonly limit = 65_536) {}

  /** True the first time `signature` is offered, false for a replay. */
  admit(signature: string): boolean {
    if (signature === "") return true;
    if (this.seen.has(signature)) return false;
    this.seen.add(signature);
    if (this.seen.size > this.limit) {
      // Drop the oldest tenth (a Set iterates in insertion order).
      let drop = Math.ceil(this.limit / 10);
      for (const s of this.seen) {
        if (drop-- <= 0) break;
        this.seen.delete(s);
      }
    }
    return true;
  }
}

/** A fresh header. */
export function newHeader(msgType: string, session: string, username = "dl-by-hand"): Header {
  return { msg_id: randomUUID(), msg_type: msgType, session, username, date: new Date().toISOString(), version: PROTOCOL_VERSION };
}

/** Frames of a message, signed. */
export function encode(
  signer: Signer,
  m: { identities?: Buffer[]; header: Header; parent_header?: Partial<Header>; metadata?: object; content: object; buffers?: Buffer[] },
): Buffer[] {
  const parts = [m.header, m.parent_header ?? {}, m.metadata ?? {}, m.content].map((p) => Buffer.from(JSON.stringify(p), "utf8"));
  return [...(m.identities ?? []), Buffer.from(DELIMITER), Buffer.from(signer.sign(parts)), ...parts, ...(m.buffers ?? [])];
}

/** Why a message was not accepted; `identities`/`header` are there when a reply can still be addressed. */
export interface Refusal {
  reason: "unsigned" | "bad signature" | "replay" | "malformed";
  detail: string;
  identities: Buffer[];
  header: Header | null;
}

function header(x: unknown): Header | null {
  const h = record(x);
  if (!h || typeof h.msg_id !== "string" || typeof h.msg_type !== "string") return null;
  const s = (k: string, fallback: string) => (typeof h[k] === "string" ? String(h[k]) : fallback);
  return {
    msg_id: s("msg_id", ""),
    msg_type: s("msg_type", ""),
    session: s("session", ""),
    username: s("username", ""),
    date: s("date", ""),
    version: s("version", PROTOCOL_VERSION),
  };
}

/**
 * Decode and authenticate frames. A message is accepted only when its signature is right and
 * new; the signature checked is never part of any error text.
 */
export function decode(frames: Buffer[], signer: Signer, replays: ReplayGuard | null): { message: Message } | { refusal: Refusal } {
  const at = frames.findIndex((f) => f.length === DELIMITER.length && f.toString("utf8") === DELIMITER);
  const identities = at < 0 ? [] : frames.slice(0, at);
  const refuse = (reason: Refusal["reason"], detail: string, h: Header | null = null) => ({
    refusal: { reason, detail, identities, header: h },
  });
  if (at < 0 || frames.length < at + 6) return refuse("malformed", `a message needs ${DELIMITER}, a signature and 4 parts`);
  const signature = frames[at + 1];
  const parts = frames.slice(at + 2, at + 6);
  if (signer.enabled && signature.length === 0) return refuse("unsigned", "the message is not signed");
  if (!signer.verify(signature, parts)) return refuse("bad signature", "the message's signature is wrong");
  if (replays && !replays.admit(signature.toString("utf8"))) return refuse("replay", "the message was already received (replay refused)");
  let json: unknown[];
  try {
    json = parts.map((p) => JSON.parse(p.toString("utf8")));
  } catch (e) {
    return refuse("malformed", `a message part is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const h = header(json[0]);
  if (!h) return refuse("malformed", "the header needs string msg_id and msg_type");
  const parent = record(json[1]);
  const metadata = record(json[2]);
  const content = record(json[3]);
  if (!parent || !metadata || !content) return refuse("malformed", "parent_header, metadata and content must be JSON objects", h);
  return { message: { identities, header: h, parent_header: header(parent) ?? {}, metadata, content, buffers: frames.slice(at + 6) } };
}

/** The one thing a SendQueue needs of a socket. */
export interface Sender {
  send(frames: Buffer[]): Promise<void>;
}

/**
 * Sends wait their turn, in order: zeromq 6 refuses a second send while one is in progress, so
 * a cell writing fast would otherwise lose output. Nothing is dropped; `idle()` resolves once
 * everything queued has left.
 */
export class SendQueue {
  private readonly queue: Buffer[][] = [];
  private running = false;
  private waiters: Array<() => void> = [];
  /** The first send error (a closed socket); later sends are dropped. */
  failed: Error | null = null;

  constructor(private readonly socket: Sender) {}

  send(frames: Buffer[]): void {
    if (this.failed) return;
    this.queue.push(frames);
    if (!this.running) void this.pump();
  }

  get pending(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      for (let frames = this.queue.shift(); frames; frames = this.queue.shift()) await this.socket.send(frames);
    } catch (e) {
      this.failed = e instanceof Error ? e : new Error(String(e));
      this.queue.length = 0;
    }
    this.running = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
