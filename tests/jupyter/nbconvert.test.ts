// Jupyter's own tools with the course kernel (Debian's jupyter-nbconvert / nbclient).
// Run by `npm run test:jupyter`; .ci/run installs Jupyter first, so this never runs without it.
import { execFileSync } from "child_process";
import { mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { describe, expect, it } from "vitest";

const fixtures = join(__dirname, "..", "fixtures", "kernel");

describe("jupyter with the course kernel", () => {
  it("lists the kernel", () => {
    const list = execFileSync("jupyter", ["kernelspec", "list", "--json"], { encoding: "utf8" });
    const spec = JSON.parse(list).kernelspecs["dl-by-hand"];
    expect(spec.spec.display_name).toBe("TypeScript (dl-by-hand)");
    expect(spec.spec.language).toBe("typescript");
    expect(spec.spec.argv[0]).toMatch(/^\//);
  });

  it("nbconvert --execute --allow-errors shows proper errors and runs the cell after an error", () => {
    const out = mkdtempSync(join(tmpdir(), "nbconvert-"));
    execFileSync(
      "jupyter",
      ["nbconvert", "--to", "notebook", "--execute", "--allow-errors", "--output-dir", out, "--output", "executed", "protocol.ipynb"],
      { cwd: fixtures, stdio: "pipe", timeout: 120_000 },
    );
    const nb = JSON.parse(readFileSync(join(out, "executed.ipynb"), "utf8"));
    const outputs = nb.cells.map((c: { outputs: Array<Record<string, unknown>> }) => c.outputs);
    const join1 = (t: unknown) => (Array.isArray(t) ? t.join("") : String(t));
    expect(join1(outputs[0][0].text)).toBe("hello\n");
    expect(Object.keys(outputs[1][0].data as object).sort()).toEqual(["text/html", "text/plain"]);
    expect(join1((outputs[2][0].data as Record<string, unknown>)["text/plain"])).toBe("v2");
    expect(outputs[4][0]).toMatchObject({ output_type: "error", ename: "TypeScriptError" });
    expect(outputs[5][0]).toMatchObject({ output_type: "error", ename: "RangeError", evalue: "boom" });
    expect((outputs[5][0].traceback as string[]).join("\n")).toContain("at cell line 2");
    expect(join1(outputs[6][0].text)).toBe("after the error\n");
    expect(nb.cells.map((c: { execution_count: number | null }) => c.execution_count)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("nbconvert without --allow-errors stops at the first error with its message", () => {
    let message = "";
    try {
      execFileSync("jupyter", ["nbconvert", "--to", "notebook", "--execute", "--stdout", "protocol.ipynb"], {
        cwd: fixtures,
        stdio: "pipe",
        timeout: 120_000,
      });
    } catch (e) {
      message = String((e as { stderr?: Buffer }).stderr ?? e);
    }
    expect(message).toContain("TypeScriptError");
    expect(message).toContain("Type 'number' is not assignable to type 'string'");
  });
});
