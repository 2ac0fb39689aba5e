// Reverse-mode automatic differentiation with bar-notation error signals (lecture 002).
//
// A node holds its forward `value` and its error signal `bar` = ∂L/∂(node). Every operation
// follows the same four steps:
//   1. make the output node from the inputs' values;
//   2. define the closure that adds the output's bar, times the local derivative, to each
//      input's bar (always `+=`, so a node used twice — fan-out — collects both terms);
//   3. attach the closure and the inputs to the output (with the rule in the slides' notation,
//      for the trace);
//   4. return the output.
// `backward(loss)` sets L̄ = 1 and runs the closures in reverse topological order.
// Scalars come first (`Scalar`); tensors (`Tensor`, always 2-D, vectors are columns n×1)
// follow, so the vectorised slides (W̄ = ȳhᵀ, h̄ = Wᵀȳ, z̄ = h̄ ∘ σ'(z)) run as written.
//
// The engine in four files, read in this order:
//   autodiff.ts         the operations, one public function each, on scalars (this file);
//   autodiff-node.ts    the nodes (`Scalar`, `Tensor`), the shared steps and `backward`;
//   autodiff-tensor.ts  the same operations on tensors, `matmul` and `maxPool`;
//   autodiff-trace.ts   the trace in bar notation and the graph as plain data.
// This file, with the gradient checks of gradcheck.ts, is `dl.autodiff` (src/groups/autodiff.ts).

import { describe as formatValue, MAX_SIZE, readable } from "./args";
import * as act from "./activations"; // σ, σ', tanh', ReLU', softmax as plain number functions
import {
  Scalar,
  Tensor,
  attach,
  bar,
  checkName,
  difference,
  traceNumber,
  lift,
  rule,
  scalarResult,
  tensorArg,
  times,
  val,
  word,
  type Matrix,
  type NameLike,
  type Rule,
  type ScalarLike,
  type Term,
} from "./autodiff-node";
import {
  addTensor,
  affineTensor,
  divTensor,
  elementwise,
  halfSquaredErrorTensor,
  meanTensor,
  mseTensor,
  mulTensor,
  powTensor,
  softmaxCrossEntropyTensor,
  subTensor,
  sumTensor,
  targetTensor,
} from "./autodiff-tensor";

export { Node, Scalar, Tensor, backward, column, input, param, topologicalOrder, zeroGrad } from "./autodiff-node";
export type { Kind, Matrix, Name, NameLike } from "./autodiff-node";
export { matmul, maxPool } from "./autodiff-tensor";
export type { PoolOptions } from "./autodiff-tensor";
export { graph, trace, traceLatex, traceTable, traceText } from "./autodiff-trace";
export type { GraphEdge, GraphNode, TraceOptions, TraceRow } from "./autodiff-trace";

// ---------------------------------------------------------------------------------------------
// Scalar operations.

function addScalar(a: Scalar, b: Scalar, name?: NameLike): Scalar {
  const out = scalarResult("add", a.value + b.value, [a, b], name);
  const step = () => {
    a.bar += out.bar;
    b.bar += out.bar;
  };
  attach(out, [a, b], step, () => [rule(a, () => bar(out)), rule(b, () => bar(out))]);
  return out;
}

function subScalar(a: Scalar, b: Scalar, name?: NameLike): Scalar {
  const out = scalarResult("sub", a.value - b.value, [a, b], name);
  const step = () => {
    a.bar += out.bar;
    b.bar += -out.bar;
  };
  attach(out, [a, b], step, () => [rule(a, () => bar(out)), rule(b, () => times(word("−", "-", null), bar(out)))]);
  return out;
}

function mulScalar(a: Scalar, b: Scalar, name?: NameLike): Scalar {
  // 1. make the output
  const out = scalarResult("mul", a.value * b.value, [a, b], name);
  // 2. define how it adds to its inputs' bars: ∂(ab)/∂a = b and ∂(ab)/∂b = a
  const step = () => {
    a.bar += out.bar * b.value;
    b.bar += out.bar * a.value;
  };
  // 3. attach, with the rules in bar notation for the trace: ā += c̄ b, b̄ += c̄ a
  attach(out, [a, b], step, () => [rule(a, () => times(bar(out), val(b))), rule(b, () => times(bar(out), val(a)))]);
  // 4. return
  return out;
}

