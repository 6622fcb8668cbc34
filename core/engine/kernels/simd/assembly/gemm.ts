// Single-precision matrix product for the dense layers: C[M×N] = A·B (+ bias per column, then ReLU when act is 1).
//
// A is read in place through two strides, so both A and Aᵀ need no copy: A(m, k) = a[m·rs + k·ks] (elements). B is
// first packed by the caller's `gemmPackB` into rows of nPad = ⌈N/8⌉·8 floats (zero-padded; transposed when B comes
// transposed), so the micro-kernel loads 8 contiguous columns per k. The micro-kernel keeps a 4×8 tile of C in eight
// v128 accumulators: per k, two loads of B, four broadcasts of A, eight multiply-adds. K is cut into blocks of KC so a
// block of B (KC×8) stays in L1 while every row block of A passes; C is written by the first block and accumulated
// by the others, the epilogue applied by the last. With relaxed SIMD (built with --enable relaxed-simd, used where
// the runtime validates it) the multiply-add is f32x4.relaxed_madd (a fused FMA on x86 with FMA); otherwise mul + add.
// Sums are float32, in k order within each block of KC (error ~1e-7 relative against the cpu backend).

import { madd } from './madd';

const KC: i32 = 256;


/**
 * Packs B (K×N; element (k, n) at b[k·N + n], or at b[n·K + k] when transB) into bp: K rows of nPad floats, the
 * columns beyond N zero.
 */
