// @vitest-environment happy-dom
// Sequence data in the data tab: a CSV file imported as a text column of tokens or as numeric windows (the options
// reach datasets.import as the CLI gives them), a token dataset's rows read back as text (not a scatter of two token
// ids), a series' first windows as lines over their steps coloured by class, in both languages.
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { setApi } from '../../renderer/src/api/client.js';
import DataImport from '../../renderer/src/components/DataImport.vue';
import DatasetPicker from '../../renderer/src/components/DatasetPicker.vue';
import { makeI18n } from '../../renderer/src/i18n/index.js';
import { useEditorStore } from '../../renderer/src/stores/editor.js';
import type { DatasetPreview } from '../../shared/api/index.js';
import type { DatasetRef, FileDatasetRef } from '../../shared/index.js';
import { ChartStub, installFakeApi } from './support/fake-api.js';

afterEach(() => setApi(null));

const counts = { train: 8, validation: 1, test: 1 };
const file = (over: Partial<FileDatasetRef>): DatasetRef => ({
  kind: 'csv',
  name: 'reviews',
  fingerprint: 'a'.repeat(64),
  file: '/data/datasets/a.lwds',
  inputShape: [6],
  classes: 2,
  task: 'classification',
  counts,
  ...over,
});

async function mountPicker(source: DatasetRef, preview: DatasetPreview, lang: 'en' | 'zh-CN' = 'en') {
  const pinia = createPinia();
  setActivePinia(pinia);
  const fake = installFakeApi({ 'datasets.preview': () => preview, 'app.info': () => ({ files: 'path' }) });
  useEditorStore().load({
    version: 1,
    name: 'm',
    loss: 'categoricalCrossentropy',
    layers: [
      { type: 'input', shape: preview.inputShape },
      { type: 'flatten' },
      { type: 'dense', units: 2, activation: 'softmax' },
    ],
  });
  const wrapper = mount(DatasetPicker, {
    props: { modelValue: source },
    global: { plugins: [pinia, makeI18n(lang)], stubs: { Echarts: ChartStub, DataImport: true } },
  });
  await flushPromises();
  return { wrapper, fake };
}

describe('DatasetPicker with sequence datasets', () => {
  const tokens: DatasetPreview = {
    name: 'reviews',
    inputShape: [6],
    numClasses: 2,
    classNames: ['negative', 'positive'],
    split: 'train',
    counts,
    samples: [
      { features: [2, 3, 4, 0, 0, 0], label: 1, text: 'a good film' },
      { features: [2, 5, 1, 6, 0, 0], label: 0, text: 'a dull <oov> plot' },
    ],
    histogram: [4, 4],
    vocabulary: 7,
  };

  it('reads a token dataset\'s rows back as text with their class, never as a scatter of two token ids', async () => {
    const { wrapper, fake } = await mountPicker(file({ vocabulary: 7 }), tokens);
    expect(fake.called('datasets.preview')[0]!.input).toMatchObject({ source: { kind: 'csv', vocabulary: 7 } });
    expect(wrapper.find('[data-testid="dataset-imported"]').text()).toBe('Imported: reviews');
    const rows = wrapper.findAll('[data-testid="token-samples"] li').map((li) => li.text());
    expect(rows).toEqual(['positive a good film', 'negative a dull <oov> plot']);
    expect(wrapper.find('[data-testid="scatter"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="series-lines"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="histogram"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="dataset-mismatch"]').exists()).toBe(false);
  });

  it('draws a series\' first windows as lines of their first feature over the steps, coloured by class', async () => {
    // 14 windows of [4 steps, 2 features]; feature 1 of window w at step k is 10w + k, feature 2 is -1.
    const samples = Array.from({ length: 14 }, (_, w) => ({ features: [0, 1, 2, 3].flatMap((k) => [10 * w + k, -1]), label: w % 2 }));
    const series: DatasetPreview = { ...tokens, name: 'sensor', inputShape: [4, 2], classNames: ['down', 'up'], samples, histogram: [7, 7] };
    delete series.vocabulary;
    const { wrapper } = await mountPicker(file({ name: 'sensor', inputShape: [4, 2] }), series);
    expect(wrapper.find('[data-testid="token-samples"]').exists()).toBe(false);
    const chart = wrapper.findAllComponents(ChartStub).find((c) => c.attributes('data-testid') === 'series-lines')!;
    const option = chart.props('option') as { series: Array<{ name: string; data: number[][]; itemStyle: { color: string } }> };
    expect(option.series).toHaveLength(12);
    expect(option.series[3]!.data).toEqual([[0, 30], [1, 31], [2, 32], [3, 33]]);
    expect(option.series.map((s) => s.name).slice(0, 3)).toEqual(['down', 'up', 'down']);
    expect(option.series[0]!.itemStyle.color).toBe(option.series[2]!.itemStyle.color);
    expect(option.series[0]!.itemStyle.color).not.toBe(option.series[1]!.itemStyle.color);
    expect(wrapper.text()).toContain('The first 12 windows: feature 1 over their 4 steps, coloured by class.');
    const zh = await mountPicker(file({ name: 'sensor', inputShape: [4, 2] }), series, 'zh-CN');
    expect(zh.wrapper.text()).toContain('前 12 个窗口：第 1 个特征在其 4 步上的取值，按类别着色。');
  });
});