function divScalar(a: Scalar, b: Scalar, name?: NameLike): Scalar {
  if (b.value === 0) throw new Error(`autodiff.div: division by zero ('${b.name.text}' = 0, '${a.name.text}' = ${traceNumber(a.value)})`);
  const out = scalarResult("div", a.value / b.value, [a, b], name);
  const step = () => {
    a.bar += out.bar / b.value;
    b.bar += (out.bar * -a.value) / (b.value * b.value);
  };
  attach(out, [a, b], step, () => [
    rule(a, () => times(bar(out), word(`(1/${b.name.text})`, `(1/${b.name.tex})`, 1 / b.value))),
    rule(b, () =>
      times(bar(out), word(`(−${a.name.text}/${b.name.text}²)`, `(-${a.name.tex}/${b.name.tex}^2)`, -a.value / (b.value * b.value))),
    ),
  ]);
  return out;
}

function powScalar(a: Scalar, n: number, name?: NameLike): Scalar {
  const out = scalarResult("pow", a.value ** n, [a], name);
  const step = () => {
    a.bar += out.bar * n * a.value ** (n - 1);
  };
  const local = n === 2 ? `2${a.name.text}` : `${n}${a.name.text}^${n - 1}`;
  const localTex = n === 2 ? `2${a.name.tex}` : `${n}${a.name.tex}^{${n - 1}}`;
  attach(out, [a], step, () => [rule(a, () => times(bar(out), word(local, localTex, n * a.value ** (n - 1))))]);
  return out;
}

function expScalar(a: Scalar, name?: NameLike): Scalar {
  const out = scalarResult("exp", Math.exp(a.value), [a], name);
  const step = () => {
    a.bar += out.bar * out.value;
  };
  attach(out, [a], step, () => [rule(a, () => times(bar(out), word(`e^(${a.name.text})`, `e^{${a.name.tex}}`, out.value)))]);
  return out;
}

function logScalar(a: Scalar, name?: NameLike): Scalar {
  if (a.value <= 0) throw new Error(`autodiff.log: input '${a.name.text}' must be > 0, got ${traceNumber(a.value)}`);
  const out = scalarResult("log", Math.log(a.value), [a], name);
  const step = () => {
    a.bar += out.bar / a.value;
  };
  attach(out, [a], step, () => [rule(a, () => times(bar(out), word(`(1/${a.name.text})`, `(1/${a.name.tex})`, 1 / a.value)))]);
  return out;
}

function cosScalar(a: Scalar, name?: NameLike): Scalar {
  const out = scalarResult("cos", Math.cos(a.value), [a], name);
  const step = () => {
    a.bar += out.bar * -Math.sin(a.value);
  };
  attach(out, [a], step, () => [
    rule(a, () => times(bar(out), word(`(−sin ${a.name.text})`, `(-\\sin ${a.name.tex})`, -Math.sin(a.value)))),
  ]);
  return out;
}

function sigmoidScalar(z: Scalar, name?: NameLike): Scalar {
  const out = scalarResult("sigmoid", act.sigmoid(z.value), [z], name);
  const step = () => {
    z.bar += out.bar * act.sigmoidDerivative(z.value);
  };
  attach(out, [z], step, () => [
    rule(z, () => times(bar(out), word(`σ'(${z.name.text})`, `\\sigma'(${z.name.tex})`, act.sigmoidDerivative(z.value)))),
  ]);
  return out;
}

function tanhScalar(z: Scalar, name?: NameLike): Scalar {
  const out = scalarResult("tanh", Math.tanh(z.value), [z], name);
  const step = () => {
    z.bar += out.bar * act.tanhDerivative(z.value);
  };
  attach(out, [z], step, () => [
    rule(z, () => times(bar(out), word(`(1 − tanh²(${z.name.text}))`, `(1 - \\tanh^2(${z.name.tex}))`, act.tanhDerivative(z.value)))),
  ]);
  return out;
}

function reluScalar(z: Scalar, name?: NameLike): Scalar {
  const out = scalarResult("relu", Math.max(0, z.value), [z], name);
  const step = () => {
    z.bar += out.bar * act.reluDerivative(z.value);
  };
  attach(out, [z], step, () => [
    rule(z, () => times(bar(out), word(`1[${z.name.text} > 0]`, `\\mathbb{1}[${z.name.tex} > 0]`, act.reluDerivative(z.value)))),
  ]);
  return out;
}

