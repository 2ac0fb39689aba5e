// The kernel a submission is graded in, made with bubblewrap (Debian `bubblewrap`, /usr/bin/bwrap):
// - an unprivileged user: when the grader runs as root, the launcher first drops to a uid of its
//   own (setpriv, no groups, no_new_privs); inside, bwrap maps it to `nobody` with no capabilities;
// - its own user, mount, PID, IPC, UTS, cgroup and network namespaces (loopback only);
// - a read-only root made of what node needs (/usr/lib*, the node binary, the /lib links, a few /etc files), the
//   project's dist/, node_modules/, datasets/ and package.json read-only, a private /tmp and a
//   scratch folder (both small tmpfs), and the folder of its own connection file: the ZMQ `ipc`
//   sockets the grader talks to it over. Nothing else of the host: no /home, /root, /var, .git,
//   notebooks, submissions or output folder;
// - in a control group of its own (cgroup.ts): memory and processes are limited per submission;
// - under a seccomp filter (seccomp.ts): no debugger calls, so not even a native program it starts
//   can read the kernel's memory.
// The launcher is a small shell that joins the control group, relays SIGINT (Jupyter's interrupt)
// to the kernel, and dies with the grader (setpriv --pdeathsig), taking the sandbox with it.
import { spawnSync } from "child_process";
import { existsSync, lstatSync, readlinkSync } from "fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "path";
import { KernelSpec } from "../kernelspec";
import { cgroupProblem, Group } from "./cgroup";
import { seccompFilter } from "./seccomp";

export type Isolation = "sandbox" | "none";

export interface SandboxOptions {
  /** Project root (holds package.json, dist/, node_modules/). */
  root: string;
  /** The submission's scratch folder, inside `root`: the kernel's working directory (a tmpfs inside). */
  workDir: string;
  /** Memory limit of the submission in MB; the JavaScript heap gets half. */
  memoryMb: number;
  isolation: Isolation;
  /** The control group the kernel joins (sandbox only). */
  group?: Group;
  /** The host uid the kernel runs as when the grader is root (sandbox only). */
  uid?: number;
  /** The seccomp filter file (seccomp.ts's `seccompFilter()`, written by the grader), which bwrap installs (sandbox only). */
  seccomp?: string;
}

/** Bytes each tmpfs (/tmp and the scratch folder) may hold; they count against the memory limit too. */
const TMPFS_BYTES = 64 * 1024 * 1024;

const OUTER = `connection=$1
shift
dir=\${connection%/*}
printf '%s\\n' "$DLBH_PROCS" | while IFS= read -r file; do [ -z "$file" ] || printf '%s\\n' $$ > "$file"; done
drop=""
if [ -n "$DLBH_UID" ]; then
  chown "$DLBH_UID:$DLBH_UID" "$dir" "$connection"
  drop="setpriv --reuid=$DLBH_UID --regid=$DLBH_UID --clear-groups --no-new-privs --"
fi
$drop bwrap --seccomp 9 "$@" --bind "$dir" "$dir" -- "$DLBH_NODE" --max-old-space-size="$DLBH_HEAP_MB" "$DLBH_KERNEL" "$connection" 9< "$DLBH_SECCOMP" &
sandbox=$!
# bwrap -> its init (process 1 inside) -> the kernel: the interrupt goes to the kernel.
trap 'for init in $(cat /proc/$sandbox/task/$sandbox/children 2>/dev/null); do kill -INT $(cat /proc/$init/task/$init/children 2>/dev/null) 2>/dev/null; done' INT
while :; do
  wait $sandbox
  status=$?
  kill -0 $sandbox 2>/dev/null || exit $status
done
`;

/** Without a sandbox: only the heap limit, a clean environment and a session of its own. */
// No setsid here: the client already starts the kernel in a process group of its own, and setsid run by a
// group leader forks and exits 0, which the client would take for the kernel's death.
const PLAIN = `cd "$DLBH_WORKDIR"
exec env -i PATH="$PATH" HOME="$PWD" LANG=C.UTF-8 "$DLBH_NODE" --max-old-space-size="$DLBH_HEAP_MB" "$DLBH_KERNEL" "$1"
`;

/** Files of /etc that node and its libraries read; nothing else of /etc is shown. */
const ETC = [
  "/etc/passwd",
  "/etc/group",
  "/etc/hosts",
  "/etc/nsswitch.conf",
  "/etc/ld.so.cache",
  "/etc/ld.so.conf",
  "/etc/ld.so.conf.d",
  "/etc/localtime",
  "/etc/ssl/openssl.cnf",
];

function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith(".." + sep) && rel !== ".." && !rel.startsWith(sep));
}

/**
 * bwrap arguments for the read-only system part: the libraries (/usr/lib*, and the /lib… links or
 * folders), the node binary alone (no shell, compiler or debugger), a few /etc files.
 */
function systemArgs(node: string): string[] {
  const args: string[] = [];
  for (const lib of ["/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/libx32", "/usr/share/zoneinfo"])
    if (existsSync(lib)) args.push("--ro-bind", lib, lib);
  for (const top of ["/lib", "/lib64", "/lib32", "/libx32"]) {
    if (!existsSync(top)) continue;
    const link = lstatSync(top).isSymbolicLink();
    args.push(...(link ? ["--symlink", readlinkSync(top), top] : ["--ro-bind", top, top]));
  }
  for (const file of ETC) if (existsSync(file)) args.push("--ro-bind", file, file);
  // The node binary; a node installed outside /usr (e.g. /opt/node/bin/node): its installation folder.
  args.push(...(inside("/usr", node) ? ["--ro-bind", node, node] : ["--ro-bind", dirname(dirname(node)), dirname(dirname(node))]));
  return args;
}

