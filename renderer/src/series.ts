// Recorded metric series → chart points. Epochs are 0-based in the store; charts count them from 1.
import { base64ToBytes, type MetricSeries } from '../../shared/api/index.js';
import { isStepMetric } from '../../shared/runs/metric-names.js';

// The layer statistics and how their series are named live with the other metric names.
export { LAYER_STATS, parseLayerMetric, type LayerStatName } from '../../shared/runs/metric-names.js';

export type Point = [number, number];

/** The series' points: x = step for step metrics (`step.*`), else the epoch counted from 1; nulls skipped. */
export function pointsOf(series: MetricSeries): Point[] {
  const byStep = isStepMetric(series.name);
  const out: Point[] = [];
  for (let i = 0; i < series.values.length; i++) {
    const v = series.values[i];
    const x = byStep ? series.steps[i] : series.epochs[i] === undefined ? undefined : series.epochs[i]! + 1;
    if (v !== null && v !== undefined && x !== null && x !== undefined) out.push([x, v]);
  }
  return out;
}

/** Appends a point keeping x ascending (a repeated x replaces the last point: a re-sent epoch). */
export function appendPoint(points: Point[], point: Point): void {
  const last = points[points.length - 1];
  if (last && last[0] === point[0]) points[points.length - 1] = point;
  else if (!last || last[0] < point[0]) points.push(point);
}

/** Saves bytes given as base64 as a download. */
export function downloadBase64(fileName: string, base64: string, type = 'application/zip'): void {
  const bytes = base64ToBytes(base64);
  const url = URL.createObjectURL(new Blob([bytes.slice().buffer as ArrayBuffer], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
