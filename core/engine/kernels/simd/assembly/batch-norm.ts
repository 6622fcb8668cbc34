// Batch-norm kernels over `rows` rows of `c` channels (NHWC flattened: rows = N·H·W; or a dense layer's [N, C]).
// Channel sums run in float64 (registers, 8 channels at a time), as the cpu backend's Sum/Mean add; elementwise
// passes run in float32 with the cpu backend's operation order. The per-channel coefficients are computed by the
// caller (core/engine/kernels/batch-norm.ts) in float64 from these sums.

// Σ over rows of f(x) for channels [c0, c0 + 8): eight float64 lanes in four f64x2 registers.
@inline function flush8(out: usize, s0: v128, s1: v128, s2: v128, s3: v128): void {
  v128.store(out, s0);
  v128.store(out, s1, 16);
  v128.store(out, s2, 32);
  v128.store(out, s3, 48);
}

@inline function lo64(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

/** fround(v − m)², lane-wise. */
@inline function sq(v: v128, m: v128): v128 {
  const d = f32x4.sub(v, m);
  return f32x4.mul(d, d);
}

@inline function hi64(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/**
 * Channel sums over the rows, float64, written as `c` doubles to `sums`: `mode` 0: Σ x; mode 1: Σ fround(x − m)²
 * with the float32 difference and square of tfjs's moments (m: float32 per channel).
 */
export function bnColumnSums(x: usize, m: usize, sums: usize, rows: i32, c: i32, mode: i32): void {
  const rowBytes = <usize>c << 2;
  let ch = 0;
  for (; ch + 8 <= c; ch += 8) {
    let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
    let p = x + (<usize>ch << 2);
    const m0 = mode == 0 ? f32x4.splat(0) : v128.load(m + (<usize>ch << 2));
    const m1 = mode == 0 ? f32x4.splat(0) : v128.load(m + (<usize>ch << 2), 16);
    let r = 0;
    // Four rows at a time: their float32 sum (pairwise), then one float64 addition; the error of such a partial is
    // ~2⁻²⁴ of four terms' magnitude, far below what the float32 result keeps.
    for (; r + 4 <= rows; r += 4, p += rowBytes << 2) {
      let a0 = v128.load(p), a1 = v128.load(p, 16);
      let b0 = v128.load(p + rowBytes), b1 = v128.load(p + rowBytes, 16);
      let c0 = v128.load(p + 2 * rowBytes), c1 = v128.load(p + 2 * rowBytes, 16);
      let d0 = v128.load(p + 3 * rowBytes), d1 = v128.load(p + 3 * rowBytes, 16);
      if (mode != 0) {
        a0 = sq(a0, m0); a1 = sq(a1, m1); b0 = sq(b0, m0); b1 = sq(b1, m1);
        c0 = sq(c0, m0); c1 = sq(c1, m1); d0 = sq(d0, m0); d1 = sq(d1, m1);
      }
      const t0 = f32x4.add(f32x4.add(a0, b0), f32x4.add(c0, d0));
      const t1 = f32x4.add(f32x4.add(a1, b1), f32x4.add(c1, d1));
      s0 = f64x2.add(s0, lo64(t0));
      s1 = f64x2.add(s1, hi64(t0));
      s2 = f64x2.add(s2, lo64(t1));
      s3 = f64x2.add(s3, hi64(t1));
    }
    for (; r < rows; r++, p += rowBytes) {
      let v0 = v128.load(p);
      let v1 = v128.load(p, 16);
      if (mode != 0) {
        v0 = sq(v0, m0);
        v1 = sq(v1, m1);
      }
      s0 = f64x2.add(s0, lo64(v0));
      s1 = f64x2.add(s1, hi64(v0));
      s2 = f64x2.add(s2, lo64(v1));
      s3 = f64x2.add(s3, hi64(v1));
    }
    flush8(sums + (<usize>ch << 3), s0, s1, s2, s3);
  }
  for (; ch + 4 <= c; ch += 4) {
    let s0 = f64x2.splat(0), s1 = s0;
    let p = x + (<usize>ch << 2);
    const m0 = mode == 0 ? f32x4.splat(0) : v128.load(m + (<usize>ch << 2));
    for (let r = 0; r < rows; r++, p += rowBytes) {
      let v = v128.load(p);
      if (mode != 0) {
        v = f32x4.sub(v, m0);
        v = f32x4.mul(v, v);
      }
      s0 = f64x2.add(s0, lo64(v));
      s1 = f64x2.add(s1, hi64(v));
    }
    v128.store(sums + (<usize>ch << 3), s0);
    v128.store(sums + (<usize>ch << 3), s1, 16);
  }
  for (; ch < c; ch++) {
    let s: f64 = 0;
    let p = x + (<usize>ch << 2);
    const mv = mode == 0 ? <f32>0 : load<f32>(m + (<usize>ch << 2));
    for (let r = 0; r < rows; r++, p += rowBytes) {
      const v = load<f32>(p);
      if (mode == 0) s += <f64>v;
      else {
        const d: f32 = v - mv;
        s += <f64>(d * d);
      }
    }
    store<f64>(sums + (<usize>ch << 3), s);
  }
}

/**
 * The backward pass's two channel sums, float64: s0[ch] = Σ dy, s1[ch] = Σ dy·fround(x − m). `sums` gets 2·c
 * doubles (s0 then s1).
 */
export function bnGradSums(x: usize, dy: usize, m: usize, sums: usize, rows: i32, c: i32): void {
  const rowBytes = <usize>c << 2;
  const s1Out = sums + (<usize>c << 3);
  let ch = 0;
  for (; ch + 8 <= c; ch += 8) {
    let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    const off = <usize>ch << 2;
    const m0 = v128.load(m + off);
    const m1 = v128.load(m + off, 16);
    let p = x + off;
    let q = dy + off;
    let r = 0;
    // Four rows at a time in float32 (pairwise), then into float64, as bnColumnSums.
    for (; r + 4 <= rows; r += 4, p += rowBytes << 2, q += rowBytes << 2) {
      const g00 = v128.load(q), g01 = v128.load(q, 16);
      const g10 = v128.load(q + rowBytes), g11 = v128.load(q + rowBytes, 16);
      const g20 = v128.load(q + 2 * rowBytes), g21 = v128.load(q + 2 * rowBytes, 16);
      const g30 = v128.load(q + 3 * rowBytes), g31 = v128.load(q + 3 * rowBytes, 16);
      const t0 = f32x4.add(
        f32x4.add(f32x4.mul(g00, f32x4.sub(v128.load(p), m0)), f32x4.mul(g10, f32x4.sub(v128.load(p + rowBytes), m0))),
        f32x4.add(f32x4.mul(g20, f32x4.sub(v128.load(p + 2 * rowBytes), m0)), f32x4.mul(g30, f32x4.sub(v128.load(p + 3 * rowBytes), m0))),
      );
      const t1 = f32x4.add(
        f32x4.add(f32x4.mul(g01, f32x4.sub(v128.load(p, 16), m1)), f32x4.mul(g11, f32x4.sub(v128.load(p + rowBytes, 16), m1))),
        f32x4.add(f32x4.mul(g21, f32x4.sub(v128.load(p + 2 * rowBytes, 16), m1)), f32x4.mul(g31, f32x4.sub(v128.load(p + 3 * rowBytes, 16), m1))),
      );
      const h0 = f32x4.add(f32x4.add(g00, g10), f32x4.add(g20, g30));
      const h1 = f32x4.add(f32x4.add(g01, g11), f32x4.add(g21, g31));
      a0 = f64x2.add(a0, lo64(h0));
      a1 = f64x2.add(a1, hi64(h0));
      a2 = f64x2.add(a2, lo64(h1));
      a3 = f64x2.add(a3, hi64(h1));
      b0 = f64x2.add(b0, lo64(t0));
      b1 = f64x2.add(b1, hi64(t0));
      b2 = f64x2.add(b2, lo64(t1));
      b3 = f64x2.add(b3, hi64(t1));
    }
    for (; r < rows; r++, p += rowBytes, q += rowBytes) {
      const g0 = v128.load(q);
      const g1 = v128.load(q, 16);
      const t0 = f32x4.mul(g0, f32x4.sub(v128.load(p), m0));
      const t1 = f32x4.mul(g1, f32x4.sub(v128.load(p, 16), m1));
      a0 = f64x2.add(a0, lo64(g0));
      a1 = f64x2.add(a1, hi64(g0));
      a2 = f64x2.add(a2, lo64(g1));
      a3 = f64x2.add(a3, hi64(g1));
      b0 = f64x2.add(b0, lo64(t0));
      b1 = f64x2.add(b1, hi64(t0));
      b2 = f64x2.add(b2, lo64(t1));
      b3 = f64x2.add(b3, hi64(t1));
    }
    flush8(sums + (<usize>ch << 3), a0, a1, a2, a3);
    flush8(s1Out + (<usize>ch << 3), b0, b1, b2, b3);
  }
  for (; ch + 4 <= c; ch += 4) {
    let a0 = f64x2.splat(0), a1 = a0, b0 = a0, b1 = a0;
    const off = <usize>ch << 2;
    const m0 = v128.load(m + off);
    let p = x + off;
    let q = dy + off;
    for (let r = 0; r < rows; r++, p += rowBytes, q += rowBytes) {
      const g0 = v128.load(q);
      const t0 = f32x4.mul(g0, f32x4.sub(v128.load(p), m0));
      a0 = f64x2.add(a0, lo64(g0));
      a1 = f64x2.add(a1, hi64(g0));
      b0 = f64x2.add(b0, lo64(t0));
      b1 = f64x2.add(b1, hi64(t0));
    }
    v128.store(sums + (<usize>ch << 3), a0);
    v128.store(sums + (<usize>ch << 3), a1, 16);
    v128.store(s1Out + (<usize>ch << 3), b0);
    v128.store(s1Out + (<usize>ch << 3), b1, 16);
  }
  for (; ch < c; ch++) {
    let a: f64 = 0;
    let b: f64 = 0;
    const off = <usize>ch << 2;
    const mv = load<f32>(m + off);
    let p = x + off;
    let q = dy + off;
    for (let r = 0; r < rows; r++, p += rowBytes, q += rowBytes) {
      const g = load<f32>(q);
      a += <f64>g;
      b += <f64>(g * (load<f32>(p) - mv));
    }
    store<f64>(sums + (<usize>ch << 3), a);
    store<f64>(s1Out + (<usize>ch << 3), b);
  }
}

/**
 * out = (x − m)·k + t per channel (the batch-norm transform; m, k, t: float32 per channel), then max(·, 0) when
 * `relu`. Row-major, one pass.
 */
export function bnApply(x: usize, m: usize, k: usize, t: usize, out: usize, rows: i32, c: i32, relu: i32): void {
  const c4 = c & ~3;
  const zero = f32x4.splat(0);
  if (c == 8) {
    // The common small case with every coefficient in registers.
    const m0 = v128.load(m), m1 = v128.load(m, 16);
    const k0 = v128.load(k), k1 = v128.load(k, 16);
    const t0 = v128.load(t), t1 = v128.load(t, 16);
    for (let r = 0; r < rows; r++, x += 32, out += 32) {
      let y0 = f32x4.add(f32x4.mul(f32x4.sub(v128.load(x), m0), k0), t0);
      let y1 = f32x4.add(f32x4.mul(f32x4.sub(v128.load(x, 16), m1), k1), t1);
      if (relu) {
        y0 = f32x4.max(y0, zero);
        y1 = f32x4.max(y1, zero);
      }
      v128.store(out, y0);
      v128.store(out, y1, 16);
    }
    return;
  }
  const rowBytes = <usize>c << 2;
  for (let r = 0; r < rows; r++, x += rowBytes, out += rowBytes) {
    let ch = 0;
    for (; ch < c4; ch += 4) {
      const o = <usize>ch << 2;
      let y = f32x4.add(f32x4.mul(f32x4.sub(v128.load(x + o), v128.load(m + o)), v128.load(k + o)), v128.load(t + o));
      if (relu) y = f32x4.max(y, zero);
      v128.store(out + o, y);
    }
    for (; ch < c; ch++) {
      const o = <usize>ch << 2;
      let y: f32 = (load<f32>(x + o) - load<f32>(m + o)) * load<f32>(k + o) + load<f32>(t + o);
      if (relu && !(y > 0) && y == y) y = 0;
      store<f32>(out + o, y);
    }
  }
}

/**
 * dx = a·(dy − g) + (b·(x − m) + e) per channel (the batch-norm input gradient; a, g, b, e, m: float32 per channel;
 * g is the channel mean of dy, so a batch of one gives exactly 0).
 */
export function bnGradApply(x: usize, dy: usize, m: usize, coef: usize, dx: usize, rows: i32, c: i32): void {
  const c4 = c & ~3;
  const rowBytes = <usize>c << 2;
  const cb = <usize>c << 2;
  const a = coef, g = coef + cb, b = coef + 2 * cb, e = coef + 3 * cb;
  if (c == 8) {
    // Every coefficient in registers.
    const m0 = v128.load(m), m1 = v128.load(m, 16), a0 = v128.load(a), a1 = v128.load(a, 16), g0 = v128.load(g), g1 = v128.load(g, 16);
    const b0 = v128.load(b), b1 = v128.load(b, 16), e0 = v128.load(e), e1 = v128.load(e, 16);
    for (let r = 0; r < rows; r++, x += 32, dy += 32, dx += 32) {
      const t0 = f32x4.mul(a0, f32x4.sub(v128.load(dy), g0));
      const t1 = f32x4.mul(a1, f32x4.sub(v128.load(dy, 16), g1));
      v128.store(dx, f32x4.add(t0, f32x4.add(f32x4.mul(b0, f32x4.sub(v128.load(x), m0)), e0)));
      v128.store(dx, f32x4.add(t1, f32x4.add(f32x4.mul(b1, f32x4.sub(v128.load(x, 16), m1)), e1)), 16);
    }
    return;
  }
  for (let r = 0; r < rows; r++, x += rowBytes, dy += rowBytes, dx += rowBytes) {
    let ch = 0;
    for (; ch < c4; ch += 4) {
      const o = <usize>ch << 2;
      const d = f32x4.sub(v128.load(x + o), v128.load(m + o));
      const t = f32x4.mul(v128.load(a + o), f32x4.sub(v128.load(dy + o), v128.load(g + o)));
      v128.store(dx + o, f32x4.add(t, f32x4.add(f32x4.mul(v128.load(b + o), d), v128.load(e + o))));
    }
    for (; ch < c; ch++) {
      const o = <usize>ch << 2;
      const d: f32 = load<f32>(x + o) - load<f32>(m + o);
      store<f32>(dx + o, load<f32>(a + o) * (load<f32>(dy + o) - load<f32>(g + o)) + (load<f32>(b + o) * d + load<f32>(e + o)));
    }
  }
}