function signScalar(z: Scalar, name?: NameLike): Scalar {
  const out = scalarResult("sign", Math.sign(z.value), [z], name);
  // sign is flat on both sides of 0: its derivative is 0, so no error signal passes through it.
  const step = () => {
    z.bar += out.bar * 0;
  };
  attach(out, [z], step, () => [rule(z, () => times(bar(out), word("0", "0", 0)))]);
  return out;
}

/** z = Σⱼ wⱼ xⱼ + b, one neuron's weighted sum (w and x may be single scalars) — 03-backprop. */
export function affine(w: Scalar | Scalar[], x: ScalarLike | ScalarLike[], b: ScalarLike, name?: NameLike): Scalar;
/** z = W x + b with W m×n, x n×k and b m×1 (added to every column) — 03-backprop. */
export function affine(w: Tensor, x: Tensor, b: Tensor, name?: NameLike): Tensor;
export function affine(
  w: Scalar | Scalar[] | Tensor,
  x: ScalarLike | ScalarLike[] | Tensor,
  b: ScalarLike | Tensor,
  name?: NameLike,
): Scalar | Tensor {
  checkName("autodiff.affine", name);
  if (w instanceof Tensor || x instanceof Tensor || b instanceof Tensor) {
    return affineTensor(tensorArg("affine", "W", w), tensorArg("affine", "x", x), tensorArg("affine", "b", b), name);
  }
  const ws = Array.isArray(w) ? w : [w];
  const xs = Array.isArray(x) ? x : [x];
  if (ws.length !== xs.length || ws.length === 0) {
    throw new Error(`autodiff.affine: w has ${ws.length} entries but x has ${xs.length}; they must match (and not be empty)`);
  }
  return affineScalar(
    ws.map((wi, i) => lift("affine", `w[${i}]`, wi)),
    xs.map((xi, i) => lift("affine", `x[${i}]`, xi)),
    lift("affine", "b", b),
    name,
  );
}

function affineScalar(ws: Scalar[], xs: Scalar[], b: Scalar, name?: NameLike): Scalar {
  const value = ws.reduce((s, wi, i) => s + wi.value * xs[i].value, b.value);
  const out = scalarResult("affine", value, [...ws, ...xs, b], name);
  const step = () => {
    ws.forEach((wi, i) => {
      wi.bar += out.bar * xs[i].value;
      xs[i].bar += out.bar * wi.value;
    });
    b.bar += out.bar;
  };
  const rules = (): Rule[] => [
    ...ws.map((wi, i) => rule(wi, () => times(bar(out), val(xs[i])))),
    ...xs.map((xi, i) => rule(xi, () => times(bar(out), val(ws[i])))),
    rule(b, () => bar(out)),
  ];
  attach(out, [...ws, ...xs, b], step, rules);
  return out;
}

/** Σ xᵢ of a list of scalars (or of every entry of a tensor) — 03-backprop. */
export function sum(xs: Scalar[], name?: NameLike): Scalar;
export function sum(x: Tensor, name?: NameLike): Scalar;
export function sum(xs: Scalar[] | Tensor, name?: NameLike): Scalar {
  checkName("autodiff.sum", name);
  if (xs instanceof Tensor) return sumTensor(xs, name);
  const items = scalarList("sum", "xs", xs);
  const out = scalarResult(
    "sum",
    items.reduce((s, x) => s + x.value, 0),
    items,
    name,
  );
  const step = () => {
    for (const x of items) x.bar += out.bar;
  };
  attach(out, items, step, () => items.map((x) => rule(x, () => bar(out))));
  return out;
}
/** The mean of every entry of a tensor (or of a list of scalars) — 03-backprop. */
export function mean(x: Tensor | Scalar[], name?: NameLike): Scalar {
  checkName("autodiff.mean", name);
  if (Array.isArray(x)) {
    const total = sum(scalarList("mean", "x", x));
    return mulScalar(total, lift("mean", "1/n", 1 / x.length), name);
  }
  return meanTensor(tensorArg("mean", "x", x), name);
}

