// Augmentation tricks: what each does to a batch, exactly; that it is a pure function of (buffer, rows, seed)
// (sharded = whole, same seed = same draws, another trick leaves a trick's draws alone); that the loop applies
// it to training batches only, keeps ablations paired and resumes bit-identically; and that it is refused on
// data where it has no meaning, by the engine, the API and the CLI.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { CliIO } from '../../core/cli/io.js';
import { runCli } from '../../core/cli/main.js';
import { initBackend } from '../../core/engine/backends/index.js';
import type { Split } from '../../core/engine/data/dataset.js';
import { createRng } from '../../core/engine/data/rng.js';
import { train, TrainError, type TrainOptions } from '../../core/engine/train.js';
import { Augmentations } from '../../core/engine/tricks/augmentations.js';
import { ApiError } from '../../shared/api/contract.js';
import { dataTrickProblems, parseTrainingConfig, type CheckpointPayload, type EpochReport, type ModelSpec, type TrainingConfig } from '../../shared/index.js';
import { openTestServices, tempDir } from '../host/support.js';

const WASM = { name: 'wasm', device: 'test' } as const;
beforeAll(async () => {
  await initBackend('wasm');
});

function config(tricks: Record<string, unknown>, epochs = 3, seed = 7): TrainingConfig {
  const parsed = parseTrainingConfig({ epochs, batchSize: 32, seed, tricks });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
}

/** `n` images h × w × c with value = a distinct number per (row, y, x, channel). */
function images(n: number, h: number, w: number, c: number): Float32Array {
  return Float32Array.from({ length: n * h * w * c }, (_, i) => 1 + (i % 251));
}
const split = (x: Float32Array, n: number): Split => ({ x, y: new Float32Array(n), count: n });
const at = { seed: 11, member: 0, epoch: 2, batch: 5 };

function pixel(x: Float32Array, shape: number[], r: number, y: number, xx: number, ch: number): number {
  const [h, w, c] = shape as [number, number, number];
  return x[r * h * w * c + (y * w + xx) * c + ch]!;
}

describe('what each augmentation does to a batch', () => {
  it('randomFlip mirrors whole images left to right (every channel), with its probability', () => {
    const shape = [5, 6, 3];
    const x0 = images(200, 5, 6, 3);
    const always = new Augmentations(config({ randomFlip: { probability: 1 } }), { inputShape: shape, train: split(x0, 200), zero: 0 });
    const x = x0.slice();
    always.apply(x, 0, 200, at);
    for (const r of [0, 77, 199]) for (let y = 0; y < 5; y++) for (let xx = 0; xx < 6; xx++) for (let ch = 0; ch < 3; ch++) {
      expect(pixel(x, shape, r, y, xx, ch)).toBe(pixel(x0, shape, r, y, 5 - xx, ch));
    }
    const sometimes = new Augmentations(config({ randomFlip: { probability: 0.3 } }), { inputShape: shape, train: split(x0, 200), zero: 0 });
    const y = x0.slice();
    sometimes.apply(y, 0, 200, at);
    const per = 90;
    let flipped = 0;
    for (let r = 0; r < 200; r++) {
      const row = y.subarray(r * per, (r + 1) * per);
      const same = row.every((v, i) => v === x0[r * per + i]);
      const mirrored = row.every((v, i) => v === x[r * per + i]);
      expect(same || mirrored, `row ${r} is either untouched or mirrored`).toBe(true);
      if (!same) flipped++;
    }
    expect(flipped).toBeGreaterThan(35); // ~60 of 200
    expect(flipped).toBeLessThan(85);
  });

  it('randomShift moves each image by (dy, dx) within ±pixels and fills the border with zero or the edge', () => {
    const shape = [7, 9, 2];
    const n = 60;
    const x0 = images(n, 7, 9, 2);
    for (const fill of ['zero', 'edge'] as const) {
      const zero = -3.5; // what a raw 0 is after scaling: zero padding must use it
      const aug = new Augmentations(config({ randomShift: { pixels: 2, fill } }), { inputShape: shape, train: split(x0, n), zero });
      const x = x0.slice();
      aug.apply(x, 0, n, at);
      const shifts = new Set<string>();
      for (let r = 0; r < n; r++) {
        const matches: string[] = [];
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
          let ok = true;
          for (let y = 0; y < 7 && ok; y++) for (let xx = 0; xx < 9 && ok; xx++) for (let ch = 0; ch < 2 && ok; ch++) {
            const sy = y - dy;
            const sx = xx - dx;
            const inside = sy >= 0 && sy < 7 && sx >= 0 && sx < 9;
            const want = inside ? pixel(x0, shape, r, sy, sx, ch) : fill === 'zero' ? zero : pixel(x0, shape, r, Math.min(6, Math.max(0, sy)), Math.min(8, Math.max(0, sx)), ch);
            ok = pixel(x, shape, r, y, xx, ch) === want;
          }
          if (ok) matches.push(`${dy},${dx}`);
        }
        expect(matches, `row ${r} is one shift of its image`).toHaveLength(1);
        shifts.add(matches[0]!);
      }
      expect(shifts.size).toBeGreaterThan(15); // of the 25 possible shifts
    }
  });

  it('gaussianNoise adds N(0, (std·σ)²), σ of the training split: per feature for tables, over all values for images', () => {
    const rng = createRng(3);
    const n = 4000;
    // A table whose two features have σ 10 and 0.1.
    const table = Float32Array.from({ length: n * 2 }, (_, i) => (i % 2 === 0 ? 10 : 0.1) * (rng() * 2 - 1) * Math.sqrt(3));
    const aug = new Augmentations(config({ gaussianNoise: { std: 0.5 } }), { inputShape: [2], train: split(table, n), zero: 0 });
    const x = table.slice();
    aug.apply(x, 0, n, at);
    const noiseStd = (f: number) => {
      const d = Array.from({ length: n }, (_, r) => x[r * 2 + f]! - table[r * 2 + f]!);
      const mean = d.reduce((a, b) => a + b, 0) / n;
      return { mean, std: Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / n) };
    };
    expect(noiseStd(0).std).toBeCloseTo(5, 0);
    expect(Math.abs(noiseStd(0).mean)).toBeLessThan(0.3);
    expect(noiseStd(1).std).toBeCloseTo(0.05, 2);
    // Images: one σ over every value.
    const pics = images(300, 4, 4, 1);
    const mean = pics.reduce((a, b) => a + b, 0) / pics.length;
    const sigma = Math.sqrt(pics.reduce((a, b) => a + (b - mean) ** 2, 0) / pics.length);
    const img = new Augmentations(config({ gaussianNoise: { std: 0.2 } }), { inputShape: [4, 4, 1], train: split(pics, 300), zero: 0 });
    const y = pics.slice();
    img.apply(y, 0, 300, at);
    const d = y.map((v, i) => v - pics[i]!);
    const dStd = Math.sqrt(d.reduce((a, b) => a + b * b, 0) / d.length);
    expect(dStd / (0.2 * sigma)).toBeGreaterThan(0.95);
    expect(dStd / (0.2 * sigma)).toBeLessThan(1.05);
  });
});

