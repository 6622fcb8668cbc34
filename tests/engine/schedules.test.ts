import { describe, expect, it } from 'vitest';
import { parseTrainingConfig } from '../../shared/index.js';
import { learningRateAt } from '../../core/engine/schedules.js';

function lr(tricks: Record<string, unknown>, epoch: number, batch = 0, epochs = 10) {
  const parsed = parseTrainingConfig({ epochs, batchSize: 8, seed: 1, tricks: { sgd: { learningRate: 0.1 }, ...tricks } });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return learningRateAt(parsed.value, { epoch, batch, batchesPerEpoch: 4 });
}

describe('learning-rate schedules', () => {
  it('constant without a schedule', () => {
    expect([0, 5, 9].map((e) => lr({}, e))).toEqual([0.1, 0.1, 0.1]);
  });

  it('×γ per epoch: η·γ^epoch', () => {
    expect(lr({ lrExponential: { gamma: 0.5 } }, 0)).toBeCloseTo(0.1, 12);
    expect(lr({ lrExponential: { gamma: 0.5 } }, 3)).toBeCloseTo(0.0125, 12);
  });

  it('step: ×γ every `stepSize` epochs', () => {
    const at = (e: number) => lr({ lrStep: { stepSize: 3, gamma: 0.1 } }, e);
    expect([0, 2, 3, 5, 6, 9].map(at).map((v) => +v.toPrecision(6))).toEqual([0.1, 0.1, 0.01, 0.01, 0.001, 0.0001]);
  });

  it('cosine: η at the first epoch, η·minFactor at the last, half-way values on the curve', () => {
    expect(lr({ lrCosine: { minFactor: 0 } }, 0)).toBeCloseTo(0.1, 12);
    expect(lr({ lrCosine: { minFactor: 0 } }, 3)).toBeCloseTo(0.075, 12);
    expect(lr({ lrCosine: { minFactor: 0 } }, 9)).toBeCloseTo(0, 12);
    expect(lr({ lrCosine: { minFactor: 0.2 } }, 9)).toBeCloseTo(0.02, 12);
  });

  it('warm-up: linear per batch from startFactor·η to η, then the decay starts counting', () => {
    const warm = { lrWarmup: { epochs: 2, startFactor: 0.1 } };
    expect(lr(warm, 0, 0)).toBeCloseTo(0.01, 12);
    expect(lr(warm, 0, 2)).toBeCloseTo(0.1 * (0.1 + 0.9 * (2 / 8)), 12);
    expect(lr(warm, 1, 0)).toBeCloseTo(0.055, 12);
    expect(lr(warm, 2, 0)).toBeCloseTo(0.1, 12);
    const both = { ...warm, lrCosine: { minFactor: 0 } };
    expect(lr(both, 2, 0)).toBeCloseTo(0.1, 12);
    expect(lr(both, 9, 0)).toBeCloseTo(0, 12);
  });
});
