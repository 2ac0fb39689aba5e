// The fuzzer's parent: runs tests/fuzz/worker.js in a child process with a watchdog per call. A call that does
// not finish within `timeoutMs` is recorded as a hang; the child is killed and a new one resumes after that call.
import { fork } from "child_process";
import { join } from "path";

export type Outcome =
  | "good error"
  | "returned"
  | "internal error"
  | "stack overflow"
  | "wrong name"
  | "silent NaN"
  | "accepted wrong type"
  | "misspelt ignored"
  | "hang"
  | "crash";

export interface Call {
  index: number;
  name: string;
  outcome: Outcome;
  detail: string;
}

export interface FuzzReport {
  functions: number;
  calls: Call[];
  counts: Record<string, number>;
}

type Message =
  | { kind: "plan"; count: number; functions: number }
  | { kind: "start"; index: number; name: string }
  | { kind: "done"; index: number; name: string; outcome: Outcome; detail: string }
  | { kind: "end" }
  | { kind: "crash"; detail: string };

function runFrom(
  distIndex: string,
  seed: number,
  calls: number,
  from: number,
  timeoutMs: number,
  report: FuzzReport,
): Promise<number | null> {
  return new Promise((resolve) => {
    const child = fork(join(__dirname, "worker.js"), [distIndex, String(seed), String(calls), String(from)], {
      stdio: ["ignore", "ignore", "ignore", "ipc"],
      execArgv: ["--max-old-space-size=1024", "--stack-size=984"],
    });
    let current: { index: number; name: string } | null = null;
    let planned = Infinity;
    let timer: NodeJS.Timeout | null = null;
    let settled = false;
    const finish = (next: number | null): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      child.kill("SIGKILL");
      resolve(next);
    };
    let started = false;
    let lastDone = from - 1;
    // The call under way: the one announced, or (when its announcement never came) the one after the last answer.
    const pending = (): { index: number; name: string } => current ?? { index: lastDone + 1, name: "(between calls)" };
    const arm = (): void => {
      if (timer) clearTimeout(timer);
      // Loading the library (and TensorFlow.js) may take long on a loaded machine: a minute before the first call.
      timer = setTimeout(
        () => {
          if (!started) {
            report.calls.push({ index: from, name: "(start)", outcome: "crash", detail: "the worker did not start" });
            return finish(null);
          }
          const at = pending();
          report.calls.push({ index: at.index, name: at.name, outcome: "hang", detail: `no answer in ${timeoutMs} ms` });
          finish(at.index + 1 < planned ? at.index + 1 : null);
        },
        started ? timeoutMs : Math.max(timeoutMs, 60_000),
      );
    };
    arm();
    child.on("message", (m: Message) => {
      if (settled) return;
      if (m.kind === "plan") {
        started = true;
        planned = m.count;
        report.functions = m.functions;
      } else if (m.kind === "start") {
        current = { index: m.index, name: m.name };
        arm();
      } else if (m.kind === "done") {
        report.calls.push({ index: m.index, name: m.name, outcome: m.outcome, detail: m.detail });
        lastDone = m.index;
        current = null;
        arm();
      } else if (m.kind === "end") finish(null);
      else if (m.kind === "crash") {
        // Resume after the call that crashed: every restart moves on by at least one call.
        const at = pending();
        report.calls.push({ index: at.index, name: at.name, outcome: "crash", detail: m.detail });
        finish(at.index + 1 < planned ? at.index + 1 : null);
      }
    });
    child.on("exit", () => {
      // Killed by the system (out of memory) or by a call that exits the process: record it, resume after it.
      if (settled) return;
      if (!started) {
        report.calls.push({ index: from, name: "(start)", outcome: "crash", detail: "the worker died before its first call" });
        return finish(null);
      }
      const at = pending();
      report.calls.push({ index: at.index, name: at.name, outcome: "crash", detail: "the process died" });
      finish(at.index + 1 < planned ? at.index + 1 : null);
    });
  });
}

/** Fuzz every export of the library at `distIndex`: about `calls` calls in all, seeded. */
export async function fuzz(distIndex: string, options: { seed: number; calls: number; timeoutMs: number }): Promise<FuzzReport> {
  const report: FuzzReport = { functions: 0, calls: [], counts: {} };
  let from: number | null = 0;
  while (from !== null) from = await runFrom(distIndex, options.seed, options.calls, from, options.timeoutMs, report);
  // One outcome per planned call (a call recorded twice, e.g. around a restart, counts once: the last record).
  report.calls = [...new Map(report.calls.map((c) => [c.index, c])).values()].sort((a, b) => a.index - b.index);
  for (const c of report.calls) report.counts[c.outcome] = (report.counts[c.outcome] ?? 0) + 1;
  return report;
}