/** R = ½ w², the L2 penalty of one weight; w̄ += R̄ w — 03-backprop. */
export function halfSquare(w: Scalar, name?: NameLike): Scalar {
  checkName("autodiff.halfSquare", name);
  const a = lift("halfSquare", "w", w);
  const out = scalarResult("halfSquare", 0.5 * a.value * a.value, [a], name);
  const step = () => {
    a.bar += out.bar * a.value;
  };
  attach(out, [a], step, () => [rule(a, () => times(bar(out), val(a)))]);
  return out;
}

/** L_reg = L + λR; L̄ += L̄_reg and R̄ += L̄_reg λ (λ is a fixed number) — 03-backprop. */
export function regularise(loss: Scalar, penalty: Scalar, lambda: number, name?: NameLike): Scalar {
  checkName("autodiff.regularise", name);
  const L = lift("regularise", "loss", loss);
  const R = lift("regularise", "penalty", penalty);
  if (typeof lambda !== "number" || !Number.isFinite(lambda))
    throw new Error(`autodiff.regularise: lambda must be a finite number, got ${formatValue(lambda)}`);
  const out = scalarResult("regularise", L.value + lambda * R.value, [L, R], name);
  const step = () => {
    L.bar += out.bar;
    R.bar += out.bar * lambda;
  };
  attach(out, [L, R], step, () => [rule(L, () => bar(out)), rule(R, () => times(bar(out), word("λ", "\\lambda", lambda)))]);
  return out;
}

/** L = ½ Σₖ (yₖ − tₖ)² (one scalar or a list; ½‖y − t‖² for tensors); ȳ = L̄ (y − t) — 03-backprop. */
export function halfSquaredError(y: Scalar | Scalar[], t: ScalarLike | ScalarLike[], name?: NameLike): Scalar;
export function halfSquaredError(y: Tensor, t: Tensor | Matrix, name?: NameLike): Scalar;
export function halfSquaredError(y: Scalar | Scalar[] | Tensor, t: ScalarLike | ScalarLike[] | Tensor | Matrix, name?: NameLike): Scalar {
  checkName("autodiff.halfSquaredError", name);
  if (y instanceof Tensor) return halfSquaredErrorTensor(y, targetTensor("halfSquaredError", t), name);
  const [ys, ts] = pairs("halfSquaredError", y, t);
  const value = ys.reduce((s, yk, k) => s + 0.5 * (yk.value - ts[k].value) ** 2, 0);
  const out = scalarResult("halfSquaredError", value, [...ys, ...ts], name);
  const step = () => {
    ys.forEach((yk, k) => {
      yk.bar += out.bar * (yk.value - ts[k].value);
      ts[k].bar += -(out.bar * (yk.value - ts[k].value)); // targets are data, but their bar is right too
    });
  };
  const rules = (): Rule[] =>
    ys.flatMap((yk, k) => [
      rule(yk, () => times(bar(out), difference(yk, ts[k]))),
      rule(ts[k], () => times(word("−", "-", null), bar(out), difference(yk, ts[k]))),
    ]);
  attach(out, [...ys, ...ts], step, rules);
  return out;
}

/** J = (1/n) Σᵢ (yᵢ − tᵢ)², the mean squared error; ȳᵢ = J̄ (2/n)(yᵢ − tᵢ) — 02-ffnn-xor. */
export function mse(y: Scalar[], t: ScalarLike[], name?: NameLike): Scalar;
export function mse(y: Tensor, t: Tensor | Matrix, name?: NameLike): Scalar;
export function mse(y: Scalar[] | Tensor, t: ScalarLike[] | Tensor | Matrix, name?: NameLike): Scalar {
  checkName("autodiff.mse", name);
  if (y instanceof Tensor) return mseTensor(y, targetTensor("mse", t), name);
  const [ys, ts] = pairs("mse", y, t);
  const n = ys.length;
  const value = ys.reduce((s, yi, i) => s + (yi.value - ts[i].value) ** 2, 0) / n;
  const out = scalarResult("mse", value, [...ys, ...ts], name);
  const step = () => {
    ys.forEach((yi, i) => {
      yi.bar += out.bar * (2 / n) * (yi.value - ts[i].value);
      ts[i].bar += -(out.bar * (2 / n) * (yi.value - ts[i].value));
    });
  };
  const rules = (): Rule[] =>
    ys.flatMap((yi, i) => [
      rule(yi, () => times(bar(out), word(`(2/${n})`, `\\tfrac{2}{${n}}`, 2 / n), difference(yi, ts[i]))),
      rule(ts[i], () => times(word("−", "-", null), bar(out), word(`(2/${n})`, `\\tfrac{2}{${n}}`, 2 / n), difference(yi, ts[i]))),
    ]);
  attach(out, [...ys, ...ts], step, rules);
  return out;
}

