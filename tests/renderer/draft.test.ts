// @vitest-environment happy-dom
// The experiment state rules of issue 17, with the project view mounted over a fake API that keeps drafts and
// runs like the host: opening a project shows its draft (never the latest run's settings), Train takes its seed
// from the draft's seed policy, edits are saved and come back, "Use these settings" is the one way a run's
// settings reach the draft; and Train says why it is off, with a link to the field.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { ApiError, type DraftInput, type ProjectDraft, type Run, type RunListItem } from '../../shared/api/index.js';
import { setApi } from '../../renderer/src/api/client.js';
import ProjectView from '../../renderer/src/components/ProjectView.vue';
import { makeI18n } from '../../renderer/src/i18n/index.js';
import { DRAFT_SAVE_DELAY_MS, useDraftStore } from '../../renderer/src/stores/draft.js';
import { useEditorStore } from '../../renderer/src/stores/editor.js';
import { createTestRouter } from '../../renderer/src/router/index.js';
import { installRouter, useNavStore } from '../../renderer/src/stores/nav.js';
import { useProjectsStore } from '../../renderer/src/stores/projects.js';
import { useReadinessStore } from '../../renderer/src/stores/readiness.js';
import { useTricksStore } from '../../renderer/src/stores/tricks.js';
import { ChartStub, installFakeApi } from './support/fake-api.js';
import { config, MLP_SPEC, run } from './support/fixtures.js';

const byTestId = (id: string) => `[data-testid="${id}"]`;

/** The user's draft: dropout on, 2 epochs, seed 1 fixed. */
function userDraft(overrides: Partial<DraftInput> = {}): DraftInput {
  return {
    spec: MLP_SPEC,
    config: { epochs: 2, batchSize: 64, tricks: { adam: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, dropout: { rate: 0.3 } } },
    dataset: { kind: 'mnist' },
    seedPolicy: { kind: 'fixed', seed: 1 },
    ...overrides,
  };
}

/** A fake host: drafts kept per project, runs listed newest first as the host lists them, runs.start recorded. */
function host(draft: DraftInput | null, runs: RunListItem[] = []) {
  const drafts = new Map<number, ProjectDraft>();
  if (draft) drafts.set(1, { projectId: 1, updatedAt: '2026-01-01T00:00:00Z', ...draft });
  const list = [...runs];
  let startError: ApiError | null = null;
  const api = installFakeApi({
    'drafts.get': ({ projectId }: { projectId: number }) => drafts.get(projectId) ?? { projectId, updatedAt: null, spec: null, config: { epochs: 3, batchSize: 64, tricks: {} }, dataset: null, seedPolicy: { kind: 'fixed', seed: 1 } },
    'drafts.save': ({ projectId, draft: d }: { projectId: number; draft: DraftInput }) => {
      const saved = { projectId, updatedAt: new Date().toISOString(), ...JSON.parse(JSON.stringify(d)) } as ProjectDraft;
      drafts.set(projectId, saved);
      return saved;
    },
    'models.list': () => [{ id: 10, projectId: 1, parentId: null, name: 'MNIST MLP', spec: MLP_SPEC, hash: 'h', createdAt: '' }],
    'models.save': ({ spec }: { spec: unknown }) => ({ id: 10, projectId: 1, parentId: null, name: 'MNIST MLP', spec, hash: 'h', createdAt: '', created: false }),
    'datasets.list': () => [{ id: 20, projectId: 1, name: 'MNIST', source: { kind: 'mnist' }, split: {}, fingerprint: 'f', createdAt: '' }],
    'comparisons.list': () => [],
    'runs.list': () => [...list].sort((a, b) => b.id - a.id),
    'queue.get': () => ({ concurrency: 1, active: [], pending: [] }),
    'metrics.series': () => [],
    'runs.start': (input: { config: Run['config'] }) => {
      if (startError) throw startError;
      const id = list.length + 1;
      const made = run(id, { status: 'queued', config: input.config, seed: input.config.seed, finalMetrics: null });
      list.push(made);
      return made;
    },
  } as never);
  return { api, drafts, failNextStart: (e: ApiError | null) => (startError = e) };
}

