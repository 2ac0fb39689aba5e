// A worker thread of the course kernel that only waits for SIGINT (Jupyter's interrupt) and says
// so, while the main thread may be blocked by a cell: vm's breakOnSigint catches the signal here.
// It says "ready" once, as it starts watching.
import { Script } from "vm";
import { parentPort } from "worker_threads";

const wait = new Script("for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);");
if (parentPort) {
  parentPort.postMessage("ready");
  for (;;) {
    try {
      wait.runInThisContext({ breakOnSigint: true });
    } catch {
      parentPort.postMessage("SIGINT");
    }
  }
}
