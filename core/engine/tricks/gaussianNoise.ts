// Gaussian input noise: every value of every training row gets N(0, (std · σ)²) added, σ the training split's
// standard deviation (per feature for tables, over all values for images and other shapes), so one setting
// means the same whatever the input scaling. Box–Muller, both outputs used.
import { gaussianNoise as descriptor } from '../../../shared/tricks/defs/gaussian-noise.js';
import { defineAugmentation, rowRng, type AugmentData } from './augment.js';

/** σ of the training split: one per feature for tables, one for everything else. */
function spread(data: AugmentData): Float64Array {
  const features = data.inputShape.reduce((a, b) => a * b, 1);
  const groups = data.inputShape.length === 1 ? features : 1;
  const sum = new Float64Array(groups);
  const sumSq = new Float64Array(groups);
  const { x, count } = data.train;
  for (let i = 0; i < count * features; i++) {
    const g = groups === 1 ? 0 : i % features;
    sum[g]! += x[i]!;
    sumSq[g]! += x[i]! * x[i]!;
  }
  const n = groups === 1 ? count * features : count;
  return sum.map((s, g) => Math.sqrt(Math.max(sumSq[g]! / n - (s / n) ** 2, 0)));
}

export const gaussianNoise = defineAugmentation({
  descriptor,
  prepare: (p, data) => {
    const features = data.inputShape.reduce((a, b) => a * b, 1);
    const sigma = spread(data).map((s) => s * p.std);
    const perFeature = sigma.length > 1;
    return (x, from, to, seed) => {
      for (let r = from; r < to; r++) {
        const rng = rowRng(seed, r);
        const row = r * features;
        for (let f = 0; f < features; f += 2) {
          const radius = Math.sqrt(-2 * Math.log(1 - rng()));
          const angle = 2 * Math.PI * rng();
          x[row + f] = x[row + f]! + radius * Math.cos(angle) * sigma[perFeature ? f : 0]!;
          if (f + 1 < features) x[row + f + 1] = x[row + f + 1]! + radius * Math.sin(angle) * sigma[perFeature ? f + 1 : 0]!;
        }
      }
    };
  },
});
