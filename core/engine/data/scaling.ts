// The input-scaling tricks. Statistics come from the training split only (no peeking at validation or
// test data). Images are scaled with one statistic over all pixels; tabular inputs per feature; sequences
// [steps, features] per feature (the last axis), the same at every step.
import type { TrainingConfig } from '../../../shared/index.js';
import { featureSize, type Dataset, type Split } from './dataset.js';

export type ScalingKind = 'scaleUnit' | 'scaleSymmetric' | 'standardize';

export interface Scaling {
  kind: ScalingKind | 'none';
  /** x' = (x - shift) * scale, per feature (length 1 for images). */
  shift: Float32Array;
  scale: Float32Array;
}

export function scalingKind(config: TrainingConfig): ScalingKind | 'none' {
  const t = config.tricks;
  if (t.scaleUnit) return 'scaleUnit';
  if (t.scaleSymmetric) return 'scaleSymmetric';
  if (t.standardize) return 'standardize';
  return 'none';
}

export function fitScaling(kind: ScalingKind | 'none', dataset: Dataset): Scaling {
  const features = featureSize(dataset);
  const perFeature = dataset.inputShape.length <= 2;
  // Tables: one group per feature; sequences: one per feature of the last axis; images: one for all pixels.
  const groups = perFeature ? dataset.inputShape[dataset.inputShape.length - 1]! : 1;
  const shift = new Float32Array(groups);
  const scale = new Float32Array(groups).fill(1);
  if (kind === 'none') return { kind, shift, scale };
  const { x, count } = dataset.train;
  const group = (f: number) => (perFeature ? f % groups : 0);
  if (kind === 'standardize') {
    const sum = new Float64Array(groups);
    const sumSq = new Float64Array(groups);
    const n = new Float64Array(groups);
    for (let i = 0; i < count * features; i++) {
      const g = group(i % features);
      sum[g]! += x[i]!;
      sumSq[g]! += x[i]! * x[i]!;
      n[g]! += 1;
    }
    for (let g = 0; g < groups; g++) {
      const mean = sum[g]! / n[g]!;
      const std = Math.sqrt(Math.max(sumSq[g]! / n[g]! - mean * mean, 0));
      shift[g] = mean;
      scale[g] = std > 1e-12 ? 1 / std : 1;
    }
    return { kind, shift, scale };
  }
  const min = new Float64Array(groups).fill(Infinity);
  const max = new Float64Array(groups).fill(-Infinity);
  for (let i = 0; i < count * features; i++) {
    const g = group(i % features);
    if (x[i]! < min[g]!) min[g] = x[i]!;
    if (x[i]! > max[g]!) max[g] = x[i]!;
  }
  const width = kind === 'scaleUnit' ? 1 : 2;
  for (let g = 0; g < groups; g++) {
    const range = max[g]! - min[g]!;
    const s = range > 1e-12 ? width / range : 1;
    // [0,1]: (x - min)/range. [-1,1]: 2(x - min)/range - 1 = (x - (min + range/2)) * 2/range.
    shift[g] = kind === 'scaleUnit' ? min[g]! : min[g]! + range / 2;
    scale[g] = s;
  }
  return { kind, shift, scale };
}

export function applyScaling(split: Split, features: number, scaling: Scaling): Split {
  if (scaling.kind === 'none') return split;
  const x = new Float32Array(split.x.length);
  const groups = scaling.shift.length;
  for (let i = 0; i < x.length; i++) {
    const g = groups > 1 ? (i % features) % groups : 0;
    x[i] = (split.x[i]! - scaling.shift[g]!) * scaling.scale[g]!;
  }
  return { ...split, x };
}

/**
 * Row `row` of `x`, scaled exactly as applyScaling scales it, written at row `at` of `out`. The training loop scales
 * each batch as it fills it, so the training split is never held twice (raw and scaled).
 */
export function scaleRowInto(x: Float32Array, row: number, out: Float32Array, at: number, features: number, scaling: Scaling): void {
  const src = row * features;
  const dst = at * features;
  if (scaling.kind === 'none') {
    out.set(x.subarray(src, src + features), dst);
    return;
  }
  const { shift, scale } = scaling;
  const groups = shift.length;
  if (groups === features) {
    for (let f = 0; f < features; f++) out[dst + f] = (x[src + f]! - shift[f]!) * scale[f]!;
    return;
  }
  if (groups > 1) {
    // Sequences: one group per feature of the last axis, repeated over the steps.
    for (let f = 0; f < features; f++) out[dst + f] = (x[src + f]! - shift[f % groups]!) * scale[f % groups]!;
    return;
  }
  const s = shift[0]!;
  const k = scale[0]!;
  for (let f = 0; f < features; f++) out[dst + f] = (x[src + f]! - s) * k;
}
