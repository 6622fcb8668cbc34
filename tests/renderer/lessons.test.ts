// @vitest-environment happy-dom
// The lessons page: the nine claims with their plans per budget; "Run lesson (small)" queues the lesson and
// opens its project on the comparison, whose verdict panel reads the lesson's claim.
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import type { LessonInfo } from '../../shared/api/index.js';
import { setApi } from '../../renderer/src/api/client.js';
import LessonList from '../../renderer/src/components/lessons/LessonList.vue';
import { makeI18n } from '../../renderer/src/i18n/index.js';
import { useComparisonStore } from '../../renderer/src/stores/comparison.js';
import { useLessonsStore } from '../../renderer/src/stores/lessons.js';
import { createTestRouter } from '../../renderer/src/router/index.js';
import { installRouter, useNavStore } from '../../renderer/src/stores/nav.js';
import ComparisonView from '../../renderer/src/components/compare/ComparisonView.vue';
import { LESSONS as LESSONS_BUILT_IN } from '../../shared/lessons/index.js';
import { LESSONS_ZH } from '../../renderer/src/i18n/shared-zh.js';
import { ChartStub, installFakeApi } from './support/fake-api.js';
import { MLP_SPEC, run } from './support/fixtures.js';

afterEach(() => setApi(null));

const LESSONS: LessonInfo[] = 'abcdefghi'.split('').map((letter, i) => ({
  id: i === 2 ? 'dropout' : `lesson-${letter}`,
  letter,
  title: `Lesson ${letter}`,
  claim: `Claim ${letter}.`,
  plan: { small: 'MNIST MLP, 2 epochs, 1 seed', standard: 'MNIST MLP, 8 epochs, 3 seeds' },
  arms: ['off', 'on'],
  runs: { small: 2, standard: 6 },
}));

describe('lessons', () => {
  it('lists the nine lessons in letter order, each with its claim and plan per budget', async () => {
    installFakeApi({ 'lessons.list': () => [...LESSONS].reverse() } as never);
    const pinia = createPinia();
    setActivePinia(pinia);
    const wrapper = mount(LessonList, { global: { plugins: [pinia, makeI18n('en')] } });
    await flushPromises();
    const cards = wrapper.findAll('[data-testid="lesson"]');
    expect(cards.map((c) => c.attributes('data-letter'))).toEqual('abcdefghi'.split(''));
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
      'lessons.verdict': () => ({ lessonId: 'dropout', comparisonId: 4, ready: false, appeared: null, text: '2 runs left', arms: [] }),
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
    expect(wrapper.find('[data-lesson="dropout"] h3').text()).toBe('Dropout 0 / 0.2 / 0.5');
    expect(wrapper.find('[data-lesson="dropout"] .claim').text()).toBe(LESSONS_ZH.dropout!.claim);
    expect(wrapper.find('[data-lesson="dropout"] [data-testid="lesson-run-small"]').text()).toBe('▶ 运行课程（小）');
  });
});
