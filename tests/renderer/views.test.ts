// @vitest-environment happy-dom
// Issue 17's views and feedback as components: the address is the place (the nav store over the router), the
// project list's numbers, the live chart (every batch's loss, smoothing, the raw toggle, validation points at each
// epoch's last step), Try the model (a typed row and a clicked point go to runs.predict), and the desktop app's
// file dialog path for the user's data.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import type { ApiEventPayloads, Prediction } from '../../shared/api/index.js';
import type { DecisionBoundary, ModelSpec } from '../../shared/index.js';
import { setApi } from '../../renderer/src/api/client.js';
import DataImport from '../../renderer/src/components/DataImport.vue';
import DatasetPicker from '../../renderer/src/components/DatasetPicker.vue';
import ProjectList from '../../renderer/src/components/ProjectList.vue';
import TrainingView from '../../renderer/src/components/TrainingView.vue';
import TryModel from '../../renderer/src/components/run/TryModel.vue';
import { makeI18n } from '../../renderer/src/i18n/index.js';
import { createTestRouter, runsQuery } from '../../renderer/src/router/index.js';
import { installRouter, useNavStore } from '../../renderer/src/stores/nav.js';
import { useProjectsStore } from '../../renderer/src/stores/projects.js';
import { useRunsStore } from '../../renderer/src/stores/runs.js';
import { useTricksStore } from '../../renderer/src/stores/tricks.js';
import { ChartStub, installFakeApi } from './support/fake-api.js';
import { checkpoint, run } from './support/fixtures.js';

beforeEach(() => {
  setActivePinia(createPinia());
  installRouter(createTestRouter());
});
afterEach(() => setApi(null));

const global = () => ({ plugins: [makeI18n('en')], stubs: { Echarts: ChartStub } });

describe('the address is the place', () => {
  it('maps every view to an address and back, and keeps the last run and comparison of each project', async () => {
    const nav = useNavStore();
    await nav.openProject(3);
    expect(nav.route.fullPath).toBe('/projects/3/model');
    expect([nav.projectId, nav.tab, nav.runId, nav.comparisonPlace]).toEqual([3, 'model', null, null]);
    nav.tab = 'training';
    await flushPromises();
    expect(nav.route.fullPath).toBe('/projects/3/training');
    await nav.openRun(12);
    expect(nav.route.fullPath).toBe('/projects/3/runs/12');
    expect([nav.tab, nav.runId]).toEqual(['run', 12]);
    await nav.openComparison({ runIds: [4, 5, 4] });
    expect(nav.route.fullPath).toBe('/projects/3/compare?runs=4,5,4');
    expect(nav.comparisonPlace).toEqual({ runIds: [4, 5] });
    await nav.openComparison({ comparisonId: 7 }, undefined, true);
    expect(nav.route.fullPath).toBe('/projects/3/compare/7');
    // Other tabs still offer the run and the comparison last seen.
    await nav.openTab('data');
    expect([nav.tab, nav.runId, nav.comparisonPlace]).toEqual(['data', 12, { comparisonId: 7 }]);
    await nav.openTab('run');
    expect(nav.route.fullPath).toBe('/projects/3/runs/12');
    await nav.openLessons('dropout');
    expect([nav.lessons, nav.lessonId, nav.projectId]).toEqual([true, 'dropout', null]);
    await nav.openProjects();
    expect(nav.route.name).toBe('projects');
  });

  it('sends unknown addresses to the project list and reads run lists defensively', async () => {
    const router = createTestRouter();
    await router.push('/projects/x/model');
    expect(router.currentRoute.value.name).toBe('projects');
    await router.push('/projects/2');
    expect(router.currentRoute.value.fullPath).toBe('/projects/2/model');
    await router.push('/projects/2/compare?runs=3,,abc,-1,4');
    expect(runsQuery(router.currentRoute.value)).toEqual([3, 4]);
  });
});

