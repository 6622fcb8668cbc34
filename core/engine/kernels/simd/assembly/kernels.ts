// The engine's own WebAssembly SIMD kernels (AssemblyScript, compiled by scripts/build-kernels.mjs). The module
// imports tfjs-backend-wasm's own memory ('env.memory'): every pointer is a byte offset into tfjs-wasm's heap, and
// this module keeps no data of its own in it (no runtime, no static data, no globals in memory).
// Checked against the cpu backend by tests/engine/kernels-simd.test.ts.
import { madd } from './madd';

// ---- MaxPoolGrad (NHWC, no dilation). dy goes to the FIRST maximum (row-major) of each window, as the cpu backend
// does: a strict `>` never lets a later equal value or a NaN win; a window of only NaN/−∞ sends nothing. Where
// windows overlap (`acc` ≠ 0) a pixel sums the dy of all windows whose max it is, in float64, in window order, and is
// rounded once: bit-identical to the cpu backend.

@inline function emit(at: i32, dyv: f32, dx: usize, acc: usize): void {
  if (at < 0) return;
  if (acc != 0) {
    const p = acc + (<usize>at << 3);
    store<f64>(p, load<f64>(p) + <f64>dyv);
  } else {
    store<f32>(dx + (<usize>at << 2), <f32>0 + dyv);
  }
}

export function maxPoolGrad(
  x: usize, dy: usize, dx: usize, acc: usize,
  batch: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32,
  sh: i32, sw: i32, fh: i32, fw: i32, top: i32, left: i32,
): void {
  if (acc == 0 && fh == 2 && fw == 2 && sh == 2 && sw == 2 && top == 0 && left == 0 && (c & 3) == 0 && 2 * oh <= h && 2 * ow <= w) {
    maxPoolGrad22(x, dy, dx, batch, h, w, c, oh, ow);
    return;
  }
  const size = <usize>batch * <usize>h * <usize>w * <usize>c;
  // Without overlap (acc = 0) every window writes all its pixels (dy at the first maximum, +0 elsewhere), so only
  // pixels outside every window need the zero fill.
  const covered = top == 0 && left == 0 && (oh - 1) * sh + fh >= h && (ow - 1) * sw + fw >= w && sh == fh && sw == fw;
  if (acc != 0) memory.fill(acc, 0, size << 3);
  else if (!covered) memory.fill(dx, 0, size << 2);
  const c4 = c & ~3;
  const lanes = i32x4(0, 1, 2, 3);
  const minusInf = f32x4.splat(-Infinity);
  const none = i32x4.splat(-1);
  const zero = f32x4.splat(0);
  let o: i32 = 0; // index into dy
  for (let b = 0; b < batch; b++) {
    for (let yr = 0; yr < oh; yr++) {
      const r0 = yr * sh - top;
      const rMin = max(0, r0);
      const rMax = min(h, r0 + fh);
      for (let yc = 0; yc < ow; yc++) {
        const c0 = yc * sw - left;
        const cMin = max(0, c0);
        const cMax = min(w, c0 + fw);
        let d = 0;
        for (; d < c4; d += 4) {
          let mv = minusInf;
          let mi = none;
          for (let r = rMin; r < rMax; r++) {
            for (let col = cMin; col < cMax; col++) {
              const at = ((b * h + r) * w + col) * c + d;
              const v = v128.load(x + (<usize>at << 2));
              const gt = f32x4.gt(v, mv);
              mv = v128.bitselect(v, mv, gt);
              mi = v128.bitselect(i32x4.add(i32x4.splat(at), lanes), mi, gt);
            }
          }
          const dv = v128.load(dy + (<usize>o << 2));
          if (acc == 0) {
            // 0 + dy: −0 becomes +0, as the cpu backend's accumulation gives.
            for (let r = rMin; r < rMax; r++) {
              for (let col = cMin; col < cMax; col++) {
                const at = ((b * h + r) * w + col) * c + d;
                const hit = i32x4.eq(i32x4.add(i32x4.splat(at), lanes), mi);
                v128.store(dx + (<usize>at << 2), f32x4.add(zero, v128.and(dv, hit)));
              }
            }
          } else {
            emit(i32x4.extract_lane(mi, 0), f32x4.extract_lane(dv, 0), dx, acc);
            emit(i32x4.extract_lane(mi, 1), f32x4.extract_lane(dv, 1), dx, acc);
            emit(i32x4.extract_lane(mi, 2), f32x4.extract_lane(dv, 2), dx, acc);
            emit(i32x4.extract_lane(mi, 3), f32x4.extract_lane(dv, 3), dx, acc);
          }
          o += 4;
        }
        for (; d < c; d++, o++) {
          let mv: f32 = -Infinity;
          let mi: i32 = -1;
          for (let r = rMin; r < rMax; r++) {
            for (let col = cMin; col < cMax; col++) {
              const at = ((b * h + r) * w + col) * c + d;
              const v = load<f32>(x + (<usize>at << 2));
              if (v > mv) {
                mv = v;
                mi = at;
              }
            }
          }
          const dyv = load<f32>(dy + (<usize>o << 2));
          if (acc == 0) {
            for (let r = rMin; r < rMax; r++) {
              for (let col = cMin; col < cMax; col++) {
                const at = ((b * h + r) * w + col) * c + d;
                store<f32>(dx + (<usize>at << 2), at == mi ? <f32>0 + dyv : <f32>0);
              }
            }
          } else {
            emit(mi, dyv, dx, acc);
          }
        }
      }
    }
  }
  if (acc != 0) {
    for (let i: usize = 0; i < size; i++) store<f32>(dx + (i << 2), <f32>load<f64>(acc + (i << 3)));
  }
}