/** L = −Σₖ tₖ log softmax(z)ₖ for a list of scores; z̄ₖ = L̄ (yₖ − tₖ) with y = softmax(z) — 03-backprop. */
export function softmaxCrossEntropy(z: Scalar[], t: ScalarLike[], name?: NameLike): Scalar;
/** The same for tensors: each column of z is one example's scores, t the one-hot targets — 03-backprop. */
export function softmaxCrossEntropy(z: Tensor, t: Tensor | Matrix, name?: NameLike): Scalar;
export function softmaxCrossEntropy(z: Scalar[] | Tensor, t: ScalarLike[] | Tensor | Matrix, name?: NameLike): Scalar {
  checkName("autodiff.softmaxCrossEntropy", name);
  if (z instanceof Tensor) return softmaxCrossEntropyTensor(z, targetTensor("softmaxCrossEntropy", t), name);
  const [zs, ts] = pairs("softmaxCrossEntropy", z, t);
  const y = act.softmax(zs.map((zk) => zk.value));
  const value = -ts.reduce((s, tk, k) => s + tk.value * Math.log(y[k]), 0);
  const out = scalarResult("softmaxCrossEntropy", value, [...zs, ...ts], name);
  // z̄ₖ = L̄ (yₖ Σt − tₖ), which is the slide's L̄ (yₖ − tₖ) when the targets sum to 1 (one-hot).
  const total = () => ts.reduce((s, tk) => s + tk.value, 0);
  const step = () => {
    const T = total();
    zs.forEach((zk, k) => {
      zk.bar += out.bar * (y[k] * T - ts[k].value);
      ts[k].bar += -(out.bar * Math.log(y[k]));
    });
  };
  const rule1 = (k: number): Term => {
    const T = total();
    const yk = Math.abs(T - 1) < 1e-12 ? `y${k + 1}` : `y${k + 1} Σt`;
    const ykTex = Math.abs(T - 1) < 1e-12 ? `y_{${k + 1}}` : `y_{${k + 1}} \\textstyle\\sum t`;
    return times(bar(out), word(`(${yk} − ${ts[k].name.text})`, `(${ykTex} - ${ts[k].name.tex})`, y[k] * T - ts[k].value));
  };
  const rules = (): Rule[] =>
    zs.flatMap((zk, k) => [
      rule(zk, () => rule1(k)),
      rule(ts[k], () => times(word("−", "-", null), bar(out), word(`log y${k + 1}`, `\\log y_{${k + 1}}`, Math.log(y[k])))),
    ]);
  attach(out, [...zs, ...ts], step, rules);
  return out;
}

/** A non-empty list of Scalars (numbers become constants), read safely. */
function scalarList(fn: string, arg: string, xs: unknown): Scalar[] {
  return readable(`autodiff.${fn}`, arg, xs, "a list of Scalars", () => {
    if (!Array.isArray(xs) || xs.length === 0 || xs.length > MAX_SIZE)
      throw new Error(`autodiff.${fn}: ${arg} must be a non-empty list of Scalars, got ${formatValue(xs)}`);
    return xs.map((x: unknown, i) => lift(fn, `${arg}[${i}]`, x));
  });
}

function pairs(fn: string, y: unknown, t: unknown): [Scalar[], Scalar[]] {
  return readable(`autodiff.${fn}`, "y", y, "Scalars and targets", () => readPairs(fn, y, t));
}

function readPairs(fn: string, y: unknown, t: unknown): [Scalar[], Scalar[]] {
  const ys = Array.isArray(y) ? y : [y];
  const ts = Array.isArray(t) ? t : [t];
  if (ys.length !== ts.length || ys.length === 0) {
    throw new Error(`autodiff.${fn}: ${ys.length} outputs but ${ts.length} targets; they must match (and not be empty)`);
  }
  return [ys.map((v, i) => lift(fn, `y[${i}]`, v)), ts.map((v, i) => lift(fn, `t[${i}]`, v))];
}

