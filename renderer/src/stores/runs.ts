// Runs of the open project, the queue, and live progress from the pushed events.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import {
  batchesPerEpochOf,
  datasetRefSplit,
  isActiveRunStatus,
  STEP_METRICS,
  stepOfLoss,
  type BatchProgress,
  type DatasetRef,
  type DecisionBoundary,
  type EpochMetricName,
  type EpochReport,
  type ModelSpec,
  type TrainingConfig,
} from '../../../shared/index.js';
import { frameBatcher } from '../live.js';
import { appendPoint } from '../series.js';
import type { QueueState, Run, RunListItem } from '../../../shared/api/index.js';
import { onEventsReconnected, toApiError, useApi } from '../api/client.js';

export type Point = [number, number];

/**
 * What the live chart draws of a run. The x of a batch loss is the optimizer step it was measured at, counted from
 * 1; epoch figures are by epoch (from 1), placed on the step axis at the epoch's last step (`epoch × batchesPerEpoch`).
 */
export interface Curves {
  /** Every step's own batch loss while it trains (recorded runs: the losses sampled every few steps). */
  loss: Point[];
  /** Per epoch: the training loss (mean over the epoch) and accuracy, and the validation loss and accuracy. */
  trainLoss: Point[];
  accuracy: Point[];
  valLoss: Point[];
  valAccuracy: Point[];
}

const emptyCurves = (): Curves => ({ loss: [], trainLoss: [], accuracy: [], valLoss: [], valAccuracy: [] });

function toPoints(epochs: number[], values: (number | null)[], x?: (number | null)[]): Point[] {
  const out: Point[] = [];
  values.forEach((v, i) => {
    // Epochs are 0-based in the store: the chart shows them counted from 1; steps likewise.
    const at = x ? (x[i] === null || x[i] === undefined ? undefined : x[i]! + 1) : epochs[i] === undefined ? undefined : epochs[i]! + 1;
    if (v !== null && at !== undefined && Number.isFinite(v)) out.push([at, v]);
  });
  return out;
}

/** A live push for one run: batch losses, an epoch report, or both. */
interface LivePush {
  runId: number;
  losses?: Point[];
  report?: EpochReport;
}

