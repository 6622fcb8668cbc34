// One run in detail: its live curves, per-layer statistics and warnings, the test report (confusion matrix,
// misclassified digits), facts, checkpoints; and what can start from it (resume from a checkpoint, export,
// Ablate…, Repeat with N seeds). Pushed epochs are applied once per animation frame.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import { isSettledRunStatus, LAYER_METRIC_PREFIX, layerMetricName, STEP_METRICS, type EpochReport } from '../../../shared/index.js';
import type { Checkpoint, MetricSeries, ModelVersion, Run, RunGroupResult, RunReport } from '../../../shared/api/index.js';
import { layerWarnings, type LayerWarning } from '../../../shared/analysis/index.js';
import { toApiError, useApi } from '../api/client.js';
import { frameBatcher } from '../live.js';
import { appendPoint, downloadBase64, LAYER_STATS, parseLayerMetric, pointsOf, type LayerStatName, type Point } from '../series.js';

/** Layer statistics of a run: path → stat → points by epoch. */
export type LayerSeries = Record<string, Record<LayerStatName, Point[]>>;

export const useRunViewStore = defineStore('run-view', () => {
  const runId = ref<number | null>(null);
  const run = ref<Run | null>(null);
  const model = ref<ModelVersion | null>(null);
  const report = ref<RunReport | null>(null);
  const checkpoints = ref<Checkpoint[]>([]);
  /** Metric name → points (epoch metrics by epoch from 1, `step.*` by step). Mutated in place; `triggerRef` after. */
  const curves = shallowRef<Record<string, Point[]>>({});
  /** The raw `layer.*` series, for the warnings. */
  const layerRaw = shallowRef<MetricSeries[]>([]);
  const loading = ref(false);
  const busy = ref(false);
  const error = ref<string | null>(null);
  /** After a refused resume: the checkpoint a new run could continue from. */
  const forkOffer = ref<{ id: number; epoch: number } | null>(null);
  /** Set after Ablate… or Repeat: the comparison to open. */
  const lastGroup = ref<RunGroupResult | null>(null);
  let unsubscribe: (() => void)[] = [];

  const layers = computed<LayerSeries>(() => {
    const out: LayerSeries = {};
    for (const s of layerRaw.value) {
      const parsed = parseLayerMetric(s.name);
      if (!parsed) continue;
      out[parsed.path] ??= Object.fromEntries(LAYER_STATS.map((k) => [k, [] as Point[]])) as Record<LayerStatName, Point[]>;
      out[parsed.path]![parsed.stat] = pointsOf(s);
    }
    return out;
  });

  const warnings = computed<LayerWarning[]>(() => {
    if (!layerRaw.value.length) return [];
    try {
      return layerWarnings(layerRaw.value);
    } catch {
      return [];
    }
  });

  /** Mean seconds per epoch from the recorded `seconds` series. */
  const secondsPerEpoch = computed(() => {
    const s = curves.value.seconds;
    if (!s?.length) return null;
    return s.reduce((a, [, v]) => a + v, 0) / s.length;
  });

  async function guard<T>(work: () => Promise<T>): Promise<T | undefined> {
    error.value = null;
    try {
      return await work();
    } catch (e) {
      error.value = toApiError(e).message;
      return undefined;
    }
  }

  const epochs = frameBatcher<EpochReport>((reports) => {
    const c = curves.value;
    let layersChanged = false;
    for (const report of reports) {
      const x = report.epoch + 1;
      for (const [name, value] of Object.entries(report.metrics)) {
        if (typeof value === 'number' && Number.isFinite(value)) appendPoint((c[name] ??= []), [x, value]);
      }
      for (const step of report.steps) {
        if (Number.isFinite(step.loss)) appendPoint((c[STEP_METRICS.loss] ??= []), [step.step, step.loss]);
        if (Number.isFinite(step.gradNorm)) appendPoint((c[STEP_METRICS.gradNorm] ??= []), [step.step, step.gradNorm]);
      }
      if (report.layers.length) {
        layersChanged = true;
        const byName = new Map(layerRaw.value.map((s) => [s.name, s]));
        for (const l of report.layers) {
          for (const stat of LAYER_STATS) {
            const name = layerMetricName(l.path, stat);
            let s = byName.get(name);
            if (!s) byName.set(name, (s = { name, epochs: [], steps: [], values: [] }));
            if (s.epochs[s.epochs.length - 1] === report.epoch) continue;
            s.epochs.push(report.epoch);
            s.steps.push(null);
            s.values.push(Number.isFinite(l[stat]) ? l[stat] : null);
          }
        }
        layerRaw.value = [...byName.values()];
      }
    }
    triggerRef(curves);
    if (layersChanged) triggerRef(layerRaw);
  });

  function listen(): void {
    if (unsubscribe.length) return;
    const api = useApi();
    unsubscribe = [
      api.onRunEpoch(({ runId: id, report: r }) => {
        if (id === runId.value) epochs.push(r);
      }),
      api.onRunStatus(({ runId: id, run: updated }) => {
        if (id !== runId.value) return;
        run.value = updated;
        // Settled (finished, or interrupted with its checkpoints): its records are complete.
        if (updated && isSettledRunStatus(updated.status)) void Promise.all([loadReport(), loadCheckpoints(), loadSeries()]);
      }),
      api.onRunCheckpoint(({ runId: id }) => {
        if (id === runId.value) void loadCheckpoints();
      }),
    ];
  }

  function stopListening(): void {
    unsubscribe.forEach((off) => off());
    unsubscribe = [];
    epochs.cancel();
  }

  async function open(id: number): Promise<void> {
    runId.value = id;
    run.value = null;
    model.value = null;
    report.value = null;
    checkpoints.value = [];
    curves.value = {};
    layerRaw.value = [];
    lastGroup.value = null;
    forkOffer.value = null;
    epochs.cancel();
    listen();
    loading.value = true;
    try {
      const got = await guard(() => useApi().runs.get({ id }));
      if (!got || runId.value !== id) return;
      run.value = got;
      await Promise.all([
        guard(async () => {
          const m = await useApi().models.get({ id: got.modelVersionId });
          if (runId.value === id) model.value = m;
        }),
        loadSeries(),
        loadReport(),
        loadCheckpoints(),
      ]);
    } finally {
      loading.value = false;
    }
  }

  async function loadSeries(): Promise<void> {
    const id = runId.value;
    if (id === null) return;
    await guard(async () => {
      const series = await useApi().metrics.series({ runId: id });
      if (runId.value !== id) return;
      const next: Record<string, Point[]> = {};
      const layerSeries: MetricSeries[] = [];
      for (const s of series) {
        if (s.name.startsWith(LAYER_METRIC_PREFIX)) layerSeries.push(s);
        else next[s.name] = pointsOf(s);
      }
      epochs.flush();
      // Live points that arrived after the recorded ones were read stay (keep the longer curve).
      for (const [name, pts] of Object.entries(curves.value)) if ((next[name]?.length ?? 0) < pts.length) next[name] = pts;
      curves.value = next;
      if (layerSeries.length >= layerRaw.value.length) layerRaw.value = layerSeries;
    });
  }

  async function loadReport(): Promise<void> {
    const id = runId.value;
    if (id === null) return;
    await guard(async () => {
      const r = await useApi().runs.report({ id });
      if (runId.value === id) report.value = r;
    });
  }

  async function loadCheckpoints(): Promise<void> {
    const id = runId.value;
    if (id === null) return;
    await guard(async () => {
      const list = await useApi().checkpoints.list({ runId: id });
      if (runId.value === id) checkpoints.value = [...list].sort((a, b) => a.epoch - b.epoch || a.id - b.id);
    });
  }

  async function act<T>(work: () => Promise<T>): Promise<T | undefined> {
    busy.value = true;
    try {
      return await guard(work);
    } finally {
      busy.value = false;
    }
  }

  /**
   * Resume: the interrupted or stopped run continues from its last checkpoint (queued for a trainer). A run that
   * cannot (its latest checkpoint is damaged) says why, and `forkOffer` names a checkpoint a new run can start from.
   */
  async function resume(): Promise<Run | undefined> {
    const id = runId.value;
    if (id === null) return undefined;
    forkOffer.value = null;
    busy.value = true;
    error.value = null;
    try {
      const resumed = await useApi().runs.resumeFromCheckpoint({ id });
      if (runId.value === id) run.value = resumed;
      return resumed;
    } catch (e) {
      const apiError = toApiError(e);
      error.value = apiError.message;
      const details = apiError.details as { forkCheckpointId?: unknown; forkCheckpointEpoch?: unknown } | null;
      const [offer, epoch] = [details?.forkCheckpointId, details?.forkCheckpointEpoch];
      forkOffer.value = typeof offer === 'number' && typeof epoch === 'number' ? { id: offer, epoch } : null;
      return undefined;
    } finally {
      busy.value = false;
    }
  }

  /** "Resume from here": a new queued run continuing from the checkpoint. */
  function fork(checkpointId: number): Promise<Run | undefined> {
    return act(() => useApi().runs.fork({ checkpointId }));
  }

  /** Exports the checkpoint's model and offers the zip as a download. */
  async function exportCheckpoint(checkpointId: number, format: 'tfjs' | 'onnx'): Promise<boolean> {
    const file = await act(() => useApi().checkpoints.export({ checkpointId, format }));
    if (!file) return false;
    downloadBase64(file.fileName, file.data);
    return true;
  }

  async function ablate(tricks: string[], seeds: number): Promise<RunGroupResult | undefined> {
    const id = runId.value;
    if (id === null) return undefined;
    const result = await act(() => useApi().runs.ablate({ runId: id, tricks, ...(seeds > 1 ? { seeds } : {}) }));
    if (result) lastGroup.value = result;
    return result;
  }

  async function repeat(seeds: number): Promise<RunGroupResult | undefined> {
    const id = runId.value;
    if (id === null) return undefined;
    const result = await act(() => useApi().runs.repeat({ runId: id, seeds }));
    if (result) lastGroup.value = result;
    return result;
  }

  function close(): void {
    stopListening();
    runId.value = null;
  }

  return {
    runId,
    run,
    model,
    report,
    checkpoints,
    curves,
    layerRaw,
    layers,
    warnings,
    secondsPerEpoch,
    loading,
    busy,
    error,
    lastGroup,
    forkOffer,
    open,
    close,
    listen,
    stopListening,
    loadSeries,
    loadReport,
    loadCheckpoints,
    fork,
    resume,
    exportCheckpoint,
    ablate,
    repeat,
    flush: () => epochs.flush(),
  };
});
