// The kernel a submission is graded in: a memory limit, a clean environment and, on Linux, its own
// user, mount and process namespaces (util-linux `unshare`, no root needed), in which
// - the project root shows only dist/, node_modules/, datasets/, package.json and the submission's
//   scratch folder (instructor notebooks, .git, build/ and the output folder are not there), and
//   dist/ and node_modules/ are read-only, so a submission cannot change the grader's library;
// - the submissions, instructor and output folders (or files) are hidden when outside the project;
// - /tmp is empty but for the kernel's own connection file (other kernels' keys stay hidden) and,
//   when the project itself lives under /tmp, its staged view;
// - the kernel is process 1 of its own process namespace, in a session of its own: it cannot see or
//   signal the grader or the other kernels.
// The kernel still resolves `import "dl-by-hand"` through node_modules/dl-by-hand -> ".." as usual.
import { spawnSync } from "child_process";
import { relative, resolve, sep } from "path";
import { KernelSpec } from "../kernelspec";

export type Isolation = "namespaces" | "none";

export interface SandboxOptions {
  /** Project root (holds package.json, dist/, node_modules/). */
  root: string;
  /** The submission's scratch folder, inside `root`: the kernel's working directory. */
  workDir: string;
  /** Folders or files to hide from the kernel (the instructor's notebooks, the submissions, the output). */
  hide: string[];
  /** Memory limit of the kernel in MB: all its writable memory; the JavaScript heap gets half. */
  memoryMb: number;
  isolation: Isolation;
}

/**
 * Runs inside the new namespaces as their process 1. $1 is the connection file. Mounts are private
 * to the namespace: nothing is changed for the rest of the machine.
 */
const INNER = `set -eu
connection=$(cat "$1")
stage=$(mktemp -d)
mount -t tmpfs -o mode=755 grading "$stage"
for part in dist node_modules datasets package.json; do
  [ -e "$DLBH_ROOT/$part" ] || continue
  if [ -d "$DLBH_ROOT/$part" ]; then mkdir "$stage/$part"; else touch "$stage/$part"; fi
  mount --bind "$DLBH_ROOT/$part" "$stage/$part"
  mount -o remount,bind,ro "$stage/$part"
done
mkdir -p "$stage/$DLBH_WORK"
mount --bind "$DLBH_ROOT/$DLBH_WORK" "$stage/$DLBH_WORK"
printf '%s\\n' "$DLBH_HIDE" | while IFS= read -r path; do
  if [ -d "$path" ]; then mount -t tmpfs -o ro,size=1k hidden "$path"
  elif [ -f "$path" ]; then mount --bind /dev/null "$path"; fi
done
# Empty /tmp first, then put the staged project in place: from the stage's own directory ("."),
# which stays reachable after /tmp is covered, so a project that lives under /tmp works too.
cd "$stage"
mount -t tmpfs -o mode=1777 tmp /tmp
mkdir -p "$DLBH_ROOT"
mount --no-canonicalize --rbind . "$DLBH_ROOT"
mkdir -p "$(dirname "$1")"
printf '%s' "$connection" > "$1"
cd "$DLBH_ROOT/$DLBH_WORK"
ulimit -d "$DLBH_DATA_KB"
exec env -i PATH="$PATH" HOME="$PWD" LANG=C.UTF-8 setsid "$DLBH_NODE" --max-old-space-size="$DLBH_HEAP_MB" "$DLBH_ROOT/dist/course/kernel.js" "$1"
`;

/**
 * The process the grader starts. It starts the namespaces and relays SIGINT (Jupyter's interrupt)
 * to the kernel inside; setpriv makes unshare, and so the whole namespace, die with it.
 */
const OUTER = `setpriv --pdeathsig KILL unshare --user --map-root-user --mount --pid --fork --kill-child --mount-proc /bin/sh -c "$DLBH_INNER" inner "$1" &
namespace=$!
trap 'kill -INT $(cat /proc/$namespace/task/$namespace/children 2>/dev/null) 2>/dev/null' INT
while :; do
  wait $namespace
  status=$?
  kill -0 $namespace 2>/dev/null || exit $status
done
`;

/** Without namespaces: only the memory limit, a clean environment and a session of its own. */
const PLAIN = `cd "$DLBH_ROOT/$DLBH_WORK"
ulimit -d "$DLBH_DATA_KB" 2>/dev/null || true
session=""
if command -v setsid >/dev/null 2>&1; then session=setsid; fi
exec env -i PATH="$PATH" HOME="$PWD" LANG=C.UTF-8 $session "$DLBH_NODE" --max-old-space-size="$DLBH_HEAP_MB" "$DLBH_ROOT/dist/course/kernel.js" "$1"
`;

let available: boolean | null = null;

/** True when this machine can run kernels in namespaces (Linux with unprivileged user namespaces). */
export function namespacesAvailable(): boolean {
  if (available === null) {
    const probe = spawnSync(
      "setpriv",
      ["--pdeathsig", "KILL", "unshare", "--user", "--map-root-user", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc", "/bin/sh", "-c", "mount -t tmpfs probe /tmp"],
      { stdio: "ignore", timeout: 10_000 },
    );
    available = process.platform === "linux" && probe.status === 0;
  }
  return available;
}

function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith(sep) && rel !== "..");
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
  // Folders that hold the project cannot be hidden without hiding the kernel itself.
  const hide = options.hide.map((d) => resolve(d)).filter((d) => !inside(d, root) && !inside(root, d));
  // With namespaces, the relaying shell itself dies with the grader (setpriv), and the kernel with it.
  const shell = ["/bin/sh", "-c", options.isolation === "namespaces" ? OUTER : PLAIN, "grading-kernel", "{connection_file}"];
  return {
    argv: options.isolation === "namespaces" ? ["setpriv", "--pdeathsig", "KILL", ...shell] : shell,
    display_name: "dl-by-hand grading kernel",
    language: "typescript",
    interrupt_mode: "signal",
    env: {
      DLBH_INNER: INNER,
      DLBH_ROOT: root,
      DLBH_WORK: relative(root, workDir),
      DLBH_HIDE: hide.join("\n"),
      DLBH_NODE: process.execPath,
      DLBH_HEAP_MB: String(Math.floor(options.memoryMb / 2)),
      DLBH_DATA_KB: String(options.memoryMb * 1024),
    },
  };
}
