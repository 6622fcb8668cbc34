// @vitest-environment happy-dom
// The sweep views mounted: the trial table (live rows, pruned ones marked, sortable, best starred, runs one click
// away), the parallel-coordinates option, importance, the form (the same JSON a SPEC.json holds, errors naming the
// field) and the store applying pushed changes.
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { setApi } from '../../renderer/src/api/client.js';
import ImportancePanel from '../../renderer/src/components/sweep/ImportancePanel.vue';
import ParallelPlot from '../../renderer/src/components/sweep/ParallelPlot.vue';
import SweepForm from '../../renderer/src/components/sweep/SweepForm.vue';
import TrialTable from '../../renderer/src/components/sweep/TrialTable.vue';
import { makeI18n } from '../../renderer/src/i18n/index.js';
import { useSweepsStore } from '../../renderer/src/stores/sweeps.js';
import { parseSweepSpec, TRIAL_STATES, type Sweep, type SweepSpecInput, type SweepTrial, type TrainingConfig } from '../../shared/index.js';
import { ChartStub, installFakeApi, nextFrame } from './support/fake-api.js';
import { config } from './support/fixtures.js';

afterEach(() => setApi(null));

function mountWith<T>(component: T, props: Record<string, unknown> = {}) {
  const pinia = createPinia();
  setActivePinia(pinia);
  return mount(component as never, { props: props as never, global: { plugins: [pinia, makeI18n('en')], stubs: { Echarts: ChartStub } } });
}

const spiral = {
  version: 1 as const,
  name: 'Spiral MLP',
  loss: 'categoricalCrossentropy' as const,
  layers: [
    { type: 'input' as const, shape: [2] },
    { type: 'dense' as const, units: 16, activation: 'relu' as const },
    { type: 'dense' as const, units: 3, activation: 'softmax' as const },
  ],
};
const data = { kind: 'synthetic' as const, name: 'spiral' as const, samples: 300, classes: 3, noise: 0.05 };

function trial(number: number, over: Partial<SweepTrial>): SweepTrial {
  return {
    id: number,
    sweepId: 1,
    number,
    params: { 'tricks.adam.learningRate': 0.001 * number, 'layers[1].units': 8 * number },
    unused: [],
    state: 'completed',
    runId: 100 + number,
    attempts: 1,
    epochs: 6,
    valLoss: 1 / number,
    valAccuracy: 0.5 + number / 100,
    objective: 1 / number,
    rung: 1,
    rungs: [],
    error: null,
    createdAt: '2026-01-01T00:00:00Z',
    finishedAt: null,
    ...over,
  };
}

function sweep(trials: SweepTrial[], over: Partial<Sweep> = {}): Sweep {
  const counts = Object.fromEntries(TRIAL_STATES.map((s) => [s, trials.filter((t) => t.state === s).length])) as Sweep['counts'];
  const best = trials.filter((t) => t.state === 'completed').sort((a, b) => a.objective! - b.objective!)[0];
  return {
    id: 1,
    projectId: 1,
    name: 'LR and width',
    spec: {
      name: 'LR and width',
      base: { spec: spiral, dataset: data, config: config() },
      method: 'tpe',
      seed: 0,
      parameters: [
        { path: 'tricks.adam.learningRate', min: 0.0001, max: 0.1, log: true },
        { path: 'layers[1].units', values: [8, 16, 24, 32] },
      ],
      budget: { runs: 8 },
      pruning: { method: 'asha', minEpochs: 1, eta: 2 },
      objective: 'valLoss',
      tpe: { startupTrials: 2, candidates: 24, gamma: 0.25 },
      backend: 'auto',
    },
    status: 'running',
    stopReason: null,
    concurrency: 2,
    maxRuns: 8,
    rungs: [1, 2, 4],
    elapsedSeconds: 12,
    createdAt: '2026-01-01T00:00:00Z',
    finishedAt: null,
    counts,
    total: trials.length,
    best: best ? { trialId: best.id, number: best.number, runId: best.runId, objective: best.objective!, params: best.params } : null,
    ...over,
  };
}

const trials = [
  trial(1, { state: 'completed', objective: 0.6, valLoss: 0.6 }),
  trial(2, { state: 'pruned', objective: 1.2, valLoss: 1.2, epochs: 1, rung: 0 }),
  trial(3, { state: 'completed', objective: 0.4, valLoss: 0.4 }),
  trial(4, { state: 'running', objective: null, valLoss: 0.9, epochs: 2, rung: 1 }),
];