/**
 * MaxPoolGrad for 2×2 windows, stride 2, every window inside the image, channels a multiple of 4 (the common max
 * pool): straight-line
 * code per window. The first maximum is the first pixel (row-major) equal to the strict-`>` maximum, which is what
 * the index tracking above finds; a window whose maximum is −∞ (only NaN/−∞) sends nothing.
 */
function maxPoolGrad22(x: usize, dy: usize, dx: usize, batch: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32): void {
  // Rows and columns beyond 2·oh, 2·ow (odd sizes) belong to no window: zero.
  if (2 * oh < h || 2 * ow < w) memory.fill(dx, 0, (<usize>batch * <usize>h * <usize>w * <usize>c) << 2);
  const minusInf = f32x4.splat(-Infinity);
  const zero = f32x4.splat(0);
  const px = <usize>c << 2;
  const row = <usize>(w * c) << 2;
  let o = dy;
  for (let b = 0; b < batch; b++) {
    for (let yr = 0; yr < oh; yr++) {
      for (let yc = 0; yc < ow; yc++) {
        const base = <usize>(((b * h + 2 * yr) * w + 2 * yc) * c) << 2;
        for (let d: usize = 0; d < px; d += 16, o += 16) {
          const p00 = x + base + d;
          const v00 = v128.load(p00);
          const v01 = v128.load(p00 + px);
          const v10 = v128.load(p00 + row);
          const v11 = v128.load(p00 + row + px);
          let m = v128.bitselect(v00, minusInf, f32x4.gt(v00, minusInf));
          m = v128.bitselect(v01, m, f32x4.gt(v01, m));
          m = v128.bitselect(v10, m, f32x4.gt(v10, m));
          m = v128.bitselect(v11, m, f32x4.gt(v11, m));
          let found = v128.not(f32x4.gt(m, minusInf));
          const h00 = v128.andnot(f32x4.eq(v00, m), found);
          found = v128.or(found, h00);
          const h01 = v128.andnot(f32x4.eq(v01, m), found);
          found = v128.or(found, h01);
          const h10 = v128.andnot(f32x4.eq(v10, m), found);
          found = v128.or(found, h10);
          const h11 = v128.andnot(f32x4.eq(v11, m), found);
          const dv = v128.load(o);
          const q00 = dx + base + d;
          // 0 + dy: −0 becomes +0, as the cpu backend's accumulation gives.
          v128.store(q00, f32x4.add(zero, v128.and(dv, h00)));
          v128.store(q00 + px, f32x4.add(zero, v128.and(dv, h01)));
          v128.store(q00 + row, f32x4.add(zero, v128.and(dv, h10)));
          v128.store(q00 + row + px, f32x4.add(zero, v128.and(dv, h11)));
        }
      }
    }
  }
}

