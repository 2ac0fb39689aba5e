// The hostile corpus: one class graded in the sandbox with honest submissions first and last and,
// between them, submissions that try every attack we know of on the grader: reading the disk,
// the network, other kernels, signals, fork and memory bombs, patching built-ins (also only for a
// moment), forged output and replies, edited or relabelled test cells, links, FIFOs and odd names,
// huge outputs, writing outside their folder. Each row's points and status are pinned; honest rows
// must be the same as in a class of honest students only; nothing outside the output folder may
// change; no process may be left; nothing hidden may reach a student's feedback.
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  lstatSync,
  copyFileSync,
} from "fs";
import { createServer, Server } from "net";
import { tmpdir } from "os";
import { join, relative, resolve } from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gradeAll, BatchReport } from "../../src/course/grade/batch";
import { loadAssignment } from "../../src/course/grade/assignment";
import { releaseNotebook } from "../../src/course/grade/release";
import { sandboxProblem, unreadableForUid } from "../../src/course/grade/sandbox";
import { groupsLeft } from "../../src/course/grade/cgroup";
import { Notebook, serializeNotebook, text } from "../../src/course/notebook";
import { Row } from "../../src/course/grade/gradebook";

const project = resolve(__dirname, "..", "..");
const fixtures = join(__dirname, "..", "fixtures", "grade");
const instructorFile = resolve(fixtures, "fixture-sums.ipynb");
const released = releaseNotebook(loadAssignment(instructorFile));
const other = releaseNotebook(loadAssignment(join(fixtures, "fixture-other.ipynb")));

const ADD = "function add(a: number, b: number): number {\n  return a + b;\n}";
const TOTAL = "function total(xs: number[]): number {\n  return xs.reduce((s, x) => s + x, 0);\n}";
const SQUARE = "function square(x: number): number {\n  return x * x;\n}";
const WRONG = {
  add: "function add(a: number, b: number): number {\n  return 0;\n}",
  total: "function total(xs: number[]): number {\n  return 0;\n}",
  square: "function square(x: number): number {\n  return 0;\n}",
};
const ALL_WRONG = { add: WRONG.add, total: WRONG.total, square: WRONG.square };

// Places outside the project a submission must not reach.
const scratch = mkdtempSync(join(tmpdir(), "hostile-class-"));
/** Written into the code of the processes the corpus spawns, so the test counts its own survivors, never another run's. */
const RUN = `hostile-run-${process.pid}-${Date.now()}`;
const submissions = join(scratch, "submitted");
const out = join(scratch, "graded");
const canary = join(scratch, "canary");
const instructorCopy = join(scratch, "instructor-copy", "fixture-sums.ipynb");
mkdirSync(submissions);
mkdirSync(canary);
mkdirSync(join(scratch, "instructor-copy"));
copyFileSync(instructorFile, instructorCopy);
writeFileSync(join(canary, "secret.txt"), "canary: if a submission can read this, the sandbox leaks\n");
let hostServer: Server;
let hostPort = 0;

/** A student's notebook: the released one with these solution cells (by exercise name) filled in. */
function student(
  solutions: { add?: string; total?: string; square?: string },
  change: (cells: Notebook["cells"]) => void = () => undefined,
): string {
  const nb: Notebook = JSON.parse(serializeNotebook(released));
  const code: Record<string, string> = {
    "fixture-sums-add": solutions.add ?? ADD,
    "fixture-sums-total": solutions.total ?? TOTAL,
    "fixture-sums-square": solutions.square ?? SQUARE,
  };
  for (const cell of nb.cells) {
    const meta = cell.metadata.nbgrader;
    const id = typeof meta === "object" && meta !== null && "grade_id" in meta ? String(meta.grade_id) : "";
    if (code[id] !== undefined) cell.source = code[id];
  }
  change(nb.cells);
  return serializeNotebook(nb);
}

/** TypeScript that tries `body` and prints "PROBE <name> ok <value>" or "PROBE <name> denied <code>". */
function probe(name: string, body: string): string {
  return `try { const r: any = (() => { ${body} })(); console.log("PROBE ${name} ok " + String(r).slice(0, 80).replace(/\\n/g, " ")); } catch (e: any) { console.log("PROBE ${name} denied " + (e?.code ?? e?.message ?? String(e)).slice(0, 80)); }`;
}

/** A submission whose add cell runs these probes before a right solution. */
function probing(probes: string[], solutions: { add?: string; total?: string; square?: string } = {}): string {
  return student({
    ...solutions,
    add: `const fs: any = require("fs");\nconst cp: any = require("child_process");\n${probes.join("\n")}\n${solutions.add ?? ADD}`,
  });
}

interface Case {
  name: string;
  /** File contents by path under the submissions folder; null: made in `setup`. */
  files: Record<string, string>;
  status: string | RegExp;
  /** The points of the three test cells. */
  scores: number[];
  note?: RegExp;
  /** Every PROBE line of the add cell must say "denied" (or, where listed, "ok"). */
  probes?: Record<string, "ok" | "denied">;
  /** The row's student name when it differs from `name`. */
  student?: string;
}

const read = (what: string) => `return fs.readFileSync(${JSON.stringify(what)}, "utf8").length;`;
const list = (what: string) => `return fs.readdirSync(${JSON.stringify(what)}).join(",");`;
const write = (what: string) => `fs.writeFileSync(${JSON.stringify(what)}, "owned"); return "written";`;

