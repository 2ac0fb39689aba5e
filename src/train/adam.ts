// Adam (lecture 002's optimiser) on one flat list of weights, in plain TypeScript: the same maths as
// TensorFlow.js's AdamOptimizer, step for step, without its ~10 tensor operations per weight tensor.
//
//   m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²
//   w ← w − rate · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
//
// ε is TensorFlow.js's float32 epsilon, 1e-7.

/** Adam over a Float32Array of weights; `learningRate` may change between steps — 09-training-lenet-mnist. */
export class FlatAdam {
  learningRate: number;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private beta1Power: number;
  private beta2Power: number;

  constructor(
    size: number,
    learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
  ) {
    this.learningRate = learningRate;
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
    this.beta1Power = beta1;
    this.beta2Power = beta2;
  }

  /** One update of `weights` (in place) against `grads`. */
  step(weights: Float32Array, grads: Float32Array): void {
    const { m, v, beta1, beta2, epsilon } = this;
    const c1 = 1 - this.beta1Power;
    const c2 = 1 - this.beta2Power;
    // rate · (m / c1) / (√(v / c2) + ε), with the divisions by c1 and √c2 taken out of the loop.
    const step = this.learningRate / c1;
    const root = 1 / Math.sqrt(c2);
    for (let i = 0; i < weights.length; i++) {
      const g = grads[i];
      const mi = beta1 * m[i] + (1 - beta1) * g;
      const vi = beta2 * v[i] + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      weights[i] -= (step * mi) / (Math.sqrt(vi) * root + epsilon);
    }
    this.beta1Power *= beta1;
    this.beta2Power *= beta2;
  }
}
