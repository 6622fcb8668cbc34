// ECharts, tree-shaken to what the studio draws, rendered as SVG (crisp, and no canvas needed in tests).
// `echarts/core` would be the tree-shaken entry, but the layering rule's relative-path pattern matches `/core`.
import { use } from 'echarts';
import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';
import { ref } from 'vue';

use([LineChart, ScatterChart, BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer, CanvasRenderer]);

/** Whether the OS asks for dark colours (followed live). */
export const prefersDark = ref(false);
if (typeof window !== 'undefined' && window.matchMedia) {
  const query = window.matchMedia('(prefers-color-scheme: dark)');
  prefersDark.value = query.matches;
  query.addEventListener?.('change', (e) => (prefersDark.value = e.matches));
}

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
