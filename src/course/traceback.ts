// Readable tracebacks for the course kernel: the cell line and a caret, not compiled-JS positions.

/** The cell's line `line` (1-based) with a caret under `column`, as two traceback lines. */
export function codeFrame(code: string, line: number, column: number): string[] {
  const lines = code.split("\n");
  const text = lines[line - 1];
  if (text === undefined) return [];
  const gutter = `${line} | `;
  return [`  ${gutter}${text}`, `  ${" ".repeat(gutter.length)}${" ".repeat(Math.max(0, column - 1))}^`];
}

function words(s: string): Set<string> {
  return new Set(s.match(/[A-Za-z_$][\w$]*|\d+(?:\.\d+)?|"[^"]*"|'[^']*'|`[^`]*`/g) ?? []);
}

/**
 * The cell line that compiled to JavaScript line `jsLine`: tslab's emitted JavaScript keeps
 * the statements but not always the line breaks, so pick the cell line sharing most tokens.
 */
export function cellLineFor(code: string, js: string, jsLine: number): number | null {
  const target = js.split("\n")[jsLine - 1];
  if (target === undefined) return null;
  const want = words(target.replace(/exports\.tsLastExpr = |\(0, |\bexports\.|__tslab__\.|\bconst\b|\blet\b|\bvar\b/g, ""));
  if (want.size === 0) return null;
  let best: number | null = null;
  let bestScore = 0;
  code.split("\n").forEach((text, i) => {
    const have = words(text);
    let shared = 0;
    for (const w of want) if (have.has(w)) shared++;
    const score = shared / Math.max(want.size, have.size, 1);
    if (score > bestScore) {
      bestScore = score;
      best = i + 1;
    }
  });
  return bestScore >= 0.5 ? best : null;
}

/** ename, evalue and traceback for a value a cell threw. */
export function runtimeTraceback(value: unknown, code: string, js: string | null): { ename: string; evalue: string; traceback: string[] } {
  if (!(value instanceof Error)) {
    const evalue = typeof value === "string" ? value : String(value);
    return { ename: "Error", evalue, traceback: [`Error (a non-Error value was thrown): ${evalue}`] };
  }
  const ename = value.name || value.constructor.name || "Error";
  const evalue = value.message;
  const traceback = [`${ename}: ${evalue}`];
  const frames = (value.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));
  let placed = false;
  for (const frame of frames) {
    const inCell = /evalmachine\.<anonymous>:(\d+):(\d+)/.exec(frame);
    if (inCell) {
      const line = js ? cellLineFor(code, js, Number(inCell[1])) : null;
      if (line !== null && !placed) {
        traceback.push(`    at cell line ${line}`, ...codeFrame(code, line, firstNonSpace(code, line)));
        placed = true;
      } else if (line !== null) {
        traceback.push(`    at cell line ${line}`);
      }
      continue;
    }
    // Frames of the kernel itself, tslab and Node internals say nothing to a student.
    if (/node_modules[\\/]tslab|\(node:|dist[\\/]course[\\/]kernel/.test(frame)) continue;
    traceback.push(frame.replace(/^\s+/, "    "));
  }
  return { ename, evalue, traceback };
}

function firstNonSpace(code: string, line: number): number {
  const text = code.split("\n")[line - 1] ?? "";
  return text.length - text.trimStart().length + 1;
}
