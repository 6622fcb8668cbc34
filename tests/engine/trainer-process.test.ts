// The trainer protocol over a real child process (child_process.fork of the built trainer entry).
import { beforeAll, describe, expect, it } from 'vitest';
import { startTraining, type TrainerListeners } from '../../core/engine/trainer-client.js';
import {
  parseTrainingConfig,
  stepOfLoss,
  type BatchProgress,
  type CheckpointPayload,
  type EpochReport,
  type ModelSpec,
  type TrainRequest,
} from '../../shared/index.js';
import { ensureBuilt } from '../support/build.js';

beforeAll(() => ensureBuilt());

const spec: ModelSpec = {
  version: 1,
  name: 'protocol',
  loss: 'categoricalCrossentropy',
  layers: [
    { type: 'input', shape: [2] },
    { type: 'dense', units: 16, activation: 'relu' },
    { type: 'dense', units: 3, activation: 'softmax' },
  ],
};

function request(epochs: number, extra: Partial<TrainRequest> = {}): TrainRequest {
  const config = parseTrainingConfig({ epochs, batchSize: 16, seed: 5, tricks: { standardize: {}, dropout: { rate: 0.1 }, adam: { learningRate: 0.01 } } });
  if (!config.ok) throw new Error('config');
  return { spec, dataset: { kind: 'synthetic', name: 'spiral', samples: 800, classes: 3, noise: 0.05 }, config: config.value, backend: 'cpu', ...extra };
}

function record(listeners: TrainerListeners = {}) {
  const progress: BatchProgress[] = [];
  const epochs: EpochReport[] = [];
  const checkpoints: CheckpointPayload[] = [];
  const order: string[] = [];
  return {
    progress,
    epochs,
    checkpoints,
    order,
    listeners: {
      ...listeners,
      progress: (p: BatchProgress) => {
        progress.push(p);
        order.push('progress');
        listeners.progress?.(p);
      },
      epoch: (r: EpochReport) => {
        epochs.push(r);
        order.push('epoch');
        listeners.epoch?.(r);
      },
      checkpoint: (c: CheckpointPayload) => {
        checkpoints.push(c);
        listeners.checkpoint?.(c);
      },
    } satisfies TrainerListeners,
  };
}

const withoutTiming = (reports: EpochReport[]) =>
  reports.map(({ metrics: { seconds: _s, samplesPerSecond: _p, ...rest }, layers, steps }) => ({ ...rest, layers, steps }));

describe('trainer process protocol', () => {
  it('reports coalesced progress (flushed at every epoch end), epochs, checkpoints and the summary', async () => {
    const r = record();
    const handle = startTraining(request(3), r.listeners);
    const outcome = await handle.done;
    expect(outcome.ok && outcome.summary.status).toBe('completed');
    expect(r.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    expect(r.checkpoints.map((c) => c.manifest.epoch)).toEqual([0, 1, 2]);
    expect(r.checkpoints[0]!.weights).toBeInstanceOf(Uint8Array);
    const batchesPerEpoch = Math.ceil(640 / 16);
    // Far fewer messages than batches…
    expect(r.progress.length).toBeLessThan((3 * batchesPerEpoch) / 2);
    // …and the last progress before each epoch report is that epoch's final batch.
    r.order.forEach((kind, i) => {
      if (kind !== 'epoch') return;
      const before = r.progress[r.order.slice(0, i).filter((k) => k === 'progress').length - 1]!;
      expect(before.batch).toBe(batchesPerEpoch);
    });
    // Every step's own batch loss arrives exactly once, in order, though the messages are coalesced.
    const steps = r.progress.flatMap((p) => p.losses.map((loss, i) => ({ step: stepOfLoss(p, i), loss })));
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 3 * batchesPerEpoch }, (_, i) => i));
    for (const sampled of r.epochs.flatMap((e) => e.steps)) expect(steps[sampled.step]!.loss).toBe(sampled.loss);
  });

  it('pauses, resumes and stops within a batch, and resumes from a checkpoint exactly', async () => {
    let progressWhilePaused = 0;
    let paused = false;
    let resumedAt = -1;
    let stopped = false;
    const r = record();
    const handle = startTraining(request(50), {
      ...r.listeners,
      progress: (p) => {
        r.listeners.progress(p);
        if (paused) progressWhilePaused++;
        if (r.progress.length === 1) handle.pause();
        if (resumedAt >= 0 && r.progress.length > resumedAt && !stopped) {
          stopped = true;
          handle.stop();
        }
      },
      paused: () => {
        paused = true;
        setTimeout(() => {
          paused = false;
          resumedAt = r.progress.length;
          handle.resume();
        }, 400);
      },
    });
    const outcome = await handle.done;
    expect(progressWhilePaused).toBe(0);
    expect(resumedAt).toBeGreaterThan(0);
    expect(outcome.ok && outcome.summary.status).toBe('stopped');
    expect(outcome.ok && outcome.summary.epochs).toBeLessThan(50);

    // Resume: a fresh process continues from epoch 1's checkpoint exactly as the uninterrupted run.
    const whole = record();
    await startTraining(request(3), whole.listeners).done;
    const resumed = record();
    const again = await startTraining(request(3, { resumeFrom: whole.checkpoints[0]! }), resumed.listeners).done;
    expect(again.ok && again.summary.status).toBe('completed');
    expect(withoutTiming(resumed.epochs)).toEqual(withoutTiming(whole.epochs.slice(1)));
  });

  it('refuses an invalid request naming the field, and survives a trainer that is killed', async () => {
    const bad = await startTraining({ ...request(2), config: { ...request(2).config, epochs: 0 } }).done;
    expect(bad).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'invalid_message', message: 'config.epochs must be an integer in [1, 10000] (got 0)' }),
    });

    const handle = startTraining(request(200), { epoch: () => handle.kill() });
    const killed = await handle.done;
    expect(killed.ok).toBe(false);
    if (!killed.ok) {
      expect(killed.error.code).toBe('trainer_died');
      expect(killed.error.message).toContain('killed by SIGKILL');
    }
  });
});