// ---- Conv2DBackpropFilter (NHWC, no dilation, outChannels a multiple of 4):
//   dw[r, c, ci, co] = Σ_{b, yr, yc} x[b, yr·sh + r − top, yc·sw + c − left, ci] · dy[b, yr, yc, co]
// Images outermost (one image of x and dy stays in L1 across all filter taps). Each output row's terms are summed in
// float32 vectors and then added into float64 accumulators (`acc`, fh·fw·cin·cout doubles), so across the batch the
// sum is float64, as the cpu backend's.

@inline function flush(acc: usize, k: usize, v: v128): void {
  const p = acc + (k << 3);
  v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(v)));
  v128.store(p, f64x2.add(v128.load(p, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3))), 16);
}

export function filterGrad(
  x: usize, dy: usize, dw: usize, acc: usize,
  n: i32, h: i32, w: i32, cin: i32, oh: i32, ow: i32, cout: i32,
  sh: i32, sw: i32, fh: i32, fw: i32, top: i32, left: i32,
): void {
  const total = <usize>fh * <usize>fw * <usize>cin * <usize>cout;
  memory.fill(acc, 0, total << 3);
  const xStep = <usize>(sw * cin) << 2;
  const dStep = <usize>cout << 2;
  const pairs = (cin & 1) == 0;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < fh; r++) {
      // Output rows whose input row yr·sh + r − top lies inside the image.
      const yrMin = max(0, (top - r + sh - 1) / sh);
      const yrMax = min(oh, (h - 1 + top - r) / sh + 1);
      if (h - 1 + top - r < 0 || yrMin >= yrMax) continue;
      for (let c = 0; c < fw; c++) {
        const ycMin = max(0, (left - c + sw - 1) / sw);
        const ycMax = min(ow, (w - 1 + left - c) / sw + 1);
        if (w - 1 + left - c < 0 || ycMin >= ycMax) continue;
        const count = ycMax - ycMin;
        // cin = 1: taps c and c + 1 sit next to each other in x and in dw (one cout row apart), exactly as two input
        // channels do: run them as a pair when they cover the same output columns.
        let tapPair = false;
        if (cin == 1 && c + 1 < fw) {
          const nextMin = max(0, (left - c - 1 + sw - 1) / sw);
          const nextMax = min(ow, (w - 2 + left - c) / sw + 1);
          tapPair = w - 2 + left - c >= 0 && nextMin == ycMin && nextMax == ycMax;
        }
        const paired = pairs || tapPair;
        for (let ci = 0; ci < cin; ci += pairs ? 2 : 1) {
          let co = 0;
          while (co < cout) {
            const left4 = cout - co;
            const vecs = left4 >= 16 ? 4 : left4 >= 8 ? 2 : 1;
            const k = <usize>(((r * fw + c) * cin + ci) * cout + co);
            // One image's terms (oh·ow at most) are summed in float32 vectors, then added into float64.
            const xRow = <usize>(sh * w * cin) << 2;
            const dRow = <usize>(ow * cout) << 2;
            const x0p = x + (<usize>(((b * h + yrMin * sh + r - top) * w + ycMin * sw + c - left) * cin + ci) << 2);
            const d0p = dy + (<usize>(((b * oh + yrMin) * ow + ycMin) * cout + co) << 2);
            const rows = yrMax - yrMin;
            if (paired) {
              let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
              for (let yr = 0; yr < rows; yr++) {
                let xp = x0p + <usize>yr * xRow;
                let dp = d0p + <usize>yr * dRow;
                if (vecs == 4) {
                  for (let i = 0; i < count; i++, xp += xStep, dp += dStep) {
                    const x0 = v128.load32_splat(xp);
                    const x1 = v128.load32_splat(xp, 4);
                    const d0 = v128.load(dp), d1 = v128.load(dp, 16), d2 = v128.load(dp, 32), d3 = v128.load(dp, 48);
                    a0 = madd(x0, d0, a0);
                    a1 = madd(x0, d1, a1);
                    a2 = madd(x0, d2, a2);
                    a3 = madd(x0, d3, a3);
                    b0 = madd(x1, d0, b0);
                    b1 = madd(x1, d1, b1);
                    b2 = madd(x1, d2, b2);
                    b3 = madd(x1, d3, b3);
                  }
                } else if (vecs == 2) {
                  for (let i = 0; i < count; i++, xp += xStep, dp += dStep) {
                    const x0 = v128.load32_splat(xp);
                    const x1 = v128.load32_splat(xp, 4);
                    const d0 = v128.load(dp), d1 = v128.load(dp, 16);
                    a0 = madd(x0, d0, a0);
                    a1 = madd(x0, d1, a1);
                    b0 = madd(x1, d0, b0);
                    b1 = madd(x1, d1, b1);
                  }
                } else {
                  for (let i = 0; i < count; i++, xp += xStep, dp += dStep) {
                    const d0 = v128.load(dp);
                    a0 = madd(v128.load32_splat(xp), d0, a0);
                    b0 = madd(v128.load32_splat(xp, 4), d0, b0);
                  }
                }
              }
              flush(acc, k, a0);
              flush(acc, k + <usize>cout, b0);
              if (vecs > 1) {
                flush(acc, k + 4, a1);
                flush(acc, k + <usize>cout + 4, b1);
              }
              if (vecs > 2) {
                flush(acc, k + 8, a2);
                flush(acc, k + 12, a3);
                flush(acc, k + <usize>cout + 8, b2);
                flush(acc, k + <usize>cout + 12, b3);
              }
            } else {
              let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
              for (let yr = 0; yr < rows; yr++) {
                let xp = x0p + <usize>yr * xRow;
                let dp = d0p + <usize>yr * dRow;
                if (vecs == 4) {
                  for (let i = 0; i < count; i++, xp += xStep, dp += dStep) {
                    const x0 = v128.load32_splat(xp);
                    a0 = madd(x0, v128.load(dp), a0);
                    a1 = madd(x0, v128.load(dp, 16), a1);
                    a2 = madd(x0, v128.load(dp, 32), a2);
                    a3 = madd(x0, v128.load(dp, 48), a3);
                  }
                } else if (vecs == 2) {
                  for (let i = 0; i < count; i++, xp += xStep, dp += dStep) {
                    const x0 = v128.load32_splat(xp);
                    a0 = madd(x0, v128.load(dp), a0);
                    a1 = madd(x0, v128.load(dp, 16), a1);
                  }
                } else {
                  for (let i = 0; i < count; i++, xp += xStep, dp += dStep) {
                    a0 = madd(v128.load32_splat(xp), v128.load(dp), a0);
                  }
                }
              }
              flush(acc, k, a0);
              if (vecs > 1) flush(acc, k + 4, a1);
              if (vecs > 2) {
                flush(acc, k + 8, a2);
                flush(acc, k + 12, a3);
              }
            }
            co += vecs * 4;
          }
        }
        if (tapPair) c++;
      }
    }
  }
  for (let i: usize = 0; i < total; i++) store<f32>(dw + (i << 2), <f32>load<f64>(acc + (i << 3)));
}

