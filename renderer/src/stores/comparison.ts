// A comparison of runs: their curves overlaid (or, for runs that differ only in their seed, one mean ± spread
// band per group), the config fields that differ, a summary per run, cost against gain, and — for a lesson —
// its verdict. Picked by hand, reopened from a saved comparison, or made by Ablate…, Repeat or a lesson; it
// fills in live as its runs train (pushes applied once per animation frame).
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import { isFinishedRunStatus, isSettledRunStatus, type DatasetRef, type EpochMetricName } from '../../../shared/index.js';
import type { Comparison, LessonVerdict, MetricSeries, Run, RunListItem } from '../../../shared/api/index.js';
import { aggregateCurves, diffRuns, groupBySetup, type Band, type DiffRow, type RunSetup } from '../../../shared/analysis/index.js';
import { toApiError, useApi } from '../api/client.js';
import { runColor } from '../components/charts.js';
import { frameBatcher } from '../live.js';
import { canonicalJson } from '../../../shared/analysis/canonical.js';
import { appendPoint, pointsOf, type Point } from '../series.js';

/** The epoch metrics a comparison loads and can plot. */
export const COMPARE_METRICS = ['valAccuracy', 'accuracy', 'valLoss', 'loss', 'learningRate', 'seconds', 'ensembleValAccuracy'] as const satisfies readonly EpochMetricName[];
/** The least time between two live redraws of the comparison chart (ms): see frameBatcher. */
export const LIVE_REDRAW_MS = 250;
/** How often the panels beside the chart follow live points (ms). */
const SLOW_MS = 500;
export const PLOTTABLE = ['valAccuracy', 'accuracy', 'valLoss', 'loss', 'learningRate'] as const satisfies readonly EpochMetricName[];
export type PlotMetric = (typeof PLOTTABLE)[number];

/** One curve (a run) or one band (runs that differ only in seed) of the chart. */
export interface CompareLine {
  key: string;
  runIds: number[];
  color: string;
  /** A single run's points. */
  points?: Point[];
  /** Mean and spread over the group's seeds. */
  band?: Band;
  /** Runs of this line that diverged, with the (1-based) epoch in which they did: the chart marks them. */
  diverged?: Array<{ runId: number; epoch: number }>;
}

/** A line as the chart draws it: with its legend label. */
export interface LabelledLine extends CompareLine {
  label: string;
}

export interface SummaryRow {
  runId: number;
  color: string;
  status: string;
  bestValAccuracy: number | null;
  /** 1-based. */
  bestEpoch: number | null;
  testAccuracy: number | null;
  seconds: number | null;
  parameters: number | null;
  backend: string;
  /** ASHA stopped it at a rung (its sweep says so; its status is `stopped`). */
  pruned?: boolean;
}

/** Points pushed for one run: metric → new points. */
export interface LivePoints {
  runId: number;
  points: Record<string, Point[]>;
}

/** A comparison opened from a sweep: its best run is one click away in the comparison view. */
export interface SweepContext {
  sweepId: number;
  name: string;
  bestRunId: number;
  bestTrial: number;
}