/** The bwrap arguments of a grading kernel, up to the connection folder (added by the launcher). */
export function bwrapArgs(root: string, workDir: string): string[] {
  const args = [
    "--unshare-all",
    "--unshare-user",
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    "--uid",
    "65534",
    "--gid",
    "65534",
    "--hostname",
    "grading",
    "--disable-userns",
    "--clearenv",
    "--setenv",
    "PATH",
    dirname(process.execPath),
    "--setenv",
    "HOME",
    workDir,
    "--setenv",
    "LANG",
    "C.UTF-8",
    ...systemArgs(process.execPath),
    "--dev",
    "/dev",
    "--size",
    String(TMPFS_BYTES),
    "--tmpfs",
    "/tmp",
  ];
  for (const part of PROJECT_PARTS) {
    const path = join(root, part);
    if (existsSync(path)) args.push("--ro-bind", path, path);
  }
  args.push("--size", String(TMPFS_BYTES), "--tmpfs", workDir, "--chdir", workDir);
  return args;
}

/** The parts of the project a grading kernel sees, read-only. */
const PROJECT_PARTS = ["dist", "node_modules", "datasets", "package.json"] as const;

/**
 * The first part of the project that host uid `uid` cannot read (bwrap runs as that uid, so it could not
 * bind it): a folder on the way is closed to other users, as `mktemp -d` makes them. Null when all are readable.
 */
export function unreadableForUid(root: string, uid: number): string | null {
  for (const part of PROJECT_PARTS) {
    const path = join(root, part);
    if (!existsSync(path)) continue;
    const probe = spawnSync("setpriv", [`--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "--", "test", "-r", path], {
      stdio: "ignore",
      timeout: 10_000,
    });
    if (probe.status !== 0) return path;
  }
  return null;
}

/** What this machine lacks for the sandbox, or null when it has it all. */
export function sandboxProblem(): string | null {
  if (process.platform !== "linux") return `the sandbox needs Linux (this is ${process.platform})`;
  const problems: string[] = [];
  const probe = spawnSync("bwrap", ["--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--", "/bin/true"], {
    stdio: "ignore",
    timeout: 10_000,
  });
  if (probe.error) problems.push("bubblewrap is not installed (apt-get install bubblewrap)");
  else if (probe.status !== 0)
    problems.push("bubblewrap cannot create user and network namespaces here (are unprivileged user namespaces enabled?)");
  if (
    process.getuid?.() === 0 &&
    spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", "/bin/true"], { stdio: "ignore" }).status !== 0
  ) {
    problems.push("setpriv (util-linux) is missing: as root the grader needs it to drop to an unprivileged uid");
  }
  if (seccompFilter() === null) problems.push(`no seccomp filter is written for this architecture (${process.arch})`);
  const cgroup = cgroupProblem();
  if (cgroup !== null) problems.push(cgroup);
  return problems.length === 0 ? null : problems.join("; ");
}

/** The kernelspec of a grading kernel. */
export function sandboxSpec(options: SandboxOptions): KernelSpec {
  const root = resolve(options.root);
  const workDir = resolve(options.workDir);
  if (!inside(root, workDir) || workDir === root) {
    throw new Error(`sandboxSpec: workDir must be a folder inside the project ${root}, got ${workDir}`);
  }
  if (!Number.isFinite(options.memoryMb) || options.memoryMb < 256) {
    throw new Error(`sandboxSpec: memoryMb must be at least 256, got ${options.memoryMb}`);
  }
  const env = {
    DLBH_NODE: process.execPath,
    DLBH_KERNEL: join(root, "dist", "course", "kernel.js"),
    DLBH_HEAP_MB: String(Math.floor(options.memoryMb / 2)),
    DLBH_WORKDIR: workDir,
  };
  const base = { display_name: "dl-by-hand grading kernel", language: "typescript", interrupt_mode: "signal" as const };
  if (options.isolation === "none") return { ...base, argv: ["/bin/sh", "-c", PLAIN, "grading-kernel", "{connection_file}"], env };
  if (options.group === undefined) throw new Error("sandboxSpec: the sandbox needs options.group (a control group from makeGroup)");
  if (options.seccomp === undefined || !isAbsolute(options.seccomp))
    throw new Error(`sandboxSpec: the sandbox needs options.seccomp, the absolute path of its filter file, got ${String(options.seccomp)}`);
  const uid = options.uid;
  if (uid !== undefined && !(Number.isInteger(uid) && uid > 0))
    throw new Error(`sandboxSpec: uid must be a positive integer, got ${String(uid)}`);
  return {
    ...base,
    argv: ["setpriv", "--pdeathsig", "KILL", "/bin/sh", "-c", OUTER, "grading-kernel", "{connection_file}", ...bwrapArgs(root, workDir)],
    env: {
      ...env,
      DLBH_PROCS: options.group.procs.join("\n"),
      DLBH_UID: uid === undefined ? "" : String(uid),
      DLBH_SECCOMP: options.seccomp,
    },
  };
}