export function gemmPackB(b: usize, bp: usize, k: i32, n: i32, transB: i32): void {
  const nPad = (n + 7) & ~7;
  const rowBytes = <usize>nPad << 2;
  if (!transB) {
    const n4 = n & ~3;
    for (let r = 0; r < k; r++) {
      const src = b + (<usize>(r * n) << 2);
      const dst = bp + <usize>r * rowBytes;
      let c = 0;
      for (; c < n4; c += 4) v128.store(dst + (<usize>c << 2), v128.load(src + (<usize>c << 2)));
      for (; c < n; c++) store<f32>(dst + (<usize>c << 2), load<f32>(src + (<usize>c << 2)));
      for (; c < nPad; c++) store<f32>(dst + (<usize>c << 2), 0);
    }
    return;
  }
  // Transposed: column c of the packed rows is row c of b. 4×4 blocks through registers, then the edges.
  const k4 = k & ~3;
  const n4 = n & ~3;
  for (let c = 0; c < n4; c += 4) {
    const s0 = b + (<usize>(c * k) << 2);
    const s1 = s0 + (<usize>k << 2);
    const s2 = s1 + (<usize>k << 2);
    const s3 = s2 + (<usize>k << 2);
    let r = 0;
    for (; r < k4; r += 4) {
      const o = <usize>r << 2;
      const v0 = v128.load(s0 + o), v1 = v128.load(s1 + o), v2 = v128.load(s2 + o), v3 = v128.load(s3 + o);
      const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
      const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
      const d = bp + <usize>r * rowBytes + (<usize>c << 2);
      v128.store(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      v128.store(d + rowBytes, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      v128.store(d + 2 * rowBytes, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      v128.store(d + 3 * rowBytes, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
    }
    for (; r < k; r++) {
      const d = bp + <usize>r * rowBytes + (<usize>c << 2);
      const o = <usize>r << 2;
      store<f32>(d, load<f32>(s0 + o));
      store<f32>(d, load<f32>(s1 + o), 4);
      store<f32>(d, load<f32>(s2 + o), 8);
      store<f32>(d, load<f32>(s3 + o), 12);
    }
  }
  for (let r = 0; r < k; r++) {
    const d = bp + <usize>r * rowBytes;
    for (let c = n4; c < n; c++) store<f32>(d + (<usize>c << 2), load<f32>(b + (<usize>(c * k + r) << 2)));
    for (let c = n; c < nPad; c++) store<f32>(d + (<usize>c << 2), 0);
  }
}

@inline function finish(v: v128, prev: usize, first: i32, last: i32, bias: usize, act: i32): v128 {
  if (!first) v = f32x4.add(v, v128.load(prev));
  if (last) {
    if (bias != 0) v = f32x4.add(v, v128.load(bias));
    if (act == 1) v = f32x4.max(v, f32x4.splat(0));
  }
  return v;
}

/**
 * Writes an 8-column strip of one row of C: `cols` valid columns (≤ 8) at c; bias (already offset to the strip) and
 * the running sums of earlier K blocks handled by finish.
 */
@inline function storeRow(c: usize, v0: v128, v1: v128, cols: i32, first: i32, last: i32, bias: usize, act: i32, biasPad: usize): void {
  if (cols >= 8) {
    v128.store(c, finish(v0, c, first, last, bias, act));
    v128.store(c, finish(v1, c + 16, first, last, bias == 0 ? 0 : bias + 16, act), 16);
    return;
  }
  // Edge strip: work on a padded copy of the row and bias (biasPad: 16 floats of scratch), then store `cols` values.
  v128.store(biasPad, v0);
  v128.store(biasPad, v1, 16);
  if (!first) {
    for (let j = 0; j < cols; j++) store<f32>(biasPad + (<usize>j << 2), load<f32>(biasPad + (<usize>j << 2)) + load<f32>(c + (<usize>j << 2)));
  }
  for (let j = 0; j < cols; j++) {
    let v = load<f32>(biasPad + (<usize>j << 2));
    if (last) {
      if (bias != 0) v += load<f32>(bias + (<usize>j << 2));
      if (act == 1) v = v != v ? v : v > 0 ? v : <f32>0;
    }
    store<f32>(c + (<usize>j << 2), v);
  }
}

/**
 * C = A·B (+ bias, ReLU): A through strides (rs, ks in elements), bp from gemmPackB, C row-major with N columns.
 * `scratch`: 16 floats for edge strips. bias: N floats or 0.
 */
export function gemm(a: usize, rs: i32, ks: i32, bp: usize, c: usize, m: i32, k: i32, n: i32, bias: usize, act: i32, scratch: usize): void {
  const nPad = (n + 7) & ~7;
  const bRow = <usize>nPad << 2;
  const cRow = <usize>n << 2;
  const rsb = <usize>rs << 2;
  const ksb = <usize>ks << 2;
  const m4 = m & ~3;
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = min(KC, k - k0);
    const first = k0 == 0 ? 1 : 0;
    const last = k0 + kc >= k ? 1 : 0;
    for (let j = 0; j < nPad; j += 8) {
      const cols = min(8, n - j);
      const bj = bp + <usize>k0 * bRow + (<usize>j << 2);
      const biasJ = bias == 0 ? 0 : bias + (<usize>j << 2);
      let i = 0;
      for (; i < m4; i += 4) {
        let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        let ap = a + <usize>i * rsb + <usize>k0 * ksb;
        let bpp = bj;
        for (let kk = 0; kk < kc; kk++, ap += ksb, bpp += bRow) {
          const b0 = v128.load(bpp);
          const b1 = v128.load(bpp, 16);
          const a0 = v128.load32_splat(ap);
          c00 = madd(a0, b0, c00);
          c01 = madd(a0, b1, c01);
          const a1 = v128.load32_splat(ap + rsb);
          c10 = madd(a1, b0, c10);
          c11 = madd(a1, b1, c11);
          const a2 = v128.load32_splat(ap + 2 * rsb);
          c20 = madd(a2, b0, c20);
          c21 = madd(a2, b1, c21);
          const a3 = v128.load32_splat(ap + 3 * rsb);
          c30 = madd(a3, b0, c30);
          c31 = madd(a3, b1, c31);
        }
        const cp = c + <usize>i * cRow + (<usize>j << 2);
        storeRow(cp, c00, c01, cols, first, last, biasJ, act, scratch);
        storeRow(cp + cRow, c10, c11, cols, first, last, biasJ, act, scratch);
        storeRow(cp + 2 * cRow, c20, c21, cols, first, last, biasJ, act, scratch);
        storeRow(cp + 3 * cRow, c30, c31, cols, first, last, biasJ, act, scratch);
      }
      for (; i < m; i++) {
        let c00 = f32x4.splat(0), c01 = c00;
        let ap = a + <usize>i * rsb + <usize>k0 * ksb;
        let bpp = bj;
        for (let kk = 0; kk < kc; kk++, ap += ksb, bpp += bRow) {
          const a0 = v128.load32_splat(ap);
          c00 = madd(a0, v128.load(bpp), c00);
          c01 = madd(a0, v128.load(bpp, 16), c01);
        }
        storeRow(c + <usize>i * cRow + (<usize>j << 2), c00, c01, cols, first, last, biasJ, act, scratch);
      }
    }
  }
}