export const useComparisonStore = defineStore('comparison', () => {
  const comparison = ref<Comparison | null>(null);
  const sweepContext = ref<SweepContext | null>(null);
  const projectId = ref<number | null>(null);
  const runIds = ref<number[]>([]);
  const runs = ref<Record<number, RunListItem | Run>>({});
  const setups = shallowRef<Record<number, RunSetup>>({});
  const parameters = ref<Record<number, number | null>>({});
  /** runId → metric → points. Mutated in place by live pushes, then `triggerRef`. */
  const series = shallowRef<Record<number, Record<string, Point[]>>>({});
  /**
   * The same curves for the summary, the cost view and the verdict: re-triggered at most twice a second while
   * points stream in, so a live frame redraws the chart and nothing else.
   */
  const slowSeries = shallowRef<Record<number, Record<string, Point[]>>>({});
  let slowAt = 0;
  let slowTimer: ReturnType<typeof setTimeout> | undefined;
  function touchSlow(now = false): void {
    const due = slowAt + SLOW_MS - Date.now();
    if (now) {
      clearTimeout(slowTimer);
      slowTimer = undefined;
      slowAt = Date.now();
      slowSeries.value = series.value;
      triggerRef(slowSeries);
    } else if (!slowTimer) {
      // Called as the chart redraws: the panels update half a redraw interval later at the soonest, so the two
      // never share a frame.
      slowTimer = setTimeout(() => touchSlow(true), Math.max(due, LIVE_REDRAW_MS / 2));
    }
  }
  const metric = ref<PlotMetric>('valAccuracy');
  const verdict = ref<LessonVerdict | null>(null);
  const saved = ref<Comparison[]>([]);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let unsubscribe: (() => void)[] = [];
  let verdictTimer: ReturnType<typeof setTimeout> | undefined;
  const models = new Map<number, RunSetup['spec']>();

  async function guard<T>(work: () => Promise<T>): Promise<T | undefined> {
    error.value = null;
    try {
      return await work();
    } catch (e) {
      error.value = toApiError(e).message;
      return undefined;
    }
  }

  const setupsReady = computed(() => runIds.value.length > 0 && runIds.value.every((id) => setups.value[id]));

  /** Only the fields that differ (shared/analysis); empty until every run's setup is known. */
  const diff = computed<DiffRow[]>(() => {
    if (!setupsReady.value) return [];
    try {
      return diffRuns(runIds.value.map((id) => setups.value[id]!));
    } catch {
      return [];
    }
  });

  /** Everything but the seed. */
  function setupKey(id: number): string {
    const s = setups.value[id];
    if (!s) return `run:${id}`;
    return canonicalJson({ spec: s.spec, dataset: s.dataset, config: { ...s.config, seed: undefined } });
  }

  /** Runs grouped by setup (runs that differ only in seed together), in comparison order. */
  const groups = computed<number[][]>(() => {
    if (!setupsReady.value) return runIds.value.map((id) => [id]);
    try {
      return groupBySetup(runIds.value, setupKey);
    } catch {
      return runIds.value.map((id) => [id]);
    }
  });

  /** Bands when some group holds runs of different seeds (identical reruns alone stay separate lines). */
  const banded = computed(() => groups.value.some((g) => new Set(g.map((id) => runs.value[id]?.config.seed)).size > 1));

  /** A diverged run has no point for the epoch it diverged in (nor after): the epochs it completed say which. */
  function divergedIn(ids: readonly number[]): NonNullable<CompareLine['diverged']> {
    return ids.flatMap((id) => {
      const run = runs.value[id];
      return run?.status === 'diverged' ? [{ runId: id, epoch: (run.finalMetrics?.epochs ?? 0) + 1 }] : [];
    });
  }

  const lines = computed<CompareLine[]>(() => {
    const data = series.value;
    const name = metric.value;
    if (!banded.value) return runIds.value.map((id) => ({ key: `r${id}`, runIds: [id], color: runColor(id), points: data[id]?.[name] ?? [], diverged: divergedIn([id]) }));
    return groups.value.map((group) => {
      const curves = group.map((id) => {
        const pts = data[id]?.[name] ?? [];
        return { x: pts.map((p) => p[0]), y: pts.map((p) => p[1]) };
      });
      let band: Band;
      try {
        band = aggregateCurves(curves);
      } catch {
        band = { x: [], mean: [], std: [], min: [], max: [], n: [] };
      }
      return { key: `g${group[0]}`, runIds: group, color: runColor(group[0]!), band, diverged: divergedIn(group) };
    });
  });

  function secondsOf(id: number): number | null {
    const s = slowSeries.value[id]?.seconds;
    if (s?.length) return s.reduce((a, [, v]) => a + v, 0);
    const run = runs.value[id];
    if (run?.startedAt && run.finishedAt) return (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000;
    return null;
  }

  /** The best point of a curve so far; a live curve only grows, so the scan resumes where it stopped. */
  const bestCache = new WeakMap<Point[], { n: number; best: Point | null; last?: number }>();
  function bestOf(points: Point[]): Point | null {
    let c = bestCache.get(points);
    // The last point may have been replaced (a re-sent epoch): rescan from scratch then.
    if (!c || c.n > points.length || points[c.n - 1]?.[1] !== c.last) c = { n: 0, best: null };
    let best = c.best;
    for (let i = c.n; i < points.length; i++) if (!best || points[i]![1] > best[1]) best = points[i]!;
    bestCache.set(points, { n: points.length, best, last: points[points.length - 1]?.[1] });
    return best;
  }

  const summary = computed<SummaryRow[]>(() =>
    runIds.value.flatMap((id) => {
      const run = runs.value[id];
      if (!run) return [];
      const best = bestOf(slowSeries.value[id]?.valAccuracy ?? []);
      return [
        {
          runId: id,
          color: runColor(id),
          status: run.status,
          bestValAccuracy: best ? best[1] : null,
          bestEpoch: best ? best[0] : null,
          testAccuracy: run.finalMetrics?.testAccuracy ?? null,
          seconds: secondsOf(id),
          parameters: parameters.value[id] ?? null,
          backend: run.backend,
          ...('sweep' in run && run.sweep?.state === 'pruned' ? { pruned: true } : {}),
        },
      ];
    }),
  );

  // Finished means ended: an interrupted run has not finished (it waits to be resumed or stopped).
  const finished = computed(() => runIds.value.filter((id) => isFinishedRunStatus(runs.value[id]?.status ?? '')).length);

  // ---- live ----

  const live = frameBatcher<LivePoints>((items) => {
    const data = series.value;
    for (const { runId, points } of items) {
      const target = (data[runId] ??= {});
      for (const [name, pts] of Object.entries(points)) {
        const arr = (target[name] ??= []);
        for (const p of pts) appendPoint(arr, p);
      }
    }
    triggerRef(series);
    touchSlow();
  }, undefined, LIVE_REDRAW_MS);

  /** Queues points for the next frame (the live pushes and the performance page both come through here). */
  function push(item: LivePoints): void {
    live.push(item);
  }

  function listen(): void {
    if (unsubscribe.length) return;
    const api = useApi();
    unsubscribe = [
      api.onRunEpoch(({ runId, report }) => {
        if (!runIds.value.includes(runId)) return;
        const points: Record<string, Point[]> = {};
        for (const [name, value] of Object.entries(report.metrics)) {
          if (typeof value === 'number' && Number.isFinite(value)) points[name] = [[report.epoch + 1, value]];
        }
        push({ runId, points });
      }),
      api.onRunStatus(({ runId, run }) => {
        if (!runIds.value.includes(runId) || !run) return;
        runs.value = { ...runs.value, [runId]: { ...runs.value[runId], ...run } };
        if (isSettledRunStatus(run.status)) {
          void loadParameters([runId]);
          void loadSeries([runId]);
          scheduleVerdict();
        }
      }),
    ];
  }

  function stopListening(): void {
    unsubscribe.forEach((off) => off());
    unsubscribe = [];
    live.cancel();
    clearTimeout(verdictTimer);
    clearTimeout(slowTimer);
    slowTimer = undefined;
  }

  // ---- loading ----

  /** Opens runs of a project as a comparison (saved or not). */
  async function open(project: number, ids: readonly number[], saved: Comparison | null = null, fromSweep: SweepContext | null = null): Promise<void> {
    stopListening();
    comparison.value = saved;
    sweepContext.value = fromSweep;
    projectId.value = project;
    runIds.value = [...ids];
    runs.value = {};
    setups.value = {};
    parameters.value = {};
    series.value = {};
    touchSlow(true);
    verdict.value = null;
    if (saved?.kind === 'ablation' || saved?.kind === 'seeds' || saved?.kind === 'lesson') metric.value = 'valAccuracy';
    listen();
    loading.value = true;
    try {
      await guard(async () => {
        const api = useApi();
        const [list, datasets] = await Promise.all([api.runs.list({ projectId: project }), api.datasets.list({ projectId: project })]);
        const want = new Set(ids);
        runs.value = Object.fromEntries(list.filter((r) => want.has(r.id)).map((r) => [r.id, r]));
        const sources = new Map<number, DatasetRef>(datasets.map((d) => [d.id, d.source]));
        const versions = [...new Set(Object.values(runs.value).map((r) => r.modelVersionId))].filter((v) => !models.has(v));
        await Promise.all(versions.map(async (v) => models.set(v, (await api.models.get({ id: v })).spec)));
        const next: Record<number, RunSetup> = {};
        for (const r of Object.values(runs.value)) {
          const spec = models.get(r.modelVersionId);
          const dataset = sources.get(r.datasetId);
          if (spec && dataset) next[r.id] = { spec, config: r.config, dataset, backend: r.backend };
        }
        setups.value = next;
      });
      await Promise.all([loadSeries(ids), loadParameters(ids), loadVerdict()]);
    } finally {
      loading.value = false;
    }
  }

  async function loadSeries(ids: readonly number[]): Promise<void> {
    if (!ids.length) return;
    await guard(async () => {
      const curves = await useApi().metrics.curves({ runIds: [...ids], names: [...COMPARE_METRICS] });
      live.flush();
      const data = series.value;
      for (const { runId, series: list } of curves) {
        if (!runIds.value.includes(runId)) continue;
        const next: Record<string, Point[]> = {};
        for (const s of list as MetricSeries[]) next[s.name] = pointsOf(s);
        // Keep live points that arrived after the recorded ones were read.
        for (const [name, pts] of Object.entries(data[runId] ?? {})) if ((next[name]?.length ?? 0) < pts.length) next[name] = pts;
        data[runId] = next;
      }
      triggerRef(series);
      touchSlow(true);
    });
  }

  /** Parameters of each run: from its report once finished, else from the spec with the config's tricks. */
  async function loadParameters(ids: readonly number[]): Promise<void> {
    const api = useApi();
    await Promise.all(
      ids.map(async (id) => {
        try {
          const run = runs.value[id];
          let count: number | null = null;
          if (run && isSettledRunStatus(run.status)) count = (await api.runs.report({ id }))?.parameters ?? null;
          const setup = setups.value[id];
          if (count === null && setup) count = (await api.spec.check({ spec: setup.spec, config: setup.config })).info?.totalParams ?? null;
          parameters.value = { ...parameters.value, [id]: count };
        } catch {
          // A missing count shows as a dash.
        }
      }),
    );
  }

  async function loadVerdict(): Promise<void> {
    const c = comparison.value;
    if (!c?.lessonId) return;
    await guard(async () => {
      const v = await useApi().lessons.verdict({ comparisonId: c.id });
      if (comparison.value?.id === c.id) verdict.value = v;
    });
  }

  function scheduleVerdict(): void {
    if (!comparison.value?.lessonId) return;
    clearTimeout(verdictTimer);
    verdictTimer = setTimeout(() => void loadVerdict(), 250);
  }

  // ---- saved comparisons ----

  async function loadSaved(project: number): Promise<void> {
    await guard(async () => {
      const list = await useApi().comparisons.list({ projectId: project });
      saved.value = [...list].sort((a, b) => b.id - a.id);
    });
  }

  async function openSaved(id: number): Promise<void> {
    const c = await guard(() => useApi().comparisons.get({ id }));
    if (c) await open(c.projectId, c.runIds, c);
  }

  /** Saves the open comparison under a name with notes (updates it when it is already saved). */
  async function save(name: string, notes: string): Promise<Comparison | undefined> {
    const project = projectId.value;
    if (project === null) return undefined;
    const current = comparison.value;
    const result = await guard(() =>
      current
        ? useApi().comparisons.update({ id: current.id, name, notes, runIds: runIds.value })
        : useApi().comparisons.save({ projectId: project, name, notes, runIds: runIds.value }),
    );
    if (result) {
      comparison.value = result;
      await loadSaved(project);
    }
    return result;
  }

  async function remove(id: number): Promise<void> {
    const done = await guard(() => useApi().comparisons.delete({ id }));
    if (done === undefined) return;
    saved.value = saved.value.filter((c) => c.id !== id);
    if (comparison.value?.id === id) comparison.value = null;
  }

  function close(): void {
    stopListening();
    comparison.value = null;
    sweepContext.value = null;
    runIds.value = [];
  }

  /** Loads generated runs (the performance page): no API, the same chart and live path. */
  function loadSynthetic(data: Record<number, Record<string, Point[]>>, info: Record<number, RunListItem | Run>): void {
    stopListening();
    comparison.value = null;
    runIds.value = Object.keys(data).map(Number);
    runs.value = info;
    setups.value = {};
    series.value = data;
    touchSlow(true);
  }

  return {
    comparison,
    sweepContext,
    projectId,
    runIds,
    runs,
    setups,
    parameters,
    series,
    metric,
    verdict,
    saved,
    loading,
    error,
    diff,
    groups,
    banded,
    lines,
    summary,
    finished,
    open,
    openSaved,
    save,
    remove,
    loadSaved,
    loadSeries,
    loadVerdict,
    close,
    listen,
    stopListening,
    push,
    flush: () => live.flush(),
    loadSynthetic,
  };
});