describe('the project list', () => {
  it('shows each project’s runs, what trains now and its best validation accuracy, and opens that run', async () => {
    const api = installFakeApi({
      'projects.stats': () => [
        { projectId: 1, runs: 3, training: 1, queued: 1, bestValAccuracy: 0.9731, bestRunId: 2, bestRunNumber: 5 },
        { projectId: 2, runs: 0, training: 0, queued: 0, bestValAccuracy: null, bestRunId: null, bestRunNumber: null },
      ],
    } as never);
    const projects = useProjectsStore();
    projects.projects = [
      { id: 2, name: 'Empty', notes: '', createdAt: '2026-01-02T00:00:00Z' },
      { id: 1, name: 'Digits', notes: '', createdAt: '2026-01-01T00:00:00Z' },
    ];
    const wrapper = mount(ProjectList, { global: global() });
    await flushPromises();
    const items = wrapper.findAll('[data-testid="project-item"]');
    expect(items[1]!.find('[data-testid="project-runs"]').text()).toBe('3 runs');
    expect(items[1]!.find('[data-testid="project-training"]').text()).toContain('1 training');
    expect(items[1]!.find('[data-testid="project-queued"]').text()).toBe('1 queued');
    expect(items[1]!.find('[data-testid="project-best"]').text()).toBe('best validation accuracy 97.3% (run #5)');
    expect(items[0]!.find('[data-testid="project-runs"]').text()).toBe('no runs');
    expect(items[0]!.find('[data-testid="project-best"]').exists()).toBe(false);
    // One call for every project's numbers.
    expect(api.called('projects.stats')).toHaveLength(1);
    await items[1]!.find('[data-testid="project-best"]').trigger('click');
    await flushPromises();
    expect(useNavStore().route.fullPath).toBe('/projects/1/runs/2');
    // A run that changes status refreshes the numbers (coalesced).
    api.hub.emit('onRunStatus', { runId: 2, status: 'completed', run: null });
    api.hub.emit('onRunStatus', { runId: 3, status: 'completed', run: null });
    await new Promise((r) => setTimeout(r, 600));
    expect(api.called('projects.stats')).toHaveLength(2);
  });
});

describe('the live chart', () => {
  async function mountTraining() {
    const api = installFakeApi({
      'runs.list': () => [run(7, { status: 'running', finalMetrics: null, datasetId: 20 })],
      'queue.get': () => ({ concurrency: 1, active: [7], pending: [] }),
      'datasets.list': () => [{ id: 20, projectId: 1, name: 'MNIST', source: { kind: 'mnist', trainSamples: 640 }, split: {}, fingerprint: 'f', createdAt: '' }],
      'metrics.series': () => [],
    } as never);
    const runs = useRunsStore();
    await runs.load(1);
    const wrapper = mount(TrainingView, { global: global() });
    await flushPromises();
    return { api, runs, wrapper };
  }
  type Option = { series: Array<{ name: string; data: number[][] }> };
  const lossOption = (wrapper: Awaited<ReturnType<typeof mountTraining>>['wrapper']) =>
    wrapper.findAllComponents(ChartStub).find((c) => c.attributes('data-testid') === 'loss-chart')!.props('option') as Option;

  it('plots every batch’s own loss, smoothed and raw, with each epoch’s validation loss at its last step', async () => {
    const { api, runs, wrapper } = await mountTraining();
    // 640 digits in batches of 64: 10 steps per epoch.
    expect(runs.batchesPerEpoch(7)).toBe(10);
    const progress = (batch: number, losses: number[]): ApiEventPayloads['onRunProgress'] => ({
      runId: 7,
      progress: { epoch: 0, batch, batchesPerEpoch: 10, epochs: 2, loss: 5, samplesPerSecond: 100, losses },
    });
    api.hub.emit('onRunProgress', progress(4, [2, 1.6, 1.2, 1]));
    api.hub.emit('onRunProgress', progress(10, [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]));
    api.hub.emit('onRunEpoch', {
      runId: 7,
      report: { epoch: 0, epochs: 2, metrics: { loss: 0.9, accuracy: 0.7, valLoss: 0.75, valAccuracy: 0.72, learningRate: 0.001, seconds: 1, samplesPerSecond: 100 }, steps: [], layers: [], best: true },
    });
    runs.flush();
    await flushPromises();
    const option = lossOption(wrapper);
    expect(option.series.map((s) => s.name)).toEqual(['Raw batch losses', 'Training loss per batch (smoothed)', 'Training loss (epoch mean)', 'Validation loss (per epoch)']);
    expect(option.series[0]!.data).toHaveLength(10);
    expect(option.series[0]!.data[0]).toEqual([1, 2]);
    expect(option.series[0]!.data[9]).toEqual([10, 0.4]);
    // Smoothed (debiased EMA, 0.6 by default): starts at the first loss, lags behind the rest.
    expect(option.series[1]!.data[0]![1]).toBeCloseTo(2);
    expect(option.series[1]!.data[9]![1]).toBeGreaterThan(0.4);
    // Epoch figures at the epoch's last step.
    expect(option.series[3]!.data).toEqual([[10, 0.75]]);
    expect(option.series[2]!.data).toEqual([[10, 0.9]]);
    // The run card names its figures.
    expect(wrapper.find('[data-testid="figure-last-batch"]').text()).toBe('training loss, last batch 0.4000');
    expect(wrapper.find('[data-testid="figure-epoch-mean"]').text()).toBe('training loss, mean of this epoch so far 5.0000');
    expect(wrapper.find('[data-testid="figure-last-epoch"]').text()).toBe('epoch 1: validation loss 0.7500 · validation accuracy 72.0%');

    // Raw off: the smoothed line alone; smoothing 0: the raw losses as they are, named so.
    await wrapper.find('[data-testid="live-raw"]').setValue(false);
    expect(lossOption(wrapper).series.map((s) => s.name)).toEqual(['Training loss per batch (smoothed)', 'Training loss (epoch mean)', 'Validation loss (per epoch)']);
    await wrapper.find('[data-testid="live-smoothing"]').setValue('0');
    const raw = lossOption(wrapper).series[0]!;
    expect(raw.name).toBe('Training loss per batch');
    expect(raw.data[9]).toEqual([10, 0.4]);
    expect(localStorage.getItem('layerwise.liveSmoothing')).toBe('0');
  });
});

