// Lecture 002's back-propagation derivations, computed by the engine and checked against the
// slides' closed forms (worked examples 20 and 21).
import { describe, expect, it } from "vitest";
import * as ad from "../src/autodiff";

const sigma = (z: number): number => 1 / (1 + Math.exp(-z));
const sigmaPrime = (z: number): number => sigma(z) * (1 - sigma(z));
const L = { text: "L", tex: "\\mathcal{L}" };
const R = { text: "R", tex: "\\mathcal{R}" };
const LREG = { text: "L_reg", tex: "\\mathcal{L}_{\\text{reg}}" };

function texts(loss: ad.Node): string[] {
  return ad.trace(loss).map((r) => r.text);
}

describe("univariate logistic least squares: z = wx + b, y = σ(z), L = ½(y − t)²", () => {
  const build = (w0: number, b0: number, x0: number, t0: number) => {
    const w = ad.param(w0, "w");
    const b = ad.param(b0, "b");
    const x = ad.input(x0, "x");
    const t = ad.input(t0, "t");
    const z = ad.affine(w, x, b, "z");
    const y = ad.sigmoid(z, "y");
    const loss = ad.halfSquaredError(y, t, L);
    loss.backward();
    return { w, b, x, t, z, y, loss };
  };

  it("matches the slide's closed forms ∂L/∂w = (σ(wx+b) − t)σ'(wx+b)x and ∂L/∂b = (σ(wx+b) − t)σ'(wx+b)", () => {
    for (const [w0, b0, x0, t0] of [
      [0.5, 0.5, 1, 1],
      [-1.2, 0.3, 2, 0],
      [2, -1, -0.7, 0.4],
    ]) {
      const g = build(w0, b0, x0, t0);
      const zv = w0 * x0 + b0;
      expect(g.w.bar).toBeCloseTo((sigma(zv) - t0) * sigmaPrime(zv) * x0, 12);
      expect(g.b.bar).toBeCloseTo((sigma(zv) - t0) * sigmaPrime(zv), 12);
      expect(g.y.bar).toBeCloseTo(sigma(zv) - t0, 12);
      expect(g.z.bar).toBeCloseTo((sigma(zv) - t0) * sigmaPrime(zv), 12);
    }
  });

  it("worked numbers: w = 0.5, b = 0.5, x = 1, t = 1 gives ȳ ≈ −0.2689, z̄ ≈ −0.0529", () => {
    const g = build(0.5, 0.5, 1, 1);
    expect(g.y.value).toBeCloseTo(0.7311, 4);
    expect(g.y.bar).toBeCloseTo(-0.2689, 4);
    expect(g.z.bar).toBeCloseTo(-0.05287, 4);
    expect(g.w.bar).toBeCloseTo(-0.05287, 4);
  });

  it("traces the slide's bar-notation equations in backward order, with numbers", () => {
    const g = build(0.5, 0.5, 1, 1);
    expect(texts(g.loss)).toEqual(["L̄ = 1", "ȳ = L̄ (y − t)", "z̄ = ȳ σ'(z)", "w̄ = z̄ x", "b̄ = z̄"]);
    const rows = ad.trace(g.loss);
    expect(rows[1].numbers).toBe("1 × (0.7311 − 1)");
    expect(rows[2].numbers).toBe("(−0.2689) × 0.1966");
    expect(rows.map((r) => r.step)).toEqual([1, 2, 3, 4, 5]);
    const text = ad.traceText(rows);
    expect(text).toContain("ȳ = L̄ (y − t) = 1 × (0.7311 − 1) = −0.2689");
    const tex = ad.traceLatex(rows);
    expect(tex).toContain("\\bar{y} &= \\bar{\\mathcal{L}} (y - t) = -0.2689");
    expect(tex).toContain("\\bar{z} &= \\bar{y} \\sigma'(z)");
    const table = ad.traceTable(rows);
    expect(table[0]).toEqual(["step", "node", "rule", "numbers", "value"]);
    expect(table[2]).toEqual(["2", "y", "ȳ = L̄ (y − t)", "1 × (0.7311 − 1)", "−0.2689"]);
  });

  it("lists the inputs' bars only when asked", () => {
    const g = build(0.5, 0.5, 1, 1);
    expect(ad.trace(g.loss).some((r) => r.node === "x")).toBe(false);
    const withInputs = ad.trace(g.loss, { inputs: true });
    const xRow = withInputs.find((r) => r.node === "x");
    expect(xRow?.text).toBe("x̄ = z̄ w");
    expect(xRow?.value).toBeCloseTo(g.z.bar * 0.5, 12);
  });
});