// ---- Bias add: out[r, c] = x[r, c] + b[c] for `rows` rows of `k` channels (float32, as tfjs's Add).

export function biasAdd(x: usize, b: usize, out: usize, rows: i32, k: i32): void {
  const k4 = k & ~3;
  const rowBytes = <usize>k << 2;
  for (let r = 0; r < rows; r++, x += rowBytes, out += rowBytes) {
    let c = 0;
    for (; c < k4; c += 4) {
      const o = <usize>c << 2;
      v128.store(out + o, f32x4.add(v128.load(x + o), v128.load(b + o)));
    }
    for (; c < k; c++) {
      const o = <usize>c << 2;
      store<f32>(out + o, load<f32>(x + o) + load<f32>(b + o));
    }
  }
}

// ---- Column sums: out[c] = Σ_r x[r, c] / divisor over `rows` rows of `k` channels, in float64, rounded once (as
// the cpu backend's Sum and Mean; conv/dense bias gradients). Blocks of 8 (or 4) channels keep their float64 sums in registers.

export function sumColumns(x: usize, out: usize, rows: i32, k: i32, divisor: f64): void {
  const rowBytes = <usize>k << 2;
  let c = 0;
  for (; c + 8 <= k; c += 8) {
    let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
    let p = x + (<usize>c << 2);
    for (let r = 0; r < rows; r++, p += rowBytes) {
      const v0 = v128.load(p);
      const v1 = v128.load(p, 16);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v0));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v0, v0, 2, 3, 2, 3)));
      s2 = f64x2.add(s2, f64x2.promote_low_f32x4(v1));
      s3 = f64x2.add(s3, f64x2.promote_low_f32x4(v128.shuffle<f32>(v1, v1, 2, 3, 2, 3)));
    }
    const o = out + (<usize>c << 2);
    store<f32>(o, <f32>(f64x2.extract_lane(s0, 0) / divisor));
    store<f32>(o, <f32>(f64x2.extract_lane(s0, 1) / divisor), 4);
    store<f32>(o, <f32>(f64x2.extract_lane(s1, 0) / divisor), 8);
    store<f32>(o, <f32>(f64x2.extract_lane(s1, 1) / divisor), 12);
    store<f32>(o, <f32>(f64x2.extract_lane(s2, 0) / divisor), 16);
    store<f32>(o, <f32>(f64x2.extract_lane(s2, 1) / divisor), 20);
    store<f32>(o, <f32>(f64x2.extract_lane(s3, 0) / divisor), 24);
    store<f32>(o, <f32>(f64x2.extract_lane(s3, 1) / divisor), 28);
  }
  for (; c + 4 <= k; c += 4) {
    let s0 = f64x2.splat(0), s1 = s0;
    let p = x + (<usize>c << 2);
    for (let r = 0; r < rows; r++, p += rowBytes) {
      const v0 = v128.load(p);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v0));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v0, v0, 2, 3, 2, 3)));
    }
    const o = out + (<usize>c << 2);
    store<f32>(o, <f32>(f64x2.extract_lane(s0, 0) / divisor));
    store<f32>(o, <f32>(f64x2.extract_lane(s0, 1) / divisor), 4);
    store<f32>(o, <f32>(f64x2.extract_lane(s1, 0) / divisor), 8);
    store<f32>(o, <f32>(f64x2.extract_lane(s1, 1) / divisor), 12);
  }
  for (; c < k; c++) {
    let s: f64 = 0;
    let p = x + (<usize>c << 2);
    for (let r = 0; r < rows; r++, p += rowBytes) s += <f64>load<f32>(p);
    store<f32>(out + (<usize>c << 2), <f32>(s / divisor));
  }
}

