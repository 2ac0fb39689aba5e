// Tensor operations of the autodiff engine: 2-D, vectors are columns n×1 (lecture 002).
//
// The same four steps as the scalar operations in `autodiff.ts`, on matrices, so the vectorised
// slides (W̄ = ȳhᵀ, h̄ = Wᵀȳ, z̄ = h̄ ∘ σ'(z)) run as written. The public functions in
// `autodiff.ts` (add, mul, sigmoid, mse, …) call these when an operand is a Tensor; `matmul` and
// `maxPool` exist for tensors only and are public here (re-exported by `autodiff.ts`).

import { describe as formatValue } from "./args";
import * as act from "./activations"; // σ, σ', tanh', ReLU', softmax as plain number functions
import { maxPoolBackward, maxPoolFor } from "./pool";
import type { Pool2dOptions } from "./pool";
import {
  Scalar,
  Tensor,
  addInto,
  attach,
  bar,
  barTex,
  barText,
  checkMatrix,
  cols,
  difference,
  hadamard,
  map,
  matmulValues,
  rows,
  rule,
  sameShape,
  scalarResult,
  tensorArg,
  tensorResult,
  times,
  transpose,
  transposed,
  val,
  word,
  type NameLike,
  type Term,
} from "./autodiff-node";

// ---------------------------------------------------------------------------------------------
// Elementwise and matrix operations.

export function targetTensor(fn: string, t: unknown): Tensor {
  if (t instanceof Tensor) return t;
  if (Array.isArray(t)) return new Tensor(checkMatrix(fn, "t", t), "input", "input", "t");
  throw new Error(`autodiff.${fn}: t must be a Tensor or a matrix of numbers, got ${formatValue(t)}`);
}

export function addTensor(a: Tensor, b: Tensor, name?: NameLike): Tensor {
  sameShape("add", a, b);
  const out = tensorResult(
    "add",
    map(a.value, (v, i, j) => v + b.value[i][j]),
    [a, b],
    name,
  );
  const step = () => {
    addInto(a.bar, out.bar);
    addInto(b.bar, out.bar);
  };
  attach(out, [a, b], step, () => [rule(a, () => bar(out)), rule(b, () => bar(out))]);
  return out;
}

export function subTensor(a: Tensor, b: Tensor, name?: NameLike): Tensor {
  sameShape("sub", a, b);
  const out = tensorResult(
    "sub",
    map(a.value, (v, i, j) => v - b.value[i][j]),
    [a, b],
    name,
  );
  const step = () => {
    addInto(a.bar, out.bar);
    addInto(
      b.bar,
      map(out.bar, (v) => -v),
    );
  };
  attach(out, [a, b], step, () => [rule(a, () => bar(out)), rule(b, () => times(word("−", "-", null), bar(out)))]);
  return out;
}

export function mulTensor(a: Tensor, b: Tensor, name?: NameLike): Tensor {
  sameShape("mul", a, b);
  const out = tensorResult(
    "mul",
    map(a.value, (v, i, j) => v * b.value[i][j]),
    [a, b],
    name,
  );
  const step = () => {
    addInto(
      a.bar,
      map(out.bar, (g, i, j) => g * b.value[i][j]),
    );
    addInto(
      b.bar,
      map(out.bar, (g, i, j) => g * a.value[i][j]),
    );
  };
  attach(out, [a, b], step, () => [rule(a, () => hadamard(bar(out), val(b))), rule(b, () => hadamard(bar(out), val(a)))]);
  return out;
}

export function divTensor(a: Tensor, b: Tensor, name?: NameLike): Tensor {
  sameShape("div", a, b);
  b.value.forEach((row, i) =>
    row.forEach((v, j) => {
      if (v === 0) throw new Error(`autodiff.div: division by zero at [${i}][${j}] of '${b.name.text}' (${b.shapeText()})`);
    }),
  );
  const out = tensorResult(
    "div",
    map(a.value, (v, i, j) => v / b.value[i][j]),
    [a, b],
    name,
  );
  const step = () => {
    addInto(
      a.bar,
      map(out.bar, (g, i, j) => g / b.value[i][j]),
    );
    addInto(
      b.bar,
      map(out.bar, (g, i, j) => (g * -a.value[i][j]) / b.value[i][j] ** 2),
    );
  };
  attach(out, [a, b], step, () => [
    rule(a, () => times(bar(out), word(`/ ${b.name.text}`, `\\oslash ${b.name.tex}`, null))),
    rule(b, () => hadamard(bar(out), word(`(−${a.name.text}/${b.name.text}²)`, `(-${a.name.tex} \\oslash ${b.name.tex}^2)`, null))),
  ]);
  return out;
}