describe("L2-regularised regression: fan-out of w into z and R", () => {
  const lambda = 0.1;
  const build = () => {
    const w = ad.param(0.5, "w");
    const b = ad.param(0.5, "b");
    const x = ad.input(1, "x");
    const t = ad.input(1, "t");
    const z = ad.affine(w, x, b, "z");
    const y = ad.sigmoid(z, "y");
    const loss = ad.halfSquaredError(y, t, L);
    const penalty = ad.halfSquare(w, R);
    const lreg = ad.regularise(loss, penalty, lambda, LREG);
    lreg.backward();
    return { w, b, z, y, loss, penalty, lreg };
  };

  it("w̄ = z̄x + R̄w collects both paths (bars accumulate with +=)", () => {
    const g = build();
    expect(g.penalty.bar).toBeCloseTo(lambda, 14);
    expect(g.loss.bar).toBe(1);
    expect(g.w.bar).toBeCloseTo(g.z.bar * 1 + g.penalty.bar * 0.5, 14);
    const zv = 1;
    expect(g.w.bar).toBeCloseTo((sigma(zv) - 1) * sigmaPrime(zv) + lambda * 0.5, 12);
    expect(g.b.bar).toBeCloseTo(g.z.bar, 14);
  });

  it("traces exactly the slide's backward pass", () => {
    const g = build();
    expect(texts(g.lreg)).toEqual(["L̄_reg = 1", "R̄ = L̄_reg λ", "L̄ = L̄_reg", "ȳ = L̄ (y − t)", "z̄ = ȳ σ'(z)", "w̄ = z̄ x + R̄ w", "b̄ = z̄"]);
    const tex = ad.traceLatex(ad.trace(g.lreg));
    expect(tex).toContain("\\overline{\\mathcal{L}_{\\text{reg}}} &= 1");
    expect(tex).toContain("\\bar{w} &= \\bar{z} x + \\bar{\\mathcal{R}} w");
  });

  it("the same fan-out with elementary ops: d(x·x)/dx = 2x", () => {
    const x = ad.param(3, "x");
    const y = ad.mul(x, x, "y");
    y.backward();
    expect(x.bar).toBe(6);
    expect(texts(y)).toEqual(["ȳ = 1", "x̄ = ȳ x + ȳ x"]);
  });
});