describe('DataImport with sequences', () => {
  const info = (files: 'dialog' | 'upload') => ({ version: '1', dataDir: '/d', interruptedRuns: [], movedAside: null, createdDatabase: false, files });
  const done = { dataset: { id: 4, projectId: 1, name: 'reviews', source: { kind: 'csv', name: 'reviews' }, split: {}, fingerprint: 'f', createdAt: '' }, created: true, notes: ['80 texts'] };

  it('imports a CSV file\'s text column as tokens with the options given, empty ones left to the importer', async () => {
    setActivePinia(createPinia());
    const api = installFakeApi({ 'app.info': () => info('dialog'), 'datasets.choosePath': () => ({ path: '/home/me/reviews.csv' }), 'datasets.import': () => done } as never);
    const wrapper = mount(DataImport, { props: { projectId: 1, imageSize: null, rgb: false }, global: { plugins: [makeI18n('en')] } });
    await flushPromises();
    await wrapper.find('[data-testid="import-kind"]').setValue('text');
    expect(wrapper.find('[data-testid="import-target"]').exists()).toBe(false);
    await wrapper.find('[data-testid="seq-target"]').setValue('label');
    await wrapper.find('[data-testid="seq-tokens"]').setValue('chars');
    await wrapper.find('[data-testid="seq-length"]').setValue('40');
    await wrapper.find('[data-testid="import-choose"]').trigger('click');
    await flushPromises();
    expect(api.called('datasets.choosePath')[0]!.input).toEqual({ kind: 'csv' });
    expect(api.called('datasets.import')[0]!.input).toEqual({ kind: 'text', projectId: 1, path: '/home/me/reviews.csv', target: 'label', tokens: 'chars', length: 40 });
    expect(wrapper.emitted('imported')![0]).toEqual([{ kind: 'csv', name: 'reviews' }]);
  });

  it('imports numeric columns in windows, labelled by a column\'s direction, and offers the CSV picker for them in a browser', async () => {
    setActivePinia(createPinia());
    const api = installFakeApi({ 'app.info': () => info('upload'), 'datasets.import': () => done } as never);
    const wrapper = mount(DataImport, { props: { projectId: 1, imageSize: null, rgb: false }, global: { plugins: [makeI18n('zh-CN')] } });
    await flushPromises();
    await wrapper.find('[data-testid="import-kind"]').setValue('series');
    expect(wrapper.find('[data-testid="upload-csv"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="sequence-fields-series"]').text()).toContain('窗口的类别');
    await wrapper.find('[data-testid="seq-columns"]').setValue('temp, 1');
    await wrapper.find('[data-testid="seq-label"]').setValue('direction');
    await wrapper.find('[data-testid="seq-label-column"]').setValue('temp');
    await wrapper.find('[data-testid="seq-window"]').setValue('16');
    await wrapper.find('[data-testid="seq-split"]').setValue('random');
    await wrapper.find('[data-testid="import-path"]').setValue('/data/sensor.csv');
    await wrapper.find('[data-testid="import-run"]').trigger('click');
    await flushPromises();
    expect(api.called('datasets.import')[0]!.input).toEqual({ kind: 'series', projectId: 1, path: '/data/sensor.csv', columns: ['temp', 1], direction: 'temp', window: 16, split: 'random' });
  });
});
