// The course kernel's Jupyter kernelspec: absolute paths, so it starts whatever the user's PATH.
import { execFileSync } from "child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { homedir } from "os";
import { join, resolve } from "path";

export const KERNEL_NAME = "dl-by-hand";
export const DISPLAY_NAME = "TypeScript (dl-by-hand)";

/** The project root (the folder holding package.json). */
export const projectRoot = resolve(__dirname, "..", "..");

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "signal" | "message";
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

/** The kernelspec of the course kernel: this node, this project's kernel entry. */
export function kernelSpec(): KernelSpec {
  return {
    argv: [process.execPath, join(projectRoot, "dist", "course", "kernel.js"), "{connection_file}"],
    display_name: DISPLAY_NAME,
    language: "typescript",
    interrupt_mode: "signal",
    metadata: { debugger: false },
  };
}

/** Jupyter's user data dir as `jupyter --data-dir` says, or null when Jupyter is not installed. */
export function jupyterDataDir(): string | null {
  try {
    return execFileSync("jupyter", ["--data-dir"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

/** Where the kernelspec goes: $JUPYTER_DATA_DIR, else Jupyter's own answer, else the XDG default. */
export function kernelDir(dataDir: string | null = process.env.JUPYTER_DATA_DIR ?? jupyterDataDir()): string {
  const base = dataDir ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "jupyter");
  return join(base, "kernels", KERNEL_NAME);
}

/** Write the kernelspec into the user's Jupyter data dir; returns the folder written. */
export function installKernel(dir = kernelDir()): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(kernelSpec(), null, 2) + "\n");
  const logo = join(projectRoot, "assets", "logo-64x64.png");
  if (existsSync(logo)) writeFileSync(join(dir, "logo-64x64.png"), readFileSync(logo));
  return dir;
}

/** Remove the kernelspec; returns the folder removed, or null when it was not there. */
export function uninstallKernel(dir = kernelDir()): string | null {
  if (!existsSync(join(dir, "kernel.json"))) return null;
  rmSync(dir, { recursive: true, force: true });
  return dir;
}