describe("multiclass logistic regression: z = Wx + b, y = softmax(z), L = −Σ t log y", () => {
  const W0 = [
    [0.2, -0.5, 0.1],
    [1.5, 1.3, 2.1],
    [0, 0.25, 0.2],
  ];
  const b0 = [0.1, -0.2, 0.3];
  const x0 = [1, -1, 2];
  const t0 = [0, 1, 0];

  const expected = () => {
    const z = W0.map((row, l) => row.reduce((s, w, j) => s + w * x0[j], b0[l]));
    const e = z.map(Math.exp);
    const total = e.reduce((a, b) => a + b, 0);
    const y = e.map((v) => v / total);
    return { z, y, loss: -t0.reduce((s, t, k) => s + t * Math.log(y[k]), 0) };
  };

  it("built from exp, sum, div and log, gives z̄ = y − t and w̄ₗⱼ = (yₗ − tₗ) xⱼ", () => {
    const W = W0.map((row, l) => row.map((v, j) => ad.param(v, `w${l + 1}${j + 1}`)));
    const b = b0.map((v, l) => ad.param(v, `b${l + 1}`));
    const x = x0.map((v, j) => ad.input(v, `x${j + 1}`));
    const z = W.map((row, l) => ad.affine(row, x, b[l], `z${l + 1}`));
    const e = z.map((zl, l) => ad.exp(zl, `e${l + 1}`));
    const S = ad.sum(e, "S");
    const y = e.map((el, k) => ad.div(el, S, `y${k + 1}`));
    const terms = y.map((yk, k) => ad.mul(ad.input(t0[k], `t${k + 1}`), ad.log(yk)));
    const loss = ad.sub(0, ad.sum(terms), "L");
    loss.backward();
    const ex = expected();
    expect(loss.value).toBeCloseTo(ex.loss, 12);
    z.forEach((zl, l) => expect(zl.bar).toBeCloseTo(ex.y[l] - t0[l], 12));
    W.forEach((row, l) => row.forEach((w, j) => expect(w.bar).toBeCloseTo((ex.y[l] - t0[l]) * x0[j], 12)));
    b.forEach((bl, l) => expect(bl.bar).toBeCloseTo(ex.y[l] - t0[l], 12));
    // S fans out to every yₖ: its bar sums one term per class.
    expect(ad.trace(loss).find((r) => r.node === "S")?.text).toBe("S̄ = ȳ1 (−e1/S²) + ȳ2 (−e2/S²) + ȳ3 (−e3/S²)");
  });

  it("the fused softmaxCrossEntropy op (scalars and tensors) gives the same bars", () => {
    const ex = expected();
    const zs = ex.z.map((v, k) => ad.param(v, `z${k + 1}`));
    const loss = ad.softmaxCrossEntropy(zs, t0, "L");
    loss.backward();
    expect(loss.value).toBeCloseTo(ex.loss, 12);
    zs.forEach((zk, k) => expect(zk.bar).toBeCloseTo(ex.y[k] - t0[k], 12));

    const W = ad.param(W0, "W");
    const bias = ad.param(ad.column(b0), "b");
    const x = ad.input(ad.column(x0), "x");
    const zt = ad.affine(W, x, bias, "z");
    const lt = ad.softmaxCrossEntropy(zt, ad.column(t0), "L");
    lt.backward();
    expect(lt.value).toBeCloseTo(ex.loss, 12);
    W.bar.forEach((row, l) => row.forEach((g, j) => expect(g).toBeCloseTo((ex.y[l] - t0[l]) * x0[j], 12)));
  });
});

