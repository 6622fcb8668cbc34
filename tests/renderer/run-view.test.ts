// @vitest-environment happy-dom
// The run view: its store (recorded curves and layer statistics, live epochs coalesced per frame, warnings,
// resume from a checkpoint, export as a download, Ablate…) and the mounted view with every panel.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import type { MetricSeries } from '../../shared/api/index.js';
import { setApi } from '../../renderer/src/api/client.js';
import RunView from '../../renderer/src/components/run/RunView.vue';
import { makeI18n } from '../../renderer/src/i18n/index.js';
import { createTestRouter } from '../../renderer/src/router/index.js';
import { installRouter, useNavStore } from '../../renderer/src/stores/nav.js';
import { useRunViewStore } from '../../renderer/src/stores/run-view.js';
import { ChartStub, installFakeApi, nextFrame } from './support/fake-api.js';
import { checkpoint, config, MLP_SPEC, report, run, series } from './support/fixtures.js';

const layer = (path: string, stat: string, values: number[]): MetricSeries => series(`layer.${path}.${stat}`, values);

function fake(status: 'running' | 'completed' = 'completed') {
  return installFakeApi({
    'runs.get': ({ id }: { id: number }) => run(id, { status, config: config({ dropout: { rate: 0.5 } }) }),
    'runs.list': () => [run(3, { config: config({ dropout: { rate: 0.5 } }) }), run(4), run(5)],
    'runs.report': ({ id }: { id: number }) => (status === 'completed' ? report(id) : null),
    'models.get': () => ({ id: 10, projectId: 1, parentId: null, name: 'MNIST MLP', spec: MLP_SPEC, hash: 'h', createdAt: '' }),
    'checkpoints.list': ({ runId }: { runId: number }) => [checkpoint(31, runId, 1, 'last'), checkpoint(30, runId, 0, 'best')],
    'metrics.series': () => [
      series('loss', [1.2, 0.6]),
      series('valLoss', [1.1, 0.7]),
      series('accuracy', [0.7, 0.85]),
      series('valAccuracy', [0.72, 0.83]),
      series('learningRate', [0.001, 0.0005]),
      series('seconds', [3, 5]),
      { name: 'step.gradNorm', epochs: [0, 0, 1], steps: [10, 20, 30], values: [2, 1.5, 1] },
      layer('layers.1', 'gradNorm', [1e-9, 1e-10]),
      layer('layers.1', 'weightNorm', [3, 3.1]),
      layer('layers.2', 'gradNorm', [0.5, 0.4]),
      layer('layers.2', 'deadFraction', [0, 0]),
    ],
    'runs.fork': () => run(9, { status: 'queued' }),
    'checkpoints.export': () => ({ format: 'onnx', fileName: 'model.zip', data: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==', size: 22, files: ['model.onnx'], maxAbsDiff: 0 }),
    'runs.ablate': ({ runId, tricks }: { runId: number; tricks: string[] }) => ({
      comparison: { id: 12, projectId: 1, name: 'Ablation', notes: '', runIds: [runId, 4, 5], kind: 'ablation', baseRunId: runId, lessonId: null, createdAt: '', updatedAt: '' },
      runs: tricks.map((_, i) => run(4 + i, { status: 'queued' })),
    }),
    'runs.repeat': ({ runId }: { runId: number }) => ({
      comparison: { id: 13, projectId: 1, name: 'Seeds', notes: '', runIds: [runId, 4, 5], kind: 'seeds', baseRunId: runId, lessonId: null, createdAt: '', updatedAt: '' },
      runs: [],
    }),
    'datasets.list': () => [{ id: 20, projectId: 1, name: 'MNIST', source: { kind: 'mnist' }, split: {}, fingerprint: 'f', createdAt: '' }],
    'metrics.curves': ({ runIds }: { runIds: number[] }) => runIds.map((id) => ({ runId: id, series: [] })),
    'spec.check': () => ({ ok: true, errors: [], info: { totalParams: 5 }, expanded: null }),
    'queue.get': () => ({ concurrency: 1, active: [], pending: [] }),
  } as never);
}

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => setApi(null));

describe('run-view store', () => {
  it('loads curves, layer statistics and warnings, and coalesces live epochs per frame', async () => {
    const api = fake('running');
    const view = useRunViewStore();
    await view.open(3);
    expect(view.curves.valAccuracy).toEqual([
      [1, 0.72],
      [2, 0.83],
    ]);
    expect(view.curves['step.gradNorm']).toEqual([
      [10, 2],
      [20, 1.5],
      [30, 1],
    ]);
    expect(Object.keys(view.layers)).toEqual(['layers.1', 'layers.2']);
    expect(view.layers['layers.1']!.weightNorm).toEqual([
      [1, 3],
      [2, 3.1],
    ]);
    expect(view.secondsPerEpoch).toBe(4);
    // layers.1's gradients are 1e-9 of layers.2's: vanishing (shared/analysis decides).
    expect(view.warnings.map((w) => [w.kind, w.layer])).toContainEqual(['vanishing-gradient', 'layers.1']);

    const metrics = { loss: 0.4, accuracy: 0.9, valLoss: 0.5, valAccuracy: 0.88, learningRate: 0.0002, seconds: 4, samplesPerSecond: 100 };
    const layers = [{ layer: 'dense_1', path: 'layers.2', weightNorm: 3, gradNorm: 0.3, activationMean: 0.1, activationStd: 1, deadFraction: 0 }];
    api.hub.emit('onRunEpoch', { runId: 3, report: { epoch: 2, epochs: 4, metrics, steps: [{ step: 40, epoch: 2, loss: 0.4, gradNorm: 0.9 }], layers, best: true } });
    api.hub.emit('onRunEpoch', { runId: 3, report: { epoch: 3, epochs: 4, metrics, steps: [], layers, best: false } });
    api.hub.emit('onRunEpoch', { runId: 8, report: { epoch: 9, epochs: 10, metrics, steps: [], layers: [], best: false } });
    expect(view.curves.valAccuracy).toHaveLength(2);
    await nextFrame();
    expect(view.curves.valAccuracy!.map((p) => p[0])).toEqual([1, 2, 3, 4]);
    expect(view.curves['step.gradNorm']!.at(-1)).toEqual([40, 0.9]);
    expect(view.layers['layers.2']!.gradNorm.map((p) => p[0])).toEqual([1, 2, 3, 4]);
    view.close();
  });

  it('resumes from a checkpoint, exports one as a download, and queues an ablation', async () => {
    const api = fake();
    const view = useRunViewStore();
    await view.open(3);
    expect(view.checkpoints.map((c) => c.epoch)).toEqual([0, 1]);
    expect((await view.fork(30))?.id).toBe(9);
    expect(api.called('runs.fork')[0]!.input).toEqual({ checkpointId: 30 });
    const click = vi.fn();
    const created = vi.spyOn(document, 'createElement');
    URL.createObjectURL = vi.fn(() => 'blob:x');
    URL.revokeObjectURL = vi.fn();
    HTMLAnchorElement.prototype.click = click;
    expect(await view.exportCheckpoint(31, 'onnx')).toBe(true);
    expect(api.called('checkpoints.export')[0]!.input).toEqual({ checkpointId: 31, format: 'onnx' });
    expect(click).toHaveBeenCalledOnce();
    expect((created.mock.results.find((r) => (r.value as HTMLElement).tagName === 'A')!.value as HTMLAnchorElement).download).toBe('model.zip');
    const group = await view.ablate(['dropout', 'batchNorm'], 1);
    expect(api.called('runs.ablate')[0]!.input).toEqual({ runId: 3, tricks: ['dropout', 'batchNorm'] });
    expect(group?.comparison.kind).toBe('ablation');
    await view.ablate(['dropout'], 3);
    expect(api.called('runs.ablate')[1]!.input).toEqual({ runId: 3, tricks: ['dropout'], seeds: 3 });
    expect((await view.repeat(3))?.comparison.kind).toBe('seeds');
    expect(api.called('runs.repeat')[0]!.input).toEqual({ runId: 3, seeds: 3 });
    view.close();
  });
});

describe('RunView', () => {
  async function mountView() {
    const pinia = createPinia();
    setActivePinia(pinia);
    installRouter(createTestRouter());
    // The run view shows the run the address names: project 1, run 3.
    await useNavStore().openRun(3, 1);
    return mount(RunView, { global: { plugins: [pinia, makeI18n('en')], stubs: { Echarts: ChartStub } } });
  }

  it('shows facts, curves, layers with warnings, the confusion matrix, misclassified digits and checkpoints', async () => {
    fake();
    const wrapper = await mountView();
    await flushPromises();
    expect(wrapper.find('[data-testid="fact-backend"]').text()).toBe('wasm');
    expect(wrapper.find('[data-testid="fact-device"]').text()).toBe('cpu (wasm, SIMD)');
    expect(wrapper.find('[data-testid="fact-seconds"]').text()).toBe('4.00 s');
    expect(wrapper.find('[data-testid="fact-parameters"]').text()).toBe('101,770');
    expect(wrapper.find('[data-testid="fact-seed"]').text()).toBe('1');
    expect(wrapper.find('[data-testid="fact-config"]').text()).toContain('"dropout"');
    expect(wrapper.findAll('[data-testid^="curve-"].chart-stub').map((c) => c.attributes('data-testid'))).toEqual(['curve-loss', 'curve-accuracy', 'curve-lr', 'curve-grad']);
    const warning = wrapper.find('[data-testid="layer-warning"]');
    expect(warning.attributes('data-kind')).toBe('vanishing-gradient');
    expect(warning.text()).toContain('layers.1');
    expect(warning.text()).toMatch(/from epoch \d/);
    const cells = wrapper.findAll('[data-testid="confusion-matrix"] tbody td');
    expect(cells).toHaveLength(9);
    expect(cells[0]!.text()).toBe('9');
    expect(wrapper.findAll('[data-testid="misclassified-digit"]').map((d) => d.text())).toEqual(['0 → 1', '1 → 2']);
    expect(wrapper.findAll('[data-testid="checkpoint"]').map((c) => c.attributes('data-kind'))).toEqual(['best', 'last']);
  });

  it('toggles log scale and smoothing on the curves', async () => {
    fake();
    const wrapper = await mountView();
    await flushPromises();
    const lossChart = () => wrapper.findAllComponents(ChartStub).find((c) => c.attributes('data-testid') === 'curve-loss')!;
    const option = () => lossChart().props('option') as { yAxis: { type: string }; series: Array<{ data: number[][]; sampling: string }> };
    expect(option().yAxis.type).toBe('value');
    expect(option().series[0]!.sampling).toBe('lttb');
    await wrapper.find('[data-testid="curve-log"]').setValue(true);
    expect(option().yAxis.type).toBe('log');
    expect(option().series[0]!.data).toEqual([
      [1, 1.2],
      [2, 0.6],
    ]);
    await wrapper.find('[data-testid="curve-smoothing"]').setValue('0.5');
    // Debiased EMA: the first point stays, the second is pulled towards it.
    expect(option().series[0]!.data[0]![1]).toBeCloseTo(1.2);
    expect(option().series[0]!.data[1]![1]).toBeCloseTo((0.5 * 0.5 * 1.2 + 0.5 * 0.6) / 0.75);
  });

  it('Ablate… queues the chosen tricks and opens the comparison', async () => {
    const api = fake();
    const wrapper = await mountView();
    await flushPromises();
    await wrapper.find('[data-testid="ablate-open"]').trigger('click');
    const dialog = wrapper.find('[data-testid="ablate-dialog"]');
    expect(dialog.text()).toContain('Dropout');
    expect(dialog.find('[data-testid="ablate-start"]').attributes('disabled')).toBeDefined();
    await dialog.find('[data-testid="ablate-dropout"]').setValue(true);
    await dialog.find('[data-testid="ablate-batchNorm"]').setValue(true);
    expect(dialog.text()).toContain('Queues 2 runs');
    await dialog.find('[data-testid="ablate-start"]').trigger('click');
    await flushPromises();
    expect(api.called('runs.ablate')[0]!.input).toEqual({ runId: 3, tricks: ['dropout', 'batchNorm'] });
    // The address now names the ablation's comparison (the comparison view opens it from there).
    expect(useNavStore().tab).toBe('compare');
    expect(useNavStore().comparisonPlace).toEqual({ comparisonId: 12 });
    expect(useNavStore().projectId).toBe(1);
    expect(wrapper.find('[data-testid="ablate-dialog"]').exists()).toBe(false);
  });

  it('an interrupted run says why and resumes; a refused resume offers the checkpoint a new run can start from', async () => {
    let refuse = false;
    const warning = { kind: 'runaway_loss' as const, epoch: 2, value: 3.5e6, threshold: 230, peak: 3.5e6, peakEpoch: 2, message: 'm', hint: 'h', lessonId: 'clipping' };
    const api = installFakeApi({
      'runs.get': ({ id }: { id: number }) => run(id, { status: 'interrupted', statusCause: 'disk_full', error: 'could not record a checkpoint', warnings: [warning] }),
      'runs.list': () => [run(3, { status: 'interrupted', statusCause: 'disk_full' })],
      'runs.report': () => null,
      'models.get': () => ({ id: 10, projectId: 1, parentId: null, name: 'MNIST MLP', spec: MLP_SPEC, hash: 'h', createdAt: '' }),
      'checkpoints.list': ({ runId }: { runId: number }) => [checkpoint(31, runId, 1, 'last'), checkpoint(30, runId, 0, 'best')],
      'metrics.series': () => [],
      'runs.resumeFromCheckpoint': ({ id }: { id: number }) => {
        if (refuse) throw Object.assign(new Error('run 3 cannot resume: its latest checkpoint 31 (epoch 2) is damaged'), { code: 'conflict', details: { forkCheckpointId: 30, forkCheckpointEpoch: 0 } });
        return run(id, { status: 'interrupted' });
      },
      'runs.fork': () => run(9, { status: 'queued' }),
    } as never);
    const wrapper = await mountView();
    await flushPromises();
    expect(wrapper.find('[data-testid="run-view-cause"]').text()).toBe('the disk is full');
    expect(wrapper.find('[data-testid="run-warning"]').text()).toContain('The training loss ran away: 3.50e+6 at epoch 3 (above 230)');
    await wrapper.find('[data-testid="run-resume"]').trigger('click');
    await flushPromises();
    expect(api.called('runs.resumeFromCheckpoint')[0]!.input).toEqual({ id: 3 });
    expect(wrapper.find('[data-testid="run-fork-offer"]').exists()).toBe(false);
    refuse = true;
    await wrapper.find('[data-testid="run-resume"]').trigger('click');
    await flushPromises();
    expect(wrapper.find('[role="alert"]').text()).toContain('is damaged');
    const offer = wrapper.find('[data-testid="run-fork-offer"]');
    expect(offer.text()).toBe('Start a new run from checkpoint 30 (epoch 1)');
    await offer.trigger('click');
    await flushPromises();
    expect(api.called('runs.fork')[0]!.input).toEqual({ checkpointId: 30 });
    expect(useNavStore().runId).toBe(9);
  });
});
