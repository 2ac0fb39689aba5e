// Importing the library, and using TensorFlow.js through it, writes nothing to stdout or stderr.
import { spawnSync } from "child_process";
import { join } from "path";
import { describe, expect, it } from "vitest";
import { executeNotebook } from "../src/course/runner";
import { codeCell, notebook } from "./helpers";

const root = join(__dirname, "..");

describe("a quiet library", () => {
  it("require('dl-by-hand') and a first tensor print nothing (no TensorFlow.js banner)", () => {
    const script =
      'const dl = require("dl-by-hand"); const { tf } = require("dl-by-hand/dist/tf"); tf.tensor([1, 2]).add(1).dataSync(); void dl;';
    const r = spawnSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("");
  });

  it("importing it in the kernel produces no output at all", async () => {
    const nb = notebook([codeCell('import * as dl from "dl-by-hand";'), codeCell("dl.version")]);
    const result = await executeNotebook(nb, { cwd: join(root, "notebooks") });
    const [first, second] = result.notebook.cells;
    expect(first.cell_type === "code" && first.outputs).toEqual([]);
    expect(second.cell_type === "code" && second.outputs).toEqual([
      {
        output_type: "execute_result",
        execution_count: 2,
        data: { "text/plain": expect.stringMatching(/^'\d+\.\d+\.\d+'$/) },
        metadata: {},
      },
    ]);
  });
});