describe("MLP with one hidden layer: scalar and vectorised forms agree", () => {
  const W1 = [
    [0.1, 0.2],
    [0.3, -0.4],
    [-0.5, 0.6],
  ]; // 3 hidden units, 2 inputs
  const b1 = [0, 0.1, -0.1];
  const W2 = [
    [0.5, -0.6, 0.7],
    [-0.2, 0.4, 0.9],
  ]; // 2 outputs
  const b2 = [0.2, -0.3];
  const x0 = [1, 2];
  const t0 = [1, 0];

  /** The slide's backward pass with plain numbers: ȳ = y − t, W̄⁽²⁾ = ȳhᵀ, h̄ = W⁽²⁾ᵀȳ, z̄ = h̄ ∘ σ'(z), W̄⁽¹⁾ = z̄xᵀ. */
  const byHand = () => {
    const z = W1.map((row, i) => row.reduce((s, w, j) => s + w * x0[j], b1[i]));
    const h = z.map(sigma);
    const y = W2.map((row, k) => row.reduce((s, w, i) => s + w * h[i], b2[k]));
    const yBar = y.map((v, k) => v - t0[k]);
    const W2Bar = yBar.map((g) => h.map((hi) => g * hi));
    const hBar = h.map((_, i) => yBar.reduce((s, g, k) => s + g * W2[k][i], 0));
    const zBar = hBar.map((g, i) => g * sigmaPrime(z[i]));
    const W1Bar = zBar.map((g) => x0.map((xj) => g * xj));
    const loss = 0.5 * y.reduce((s, v, k) => s + (v - t0[k]) ** 2, 0);
    return { loss, yBar, W2Bar, hBar, zBar, W1Bar };
  };

  const scalarForm = () => {
    const w1 = W1.map((row, i) => row.map((v, j) => ad.param(v, { text: `w⁽¹⁾${i + 1}${j + 1}`, tex: `w^{(1)}_{${i + 1}${j + 1}}` })));
    const bb1 = b1.map((v, i) => ad.param(v, `b1_${i + 1}`));
    const w2 = W2.map((row, k) => row.map((v, i) => ad.param(v, { text: `w⁽²⁾${k + 1}${i + 1}`, tex: `w^{(2)}_{${k + 1}${i + 1}}` })));
    const bb2 = b2.map((v, k) => ad.param(v, `b2_${k + 1}`));
    const x = x0.map((v, j) => ad.input(v, `x${j + 1}`));
    const z = w1.map((row, i) => ad.affine(row, x, bb1[i], `z${i + 1}`));
    const h = z.map((zi, i) => ad.sigmoid(zi, `h${i + 1}`));
    const y = w2.map((row, k) => ad.affine(row, h, bb2[k], `y${k + 1}`));
    const loss = ad.halfSquaredError(
      y,
      t0.map((v, k) => ad.input(v, `t${k + 1}`)),
      L,
    );
    loss.backward();
    return { w1, w2, bb1, bb2, z, h, y, loss };
  };

  const vectorForm = () => {
    const W1t = ad.param(W1, { text: "W⁽¹⁾", tex: "W^{(1)}" });
    const b1t = ad.param(ad.column(b1), { text: "b⁽¹⁾", tex: "b^{(1)}" });
    const W2t = ad.param(W2, { text: "W⁽²⁾", tex: "W^{(2)}" });
    const b2t = ad.param(ad.column(b2), { text: "b⁽²⁾", tex: "b^{(2)}" });
    const x = ad.input(ad.column(x0), "x");
    const z = ad.affine(W1t, x, b1t, "z");
    const h = ad.sigmoid(z, "h");
    const y = ad.affine(W2t, h, b2t, "y");
    const loss = ad.halfSquaredError(y, ad.input(ad.column(t0), "t"), L);
    loss.backward();
    return { W1t, b1t, W2t, b2t, z, h, y, loss };
  };

  it("the scalar form matches the slide's formulas", () => {
    const s = scalarForm();
    const hand = byHand();
    expect(s.loss.value).toBeCloseTo(hand.loss, 12);
    s.y.forEach((yk, k) => expect(yk.bar).toBeCloseTo(hand.yBar[k], 12));
    expect(s.w2.map((row) => row.map((w) => w.bar))).toBeAllclose(hand.W2Bar, { atol: 1e-12, rtol: 0 });
    s.h.forEach((hi, i) => expect(hi.bar).toBeCloseTo(hand.hBar[i], 12));
    s.z.forEach((zi, i) => expect(zi.bar).toBeCloseTo(hand.zBar[i], 12));
    expect(s.w1.map((row) => row.map((w) => w.bar))).toBeAllclose(hand.W1Bar, { atol: 1e-12, rtol: 0 });
    s.bb1.forEach((b, i) => expect(b.bar).toBeCloseTo(hand.zBar[i], 12));
    // h̄ᵢ = Σₖ ȳₖ w⁽²⁾ₖᵢ: one term per output.
    expect(ad.trace(s.loss).find((r) => r.node === "h1")?.text).toBe("h̄1 = ȳ1 w⁽²⁾11 + ȳ2 w⁽²⁾21");
    // The slide's order: ȳₖ, w̄⁽²⁾, b̄⁽²⁾, h̄ᵢ, z̄ᵢ, w̄⁽¹⁾, b̄⁽¹⁾.
    expect(ad.trace(s.loss).map((r) => r.node)).toEqual([
      "L",
      "y1",
      "y2",
      "w⁽²⁾11",
      "w⁽²⁾12",
      "w⁽²⁾13",
      "b2_1",
      "w⁽²⁾21",
      "w⁽²⁾22",
      "w⁽²⁾23",
      "b2_2",
      "h1",
      "h2",
      "h3",
      "z1",
      "z2",
      "z3",
      "w⁽¹⁾11",
      "w⁽¹⁾12",
      "b1_1",
      "w⁽¹⁾21",
      "w⁽¹⁾22",
      "b1_2",
      "w⁽¹⁾31",
      "w⁽¹⁾32",
      "b1_3",
    ]);
  });

  it("the vectorised form computes W̄⁽²⁾ = ȳhᵀ, h̄ = W⁽²⁾ᵀȳ, z̄ = h̄ ∘ σ'(z), W̄⁽¹⁾ = z̄xᵀ", () => {
    const v = vectorForm();
    const hand = byHand();
    expect(v.loss.value).toBeCloseTo(hand.loss, 12);
    expect(v.W2t.bar).toBeAllclose(hand.W2Bar, { atol: 1e-12, rtol: 0 });
    expect(v.h.bar.map(([g]) => g)).toBeAllclose(hand.hBar, { atol: 1e-12, rtol: 0 });
    expect(v.z.bar.map(([g]) => g)).toBeAllclose(hand.zBar, { atol: 1e-12, rtol: 0 });
    expect(v.W1t.bar).toBeAllclose(hand.W1Bar, { atol: 1e-12, rtol: 0 });
    expect(v.b2t.bar.map(([g]) => g)).toBeAllclose(hand.yBar, { atol: 1e-12, rtol: 0 });
    expect(texts(v.loss)).toEqual([
      "L̄ = 1",
      "ȳ = L̄ (y − t)",
      "W̄⁽²⁾ = ȳ hᵀ",
      "b̄⁽²⁾ = ȳ",
      "h̄ = W⁽²⁾ᵀ ȳ",
      "z̄ = h̄ ∘ σ'(z)",
      "W̄⁽¹⁾ = z̄ xᵀ",
      "b̄⁽¹⁾ = z̄",
    ]);
    expect(ad.traceLatex(ad.trace(v.loss))).toContain("\\overline{W^{(2)}} &= \\bar{y} {h}^\\top = \\begin{bmatrix}");
  });

  it("both forms give identical bars for every weight", () => {
    const s = scalarForm();
    const v = vectorForm();
    expect(s.w1.map((row) => row.map((w) => w.bar))).toBeAllclose(v.W1t.bar, { atol: 1e-14, rtol: 0 });
    expect(s.w2.map((row) => row.map((w) => w.bar))).toBeAllclose(v.W2t.bar, { atol: 1e-14, rtol: 0 });
    s.bb2.forEach((b, k) => expect(b.bar).toBeCloseTo(v.b2t.bar[k][0], 14));
  });

  it("matmul then add equals affine, and batches of columns sum the bias bars", () => {
    const W = ad.param(W1, "W");
    const X = ad.input(
      [
        [1, 0],
        [2, -1],
      ],
      "X",
    ); // two examples as columns
    const b = ad.param(ad.column(b1), "b");
    const loss = ad.sum(ad.affine(W, X, b, "Z"));
    loss.backward();
    b.bar.forEach(([g]) => expect(g).toBe(2)); // one per column
    W.bar.forEach((row) => expect(row).toEqual([1, 1])); // Z̄ Xᵀ with Z̄ = 𝟏
    const A = ad.param(W1, "A");
    const B = ad.param(
      [
        [1, 0],
        [2, -1],
      ],
      "B",
    );
    const total = ad.sum(ad.matmul(A, B));
    total.backward();
    expect(A.bar).toEqual(W.bar);
    const columnSums = [0, 1].map((r) => W1.reduce((sum, row) => sum + row[r], 0)); // B̄ = Aᵀ 𝟏
    B.bar.forEach((row, r) => row.forEach((g) => expect(g).toBeCloseTo(columnSums[r], 14)));
  });
});

