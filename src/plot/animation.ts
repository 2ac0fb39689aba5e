// The "convolution process" slides as one interactive figure: a slider (and a play button)
// steps the kernel's window across the input while the output fills in cell by cell.
// The steps are data from the caller (e.g. conv.ts's explanation of each output cell).
import { Annotation, CellWindow, Figure, Frame, describe, matrixSize } from "./figure";
import { readable } from "../args";
import { PartialPanel, cellLabels, operatorAnnotations, panelGeometry, panelLayout, panelTrace, windowShape } from "./matrix";

/** One step of a sliding-window walkthrough: where the window is, which output cell it fills, and the sum — 04-convolution-by-hand. */
export interface SlideStep {
  /** The window on the input. */
  window: CellWindow;
  /** The output cell computed at this step. */
  cell: { row: number; col: number };
  /** Shown while this step is on screen, e.g. "-6 - 6 - 6 = -18". */
  text?: string;
}

/** What `slidingWindowFigure` draws: input, optional kernel, output and the steps between them — 04-convolution-by-hand. */
export interface SlidingWindowWalk {
  input: number[][];
  /** Omit for pooling (no weights to show). */
  kernel?: number[][];
  output: number[][];
  steps: SlideStep[];
  title?: string;
  /** Captions under input, kernel and output (default "input", "kernel", "output"). */
  captions?: string[];
  /** Operator between input and kernel (default "⊛"), or between input and output when there is no kernel (default "→"). */
  operator?: string;
  /** Milliseconds per step when playing (default 700). */
  frameDuration?: number;
}

function checkStep(
  fn: string,
  step: SlideStep,
  k: number,
  input: { rows: number; cols: number },
  output: { rows: number; cols: number },
): void {
  if (typeof step !== "object" || step === null || typeof step.window !== "object" || typeof step.cell !== "object") {
    throw new Error(`${fn}: steps[${k}] must be {window, cell, text?}, got ${describe(step)}`);
  }
  const w = step.window;
  const fits =
    [w.row, w.col, w.rows, w.cols].every(Number.isInteger) &&
    w.row >= 0 &&
    w.col >= 0 &&
    w.rows >= 1 &&
    w.cols >= 1 &&
    w.row + w.rows <= input.rows &&
    w.col + w.cols <= input.cols;
  if (!fits) {
    throw new Error(
      `${fn}: steps[${k}].window {row: ${w.row}, col: ${w.col}, rows: ${w.rows}, cols: ${w.cols}} does not fit the ${input.rows}×${input.cols} input`,
    );
  }
  const c = step.cell;
  if (!Number.isInteger(c.row) || !Number.isInteger(c.col) || c.row < 0 || c.col < 0 || c.row >= output.rows || c.col >= output.cols) {
    throw new Error(`${fn}: steps[${k}].cell (${c.row}, ${c.col}) is outside the ${output.rows}×${output.cols} output`);
  }
}