export const useRunsStore = defineStore('runs', () => {
  const runs = ref<RunListItem[]>([]);
  const queue = ref<QueueState>({ concurrency: 1, active: [], pending: [] });
  const progress = ref<Record<number, BatchProgress>>({});
  /** runId → curves; mutated in place by live pushes (applied once per animation frame), then triggered. */
  const curves = shallowRef<Record<number, Curves>>({});
  /** runId → the decision boundary of its last epoch (2-D sets), as the trainer sent it. */
  const boundaries = shallowRef<Record<number, { epoch: number; boundary: DecisionBoundary }>>({});
  /** runId → the last epoch's report (the run card names its figures). */
  const lastEpoch = ref<Record<number, EpochReport>>({});
  /** datasetId → its reference (for a run's steps per epoch after a reload). */
  const datasets = ref<Record<number, DatasetRef>>({});
  const selectedId = ref<number | null>(null);
  const projectId = ref<number | null>(null);
  const error = ref<string | null>(null);
  let unsubscribe: (() => void)[] = [];

  const selected = computed(() => runs.value.find((r) => r.id === selectedId.value) ?? null);

  // Live points are applied together once per animation frame: a burst of progress costs one chart redraw.
  const live = frameBatcher<LivePush>((pushes) => {
    const all = curves.value;
    for (const { runId, losses, report } of pushes) {
      const c = (all[runId] ??= emptyCurves());
      for (const point of losses ?? []) appendPoint(c.loss, point);
      if (report) {
        const x = report.epoch + 1;
        const m = report.metrics;
        if (Number.isFinite(m.loss)) appendPoint(c.trainLoss, [x, m.loss]);
        if (Number.isFinite(m.accuracy)) appendPoint(c.accuracy, [x, m.accuracy]);
        if (Number.isFinite(m.valLoss)) appendPoint(c.valLoss, [x, m.valLoss]);
        if (Number.isFinite(m.valAccuracy)) appendPoint(c.valAccuracy, [x, m.valAccuracy]);
      }
      // A new wrapper (the point arrays are shared, not copied): views that computed from the old one recompute.
      all[runId] = { ...c };
    }
    triggerRef(curves);
  });

  /** Optimizer steps per epoch of a run: from its progress while it trains, else from its dataset's split. */
  function batchesPerEpoch(id: number): number | null {
    const p = progress.value[id];
    if (p) return p.batchesPerEpoch;
    const run = runs.value.find((r) => r.id === id);
    const source = run ? datasets.value[run.datasetId] : undefined;
    if (!run || !source) return null;
    return batchesPerEpochOf(datasetRefSplit(source).train, run.config.batchSize) || null;
  }

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
        // Each step's own batch loss (the messages carry every one since the last), at its step counted from 1.
        const losses: Point[] = [];
        (p.losses ?? []).forEach((loss, i) => {
          if (Number.isFinite(loss)) losses.push([stepOfLoss(p, i) + 1, loss]);
        });
        if (losses.length) live.push({ runId, losses });
      }),
      api.onRunEpoch(({ runId, report }) => {
        lastEpoch.value = { ...lastEpoch.value, [runId]: report };
        if (report.boundary) boundaries.value = { ...boundaries.value, [runId]: { epoch: report.epoch, boundary: report.boundary } };
        live.push({ runId, report });
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
      // Events missed while the stream was broken: read the runs and the queue again.
      onEventsReconnected(() => void refresh()),
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
    live.cancel();
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
      const [list, q, sets] = await Promise.all([api.runs.list({ projectId: id }), api.queue.get(), api.datasets.list({ projectId: id }).catch(() => [])]);
      runs.value = [...list].sort((a, b) => b.id - a.id);
      queue.value = q;
      datasets.value = Object.fromEntries(sets.map((d) => [d.id, d.source]));
    });
  }

  /** Shows a run's curves (recorded points, then live ones). */
  async function select(id: number): Promise<void> {
    selectedId.value = id;
    await loadCurves(id);
  }

  async function loadCurves(id: number): Promise<void> {
    await guard(async () => {
      const epochKeys = ['loss', 'accuracy', 'valLoss', 'valAccuracy'] as const satisfies readonly EpochMetricName[];
      const series = await useApi().metrics.series({ runId: id, names: [STEP_METRICS.loss, ...epochKeys] });
      const by = Object.fromEntries(series.map((s) => [s.name, s]));
      const recorded = emptyCurves();
      const step = by[STEP_METRICS.loss];
      if (step) recorded.loss = toPoints(step.epochs, step.values, step.steps);
      const epochSeries = (name: string) => (by[name] ? toPoints(by[name]!.epochs, by[name]!.values) : []);
      recorded.trainLoss = epochSeries('loss');
      recorded.accuracy = epochSeries('accuracy');
      recorded.valLoss = epochSeries('valLoss');
      recorded.valAccuracy = epochSeries('valAccuracy');
      live.flush();
      const current = curves.value[id];
      // While a run trains, the live curves are finer than the recorded ones (every step, not every tenth): keep
      // whichever has more points.
      if (current) for (const key of Object.keys(recorded) as (keyof Curves)[]) if (current[key].length > recorded[key].length) recorded[key] = current[key];
      curves.value = { ...curves.value, [id]: recorded };
    });
  }

  async function start(input: { projectId: number; spec: ModelSpec; dataset: DatasetRef; config: TrainingConfig; name?: string }): Promise<Run | undefined> {
    const run = await guard(() =>
      useApi().runs.start({ projectId: input.projectId, spec: input.spec, dataset: input.dataset, config: input.config, ...(input.name ? { name: input.name } : {}) }),
    );
    if (run) {
      curves.value = { ...curves.value, [run.id]: emptyCurves() };
      if (!datasets.value[run.datasetId]) datasets.value = { ...datasets.value, [run.datasetId]: input.dataset };
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

  return {
    runs,
    queue,
    progress,
    curves,
    boundaries,
    lastEpoch,
    datasets,
    selectedId,
    selected,
    error,
    listen,
    stopListening,
    load,
    refresh,
    select,
    loadCurves,
    start,
    control,
    eta,
    fraction,
    batchesPerEpoch,
    /** Applies queued live points now (tests, and before reading the curves synchronously). */
    flush: () => live.flush(),
  };
});

function fractionOf(p: BatchProgress | undefined): number {
  if (!p || p.epochs <= 0 || p.batchesPerEpoch <= 0) return 0;
  return Math.min(1, (p.epoch * p.batchesPerEpoch + p.batch) / (p.epochs * p.batchesPerEpoch));
}