const honest = (name: string): Case => ({ name, files: { [`${name}.ipynb`]: student({}) }, status: "ok", scores: [2, 3, 3] });

const cases: Case[] = [
  honest("aaa-honest-first"),
  {
    name: "aab-honest-partly-wrong",
    files: {
      "aab-honest-partly-wrong.ipynb": student({
        total: "function total(xs: number[]): number {\n  return xs.length === 0 ? 1 : xs.reduce((s, x) => s + x);\n}",
        square: "function square(x: number): number {\n  return x + x;\n}",
      }),
    },
    status: "ok",
    scores: [2, 0, 1],
  },
  {
    name: "aac-honest-visible-only",
    files: { "aac-honest-visible-only.ipynb": student({ add: "function add(a: number, b: number): number {\n  return 3;\n}" }) },
    status: "ok",
    scores: [0, 3, 3],
  },
  // Reading the disk.
  {
    name: "read-shadow",
    files: { "read-shadow.ipynb": probing([probe("shadow", read("/etc/shadow"))]) },
    status: "ok",
    scores: [2, 3, 3],
    probes: { shadow: "denied" },
  },
  {
    name: "read-root-home-var",
    files: {
      "read-root-home-var.ipynb": probing([probe("root", list("/root")), probe("home", list("/home")), probe("var", list("/var"))]),
    },
    status: "ok",
    scores: [2, 3, 3],
    probes: { root: "denied", home: "denied", var: "denied" },
  },
  {
    name: "read-instructor",
    files: {
      "read-instructor.ipynb": probing([
        probe("instructor", read(instructorFile)),
        probe("copy", read(instructorCopy)),
        probe("relative", read("../../../tests/fixtures/grade/fixture-sums.ipynb")),
      ]),
    },
    status: "ok",
    scores: [2, 3, 3],
    probes: { instructor: "denied", copy: "denied", relative: "denied" },
  },
  {
    name: "read-project",
    files: {
      "read-project.ipynb": probing([
        probe("git", read(join(project, ".git"))),
        probe("notebooks", list(join(project, "notebooks"))),
        probe("src", list(join(project, "src"))),
        probe("project", list(project)),
      ]),
    },
    status: "ok",
    scores: [2, 3, 3],
    probes: { git: "denied", notebooks: "denied", src: "denied", project: "ok" },
  },
  {
    name: "read-class",
    files: {
      "read-class.ipynb": probing([
        probe("submissions", list(submissions)),
        probe("output", list(out)),
        probe("canary", read(join(canary, "secret.txt"))),
      ]),
    },
    status: "ok",
    scores: [2, 3, 3],
    probes: { submissions: "denied", output: "denied", canary: "denied" },
  },
  {
    name: "read-own-key",
    files: {
      "read-own-key.ipynb": probing([
        probe("connection", "return fs.readFileSync(process.argv[process.argv.length - 1], 'utf8').length;"),
        probe("proc", read("/proc/self/mem")),
        // Its own memory, where the freezing and the confirmations live: /proc/self/maps gives the
        // addresses, /proc/self/mem reads (and writes) them, as a debugger would.
        probe(
          "memory",
          "const maps = fs.readFileSync('/proc/self/maps', 'utf8').split('\\n').filter((l: string) => / rw.p /.test(l)); const fd = fs.openSync('/proc/self/mem', 'r'); let bytes = 0; for (const l of maps) { const [a, b] = l.split(' ')[0].split('-').map((h: string) => parseInt(h, 16)); if (b - a > 1 << 24) continue; const buf = Buffer.alloc(b - a); try { bytes += fs.readSync(fd, buf, 0, b - a, a); } catch {} } if (bytes === 0) throw new Error('nothing read'); return bytes;",
        ),
        probe("environ", read("/proc/1/environ")),
        probe(
          "tmp",
          `const all: string[] = []; const walk = (d: string) => { if (d === ${JSON.stringify(project)}) return; for (const n of fs.readdirSync(d)) { all.push(n); try { walk(d + '/' + n); } catch {} } }; walk('/tmp'); if (all.some((n) => n === 'kernel.json' || n.startsWith('kernel-'))) throw new Error('found ' + all.join(',')); return all.length;`,
        ),
      ]),
    },
    status: "ok",
    scores: [2, 3, 3],
    probes: { connection: "denied", proc: "denied", memory: "denied", environ: "denied", tmp: "ok" },
  },
  // Writing outside its folder.
  {
    name: "write-var-tmp",
    files: {
      "write-var-tmp.ipynb": probing([probe("vartmp", write("/var/tmp/hostile")), probe("hosttmp", write(join(scratch, "hostile")))]),
    },
    status: "ok",
    scores: [2, 3, 3],
    probes: { vartmp: "denied", hosttmp: "denied" },
  },
  {
    name: "write-output",
    files: {
      "write-output.ipynb": probing([
        probe("gradebook", write(join(out, "gradebook.csv"))),
        probe("feedback", write(join(out, "feedback", "aaa-honest-first", "fixture-sums.html"))),
      ]),
    },
    status: "ok",
    scores: [2, 3, 3],
    probes: { gradebook: "denied", feedback: "denied" },
  },
  {
    name: "write-library",
    files: {
      "write-library.ipynb": probing([
        probe("dist", write(join(project, "dist", "check.js"))),
        probe("modules", write(join(project, "node_modules", "tslab", "package.json"))),
        probe("package", write(join(project, "package.json"))),
      ]),
    },
    status: "ok",
    scores: [2, 3, 3],
    probes: { dist: "denied", modules: "denied", package: "denied" },
  },
  {
    name: "write-tmp-private",
    files: { "write-tmp-private.ipynb": probing([probe("tmp", write("/tmp/hostile-private"))]) },
    status: "ok",
    scores: [2, 3, 3],
    probes: { tmp: "ok" },
  },
  // Privileges.
  {
    name: "privileges",
    files: {
      "privileges.ipynb": probing([
        probe("uid", "if (process.getuid() === 0) throw new Error('root'); return process.getuid();"),
        probe("setuid", "process.setuid(0); return 'root';"),
        probe(
          "umount",
          "const r = cp.spawnSync('umount', ['-l', '/tmp']); if (r.status !== 0) throw new Error(String(r.error?.code ?? r.status)); return 'unmounted';",
        ),
        probe(
          "mount",
          "const r = cp.spawnSync('mount', ['-t', 'tmpfs', 'x', '/tmp']); if (r.status !== 0) throw new Error(String(r.error?.code ?? r.status)); return 'mounted';",
        ),
        probe(
          "shell",
          "const r = cp.spawnSync('/bin/sh', ['-c', 'id']); if (r.status !== 0) throw new Error(String(r.error?.code ?? r.status)); return 'shell';",
        ),
      ]),
    },
    status: "ok",
    scores: [2, 3, 3],
    probes: { uid: "ok", setuid: "denied", umount: "denied", mount: "denied", shell: "denied" },
  },
  // The network.
  {
    name: "network",
    files: { "network.ipynb": "" },
    status: "ok",
    scores: [2, 3, 3],
    probes: { host: "denied", out: "denied", listen: "ok" },
  },
  // Other kernels and processes.
  // Alone in its PID namespace: kill(-1) finds no one (ESRCH), so its solution cell fails.
  {
    name: "kill-others",
    files: { "kill-others.ipynb": student({ total: `process.kill(-1, "SIGKILL");\n${TOTAL}` }) },
    status: "ok",
    scores: [2, 0, 3],
  },
  {
    name: "fork-bomb",
    files: {
      "fork-bomb.ipynb": student({
        add: `const cp: any = require("child_process");\nconst kids: any[] = [];\nfor (let i = 0; i < 300; i++) { const k = cp.spawn(process.execPath, ["--v8-pool-size=0", "-e", "setInterval(() => {}, 1000); /* ${RUN} */"], { stdio: "ignore" }); k.on("error", () => undefined); kids.push(k); }\nawait new Promise((done) => setTimeout(done, 3000));\nconst alive = kids.filter((k) => k.pid !== undefined && k.exitCode === null && k.signalCode === null).length;\nconsole.log("PROBE forks " + (alive < 300 ? "denied" : "ok") + " " + alive);\nfor (const k of kids) { try { k.kill("SIGKILL"); } catch {} }\n${ADD}`,
      }),
    },
    status: "ok",
    scores: [2, 3, 3],
    probes: { forks: "denied" },
  },
  {
    name: "memory-children",
    files: {
      "memory-children.ipynb": student({
        add: `const cp: any = require("child_process");\nconst parent = "const cp = require('child_process'); let held = 0, ended = 0; for (let i = 0; i < 3; i++) { const k = cp.spawn(process.execPath, ['-e', 'const b = []; for (let i = 0; i < 5; i++) b.push(Buffer.alloc(100e6, 1)); console.log(1); setTimeout(() => {}, 3000); /* ${RUN} */']); k.stdout.on('data', () => held++); k.on('exit', () => { if (++ended === 3) console.log(held); }); }";\nconst held = (() => { try { return Number(cp.execFileSync(process.execPath, ["-e", parent], { encoding: "utf8" }).trim()); } catch { return -1; } })();\nconsole.log("PROBE children " + (held === 3 ? "ok" : "denied") + " " + held);\n${ADD}`,
      }),
    },
    status: /^kernel died in cell 4 \(fixture-sums-add\): out of memory \(all its processes together went over 768 MB\)/,
    scores: [0, 0, 0],
  },
  {
    name: "memory-hog",
    files: {
      "memory-hog.ipynb": student({
        add: `const hog: Float64Array[] = [];\nwhile (true) hog.push(new Float64Array(6_000_000).fill(1));\n${ADD}`,
      }),
    },
    status: /^kernel died in cell 4 \(fixture-sums-add\): .*out of memory/,
    scores: [0, 0, 0],
  },
  {
    name: "infinite-loop",
    files: { "infinite-loop.ipynb": student({ total: "function total(xs: number[]): number {\n  while (true) {}\n}" }) },
    status: "timeout in cell 8 (fixture-sums-total-test)",
    scores: [2, 0, 3],
  },
  {
    name: "exit",
    files: { "exit.ipynb": student({ total: `process.exit(3);\n${TOTAL}` }) },
    status: /^kernel died in cell 7 \(fixture-sums-total\): the kernel exited \(code 3\)/,
    scores: [2, 0, 0],
  },
  // Built-ins, for good or for a moment.
  {
    name: "patched-builtin",
    files: {
      "patched-builtin.ipynb": student({
        ...ALL_WRONG,
        add: `(Math as any).abs = () => 0;\n(Number as any).isNaN = () => true;\n${WRONG.add}`,
      }),
    },
    status: "ok",
    scores: [0, 0, 0],
  },
  {
    name: "timing-trick",
    files: {
      "timing-trick.ipynb": student({
        ...ALL_WRONG,
        add: `function add(a: number, b: number): number {\n  const abs = Math.abs;\n  try { (Math as any).abs = () => 0; } catch {}\n  try { Object.defineProperty(Math, "abs", { value: () => 0 }); } catch {}\n  queueMicrotask(() => { try { (Math as any).abs = abs; } catch {} });\n  setTimeout(() => { try { (Math as any).abs = abs; } catch {} }, 0);\n  return 0;\n}`,
      }),
    },
    status: "ok",
    scores: [0, 0, 0],
  },
  {
    name: "patched-prototype",
    files: {
      "patched-prototype.ipynb": student({
        ...ALL_WRONG,
        add: `try { (Array.prototype as any).every = () => true; (Object.prototype as any).x = 1; (JSON as any).stringify = () => "3"; } catch (e: any) { console.log("denied", e.message); }\n${WRONG.add}`,
      }),
    },
    status: "ok",
    scores: [0, 0, 0],
  },
  // The self-checks and the library.
  {
    name: "fake-dl",
    files: {
      "fake-dl.ipynb": student({ ...ALL_WRONG, add: `const dl: any = { check: () => true, checkTrue: () => true };\n${WRONG.add}` }),
    },
    status: "ok",
    scores: [0, 0, 0],
    note: /tampered/,
  },
  {
    name: "shadow-math",
    files: { "shadow-math.ipynb": student({ ...ALL_WRONG, add: `const Math: any = { abs: () => 0 };\n${WRONG.add}` }) },
    status: "ok",
    scores: [0, 0, 0],
  },
  {
    name: "patched-check",
    files: {
      "patched-check.ipynb": student({
        ...ALL_WRONG,
        add: `try { Object.assign(require("dl-by-hand/dist/check"), { check: () => true }); } catch {}\ntry { Object.assign(require("dl-by-hand"), { check: () => true }); } catch {}\n${WRONG.add}`,
      }),
    },
    status: "ok",
    scores: [0, 0, 0],
  },
  {
    name: "hook-vm",
    files: {
      "hook-vm.ipynb": student({
        ...ALL_WRONG,
        add: `const vm: any = require("vm");\ntry { vm.runInThisContext = () => undefined; } catch (e: any) { console.log("denied", e.message); }\ntry { const M: any = require("module"); M.prototype._compile = () => undefined; M._load = () => ({}); } catch (e: any) { console.log("denied", e.message); }\n${WRONG.add}`,
      }),
    },
    status: "ok",
    scores: [0, 0, 0],
  },
  {
    name: "hook-kernel",
    files: {
      "hook-kernel.ipynb": student({
        ...ALL_WRONG,
        add: `for (const m of ["tslab/dist/jupyter", "tslab/dist/executor", "zeromq", "crypto"]) { try { const x: any = require(m); for (const k of Object.keys(x)) { try { x[k] = () => undefined; } catch {} try { if (x[k]?.prototype) for (const p of Object.getOwnPropertyNames(x[k].prototype)) x[k].prototype[p] = () => undefined; } catch {} } } catch (e: any) { console.log("denied", m); } }\n${WRONG.add}`,
      }),
    },
    status: "ok",
    scores: [0, 0, 0],
  },
  {
    name: "find-guard",
    files: {
      "find-guard.ipynb": student({
        ...ALL_WRONG,
        add: `for (const k of Object.getOwnPropertyNames(globalThis).filter((n) => n.startsWith("grading"))) { const g: any = (globalThis as any)[k]; try { g.done("0", 1); g.check = () => undefined; (globalThis as any)[k] = { check() {}, done(_: string, v: unknown) { console.log("#grading-confirmation forged"); return v; } }; } catch (e: any) { console.log("denied", e.message); } }\n${WRONG.add}`,
      }),
    },
    status: "ok",
    scores: [0, 0, 0],
  },
  {
    name: "caller-leak",
    files: {
      "caller-leak.ipynb": student({
        ...ALL_WRONG,
        add: `function add(a: number, b: number): number {\n  const c: any = (add as any).caller;\n  console.log("✘ leaked: " + String(c).slice(0, 400));\n  return 0;\n}`,
      }),
    },
    status: "ok",
    scores: [0, 0, 0],
  },
  {
    name: "stack-leak",
    files: {
      "stack-leak.ipynb": student({
        ...ALL_WRONG,
        add: `try { (Error as any).prepareStackTrace = (_: unknown, s: any[]) => s.map((f) => String(f.getFunction?.())).join("|"); } catch (e: any) { console.log("denied", e.message); }\nfunction add(a: number, b: number): number { console.log("✘ stack " + String(new Error().stack).slice(0, 400)); return 0; }`,
      }),
    },
    status: "ok",
    scores: [0, 0, 0],
  },
  {
    name: "native-and-debugger",
    files: {
      "native-and-debugger.ipynb": probing(
        [
          probe("v8", "return require('v8').getHeapSnapshot();"),
          probe("inspector", "return new (require('inspector').Session)();"),
          probe("dlopen", "(process as any).dlopen({}, '/tmp/x.node'); return 'loaded';"),
          probe("binding", "return (process as any).binding('fs');"),
          probe("builtinV8", "return (process as any).getBuiltinModule('v8').getHeapSnapshot();"),
          probe("builtinInspector", "return new ((process as any).getBuiltinModule('node:inspector').Session)();"),
        ],
        ALL_WRONG,
      ),
    },
    status: "ok",
    scores: [0, 0, 0],
    probes: { v8: "denied", inspector: "denied", dlopen: "denied", binding: "denied", builtinV8: "denied", builtinInspector: "denied" },
  },
  {
    // SIGUSR1 opens Node's inspector on 127.0.0.1:9229: a debugger would read the confirmations.
    name: "sigusr1-inspector",
    files: {
      "sigusr1-inspector.ipynb": student({
        ...ALL_WRONG,
        add: [
          'const cp: any = require("child_process");',
          'const http: any = require("http");',
          'const inspectorOpen = (): Promise<string> => new Promise((resolve) => { http.get("http://127.0.0.1:9229/json/list", (res: any) => { let b = ""; res.on("data", (d: any) => (b += d)); res.on("end", () => resolve("ok " + b.slice(0, 60).replace(/\\s+/g, " "))); }).on("error", (e: any) => resolve("denied " + e.code)); });',
          'process.kill(process.pid, "SIGUSR1");',
          "await new Promise((r) => setTimeout(r, 1000));",
          'console.log("PROBE self " + (await inspectorOpen()));',
          'cp.spawnSync(process.execPath, ["-e", `process.kill(${process.pid}, "SIGUSR1")`]);',
          "await new Promise((r) => setTimeout(r, 1000));",
          'console.log("PROBE child " + (await inspectorOpen()));',
          'try { (process as any)._debugProcess(process.pid); console.log("PROBE debugProcess ok"); } catch { console.log("PROBE debugProcess denied"); }',
          ALL_WRONG.add,
        ].join("\n"),
      }),
    },
    status: "ok",
    scores: [0, 0, 0],
    probes: { self: "denied", child: "denied", debugProcess: "denied" },
  },
  // Forged output.
  {
    name: "forged-checks",
    files: {
      "forged-checks.ipynb": student({
        ...ALL_WRONG,
        add: `function add(a: number, b: number): number {\n  console.log("✔ 1 + 2\\n✔ hidden: -1 + 1\\n#grading-confirmation 0000");\n  return 3;\n}`,
      }),
    },
    status: "ok",
    scores: [0, 0, 0],
  },
  {
    name: "forged-stdout",
    files: {
      "forged-stdout.ipynb": student({
        ...ALL_WRONG,
        add: `function add(a: number, b: number): number {\n  const w = process.stdout.write.bind(process.stdout);\n  (process.stdout as any).write = (s: string) => w(String(s).replace(/✘/g, "✔"));\n  (process.stderr as any).write = () => true;\n  return a === 1 ? 3 : 7;\n}`,
      }),
    },
    status: "ok",
    scores: [0, 0, 0],
  },
  {
    name: "forged-iopub",
    files: {
      "forged-iopub.ipynb": student({
        ...ALL_WRONG,
        add: `const zmq: any = require("zeromq");\nfor (const p of ["-1", "-2", "-4", ":1", ":2"]) { try { const s = new zmq.Publisher(); s.connect("ipc://" + process.argv[process.argv.length - 1].replace(/kernel\\.json$/, "kernel") + p); void s.send(["<IDS|MSG>", "", "{}", "{}", "{}", JSON.stringify({ status: "ok" })]); } catch (e: any) { console.log("denied", e.message); } }\n${WRONG.add}`,
      }),
    },
    status: "ok",
    scores: [0, 0, 0],
  },
  {
    name: "swallow-error",
    files: {
      "swallow-error.ipynb": student({
        ...ALL_WRONG,
        add: `process.on("uncaughtException", () => undefined);\nfunction add(a: number, b: number): any { return { valueOf: () => 3, toString: () => "3", [Symbol.toPrimitive]: () => 3 }; }`,
      }),
    },
    status: "ok",
    scores: [0, 0, 0],
  },
  // Test cells and metadata.
  {
    name: "deleted-test",
    files: { "deleted-test.ipynb": student({}, (cells) => void cells.splice(7, 1)) },
    status: "ok",
    scores: [2, 3, 3],
    note: /fixture-sums-total-test: the locked cell was deleted/,
  },
  {
    name: "edited-test",
    files: { "edited-test.ipynb": student({ add: WRONG.add }, (cells) => void (cells[4].source = 'dl.check("1 + 2", 3, 3);')) },
    status: "ok",
    scores: [0, 3, 3],
    note: /fixture-sums-add-test: the locked cell was edited/,
  },
  {
    name: "metadata-points",
    files: {
      "metadata-points.ipynb": student({ add: WRONG.add }, (cells) => {
        const meta = cells[4].metadata.nbgrader as Record<string, unknown>;
        meta.points = 100;
        cells[3].metadata.nbgrader = { ...(cells[3].metadata.nbgrader as object), grade: true, points: 50 };
      }),
    },
    status: "ok",
    scores: [0, 3, 3],
  },
  {
    name: "metadata-relabel",
    files: {
      "metadata-relabel.ipynb": student({ add: WRONG.add }, (cells) => {
        cells.splice(5, 0, { ...cells[4], id: "extra", source: 'dl.check("bonus", 1, 1);' });
        cells.push({
          cell_type: "code",
          id: "bonus",
          metadata: { nbgrader: { grade: true, solution: false, locked: true, points: 40, grade_id: "bonus-test", schema_version: 3 } },
          source: "1",
          outputs: [],
          execution_count: null,
        });
      }),
    },
    status: "ok",
    scores: [0, 3, 3],
    note: /appears twice|not part of this assignment/,
  },
  // Files and names.
  { name: "symlink-instructor", files: {}, status: "symlink", scores: [0, 0, 0] },
  { name: "broken-link", files: {}, status: "symlink", scores: [0, 0, 0] },
  { name: "fifo", files: {}, status: "not a regular file", scores: [0, 0, 0] },
  { name: "folder-named-notebook", files: {}, status: "a folder, not a notebook", scores: [0, 0, 0] },
  {
    name: ".dot-name",
    student: "_dot-name~",
    files: { ".dot-name.ipynb": student({}) },
    status: "ok",
    scores: [2, 3, 3],
    note: /submitted as "\.dot-name"/,
  },
  {
    name: "l".repeat(240),
    student: "l".repeat(71) + "~",
    files: { [`${"l".repeat(240)}.ipynb`]: student({}) },
    status: "ok",
    scores: [2, 3, 3],
  },
  {
    name: "=cmd|' /C calc'!A0;<script>",
    student: "_cmd_",
    files: { "=cmd|' _C calc'!A0;<script>.ipynb": student({}) },
    status: "ok",
    scores: [2, 3, 3],
  },
  // Outputs.
  {
    name: "huge-display",
    files: { "huge-display.ipynb": student({ add: `dl.display({ "text/html": "<b>" + "x".repeat(30_000_000) + "</b>" });\n${ADD}` }) },
    status: "ok",
    scores: [2, 3, 3],
    note: /output not kept in full/,
  },
  {
    name: "huge-error",
    files: { "huge-error.ipynb": student({ add: `throw new Error("<script>alert(1)</script>" + "e".repeat(20_000_000));\n${ADD}` }) },
    status: "ok",
    scores: [0, 3, 3],
  },
  {
    name: "print-flood",
    files: { "print-flood.ipynb": student({ add: `for (let i = 0; i < 100_000; i++) console.log("x".repeat(1000));\n${ADD}` }) },
    status: "ok",
    scores: [2, 3, 3],
  },
  // Not notebooks.
  { name: "not-json", files: { "not-json.ipynb": '{"cells": [' }, status: "invalid notebook JSON", scores: [0, 0, 0] },
  {
    name: "nbformat3",
    files: { "nbformat3.ipynb": JSON.stringify({ nbformat: 3, nbformat_minor: 0, metadata: {}, worksheets: [] }) },
    status: "nbformat 3",
    scores: [0, 0, 0],
  },
  {
    name: "other-assignment",
    files: { "other-assignment.ipynb": serializeNotebook(other) },
    status: "wrong assignment",
    scores: [0, 0, 0],
  },
  { name: "empty", files: { "empty.ipynb": "" }, status: "empty file", scores: [0, 0, 0] },
  {
    name: "two-notebooks",
    files: { "two-notebooks/mine.ipynb": student({}), "two-notebooks/copy.ipynb": student({}) },
    status: "2 notebooks",
    scores: [0, 0, 0],
  },
  honest("zzz-honest-last"),
];

