import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasHiddenTests, hasSolution, removeHiddenTests, removeSolutions, studentVersion } from "../src/course/solutions";

const exercise = [
  "function size(n: number, k: number): number {",
  "  // BEGIN SOLUTION",
  "  const out = n - k + 1;",
  "  return out;",
  "  // END SOLUTION",
  "}",
].join("\n");

describe("removeSolutions", () => {
  it("replaces the solution by the stub, indented like the BEGIN line", () => {
    expect(removeSolutions(exercise)).toBe(
      ["function size(n: number, k: number): number {", "  // YOUR CODE HERE", '  throw new Error("not implemented");', "}"].join("\n"),
    );
  });

  it("replaces every block and keeps the code between them", () => {
    const source = "// BEGIN SOLUTION\na = 1;\n// END SOLUTION\nkeep();\n// BEGIN SOLUTION\nb = 2;\n// END SOLUTION";
    const student = removeSolutions(source);
    expect(student.match(/YOUR CODE HERE/g)).toHaveLength(2);
    expect(student).toContain("keep();");
    expect(student).not.toMatch(/a = 1|b = 2|SOLUTION/);
  });

  it("leaves a source without solutions unchanged", () => {
    expect(removeSolutions("const x = 1;\n")).toBe("const x = 1;\n");
    expect(hasSolution("const x = 1;")).toBe(false);
    expect(hasSolution(exercise)).toBe(true);
  });

  it("rejects unbalanced delimiters, naming the function and the line", () => {
    expect(() => removeSolutions("x\n// BEGIN SOLUTION\ny")).toThrow(/removeSolutions: .*line 2.*no "\/\/ END SOLUTION"/);
    expect(() => removeSolutions("// END SOLUTION")).toThrow(/removeSolutions: .*line 1/);
    expect(() => removeSolutions("// BEGIN SOLUTION\n// BEGIN SOLUTION\n// END SOLUTION")).toThrow(
      /line 2 inside the block opened on line 1/,
    );
  });

  it("rejects a source that is not a string", () => {
    // @ts-expect-error: checking the run-time guard
    expect(() => removeSolutions(42)).toThrow(/removeSolutions: source must be a string, got number/);
  });

  it("never leaves a solution line behind (property)", () => {
    const line = fc.stringMatching(/^[a-z0-9 =;+()]{0,20}$/);
    fc.assert(
      fc.property(fc.array(line), fc.array(line, { minLength: 1 }), fc.array(line), (before, solution, after) => {
        const marked = solution.map((text) => `SECRET ${text}`);
        const source = [...before, "// BEGIN SOLUTION", ...marked, "// END SOLUTION", ...after].join("\n");
        const student = removeSolutions(source);
        expect(student).not.toContain("SECRET");
        expect(student.split("\n")).toEqual([...before, "// YOUR CODE HERE", 'throw new Error("not implemented");', ...after]);
      }),
    );
  });
});

describe("removeHiddenTests", () => {
  const tests = 'check("a", f(1), 1);\n// BEGIN HIDDEN TESTS\ncheck("b", f(2), 4);\n// END HIDDEN TESTS\ndone();';

  it("deletes the hidden block with its delimiters", () => {
    expect(removeHiddenTests(tests)).toBe('check("a", f(1), 1);\ndone();');
    expect(hasHiddenTests(tests)).toBe(true);
    expect(hasHiddenTests(removeHiddenTests(tests))).toBe(false);
  });

  it("rejects an END without BEGIN", () => {
    expect(() => removeHiddenTests("// END HIDDEN TESTS")).toThrow(/removeHiddenTests: .*line 1/);
  });
});

describe("studentVersion", () => {
  it("stubs solutions and removes hidden tests in one go", () => {
    const source = `${exercise}\n// BEGIN HIDDEN TESTS\nsecret();\n// END HIDDEN TESTS`;
    const student = studentVersion(source);
    expect(student).toContain("// YOUR CODE HERE");
    expect(student).not.toMatch(/secret|n - k \+ 1|HIDDEN/);
  });
});
