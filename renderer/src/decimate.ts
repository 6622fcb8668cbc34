// Min–max decimation of a live curve for drawing: the x range is cut into at most ~2 × `buckets` equal
// buckets, each keeping its lowest and highest point (in x order), so peaks and dips survive and the drawn
// line is the same at pixel scale. A curve that only grows is decimated incrementally (buckets widen by
// doubling as it grows), so each new point costs O(1); ECharts then samples what it gets with LTTB.
import type { Point } from './series.js';

interface Bucket {
  k: number;
  min: Point;
  max: Point;
}

interface State {
  /** Points of the source folded in so far. */
  n: number;
  /** The last folded source point (a replaced last point means a rebuild). */
  last: Point | undefined;
  x0: number;
  width: number;
  buckets: Bucket[];
  out: Point[] | null;
}

const states = new WeakMap<readonly Point[], State>();

function fold(s: State, p: Point, limit: number): void {
  const k = Math.floor((p[0] - s.x0) / s.width);
  const b = s.buckets[s.buckets.length - 1];
  if (b && b.k === k) {
    if (p[1] < b.min[1]) b.min = p;
    if (p[1] > b.max[1]) b.max = p;
  } else s.buckets.push({ k, min: p, max: p });
  if (s.buckets.length > limit) {
    // Twice as wide: neighbouring buckets merge.
    s.width *= 2;
    const merged: Bucket[] = [];
    for (const old of s.buckets) {
      const nk = Math.floor(old.k / 2);
      const m = merged[merged.length - 1];
      if (m && m.k === nk) {
        if (old.min[1] < m.min[1]) m.min = old.min;
        if (old.max[1] > m.max[1]) m.max = old.max;
      } else merged.push({ k: nk, min: old.min, max: old.max });
    }
    s.buckets = merged;
  }
}

/** The points to draw: the curve itself when short, else its min–max decimation (≤ ~4 × `buckets` points). */
export function decimate(points: readonly Point[], buckets = 250): readonly Point[] {
  if (points.length <= buckets * 4) return points;
  let s = states.get(points);
  if (!s || s.n > points.length || (s.n > 0 && points[s.n - 1] !== s.last)) {
    const first = points[0]![0];
    const span = points[points.length - 1]![0] - first;
    s = { n: 0, last: undefined, x0: first, width: Math.max(span / buckets, Number.EPSILON), buckets: [], out: null };
    states.set(points, s);
  }
  if (s.n < points.length) {
    for (let i = s.n; i < points.length; i++) fold(s, points[i]!, buckets * 2);
    s.n = points.length;
    s.last = points[points.length - 1];
    s.out = null;
  }
  if (!s.out) {
    const out: Point[] = [];
    for (const b of s.buckets) {
      if (b.min === b.max) out.push(b.min);
      else if (b.min[0] <= b.max[0]) out.push(b.min, b.max);
      else out.push(b.max, b.min);
    }
    s.out = out;
  }
  return s.out;
}
