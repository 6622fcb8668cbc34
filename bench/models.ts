// The benchmark's models and training config, shared by the bench entry, its workers and the tests.
// `mlp` and `cnn` are the bench's two fixed models (also written out in pytorch_bench.py); `bn-dropout` is the bundled
// `mnist-cnn-bn-dropout` preset (batch norm before each conv's ReLU, dropout before the classifier: issue 16's
// ratio), `resnet` the `mini-resnet` preset, the larger CNN for GPU runs (`--models resnet`). The trick-cost table
// (bench/tricks.ts) starts from the `mnist-cnn` preset.
// Pure: no tfjs, no fs, so the tests import it cheaply (the preset is passed in by the caller).
import { parseTrainingConfig, type ModelSpec, type TrainingConfig } from '../shared/index.js';

export type BenchModel = 'mlp' | 'cnn' | 'bn-dropout' | 'resnet';
export const BENCH_MODELS: readonly BenchModel[] = ['mlp', 'cnn', 'bn-dropout', 'resnet'];
/** What `npm run bench` runs when --models is not given. */
export const DEFAULT_MODELS: readonly BenchModel[] = ['mlp', 'cnn', 'bn-dropout'];

/** The preset each preset-based bench model comes from (core/presets findPreset). */
export const PRESET_OF: Partial<Record<BenchModel, string>> = { 'bn-dropout': 'mnist-cnn-bn-dropout', resnet: 'mini-resnet' };

/** 784-128 relu-10 softmax (the digits arrive as 28×28×1 and are flattened). */
export const MLP_SPEC: ModelSpec = {
  version: 1,
  name: 'bench MLP',
  loss: 'categoricalCrossentropy',
  layers: [
    { type: 'input', shape: [28, 28, 1] },
    { type: 'flatten' },
    { type: 'dense', units: 128, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

/** 28×28×1 → conv 8 3×3 relu → maxpool 2 → conv 16 3×3 relu → maxpool 2 → flatten → dense 10 softmax. */
export const CNN_SPEC: ModelSpec = {
  version: 1,
  name: 'bench CNN',
  loss: 'categoricalCrossentropy',
  layers: [
    { type: 'input', shape: [28, 28, 1] },
    { type: 'conv2d', filters: 8, kernelSize: 3, activation: 'relu' },
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'conv2d', filters: 16, kernelSize: 3, activation: 'relu' },
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

export const RESNET_PRESET_ID = 'mini-resnet';

/** The spec of a bench model; preset-based ones (PRESET_OF) need their preset's model (core/presets findPreset). */
export function benchSpec(model: BenchModel, preset?: ModelSpec): ModelSpec {
  if (model === 'mlp') return MLP_SPEC;
  if (model === 'cnn') return CNN_SPEC;
  if (!preset) throw new Error(`the ${model} model needs the '${PRESET_OF[model]}' preset's spec`);
  return preset;
}

/**
 * One epoch, Adam (lr 0.001), pixels scaled to [0, 1] (scaleUnit), seed 1: the same for every backend, and what
 * pytorch_bench.py does. Nothing else is on: no clipping, no schedule, no regularisation.
 */
export function benchConfig(batchSize: number, epochs = 1, tricks: Record<string, Record<string, unknown>> = {}): TrainingConfig {
  const parsed = parseTrainingConfig({ epochs, batchSize, seed: 1, tricks: { scaleUnit: {}, adam: { learningRate: 0.001 }, ...tricks } });
  if (!parsed.ok) throw new Error(`bench config: ${parsed.errors.map((e) => e.message).join('; ')}`);
  return parsed.value;
}

export function parseModels(list: string): BenchModel[] {
  const out = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const m of out) {
    if (!BENCH_MODELS.includes(m as BenchModel)) throw new Error(`unknown model '${m}' (known: ${BENCH_MODELS.join(', ')})`);
  }
  return out as BenchModel[];
}