// ---- ReLU gradient: dx = x > 0 ? dy : 0 (x NaN → NaN, as dy·step(x) gives), float32.

export function reluGrad(dy: usize, x: usize, dx: usize, size: i32): void {
  const n4 = size & ~3;
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const xv = v128.load(x + o);
    const dv = v128.load(dy + o);
    // x > 0: dy·1 = dy; x ≤ 0: dy·0 (keeps the sign of zero and NaN of dy·0 when dy is ±∞/NaN); x NaN: NaN.
    const pos = f32x4.gt(xv, zero);
    const nan = f32x4.ne(xv, xv);
    const off = f32x4.mul(dv, zero);
    v128.store(dx + o, v128.bitselect(dv, v128.bitselect(f32x4.add(xv, dv), off, nan), pos));
  }
  for (; i < size; i++) {
    const o = <usize>i << 2;
    const xv = load<f32>(x + o);
    const dv = load<f32>(dy + o);
    store<f32>(dx + o, xv > 0 ? dv : xv != xv ? xv + dv : dv * <f32>0);
  }
}

// ---- Conv2D forward (NHWC, filter [fh, fw, cin, cout], no dilation, cout a multiple of 4):
//   out[b, oy, ox, co] = Σ_{r, c, ci} x[b, oy·sh + r − top, ox·sw + c − left, ci] · w[r, c, ci, co]
// float32 sums, taps in (r, c, ci) order. Interior pixels go in tiles (4 pixels × 8 channels or 2 × 16) whose inner
// loop runs over the fw·cin contiguous values of one filter row; border pixels skip the taps that fall outside.

