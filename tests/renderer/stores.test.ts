// @vitest-environment happy-dom
// The tricks and runs stores: descriptor-driven validation and choices; live progress into curves.
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { EventHub, type ApiEventPayloads, type LayerwiseBridge } from '../../shared/api/index.js';
import { setApi } from '../../renderer/src/api/client.js';
import { useRunsStore } from '../../renderer/src/stores/runs.js';
import { useTricksStore } from '../../renderer/src/stores/tricks.js';

beforeEach(() => setActivePinia(createPinia()));

describe('tricks store', () => {
  it('starts with Adam and turns tricks on with their descriptor defaults', () => {
    const tricks = useTricksStore();
    expect(tricks.isOn('adam')).toBe(true);
    tricks.toggle('dropout');
    expect(tricks.param('dropout', 'rate')).toBe(0.5);
    expect(tricks.config?.tricks.dropout).toEqual({ rate: 0.5 });
  });

  it('keeps one trick per choice and always an optimizer', () => {
    const tricks = useTricksStore();
    tricks.toggle('sgd', true);
    expect(tricks.isOn('adam')).toBe(false);
    tricks.toggle('sgd', false);
    expect(tricks.isOn('adam')).toBe(true);
    tricks.toggle('adam', false);
    expect(tricks.isOn('adam')).toBe(true);
  });

  it('refuses out-of-range parameters with the descriptor\'s range, and Train has no config meanwhile', () => {
    const tricks = useTricksStore();
    tricks.toggle('dropout', true);
    tricks.setParam('dropout', 'rate', 1);
    expect(tricks.paramError('dropout', 'rate')).toBe('must be in [0, 1)');
    expect(tricks.config).toBeNull();
    tricks.setParam('dropout', 'rate', 0.2);
    expect(tricks.config).not.toBeNull();
    tricks.epochs = 0;
    expect(tricks.settingError('epochs')).toMatch(/integer in \[1,/);
  });

  it('loads a stored config as the engine reads it: an early-stopping rule stored as a boolean shows as its option', () => {
    const tricks = useTricksStore();
    const stored = { epochs: 5, batchSize: 32, seed: 1, tricks: { earlyStopping: { patience: 3, minDelta: 0, restoreBest: true } } };
    tricks.load(stored as never);
    expect(tricks.param('earlyStopping', 'restoreBest')).toBe('always');
    expect(tricks.paramError('earlyStopping', 'restoreBest')).toBeNull();
    expect(tricks.config?.tricks.earlyStopping).toEqual({ patience: 3, minDelta: 0, restoreBest: 'always' });
  });
});

describe('runs store', () => {
  it('turns pushed progress and epochs into curve points, progress and an ETA', async () => {
    const hub = new EventHub();
    const run = { id: 7, projectId: 1, datasetId: 3, status: 'running', config: { epochs: 2, batchSize: 10, seed: 1, tricks: {} }, backend: 'wasm', device: 'cpu' };
    const api = {
      runs: { list: async () => [run] },
      queue: { get: async () => ({ concurrency: 1, active: [7], pending: [] }) },
      datasets: { list: async () => [{ id: 3, projectId: 1, name: 'blobs', source: { kind: 'synthetic', name: 'blobs', samples: 130, classes: 3, noise: 0 }, split: {}, fingerprint: 'f', createdAt: '' }] },
      metrics: { series: async () => [] },
      onRunProgress: (fn: never) => hub.on('onRunProgress', fn),
      onRunEpoch: (fn: never) => hub.on('onRunEpoch', fn),
      onRunStatus: (fn: never) => hub.on('onRunStatus', fn),
      onRunCheckpoint: (fn: never) => hub.on('onRunCheckpoint', fn),
      onQueueChanged: (fn: never) => hub.on('onQueueChanged', fn),
      onSweepChanged: (fn: never) => hub.on('onSweepChanged', fn),
    };
    setApi(api as unknown as LayerwiseBridge);
    const runs = useRunsStore();
    await runs.load(1);
    expect(runs.selectedId).toBe(7);
    // 130 points: 104 to train on → 11 batches of 10 (the last one short).
    expect(runs.batchesPerEpoch(7)).toBe(11);
    // Coalesced messages carry every step's own batch loss since the previous one; `loss` is the epoch's running mean.
    const progress = (epoch: number, batch: number, losses: number[]): ApiEventPayloads['onRunProgress'] => ({
      runId: 7,
      progress: { epoch, batch, batchesPerEpoch: 10, epochs: 2, loss: 99, samplesPerSecond: 100, losses },
    });
    hub.emit('onRunProgress', progress(0, 3, [1.5, 1.4, 1.3]));
    hub.emit('onRunProgress', progress(0, 5, [1.2, 1.1]));
    hub.emit('onRunProgress', progress(0, 10, [1, 0.9, NaN, 0.8, 0.7]));
    runs.flush();
    expect(runs.curves[7]!.loss).toEqual([
      [1, 1.5],
      [2, 1.4],
      [3, 1.3],
      [4, 1.2],
      [5, 1.1],
      [6, 1],
      [7, 0.9],
      [9, 0.8],
      [10, 0.7],
    ]);
    // While it trains, the steps per epoch come from the progress itself.
    expect(runs.batchesPerEpoch(7)).toBe(10);
    expect(runs.fraction(7)).toBe(0.5);
    // 10 batches of 10 samples left at 100 samples/s.
    expect(runs.eta(7)).toBe(1);
    hub.emit('onRunEpoch', {
      runId: 7,
      report: { epoch: 0, epochs: 2, metrics: { loss: 1, accuracy: 0.6, valLoss: 1.1, valAccuracy: 0.55, learningRate: 0.001, seconds: 1, samplesPerSecond: 100 }, steps: [], layers: [], best: true },
    });
    runs.flush();
    expect(runs.curves[7]!.accuracy).toEqual([[1, 0.6]]);
    expect(runs.curves[7]!.valLoss).toEqual([[1, 1.1]]);
    expect(runs.curves[7]!.trainLoss).toEqual([[1, 1]]);
    expect(runs.lastEpoch[7]!.metrics.valAccuracy).toBe(0.55);
    hub.emit('onQueueChanged', { concurrency: 1, active: [], pending: [] });
    expect(runs.queue.active).toEqual([]);
    setApi(null);
  });
});
