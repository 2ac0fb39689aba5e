// The system calls a grading kernel may not make, as a seccomp filter that bubblewrap installs
// (`bwrap --seccomp FD`): a classic BPF program, as libseccomp's seccomp_export_bpf would write it.
//
// The freezing and the confirmations live in the kernel's memory. A native program the submission
// writes into its /tmp and starts runs as the same user as the kernel, so without this filter it
// could attach to the kernel as a debugger (ptrace) or read its memory (process_vm_readv). The
// filter refuses those and a few more calls that only debuggers, profilers and kernel exploits
// need; everything else node, TypeScript and TensorFlow.js do is allowed.
//
// The program: check the architecture (another one, such as 32-bit calls on x86-64, ends the
// process), then compare the call number with each refused call.
import { writeFileSync } from "fs";
import { join } from "path";

/** seccomp's return values and BPF opcodes (linux/seccomp.h, linux/filter.h). */
const RET_KILL_PROCESS = 0x80000000;
const RET_ALLOW = 0x7fff0000;
const RET_ERRNO = 0x00050000;
const EPERM = 1;
const ENOSYS = 38;
const LOAD_WORD = 0x20; // BPF_LD | BPF_W | BPF_ABS
const JUMP_IF_EQUAL = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const JUMP_IF_AT_LEAST = 0x35; // BPF_JMP | BPF_JGE | BPF_K
const RETURN = 0x06; // BPF_RET | BPF_K
/** Offsets in struct seccomp_data. */
const NR = 0;
const ARCH = 4;
/** x86-64's x32 calls have this bit set in their number: all refused. */
const X32_BIT = 0x40000000;

/** Refused calls: the debugger's (EPERM, as without the right to trace) and io_uring's (ENOSYS, so libuv falls back). */
const REFUSED = {
  ptrace: EPERM,
  process_vm_readv: EPERM,
  process_vm_writev: EPERM,
  perf_event_open: EPERM,
  bpf: EPERM,
  userfaultfd: EPERM,
  kcmp: EPERM,
  keyctl: EPERM,
  add_key: EPERM,
  request_key: EPERM,
  io_uring_setup: ENOSYS,
  io_uring_enter: ENOSYS,
  io_uring_register: ENOSYS,
} as const;

type Call = keyof typeof REFUSED;

/** Audit architecture and call numbers (asm/unistd_64.h, asm-generic/unistd.h). */
const ARCHES: Record<string, { audit: number; x32: boolean; calls: Record<Call, number> }> = {
  x64: {
    audit: 0xc000003e,
    x32: true,
    calls: {
      ptrace: 101,
      process_vm_readv: 310,
      process_vm_writev: 311,
      perf_event_open: 298,
      bpf: 321,
      userfaultfd: 323,
      kcmp: 312,
      keyctl: 250,
      add_key: 248,
      request_key: 249,
      io_uring_setup: 425,
      io_uring_enter: 426,
      io_uring_register: 427,
    },
  },
  arm64: {
    audit: 0xc00000b7,
    x32: false,
    calls: {
      ptrace: 117,
      process_vm_readv: 270,
      process_vm_writev: 271,
      perf_event_open: 241,
      bpf: 280,
      userfaultfd: 282,
      kcmp: 272,
      keyctl: 219,
      add_key: 217,
      request_key: 218,
      io_uring_setup: 425,
      io_uring_enter: 426,
      io_uring_register: 427,
    },
  },
};

/** The names of the calls the filter refuses. */
export const REFUSED_CALLS = Object.keys(REFUSED) as Call[];

/** The filter for `arch` (a `process.arch` value) as bwrap reads it, or null where none is written. */
export function seccompFilter(arch: string = process.arch): Buffer | null {
  const spec = ARCHES[arch];
  if (spec === undefined) return null;
  const program: [code: number, jt: number, jf: number, k: number][] = [];
  program.push([LOAD_WORD, 0, 0, ARCH], [JUMP_IF_EQUAL, 1, 0, spec.audit], [RETURN, 0, 0, RET_KILL_PROCESS], [LOAD_WORD, 0, 0, NR]);
  // After the comparisons: allow, then the two refusals.
  const checks = REFUSED_CALLS.length + (spec.x32 ? 1 : 0);
  const allow = program.length + checks;
  const target = (errno: number): number => allow + (errno === EPERM ? 1 : 2);
  if (spec.x32) program.push([JUMP_IF_AT_LEAST, target(EPERM) - program.length - 1, 0, X32_BIT]);
  for (const call of REFUSED_CALLS) program.push([JUMP_IF_EQUAL, target(REFUSED[call]) - program.length - 1, 0, spec.calls[call]]);
  program.push([RETURN, 0, 0, RET_ALLOW], [RETURN, 0, 0, RET_ERRNO | EPERM], [RETURN, 0, 0, RET_ERRNO | ENOSYS]);
  // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; } in the machine's byte order (both are little-endian).
  const out = Buffer.alloc(program.length * 8);
  program.forEach(([code, jt, jf, k], i) => {
    out.writeUInt16LE(code, i * 8);
    out.writeUInt8(jt, i * 8 + 2);
    out.writeUInt8(jf, i * 8 + 3);
    out.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return out;
}

/** Write the filter into `dir` (a grading kernel's scratch folder, hidden inside its sandbox) and return the file's path. */
export function writeSeccompFilter(dir: string): string {
  const filter = seccompFilter();
  if (filter === null) throw new Error(`writeSeccompFilter: no seccomp filter is written for this architecture (${process.arch})`);
  const file = join(dir, ".seccomp.bpf");
  writeFileSync(file, filter, { mode: 0o444 });
  return file;
}
