// 10,000 trivial cells through the runner, one at a time (as JupyterLab's Run All sends them):
// every reply arrives, with its result, in order. About 3 minutes on 2 busy cores.
import { expect, it } from "vitest";
import { executeNotebook } from "../src/course/runner";
import { codeCell, notebook } from "./helpers";

it("10,000 cells: 10,000 replies, each with its own result and count", async () => {
  const n = 10_000;
  const result = await executeNotebook(notebook(Array.from({ length: n }, (_, i) => codeCell(String(i)))), { cwd: __dirname });
  expect(result.failure).toBeNull();
  expect(result.cells.filter((c) => c.status === "ok")).toHaveLength(n);
  const cells = result.notebook.cells;
  const wrong = cells.filter(
    (c, i) =>
      c.cell_type !== "code" ||
      c.execution_count !== i + 1 ||
      c.outputs.length !== 1 ||
      c.outputs[0].output_type !== "execute_result" ||
      c.outputs[0].data["text/plain"] !== String(i),
  );
  expect(wrong).toHaveLength(0);
}, 900_000);