describe('an augmentation is a pure function of (buffer, rows, seed)', () => {
  const shape = [8, 8, 1];
  const x0 = images(64, 8, 8, 1);
  const all = config({ randomFlip: {}, randomShift: { pixels: 3 }, gaussianNoise: { std: 0.3 } });
  const make = (c = all) => new Augmentations(c, { inputShape: shape, train: split(x0, 64), zero: 0 });

  it('shards of a batch augmented apart (as workers sharing the batch would) equal the whole batch augmented at once', () => {
    const whole = x0.slice();
    make().apply(whole, 0, 64, at);
    const sharded = x0.slice();
    for (const [from, to] of [[40, 64], [0, 17], [17, 40]] as const) make().apply(sharded, from, to, at);
    expect(Array.from(sharded)).toEqual(Array.from(whole));
  });

  it('the same (seed, member, epoch, batch) gives the same draws; another epoch, batch or member other draws', () => {
    const once = (where: typeof at) => {
      const x = x0.slice();
      make().apply(x, 0, 64, where);
      return Array.from(x);
    };
    expect(once(at)).toEqual(once({ ...at }));
    for (const other of [{ ...at, epoch: 3 }, { ...at, batch: 6 }, { ...at, member: 1 }, { ...at, seed: 12 }]) expect(once(other)).not.toEqual(once(at));
  });

  it("turning another augmentation on leaves a trick's own draws alone (paired ablations)", () => {
    const flipOnly = x0.slice();
    make(config({ randomFlip: {} })).apply(flipOnly, 0, 64, at);
    const flipAndNoise = x0.slice();
    make(config({ randomFlip: {}, gaussianNoise: { std: 1e-4 } })).apply(flipAndNoise, 0, 64, at);
    // The noise is ~0.01 of a pixel; a different flip would move whole pixel values (1–251).
    for (let i = 0; i < x0.length; i++) expect(Math.abs(flipAndNoise[i]! - flipOnly[i]!)).toBeLessThan(0.1);
  });
});

