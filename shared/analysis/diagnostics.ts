import type { MetricSeries } from '../api/entities.js';
import { parseLayerMetric, type LayerStatName } from '../runs/metric-names.js';

export type LayerWarningKind = 'vanishing-gradient' | 'exploding-gradient' | 'dead-relu';

export interface LayerWarning {
  kind: LayerWarningKind;
  /** The layer's spec path, e.g. `layers.3` (from the metric name `layer.<path>.<stat>`). */
  layer: string;
  /** The first epoch (0-based) from which the condition held through the last recorded epoch. */
  fromEpoch: number;
  /**
   * The value at the last recorded epoch (the gradient norm, NaN where it was NaN or infinite, or the dead
   * fraction).
   */
  value: number;
  /** e.g. `layers.3: gradients vanishing from epoch 2 (norm 3.1e-8, 1e-5 × the largest layer's)`. */
  message: string;
}

// Thresholds. The statistics come from one probe batch at the end of each epoch (core/engine/train.ts).
/**
 * Vanishing: a layer's kernel gradient norm below this fraction of the largest layer's that epoch. Healthy
 * layers of one network sit within two or three decades of each other; four decades means the layer
 * effectively stopped learning while the others still move.
 */
export const VANISHING_RELATIVE = 1e-4;
/** Vanishing whatever the others do: a kernel gradient norm below this is at float32 noise level for a step. */
export const VANISHING_ABSOLUTE = 1e-7;
/**
 * Exploding: a kernel gradient norm above this. With the usual learning rates (1e-3…1e-1) such a gradient moves
 * weights by 1…100 per step, which no layer survives for long. (The relative test for vanishing is skipped in
 * an epoch whose largest norm is above it, so an exploding layer does not make the others look vanishing.)
 */
export const EXPLODING_NORM = 1e3;
/** Exploding: the norm grew by more than this factor per epoch … */
export const EXPLODING_GROWTH = 10;
/** … for this many consecutive epochs (one jump can be a lucky batch; two in a row is a trend). */
export const EXPLODING_GROWTH_EPOCHS = 2;
/**
 * Dead ReLUs: at least this fraction of a layer's units output ≤ 0 for every probe sample. A few dead units are
 * normal; when half the layer is dead it has lost half its width, and dead units do not come back (their
 * gradient is zero).
 */
export const DEAD_FRACTION = 0.5;


/** One statistic of one layer: value per recorded epoch (null for NaN or infinite), epochs ascending. */
type Points = Array<{ epoch: number; value: number | null }>;

/** Warnings from a run's `layer.<path>.<stat>` series (gradNorm, deadFraction, …); other series are ignored. */
export function layerWarnings(series: readonly MetricSeries[]): LayerWarning[] {
  const layers = new Map<string, Partial<Record<LayerStatName, Points>>>();
  for (const s of series) {
    const parsed = parseLayerMetric(s.name);
    if (!parsed) continue;
    const { path, stat } = parsed;
    const byEpoch = new Map<number, number | null>();
    s.epochs.forEach((epoch, i) => byEpoch.set(epoch, s.values[i] ?? null));
    const points = [...byEpoch].sort((a, b) => a[0] - b[0]).map(([epoch, value]) => ({ epoch, value }));
    const entry = layers.get(path) ?? {};
    entry[stat] = points;
    layers.set(path, entry);
  }

  // The largest finite gradient norm of any layer, per epoch.
  const largest = new Map<number, number>();
  for (const stats of layers.values()) {
    for (const { epoch, value } of stats.gradNorm ?? []) {
      if (value !== null && Number.isFinite(value)) largest.set(epoch, Math.max(largest.get(epoch) ?? 0, value));
    }
  }

  const warnings: LayerWarning[] = [];
  for (const path of [...layers.keys()].sort(naturalCompare)) {
    const stats = layers.get(path)!;
    const grad = stats.gradNorm ?? [];

    const vanishing = (i: number) => {
      const g = grad[i]!.value;
      if (g === null || !Number.isFinite(g)) return false;
      if (g < VANISHING_ABSOLUTE) return true;
      const top = largest.get(grad[i]!.epoch) ?? 0;
      return top <= EXPLODING_NORM && g < VANISHING_RELATIVE * top;
    };
    const from = trailingRun(grad.length, vanishing);
    if (from !== null) {
      const last = grad[grad.length - 1]!;
      const top = largest.get(last.epoch) ?? 0;
      const ratio = top > 0 ? `, ${fmt(last.value! / top)} × the largest layer's` : '';
      warnings.push({
        kind: 'vanishing-gradient',
        layer: path,
        fromEpoch: grad[from]!.epoch,
        value: last.value!,
        message: `${path}: gradients vanishing from epoch ${grad[from]!.epoch + 1} (norm ${fmt(last.value!)}${ratio})`,
      });
    }

    const exploding = (i: number) => {
      const g = grad[i]!.value;
      if (g === null || !Number.isFinite(g) || g > EXPLODING_NORM) return true;
      if (i < EXPLODING_GROWTH_EPOCHS) return false;
      for (let k = i - EXPLODING_GROWTH_EPOCHS + 1; k <= i; k++) {
        const now = grad[k]!.value;
        const before = grad[k - 1]!.value;
        if (now === null || before === null || !(before > 0) || !(now > EXPLODING_GROWTH * before)) return false;
      }
      return true;
    };
    const fromExploding = trailingRun(grad.length, exploding);
    if (fromExploding !== null) {
      const last = grad[grad.length - 1]!;
      const value = last.value === null || !Number.isFinite(last.value) ? NaN : last.value;
      const what = Number.isNaN(value) ? 'norm not finite' : `norm ${fmt(value)}`;
      warnings.push({
        kind: 'exploding-gradient',
        layer: path,
        fromEpoch: grad[fromExploding]!.epoch,
        value,
        message: `${path}: gradients exploding from epoch ${grad[fromExploding]!.epoch + 1} (${what})`,
      });
    }

    const dead = stats.deadFraction ?? [];
    const fromDead = trailingRun(dead.length, (i) => dead[i]!.value !== null && dead[i]!.value! >= DEAD_FRACTION);
    if (fromDead !== null) {
      const value = dead[dead.length - 1]!.value!;
      warnings.push({
        kind: 'dead-relu',
        layer: path,
        fromEpoch: dead[fromDead]!.epoch,
        value,
        message: `${path}: ${Math.round(value * 100)}% of units dead (output ≤ 0 for every probe sample) from epoch ${dead[fromDead]!.epoch + 1}`,
      });
    }
  }
  return warnings;
}

/** The first index of the run of indices, ending at the last one, where `holds` is true; null if the last fails. */
function trailingRun(length: number, holds: (i: number) => boolean): number | null {
  let from: number | null = null;
  for (let i = length - 1; i >= 0 && holds(i); i--) from = i;
  return from;
}

/** Compares paths with their numbers as numbers: `layers[2]` before `layers[10]`. */
function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const na = Number(pa[i]);
    const nb = Number(pb[i]);
    if (i % 2 === 1 && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
    return pa[i]! < pb[i]! ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** Two significant digits: `0.031`, `250`, `3.1e-8`, `1e-5`. */
function fmt(n: number): string {
  if (n === 0) return '0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e4) return String(Number(n.toPrecision(2)));
  return n.toExponential(1).replace(/\.0e/, 'e').replace('e+', 'e');
}