/** Step 1–4 for an elementwise function f with derivative df (the shared shape of exp, σ, tanh, …). */
export function elementwise(
  op: string,
  x: Tensor,
  f: (v: number) => number,
  df: (v: number) => number,
  local: Term,
  name?: NameLike,
): Tensor {
  const out = tensorResult(op, map(x.value, f), [x], name);
  const step = () => {
    addInto(
      x.bar,
      map(out.bar, (g, i, j) => g * df(x.value[i][j])),
    );
  };
  attach(out, [x], step, () => [rule(x, () => hadamard(bar(out), local))]);
  return out;
}

export function powTensor(x: Tensor, n: number, name?: NameLike): Tensor {
  const local = word(`${n}${x.name.text}^${n - 1}`, `${n}${x.name.tex}^{${n - 1}}`, null);
  return elementwise(
    "pow",
    x,
    (v) => v ** n,
    (v) => n * v ** (n - 1),
    local,
    name,
  );
}

function matmulTensor(a: Tensor, b: Tensor, name?: NameLike): Tensor {
  if (cols(a.value) !== rows(b.value)) {
    throw new Error(
      `autodiff.matmul: cannot multiply ${a.shapeText()} ('${a.name.text}') by ${b.shapeText()} ('${b.name.text}'): ${cols(a.value)} columns ≠ ${rows(b.value)} rows`,
    );
  }
  const out = tensorResult("matmul", matmulValues(a.value, b.value), [a, b], name);
  const step = () => {
    addInto(a.bar, matmulValues(out.bar, transpose(b.value)));
    addInto(b.bar, matmulValues(transpose(a.value), out.bar));
  };
  attach(out, [a, b], step, () => [rule(a, () => times(bar(out), transposed(b))), rule(b, () => times(transposed(a), bar(out)))]);
  return out;
}

export function affineTensor(W: Tensor, x: Tensor, b: Tensor, name?: NameLike): Tensor {
  const [m, n] = W.shape;
  if (rows(x.value) !== n) {
    throw new Error(
      `autodiff.affine: cannot multiply W ${W.shapeText()} ('${W.name.text}') by x ${x.shapeText()} ('${x.name.text}'): ${n} columns ≠ ${rows(x.value)} rows`,
    );
  }
  if (rows(b.value) !== m || cols(b.value) !== 1) {
    throw new Error(`autodiff.affine: b ('${b.name.text}') must be ${m}×1 to match W ${W.shapeText()}, got ${b.shapeText()}`);
  }
  const Wx = matmulValues(W.value, x.value);
  const out = tensorResult(
    "affine",
    map(Wx, (v, i) => v + b.value[i][0]),
    [W, x, b],
    name,
  );
  const step = () => {
    addInto(W.bar, matmulValues(out.bar, transpose(x.value))); //  W̄ += z̄ xᵀ
    addInto(x.bar, matmulValues(transpose(W.value), out.bar)); //  x̄ += Wᵀ z̄
    addInto(
      b.bar,
      out.bar.map((row) => [row.reduce((s, g) => s + g, 0)]),
    ); //  b̄ += z̄ (summed over columns)
  };
  attach(out, [W, x, b], step, () => [
    rule(W, () => times(bar(out), transposed(x))),
    rule(x, () => times(transposed(W), bar(out))),
    rule(b, () => bar(out)),
  ]);
  return out;
}

export function sumTensor(x: Tensor, name?: NameLike): Scalar {
  const out = scalarResult(
    "sum",
    x.value.flat().reduce((s, v) => s + v, 0),
    [x],
    name,
  );
  const step = () => {
    addInto(
      x.bar,
      map(x.value, () => out.bar),
    );
  };
  attach(out, [x], step, () => [rule(x, () => times(bar(out), word("𝟏", "\\mathbf{1}", null)))]);
  return out;
}

/** The mean of every entry of a tensor (the tensor half of `mean`). */
export function meanTensor(t: Tensor, name?: NameLike): Scalar {
  const n = rows(t.value) * cols(t.value);
  const out = scalarResult("mean", t.value.flat().reduce((s, v) => s + v, 0) / n, [t], name);
  const step = () => {
    addInto(
      t.bar,
      map(t.value, () => out.bar / n),
    );
  };
  attach(out, [t], step, () => [rule(t, () => times(bar(out), word(`𝟏/${n}`, `\\mathbf{1}/${n}`, null)))]);
  return out;
}

