// The computation-graph figure and the trace's display bundle (plot/graph.ts).
import { describe, expect, it } from "vitest";
import * as ad from "../src/autodiff";
import { computationGraphFigure, showTrace, traceBundle } from "../src/plot/graph";
import { setDisplaySink } from "../src/display";

function regularised() {
  const w = ad.param(0.5, "w");
  const b = ad.param(0.5, "b");
  const x = ad.input(1, "x");
  const t = ad.input(1, "t");
  const z = ad.affine(w, x, b, "z");
  const y = ad.sigmoid(z, "y");
  const L = ad.halfSquaredError(y, t, "L");
  const R = ad.halfSquare(w, "R");
  const Lreg = ad.regularise(L, R, 0.1, "L_reg");
  Lreg.backward();
  return { w, z, y, L, R, Lreg };
}

describe("computationGraphFigure", () => {
  it("draws one marker per node, one arrow per edge, and names each operation once above its node", () => {
    const g = ad.graph(regularised().Lreg);
    const fig = computationGraphFigure(g, { title: "L_reg" });
    const nodes = fig.data.find((tr) => tr.name === "nodes");
    expect(nodes?.text).toEqual(g.nodes.map((n) => n.name));
    const arrows = fig.data.filter((tr) => tr.mode === "lines+markers");
    expect(arrows.length).toBe(g.edges.length);
    const computed = g.nodes.filter((n) => g.edges.some((e) => e.to === n.id));
    const labels = fig.layout.annotations ?? [];
    expect(labels.map((a) => a.text)).toEqual(computed.map((n) => g.edges.find((e) => e.to === n.id)?.label));
    const names: string[] = Array.isArray(nodes?.text) ? nodes.text.map(String) : [];
    for (const [k, n] of computed.entries()) {
      const at = names.indexOf(n.name);
      expect(at).toBeGreaterThanOrEqual(0);
      expect(labels[k].x).toBe(nodes?.x?.[at]);
      expect(Number(labels[k].y)).toBeGreaterThan(Number(nodes?.y?.[at]));
    }
    expect(fig.layout.title?.text).toBe("L_reg");
  });

  it("places inputs left of the operations that use them and the loss furthest right", () => {
    const { w, z, y, Lreg } = regularised();
    const g = ad.graph(Lreg);
    const fig = computationGraphFigure(g);
    const nodes = fig.data.find((tr) => tr.name === "nodes");
    const xs = nodes?.x ?? [];
    const col = (id: number) => Number(xs[g.nodes.findIndex((n) => n.id === id)]);
    for (const e of g.edges) expect(col(e.from)).toBeLessThan(col(e.to));
    expect(col(Lreg.id)).toBe(Math.max(...xs.map(Number)));
    expect(col(w.id)).toBeLessThan(col(z.id));
    expect(col(z.id)).toBeLessThan(col(y.id));
  });

  it("shows value and bar under every node, or only the value", () => {
    const g = ad.graph(regularised().Lreg);
    const values = computationGraphFigure(g).data.find((tr) => tr.name === "values");
    const zIndex = g.nodes.findIndex((n) => n.name === "z");
    expect(Array.isArray(values?.text) && values?.text[zIndex]).toBe("1<br>bar −0.05288");
    const plain = computationGraphFigure(g, { showBars: false }).data.find((tr) => tr.name === "values");
    expect(Array.isArray(plain?.text) && plain?.text[zIndex]).toBe("1");
  });

  it("rejects something that is not a graph", () => {
    expect(() => computationGraphFigure({ nodes: [], edges: [] })).toThrow("computationGraphFigure: graph has no nodes");
    const g = ad.graph(regularised().Lreg);
    expect(() => computationGraphFigure({ nodes: g.nodes, edges: [{ from: -1, to: g.nodes[0].id, label: "x" }] })).toThrow(
      "computationGraphFigure: edges[0] joins -1 →",
    );
  });
});

describe("traceBundle / showTrace", () => {
  it("renders the trace as LaTeX with \\bar and as an HTML table", () => {
    const rows = ad.trace(regularised().Lreg);
    const latex = traceBundle(rows);
    expect(latex["text/latex"]).toMatch(/^\$\$\\begin\{aligned\}/);
    expect(String(latex["text/latex"])).toContain("\\bar{w} &= \\bar{z} x + \\bar{R} w");
    expect(String(latex["text/plain"])).toContain("w̄ = z̄ x + R̄ w");
    const table = traceBundle(rows, { as: "table" });
    expect(String(table["text/html"])).toContain("<table");
    expect((String(table["text/html"]).match(/<tr>/g) ?? []).length).toBe(rows.length + 1);
    expect(() => traceBundle([])).toThrow("plot.traceBundle: rows must be the rows of trace(loss)");
  });

  it("puts the slide's equations beside the engine's in a markdown table", () => {
    const rows = ad.trace(regularised().Lreg);
    const slide = rows.map((_, k) => `s_${k}`);
    const md = String(traceBundle(rows, { slide })["text/markdown"]).split("\n");
    expect(md[0]).toBe("| slide | engine | numbers | value |");
    expect(md.length).toBe(rows.length + 2);
    expect(md[2 + 5]).toBe("| $s_5$ | $\\bar{w} = \\bar{z} x + \\bar{R} w$ | (−0.05288) × 1 + 0.1 × 0.5 | $-0.002877$ |");
    expect(() => traceBundle(rows, { slide: ["one"] })).toThrow("traceBundle: slide must hold one LaTeX equation per trace row (7)");
  });

  it("showTrace sends one display_data bundle", () => {
    const sent: unknown[] = [];
    setDisplaySink((content) => sent.push(content.data));
    try {
      showTrace(ad.trace(regularised().Lreg), { as: "table" });
    } finally {
      setDisplaySink(null);
    }
    expect(sent.length).toBe(1);
  });
});