// The fused epilogue (FusedConv2D): + bias (when `bias` ≠ 0), then ReLU (act 1) as max(·, +0), as the cpu backend
// applies them after the convolution.
@inline function epilogue(v: v128, bias: usize, o: usize, act: i32): v128 {
  if (bias != 0) v = f32x4.add(v, v128.load(bias + o));
  if (act == 1) v = f32x4.max(v, f32x4.splat(0));
  return v;
}

function convPixel(
  x: usize, w: usize, out: usize, b: i32, oy: i32, ox: i32, co: i32, vecs: i32,
  h: i32, wd: i32, cin: i32, cout: i32, sh: i32, sw: i32, fh: i32, fw: i32, top: i32, left: i32, oh: i32, ow: i32,
  bias: usize, act: i32,
): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  const wStep = <usize>cout << 2;
  // Taps inside the image: rows [rMin, rMax), columns [cLo, cHi); one filter row's taps are contiguous.
  const rMin = max(0, top - oy * sh);
  const rMax = min(fh, h + top - oy * sh);
  const cLo = max(0, left - ox * sw);
  const cHi = min(fw, wd + left - ox * sw);
  const count = (cHi - cLo) * cin;
  for (let r = rMin; r < rMax; r++) {
    let xp = x + (<usize>(((b * h + oy * sh + r - top) * wd + ox * sw + cLo - left) * cin) << 2);
    let wp = w + (<usize>(((r * fw + cLo) * cin) * cout + co) << 2);
    if (vecs == 4) {
      for (let j = 0; j < count; j++, xp += 4, wp += wStep) {
        const xv = v128.load32_splat(xp);
        a0 = madd(xv, v128.load(wp), a0);
        a1 = madd(xv, v128.load(wp, 16), a1);
        a2 = madd(xv, v128.load(wp, 32), a2);
        a3 = madd(xv, v128.load(wp, 48), a3);
      }
    } else if (vecs == 2) {
      for (let j = 0; j < count; j++, xp += 4, wp += wStep) {
        const xv = v128.load32_splat(xp);
        a0 = madd(xv, v128.load(wp), a0);
        a1 = madd(xv, v128.load(wp, 16), a1);
      }
    } else {
      for (let j = 0; j < count; j++, xp += 4, wp += wStep) {
        a0 = madd(v128.load32_splat(xp), v128.load(wp), a0);
      }
    }
  }
  const op = out + (<usize>(((b * oh + oy) * ow + ox) * cout + co) << 2);
  const bo = <usize>co << 2;
  v128.store(op, epilogue(a0, bias, bo, act));
  if (vecs > 1) v128.store(op, epilogue(a1, bias, bo + 16, act), 16);
  if (vecs > 2) {
    v128.store(op, epilogue(a2, bias, bo + 32, act), 32);
    v128.store(op, epilogue(a3, bias, bo + 48, act), 48);
  }
}

