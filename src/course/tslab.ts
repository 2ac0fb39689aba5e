// The one file that uses tslab: its TypeScript executor, completer and inspector. Everything
// else in the kernel (the wire protocol, output, errors, interrupts) is the course's own.
import * as ts from "@tslab/typescript-for-tslab";
import { Converter, ConvertResult, createConverter, isCompleteCode } from "tslab/dist/converter";
import { ConverterSet, createExecutor } from "tslab/dist/executor";
import { printQuickInfo } from "tslab/dist/inspect";

/** Errors the executor reported while running a cell. */
export type Reported =
  { kind: "diagnostic"; file: string; line: number; column: number; message: string } | { kind: "exception"; value: unknown };

/** How a cell ran. */
export interface Outcome {
  ok: boolean;
  reported: Reported[];
  /** The value of the cell's last expression, when it has one. */
  result: { value: unknown } | null;
  /** The JavaScript the cell compiled to (for tracebacks). */
  converted: ConvertResult | null;
}

export interface TypeScriptRunner {
  /** Compile and run a cell; `running(true)` is called when compiled code starts. */
  execute(code: string): Promise<Outcome>;
  /** Completions at UTF-16 offset `cursor`. */
  complete(code: string, cursor: number): { start: number; end: number; matches: string[] };
  /** The type and documentation of what is at (or, inside a call, before) UTF-16 offset `cursor`. */
  inspect(code: string, cursor: number): string | null;
  isComplete(code: string): { status: "complete" | "incomplete" | "invalid"; indent?: string };
  /** End a cell that waits on a promise (tslab races it against this interrupt). */
  interrupt(): void;
  close(): void;
}

function diagnosticFrom(args: unknown[]): Reported | null {
  // tslab reports a diagnostic as console.error("%s%d:%d - %s", fileName, line, column, message).
  if (args[0] !== "%s%d:%d - %s" || args.length !== 5) return null;
  const [, file, line, column, message] = args;
  return { kind: "diagnostic", file: String(file).trim(), line: Number(line), column: Number(column), message: String(message) };
}

/** Where a cursor inside `f(a, |` points for inspection: the end of the callee's name. */
function calleeBefore(code: string, cursor: number): number | null {
  let depth = 0;
  for (let i = cursor - 1; i >= 0; i--) {
    const c = code[i];
    if (c === ")" || c === "]" || c === "}") depth++;
    else if (c === "(" || c === "[" || c === "{") {
      if (depth > 0) depth--;
      else if (c === "(") {
        let j = i;
        while (j > 0 && /\s/.test(code[j - 1])) j--;
        return j > 0 && /[\w$]/.test(code[j - 1]) ? j - 1 : null;
      } else return null;
    }
  }
  return null;
}

/** A TypeScript runner working in `cwd`; `onCompiled` tells when a cell's own code starts running. */
export function createTypeScript(cwd: string, onCompiled: (running: boolean) => void): TypeScriptRunner {
  let reported: Reported[] = [];
  let result: { value: unknown } | null = null;
  let converted: ConvertResult | null = null;
  let node: Converter | null = null;
  let browser: Converter | null = null;
  const convs: ConverterSet = {
    get node(): Converter {
      if (!node) {
        const inner = createConverter({ isJS: false, isBrowser: false });
        node = {
          ...inner,
          convert: (prevDecl: string, src: string) => {
            converted = inner.convert(prevDecl, src);
            onCompiled(true);
            return converted;
          },
        };
      }
      return node;
    },
    get browser(): Converter {
      if (!browser) browser = createConverter({ isJS: false, isBrowser: true });
      return browser;
    },
    close: () => {
      node?.close();
      browser?.close();
    },
  };
  void convs.node; // warm the TypeScript compiler before the first cell
  const executor = createExecutor(cwd, convs, {
    // The executor logs only the value of a cell's last expression.
    log: (value: unknown) => {
      result = { value };
    },
    error: (...args: unknown[]) => {
      reported.push(diagnosticFrom(args) ?? { kind: "exception", value: args[0] });
    },
  });

  return {
    async execute(code) {
      reported = [];
      result = null;
      converted = null;
      try {
        const ok = await executor.execute(code);
        return { ok, reported, result, converted };
      } finally {
        onCompiled(false);
      }
    },
    complete(code, cursor) {
      const info = executor.complete(code, cursor);
      return { start: info.start, end: info.end, matches: info.candidates };
    },
    inspect(code, cursor) {
      for (const at of [cursor, cursor - 1, calleeBefore(code, cursor)]) {
        if (at === null || at < 0) continue;
        const info = executor.inspect(code, at);
        if (info) return printQuickInfo(info);
      }
      return null;
    },
    isComplete(code) {
      const c = isCompleteCode(code);
      if (!c.completed) return { status: "incomplete", indent: c.indent ?? "" };
      const out = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2020 } });
      return (out.diagnostics ?? []).length > 0 ? { status: "invalid" } : { status: "complete" };
    },
    interrupt: () => executor.interrupt(),
    close: () => executor.close(),
  };
}
