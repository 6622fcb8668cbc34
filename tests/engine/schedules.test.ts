// Learning-rate schedules (the tricks' learningRateFactor hooks, multiplied by the loop), per batch.
import { describe, expect, it } from 'vitest';
import { parseTrainingConfig } from '../../shared/index.js';
import { LoopTricks } from '../../core/engine/tricks/registry.js';

const BATCHES = 4;

function schedule(tricks: Record<string, unknown>, epochs = 10) {
  const parsed = parseTrainingConfig({ epochs, batchSize: 8, seed: 1, tricks: { sgd: { learningRate: 0.1 }, ...tricks } });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  const loop = new LoopTricks(parsed.value);
  return (epoch: number, batch = 0) => loop.learningRateAt({ epoch, batch, batchesPerEpoch: BATCHES });
}

const lr = (tricks: Record<string, unknown>, epoch: number, batch = 0, epochs = 10) => schedule(tricks, epochs)(epoch, batch);

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

  it('cosine: η in the first epoch, η·(f + (1 − f)(1 + cos(π·e/E))/2) after, reaching the floor only as training ends', () => {
    // E = 10 epochs, f = 0: epoch 5 is half-way (η/2), epoch 9 trains at η·(1 + cos(0.9π))/2 ≈ 0.0024, not 0.
    expect(lr({ lrCosine: { minFactor: 0 } }, 0)).toBeCloseTo(0.1, 12);
    expect(lr({ lrCosine: { minFactor: 0 } }, 5)).toBeCloseTo(0.05, 12);
    expect(lr({ lrCosine: { minFactor: 0 } }, 9)).toBeCloseTo((0.1 * (1 + Math.cos(0.9 * Math.PI))) / 2, 12);
    expect(lr({ lrCosine: { minFactor: 0.2 } }, 9)).toBeCloseTo(0.1 * (0.2 + (0.8 * (1 + Math.cos(0.9 * Math.PI))) / 2), 12);
    // The default floor is 1% of η, not 0.
    expect(parseTrainingConfig({ epochs: 3, batchSize: 8, seed: 1, tricks: { lrCosine: {} } })).toMatchObject({ ok: true, value: { tricks: { lrCosine: { minFactor: 0.01 } } } });
  });

  it('warm-up: linear per batch from startFactor·η to η, then the decay starts counting', () => {
    const warm = { lrWarmup: { epochs: 2, startFactor: 0.1 } };
    expect(lr(warm, 0, 0)).toBeCloseTo(0.01, 12);
    expect(lr(warm, 0, 2)).toBeCloseTo(0.1 * (0.1 + 0.9 * (2 / 8)), 12);
    expect(lr(warm, 1, 0)).toBeCloseTo(0.055, 12);
    expect(lr(warm, 2, 0)).toBeCloseTo(0.1, 12);
    // Cosine over the 8 epochs after a 2-epoch warm-up: epoch 2 at η, epoch 6 half-way.
    const both = { ...warm, lrCosine: { minFactor: 0 } };
    expect(lr(both, 2, 0)).toBeCloseTo(0.1, 12);
    expect(lr(both, 6, 0)).toBeCloseTo(0.05, 12);
    expect(lr(both, 9, 0)).toBeCloseTo((0.1 * (1 + Math.cos((7 / 8) * Math.PI))) / 2, 12);
  });

  // The off-by-one the cosine decay had: no schedule may train a whole epoch at learning rate 0, whatever the
  // run's length, with or without warm-up, even with a floor of 0.
  it.each([
    ['lrCosine', { lrCosine: { minFactor: 0 } }],
    ['lrExponential', { lrExponential: { gamma: 0.05 } }],
    ['lrStep', { lrStep: { stepSize: 1, gamma: 0.05 } }],
    ['lrWarmup + lrCosine', { lrWarmup: { epochs: 1, startFactor: 0 }, lrCosine: { minFactor: 0 } }],
  ])('%s: every epoch trains at a learning rate above 0, decreasing', (_name, tricks) => {
    for (const epochs of [2, 3, 10]) {
      const at = schedule(tricks, epochs);
      const rates = Array.from({ length: epochs }, (_, e) => at(e, BATCHES - 1));
      for (const rate of rates) expect(rate, `${epochs} epochs: ${rates}`).toBeGreaterThan(0);
      const decaying = rates.slice('lrWarmup' in tricks ? 1 : 0);
      for (let i = 1; i < decaying.length; i++) expect(decaying[i]!).toBeLessThan(decaying[i - 1]!);
    }
  });
});
