// The grading kernel's seccomp filter (src/course/grade/seccomp.ts), installed by bubblewrap as the
// sandbox does: a native program cannot read another process's memory (process_vm_readv) or trace
// one (ptrace), io_uring is absent, and node runs as usual. Without the filter the same program
// does read memory, so the test shows the filter at work.
import { spawnSync } from "child_process";
import { mkdtempSync, openSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { afterAll, describe, expect, it } from "vitest";
import { REFUSED_CALLS, seccompFilter, writeSeccompFilter } from "../src/course/grade/seccomp";

const dir = mkdtempSync(join(tmpdir(), "seccomp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Reads its own memory through process_vm_readv (allowed without a filter, even for nobody),
// asks to be traced, and sets up an io_uring: one line per call, "name result errno".
const PROGRAM = `
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
class iovec(ctypes.Structure): _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
src = ctypes.create_string_buffer(b"secret", 16); dst = ctypes.create_string_buffer(16)
here = iovec(ctypes.cast(dst, ctypes.c_void_p), 6); there = iovec(ctypes.cast(src, ctypes.c_void_p), 6)
n = libc.process_vm_readv(os.getpid(), ctypes.byref(here), 1, ctypes.byref(there), 1, 0)
print("process_vm_readv", n, ctypes.get_errno() if n < 0 else dst.value.decode())
ctypes.set_errno(0)
n = libc.syscall(425, 1, 0)
print("io_uring_setup", n, ctypes.get_errno())
`;

function run(filter: boolean, command: string[]): { status: number | null; stdout: string; stderr: string } {
  const args = ["--ro-bind", "/", "/", "--dev", "/dev", "--unshare-all", "--die-with-parent"];
  const stdio: ("pipe" | number)[] = ["pipe", "pipe", "pipe"];
  if (filter) {
    stdio.push(...Array(6).fill("pipe"), openSync(writeSeccompFilter(dir), "r"));
    args.push("--seccomp", "9");
  }
  const result = spawnSync("bwrap", [...args, "--", ...command], { stdio, encoding: "utf8", timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the grading kernel's seccomp filter", () => {
  it("is a BPF program for x64 and arm64 that refuses the debugger's calls", () => {
    for (const arch of ["x64", "arm64"]) {
      const filter = seccompFilter(arch);
      expect(filter).not.toBeNull();
      // Load arch, compare, kill, load number, the comparisons, then allow and the two refusals.
      expect(filter?.length).toBe(8 * (4 + REFUSED_CALLS.length + (arch === "x64" ? 1 : 0) + 3));
    }
    expect(REFUSED_CALLS).toEqual(expect.arrayContaining(["ptrace", "process_vm_readv", "process_vm_writev", "perf_event_open", "bpf"]));
    expect(seccompFilter("ia32")).toBeNull();
  });

  it("without the filter, a program reads its own memory through process_vm_readv", () => {
    const out = run(false, ["/usr/bin/python3", "-c", PROGRAM]);
    expect(out.stderr).toBe("");
    expect(out.stdout).toContain("process_vm_readv 6 secret");
  });

  it("with it, process_vm_readv is refused (EPERM) and io_uring absent (ENOSYS)", () => {
    const out = run(true, ["/usr/bin/python3", "-c", PROGRAM]);
    expect(out.stderr).toBe("");
    expect(out.stdout).toContain("process_vm_readv -1 1\n");
    expect(out.stdout).toContain("io_uring_setup -1 38\n");
  });

  it("with it, node still reads files, starts workers and computes", () => {
    const code =
      "const { Worker } = require('worker_threads'); const fs = require('fs'); fs.readFileSync('/etc/passwd');" +
      "new Worker('require(\"worker_threads\").parentPort.postMessage(6 * 7)', { eval: true }).on('message', (m) => console.log('answer', m));";
    const out = run(true, [process.execPath, "-e", code]);
    expect(out.stderr).toBe("");
    expect(out.stdout).toBe("answer 42\n");
    expect(out.status).toBe(0);
  });
});
