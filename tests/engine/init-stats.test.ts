// The layer statistics of the freshly initialised model (TrainEvents.onInit): measured on the probe batch
// before any step, once per run from scratch, never on a resume. On real MNIST digits through a deep ReLU
// stack they show what each initialisation does to the signal: N(0,1) multiplies the spread by about
// √(n/2) per layer, He keeps it, N(0,1/n_in) halves its variance per layer.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { train } from '../../core/engine/train.js';
import { parseTrainingConfig, type CheckpointPayload, type LayerStat, type ModelSpec } from '../../shared/index.js';

const CPU = { name: 'cpu', device: 'test' } as const;
const WIDTH = 64;
const DEPTH = 4;

beforeAll(async () => {
  await initBackend('cpu');
});

const spec: ModelSpec = {
  version: 1,
  name: 'deep relu mlp',
  loss: 'categoricalCrossentropy',
  layers: [
    { type: 'input', shape: [28, 28, 1] },
    { type: 'flatten' },
    ...Array.from({ length: DEPTH }, () => ({ type: 'dense' as const, units: WIDTH, activation: 'relu' as const })),
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

function config(init: string, epochs = 1) {
  const parsed = parseTrainingConfig({ epochs, batchSize: 32, seed: 3, tricks: { standardize: true, adam: true, [init]: true } });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return parsed.value;
}

async function initStats(init: string) {
  const events: string[] = [];
  let init0: LayerStat[] | null = null;
  const checkpoints: CheckpointPayload[] = [];
  const summary = await train({
    spec,
    dataset: { kind: 'mnist', trainSamples: 100 },
    config: config(init),
    backend: CPU,
    events: {
      onInit: (layers) => {
        events.push('init');
        init0 = layers;
      },
      onBatch: () => void (events.at(-1) !== 'batch' && events.push('batch')),
      onEpoch: (report) => void events.push(`epoch ${report.epoch}`),
      onCheckpoint: (c) => void checkpoints.push(c),
    },
  });
  expect(summary.status).toBe('completed');
  return { events, layers: init0 as LayerStat[] | null, checkpoints };
}

/** The activation std of the last hidden layer over the first's. */
const growth = (layers: LayerStat[]) => layers[DEPTH - 1]!.activationStd / layers[0]!.activationStd;

describe('layer statistics at initialisation', () => {
  it('are reported once, before the first batch, for every weighted layer', async () => {
    const { events, layers } = await initStats('initHe');
    expect(events).toEqual(['init', 'batch', 'epoch 0']);
    expect(layers!.map((l) => l.path)).toEqual(['layers[2]', 'layers[3]', 'layers[4]', 'layers[5]', 'layers[6]']);
    for (const l of layers!) {
      expect(l.weightNorm).toBeGreaterThan(0);
      expect(l.gradNorm).toBeGreaterThan(0);
      expect(l.activationStd).toBeGreaterThan(0);
    }
  });

  it('show N(0,1) growing the spread by about √(n/2) per layer, He holding it, N(0,1/n_in) shrinking it', async () => {
    const normal = growth((await initStats('initNormal')).layers!);
    const he = growth((await initStats('initHe')).layers!);
    const lecun = growth((await initStats('initLecun')).layers!);
    // Three layers from the first hidden to the last: (√(64/2))³ ≈ 181 for N(0,1), 1 for He, (1/√2)³ ≈ 0.35 for LeCun.
    expect(normal).toBeGreaterThan(60);
    expect(normal).toBeLessThan(600);
    expect(he).toBeGreaterThan(0.6);
    expect(he).toBeLessThan(1.6);
    expect(lecun).toBeGreaterThan(0.2);
    expect(lecun).toBeLessThan(0.55);
  });

  it('are not reported again when a run resumes from a checkpoint', async () => {
    const first = await initStats('initHe');
    let called = 0;
    await train({
      spec,
      dataset: { kind: 'mnist', trainSamples: 100 },
      config: config('initHe', 2),
      backend: CPU,
      resumeFrom: first.checkpoints[0]!,
      events: { onInit: () => void called++ },
    });
    expect(called).toBe(0);
  });
});
