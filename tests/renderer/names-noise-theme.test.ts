// @vitest-environment happy-dom
// Findings 6, 7 and the theme (issue 17): one name per run from the project's records; layers named by editor
// position and type; a comparison with one seed per arm says so, offers the repeat in place, never zooms its
// axes below a known seed spread and calls a difference only beyond it; the theme switch is kept in the data
// folder and paints the page.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import type { Comparison, RunListItem } from '../../shared/api/index.js';
import { setApi } from '../../renderer/src/api/client.js';
import { prefersDark, spanBounds } from '../../renderer/src/components/charts.js';
import ThemeSwitch from '../../renderer/src/components/ThemeSwitch.vue';
import { makeI18n } from '../../renderer/src/i18n/index.js';
import { editorPosition, layerNames } from '../../renderer/src/layer-names.js';
import { useComparisonStore } from '../../renderer/src/stores/comparison.js';
import { useRunNamesStore } from '../../renderer/src/stores/run-names.js';
import { useRunsStore } from '../../renderer/src/stores/runs.js';
import { useSettingsStore } from '../../renderer/src/stores/settings.js';
import { installFakeApi } from './support/fake-api.js';
import { config, MLP_SPEC, report, run, series } from './support/fixtures.js';

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => setApi(null));

const group = (id: number, kind: Comparison['kind'], baseRunId: number | null, runIds: number[]): Comparison =>
  ({ id, projectId: 1, name: `g${id}`, notes: '', runIds, kind, baseRunId, lessonId: null, createdAt: '', updatedAt: '' }) as Comparison;

function projectApi(runs: RunListItem[], comparisons: Comparison[] = [], extra: Record<string, (input: never) => unknown> = {}) {
  return installFakeApi({
    'models.list': () => [{ id: 10, projectId: 1, parentId: null, name: 'MNIST MLP', spec: MLP_SPEC, hash: 'h', createdAt: '' }],
    'models.get': () => ({ id: 10, projectId: 1, parentId: null, name: 'MNIST MLP', spec: MLP_SPEC, hash: 'h', createdAt: '' }),
    'datasets.list': () => [{ id: 20, projectId: 1, name: 'MNIST', source: { kind: 'mnist' }, split: {}, fingerprint: 'f', createdAt: '' }],
    'comparisons.list': () => comparisons,
    'runs.list': () => runs,
    'queue.get': () => ({ concurrency: 1, active: [], pending: [] }),
    'metrics.series': () => [],
    ...extra,
  } as never);
}

describe('one name per run (finding 6)', () => {
  it('is the project-wide number and what differs from the run it was made from, wherever it is asked', async () => {
    const runs = [
      run(11, { number: 1, config: config({ dropout: { rate: 0.5 } }) }),
      run(12, { number: 2, name: 'run 11: dropout off', config: config() }),
      run(13, { number: 3, name: 'run 11, seed 2', seed: 2, config: config({ dropout: { rate: 0.5 } }, 2) }),
      run(14, { number: 4, config: config({ dropout: { rate: 0.5 } }, 2) }),
    ];
    projectApi(runs, [group(1, 'ablation', 11, [11, 12]), group(2, 'seeds', 11, [11, 13])]);
    await useRunsStore().load(1);
    const names = useRunNamesStore();
    await names.load(1);
    expect([11, 12, 13, 14].map((id) => names.title(id))).toEqual(['#1', '#2 · dropout off', '#3 · seed 2', '#4 · = #3']);
    expect(names.parentOf(12)?.number).toBe(1);
    expect(names.datasetOf(runs[0]!)).toEqual({ kind: 'mnist' });
  });

  it('names per-layer statistics by editor position and type, through the layers the tricks inserted', () => {
    expect(editorPosition('layers[3]')).toBe('3');
    expect(editorPosition('layers[2].layers[0]')).toBe('2›0');
    expect(editorPosition('layers[4].branches[1][0]')).toBe('4›b2›0');
    const names = layerNames(MLP_SPEC, config({ batchNorm: { momentum: 0.99, epsilon: 0.001 } }));
    // MLP: input, flatten, dense 128 relu, dense 10 softmax. Batch norm after the hidden dense moves its relu.
    expect(names).toEqual({
      'layers[0]': '0 · input',
      'layers[1]': '1 · flatten',
      'layers[2]': '2 · dense 128 relu',
      'layers[3]': '2 · dense 128 relu + batchNorm',
      'layers[4]': '2 · dense 128 relu + activation',
      'layers[5]': '3 · dense 10 softmax',
    });
  });
});