export function conv2d(
  x: usize, w: usize, out: usize,
  n: i32, h: i32, wd: i32, cin: i32, oh: i32, ow: i32, cout: i32,
  sh: i32, sw: i32, fh: i32, fw: i32, top: i32, left: i32,
  bias: usize, act: i32,
): void {
  // Output columns whose taps all lie inside the row: ox·sw − left ≥ 0 and ox·sw − left + fw − 1 ≤ wd − 1.
  const oxLo = min(ow, (left + sw - 1) / sw);
  const oxHi = wd - fw + left >= 0 ? max(oxLo, min(ow, (wd - fw + left) / sw + 1)) : oxLo;
  const span = fw * cin; // contiguous values of one filter row, in x and (times cout) in w
  const wStep = <usize>cout << 2;
  const pStep = <usize>(sw * cin) << 2;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const rMin = max(0, top - oy * sh);
      const rMax = min(fh, h + top - oy * sh);
      let co = 0;
      while (co < cout) {
        const vecs = cout - co >= 16 ? 4 : cout - co >= 8 ? 2 : 1;
        const tile = vecs == 4 ? 2 : 4;
        for (let ox = 0; ox < oxLo; ox++) convPixel(x, w, out, b, oy, ox, co, vecs, h, wd, cin, cout, sh, sw, fh, fw, top, left, oh, ow, bias, act);
        let ox = oxLo;
        for (; ox + tile <= oxHi; ox += tile) {
          let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
          for (let r = rMin; r < rMax; r++) {
            let xp = x + (<usize>(((b * h + oy * sh + r - top) * wd + ox * sw - left) * cin) << 2);
            let wp = w + (<usize>(r * span * cout + co) << 2);
            if (vecs == 4) {
              for (let j = 0; j < span; j++, xp += 4, wp += wStep) {
                const w0 = v128.load(wp), w1 = v128.load(wp, 16), w2 = v128.load(wp, 32), w3 = v128.load(wp, 48);
                const x0 = v128.load32_splat(xp);
                const x1 = v128.load32_splat(xp + pStep);
                a0 = madd(x0, w0, a0);
                a1 = madd(x0, w1, a1);
                a2 = madd(x0, w2, a2);
                a3 = madd(x0, w3, a3);
                b0 = madd(x1, w0, b0);
                b1 = madd(x1, w1, b1);
                b2 = madd(x1, w2, b2);
                b3 = madd(x1, w3, b3);
              }
            } else if (vecs == 2) {
              for (let j = 0; j < span; j++, xp += 4, wp += wStep) {
                const w0 = v128.load(wp), w1 = v128.load(wp, 16);
                const x0 = v128.load32_splat(xp);
                const x1 = v128.load32_splat(xp + pStep);
                const x2 = v128.load32_splat(xp + 2 * pStep);
                const x3 = v128.load32_splat(xp + 3 * pStep);
                a0 = madd(x0, w0, a0);
                a1 = madd(x0, w1, a1);
                a2 = madd(x1, w0, a2);
                a3 = madd(x1, w1, a3);
                b0 = madd(x2, w0, b0);
                b1 = madd(x2, w1, b1);
                b2 = madd(x3, w0, b2);
                b3 = madd(x3, w1, b3);
              }
            } else {
              for (let j = 0; j < span; j++, xp += 4, wp += wStep) {
                const w0 = v128.load(wp);
                a0 = madd(v128.load32_splat(xp), w0, a0);
                a1 = madd(v128.load32_splat(xp + pStep), w0, a1);
                a2 = madd(v128.load32_splat(xp + 2 * pStep), w0, a2);
                a3 = madd(v128.load32_splat(xp + 3 * pStep), w0, a3);
              }
            }
          }
          const op = out + (<usize>(((b * oh + oy) * ow + ox) * cout + co) << 2);
          const px = <usize>cout << 2;
          const bo = <usize>co << 2;
          if (vecs == 4) {
            v128.store(op, epilogue(a0, bias, bo, act));
            v128.store(op, epilogue(a1, bias, bo + 16, act), 16);
            v128.store(op, epilogue(a2, bias, bo + 32, act), 32);
            v128.store(op, epilogue(a3, bias, bo + 48, act), 48);
            v128.store(op + px, epilogue(b0, bias, bo, act));
            v128.store(op + px, epilogue(b1, bias, bo + 16, act), 16);
            v128.store(op + px, epilogue(b2, bias, bo + 32, act), 32);
            v128.store(op + px, epilogue(b3, bias, bo + 48, act), 48);
          } else if (vecs == 2) {
            v128.store(op, epilogue(a0, bias, bo, act));
            v128.store(op, epilogue(a1, bias, bo + 16, act), 16);
            v128.store(op + px, epilogue(a2, bias, bo, act));
            v128.store(op + px, epilogue(a3, bias, bo + 16, act), 16);
            v128.store(op + 2 * px, epilogue(b0, bias, bo, act));
            v128.store(op + 2 * px, epilogue(b1, bias, bo + 16, act), 16);
            v128.store(op + 3 * px, epilogue(b2, bias, bo, act));
            v128.store(op + 3 * px, epilogue(b3, bias, bo + 16, act), 16);
          } else {
            v128.store(op, epilogue(a0, bias, bo, act));
            v128.store(op + px, epilogue(a1, bias, bo, act));
            v128.store(op + 2 * px, epilogue(a2, bias, bo, act));
            v128.store(op + 3 * px, epilogue(a3, bias, bo, act));
          }
        }
        for (; ox < ow; ox++) convPixel(x, w, out, b, oy, ox, co, vecs, h, wd, cin, cout, sh, sw, fh, fw, top, left, oh, ow, bias, act);
        co += vecs * 4;
      }
    }
  }
}

