// The student version of an exercise cell: solutions replaced by a stub, hidden tests removed.
// Shared by the slides (`--no-solutions` handouts) and the release/grading tool.
// The delimiters are nbgrader's, written as TypeScript comments (see CONTRIBUTING.md, "Adding an exercise").

export const BEGIN_SOLUTION = "// BEGIN SOLUTION";
export const END_SOLUTION = "// END SOLUTION";
export const BEGIN_HIDDEN_TESTS = "// BEGIN HIDDEN TESTS";
export const END_HIDDEN_TESTS = "// END HIDDEN TESTS";

/** The two lines a student finds where the instructor's solution was. */
export const SOLUTION_STUB = ["// YOUR CODE HERE", 'throw new Error("not implemented");'];

/** What a student finds in a markdown solution cell (nbgrader's wording). */
export const MARKDOWN_STUB = "YOUR ANSWER HERE";

/** A block of lines between a begin and an end delimiter (0-based line numbers, both inclusive). */
interface Block {
  begin: number;
  end: number;
}

/** Find the delimited blocks of `source`; unbalanced or nested delimiters are an error naming the line. */
function findBlocks(caller: string, source: string, begin: string, end: string): Block[] {
  const lines = source.split("\n");
  const blocks: Block[] = [];
  let open: number | null = null;
  for (let index = 0; index < lines.length; index++) {
    const trimmed = lines[index].trim();
    if (trimmed === begin) {
      if (open !== null) {
        throw new Error(`${caller}: source has "${begin}" on line ${index + 1} inside the block opened on line ${open + 1}`);
      }
      open = index;
    } else if (trimmed === end) {
      if (open === null) {
        throw new Error(`${caller}: source has "${end}" on line ${index + 1} with no "${begin}" before it`);
      }
      blocks.push({ begin: open, end: index });
      open = null;
    }
  }
  if (open !== null) {
    throw new Error(`${caller}: source has "${begin}" on line ${open + 1} and no "${end}" after it`);
  }
  return blocks;
}

/** Replace each block of `source` by `replace(indentation)`; lines outside the blocks are kept as they are. */
function replaceBlocks(source: string, blocks: Block[], replace: (indent: string) => string[]): string {
  const lines = source.split("\n");
  const out: string[] = [];
  let next = 0;
  for (const block of blocks) {
    out.push(...lines.slice(next, block.begin));
    const indent = /^\s*/.exec(lines[block.begin])?.[0] ?? "";
    out.push(...replace(indent));
    next = block.end + 1;
  }
  out.push(...lines.slice(next));
  return out.join("\n");
}

function checkSource(caller: string, source: unknown): asserts source is string {
  if (typeof source !== "string") {
    throw new Error(`${caller}: source must be a string, got ${typeof source}`);
  }
}

/** True when `source` contains a `// BEGIN SOLUTION` line. */
export function hasSolution(source: string): boolean {
  checkSource("hasSolution", source);
  return source.split("\n").some((line) => line.trim() === BEGIN_SOLUTION);
}

/** True when `source` contains a `// BEGIN HIDDEN TESTS` line. */
export function hasHiddenTests(source: string): boolean {
  checkSource("hasHiddenTests", source);
  return source.split("\n").some((line) => line.trim() === BEGIN_HIDDEN_TESTS);
}

/**
 * Replace every `// BEGIN SOLUTION` … `// END SOLUTION` block (delimiters included) by the stub
 * `// YOUR CODE HERE` + `throw new Error("not implemented");`, indented like the BEGIN line.
 */
export function removeSolutions(source: string): string {
  checkSource("removeSolutions", source);
  const blocks = findBlocks("removeSolutions", source, BEGIN_SOLUTION, END_SOLUTION);
  return replaceBlocks(source, blocks, (indent) => SOLUTION_STUB.map((line) => indent + line));
}

/** Delete every `// BEGIN HIDDEN TESTS` … `// END HIDDEN TESTS` block, delimiters included. */
export function removeHiddenTests(source: string): string {
  checkSource("removeHiddenTests", source);
  const blocks = findBlocks("removeHiddenTests", source, BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS);
  return replaceBlocks(source, blocks, () => []);
}

/** The student's version of a cell's source: solutions stubbed, hidden tests removed. */
export function studentVersion(source: string): string {
  checkSource("studentVersion", source);
  return removeHiddenTests(removeSolutions(source));
}