let pinia: Pinia;
/** The project view at /projects/1/model, as the address opens it. */
async function mountProject() {
  pinia = createPinia();
  setActivePinia(pinia);
  installRouter(createTestRouter());
  await useNavStore().openProject(1);
  useProjectsStore().currentId = 1;
  return mount(ProjectView, { global: { plugins: [pinia, makeI18n('en')], stubs: { Echarts: ChartStub } }, attachTo: document.body });
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(() => {
  document.body.innerHTML = '';
});
afterEach(() => {
  setApi(null);
  installRouter(null);
});

describe('the draft is the experiment (finding 1)', () => {
  it('after an ablation the panel keeps the user’s config, not the last arm’s', async () => {
    // #1 the user's run (dropout on); #2 the ablation arm without dropout, newer.
    host(userDraft(), [run(1, { config: config({ dropout: { rate: 0.3 } }) }), run(2, { name: 'run 1: dropout off', config: config() })]);
    const wrapper = await mountProject();
    await flushPromises();
    const tricks = useTricksStore();
    expect(tricks.isOn('dropout')).toBe(true);
    expect(tricks.param('dropout', 'rate')).toBe(0.3);
    expect(tricks.epochs).toBe(2);
    useNavStore().tab = 'tricks';
    await flushPromises();
    expect((wrapper.find(byTestId('trick-dropout')).element as HTMLInputElement).checked).toBe(true);
    wrapper.unmount();
  });

  it('after "Repeat with 3 seeds" a plain Train uses the draft’s seed policy, not seed 3', async () => {
    const { api } = host(userDraft(), [run(1), run(2, { name: 'run 1, seed 2', seed: 2, config: config({}, 2) }), run(3, { name: 'run 1, seed 3', seed: 3, config: config({}, 3) })]);
    const wrapper = await mountProject();
    await flushPromises();
    expect(wrapper.find(byTestId('seed-summary')).text()).toBe('Seed 1 (fixed)');
    await wrapper.find(byTestId('train')).trigger('click');
    await flushPromises();
    expect((api.called('runs.start')[0]!.input as { config: Run['config'] }).config.seed).toBe(1);
    expect((api.called('runs.start')[0]!.input as { config: Run['config'] }).config.tricks).toHaveProperty('dropout');
    // "A new seed each run": one more than any seed the project used.
    useTricksStore().seedMode = 'fresh';
    await flushPromises();
    expect(wrapper.find(byTestId('seed-summary')).text()).toBe('New seed each run (next: 4)');
    await wrapper.find(byTestId('train')).trigger('click');
    await flushPromises();
    expect((api.called('runs.start')[1]!.input as { config: Run['config'] }).config.seed).toBe(4);
    wrapper.unmount();
  });

  it('tricks ticked in a project that never trained are there on return (saved after the edit and on leaving)', async () => {
    const { api, drafts } = host(null);
    let wrapper = await mountProject();
    await flushPromises();
    useTricksStore().toggle('dropout', true);
    useTricksStore().toggle('batchNorm', true);
    // Leaving at once saves what is waiting.
    wrapper.unmount();
    await flushPromises();
    expect(api.called('drafts.save')).toHaveLength(1);
    expect(Object.keys(drafts.get(1)!.config.tricks).sort()).toEqual(['adam', 'batchNorm', 'dropout']);
    // A reload: a fresh page (new stores) shows them.
    wrapper = await mountProject();
    await flushPromises();
    expect(useTricksStore().isOn('dropout')).toBe(true);
    expect(useTricksStore().isOn('batchNorm')).toBe(true);
    // An edit is saved a moment later without leaving; opening the project saved nothing by itself.
    const saves = api.called('drafts.save').length;
    useTricksStore().epochs = 7;
    await wait(DRAFT_SAVE_DELAY_MS + 100);
    await flushPromises();
    expect(api.called('drafts.save')).toHaveLength(saves + 1);
    expect(drafts.get(1)!.config.epochs).toBe(7);
    wrapper.unmount();
  });

  it('keeps a value being fixed as typed, and "Use these settings" loads a run’s whole setup, seed fixed', async () => {
    const { drafts } = host(userDraft({ config: { epochs: 2, batchSize: null, tricks: { adam: { learningRate: 0.001 }, dropout: { rate: 'abc' } } } }));
    const wrapper = await mountProject();
    await flushPromises();
    const tricks = useTricksStore();
    expect(tricks.param('dropout', 'rate')).toBe('abc');
    expect(Number.isNaN(tricks.batchSize)).toBe(true);
    const draft = useDraftStore();
    draft.useRunSettings(run(5, { seed: 9, config: config({ batchNorm: { momentum: 0.99, epsilon: 0.001 } }, 9) }), MLP_SPEC, { kind: 'mnist' });
    expect(tricks.isOn('dropout')).toBe(false);
    expect(tricks.isOn('batchNorm')).toBe(true);
    expect(tricks.seedPolicy).toEqual({ kind: 'fixed', seed: 9 });
    expect(draft.loadedFrom).toBe(5);
    await draft.flush();
    expect(drafts.get(1)!.seedPolicy).toEqual({ kind: 'fixed', seed: 9 });
    wrapper.unmount();
  });
});

describe('every disabled Train says why (findings 2 and 4)', () => {
  it('weight averaging over 5 of 2 epochs: the reason beside Train, on the field, and the allowed range follows the epochs', async () => {
    host(userDraft({ config: { epochs: 2, batchSize: 64, tricks: { adam: { learningRate: 0.001 }, weightAveraging: { lastEpochs: 5 } } } }));
    const wrapper = await mountProject();
    await flushPromises();
    expect(wrapper.find(byTestId('train')).attributes('disabled')).toBeDefined();
    const blockers = wrapper.findAll(byTestId('train-blocker'));
    expect(blockers.map((b) => b.attributes('data-blocker'))).toEqual(['tricks:tricks.weightAveraging.lastEpochs']);
    expect(blockers[0]!.text()).toContain('tricks.weightAveraging.lastEpochs must be at most epochs (2) (got 5)');
    expect(wrapper.find(byTestId('train')).attributes('title')).toContain('must be at most epochs (2)');
    await blockers[0]!.find(byTestId('blocker-show')).trigger('click');
    await flushPromises();
    expect(useNavStore().tab).toBe('tricks');
    const field = wrapper.find(byTestId('param-weightAveraging-lastEpochs'));
    expect(document.activeElement).toBe(field.element);
    expect(field.element.closest('label')!.textContent).toContain('must be at most epochs (2)');
    expect(wrapper.find(byTestId('range-weightAveraging-lastEpochs')).text()).toBe('Allowed: an integer in [2, 2]');
    // Fixed: Train is on and nothing is listed.
    useTricksStore().setParam('weightAveraging', 'lastEpochs', 2);
    await flushPromises();
    expect(wrapper.find(byTestId('train-blockers')).exists()).toBe(false);
    expect(wrapper.find(byTestId('train')).attributes('disabled')).toBeUndefined();
    wrapper.unmount();
  });

  it('a blank project with a valid model and no dataset says so, linking to the Data tab', async () => {
    host(userDraft({ dataset: null }));
    const wrapper = await mountProject();
    await flushPromises();
    const blocker = wrapper.find(byTestId('train-blocker'));
    expect(blocker.attributes('data-blocker')).toBe('data');
    expect(blocker.text()).toContain('No dataset is picked: choose one on the Data tab.');
    expect(blocker.attributes('data-target')).toBe('dataset-mnist');
    wrapper.unmount();
  });

  it('a model ending in 32 units for 10 classes is caught before Train, on the units field; “valid” is not shown', async () => {
    const spec = JSON.parse(JSON.stringify(MLP_SPEC)) as typeof MLP_SPEC;
    const last = spec.layers.length - 1;
    (spec.layers[last] as { units: number }).units = 32;
    host(userDraft({ spec }));
    const wrapper = await mountProject();
    await flushPromises();
    expect(useReadinessStore().blockers.map((b) => b.id)).toEqual([`model:layers[${last}].units`]);
    expect(wrapper.find(byTestId('train-blocker')).text()).toContain('the model outputs [32] but MNIST has 10 classes: the last layer needs 10 units');
    expect(wrapper.find(byTestId('train-blocker')).attributes('data-target')).toBe(`card-layers[${last}]-units`);
    expect(wrapper.find(byTestId('model-ok')).exists()).toBe(false);
    expect(wrapper.find(byTestId('error-count')).text()).toContain('1 problem');
    expect(wrapper.find(byTestId(`card-layers[${last}]`)).attributes('data-flagged')).toBe('true');
    useEditorStore().update(`layers[${last}]`, 'units', 10);
    await flushPromises();
    expect(wrapper.find(byTestId('model-ok')).exists()).toBe(true);
    expect(useReadinessStore().ready).toBe(true);
    wrapper.unmount();
  });

  it('an error from the host goes away once the draft changes, on every tab', async () => {
    const { failNextStart } = host(userDraft());
    const wrapper = await mountProject();
    await flushPromises();
    failNextStart(new ApiError('invalid_input', 'runs.start: spec.layers[3].units: the model outputs [32] but MNIST has 10 classes'));
    await wrapper.find(byTestId('train')).trigger('click');
    await flushPromises();
    expect(wrapper.find(byTestId('project-error')).text()).toContain('runs.start');
    useNavStore().tab = 'tricks';
    await flushPromises();
    useTricksStore().epochs = 3;
    await flushPromises();
    expect(wrapper.find(byTestId('project-error')).exists()).toBe(false);
    wrapper.unmount();
  });
});