// ---------------------------------------------------------------------------------------------
// The public operations: one function per operation, for scalars and tensors alike.

/** a + b — 03-backprop. */
export function add(a: ScalarLike, b: ScalarLike, name?: NameLike): Scalar;
export function add(a: Tensor, b: Tensor, name?: NameLike): Tensor;
export function add(a: ScalarLike | Tensor, b: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  checkName("autodiff.add", name);
  if (a instanceof Tensor || b instanceof Tensor) return addTensor(tensorArg("add", "a", a), tensorArg("add", "b", b), name);
  return addScalar(lift("add", "a", a), lift("add", "b", b), name);
}

/** a − b — 03-backprop. */
export function sub(a: ScalarLike, b: ScalarLike, name?: NameLike): Scalar;
export function sub(a: Tensor, b: Tensor, name?: NameLike): Tensor;
export function sub(a: ScalarLike | Tensor, b: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  checkName("autodiff.sub", name);
  if (a instanceof Tensor || b instanceof Tensor) return subTensor(tensorArg("sub", "a", a), tensorArg("sub", "b", b), name);
  return subScalar(lift("sub", "a", a), lift("sub", "b", b), name);
}

/** a · b (elementwise a ∘ b for tensors) — 03-backprop. */
export function mul(a: ScalarLike, b: ScalarLike, name?: NameLike): Scalar;
export function mul(a: Tensor, b: Tensor, name?: NameLike): Tensor;
export function mul(a: ScalarLike | Tensor, b: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  checkName("autodiff.mul", name);
  if (a instanceof Tensor || b instanceof Tensor) return mulTensor(tensorArg("mul", "a", a), tensorArg("mul", "b", b), name);
  return mulScalar(lift("mul", "a", a), lift("mul", "b", b), name);
}

/** a / b (elementwise for tensors) — 03-backprop. */
export function div(a: ScalarLike, b: ScalarLike, name?: NameLike): Scalar;
export function div(a: Tensor, b: Tensor, name?: NameLike): Tensor;
export function div(a: ScalarLike | Tensor, b: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  checkName("autodiff.div", name);
  if (a instanceof Tensor || b instanceof Tensor) return divTensor(tensorArg("div", "a", a), tensorArg("div", "b", b), name);
  return divScalar(lift("div", "a", a), lift("div", "b", b), name);
}

/** xⁿ for a fixed number n (elementwise for tensors) — 03-backprop. */
export function pow(x: ScalarLike, n: number, name?: NameLike): Scalar;
export function pow(x: Tensor, n: number, name?: NameLike): Tensor;
export function pow(x: ScalarLike | Tensor, n: number, name?: NameLike): Scalar | Tensor {
  checkName("autodiff.pow", name);
  if (typeof n !== "number" || !Number.isFinite(n))
    throw new Error(`autodiff.pow: exponent n must be a finite number, got ${formatValue(n)}`);
  if (x instanceof Tensor) return powTensor(x, n, name);
  return powScalar(lift("pow", "x", x), n, name);
}

/** eˣ — 03-backprop. */
export function exp(x: ScalarLike, name?: NameLike): Scalar;
export function exp(x: Tensor, name?: NameLike): Tensor;
export function exp(x: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  checkName("autodiff.exp", name);
  if (x instanceof Tensor) return elementwise("exp", x, Math.exp, Math.exp, word(`e^${x.name.text}`, `e^{${x.name.tex}}`, null), name);
  return expScalar(lift("exp", "x", x), name);
}

/** Natural logarithm (inputs must be > 0) — 03-backprop. */
export function log(x: ScalarLike, name?: NameLike): Scalar;
export function log(x: Tensor, name?: NameLike): Tensor;
export function log(x: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  checkName("autodiff.log", name);
  if (x instanceof Tensor) {
    x.value.forEach((row, i) =>
      row.forEach((v, j) => {
        if (v <= 0) throw new Error(`autodiff.log: input '${x.name.text}'[${i}][${j}] must be > 0, got ${traceNumber(v)}`);
      }),
    );
    return elementwise("log", x, Math.log, (v) => 1 / v, word(`(1/${x.name.text})`, `(1 \\oslash ${x.name.tex})`, null), name);
  }
  return logScalar(lift("log", "x", x), name);
}

