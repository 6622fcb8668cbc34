// Checkpoints written before trick hooks (manifest format 1, kept in users' stores and bundles) still resume:
// their early-stopping, weight-averaging and optimizer states are read into the tricks' own states. The
// fixture holds three such checkpoints and what that engine reported after resuming from each.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { train } from '../../core/engine/train.js';
import { unpackTensors } from '../../core/engine/tensor-codec.js';
import { rmsprop } from '../../core/engine/tricks/rmsprop.js';
import { parseTrainingConfig, type CheckpointPayload, type EpochReport, type ModelSpec, type TrainSummary } from '../../shared/index.js';

interface FixtureCase {
  name: string;
  spec: ModelSpec;
  dataset: { kind: 'synthetic'; name: 'spiral' | 'blobs'; samples: number; classes: number; noise: number };
  config: unknown;
  checkpoint: { manifest: CheckpointPayload['manifest']; weights: string; optimizer: string };
  expected: { epochs: Array<Omit<EpochReport, 'epochs' | 'metrics'> & { metrics: Record<string, number> }>; summary: Omit<TrainSummary, 'samplesPerSecond' | 'device'> };
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/checkpoints-format1.json', import.meta.url), 'utf8')) as { cases: FixtureCase[] };
const byName = (name: string) => fixture.cases.find((c) => c.name === name)!;

function payload(c: FixtureCase): CheckpointPayload {
  const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
  return { manifest: c.checkpoint.manifest, weights: bytes(c.checkpoint.weights), optimizer: bytes(c.checkpoint.optimizer) };
}

async function resume(c: FixtureCase) {
  const parsed = parseTrainingConfig(c.config);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const epochs: EpochReport[] = [];
  const checkpoints: CheckpointPayload[] = [];
  const summary = await train({
    spec: c.spec,
    dataset: c.dataset,
    config: parsed.value,
    backend: { name: 'cpu', device: 'test' },
    resumeFrom: payload(c),
    events: { onEpoch: (r) => epochs.push(r), onCheckpoint: (k) => checkpoints.push(k) },
  });
  return { summary, epochs, checkpoints };
}

/**
 * Numbers equal to the old engine's within float32 rounding: the cpu kernels may be rebuilt (rounding-level
 * changes), while a state read wrongly (a lost optimizer moment, the wrong best weights) moves them by ≫ 1e-5.
 */
function expectClose(actual: unknown, expected: unknown, path = ''): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(Math.abs(actual - expected), `${path}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(expected)));
  } else if (expected && typeof expected === 'object') {
    expect(actual, path).toBeTypeOf('object');
    for (const [key, value] of Object.entries(expected)) expectClose((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

const withoutTiming = (reports: EpochReport[]) =>
  reports.map(({ epoch, best, metrics: { seconds: _s, samplesPerSecond: _p, ...metrics }, steps, layers }) => ({ epoch, best, metrics, steps, layers }));

beforeAll(async () => {
  await initBackend('cpu');
});

describe('format-1 checkpoints (written before trick hooks) resume as they did', () => {
  it('an ensemble with early stopping: each member\'s best weights, patience and stop, Adam\'s moments, clipping and decay', async () => {
    const c = byName('ensemble-early-stopping');
    expect(c.checkpoint.manifest.format).toBe(1);
    // The fixture resumes after member 1 stopped and while member 0 waits: both states matter.
    expect(c.checkpoint.manifest.state).toMatchObject({ members: [{ early: { stopped: false, wait: 1 } }, { early: { stopped: true } }] });
    const { summary, epochs, checkpoints } = await resume(c);
    expectClose(withoutTiming(epochs), c.expected.epochs);
    const { samplesPerSecond: _p, device: _d, ...rest } = summary;
    expectClose(rest, c.expected.summary);
    expect(summary).toMatchObject({ weights: 'best', bestEpoch: 4, epochs: 8 });
    // Adam's running β1^t (kept outside tfjs's getWeights) carries over bit for bit: one more epoch of 10 steps
    // multiplies it by β1 ten times in float32.
    const tensorsOf = (k: CheckpointPayload) => new Map(unpackTensors({ entries: k.manifest.optimizerTensors, bytes: k.optimizer }).map((t) => [t.name, t.tensor]));
    const before = tensorsOf(payload(c));
    const after = tensorsOf(checkpoints[0]!);
    let expected = before.get('m0/x/accBeta1')!.dataSync()[0]!;
    for (let step = 0; step < 10; step++) expected = Math.fround(expected * Math.fround(0.9));
    expect(after.get('m0/adam/x/accBeta1')!.dataSync()[0]).toBe(expected);
    tf.dispose([...before.values(), ...after.values()]);
    // What it writes now is format 2, with the states under the tricks' ids.
    expect(checkpoints[0]!.manifest.format).toBe(2);
    expect(checkpoints[0]!.manifest.state).toMatchObject({
      members: [{ tricks: { earlyStopping: { bestEpoch: 4 }, adam: null } }, { tricks: { earlyStopping: { stopped: true, bestEpoch: 2 } } }],
    });
  });

  it('weight averaging with batch norm under momentum: the running mean and its count carry over', async () => {
    const c = byName('swa-batchnorm-momentum');
    // This run has dropout: since dropout masks come from a counter-based hash (issue 16: the same masks on any number
    // of threads), a run resumed from a checkpoint written before continues with the new masks, so the fixture's
    // numbers (the old engine's, with masks drawn from Math.random) cannot be met. What must carry over is checked
    // directly: the running mean and its count (1 in the checkpoint) go on from the stored state.
    const { summary, epochs, checkpoints } = await resume(c);
    expect(epochs.map((e) => e.epoch)).toEqual([4, 5]);
    const stored = payload(c);
    const tensors = (names: CheckpointPayload['manifest']['tensors'], bytes: Uint8Array) => new Map(unpackTensors({ entries: names, bytes }).map((t) => [t.name, t.tensor]));
    const before = tensors(stored.manifest.tensors, stored.weights);
    const after = tensors(checkpoints[0]!.manifest.tensors, checkpoints[0]!.weights);
    expect(checkpoints[0]!.manifest.state).toMatchObject({ members: [{ tricks: { weightAveraging: { count: 2 } } }] });
    expect(checkpoints[1]!.manifest.state).toMatchObject({ members: [{ tricks: { weightAveraging: { count: 3 } } }] });
    for (let i = 0; before.has(`m0/swa${i}`); i++) {
      // mean₂ = mean₁ + (w − mean₁)/2, in the hook's float32 ops, from the stored mean and epoch 4's weights.
      const expected = tf.tidy(() => {
        const mean = before.get(`m0/swa${i}`)!;
        return Array.from(tf.add(mean, tf.div(tf.sub(after.get(`m0/w${i}`)!, mean), 2)).dataSync());
      });
      expect(Array.from(after.get(`m0/weightAveraging/average${i}`)!.dataSync())).toEqual(expected);
    }
    tf.dispose([...before.values(), ...after.values()]);
    expect(summary).toMatchObject({ status: 'completed', epochs: 6, weights: 'averaged' });
    expect(Math.abs(summary.final!.loss - c.expected.summary.final!.loss)).toBeLessThan(0.2);
  });

  it('RMSProp: tfjs\'s mean squares carry over, and its η-folded momentum buffers are divided by η', async () => {
    const c = byName('rmsprop-momentum');
    const parsed = parseTrainingConfig(c.config);
    if (!parsed.ok) throw new Error('config');
    // Stored before `centered` existed and with the old default ε: both read as stored, centered off.
    expect(parsed.value.tricks.rmsprop).toEqual({ learningRate: 0.005, rho: 0.9, momentum: 0.9, epsilon: 1e-7, centered: false });
    const checkpoint = payload(c);
    const old = new Map(unpackTensors({ entries: checkpoint.manifest.optimizerTensors, bytes: checkpoint.optimizer }).map((t) => [t.name, t.tensor]));
    const values = (t: tf.Tensor) => Array.from(t.dataSync());
    const n = (old.size - 1) / 2;
    expect(n).toBe(4); // kernel and bias of two dense layers

    const hook = rmsprop.create!(parsed.value.tricks.rmsprop!, { index: 0 });
    const given = Object.fromEntries([...old].map(([name, t]) => [name.replace(/^m0\//, ''), tf.clone(t)]));
    await hook.loadState!({ tensors: given }, { format: 1, learningRate: 0.005 });
    const state = await hook.saveState!();
    for (let i = 0; i < n; i++) {
      expect(values(state.tensors![`square${i}`]!)).toEqual(values(old.get(`m0/o${1 + i}`)!));
      const expected = values(old.get(`m0/o${1 + n + i}`)!).map((v) => v / 0.005);
      values(state.tensors![`buffer${i}`]!).forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 4));
      expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(1e-3);
    }
    hook.dispose!();
    tf.dispose([...old.values()]);

    // And the whole run resumes from it and keeps learning.
    const { summary, epochs } = await resume(c);
    expect(summary).toMatchObject({ status: 'completed', epochs: 4 });
    expect(epochs.map((e) => e.epoch)).toEqual([2, 3]);
    expect(epochs[1]!.metrics.loss).toBeLessThan(c.expected.epochs[0]!.metrics.loss!);
  });
});