/** SHA-256 of every file under `root` (links not followed), skipping `skip` folders. */
function hashes(root: string, skip: string[] = []): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (skip.includes(path)) continue;
      const s = lstatSync(path);
      if (s.isDirectory()) walk(path);
      else if (s.isFile()) found[relative(root, path)] = createHash("sha256").update(readFileSync(path)).digest("hex");
      else found[relative(root, path)] = s.isSymbolicLink() ? "link" : "special";
    }
  };
  walk(root);
  return found;
}

/** What must not change: the project's sources, library, modules the kernel loads, instructor notebooks. */
function projectHashes(): Record<string, string> {
  const parts = [
    "dist",
    "src",
    "notebooks",
    "tests/fixtures",
    "package.json",
    "node_modules/tslab",
    "node_modules/zeromq/lib",
    "node_modules/@tensorflow/tfjs/package.json",
  ];
  const all: Record<string, string> = {};
  for (const part of parts) {
    const path = join(project, part);
    if (statSync(path).isDirectory())
      Object.assign(all, Object.fromEntries(Object.entries(hashes(path)).map(([k, v]) => [join(part, k), v])));
    else all[part] = createHash("sha256").update(readFileSync(path)).digest("hex");
  }
  return all;
}

/** This run's fork bomb and memory test children, if any survived (found by RUN in their code, wherever they went). */
function sandboxProcesses(): string[] {
  return execFileSync("ps", ["-eo", "pid,args", "--width", "100000"], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.includes(RUN));
}