describe('in the training loop', () => {
  const digits = { kind: 'mnist', trainSamples: 256 } as const;
  const mlp: ModelSpec = {
    version: 1,
    name: 'augmented mlp',
    loss: 'categoricalCrossentropy',
    layers: [{ type: 'input', shape: [28, 28, 1] }, { type: 'flatten' }, { type: 'dense', units: 16, activation: 'relu' }, { type: 'dense', units: 10, activation: 'softmax' }],
  };
  async function run(options: Omit<TrainOptions, 'backend' | 'spec' | 'dataset'>) {
    const epochs: EpochReport[] = [];
    const checkpoints: CheckpointPayload[] = [];
    const summary = await train({ backend: WASM, spec: mlp, dataset: digits, ...options, events: { onEpoch: (r) => epochs.push(r), onCheckpoint: (c) => checkpoints.push(c) } });
    return { summary, epochs, checkpoints };
  }
  const numbers = (reports: EpochReport[]) => reports.map(({ metrics: { seconds: _s, samplesPerSecond: _p, ...rest }, layers, steps }) => ({ ...rest, layers, steps }));
  const augmented = { scaleUnit: {}, dropout: { rate: 0.2 }, randomFlip: {}, randomShift: { pixels: 2 }, gaussianNoise: { std: 0.2 }, adam: { learningRate: 0.005 } };

  it('augments every training batch and nothing else: one call per batch, on the batch buffer, with its place in the run', async () => {
    const spy = vi.spyOn(Augmentations.prototype, 'apply');
    try {
      await run({ config: config(augmented, 2) });
      expect(spy.mock.calls).toHaveLength(2 * 8); // 256 digits in batches of 32, 2 epochs: evaluation never augments
      const buffers = new Set(spy.mock.calls.map((c) => c[0]));
      expect(buffers.size).toBe(1);
      expect(spy.mock.calls.map((c) => [c[1], c[2], c[3].epoch, c[3].batch])).toEqual(
        Array.from({ length: 16 }, (_, i) => [0, 32, Math.floor(i / 8), i % 8]),
      );
    } finally {
      spy.mockRestore();
    }
  });

  it('a resumed run is bit-identical to the uninterrupted one', async () => {
    const whole = await run({ config: config(augmented, 3) });
    const resumed = await run({ config: config(augmented, 3), resumeFrom: whole.checkpoints[0]! });
    expect(numbers(resumed.epochs)).toEqual(numbers(whole.epochs.slice(1)));
    expect(resumed.summary.final).toEqual(whole.summary.final);
    // And it did change training: the same run without augmentation ends elsewhere.
    const plain = await run({ config: config({ scaleUnit: {}, dropout: { rate: 0.2 }, adam: { learningRate: 0.005 } }, 3) });
    expect(plain.summary.final!.loss).not.toBe(whole.summary.final!.loss);
  });

  it('keeps ablations paired: an augmentation that changes no pixel changes nothing else (batch order, dropout masks)', async () => {
    const base = { scaleUnit: {}, dropout: { rate: 0.3 }, adam: { learningRate: 0.005 } };
    const without = await run({ config: config(base, 2) });
    const idle = await run({ config: config({ ...base, randomFlip: { probability: 1e-12 } }, 2) });
    expect(numbers(idle.epochs)).toEqual(numbers(without.epochs));
  });

  it('is refused on data where it has no meaning, naming the trick and the dataset: engine, API and CLI', async () => {
    const spiral = { kind: 'synthetic', name: 'spiral', samples: 300, classes: 3, noise: 0.05 } as const;
    const flat: ModelSpec = { ...mlp, layers: [{ type: 'input', shape: [2] }, { type: 'dense', units: 8, activation: 'relu' }, { type: 'dense', units: 3, activation: 'softmax' }] };
    const message = 'tricks.randomFlip (random horizontal flip) needs images ([height, width, channels] inputs), but the spiral set has inputs of shape [2]: turn it off for this dataset';
    const error = await train({ backend: WASM, spec: flat, dataset: spiral, config: config({ randomFlip: {} }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainError);
    expect(error).toMatchObject({ code: 'dataset_mismatch', message });
    // Noise means something on any data: it trains.
    await expect(train({ backend: WASM, spec: flat, dataset: spiral, config: config({ gaussianNoise: {} }, 1) })).resolves.toMatchObject({ status: 'completed' });
    // A shift as large as the image moves it out entirely.
    expect(dataTrickProblems(config({ randomShift: { pixels: 8 } }), { name: 'the dataset "tiny"', inputShape: [8, 8, 1] }).map((e) => e.message)).toEqual([
      'tricks.randomShift.pixels must be smaller than the images of the dataset "tiny" (8 × 8) (got 8)',
    ]);
    expect(dataTrickProblems(config({ randomShift: { pixels: 7 } }), { name: 'the dataset "tiny"', inputShape: [8, 8, 1] })).toEqual([]);

    const api = openTestServices();
    try {
      const { id: projectId } = await api.services.api.projects.create({ name: 'Refused' });
      const refused = await api.services.api.runs
        .start({ projectId, spec: flat, dataset: spiral, config: { epochs: 1, batchSize: 16, seed: 1, tricks: { randomShift: {} } } })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ApiError);
      expect((refused as ApiError).message).toBe(`runs.start: config.${message.replace(/randomFlip \(random horizontal flip\)/, 'randomShift (random shift (pad and crop))')}`);
      expect(api.store.listRuns({ projectId })).toEqual([]);
    } finally {
      await api.close();
    }

    const err: string[] = [];
    const cli: CliIO = { out: () => {}, err: (t) => void err.push(t), isTTY: false };
    const data = tempDir('augment-cli');
    expect(await runCli(['train', '--preset', 'spiral-mlp', '--epochs', '1', '--trick', 'randomFlip', '--data', data], cli)).toBe(2);
    expect(err).toEqual([`layerwise train: --trick randomFlip (random horizontal flip) needs images ([height, width, channels] inputs), but the spiral set has inputs of shape [2]: turn it off for this dataset`]);
  });
});