describe('Try the model', () => {
  const spec = (shape: number[]): ModelSpec => ({ version: 1, name: 'm', loss: 'categoricalCrossentropy', layers: [{ type: 'input', shape }, { type: 'dense', units: 3, activation: 'softmax' }] });
  const answer = (over: Partial<Prediction> = {}): Prediction => ({
    runId: 5,
    checkpoint: { id: 31, epoch: 1, kind: 'best' },
    task: 'classification',
    classNames: ['cat', 'dog', 'fox'],
    inputShape: [4],
    inputScaling: 'standardize',
    outputs: [[0.1, 0.7, 0.2]],
    predicted: [1],
    boundary: null,
    ...over,
  });

  it('predicts a typed row with the chosen checkpoint and shows every class’s probability', async () => {
    const api = installFakeApi({ 'runs.predict': () => answer() } as never);
    const wrapper = mount(TryModel, { props: { run: run(5), checkpoints: [checkpoint(30, 5, 0, 'best'), checkpoint(31, 5, 1, 'last')], spec: spec([4]) }, global: global() });
    await flushPromises();
    expect(wrapper.attributes('data-mode')).toBe('row');
    await wrapper.find('[data-testid="try-row"]').setValue('1, 2, x, 4');
    expect(wrapper.find('[data-testid="try-predict"]').attributes('disabled')).toBeDefined();
    await wrapper.find('[data-testid="try-row"]').setValue('1, 2.5, -3, 4');
    await wrapper.find('[data-testid="try-predict"]').trigger('click');
    await flushPromises();
    expect(api.called('runs.predict')[0]!.input).toEqual({ runId: 5, checkpoint: 'best', rows: [[1, 2.5, -3, 4]] });
    expect(wrapper.find('[data-testid="try-prediction"]').text()).toBe('Predicted: dog (70.0%)');
    expect(wrapper.findAll('[data-testid="try-probability"]').map((r) => [r.attributes('data-class'), r.attributes('data-p')])).toEqual([
      ['cat', '0.1000'],
      ['dog', '0.7000'],
      ['fox', '0.2000'],
    ]);
    // Another checkpoint answers the same row again.
    await wrapper.find('[data-testid="try-checkpoint"]').setValue('last');
    await flushPromises();
    expect(api.called('runs.predict')[1]!.input).toEqual({ runId: 5, checkpoint: 'last', rows: [[1, 2.5, -3, 4]] });
  });

  it('draws a 2-D model’s boundary and predicts the typed point; says when there is no checkpoint yet', async () => {
    const boundary: DecisionBoundary = { size: 2, classes: 2, extent: [-1, 1, -1, 1], probs: [0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.5, 0.5] };
    const api = installFakeApi({ 'runs.predict': (input: { rows?: number[][] }) => answer({ classNames: ['a', 'b'], outputs: input.rows ? [[0.3, 0.7]] : [], predicted: input.rows ? [1] : [], boundary }) } as never);
    const none = mount(TryModel, { props: { run: run(5), checkpoints: [], spec: spec([2]) }, global: global() });
    expect(none.find('[data-testid="try-unavailable"]').exists()).toBe(true);
    const wrapper = mount(TryModel, { props: { run: run(5), checkpoints: [checkpoint(31, 5, 1, 'best')], spec: spec([2]) }, global: global() });
    await flushPromises();
    expect(api.called('runs.predict')[0]!.input).toEqual({ runId: 5, checkpoint: 'best', boundary: true });
    expect(wrapper.find('[data-testid="boundary-canvas"]').attributes('data-size')).toBe('2');
    await wrapper.find('[data-testid="try-row"]').setValue('0.25, -0.5');
    await wrapper.find('[data-testid="try-predict"]').trigger('click');
    await flushPromises();
    expect(api.called('runs.predict')[1]!.input).toEqual({ runId: 5, checkpoint: 'best', rows: [[0.25, -0.5]] });
    expect(wrapper.find('[data-testid="try-prediction"]').text()).toBe('Predicted: b (70.0%)');
  });
});

