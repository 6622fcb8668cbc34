// @vitest-environment happy-dom
// The comparison's panels mounted: the runs list picks and opens a comparison; curves per run or bands per seed
// group (LTTB-sampled); the diff shows only differing fields; the summary sorts; cost against gain; the verdict.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { setApi } from '../../renderer/src/api/client.js';
import CompareCurves from '../../renderer/src/components/compare/CompareCurves.vue';
import ComparisonView from '../../renderer/src/components/compare/ComparisonView.vue';
import ConfigDiff from '../../renderer/src/components/compare/ConfigDiff.vue';
import ComputeView from '../../renderer/src/components/compare/ComputeView.vue';
import SummaryTable from '../../renderer/src/components/compare/SummaryTable.vue';
import VerdictPanel from '../../renderer/src/components/compare/VerdictPanel.vue';
import RunsList from '../../renderer/src/components/RunsList.vue';
import { makeI18n } from '../../renderer/src/i18n/index.js';
import { decimate } from '../../renderer/src/decimate.js';
import { frameBatcher } from '../../renderer/src/live.js';
import type { SummaryRow } from '../../renderer/src/stores/comparison.js';
import { useComparisonStore } from '../../renderer/src/stores/comparison.js';
import { createTestRouter } from '../../renderer/src/router/index.js';
import { installRouter, useNavStore } from '../../renderer/src/stores/nav.js';
import { useProjectsStore } from '../../renderer/src/stores/projects.js';
import { useRunsStore } from '../../renderer/src/stores/runs.js';
import { ChartStub, installFakeApi } from './support/fake-api.js';
import { config, MLP_SPEC, run, series } from './support/fixtures.js';

afterEach(() => setApi(null));

function mountWith<T>(component: T, props: Record<string, unknown> = {}) {
  const pinia = createPinia();
  setActivePinia(pinia);
  return mount(component as never, { props: props as never, global: { plugins: [pinia, makeI18n('en')], stubs: { Echarts: ChartStub } } });
}

const row = (runId: number, over: Partial<SummaryRow>): SummaryRow => ({
  runId,
  color: '#000',
  status: 'completed',
  bestValAccuracy: 0.9,
  bestEpoch: 2,
  testAccuracy: 0.89,
  seconds: 10,
  parameters: 1000,
  backend: 'wasm',
  ...over,
});

