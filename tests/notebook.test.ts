// Reading nbformat 4: clear errors for unusable files, malformed stored outputs dropped.
import { describe, expect, it } from "vitest";
import { parseNotebook } from "../src/course/notebook";

const withOutputs = (outputs: unknown[]) =>
  JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "code", metadata: {}, source: "1", outputs }] });

describe("parseNotebook", () => {
  it("keeps well-formed outputs and drops malformed ones", () => {
    const good = [
      { output_type: "stream", name: "stdout", text: ["a\n", "b\n"] },
      { output_type: "display_data", data: { "text/plain": "x" }, metadata: {} },
      { output_type: "error", ename: "Error", evalue: "e", traceback: [] },
    ];
    const bad = [
      { output_type: "stream", name: "stdout" },
      { output_type: "stream", name: "other", text: "x" },
      { output_type: "display_data", data: "not a bundle", metadata: {} },
      { output_type: "error", ename: 3, evalue: "e", traceback: [] },
      { output_type: "mystery" },
    ];
    const [cell] = parseNotebook(withOutputs([...good, ...bad]), "n.ipynb").cells;
    expect(cell.cell_type === "code" && cell.outputs).toEqual(good);
  });

  it("names the file and the problem", () => {
    expect(() => parseNotebook("[]", "a.ipynb")).toThrow("a.ipynb: a notebook must be a JSON object");
    expect(() => parseNotebook('{"nbformat": 4, "cells": [{"cell_type": "code"}]}', "b.ipynb")).toThrow(
      'b.ipynb: cell 1: "source" must be a string or a list of strings',
    );
  });
});