describe("multivariate chain rule: f(x, y) = y + e^(xy), x = cos t, y = t²", () => {
  it("t̄ = x̄ dx/dt + ȳ dy/dt = y e^(xy)(−sin t) + (1 + x e^(xy)) 2t", () => {
    for (const t0 of [0.3, 1, 1.7, -2.2]) {
      const t = ad.param(t0, "t");
      const x = ad.cos(t, "x");
      const y = ad.pow(t, 2, "y");
      const f = ad.add(y, ad.exp(ad.mul(x, y, "xy"), { text: "exp(xy)", tex: "e^{xy}" }), "f");
      f.backward();
      const xv = Math.cos(t0);
      const yv = t0 * t0;
      const slide = yv * Math.exp(xv * yv) * -Math.sin(t0) + (1 + xv * Math.exp(xv * yv)) * 2 * t0;
      expect(t.bar).toBeCloseTo(slide, 10);
      expect(x.bar).toBeCloseTo(yv * Math.exp(xv * yv), 10); // ∂f/∂x
      expect(y.bar).toBeCloseTo(1 + xv * Math.exp(xv * yv), 10); // ∂f/∂y
      const rows = ad.trace(f);
      expect(rows[rows.length - 1].text).toBe("t̄ = x̄ (−sin t) + ȳ 2t");
      expect(rows.find((r) => r.node === "y")?.text).toBe("ȳ = x̅y̅ x + f̄");
    }
  });
});

