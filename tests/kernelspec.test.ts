// Kernel registration: absolute paths, install/uninstall, and the set-up step without Jupyter.
import { execFileSync, spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { isAbsolute, join } from "path";
import { describe, expect, it } from "vitest";
import { installKernel, kernelSpec, projectRoot, uninstallKernel } from "../src/course/kernelspec";

describe("the course kernelspec", () => {
  it("starts this project's kernel with this node, by absolute paths", () => {
    const spec = kernelSpec();
    expect(spec.display_name).toBe("TypeScript (dl-by-hand)");
    expect(spec.language).toBe("typescript");
    expect(spec.argv[0]).toBe(process.execPath);
    expect(isAbsolute(spec.argv[1])).toBe(true);
    expect(existsSync(spec.argv[1])).toBe(true);
    expect(spec.argv[2]).toBe("{connection_file}");
  });

  it("installs into a Jupyter data dir and uninstalls", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "jupyter-data-")), "kernels", "dl-by-hand");
    expect(installKernel(dir)).toBe(dir);
    expect(JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8"))).toEqual(JSON.parse(JSON.stringify(kernelSpec())));
    expect(uninstallKernel(dir)).toBe(dir);
    expect(existsSync(dir)).toBe(false);
    expect(uninstallKernel(dir)).toBeNull();
  });

  it("the CLI registers it where JUPYTER_DATA_DIR says", () => {
    const data = mkdtempSync(join(tmpdir(), "jupyter-data-"));
    const env = { ...process.env, JUPYTER_DATA_DIR: data };
    const out = execFileSync(process.execPath, ["bin/dl-by-hand.js", "kernel", "install"], { cwd: projectRoot, env, encoding: "utf8" });
    expect(out).toContain(join(data, "kernels", "dl-by-hand"));
    expect(existsSync(join(data, "kernels", "dl-by-hand", "kernel.json"))).toBe(true);
    execFileSync(process.execPath, ["bin/dl-by-hand.js", "kernel", "uninstall"], { cwd: projectRoot, env });
    expect(existsSync(join(data, "kernels", "dl-by-hand"))).toBe(false);
  });

  it("set-up without Jupyter says in one line how to register later, and succeeds", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: mkdtempSync(join(tmpdir(), "no-jupyter-")) };
    delete env.JUPYTER_DATA_DIR;
    const r = spawnSync(process.execPath, ["scripts/setup.js"], { cwd: projectRoot, env, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([
      "dl-by-hand: Jupyter not found; to register the kernel later run: npm run kernel:install",
    ]);
    expect(r.stderr).toBe("");
  });
});