describe('frameBatcher', () => {
  it('applies every push of a frame in one call', () => {
    const applied: number[][] = [];
    let frame: (() => void) | null = null;
    const batch = frameBatcher<number>(
      (items) => applied.push(items),
      (run) => ((frame = run), () => (frame = null)),
    );
    batch.push(1);
    batch.push(2);
    batch.push(3);
    expect(applied).toEqual([]);
    expect(batch.pending).toBe(3);
    frame!();
    expect(applied).toEqual([[1, 2, 3]]);
    batch.push(4);
    batch.cancel();
    expect(frame).toBeNull();
    expect(batch.pending).toBe(0);
  });

  it('keeps applies at least minIntervalMs apart, then still waits for a frame', () => {
    vi.useFakeTimers();
    try {
      const applied: number[][] = [];
      let frame: (() => void) | null = null;
      const batch = frameBatcher<number>(
        (items) => applied.push(items),
        (run) => ((frame = run), () => (frame = null)),
        250,
      );
      batch.push(1);
      frame!(); // the first push after a quiet spell goes on the next frame
      frame = null;
      expect(applied).toEqual([[1]]);
      batch.push(2);
      batch.push(3);
      expect(frame).toBeNull(); // not before 250 ms have passed
      vi.advanceTimersByTime(249);
      expect(frame).toBeNull();
      vi.advanceTimersByTime(1);
      expect(applied).toEqual([[1]]);
      frame!();
      expect(applied).toEqual([[1], [2, 3]]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('decimate', () => {
  it('keeps short curves, and decimates a growing one incrementally to the same result as from scratch', () => {
    const short: [number, number][] = [[1, 1]];
    expect(decimate(short)).toBe(short);
    const live: [number, number][] = [];
    for (let x = 1; x <= 30_000; x++) {
      live.push([x, Math.cos(x / 300) * x]);
      if (x % 997 === 0) decimate(live, 100);
    }
    const incremental = decimate(live, 100);
    const fresh = decimate(live.slice(), 100);
    expect(incremental.length).toBeLessThanOrEqual(400);
    expect(Math.max(...incremental.map((p) => p[1]))).toBe(Math.max(...live.map((p) => p[1])));
    expect(Math.min(...fresh.map((p) => p[1]))).toBe(Math.min(...live.map((p) => p[1])));
    // x stays ascending.
    expect(incremental.every((p, i) => i === 0 || p[0] > incremental[i - 1]![0])).toBe(true);
  });
});

describe('CompareCurves', () => {
  it('draws one LTTB-sampled line per run in its colour, long curves decimated into a typed array', () => {
    const points = Array.from({ length: 10_000 }, (_, i) => [i + 1, Math.sin(i / 50) + (i === 5_000 ? 3 : 0)] as [number, number]);
    const short: [number, number][] = [
      [1, 0.5],
      [2, 0.7],
    ];
    const wrapper = mountWith(CompareCurves, {
      xName: 'Epoch',
      lines: [
        { key: 'r1', label: 'Run #1', color: '#f00', runIds: [1], points },
        { key: 'r2', label: 'Run #2', color: '#0f0', runIds: [2], points: short },
      ],
    });
    const option = wrapper.findComponent(ChartStub).props('option') as { series: Array<{ name: string; sampling: string; color: string; data: Float64Array; dimensions: string[] }> };
    expect(option.series.map((s) => [s.name, s.color, s.sampling])).toEqual([
      ['Run #1', '#f00', 'lttb'],
      ['Run #2', '#0f0', 'lttb'],
    ]);
    const long = option.series[0]!.data;
    expect(long).toBeInstanceOf(Float64Array);
    expect(option.series[0]!.dimensions).toEqual(['x', 'y']);
    expect(long.length / 2).toBeLessThanOrEqual(4_000);
    const ys = long.filter((_, i) => i % 2 === 1);
    // The spike and the curve's extremes survive the decimation.
    expect(Math.max(...ys)).toBe(Math.max(...points.map((p) => p[1])));
    expect(Math.min(...ys)).toBe(Math.min(...points.map((p) => p[1])));
    expect(Array.from(option.series[1]!.data)).toEqual([1, 0.5, 2, 0.7]);
    expect(wrapper.find('[data-testid="compare-chart"]').attributes('data-series')).toBe('2');
  });

  it('draws a seed group as a min–max area under its mean line, all under one legend name', () => {
    const band = { x: [1, 2], mean: [0.5, 0.7], std: [0.1, 0.1], min: [0.4, 0.6], max: [0.6, 0.8], n: [2, 2] };
    const wrapper = mountWith(CompareCurves, { xName: 'Epoch', lines: [{ key: 'g1', label: 'base (2 seeds)', color: '#00f', runIds: [1, 2], band }] });
    const option = wrapper.findComponent(ChartStub).props('option') as { series: Array<{ name: string; data: Float64Array; stack?: string; areaStyle?: unknown }> };
    expect(option.series.map((s) => s.name)).toEqual(['base (2 seeds)', 'base (2 seeds)', 'base (2 seeds)']);
    expect(Array.from(option.series[0]!.data)).toEqual([1, 0.4, 2, 0.6]);
    expect(option.series[1]!.stack).toBe(option.series[0]!.stack);
    expect(option.series[1]!.data[1]).toBeCloseTo(0.2);
    expect(option.series[1]!.areaStyle).toBeDefined();
    expect(Array.from(option.series[2]!.data)).toEqual([1, 0.5, 2, 0.7]);
  });
});

describe('ConfigDiff, SummaryTable, ComputeView, VerdictPanel', () => {
  it('lists only the differing fields, one column per run', () => {
    const wrapper = mountWith(ConfigDiff, {
      ready: true,
      rows: [{ field: 'dropout', values: ['off', 'on (rate 0.5)'] }],
      columns: [
        { runId: 1, label: 'Run #1', color: '#f00' },
        { runId: 2, label: 'Run #2', color: '#0f0' },
      ],
    });
    const rows = wrapper.findAll('[data-testid="diff-row"]');
    expect(rows.map((r) => r.attributes('data-field'))).toEqual(['dropout']);
    expect(rows[0]!.findAll('td').map((td) => td.text())).toEqual(['off', 'on (rate 0.5)']);
  });

  it('sorts by a column, reverses on a second click, and keeps unknown values last', async () => {
    const rows = [row(1, { bestValAccuracy: 0.8, seconds: 30 }), row(2, { bestValAccuracy: 0.95, seconds: null }), row(3, { bestValAccuracy: null, seconds: 5 })];
    const wrapper = mountWith(SummaryTable, { rows, labels: { 1: 'a', 2: 'b', 3: 'c' } });
    const order = () => wrapper.findAll('[data-testid="summary-row"]').map((r) => r.attributes('data-run-id'));
    expect(order()).toEqual(['1', '2', '3']);
    await wrapper.find('[data-testid="sort-bestValAccuracy"]').trigger('click');
    expect(order()).toEqual(['2', '1', '3']);
    await wrapper.find('[data-testid="sort-bestValAccuracy"]').trigger('click');
    expect(order()).toEqual(['1', '2', '3']);
    await wrapper.find('[data-testid="sort-seconds"]').trigger('click');
    expect(order()).toEqual(['3', '1', '2']);
    expect(wrapper.find('[data-testid="summary-row"] [data-col="bestValAccuracy"]').text()).toBe('—');
  });

  it('plots accuracy against seconds and against parameters', () => {
    const wrapper = mountWith(ComputeView, { rows: [row(1, { seconds: 12.345, parameters: 500 }), row(2, { bestValAccuracy: null })], labels: { 1: 'a', 2: 'b' } });
    const [bySeconds, byParams] = wrapper.findAllComponents(ChartStub).map((c) => c.props('option') as { series: Array<{ type: string; data: Array<{ value: number[] }> }> });
    expect(bySeconds!.series[0]!.type).toBe('scatter');
    expect(bySeconds!.series[0]!.data.map((d) => d.value)).toEqual([[12.35, 0.9]]);
    expect(byParams!.series[0]!.data.map((d) => d.value)).toEqual([[500, 0.9]]);
  });

  it('shows the verdict and its numbers per arm', () => {
    const verdict = {
      lessonId: 'dropout',
      comparisonId: 1,
      ready: true,
      appeared: false,
      text: 'dropout 0.5: −0.1 points test accuracy at epoch 2, 1 seed.',
      judged: [],
      arms: [{ label: 'dropout 0', runIds: [1], metric: 'testAccuracy', mean: 0.9, spread: 0.01, seeds: 1 }],
    };
    const wrapper = mountWith(VerdictPanel, { verdict, claim: 'Dropout helps a network that overfits.' });
    expect(wrapper.find('[data-testid="verdict-status"]').text()).toBe('The effect did not appear in these numbers.');
    expect(wrapper.find('[data-testid="verdict-text"]').text()).toContain('−0.1 points');
    expect(wrapper.find('[data-testid="verdict-arm"]').text()).toContain('90.00%');
  });
});

describe('RunsList and ComparisonView', () => {
  it('picks two runs, compares them, and shows two curves and exactly one diff row', async () => {
    installFakeApi({
      'runs.list': () => [run(1), run(2, { config: config({ dropout: { rate: 0.5 } }) })],
      'queue.get': () => ({ concurrency: 1, active: [], pending: [] }),
      'comparisons.list': () => [],
      'datasets.list': () => [{ id: 20, projectId: 1, name: 'MNIST', source: { kind: 'mnist' }, split: {}, fingerprint: 'f', createdAt: '' }],
      'models.get': () => ({ id: 10, projectId: 1, parentId: null, name: 'MNIST MLP', spec: MLP_SPEC, hash: 'h', createdAt: '' }),
      'metrics.curves': ({ runIds }: { runIds: number[] }) => runIds.map((id) => ({ runId: id, series: [series('valAccuracy', [0.8, 0.9])] })),
      'runs.report': () => null,
      'metrics.series': () => [],
      'spec.check': () => ({ ok: true, errors: [], info: { totalParams: 7 }, expanded: null }),
    } as never);
    const pinia = createPinia();
    setActivePinia(pinia);
    installRouter(createTestRouter());
    await useNavStore().openTab('runs', 1);
    useProjectsStore().currentId = 1;
    const runs = useRunsStore();
    await runs.load(1);
    const list = mount(RunsList, { global: { plugins: [pinia, makeI18n('en')], stubs: { Echarts: ChartStub } } });
    await flushPromises();
    expect(list.findAll('[data-testid="run-row"]')).toHaveLength(2);
    expect(list.find('[data-testid="compare-picked"]').attributes('disabled')).toBeDefined();
    for (const pick of list.findAll('[data-testid="run-pick"]')) await pick.setValue(true);
    await list.find('[data-testid="compare-picked"]').trigger('click');
    await flushPromises();
    // The address names the picked runs (`compare?runs=1,2`); the comparison view opens them from there.
    expect(useNavStore().tab).toBe('compare');
    expect(useNavStore().comparisonPlace).toEqual({ runIds: [1, 2] });

    const view = mount(ComparisonView, { global: { plugins: [pinia, makeI18n('en')], stubs: { Echarts: ChartStub } } });
    await flushPromises();
    expect(useComparisonStore().runIds).toEqual([1, 2]);
    expect(view.find('[data-testid="compare-chart"]').attributes('data-series')).toBe('2');
    expect(view.findAll('[data-testid="diff-row"]').map((r) => r.attributes('data-field'))).toEqual(['dropout']);
    expect(view.findAll('[data-testid="summary-row"]')).toHaveLength(2);
    expect(view.find('[data-testid="compare-progress"]').text()).toBe('2 of 2 runs finished');
    expect(view.find('[data-testid="verdict-panel"]').exists()).toBe(false);
  });
});