describe('comparisons show noise (finding 7)', () => {
  const curves = (values: Record<number, number>) => ({
    'metrics.curves': ({ runIds }: { runIds: number[] }) => runIds.map((id) => ({ runId: id, series: [series('valAccuracy', [0.9, values[id] ?? 0.95])] })),
    'runs.report': ({ id }: { id: number }) => report(id),
  });

  it('with one seed per arm: says so, does not call a 0.1-point gap, and keeps the axes at least a point tall', async () => {
    const runs = [run(1, { config: config() }), run(2, { config: config({ dropout: { rate: 0.5 } }) })];
    projectApi(runs, [], curves({ 1: 0.959, 2: 0.958 }));
    await useRunsStore().load(1);
    await useRunNamesStore().load(1);
    const store = useComparisonStore();
    await store.open(1, [1, 2]);
    expect(store.singleSeed).toBe(true);
    expect(store.call).toMatchObject({ best: 1, next: 2, spread: null, beyond: null });
    expect(store.minSpan).toBe(0.01);
    expect(store.gainSpan).toBe(0.01);
    // The cost-and-gain axis around 0.958–0.959 shows at least that point.
    const bounds = spanBounds(store.gainSpan, { lo: 0, hi: 1 });
    const extent = { min: 0.958, max: 0.959 };
    expect(bounds.max(extent)! - bounds.min(extent)!).toBeCloseTo(0.01, 10);
  });

  it('a seed spread seen in the project’s other runs of the same setup bounds the axes and decides the call', async () => {
    // #1 and #3, #4 share a setup (seeds 1, 2, 3): their final validation accuracy spans 2 points.
    const runs = [
      run(1, { config: config(), finalMetrics: { valAccuracy: 0.95 } }),
      run(2, { config: config({ dropout: { rate: 0.5 } }), finalMetrics: { valAccuracy: 0.96 } }),
      run(3, { seed: 2, config: config({}, 2), finalMetrics: { valAccuracy: 0.97 } }),
      run(4, { seed: 3, config: config({}, 3), finalMetrics: { valAccuracy: 0.96 } }),
    ];
    projectApi(runs, [], curves({ 1: 0.95, 2: 0.958 }));
    await useRunsStore().load(1);
    await useRunNamesStore().load(1);
    const store = useComparisonStore();
    await store.open(1, [1, 2]);
    expect(store.minSpan).toBeCloseTo(0.02, 10);
    expect(store.call).toMatchObject({ best: 2, next: 1, beyond: false });
    expect(store.call!.spread).toBeCloseTo(0.02, 10);
  });

  it('repeats every arm with 3 seeds in place: the comparison then holds the seeds and draws bands', async () => {
    const runs = [run(1, { config: config() }), run(2, { config: config({ dropout: { rate: 0.5 } }) })];
    let next = 3;
    const api = projectApi(runs, [], {
      ...curves({}),
      'runs.repeat': ({ runId }: { runId: number }) => {
        const base = runs.find((r) => r.id === runId)!;
        const more = [1, 2].map((k) => run(next++, { seed: 1 + k, config: { ...base.config, seed: 1 + k } }));
        runs.push(...more);
        return { comparison: group(9, 'seeds', runId, [runId, ...more.map((r) => r.id)]), runs: more };
      },
    });
    const store = useComparisonStore();
    await store.open(1, [1, 2]);
    expect(store.singleSeed).toBe(true);
    expect(await store.repeatArms(3)).toBe(true);
    expect(api.called('runs.repeat').map((c) => c.input)).toEqual([{ runId: 1, seeds: 3 }, { runId: 2, seeds: 3 }]);
    expect(store.runIds).toEqual([1, 2, 3, 4, 5, 6]);
    expect(store.singleSeed).toBe(false);
    expect(store.banded).toBe(true);
    expect(store.groups).toEqual([[1, 3, 4], [2, 5, 6]]);
  });
});

describe('theme switch', () => {
  it('starts from the data folder’s choice, paints the page, and remembers a new one there', async () => {
    localStorage.clear();
    let stored = 'dark';
    const api = installFakeApi({
      'settings.get': () => ({ theme: stored }),
      'settings.update': ({ theme }: { theme: string }) => ({ theme: (stored = theme) }),
    } as never);
    const wrapper = mount(ThemeSwitch, { global: { plugins: [makeI18n('en')] } });
    await flushPromises();
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(prefersDark.value).toBe(true);
    expect((wrapper.find('[data-testid="theme"]').element as HTMLSelectElement).value).toBe('dark');
    await wrapper.find('[data-testid="theme"]').setValue('light');
    await flushPromises();
    expect(api.called('settings.update').map((c) => c.input)).toEqual([{ theme: 'light' }]);
    expect(stored).toBe('light');
    expect(document.documentElement.dataset.theme).toBe('light');
    expect(prefersDark.value).toBe(false);
    expect(localStorage.getItem('layerwise.theme')).toBe('light');
    await useSettingsStore().setTheme('system');
    expect(document.documentElement.dataset.theme).toBeUndefined();
    wrapper.unmount();
  });
});

describe('the project list (finding 8)', () => {
  it('puts the lessons’ projects after the user’s own, marked, and points at the presets above', async () => {
    const { default: ProjectList } = await import('../../renderer/src/components/ProjectList.vue');
    const { useProjectsStore } = await import('../../renderer/src/stores/projects.js');
    const project = (id: number, name: string) => ({ id, name, notes: '', createdAt: '2026-01-01T00:00:00Z' });
    installFakeApi({ 'projects.list': () => [], 'presets.list': () => [] } as never);
    const store = useProjectsStore();
    store.loaded = true;
    const wrapper = mount(ProjectList, { global: { plugins: [makeI18n('en')] } });
    expect(wrapper.find('[data-testid="projects-empty"]').text()).toContain('Start from a preset above');
    store.projects = [project(5, 'Lessons'), project(4, 'Mine'), project(3, 'Lesson c: Dropout'), project(2, 'Older')];
    await flushPromises();
    const items = wrapper.findAll('[data-testid="project-item"]');
    expect(items.map((i) => i.find('[data-testid="project-open"]').text())).toEqual(['Mine', 'Older', 'Lessons', 'Lesson c: Dropout']);
    expect(items.map((i) => i.attributes('data-lessons'))).toEqual(['false', 'false', 'true', 'true']);
    wrapper.unmount();
  });
});