describe('the trial table', () => {
  it('shows each trial with its values, state, rung and results; pruned ones marked, the best starred', () => {
    const wrapper = mountWith(TrialTable, { sweep: sweep(trials), trials });
    const rows = wrapper.findAll('[data-testid="trial-row"]');
    expect(rows.map((r) => r.attributes('data-state'))).toEqual(['completed', 'pruned', 'completed', 'running']);
    const cells = (i: number) => Object.fromEntries(rows[i]!.findAll('td').map((td) => [td.attributes('data-col'), td.text()]));
    expect(cells(1)).toMatchObject({ number: '2', 'p:tricks.adam.learningRate': '0.002000', 'p:layers[1].units': '16', state: 'pruned', rung: '1 · epoch 1', epochs: '1', valLoss: '1.200' });
    expect(rows[1]!.classes()).toContain('pruned');
    expect(cells(2).number).toBe('★ 3');
    expect(cells(3)).toMatchObject({ state: 'training', rung: '2 · epoch 2' });
  });

  it('sorts by a column (again to reverse), unknown values last; opens a run', async () => {
    const wrapper = mountWith(TrialTable, { sweep: sweep(trials), trials });
    const order = () => wrapper.findAll('[data-testid="trial-row"]').map((r) => Number(r.attributes('data-number')));
    await wrapper.find('[data-testid="trial-sort-valLoss"]').trigger('click');
    expect(order()).toEqual([3, 1, 4, 2]);
    await wrapper.find('[data-testid="trial-sort-valLoss"]').trigger('click');
    expect(order()).toEqual([2, 4, 1, 3]);
    await wrapper.find('[data-testid="trial-sort-p:layers[1].units"]').trigger('click');
    expect(order()).toEqual([1, 2, 3, 4]);
    await wrapper.findAll('[data-testid="trial-open-run"]')[1]!.trigger('click');
    expect(wrapper.emitted('open')).toEqual([[102]]);
  });

  it('shows a value a trial does not use in parentheses', () => {
    const unused = [trial(1, { unused: ['layers[1].units'] })];
    const wrapper = mountWith(TrialTable, { sweep: sweep(unused), trials: unused });
    expect(wrapper.find('[data-col="p:layers[1].units"]').text()).toBe('(8)');
  });
});

describe('the parallel-coordinates plot', () => {
  it('has an axis per parameter (a list is a category axis, a log range a log axis) and the objective; a line per trial by state', () => {
    const wrapper = mountWith(ParallelPlot, { sweep: sweep(trials), trials });
    const option = wrapper.findComponent(ChartStub).props('option') as {
      parallelAxis: { dim: number; name: string; type: string; data?: string[] }[];
      series: { name: string; type: string; data: { name: string; value: (number | string)[] }[] }[];
    };
    expect(option.parallelAxis.map((a) => [a.dim, a.name, a.type])).toEqual([
      [0, 'tricks.adam.learningRate', 'log'],
      [1, 'layers[1].units', 'category'],
      [2, 'Val loss', 'value'],
    ]);
    expect(option.parallelAxis[1]!.data).toEqual(['8', '16', '24', '32']);
    expect(option.series.every((s) => s.type === 'parallel')).toBe(true);
    expect(option.series.map((s) => [s.name, s.data.map((d) => d.name)])).toEqual([
      ['completed', ['#1', '#3']],
      ['training', ['#4']],
      ['pruned', ['#2']],
    ]);
    // A pruned trial sits at the value of the rung that pruned it; a training one at its latest.
    expect(option.series[2]!.data[0]!.value).toEqual([0.002, '16', 1.2]);
    expect(option.series[1]!.data[0]!.value).toEqual([0.004, '32', 0.9]);
    expect(wrapper.attributes('data-lines')).toBe('4');
  });
});

describe('parameter importance', () => {
  it('explains itself in one line, or waits for enough trials', () => {
    const wrapper = mountWith(ImportancePanel, {
      importance: { epoch: 1, n: 6, rows: [{ key: 'tricks.adam.learningRate', eta2: 0.8, share: 0.9 }, { key: 'layers[1].units', eta2: 0.09, share: 0.1 }] },
    });
    expect(wrapper.text()).toContain('η² of a one-way ANOVA over 6 trials, at epoch 1; main effects only');
    expect(wrapper.findAll('[data-testid="importance-row"]').map((r) => [r.attributes('data-key'), r.attributes('data-share')])).toEqual([
      ['tricks.adam.learningRate', '0.900'],
      ['layers[1].units', '0.100'],
    ]);
    expect(mountWith(ImportancePanel, { importance: null }).find('[data-testid="importance-wait"]').exists()).toBe(true);
  });
});

