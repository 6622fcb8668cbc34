// Input scaling as the training loop applies it batch by batch (scaleRowInto) must equal scaling the whole split
// (applyScaling, used for validation and test): tables per feature, sequences per feature of the last axis, images
// with one statistic.
import { describe, expect, it } from 'vitest';
import { applyScaling, fitScaling, scaleRowInto, type ScalingKind } from '../../core/engine/data/scaling.js';
import type { Dataset } from '../../core/engine/data/dataset.js';

function dataset(inputShape: number[], count: number): Dataset {
  const features = inputShape.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: count * features }, (_, i) => ((i * 7919) % 101) * (1 + (i % inputShape[inputShape.length - 1]!)) - 30);
  const split = { x, y: new Float32Array(count * 2), count };
  return { name: 'test', inputShape, numClasses: 2, classNames: ['a', 'b'], train: split, validation: split, test: split } as unknown as Dataset;
}

describe('input scaling, batch by batch', () => {
  for (const [what, shape] of [
    ['a table', [5]],
    ['a sequence [steps, features]', [6, 3]],
    ['an image', [4, 4, 1]],
  ] as const) {
    for (const kind of ['standardize', 'scaleUnit', 'scaleSymmetric'] as ScalingKind[]) {
      it(`${kind} of ${what}: each scaled row equals the scaled split`, () => {
        const d = dataset([...shape], 9);
        const features = ([...shape] as number[]).reduce((a, b) => a * b, 1);
        const scaling = fitScaling(kind, d);
        const whole = applyScaling(d.train, features, scaling).x;
        const rows = new Float32Array(d.train.count * features);
        for (let r = 0; r < d.train.count; r++) scaleRowInto(d.train.x, r, rows, r, features, scaling);
        expect(Array.from(rows)).toEqual(Array.from(whole));
        if (kind === 'standardize' && shape.length === 2) {
          // Each feature of the last axis has mean 0 over all rows and steps.
          const f = shape[1];
          for (let g = 0; g < f; g++) {
            const values = Array.from(whole).filter((_, i) => i % f === g);
            expect(Math.abs(values.reduce((a, b) => a + b, 0) / values.length)).toBeLessThan(1e-5);
          }
        }
      });
    }
  }
});
