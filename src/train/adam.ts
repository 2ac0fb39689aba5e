// Adam (lecture 002's optimiser) on one flat list of weights: the same maths as
// TensorFlow.js's AdamOptimizer, step for step, without its ~10 tensor operations per weight tensor.
//
//   m ← β₁·m + (1 − β₁)·g          v ← β₂·v + (1 − β₂)·g²
//   w ← w − rate · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
//
// ε is TensorFlow.js's float32 epsilon, 1e-7. The loop is the course's native `adam`
// (assembly/kernels.ts, four weights at a time), on a WebAssembly memory that holds m and v between
// steps and the weights and gradients during one (for LeNet-5's 61,706 weights, copies included:
// 0.06 ms a step against 0.26 for the same loop in TypeScript, side by side here).
import { nativeOnOwnMemory, type NativeKernels } from "./native";

/** Adam over a Float32Array of weights; `learningRate` may change between steps — 09-training-lenet-mnist. */
export class FlatAdam {
  learningRate: number;
  private readonly native: NativeKernels;
  private readonly memory: Float32Array; // [weights | gradients | m | v], each `stride` numbers
  private readonly stride: number;
  private beta1Power: number;
  private beta2Power: number;

  constructor(
    readonly size: number,
    learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
  ) {
    this.learningRate = learningRate;
    this.stride = Math.ceil(size / 4) * 4; // 16-byte aligned blocks
    const { kernels, memory } = nativeOnOwnMemory(4 * this.stride, "FlatAdam");
    this.native = kernels;
    this.memory = new Float32Array(memory.buffer, 0, 4 * this.stride); // zeros: m = v = 0
    this.beta1Power = beta1;
    this.beta2Power = beta2;
  }

  /** One update of `weights` (in place) against `grads`. */
  step(weights: Float32Array, grads: Float32Array): void {
    const { size, stride, memory } = this;
    if (weights.length !== size || grads.length !== size)
      throw new Error(`FlatAdam.step: weights and grads must hold ${size} numbers, got ${weights.length} and ${grads.length}`);
    // rate · (m / c1) / (√(v / c2) + ε), with the divisions by c1 and √c2 taken out of the loop.
    const rate = this.learningRate / (1 - this.beta1Power);
    const root = 1 / Math.sqrt(1 - this.beta2Power);
    memory.set(weights, 0);
    memory.set(grads, stride);
    this.native.adam(0, stride * 4, stride * 8, stride * 12, size, this.beta1, this.beta2, rate, root, this.epsilon);
    weights.set(memory.subarray(0, size));
    this.beta1Power *= this.beta1;
    this.beta2Power *= this.beta2;
  }
}