describe('the user’s own data', () => {
  it('uses the desktop app’s file dialog when the host has one, then imports the chosen path', async () => {
    const api = installFakeApi({
      'app.info': () => ({ version: '1', dataDir: '/d', interruptedRuns: [], movedAside: null, createdDatabase: false, files: 'dialog' }),
      'datasets.choosePath': () => ({ path: '/home/me/table.csv' }),
      'datasets.import': () => ({ dataset: { id: 4, projectId: 1, name: 'table', source: { kind: 'csv', name: 'table' }, split: {}, fingerprint: 'f', createdAt: '' }, created: true, notes: ['header row found'] }),
    } as never);
    const wrapper = mount(DataImport, { props: { projectId: 1, imageSize: null, rgb: false }, global: global() });
    await flushPromises();
    expect(wrapper.attributes('data-access')).toBe('dialog');
    expect(wrapper.find('[data-testid="upload-drop"]').exists()).toBe(false);
    await wrapper.find('[data-testid="import-target"]').setValue('label');
    await wrapper.find('[data-testid="import-choose"]').trigger('click');
    await flushPromises();
    expect(api.called('datasets.choosePath')[0]!.input).toEqual({ kind: 'csv' });
    expect(api.called('datasets.import')[0]!.input).toEqual({ kind: 'csv', projectId: 1, path: '/home/me/table.csv', target: 'label' });
    expect(wrapper.find('[data-testid="import-note"]').text()).toBe('header row found');
    expect(wrapper.emitted('imported')![0]).toEqual([{ kind: 'csv', name: 'table' }]);
  });

  it('imports a folder of IDX files or CIFAR batches: the dialog picks the folder, the import names its kind', async () => {
    const api = installFakeApi({
      'app.info': () => ({ version: '1', dataDir: '/d', interruptedRuns: [], movedAside: null, createdDatabase: false, files: 'dialog' }),
      'datasets.choosePath': () => ({ path: '/usr/share/datasets/fashion-mnist' }),
      'datasets.import': () => ({ dataset: { id: 5, projectId: 1, name: 'Fashion-MNIST', source: { kind: 'idx', name: 'Fashion-MNIST' }, split: {}, fingerprint: 'f', createdAt: '' }, created: true, notes: ['Fashion-MNIST recognised'] }),
    } as never);
    const wrapper = mount(DataImport, { props: { projectId: 1, imageSize: [28, 28], rgb: false }, global: global() });
    await flushPromises();
    await wrapper.find('[data-testid="import-kind"]').setValue('idx');
    expect(wrapper.find('[data-testid="import-kind-help"]').text()).toContain('The shipped test files stay the test split');
    await wrapper.find('[data-testid="import-choose"]').trigger('click');
    await flushPromises();
    expect(api.called('datasets.choosePath')[0]!.input).toEqual({ kind: 'idx' });
    // No image size or colour is sent: the files say their own shape.
    expect(api.called('datasets.import')[0]!.input).toEqual({ kind: 'idx', projectId: 1, path: '/usr/share/datasets/fashion-mnist' });
    expect(wrapper.emitted('imported')![0]).toEqual([{ kind: 'idx', name: 'Fashion-MNIST' }]);
    await wrapper.find('[data-testid="import-kind"]').setValue('cifar');
    expect(wrapper.find('[data-testid="import-kind-help"]').text()).toContain('test_batch.bin');
  });

  it('shows the training images as training sees them while an augmentation is on, epoch by epoch', async () => {
    const sample = (label: number, v: number) => ({ label, features: new Array(784).fill(v) });
    const api = installFakeApi({
      'datasets.preview': (input: { config?: unknown; epoch?: number }) => ({
        name: 'MNIST', inputShape: [28, 28, 1], classNames: ['0', '1'], counts: { train: 2, validation: 0, test: 0 }, samples: [sample(0, 1)], histogram: [1, 1],
        ...(input.config ? { augmented: { epoch: input.epoch, tricks: ['randomShift'], samples: [sample(0, 2)] } } : {}),
      }),
    } as never);
    const tricks = useTricksStore();
    tricks.load({ epochs: 2, batchSize: 8, seed: 3, tricks: { adam: {} } } as never);
    const wrapper = mount(DatasetPicker, { props: { modelValue: { kind: 'mnist' } }, global: global() });
    await flushPromises();
    expect(api.called('datasets.preview').at(-1)!.input).toEqual({ source: { kind: 'mnist' }, count: 40 });
    expect(wrapper.find('[data-testid="augmented-preview"]').exists()).toBe(false);
    tricks.load({ epochs: 2, batchSize: 8, seed: 3, tricks: { adam: {}, randomShift: { pixels: 2 } } } as never);
    await flushPromises();
    const asked = api.called('datasets.preview').at(-1)!.input as { config: { seed: number; tricks: Record<string, unknown> }; epoch: number };
    expect([asked.epoch, asked.config.seed, asked.config.tricks.randomShift]).toEqual([0, 3, { pixels: 2, fill: 'zero' }]);
    expect(wrapper.find('[data-testid="augmented-preview"] h3').text()).toBe('As training sees them · epoch 1 · randomShift');
    await wrapper.find('[data-testid="augmented-redraw"]').trigger('click');
    await flushPromises();
    expect((api.called('datasets.preview').at(-1)!.input as { epoch: number }).epoch).toBe(1);
    expect(wrapper.find('[data-testid="augmented-preview"] h3').text()).toBe('As training sees them · epoch 2 · randomShift');
  });

  it('offers file pickers and drop in a browser, and refuses an oversized file before sending anything', async () => {
    const api = installFakeApi({
      'app.info': () => ({ version: '1', dataDir: '/d', interruptedRuns: [], movedAside: null, createdDatabase: false, files: 'upload' }),
    } as never);
    const wrapper = mount(DataImport, { props: { projectId: 1, imageSize: [28, 28], rgb: false }, global: global() });
    await flushPromises();
    expect(wrapper.attributes('data-access')).toBe('upload');
    await wrapper.find('[data-testid="import-kind"]').setValue('idx');
    expect(wrapper.find('[data-testid="upload-data-folder"]').attributes('webkitdirectory')).toBeDefined();
    expect(wrapper.find('[data-testid="upload-zip"]').exists()).toBe(false);
    await wrapper.find('[data-testid="import-kind"]').setValue('images');
    expect(wrapper.find('[data-testid="upload-folder"]').attributes('webkitdirectory')).toBeDefined();
    const input = wrapper.find('[data-testid="upload-zip"]');
    const huge = new File([new Uint8Array(8)], 'photos.zip');
    Object.defineProperty(huge, 'size', { value: 600 * 1024 * 1024 });
    Object.defineProperty(input.element, 'files', { value: [huge], configurable: true });
    await input.trigger('change');
    await flushPromises();
    expect(wrapper.find('[data-testid="import-error"]').text()).toContain('photos.zip is 600.0 MB; at most 512 MB per file');
    expect(api.called('datasets.beginUpload')).toHaveLength(0);
  });
});