describe('the sweep form', () => {
  const cfg = { epochs: 6, batchSize: 16, seed: 1, tricks: { adam: { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } } } as TrainingConfig;

  it('builds the JSON a SPEC.json holds, and names the field of every error', async () => {
    const wrapper = mountWith(SweepForm, { spec: spiral, dataset: data, config: cfg });
    await wrapper.find('[data-testid="param-max"]').setValue('0.00001');
    expect(wrapper.find('[data-testid="sweep-form-errors"]').text()).toContain('parameters[0].max must be greater than min (0.0001) (got 0.00001)');
    expect(wrapper.find('[data-testid="sweep-start"]').attributes('disabled')).toBeDefined();
    await wrapper.find('[data-testid="param-max"]').setValue('0.1');
    await wrapper.find('[data-testid="param-add"]').trigger('click');
    const second = wrapper.findAll('[data-testid="sweep-param"]')[1]!;
    await second.find('[data-testid="param-path"]').setValue('layers[1].units');
    await second.find('[data-testid="param-values"]').setValue('8, 16, 32');
    await wrapper.find('[data-testid="sweep-runs"]').setValue('10');
    await wrapper.find('[data-testid="sweep-concurrency"]').setValue('2');
    expect(wrapper.find('[data-testid="sweep-form-errors"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="sweep-plan"]').text()).toBe('Up to 10 trials of 6 epochs each. ASHA judges trials at epochs 1, 3.');
    await wrapper.find('[data-testid="sweep-start"]').trigger('click');
    const [[spec]] = wrapper.emitted('start') as [[SweepSpecInput]];
    expect(spec).toEqual({
      base: { spec: spiral, dataset: data, config: cfg },
      method: 'tpe',
      seed: 0,
      parameters: [
        { path: 'tricks.adam.learningRate', min: 0.0001, max: 0.1, log: true },
        { path: 'layers[1].units', values: [8, 16, 32] },
      ],
      budget: { runs: 10 },
      pruning: { method: 'asha', minEpochs: 1, eta: 3 },
      objective: 'valLoss',
      concurrency: 2,
    });
    expect(parseSweepSpec(JSON.parse(JSON.stringify(spec))).ok).toBe(true);
  });

  it('names a path the base does not have', async () => {
    const wrapper = mountWith(SweepForm, { spec: spiral, dataset: data, config: cfg });
    await wrapper.find('[data-testid="param-path"]').setValue('layers[9].units');
    expect(wrapper.find('[data-testid="sweep-form-errors"]').text()).toContain('parameters[0].path leads to no layer of the base model (it has 3 layers at the top) (got "layers[9].units")');
  });
  it('suggests every shown numeric field of the layers\' descriptors, sequence layers too, never the output layer\'s', () => {
    const sequence = {
      version: 1 as const,
      name: 'text',
      loss: 'categoricalCrossentropy' as const,
      layers: [
        { type: 'input' as const, shape: [20] },
        { type: 'embedding' as const, inputDim: 50, outputDim: 16 },
        { type: 'lstm' as const, units: 32, returnSequences: true },
        { type: 'conv1d' as const, filters: 8, kernelSize: 3 },
        { type: 'globalMaxPool1d' as const },
        { type: 'dropout' as const, rate: 0.2 },
        { type: 'dense' as const, units: 4, activation: 'softmax' as const },
      ],
    };
    const wrapper = mountWith(SweepForm, { spec: sequence, dataset: data, config: cfg });
    const paths = wrapper.findAll('#sweep-paths option').map((o) => o.attributes('value')!).filter((p) => p.startsWith('layers['));
    expect(paths).toEqual([
      'layers[1].inputDim',
      'layers[1].outputDim',
      'layers[2].units',
      'layers[3].filters',
      'layers[3].kernelSize',
      'layers[3].strides',
      'layers[5].rate',
    ]);
    const mlp = mountWith(SweepForm, { spec: spiral, dataset: data, config: cfg });
    expect(mlp.findAll('#sweep-paths option').map((o) => o.attributes('value')).filter((p) => p!.startsWith('layers['))).toEqual(['layers[1].units']);
  });
});

describe('the sweeps store', () => {
  it('loads the project’s sweeps, applies pushed trial changes once per frame and reads importance from the first rung', async () => {
    const rungTrials = [1, 2, 3, 4, 5].map((n) => trial(n, { rungs: [{ rung: 0, epoch: 1, value: n % 2 ? 1 : 0.5, promoted: true }], params: { 'tricks.adam.learningRate': 0.01, 'layers[1].units': n % 2 ? 8 : 16 } }));
    const s = sweep(rungTrials.slice(0, 4));
    const fake = installFakeApi({ 'sweeps.list': () => [s], 'sweeps.get': () => ({ sweep: s, trials: rungTrials.slice(0, 4) }) });
    setActivePinia(createPinia());
    const store = useSweepsStore();
    await store.load(1);
    expect(store.selectedId).toBe(1);
    expect(store.detail?.trials).toHaveLength(4);
    expect(store.importance?.rows.map((r) => [r.key, r.share])).toEqual([
      ['layers[1].units', 1],
      ['tricks.adam.learningRate', 0],
    ]);
    expect(store.importance?.epoch).toBe(1);
    fake.hub.emit('onSweepChanged', { sweep: sweep(rungTrials), trial: rungTrials[4]! });
    fake.hub.emit('onSweepChanged', { sweep: sweep(rungTrials), trial: { ...rungTrials[1]!, state: 'pruned' } });
    expect(store.detail?.trials).toHaveLength(4);
    await nextFrame();
    await flushPromises();
    expect(store.detail?.trials.map((t) => [t.number, t.state])).toEqual([
      [1, 'completed'],
      [2, 'pruned'],
      [3, 'completed'],
      [4, 'completed'],
      [5, 'completed'],
    ]);
    expect(store.sweeps[0]!.total).toBe(5);
  });
});
