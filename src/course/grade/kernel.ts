// The grading kernel: the course kernel with its iopub messages sent one after the other.
//
// zeromq.js allows one send in progress per socket and throws EBUSY on a second one; tslab sends
// every output message without waiting, so a cell that prints fast enough (a loop of 100,000
// console.log calls) makes the kernel throw inside its own error handler and exit (code 7).
// Queueing the sends keeps such a kernel alive. Like a ZeroMQ publisher at its high-water mark,
// the queue drops output text (stream messages) once it holds too many: the grader keeps only the
// first 64 kB of a cell's output anyway, and status, results and errors are never dropped.
// Started by the grading sandbox as `node dist/course/grade/kernel.js <connection_file>`.
import { Publisher } from "zeromq";
import { startKernel } from "../kernel";

type Send = Publisher["send"];

/** Queued messages beyond which stream output is dropped. */
const HIGH_WATER_MARK = 1000;

function isStream(message: Parameters<Send>[0]): boolean {
  if (!Array.isArray(message)) return false;
  const header = message.find((part) => typeof part === "string" && part.startsWith('{"msg_id"'));
  return typeof header === "string" && header.includes('"msg_type":"stream"');
}

/** Make every Publisher wait for its previous send before the next one. */
export function queuePublisherSends(): void {
  const send: Send = Publisher.prototype.send;
  const pending = new WeakMap<Publisher, { last: Promise<void>; waiting: number }>();
  const queued = function (this: Publisher, ...args: Parameters<Send>): Promise<void> {
    const queue = pending.get(this) ?? { last: Promise.resolve(), waiting: 0 };
    pending.set(this, queue);
    if (queue.waiting >= HIGH_WATER_MARK && isStream(args[0])) return Promise.resolve();
    queue.waiting++;
    const next = queue.last.then(() => send.apply(this, args));
    queue.last = next.catch(() => undefined).then(() => void queue.waiting--);
    return next;
  };
  // `send` is a read-only property of the native socket class: define, not assign.
  Object.defineProperty(Publisher.prototype, "send", { value: queued, writable: true, configurable: true });
}

if (require.main === module) {
  const connectionFile = process.argv[2];
  if (!connectionFile) {
    process.stderr.write("usage: node grade/kernel.js <connection_file>\n");
    process.exit(2);
  }
  queuePublisherSends();
  startKernel(connectionFile);
}
