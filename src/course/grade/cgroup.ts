// Limits for one submission as a whole (every process it starts counts): a Linux control group
// with a memory limit and a process limit. cgroup v2 when its memory and pids controllers can be
// used below the grader's own group, else cgroup v1's memory and pids hierarchies.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "fs";
import { join } from "path";

export interface Limits {
  /** Memory of all the submission's processes together, in MB. */
  memoryMb: number;
  /** Processes and threads of the submission together. */
  processes: number;
}

/** A control group made for one kernel; `procs` are the files the kernel's launcher writes its pid to. */
export interface Group {
  dirs: string[];
  procs: string[];
}

interface Hierarchy {
  version: 1 | 2;
  /** Where groups for this grader are made: one folder (v2) or the memory and pids folders (v1). */
  parents: string[];
}

/** The grader's own cgroup path in a hierarchy, from /proc/self/cgroup ("0::/x" or "4:memory:/x"). */
function ownPath(controller: string | null): string | null {
  let lines: string[];
  try {
    lines = readFileSync("/proc/self/cgroup", "utf8").split("\n");
  } catch {
    return null;
  }
  for (const line of lines) {
    const [, controllers, path] = line.split(":");
    if (path === undefined) continue;
    if (controller === null ? controllers === "" : controllers.split(",").includes(controller)) return path;
  }
  return null;
}

function canMake(parent: string): boolean {
  const probe = join(parent, `dl-by-hand-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

function v2(): Hierarchy | null {
  const own = ownPath(null);
  const root = "/sys/fs/cgroup";
  for (const mount of [root, join(root, "unified")]) {
    if (own === null || !existsSync(join(mount, "cgroup.controllers"))) continue;
    const parent = join(mount, own);
    try {
      const enabled = readFileSync(join(parent, "cgroup.subtree_control"), "utf8").split(/\s+/);
      if (!enabled.includes("memory") || !enabled.includes("pids")) writeFileSync(join(parent, "cgroup.subtree_control"), "+memory +pids");
      const now = readFileSync(join(parent, "cgroup.subtree_control"), "utf8").split(/\s+/);
      if (now.includes("memory") && now.includes("pids") && canMake(parent)) return { version: 2, parents: [parent] };
    } catch {
      // Not this one.
    }
  }
  return null;
}

function v1(): Hierarchy | null {
  const parents: string[] = [];
  for (const controller of ["memory", "pids"]) {
    const own = ownPath(controller);
    const parent = own === null ? "" : join("/sys/fs/cgroup", controller, own);
    if (own === null || !existsSync(join(parent, "cgroup.procs")) || !canMake(parent)) return null;
    parents.push(parent);
  }
  return { version: 1, parents };
}

let found: Hierarchy | null | undefined;

function hierarchy(): Hierarchy | null {
  if (found === undefined) found = process.platform === "linux" ? (v2() ?? v1()) : null;
  return found;
}

/** Null when limits per submission are available here, else what is missing. */
export function cgroupProblem(): string | null {
  if (hierarchy() !== null) return null;
  return "no control group the grader may create with memory and pids limits (cgroup v2 with the memory and pids controllers delegated to the grader's group, or writable cgroup v1 memory and pids hierarchies)";
}

/** Make a group for one kernel with these limits. */
export function makeGroup(name: string, limits: Limits): Group {
  const h = hierarchy();
  if (h === null) throw new Error(`makeGroup: ${cgroupProblem()}`);
  if (!/^[A-Za-z0-9-]+$/.test(name)) throw new Error(`makeGroup: name must be letters, digits and dashes, got ${JSON.stringify(name)}`);
  const bytes = String(limits.memoryMb * 1024 * 1024);
  const dirs = h.parents.map((p) => join(p, name));
  for (const dir of dirs) mkdirSync(dir);
  if (h.version === 2) {
    writeFileSync(join(dirs[0], "memory.max"), bytes);
    if (existsSync(join(dirs[0], "memory.swap.max"))) writeFileSync(join(dirs[0], "memory.swap.max"), "0");
    writeFileSync(join(dirs[0], "pids.max"), String(limits.processes));
  } else {
    writeFileSync(join(dirs[0], "memory.limit_in_bytes"), bytes);
    if (existsSync(join(dirs[0], "memory.memsw.limit_in_bytes"))) writeFileSync(join(dirs[0], "memory.memsw.limit_in_bytes"), bytes);
    writeFileSync(join(dirs[1], "pids.max"), String(limits.processes));
  }
  return { dirs, procs: dirs.map((d) => join(d, "cgroup.procs")) };
}

function pids(group: Group): number[] {
  const all = new Set<number>();
  for (const file of group.procs) {
    try {
      for (const line of readFileSync(file, "utf8").split("\n")) if (line.trim() !== "") all.add(Number(line));
    } catch {
      // Already removed.
    }
  }
  return [...all];
}

/** How many times the kernel's out-of-memory killer struck in the group. */
export function oomKills(group: Group): number {
  for (const [dir, file] of group.dirs.map((d) => [d, existsSync(join(d, "memory.events")) ? "memory.events" : "memory.oom_control"])) {
    try {
      const m = /^oom_kill (\d+)$/m.exec(readFileSync(join(dir, file), "utf8"));
      if (m) return Number(m[1]);
    } catch {
      // Not this folder.
    }
  }
  return 0;
}

/** Most memory the group used at once, in bytes (0 when the system does not say). */
export function peakMemory(group: Group): number {
  for (const file of ["memory.peak", "memory.max_usage_in_bytes"]) {
    try {
      return Number(readFileSync(join(group.dirs[0], file), "utf8").trim());
    } catch {
      // Try the other name.
    }
  }
  return 0;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Kill whatever is left in the group, then remove it; true when it is gone. */
export function removeGroup(group: Group): boolean {
  for (let attempt = 0; attempt < 50; attempt++) {
    const left = pids(group);
    for (const pid of left) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    }
    try {
      for (const dir of group.dirs) if (existsSync(dir)) rmdirSync(dir);
      return true;
    } catch {
      sleep(100);
    }
  }
  return false;
}

/** The pids in the group now (for tests: none may be left after grading). */
export function groupPids(group: Group): number[] {
  return pids(group);
}

/** Groups of this grader still there whose name starts with `prefix` (for tests: none after grading). */
export function groupsLeft(prefix: string): string[] {
  const h = hierarchy();
  if (h === null) return [];
  return h.parents.flatMap((parent) =>
    readdirSync(parent)
      .filter((name) => name.startsWith(prefix))
      .map((name) => join(parent, name)),
  );
}