// ---- MaxPool forward (NHWC, no dilation), as the cpu backend: the largest value by a strict `>` from −∞, so NaN
// never wins and a window of only NaN/−∞ gives −∞.

export function maxPool(
  x: usize, out: usize,
  batch: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32,
  sh: i32, sw: i32, fh: i32, fw: i32, top: i32, left: i32,
): void {
  const c4 = c & ~3;
  const minusInf = f32x4.splat(-Infinity);
  if (fh == 2 && fw == 2 && sh == 2 && sw == 2 && top == 0 && left == 0 && c4 == c && 2 * oh <= h && 2 * ow <= w) {
    const px = <usize>c << 2;
    const row = <usize>(w * c) << 2;
    let q = out;
    for (let b = 0; b < batch; b++) {
      for (let yr = 0; yr < oh; yr++) {
        for (let yc = 0; yc < ow; yc++) {
          const p = x + (<usize>(((b * h + 2 * yr) * w + 2 * yc) * c) << 2);
          for (let d: usize = 0; d < px; d += 16, q += 16) {
            const v00 = v128.load(p + d);
            const v01 = v128.load(p + d + px);
            const v10 = v128.load(p + d + row);
            const v11 = v128.load(p + d + row + px);
            let m = v128.bitselect(v00, minusInf, f32x4.gt(v00, minusInf));
            m = v128.bitselect(v01, m, f32x4.gt(v01, m));
            m = v128.bitselect(v10, m, f32x4.gt(v10, m));
            v128.store(q, v128.bitselect(v11, m, f32x4.gt(v11, m)));
          }
        }
      }
    }
    return;
  }
  let o: usize = out;
  for (let b = 0; b < batch; b++) {
    for (let yr = 0; yr < oh; yr++) {
      const r0 = yr * sh - top;
      const rMin = max(0, r0);
      const rMax = min(h, r0 + fh);
      for (let yc = 0; yc < ow; yc++) {
        const c0 = yc * sw - left;
        const cMin = max(0, c0);
        const cMax = min(w, c0 + fw);
        let d = 0;
        for (; d < c4; d += 4, o += 16) {
          let mv = minusInf;
          for (let r = rMin; r < rMax; r++) {
            let p = x + (<usize>(((b * h + r) * w + cMin) * c + d) << 2);
            for (let col = cMin; col < cMax; col++, p += <usize>c << 2) {
              const v = v128.load(p);
              mv = v128.bitselect(v, mv, f32x4.gt(v, mv));
            }
          }
          v128.store(o, mv);
        }
        for (; d < c; d++, o += 4) {
          let mv: f32 = -Infinity;
          for (let r = rMin; r < rMax; r++) {
            for (let col = cMin; col < cMax; col++) {
              const v = load<f32>(x + (<usize>(((b * h + r) * w + col) * c + d) << 2));
              if (v > mv) mv = v;
            }
          }
          store<f32>(o, mv);
        }
      }
    }
  }
}

// ---- ReLU: max(x, +0) with wasm's f32x4.max, which is Math.max(0, x) (the cpu backend's): NaN stays NaN, −0 → +0.

export function relu(x: usize, out: usize, size: i32): void {
  const n4 = size & ~3;
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.max(v128.load(x + o), zero));
  }
  for (; i < size; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(out + o, v != v ? v : v > 0 ? v : <f32>0);
  }
}

export { bnColumnSums, bnGradSums, bnApply, bnGradApply } from './batch-norm';
export { conv2dDot } from './conv-dot';
export { gemm, gemmPackB } from './gemm';