describe("max-pool backprop: the error signal goes to the argmax (example 21)", () => {
  it("routes each window's bar to the entry that took the max, zeros elsewhere", () => {
    const X = ad.param(
      [
        [1, 3, 2, 1],
        [4, 2, 0, 1],
        [5, 6, 1, 2],
        [7, 8, 3, 9],
      ],
      "X",
    );
    const Y = ad.maxPool(X, { window: 2, stride: 2 }, "Y");
    expect(Y.value).toEqual([
      [4, 2],
      [8, 9],
    ]);
    const G = ad.input(
      [
        [0.1, 0.2],
        [0.3, 0.4],
      ],
      "G",
    );
    const loss = ad.sum(ad.mul(Y, G));
    loss.backward();
    expect(X.bar).toEqual([
      [0, 0, 0.2, 0],
      [0.1, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0.3, 0, 0.4],
    ]);
    expect(ad.trace(loss).find((r) => r.node === "X")?.text).toBe("X̄ = Ȳ routed to each window's argmax");
  });

  it("overlapping windows add up at a shared argmax", () => {
    const X = ad.param(
      [
        [1, 2, 1],
        [2, 9, 2],
        [1, 2, 1],
      ],
      "X",
    );
    const Y = ad.maxPool(X, { window: 2, stride: 1 });
    const loss = ad.sum(Y);
    loss.backward();
    expect(X.bar[1][1]).toBe(4);
    expect(X.bar.flat().reduce((a, b) => a + b, 0)).toBe(4);
  });
});

