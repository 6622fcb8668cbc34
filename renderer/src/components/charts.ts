// ECharts, tree-shaken to what the studio draws, rendered as SVG (crisp, and no canvas needed in tests).
// `echarts/core` would be the tree-shaken entry, but the layering rule's relative-path pattern matches `/core`.
import { use } from 'echarts';
import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';
import { computed, ref } from 'vue';
import type { Theme } from '../../../shared/settings/settings.js';

use([LineChart, ScatterChart, BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer, CanvasRenderer]);

/** Whether the OS asks for dark colours (followed live). */
export const systemDark = ref(false);
if (typeof window !== 'undefined' && window.matchMedia) {
  const query = window.matchMedia('(prefers-color-scheme: dark)');
  systemDark.value = query.matches;
  query.addEventListener?.('change', (e) => (systemDark.value = e.matches));
}
/** The theme the user picked (stores/settings.ts sets it): `system` follows the OS. */
export const themeChoice = ref<Theme>('system');
/** Whether the page is dark: the user's pick, or the OS's when it is `system`. Charts colour their axes by it. */
export const prefersDark = computed(() => (themeChoice.value === 'system' ? systemDark.value : themeChoice.value === 'dark'));

export const PALETTE_COLORS = ['#4f7cff', '#ff8a3d', '#2bb673', '#d64fd6', '#e0b400', '#00a5c8', '#e5484d', '#8a63d2', '#7c8b3a', '#8f8f8f'];

/** Every chart renders SVG (the full `echarts` entry defaults to canvas). */
export const SVG = { renderer: 'svg' } as const;

/**
 * Tooltips are drawn by the chart itself (rich text), never as HTML: ECharts' HTML tooltip sets `innerHTML`
 * with `style="…"` attributes, which the strict CSP (no 'unsafe-inline' in style-src) refuses.
 */
export const TOOLTIP = { renderMode: 'richText', confine: true } as const;

/**
 * The compare chart draws on a canvas: with 20 runs × 10,000 points filling in live, re-building SVG paths
 * every frame costs far more than repainting a canvas.
 */
export const CANVAS = { renderer: 'canvas', useDirtyRect: true } as const;

/** A run's colour, the same in every view: the palette for the first ids, then hues a golden angle apart. */
export function runColor(runId: number): string {
  if (runId >= 1 && runId <= PALETTE_COLORS.length) return PALETTE_COLORS[runId - 1]!;
  return `hsl(${Math.round((runId * 137.508) % 360)}, 62%, 50%)`;
}

/** Axis colours that follow the theme. */
export function axisStyle(dark: boolean) {
  return { axisLabel: { color: dark ? '#aab' : '#556' }, splitLine: { lineStyle: { color: dark ? '#334' : '#e4e6ee' } } };
}

export function legendStyle(dark: boolean) {
  return { textStyle: { color: dark ? '#dde' : '#223' } };
}

/**
 * Exponential moving average, debiased like TensorBoard's (0 = raw, 0.99 = very smooth), so the smoothed
 * curve starts at the first value rather than at zero.
 */
export function smooth(points: readonly (readonly [number, number])[], weight: number): [number, number][] {
  if (weight <= 0) return points as [number, number][];
  const out: [number, number][] = [];
  let last = 0;
  let n = 0;
  for (const [x, y] of points) {
    if (!Number.isFinite(y)) continue;
    last = last * weight + (1 - weight) * y;
    n++;
    out.push([x, last / (1 - weight ** n)]);
  }
  return out;
}

/** Points a log axis can show (positive values only). */
export function positive(points: readonly (readonly [number, number])[]): [number, number][] {
  return points.filter(([, y]) => y > 0) as [number, number][];
}

/**
 * Axis bounds that never zoom in below `span` (a known seed spread): a gap smaller than the noise must not fill
 * the chart. Kept within [lo, hi] (accuracy stays in [0, 1]); `pinHi` keeps the top at `hi` as accuracy charts
 * do. Where the data already spans more, ECharts picks its own (null: not fixed).
 */
export function spanBounds(span: number, options: { lo?: number; hi?: number; pinHi?: boolean } = {}) {
  const lo = options.lo ?? -Infinity;
  const hi = options.hi ?? Infinity;
  type Extent = { min: number; max: number };
  const widen = (extent: Extent): { min: number | null; max: number | null } => {
    const width = extent.max - extent.min;
    const pinned = options.pinHi && Number.isFinite(hi) ? hi : null;
    if (!(span > 0) || !Number.isFinite(width) || Math.max(width, pinned === null ? 0 : pinned - extent.min) >= span) return { min: null, max: pinned };
    const mid = (extent.max + extent.min) / 2;
    let min = mid - span / 2;
    let max = mid + span / 2;
    if (min < lo) [min, max] = [lo, lo + span];
    if (max > hi) [min, max] = [hi - span, hi];
    return { min: Math.max(lo, min), max: Math.min(hi, max) };
  };
  return { min: (e: Extent) => widen(e).min, max: (e: Extent) => widen(e).max };
}
