// Store records as the API's DTOs (shared/api/entities.ts), for the services' answers and the queue's events.
// The store's records are those entity types; the checks below keep them in step with the API's.
import type * as Api from '../../shared/api/contract.js';
import type * as S from '../store/index.js';

type Fits<A extends B, B> = A;
export type _Fits =
  | Fits<S.Project, Api.Project>
  | Fits<S.ModelVersion, Api.ModelVersion>
  | Fits<S.Dataset, Api.Dataset>
  | Fits<S.Run, Api.Run>
  | Fits<S.RunListItem, Api.RunListItem>
  | Fits<S.Checkpoint, Api.Checkpoint>
  | Fits<S.Comparison, Api.Comparison>
  | Fits<S.BundleCounts, Api.BundleCounts>;

/** Non-finite values become null: JSON (the browser host) cannot carry NaN or ±Infinity. */
export function seriesDto(series: S.MetricSeries): Api.MetricSeries {
  return { name: series.name, epochs: series.epochs, steps: series.steps, values: series.values.map((v) => (Number.isFinite(v) ? v : null)) };
}

export function curvesDto(curves: S.RunCurves): Api.RunCurves {
  return { runId: curves.runId, series: curves.series.map(seriesDto) };
}

/** Picks the DTO's fields, so nothing the store adds later leaks out unplanned. */
export function runDto(run: S.Run): Api.Run {
  return {
    id: run.id,
    projectId: run.projectId,
    modelVersionId: run.modelVersionId,
    datasetId: run.datasetId,
    name: run.name,
    presetId: run.presetId,
    config: run.config,
    seed: run.seed,
    backend: run.backend,
    device: run.device,
    status: run.status,
    error: run.error,
    statusCause: run.statusCause ?? null,
    warnings: run.warnings ?? [],
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    finalMetrics: run.finalMetrics,
  };
}

export function runListItemDto(run: S.RunListItem): Api.RunListItem {
  return { ...runDto(run), modelName: run.modelName, datasetName: run.datasetName };
}

export function reportDto(r: S.RunReport): Api.RunReport {
  return {
    runId: r.runId,
    classNames: r.classNames,
    inputShape: r.inputShape,
    confusion: r.confusion,
    misclassified: r.misclassified.map((m) => ({ index: m.index, label: m.label, predicted: m.predicted, confidence: m.confidence, features: m.features })),
    misclassifiedCount: r.misclassifiedCount,
    bestEpoch: r.bestEpoch,
    weights: r.weights,
    parameters: r.parameters,
  };
}

export function checkpointDto(c: S.Checkpoint): Api.Checkpoint {
  return { id: c.id, runId: c.runId, epoch: c.epoch, kind: c.kind, manifest: c.manifest, weights: c.weights, optimizer: c.optimizer, size: c.size, createdAt: c.createdAt };
}