describe("bad input names the operation and the values at fault", () => {
  it("shape mismatches", () => {
    const a = ad.param(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      "A",
    );
    const b = ad.param([[1], [2]], "B");
    expect(() => ad.matmul(a, b)).toThrow("matmul: cannot multiply 2×3 ('A') by 2×1 ('B'): 3 columns ≠ 2 rows");
    expect(() => ad.add(b, ad.param([[1], [2], [3]], "C"))).toThrow("add: shapes 2×1 ('B') and 3×1 ('C') do not match");
    expect(() => ad.affine(a, b, b)).toThrow("affine: cannot multiply W 2×3");
    expect(() => ad.affine(a, ad.param([[1], [2], [3]], "x"), ad.param([[1]], "c"))).toThrow("affine: b ('c') must be 2×1");
    expect(() => ad.halfSquaredError(b, [[1]])).toThrow("halfSquaredError: shapes 2×1 ('B') and 1×1 ('t') do not match");
    expect(() => Reflect.apply(ad.mul, undefined, [ad.param(1, "s"), b])).toThrow("mul: a is a scalar, but the other operand is a tensor");
    expect(() => ad.affine([ad.param(1, "w")], [1, 2], 0)).toThrow("affine: w has 1 entries but x has 2");
    expect(() => ad.param([[1, 2], [3]], "R")).toThrow("param: value is ragged: row 0 has 2 entries, row 1 has 1");
    expect(() => ad.maxPool(b, { window: 3 })).toThrow(/^autodiff\.maxPool: window 3×3/);
  });

  it("backward() on a non-scalar", () => {
    const y = ad.sigmoid(ad.param([[1], [2]], "z"), "y");
    expect(() => y.backward()).toThrow("backward: the loss must be a scalar, got 'y' (sigmoid) of shape 2×1");
  });

  it("reusing a graph after an in-place parameter change", () => {
    const w = ad.param(0.5, "w");
    const loss = ad.mul(w, ad.input(2, "x"), "z");
    loss.backward();
    w.value -= 0.1 * w.bar;
    expect(() => loss.backward()).toThrow("backward: 'w' changed from 0.5 to 0.3 after the forward pass that computed 'z' (mul)");
  });

  it("a second backward() without zeroGrad", () => {
    const w = ad.param(0.5, "w");
    ad.mul(w, 2, "z").backward();
    const again = ad.mul(w, 2, "z");
    expect(() => again.backward()).toThrow("backward: 'w' (param) already holds w̄ = 2 from an earlier backward(); call zeroGrad");
    ad.zeroGrad([w]);
    again.backward();
    expect(w.bar).toBe(2);
  });

  it("NaN or Infinity in a forward value", () => {
    expect(() => ad.pow(ad.param(-8, "x"), 0.5)).toThrow("pow: forward value is NaN for x = −8");
    expect(() => ad.exp(ad.param(1000, "x"))).toThrow("exp: forward value is Infinity for x = 1000");
    expect(() => ad.exp(ad.param([[1, 1000]], "Z"))).toThrow("exp: forward value is Infinity at [0][1] (Z[0][1] = 1000)");
    expect(() => ad.param(NaN, "w")).toThrow("param: value must be a finite number, got NaN");
    expect(() => ad.input([[1, NaN]], "X")).toThrow("input: value[0][1] must be a finite number, got NaN");
    expect(() => ad.log(ad.param(0, "x"))).toThrow("log: input 'x' must be > 0, got 0");
    expect(() => ad.div(1, ad.param(0, "d"))).toThrow("div: division by zero ('d' = 0");
    expect(() => ad.mul(NaN, 2)).toThrow("mul: a must be a Scalar or a finite number, got NaN");
  });

  it("trace before backward", () => {
    const z = ad.mul(ad.param(1, "w"), 2, "z");
    expect(() => ad.trace(z)).toThrow("trace: call backward() on 'z' first");
  });
});

describe("reuse and custom operations", () => {
  it("data nodes can feed several forward passes: their bars start afresh", () => {
    const x = ad.input(2, "x");
    const w = ad.param(3, "w");
    ad.mul(w, x).backward();
    expect(x.bar).toBe(3);
    w.zeroGrad();
    ad.mul(ad.mul(w, x), x).backward();
    expect(x.bar).toBe(2 * 3 * 2);
  });

  it("scalarOp builds an operation in the same four steps, with a generic rule in the trace", () => {
    const x = ad.param(0.3, "x");
    const s = ad.scalarOp(
      "softplus",
      Math.log(1 + Math.exp(x.value)),
      [x],
      (out) => {
        x.bar += out.bar * sigma(x.value);
      },
      "s",
    );
    s.backward();
    expect(x.bar).toBeCloseTo(sigma(0.3), 14);
    expect(texts(s)).toEqual(["s̄ = 1", "x̄ = s̄ ∂s/∂x"]);
    expect(() => ad.scalarOp("bad", NaN, [x], () => undefined)).toThrow("bad: forward value is NaN for x = 0.3");
  });
});

describe("graph data", () => {
  it("lists every node once with value and bar, and one edge per input labelled by the operation", () => {
    const w = ad.param(0.5, "w");
    const x = ad.input(2, "x");
    const z = ad.mul(w, x, "z");
    const y = ad.sigmoid(z, "y");
    y.backward();
    const g = ad.graph(y);
    expect(g.nodes.map((n) => n.name).sort()).toEqual(["w", "x", "y", "z"]);
    expect(g.edges.map((e) => e.label).sort()).toEqual(["mul", "mul", "sigmoid"]);
    const zNode = g.nodes.find((n) => n.name === "z");
    expect(zNode?.value).toBe(1);
    expect(zNode?.bar).toBeCloseTo(sigmaPrime(1), 12);
    expect(g.edges.find((e) => e.label === "sigmoid")).toEqual({ from: z.id, to: y.id, label: "sigmoid" });
  });
});