/** The add cell's PROBE lines in a submission's autograded notebook. */
function probes(studentName: string): Record<string, string> {
  const file = join(out, "autograded", studentName, "fixture-sums.ipynb");
  const nb = JSON.parse(readFileSync(file, "utf8"));
  const lines = nb.cells
    .flatMap((c: { outputs?: Array<{ text?: string | string[] }> }) => c.outputs ?? [])
    .map((o: { text?: string | string[] }) => text(o.text ?? ""))
    .join("")
    .split("\n")
    .filter((l: string) => l.startsWith("PROBE "));
  return Object.fromEntries(lines.map((l: string) => [l.split(" ")[1], l.split(" ")[2]]));
}

const HIDDEN = ["hidden: -1 + 1", "hidden: total of []", "BEGIN HIDDEN", "an empty sum is 0"];

describe("a hostile class graded in the sandbox", () => {
  const lines: string[] = [];
  let report: BatchReport;
  let honestOnly: BatchReport;
  let project0: Record<string, string>;
  let canary0: Record<string, string>;
  let submissions0: Record<string, string>;
  const kernelsSeccomp = new Map<string, string>();
  const row = (c: Case): Row => {
    const name = c.student ?? c.name;
    const found = report.rows.filter((r) => (c.student ? r.student.startsWith(name) : r.student === name));
    if (found.length !== 1) throw new Error(`expected one row for ${name}, got ${found.length}`);
    return found[0];
  };
  const settings = {
    submissions,
    out,
    source: fixtures,
    assignment: "fixture-sums",
    jobs: 2,
    cellTimeout: 30,
    processes: 64,
    notebookTimeout: 120,
    memoryMb: 768,
    isolation: "sandbox" as const,
    log: (line: string) => lines.push(line),
  };

  beforeAll(async () => {
    expect(sandboxProblem()).toBeNull();
    hostServer = createServer((socket) => socket.end("host"));
    await new Promise<void>((done) => hostServer.listen(0, "127.0.0.1", done));
    const address = hostServer.address();
    hostPort = typeof address === "object" && address !== null ? address.port : 0;
    const network = probing([
      probe(
        "host",
        `return require("child_process").execFileSync(process.execPath, ["-e", "const s = require('net').connect(${hostPort}, '127.0.0.1', () => { console.log('connected'); process.exit(0); }); s.on('error', (e) => { console.log(e.code); process.exit(1); });"], { encoding: "utf8" });`,
      ),
      probe(
        "out",
        `return require("child_process").execFileSync(process.execPath, ["-e", "const s = require('net').connect(53, '8.8.8.8', () => { console.log('connected'); process.exit(0); }); s.on('error', (e) => { console.log(e.code); process.exit(1); });"], { encoding: "utf8" });`,
      ),
      probe(
        "listen",
        `require("child_process").execFileSync(process.execPath, ["-e", "const s = require('net').createServer().listen(${hostPort + 1}, '127.0.0.1', () => { s.close(); })"]); return "listened";`,
      ),
    ]);
    for (const c of cases) {
      const files = c.name === "network" ? { "network.ipynb": network } : c.files;
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(join(submissions, path, ".."), { recursive: true });
        writeFileSync(join(submissions, path), content);
      }
    }
    symlinkSync(instructorFile, join(submissions, "symlink-instructor.ipynb"));
    symlinkSync(join(scratch, "nowhere.ipynb"), join(submissions, "broken-link.ipynb"));
    execFileSync("mkfifo", [join(submissions, "fifo.ipynb")]);
    mkdirSync(join(submissions, "folder-named-notebook.ipynb"));
    project0 = projectHashes();
    canary0 = hashes(scratch, [out, submissions]);
    submissions0 = hashes(submissions);
    // The honest rows as a class of honest students only gets them.
    const honestDir = join(scratch, "honest-only");
    mkdirSync(honestDir);
    for (const c of cases.filter((c) => c.name.includes("honest")))
      writeFileSync(join(honestDir, `${c.name}.ipynb`), c.files[`${c.name}.ipynb`]);
    honestOnly = await gradeAll({ ...settings, submissions: honestDir, out: join(scratch, "honest-graded"), log: () => undefined });
    const started = Date.now();
    // Watch the grading kernels from outside: each must run under the seccomp filter (mode 2).
    const watch = setInterval(() => {
      for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
        try {
          const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
          if (argv[0] !== process.execPath || !argv.includes(join(project, "dist", "course", "kernel.js"))) continue;
          const mode = readFileSync(`/proc/${pid}/status`, "utf8").match(/^Seccomp:\s*(\d)/m)?.[1] ?? "?";
          kernelsSeccomp.set(pid, mode);
        } catch {
          // Gone meanwhile.
        }
      }
    }, 500);
    report = await gradeAll(settings).finally(() => clearInterval(watch));
    lines.push(
      `corpus: ${cases.length} submissions in ${((Date.now() - started) / 1000).toFixed(0)} s, peak ${Math.round(report.peakBytes / 1e6)} MB per submission`,
    );
    process.stdout.write(lines.at(-1) + "\n");
  }, 1_800_000);

  afterAll(() => {
    hostServer?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("runs every grading kernel under the seccomp filter", () => {
    expect(kernelsSeccomp.size).toBeGreaterThan(cases.length / 2);
    expect([...new Set(kernelsSeccomp.values())]).toEqual(["2"]);
  });

  it("holds at least 40 submissions, one row each, honest ones first and last", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(report.rows).toHaveLength(cases.length);
    const csv = readFileSync(join(out, "gradebook.csv"), "utf8").trim().split("\n");
    expect(csv).toHaveLength(cases.length + 1);
  });

  it.each(cases.map((c) => [c.name.slice(0, 40), c] as const))("%s", (_, c) => {
    const r = row(c);
    if (typeof c.status === "string") expect(r.status).toBe(c.status);
    else expect(r.status).toMatch(c.status);
    expect(r.tests.map((t) => t.points)).toEqual(c.scores);
    expect(r.total).toBe(r.tests.reduce((a, t) => a + t.points, 0));
    if (r.status.startsWith("ok") || r.status.startsWith("kernel died") || r.status.startsWith("timeout"))
      expect(r.peakMemoryMb ?? 0).toBeLessThanOrEqual(Math.ceil(768 * 1.05));
    expect(r.max).toBe(8);
    if (c.note) expect(r.notes.join("\n")).toMatch(c.note);
    if (c.probes) {
      const seen = probes(r.student);
      expect(Object.keys(seen).sort()).toEqual(Object.keys(c.probes).sort());
      expect(seen).toEqual(c.probes);
    }
  });

  it("gives the honest students the same rows as in an honest class", () => {
    const pick = (rows: Row[]) =>
      rows.filter((r) => r.student.includes("honest")).map((r) => [r.student, r.status, r.tests.map((t) => t.points)]);
    expect(pick(report.rows)).toEqual(pick(honestOnly.rows));
    expect(pick(report.rows)).toHaveLength(4);
  });

  it("changes nothing outside the output folder and leaves no process", () => {
    expect(projectHashes()).toEqual(project0);
    expect(hashes(scratch, [out, submissions, join(scratch, "honest-only"), join(scratch, "honest-graded")])).toEqual(
      Object.fromEntries(Object.entries(canary0).filter(([k]) => !k.startsWith("honest-"))),
    );
    expect(hashes(submissions)).toEqual(submissions0);
    expect(existsSync("/var/tmp/hostile")).toBe(false);
    expect(existsSync("/tmp/hostile-private")).toBe(false);
    expect(sandboxProcesses()).toEqual([]);
    expect(groupsLeft(`dl-by-hand-${process.pid}-`)).toEqual([]);
    const grading = join(project, "build", "grading");
    expect(existsSync(grading) ? readdirSync(grading).filter((d) => d.startsWith(`run-${process.pid}-`)) : []).toEqual([]);
  });

  it("keeps hidden tests out of every feedback page, and shows them with showHidden", async () => {
    // The student's own code (in <details>) may quote anything; the rest of the page must not.
    const pages = readdirSync(join(out, "feedback")).map((s) =>
      readFileSync(join(out, "feedback", s, "fixture-sums.html"), "utf8").replace(/<details>[\s\S]*?<\/details>/g, ""),
    );
    expect(pages).toHaveLength(cases.length);
    for (const page of pages) {
      for (const hidden of HIDDEN) expect(page).not.toContain(hidden);
      expect(page).not.toContain("return a + b;\n  // END");
      expect(page).not.toContain("<script>");
      expect(page).not.toContain(scratch);
      expect(page).not.toContain(project);
      expect(page.length).toBeLessThan(300_000);
    }
    const after = await gradeAll({ ...settings, showHidden: true, log: () => undefined });
    expect(after.graded).toBe(0);
    const visibleOnly = readFileSync(join(out, "feedback", "aac-honest-visible-only", "fixture-sums.html"), "utf8");
    expect(visibleOnly).toContain("hidden: -1 + 1: expected 0, got 3");
  }, 120_000);

  it("caps what it keeps and never shows the tutor's paths", () => {
    const display = statSync(join(out, "autograded", "huge-display", "fixture-sums.ipynb")).size;
    expect(display).toBeLessThan(3_000_000);
    expect(statSync(join(out, "autograded", "print-flood", "fixture-sums.ipynb")).size).toBeLessThan(3_000_000);
    const csv = readFileSync(join(out, "gradebook.csv"), "utf8");
    expect(csv).not.toContain(scratch);
    expect(csv).not.toContain(project);
    for (const line of csv.split("\n").slice(1)) expect(line).not.toMatch(/(^|,)[=+\-@]/);
    const leak = row(cases.find((c) => c.name === "caller-leak") as Case).tests[0].checks.join("\n");
    expect(leak).toContain("leaked: null");
  });
});

describe("a project the sandbox's uid cannot read", () => {
  it("is named before any grading, with the fix, and a readable one passes the same check", () => {
    // As root (CI) the kernels run as an unprivileged uid: a folder closed to others (mktemp -d) hides the project from bwrap.
    expect(process.getuid?.()).toBe(0);
    const closed = mkdtempSync(join(tmpdir(), "closed-project-"));
    try {
      mkdirSync(join(closed, "dist"));
      writeFileSync(join(closed, "package.json"), "{}");
      execFileSync("chmod", ["700", closed]);
      expect(unreadableForUid(closed, 1_900_000)).toBe(join(closed, "dist"));
      execFileSync("chmod", ["755", closed]);
      expect(unreadableForUid(closed, 1_900_000)).toBeNull();
    } finally {
      rmSync(closed, { recursive: true, force: true });
    }
  });
});
