// ECharts, tree-shaken to what the studio draws, rendered as SVG (crisp, and no canvas needed in tests).
// `echarts/core` would be the tree-shaken entry, but the layering rule's relative-path pattern matches `/core`.
import { use } from 'echarts';
import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { ref } from 'vue';

use([LineChart, ScatterChart, BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

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
