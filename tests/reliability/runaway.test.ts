// Runaway loss: SGD at a learning rate of 10 drives an MNIST MLP's loss into the tens of thousands. The run is
// not stopped (its loss comes back down here) but flagged: a warning record on the run with the numbers and a
// hint, in the API (run.warnings), `layerwise show`, `layerwise runs` and the studio. A run that trains normally
// has none. The CLI's exit code stays 0 for a completed run with a warning (its numbers exist and are recorded).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../core/cli/main.js';
import { checkRunawayLoss, runawayBound, RUNAWAY_LOSS_FACTOR, withPeak, recovered } from '../../shared/index.js';
import { ensureBuilt } from '../support/build.js';
import { openTestServices, type TestServices } from '../host/support.js';
import { waitStatus } from './support.js';

beforeAll(() => ensureBuilt());

describe('the runaway-loss rule', () => {
  it('flags a loss over 100× its first epoch’s or over 100× the loss of guessing, and nothing else', () => {
    expect(runawayBound('categoricalCrossentropy', 10)).toBeCloseTo(100 * Math.log(10));
    expect(runawayBound('binaryCrossentropy', 1)).toBeCloseTo(100 * Math.log(2));
    expect(runawayBound('meanSquaredError', 1)).toBeNull();
    const base = { loss: 'categoricalCrossentropy' as const, classes: 10 };
    // Epoch 0 has no reference yet: only the bound applies.
    expect(checkRunawayLoss({ ...base, firstLoss: null, epoch: 0, value: 200 })).toBeNull();
    expect(checkRunawayLoss({ ...base, firstLoss: null, epoch: 0, value: 83_642.7 })).toMatchObject({ kind: 'runaway_loss', epoch: 0, threshold: 100 * Math.log(10), lessonId: 'clipping' });
    // Later: RUNAWAY_LOSS_FACTOR × the first epoch's loss, when that is lower than the bound.
    expect(checkRunawayLoss({ ...base, firstLoss: 0.5, epoch: 3, value: 0.5 * RUNAWAY_LOSS_FACTOR })).toBeNull();
    const flagged = checkRunawayLoss({ ...base, firstLoss: 0.5, epoch: 3, value: 60 })!;
    expect(flagged.message).toBe('the training loss ran away: 60 at epoch 4, 120× its first epoch\'s (0.500), above 50');
    expect(checkRunawayLoss({ ...base, firstLoss: 0.5, epoch: 3, value: Number.NaN })).toBeNull();
    // Regression: relative only.
    expect(checkRunawayLoss({ loss: 'meanSquaredError', classes: 1, firstLoss: null, epoch: 0, value: 1e9 })).toBeNull();
    expect(checkRunawayLoss({ loss: 'meanSquaredError', classes: 1, firstLoss: 2, epoch: 1, value: 201 })).not.toBeNull();
    // The peak rises, the first epoch stays; coming back under the threshold is "recovered".
    const later = withPeak(flagged, 5, 90);
    expect([later.epoch, later.peak, later.peakEpoch]).toEqual([3, 90, 5]);
    expect(withPeak(later, 6, 10)).toBe(later);
    expect(recovered(later, 0.4)).toBe(true);
    expect(recovered(later, 70)).toBe(false);
  });
});

describe('a run whose loss runs away', () => {
  let test: TestServices;
  afterAll(async () => test?.close());

  it('is flagged with the numbers and a hint, keeps training to completion, and shows the warning in the API and the CLI', async () => {
    test = openTestServices();
    const { api } = test.services;
    const project = await api.projects.create({ name: 'Runaway' });
    const spec = (await api.presets.list()).find((p) => p.id === 'mnist-mlp')!.model;
    const start = (learningRate: number) =>
      api.runs.start({
        projectId: project.id,
        spec,
        dataset: { kind: 'mnist', trainSamples: 2000 },
        // Standardised inputs, as the preset trains (raw 0-255 pixels run away at any learning rate).
        config: { epochs: 3, batchSize: 64, seed: 1, tricks: { standardize: {}, sgd: { learningRate } } },
        backend: 'wasm',
      });
    const wild = await start(10);
    const calm = await start(0.05);
    const done = await waitStatus(api, wild.id, ['completed', 'diverged', 'failed', 'interrupted']);
    expect(done.status).toBe('completed');
    expect(done.warnings).toHaveLength(1);
    const warning = done.warnings![0]!;
    expect(warning).toMatchObject({ kind: 'runaway_loss', epoch: 0, lessonId: 'clipping' });
    const loss = (await api.metrics.series({ runId: wild.id, names: ['loss'] }))[0]!;
    expect(warning.value).toBe(loss.values[0]);
    expect(warning.value).toBeGreaterThan(warning.threshold);
    expect(warning.peak).toBe(Math.max(...loss.values.map((v) => v ?? 0)));
    expect(warning.hint).toMatch(/lower the learning rate .* clip the gradients \(clipNorm\)/);
    expect((await api.runs.list({ projectId: project.id })).find((r) => r.id === wild.id)?.warnings).toEqual([warning]);
    expect((await waitStatus(api, calm.id, ['completed', 'diverged', 'failed', 'interrupted'])).warnings).toEqual([]);

    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t), isTTY: false };
    expect(await runCli(['show', String(wild.id), '--data', test.dir], io)).toBe(0);
    expect(out.join('\n')).toMatch(new RegExp(`^run ${wild.id}: completed, 1 warning\\n  warning   the training loss ran away: .+ at epoch 1, above 230.*\\. The steps are too large`));
    out.length = 0;
    expect(await runCli(['runs', '--data', test.dir], io)).toBe(0);
    expect(out.join('\n')).toMatch(new RegExp(`\\n\\s+${wild.id}  completed, 1 warning `));
  });
});
