// @vitest-environment happy-dom
// The lessons page: the claims with their plans per budget; "Run lesson (small)" queues the lesson and opens the
// Lessons project on the comparison, whose verdict panel reads the lesson's claim, names the quantity each part
// of the verdict judged and what it was compared against, and whose chart marks an arm that diverged.
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import type { Comparison, LessonInfo, LessonVerdict } from '../../shared/api/index.js';
import { setApi } from '../../renderer/src/api/client.js';
import LessonList from '../../renderer/src/components/lessons/LessonList.vue';
import CompareCurves from '../../renderer/src/components/compare/CompareCurves.vue';
import ComparisonView from '../../renderer/src/components/compare/ComparisonView.vue';
import VerdictPanel from '../../renderer/src/components/compare/VerdictPanel.vue';
import { makeI18n } from '../../renderer/src/i18n/index.js';
import { useComparisonStore } from '../../renderer/src/stores/comparison.js';
import { useLessonsStore } from '../../renderer/src/stores/lessons.js';
import { createTestRouter } from '../../renderer/src/router/index.js';
import { installRouter, useNavStore } from '../../renderer/src/stores/nav.js';
import { LESSONS as LESSONS_BUILT_IN } from '../../shared/lessons/index.js';
import { LESSONS_ZH } from '../../renderer/src/i18n/shared-zh.js';
import { ChartStub, installFakeApi } from './support/fake-api.js';
import { config, MLP_SPEC, run, series } from './support/fixtures.js';

afterEach(() => setApi(null));

const LESSONS: LessonInfo[] = 'abcdefghij'.split('').map((letter, i) => ({
  id: i === 2 ? 'dropout' : `lesson-${letter}`,
  letter,
  title: `Lesson ${letter}`,
  claim: `Claim ${letter}.`,
  plan: { small: 'MNIST MLP, 2 epochs, 1 seed', standard: 'MNIST MLP, 8 epochs, 3 seeds' },
  arms: ['off', 'on'],
  runs: { small: 2, standard: 6 },
}));

describe('lessons', () => {
  it('lists the lessons in letter order, each with its claim and plan per budget', async () => {
    installFakeApi({ 'lessons.list': () => [...LESSONS].reverse() } as never);
    const pinia = createPinia();
    setActivePinia(pinia);
    const wrapper = mount(LessonList, { global: { plugins: [pinia, makeI18n('en')] } });
    await flushPromises();
    const cards = wrapper.findAll('[data-testid="lesson"]');
    expect(cards.map((c) => c.attributes('data-letter'))).toEqual('abcdefghij'.split(''));
    expect(cards[2]!.text()).toContain('Claim c.');
    expect(cards[2]!.text()).toContain('MNIST MLP, 2 epochs, 1 seed — 2 runs');
    expect(cards[2]!.find('[data-testid="lesson-run-small"]').text()).toBe('▶ Run lesson (small)');
  });

  it('runs a lesson on the small budget and opens its comparison', async () => {
    const comparison = { id: 4, projectId: 7, name: 'Lesson c', notes: '', runIds: [1, 2], kind: 'lesson' as const, baseRunId: null, lessonId: 'dropout', createdAt: '', updatedAt: '' };
    const api = installFakeApi({
      'lessons.list': () => LESSONS,
      'lessons.start': () => ({ comparison, runs: [run(1, { status: 'queued', projectId: 7 }), run(2, { status: 'queued', projectId: 7 })], project: { id: 7, name: 'Lesson c', notes: '', createdAt: '' } }),
      'projects.list': () => [{ id: 7, name: 'Lesson c', notes: '', createdAt: '' }],
      'presets.list': () => [],
      'runs.list': () => [run(1, { status: 'queued', projectId: 7 }), run(2, { status: 'queued', projectId: 7 })],
      'datasets.list': () => [{ id: 20, projectId: 7, name: 'MNIST', source: { kind: 'mnist' }, split: {}, fingerprint: 'f', createdAt: '' }],
      'models.get': () => ({ id: 10, projectId: 7, parentId: null, name: 'MNIST MLP', spec: MLP_SPEC, hash: 'h', createdAt: '' }),
      'metrics.curves': () => [],
      'spec.check': () => ({ ok: true, errors: [], info: { totalParams: 7 }, expanded: null }),
      'lessons.verdict': () => ({ lessonId: 'dropout', comparisonId: 4, ready: false, appeared: null, text: '2 runs left', judged: [], arms: [] }),
      'comparisons.get': () => comparison,
      'runs.report': () => null,
    } as never);
    const pinia = createPinia();
    setActivePinia(pinia);
    installRouter(createTestRouter());
    await useNavStore().openLessons();
    expect(useNavStore().lessons).toBe(true);
    const wrapper = mount(LessonList, { global: { plugins: [pinia, makeI18n('en')] } });
    await flushPromises();
    await wrapper.find('[data-lesson="dropout"] [data-testid="lesson-run-small"]').trigger('click');
    await flushPromises();
    expect(api.called('lessons.start')[0]!.input).toEqual({ lessonId: 'dropout', budget: 'small' });
    // The address now names the lesson's project and its comparison; the comparison view opens it from there.
    expect(useNavStore().projectId).toBe(7);
    expect(useNavStore().lessons).toBe(false);
    expect(useNavStore().tab).toBe('compare');
    expect(useNavStore().comparisonPlace).toEqual({ comparisonId: 4 });
    mount(ComparisonView, { global: { plugins: [pinia, makeI18n('en')], stubs: { Echarts: ChartStub } } });
    await flushPromises();
    const store = useComparisonStore();
    expect(store.comparison?.lessonId).toBe('dropout');
    expect(store.verdict?.text).toBe('2 runs left');
    expect(useLessonsStore().starting).toBeNull();
    store.close();
  });
});