/** cos x (lecture 002's x(t) = cos t) — 03-backprop. */
export function cos(x: ScalarLike, name?: NameLike): Scalar;
export function cos(x: Tensor, name?: NameLike): Tensor;
export function cos(x: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  checkName("autodiff.cos", name);
  if (x instanceof Tensor)
    return elementwise("cos", x, Math.cos, (v) => -Math.sin(v), word(`(−sin ${x.name.text})`, `(-\\sin ${x.name.tex})`, null), name);
  return cosScalar(lift("cos", "x", x), name);
}

/** σ(z) = 1/(1 + e^(−z)); z̄ = ȳ σ'(z) — 02-ffnn-xor. */
export function sigmoid(z: ScalarLike, name?: NameLike): Scalar;
export function sigmoid(z: Tensor, name?: NameLike): Tensor;
export function sigmoid(z: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  checkName("autodiff.sigmoid", name);
  if (z instanceof Tensor)
    return elementwise("sigmoid", z, act.sigmoid, act.sigmoidDerivative, word(`σ'(${z.name.text})`, `\\sigma'(${z.name.tex})`, null), name);
  return sigmoidScalar(lift("sigmoid", "z", z), name);
}

/** tanh(z); z̄ = ȳ (1 − tanh²(z)) — 02-ffnn-xor. */
export function tanh(z: ScalarLike, name?: NameLike): Scalar;
export function tanh(z: Tensor, name?: NameLike): Tensor;
export function tanh(z: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  checkName("autodiff.tanh", name);
  if (z instanceof Tensor)
    return elementwise(
      "tanh",
      z,
      Math.tanh,
      act.tanhDerivative,
      word(`(1 − tanh²(${z.name.text}))`, `(1 - \\tanh^2(${z.name.tex}))`, null),
      name,
    );
  return tanhScalar(lift("tanh", "z", z), name);
}

/** max(0, z); the error signal passes where z > 0 — 02-ffnn-xor. */
export function relu(z: ScalarLike, name?: NameLike): Scalar;
export function relu(z: Tensor, name?: NameLike): Tensor;
export function relu(z: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  checkName("autodiff.relu", name);
  if (z instanceof Tensor)
    return elementwise(
      "relu",
      z,
      (v) => Math.max(0, v),
      act.reluDerivative,
      word(`1[${z.name.text} > 0]`, `\\mathbb{1}[${z.name.tex} > 0]`, null),
      name,
    );
  return reluScalar(lift("relu", "z", z), name);
}

/** sign(z) ∈ {−1, 0, 1}; its derivative is 0, so no error signal passes (lecture 004) — 02-ffnn-xor. */
export function sign(z: ScalarLike, name?: NameLike): Scalar;
export function sign(z: Tensor, name?: NameLike): Tensor;
export function sign(z: ScalarLike | Tensor, name?: NameLike): Scalar | Tensor {
  checkName("autodiff.sign", name);
  if (z instanceof Tensor) return elementwise("sign", z, Math.sign, () => 0, word("0", "0", null), name);
  return signScalar(lift("sign", "z", z), name);
}

/**
 * A new scalar operation of your own, in the same four steps: the output `value`, the closure
 * `backward(out)` that adds out.bar × ∂out/∂input to each input's bar, attached, returned — 03-backprop.
 */
export function scalarOp(op: string, value: number, inputs: Scalar[], backward: (out: Scalar) => void, name?: NameLike): Scalar {
  if (typeof op !== "string" || op === "") throw new Error(`autodiff.scalarOp: op must be a non-empty name, got ${formatValue(op)}`);
  if (!Array.isArray(inputs) || !inputs.every((x) => x instanceof Scalar)) {
    throw new Error(`autodiff.scalarOp: inputs of '${op}' must be a list of Scalars, got ${formatValue(inputs)}`);
  }
  if (typeof backward !== "function") throw new Error(`autodiff.scalarOp: backward of '${op}' must be a function (out) => { … }`);
  const out = scalarResult(op, value, inputs, name);
  const step = () => backward(out);
  const rules = (): Rule[] =>
    inputs.map((x) =>
      rule(x, () =>
        times(bar(out), word(`∂${out.name.text}/∂${x.name.text}`, `\\frac{\\partial ${out.name.tex}}{\\partial ${x.name.tex}}`, null)),
      ),
    );
  attach(out, inputs, step, rules);
  return out;
}