export function halfSquaredErrorTensor(y: Tensor, t: Tensor, name?: NameLike): Scalar {
  sameShape("halfSquaredError", y, t);
  const value = 0.5 * y.value.flat().reduce((s, v, k) => s + (v - t.value.flat()[k]) ** 2, 0);
  const out = scalarResult("halfSquaredError", value, [y, t], name);
  const step = () => {
    addInto(
      y.bar,
      map(y.value, (v, i, j) => out.bar * (v - t.value[i][j])),
    );
    addInto(
      t.bar,
      map(y.value, (v, i, j) => -out.bar * (v - t.value[i][j])),
    );
  };
  attach(out, [y, t], step, () => [
    rule(y, () => times(bar(out), difference(y, t))),
    rule(t, () => times(word("−", "-", null), bar(out), difference(y, t))),
  ]);
  return out;
}

export function mseTensor(y: Tensor, t: Tensor, name?: NameLike): Scalar {
  sameShape("mse", y, t);
  const n = rows(y.value) * cols(y.value);
  const value = y.value.flat().reduce((s, v, k) => s + (v - t.value.flat()[k]) ** 2, 0) / n;
  const out = scalarResult("mse", value, [y, t], name);
  const step = () => {
    addInto(
      y.bar,
      map(y.value, (v, i, j) => out.bar * (2 / n) * (v - t.value[i][j])),
    );
    addInto(
      t.bar,
      map(y.value, (v, i, j) => -out.bar * (2 / n) * (v - t.value[i][j])),
    );
  };
  attach(out, [y, t], step, () => [
    rule(y, () => times(bar(out), word(`(2/${n})`, `\\tfrac{2}{${n}}`, null), difference(y, t))),
    rule(t, () => times(word("−", "-", null), bar(out), word(`(2/${n})`, `\\tfrac{2}{${n}}`, null), difference(y, t))),
  ]);
  return out;
}

export function softmaxCrossEntropyTensor(z: Tensor, t: Tensor, name?: NameLike): Scalar {
  sameShape("softmaxCrossEntropy", z, t);
  const y = transpose(transpose(z.value).map(act.softmax)); // softmax of every column
  const value = -y.flat().reduce((s, v, k) => s + t.value.flat()[k] * Math.log(v), 0);
  const out = scalarResult("softmaxCrossEntropy", value, [z, t], name);
  // Z̄ = L̄ (softmax(Z) Σt − T) column by column: L̄ (softmax(Z) − T) for one-hot columns.
  const step = () => {
    const T = transpose(t.value).map((col) => col.reduce((a, b) => a + b, 0));
    addInto(
      z.bar,
      map(y, (v, i, j) => out.bar * (v * T[j] - t.value[i][j])),
    );
    addInto(
      t.bar,
      map(y, (v) => -out.bar * Math.log(v)),
    );
  };
  attach(out, [z, t], step, () => [
    rule(z, () =>
      times(bar(out), word(`(softmax(${z.name.text}) − ${t.name.text})`, `(\\mathrm{softmax}(${z.name.tex}) - ${t.name.tex})`, null)),
    ),
    rule(t, () =>
      times(word("−", "-", null), bar(out), word(`log softmax(${z.name.text})`, `\\log \\mathrm{softmax}(${z.name.tex})`, null)),
    ),
  ]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The public tensor-only operations (re-exported by autodiff.ts).

/** A · B, the matrix product; Ā = C̄ Bᵀ and B̄ = Aᵀ C̄ — 03-backprop. */
export function matmul(a: Tensor, b: Tensor, name?: NameLike): Tensor {
  return matmulTensor(tensorArg("matmul", "a", a), tensorArg("matmul", "b", b), name);
}

/** Options of `maxPool`, as in pool.ts: window size and stride (default: the window size) — 03-backprop. */
export type PoolOptions = Omit<Pool2dOptions, "mode">;

/** Max pooling; backward routes each window's error signal to the entry that took the max — 03-backprop. */
export function maxPool(x: Tensor, options: PoolOptions = {}, name?: NameLike): Tensor {
  const X = tensorArg("maxPool", "x", x);
  // In the forward pass, store the index that took the max (lecture 002; pool.ts does the pooling).
  const { output, argmax } = maxPoolFor("autodiff.maxPool", X.value, options);
  const out = tensorResult("maxPool", output, [X], name);
  const step = () => {
    // The gradient goes to the argmax of each window; the other entries get nothing.
    addInto(X.bar, maxPoolBackward(out.bar, argmax, X.shape));
  };
  attach(out, [X], step, () => [
    rule(X, () =>
      word(`${barText(out.name)} routed to each window's argmax`, `${barTex(out.name)} \\text{ routed to each window's argmax}`, null),
    ),
  ]);
  return out;
}