describe('lessons in Simplified Chinese', () => {
  it('translates every built-in lesson\'s title and claim', () => {
    for (const lesson of LESSONS_BUILT_IN) {
      expect(LESSONS_ZH[lesson.info.id]?.title, lesson.info.id).toMatch(/\S/);
      expect(LESSONS_ZH[lesson.info.id]?.claim, lesson.info.id).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(Object.keys(LESSONS_ZH).sort()).toEqual(LESSONS_BUILT_IN.map((l) => l.info.id).sort());
  });

  it('shows the lessons in Chinese when the page is', async () => {
    installFakeApi({ 'lessons.list': () => LESSONS_BUILT_IN.map((l) => ({ ...l.info, arms: [], runs: { small: 1, standard: 1 } })) } as never);
    const pinia = createPinia();
    setActivePinia(pinia);
    const wrapper = mount(LessonList, { global: { plugins: [pinia, makeI18n('zh-CN')] } });
    await flushPromises();
    expect(wrapper.find('[data-lesson="dropout"] h3').text()).toBe(LESSONS_ZH.dropout!.title);
    expect(wrapper.find('[data-lesson="dropout"] .claim').text()).toBe(LESSONS_ZH.dropout!.claim);
    expect(wrapper.find('[data-lesson="dropout"] [data-testid="lesson-run-small"]').text()).toBe('▶ 运行课程（小）');
  });
});

describe('the verdict panel', () => {
  const mountPanel = (verdict: LessonVerdict) => {
    const pinia = createPinia();
    setActivePinia(pinia);
    return mount(VerdictPanel, { props: { verdict, claim: 'Dropout overfits less.' }, global: { plugins: [pinia, makeI18n('en')] } });
  };
  const verdict = (over: Partial<LessonVerdict>): LessonVerdict => ({
    lessonId: 'dropout',
    comparisonId: 4,
    ready: true,
    appeared: true,
    text: 'dropout 0.5: -0.075 test loss vs dropout 0 after 20 epochs, 3 seeds (paired by seed, spread ±0.005).',
    judged: [
      { quantity: 'test loss after 20 epochs (paired by seed)', against: '0.020, or 2 × the spread of the per-seed differences (±0.005) if larger', appeared: true },
      { quantity: 'train/test loss gap after 20 epochs (paired by seed)', against: '0.020, or 2 × the spread of the per-seed differences (±0.030) if larger', appeared: false },
    ],
    arms: [{ label: 'dropout 0', runIds: [1, 2, 3], metric: 'testLoss', mean: 0.4321, spread: 0.011, seeds: 3 }],
    ...over,
  });

  it('names each judged quantity, what it was compared against, and its outcome', () => {
    const wrapper = mountPanel(verdict({ appeared: false }));
    expect(wrapper.find('[data-testid="verdict-status"]').text()).toBe('The effect did not appear in these numbers.');
    const items = wrapper.findAll('[data-testid="verdict-judged-item"]');
    expect(items.map((i) => i.attributes('data-appeared'))).toEqual(['true', 'false']);
    expect(items[0]!.text()).toBe(
      'Judged: test loss after 20 epochs (paired by seed); against 0.020, or 2 × the spread of the per-seed differences (±0.005) if larger — appeared',
    );
    expect(items[1]!.text()).toContain('train/test loss gap after 20 epochs (paired by seed)');
    expect(items[1]!.text()).toMatch(/— did not appear$/);
    expect(wrapper.find('[data-testid="verdict-arm"]').text()).toContain('0.4321');
  });

  it('says "not judged" for a finished verdict that could not judge (one seed), and for each part', () => {
    const wrapper = mountPanel(
      verdict({ appeared: null, judged: [{ quantity: 'test accuracy after 2 epochs (mean over seeds)', against: 'one seed: not judged (no spread to compare against)', appeared: null }] }),
    );
    expect(wrapper.find('[data-testid="verdict-panel"]').attributes('data-appeared')).toBe('');
    expect(wrapper.find('[data-testid="verdict-status"]').text()).toBe('Not judged: too few seeds or numbers to compare against a spread.');
    expect(wrapper.find('[data-testid="verdict-judged-item"]').text()).toMatch(/one seed: not judged \(no spread to compare against\) — not judged$/);
  });

  it('shows no judged list while the runs are still training', () => {
    const wrapper = mountPanel(verdict({ ready: false, appeared: null, judged: [], text: '2 of 6 runs still to finish' }));
    expect(wrapper.find('[data-testid="verdict-status"]').text()).toBe('Waiting for the runs to finish…');
    expect(wrapper.find('[data-testid="verdict-judged"]').exists()).toBe(false);
  });
});

describe('a diverged arm on the lesson chart', () => {
  it('marks the epoch each diverged run diverged in, even when it has no points, and says so in the legend', async () => {
    const clip = (id: number, seed: number, status: 'completed' | 'diverged', maxNorm?: number) =>
      run(id, {
        status,
        config: config(maxNorm === undefined ? {} : { clipNorm: { maxNorm } }, seed),
        finalMetrics: status === 'diverged' ? { epochs: 0 } : { testAccuracy: 0.8 },
        name: `e) ${maxNorm === undefined ? 'no clipping' : `clip norm θ=${maxNorm}`}, seed ${seed}`,
      });
    const runs = [clip(1, 1, 'diverged'), clip(2, 2, 'diverged'), clip(3, 1, 'completed', 1), clip(4, 2, 'completed', 1)];
    installFakeApi({
      'runs.list': () => runs,
      'datasets.list': () => [{ id: 20, projectId: 7, name: 'MNIST', source: { kind: 'mnist' }, split: {}, fingerprint: 'f', createdAt: '' }],
      'models.get': () => ({ id: 10, projectId: 7, parentId: null, name: 'MNIST MLP', spec: MLP_SPEC, hash: 'h', createdAt: '' }),
      'metrics.curves': ({ runIds }: { runIds: number[] }) => runIds.map((id) => ({ runId: id, series: id > 2 ? [series('valAccuracy', [0.6, 0.8])] : [] })),
      'runs.report': () => null,
      'spec.check': () => ({ ok: true, errors: [], info: { totalParams: 7 }, expanded: null }),
      'lessons.list': () => [],
      'lessons.verdict': () => ({ lessonId: 'clipping', comparisonId: 9, ready: true, appeared: true, text: 'θ=1 learned.', judged: [], arms: [] }),
      'comparisons.get': (): Comparison => ({ id: 9, projectId: 7, name: 'e) clipping', notes: '', runIds: [1, 2, 3, 4], kind: 'lesson', baseRunId: null, lessonId: 'clipping', createdAt: '', updatedAt: '' }),
    } as never);
    const pinia = createPinia();
    setActivePinia(pinia);
    // The comparison view shows what the address names: project 7, comparison 9.
    installRouter(createTestRouter());
    await useNavStore().openComparison({ comparisonId: 9 }, 7);
    const wrapper = mount(ComparisonView, { global: { plugins: [pinia, makeI18n('en')], stubs: { Echarts: ChartStub } } });
    await flushPromises();
    const store = useComparisonStore();
    expect(store.lines.map((l) => [l.runIds, l.diverged])).toEqual([
      [[1, 2], [{ runId: 1, epoch: 1 }, { runId: 2, epoch: 1 }]],
      [[3, 4], []],
    ]);
    const chart = wrapper.findComponent(CompareCurves);
    expect(chart.props('lines').map((l: { label: string }) => l.label)).toEqual(['e) no clipping (2 seeds) ✕ 2 of 2 diverged', 'e) clip norm θ=1 (2 seeds)']);
    const option = wrapper.findComponent(ChartStub).props('option') as {
      series: Array<{ name: string; markLine?: { data: Array<{ xAxis: number }>; label: { formatter: (p: { value: number }) => string } } }>;
      xAxis: { max?: (e: { max: number }) => number };
    };
    const marks = option.series.filter((s) => s.markLine);
    expect(marks.map((s) => [s.name, s.markLine!.data])).toEqual([['e) no clipping (2 seeds) ✕ 2 of 2 diverged', [{ xAxis: 1 }]]]);
    expect(marks[0]!.markLine!.label.formatter({ value: 1 })).toBe('✕ diverged in epoch 1');
    // The axis reaches the mark even where no run has a point there.
    expect(option.xAxis.max!({ max: -Infinity })).toBe(1);
    expect(chart.attributes('data-diverged')).toBe('2');
    store.close();
  });
});
