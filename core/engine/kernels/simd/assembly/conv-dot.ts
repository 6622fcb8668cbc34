// Conv2D forward with ONE output channel (NHWC, filter [fh, fw, cin, 1], no dilation): each output is a dot product
// of fw·cin contiguous values of x with fw·cin contiguous filter values per filter row. This is the shape of the
// first layer's input gradient (a conv with the flipped filter back to 1 channel), which tfjs's fused conv2d
// computes in training even though nothing uses it; XNNPACK took 8–9 ms of a CNN step for it at batch 256.
// Four neighbouring outputs share each filter load; float32 sums (lane-wise, then across lanes).
import { madd } from './madd';

/** Adds the four lanes of each of a0..a3: [Σa0, Σa1, Σa2, Σa3]. */
@inline function reduce4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const s01 = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 1, 4, 5), v128.shuffle<f32>(a0, a1, 2, 3, 6, 7));
  const s23 = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 1, 4, 5), v128.shuffle<f32>(a2, a3, 2, 3, 6, 7));
  return f32x4.add(v128.shuffle<f32>(s01, s23, 0, 2, 4, 6), v128.shuffle<f32>(s01, s23, 1, 3, 5, 7));
}

@inline function finish(v: f32, bias: usize, act: i32): f32 {
  if (bias != 0) v += load<f32>(bias);
  if (act == 1) v = v != v ? v : v > 0 ? v : <f32>0;
  return v;
}

/** One output (any position, border taps skipped). */
function dotPixel(
  x: usize, w: usize, b: i32, oy: i32, ox: i32,
  h: i32, wd: i32, cin: i32, sh: i32, sw: i32, fh: i32, fw: i32, top: i32, left: i32,
): f32 {
  const rMin = max(0, top - oy * sh);
  const rMax = min(fh, h + top - oy * sh);
  const cLo = max(0, left - ox * sw);
  const cHi = min(fw, wd + left - ox * sw);
  const count = (cHi - cLo) * cin;
  let acc = f32x4.splat(0);
  let tail: f32 = 0;
  for (let r = rMin; r < rMax; r++) {
    const xp = x + (<usize>(((b * h + oy * sh + r - top) * wd + ox * sw + cLo - left) * cin) << 2);
    const wp = w + (<usize>((r * fw + cLo) * cin) << 2);
    let j = 0;
    for (; j + 4 <= count; j += 4) acc = madd(v128.load(xp + (<usize>j << 2)), v128.load(wp + (<usize>j << 2)), acc);
    for (; j < count; j++) tail += load<f32>(xp + (<usize>j << 2)) * load<f32>(wp + (<usize>j << 2));
  }
  return f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3)) + tail;
}

export function conv2dDot(
  x: usize, w: usize, out: usize,
  n: i32, h: i32, wd: i32, cin: i32, oh: i32, ow: i32,
  sh: i32, sw: i32, fh: i32, fw: i32, top: i32, left: i32,
  bias: usize, act: i32,
): void {
  // Output columns whose taps all lie inside the row (as conv2d).
  const oxLo = min(ow, (left + sw - 1) / sw);
  const oxHi = wd - fw + left >= 0 ? max(oxLo, min(ow, (wd - fw + left) / sw + 1)) : oxLo;
  const span = fw * cin;
  const span4 = span & ~3;
  const pStep = <usize>(sw * cin) << 2;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const rMin = max(0, top - oy * sh);
      const rMax = min(fh, h + top - oy * sh);
      const op = out + (<usize>((b * oh + oy) * ow) << 2);
      let ox = 0;
      for (; ox < oxLo; ox++) store<f32>(op + (<usize>ox << 2), finish(dotPixel(x, w, b, oy, ox, h, wd, cin, sh, sw, fh, fw, top, left), bias, act));
      for (; ox + 4 <= oxHi; ox += 4) {
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
        let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0;
        for (let r = rMin; r < rMax; r++) {
          const xp = x + (<usize>(((b * h + oy * sh + r - top) * wd + ox * sw - left) * cin) << 2);
          const wp = w + (<usize>(r * span) << 2);
          let j = 0;
          for (; j < span4; j += 4) {
            const o = <usize>j << 2;
            const wv = v128.load(wp + o);
            a0 = madd(v128.load(xp + o), wv, a0);
            a1 = madd(v128.load(xp + pStep + o), wv, a1);
            a2 = madd(v128.load(xp + 2 * pStep + o), wv, a2);
            a3 = madd(v128.load(xp + 3 * pStep + o), wv, a3);
          }
          for (; j < span; j++) {
            const o = <usize>j << 2;
            const wv = load<f32>(wp + o);
            t0 += load<f32>(xp + o) * wv;
            t1 += load<f32>(xp + pStep + o) * wv;
            t2 += load<f32>(xp + 2 * pStep + o) * wv;
            t3 += load<f32>(xp + 3 * pStep + o) * wv;
          }
        }
        let v = f32x4.add(reduce4(a0, a1, a2, a3), f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(t0), 1, t1), 2, t2), 3, t3));
        if (bias != 0) v = f32x4.add(v, v128.load32_splat(bias));
        if (act == 1) v = f32x4.max(v, f32x4.splat(0));
        v128.store(op + (<usize>ox << 2), v);
      }
      for (; ox < ow; ox++) store<f32>(op + (<usize>ox << 2), finish(dotPixel(x, w, b, oy, ox, h, wd, cin, sh, sw, fh, fw, top, left), bias, act));
    }
  }
}
