// Reading and writing float32 numbers in the backend's memory, and the multiply-add every loop uses.

/** The float at index `i` of the array at `p`. */
export function get(p: usize, i: i32): f32 {
  return load<f32>(p + ((<usize>i) << 2));
}

export function set(p: usize, i: i32, v: f32): void {
  store<f32>(p + ((<usize>i) << 2), v);
}

export function fill(p: usize, n: i32, v: f32): void {
  let k = 0;
  const vv = f32x4.splat(v);
  for (; k + 4 <= n; k += 4) v128.store(p + ((<usize>k) << 2), vv);
  for (; k < n; k++) set(p, k, v);
}

/**
 * a·b + c, four lanes at once. Built twice (scripts/build-native.js): with relaxed SIMD it is one
 * fused multiply-add where the processor has one (rounded once, not twice), else a multiply and an add.
 */
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
