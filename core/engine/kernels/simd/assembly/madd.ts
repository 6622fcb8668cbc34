// c + a·b for the convolution and matrix-product inner loops: one fused multiply-add (f32x4.relaxed_madd: an FMA on
// x86 with FMA, rounded once) in the relaxed-SIMD build, a multiply and an add in the plain build
// (scripts/build-kernels.mjs builds both; ASC_FEATURE_RELAXED_SIMD is a compile-time constant).
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
