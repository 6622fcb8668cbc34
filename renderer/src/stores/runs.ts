// Runs of the open project, the queue, and live progress from the pushed events.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { isActiveRunStatus, STEP_METRICS, type BatchProgress, type DatasetRef, type EpochMetricName, type ModelSpec, type TrainingConfig } from '../../../shared/index.js';
import type { QueueState, Run, RunListItem } from '../../../shared/api/index.js';
import { toApiError, useApi } from '../api/client.js';

export type Point = [number, number];

export interface Curves {
  /** Training loss by step (live progress, then the recorded step losses). */
  loss: Point[];
  /** Per epoch. */
  accuracy: Point[];
  valLoss: Point[];
  valAccuracy: Point[];
}

const emptyCurves = (): Curves => ({ loss: [], accuracy: [], valLoss: [], valAccuracy: [] });

function toPoints(epochs: number[], values: (number | null)[], x?: (number | null)[]): Point[] {
  const out: Point[] = [];
  values.forEach((v, i) => {
    // Epochs are 0-based in the store: the chart shows them counted from 1.
    const at = x ? x[i] : epochs[i] === undefined ? undefined : epochs[i]! + 1;
    if (v !== null && at !== null && at !== undefined) out.push([at, v]);
  });
  return out;
}

export const useRunsStore = defineStore('runs', () => {
  const runs = ref<RunListItem[]>([]);
  const queue = ref<QueueState>({ concurrency: 1, active: [], pending: [] });
  const progress = ref<Record<number, BatchProgress>>({});
  const curves = ref<Record<number, Curves>>({});
  const selectedId = ref<number | null>(null);
  const projectId = ref<number | null>(null);
  const error = ref<string | null>(null);
  let unsubscribe: (() => void)[] = [];

  const selected = computed(() => runs.value.find((r) => r.id === selectedId.value) ?? null);

  async function guard<T>(work: () => Promise<T>): Promise<T | undefined> {
    error.value = null;
    try {
      return await work();
    } catch (e) {
      error.value = toApiError(e).message;
      return undefined;
    }
  }

  /** Subscribes to the pushed events (once). */
  function listen(): void {
    if (unsubscribe.length) return;
    const api = useApi();
    unsubscribe = [
      api.onRunProgress(({ runId, progress: p }) => {
        progress.value = { ...progress.value, [runId]: p };
        const c = curves.value[runId] ?? emptyCurves();
        // Epochs are 0-based on the wire; the chart counts optimizer steps from the start of the run.
        const step = p.epoch * p.batchesPerEpoch + p.batch;
        if (Number.isFinite(p.loss) && p.batch > 0) {
          const last = c.loss[c.loss.length - 1];
          if (!last || last[0] < step) curves.value = { ...curves.value, [runId]: { ...c, loss: [...c.loss, [step, p.loss]] } };
        }
      }),
      api.onRunEpoch(({ runId, report }) => {
        const c = curves.value[runId] ?? emptyCurves();
        const m = report.metrics;
        curves.value = {
          ...curves.value,
          [runId]: {
            ...c,
            accuracy: [...c.accuracy, [report.epoch + 1, m.accuracy]],
            valLoss: [...c.valLoss, [report.epoch + 1, m.valLoss]],
            valAccuracy: [...c.valAccuracy, [report.epoch + 1, m.valAccuracy]],
          },
        };
      }),
      api.onRunStatus(({ runId, run }) => {
        if (!run) {
          runs.value = runs.value.filter((r) => r.id !== runId);
          return;
        }
        if (run.projectId !== projectId.value) return;
        const known = runs.value.find((r) => r.id === runId);
        if (known) runs.value = runs.value.map((r) => (r.id === runId ? { ...r, ...run } : r));
        else void refresh();
        // A finished run's recorded curves replace the live ones.
        if (!isActiveRunStatus(run.status) && runId === selectedId.value) void loadCurves(runId);
      }),
      api.onQueueChanged((state) => {
        queue.value = state;
      }),
      // A sweep's trial state shows beside its run (a run ASHA stopped reads `stopped · pruned`).
      api.onSweepChanged(({ trial }) => {
        if (!trial || trial.runId === null || !runs.value.some((r) => r.id === trial.runId)) return;
        const mark = { sweepId: trial.sweepId, trial: trial.number, state: trial.state };
        runs.value = runs.value.map((r) => (r.id === trial.runId ? { ...r, sweep: mark } : r));
      }),
    ];
  }

  function stopListening(): void {
    unsubscribe.forEach((off) => off());
    unsubscribe = [];
  }

  async function load(id: number | null): Promise<void> {
    projectId.value = id;
    runs.value = [];
    selectedId.value = null;
    if (id === null) return;
    listen();
    await refresh();
    const latest = runs.value[0];
    if (latest) await select(latest.id);
  }

  async function refresh(): Promise<void> {
    const id = projectId.value;
    if (id === null) return;
    await guard(async () => {
      const api = useApi();
      const [list, q] = await Promise.all([api.runs.list({ projectId: id }), api.queue.get()]);
      runs.value = [...list].sort((a, b) => b.id - a.id);
      queue.value = q;
    });
  }

  /** Shows a run's curves (recorded points, then live ones). */
  async function select(id: number): Promise<void> {
    selectedId.value = id;
    await loadCurves(id);
  }

  async function loadCurves(id: number): Promise<void> {
    await guard(async () => {
      const epochKeys = ['accuracy', 'valLoss', 'valAccuracy'] as const satisfies readonly EpochMetricName[];
      const series = await useApi().metrics.series({ runId: id, names: [STEP_METRICS.loss, ...epochKeys] });
      const by = Object.fromEntries(series.map((s) => [s.name, s]));
      const recorded = emptyCurves();
      const step = by[STEP_METRICS.loss];
      if (step) recorded.loss = toPoints(step.epochs, step.values, step.steps);
      for (const key of epochKeys) {
        const s = by[key];
        if (s) recorded[key] = toPoints(s.epochs, s.values);
      }
      const live = curves.value[id];
      // While a run trains, the live loss is finer than the sampled step losses: keep whichever has more.
      if (live && live.loss.length > recorded.loss.length) recorded.loss = live.loss;
      curves.value = { ...curves.value, [id]: recorded };
    });
  }

  async function start(input: { projectId: number; spec: ModelSpec; dataset: DatasetRef; config: TrainingConfig; name?: string }): Promise<Run | undefined> {
    const run = await guard(() =>
      useApi().runs.start({ projectId: input.projectId, spec: input.spec, dataset: input.dataset, config: input.config, ...(input.name ? { name: input.name } : {}) }),
    );
    if (run) {
      curves.value = { ...curves.value, [run.id]: emptyCurves() };
      await refresh();
      selectedId.value = run.id;
    }
    return run;
  }

  async function control(action: 'pause' | 'resume' | 'stop', id: number): Promise<void> {
    const run = await guard(() => useApi().runs[action]({ id }));
    if (run) runs.value = runs.value.map((r) => (r.id === id ? { ...r, ...run } : r));
  }

  /** Seconds left for a running run, from its progress. */
  function eta(id: number): number | null {
    const p = progress.value[id];
    const run = runs.value.find((r) => r.id === id);
    if (!p || !run || p.samplesPerSecond <= 0) return null;
    const batchesLeft = (p.epochs - p.epoch - 1) * p.batchesPerEpoch + (p.batchesPerEpoch - p.batch);
    return (batchesLeft * run.config.batchSize) / p.samplesPerSecond;
  }

  /** 0–1 through the whole run. */
  function fraction(id: number): number {
    const run = runs.value.find((r) => r.id === id);
    return run?.status === 'completed' ? 1 : fractionOf(progress.value[id]);
  }

  return { runs, queue, progress, curves, selectedId, selected, error, listen, stopListening, load, refresh, select, loadCurves, start, control, eta, fraction };
});

function fractionOf(p: BatchProgress | undefined): number {
  if (!p || p.epochs <= 0 || p.batchesPerEpoch <= 0) return 0;
  return Math.min(1, (p.epoch * p.batchesPerEpoch + p.batch) / (p.epochs * p.batchesPerEpoch));
}