/** Slider + play button stepping a window across the input while the output fills in — 04-convolution-by-hand. */
export function slidingWindowFigure(walk: SlidingWindowWalk): Figure {
  const fn = "plot.slidingWindowFigure";
  readable(fn, "walk", walk, "a walk {input, kernel?, output, steps}", () => {
    if (typeof walk !== "object" || walk === null)
      throw new Error(`${fn}: walk must be {input, kernel?, output, steps}, got ${describe(walk)}`);
    const inputSize = matrixSize(fn, "input", walk.input);
    if (walk.kernel !== undefined) matrixSize(fn, "kernel", walk.kernel);
    const outputSize = matrixSize(fn, "output", walk.output);
    if (!Array.isArray(walk.steps) || walk.steps.length === 0)
      throw new Error(`${fn}: steps must be a non-empty array, got ${describe(walk.steps)}`);
    walk.steps.forEach((s, k) => checkStep(fn, s, k, inputSize, outputSize));
  });

  const hasKernel = walk.kernel !== undefined;
  const captions = walk.captions ?? (hasKernel ? ["input", "kernel", "output"] : ["input", "output"]);
  const panelCount = hasKernel ? 3 : 2;
  if (!Array.isArray(captions) || captions.length !== panelCount)
    throw new Error(`${fn}: captions must be ${panelCount} strings, got ${describe(captions)}`);
  const operators = [walk.operator ?? (hasKernel ? "⊛" : "→"), ...(hasKernel ? ["="] : [])];
  const outputIndex = panelCount - 1;

  /** The output with only the cells of steps 0..k filled in. */
  const partialOutput = (k: number): (number | null)[][] => {
    const z: (number | null)[][] = walk.output.map((row) => row.map(() => null));
    for (const s of walk.steps.slice(0, k + 1)) z[s.cell.row][s.cell.col] = walk.output[s.cell.row][s.cell.col];
    return z;
  };
  const panels: PartialPanel[] = [
    { values: walk.input, caption: captions[0] },
    ...(walk.kernel !== undefined ? [{ values: walk.kernel, caption: captions[1] }] : []),
    { values: walk.output, caption: captions[outputIndex] },
  ];
  const geometry = panelGeometry(panels, true);
  const ranges = panels.map((p) => {
    const m = Math.max(1, ...p.values.flat().map((v) => (v === null ? 0 : Math.abs(v))));
    const range: [number, number] = [-m, m];
    return range;
  });
  const fixedAnnotations = operatorAnnotations(operators, geometry);

  const frameOf = (k: number): Frame => {
    const step = walk.steps[k];
    const output: PartialPanel = { values: partialOutput(k), caption: captions[outputIndex] };
    const stepText: Annotation = {
      text: `step ${k + 1}/${walk.steps.length}${step.text ? ": " + step.text : ""}`,
      x: 1,
      y: 1,
      xref: "paper",
      yref: "paper",
      xanchor: "right",
      yanchor: "bottom",
      yshift: 8,
      showarrow: false,
      font: { size: 14 },
    };
    return {
      name: `step ${k + 1}`,
      // Each frame changes only the output trace (values and labels so far), the window and the caption.
      data: [{ z: output.values, text: cellLabels(output) }],
      traces: [outputIndex],
      layout: {
        annotations: [...fixedAnnotations, stepText],
        shapes: [windowShape(step.window, 0), windowShape({ ...step.cell, rows: 1, cols: 1 }, outputIndex)],
      },
    };
  };
  const frames = walk.steps.map((_, k) => frameOf(k));

  const first = frames[0];
  const data = panels.map((p, i) => panelTrace(i === outputIndex ? { ...p, values: partialOutput(0) } : p, i, ranges[i]));
  const layout = panelLayout(panels, geometry, walk.title ?? "sliding the window");
  const controls = 96;
  const belowPlot = -48 / geometry.plotHeight;
  layout.height = (layout.height ?? 0) + controls;
  layout.margin = { ...(typeof layout.margin === "object" ? layout.margin : {}), b: 40 + controls };
  layout.annotations = first.layout?.annotations ?? [];
  layout.shapes = first.layout?.shapes ?? [];
  const duration = walk.frameDuration ?? 700;
  if (!Number.isFinite(duration) || duration < 0)
    throw new Error(`${fn}: frameDuration must be ≥ 0 milliseconds, got ${describe(duration)}`);
  layout.sliders = [
    {
      active: 0,
      x: 0.2,
      len: 0.8,
      y: belowPlot,
      yanchor: "top",
      currentvalue: { visible: false },
      pad: { t: 8 },
      steps: frames.map((f, k) => ({
        label: String(k + 1),
        method: "animate",
        args: [[f.name], { mode: "immediate", frame: { duration: 0, redraw: true }, transition: { duration: 0 } }],
      })),
    },
  ];
  layout.updatemenus = [
    {
      type: "buttons",
      showactive: false,
      direction: "left",
      x: 0,
      y: belowPlot,
      xanchor: "left",
      yanchor: "top",
      pad: { t: 12 },
      buttons: [
        {
          label: "▶",
          method: "animate",
          args: [null, { frame: { duration, redraw: true }, fromcurrent: true, transition: { duration: 0 } }],
        },
        {
          label: "❚❚",
          method: "animate",
          args: [[null], { mode: "immediate", frame: { duration: 0, redraw: false }, transition: { duration: 0 } }],
        },
      ],
    },
  ];
  return { data, layout, frames };
}
