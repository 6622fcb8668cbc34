// The spec limits at their edges: nesting measured without recursion, the layer count with nested layers and
// those the tricks insert, the parameter cap, and the training-memory estimate with its parts.
import { describe, expect, it } from 'vitest';
import { MAX_CHECKPOINT_PART_BYTES as STORE_PART_BYTES } from '../../core/store/store.js';
import {
  MAX_CHECKPOINT_PART_BYTES,
  checkModelSpec,
  checkSpecShape,
  estimateTraining,
  expandSpec,
  formatBytes,
  formatCount,
  inferForTraining,
  inferModel,
  MAX_LAYERS,
  MAX_PARAMS,
  MAX_SPEC_DEPTH,
  MAX_TRAINING_BYTES,
  parseTrainingConfig,
  type LayerSpec,
  type ModelSpec,
  type TrainingConfig,
} from '../../shared/index.js';

const spec = (layers: LayerSpec[], input: number[] = [4], loss: ModelSpec['loss'] = 'meanSquaredError'): ModelSpec => ({
  version: 1,
  name: 'limits',
  loss,
  layers: [{ type: 'input', shape: input }, ...layers],
});

function config(batchSize: number, tricks: Record<string, unknown> = {}): TrainingConfig {
  const r = parseTrainingConfig({ epochs: 1, batchSize, seed: 1, tricks });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

/** `depth` inception blocks inside one another, the innermost conv with every object-valued field set. */
function nestedInceptions(depth: number): LayerSpec {
  let inner: LayerSpec = { type: 'conv2d', filters: 2, kernelSize: [1, 1], padding: 'same', regularizer: { l2: 0.01 } };
  for (let i = 0; i < depth; i++) inner = { type: 'inception', branches: [[inner], [{ type: 'conv2d', filters: 1, kernelSize: 1 }]] };
  return inner;
}

describe('nesting depth', () => {
  it('holds blocks 7 deep inside one another, with every field set, and refuses the 8th by name', () => {
    expect(MAX_SPEC_DEPTH).toBe(24);
    const ok = checkModelSpec(spec([nestedInceptions(7)], [4, 4, 1]));
    expect(ok.errors).toEqual([]);
    const deep = checkModelSpec(spec([nestedInceptions(8)], [4, 4, 1]));
    expect(deep.errors).toHaveLength(1);
    expect(deep.errors[0]!.path).toBe('layers[1]');
    expect(deep.errors[0]!.message).toMatch(/^layers\[1\] nests too deep: a spec may nest at most 24 levels, enough for blocks 7 deep inside one another \(got 27 levels, at layers\[1\]\.branches\[0\]\[0\]\.branches\[0\]\[0\]…\)$/);
  });

  it('measures a hostile nesting without recursion: any value, any depth, no stack overflow', () => {
    let junk: unknown = 1;
    for (let i = 0; i < 300_000; i++) junk = [junk];
    const input = { version: 1, name: 'junk', loss: 'meanSquaredError', layers: [{ type: 'input', shape: [2] }, { type: 'dense', units: 2, name: junk }] };
    const error = checkSpecShape(input);
    expect(error?.message).toContain('(got 300,002 levels, at layers[1].name[0][0][0][0][0]…)');
    expect(checkModelSpec(input).errors).toEqual([error]);
  });

  it('lets what is not an object through to zod, which names it', () => {
    expect(checkSpecShape('hello')).toBeNull();
    expect(checkModelSpec('hello').errors[0]!.message).toBe('a model spec must be a JSON object (got "hello")');
  });
});

describe('layer count', () => {
  const dense = (n: number): LayerSpec[] => Array.from({ length: n }, () => ({ type: 'dense', units: 2, activation: 'relu' }));

  it(`allows ${MAX_LAYERS} layers, the input and nested layers included, and refuses one more`, () => {
    expect(checkModelSpec(spec(dense(MAX_LAYERS - 1))).errors).toEqual([]);
    const over = checkModelSpec(spec(dense(MAX_LAYERS)));
    expect(over.errors.map((e) => e.message)).toEqual([
      `layers must hold at most 1,000 layers, nested ones and those the structural tricks insert included: TensorFlow.js builds models recursively and fails past ~4,000 (got 1,001)`,
    ]);
    // Inside a block: 998 dense + the block + the input = 1,000; one more is refused.
    expect(checkModelSpec(spec([{ type: 'residual', layers: dense(MAX_LAYERS - 2) }])).errors).toEqual([]);
    expect(checkModelSpec(spec([{ type: 'residual', layers: dense(MAX_LAYERS - 1) }])).errors[0]!.message).toContain('(got 1,001)');
  });

  it('counts the layers the structural tricks insert before training', () => {
    const model = spec([...dense(300), { type: 'dense', units: 2 }]);
    expect(checkModelSpec(model).errors).toEqual([]);
    const withTricks = config(8, { batchNorm: {}, dropout: {} });
    const errors = inferForTraining(expandSpec(model, withTricks), withTricks).errors.map((e) => e.message);
    // Each hidden dense becomes dense, batch norm, activation and dropout: 1 + 300·4 + 1.
    expect(errors).toEqual([expect.stringContaining('(got 1,202)')]);
  });
});

describe('parameters', () => {
  it(`allows ${formatCount(MAX_PARAMS)} parameters and refuses one more, with the memory it would take`, () => {
    // [999] → 50,000 units: 999·50,000 + 50,000 = 50,000,000 exactly.
    expect(inferModel(spec([{ type: 'dense', units: 50_000 }], [999])).errors).toEqual([]);
    const over = inferModel(spec([{ type: 'dense', units: 50_000 }], [1000]));
    expect(over.errors.map((e) => e.message)).toEqual([
      'layers hold 50,050,000 parameters (200 MB of weights, ~3.6 GB to train with Adam); a model may have at most 50,000,000 (200 MB of weights): use fewer units or filters, or downsample before the first dense layer',
    ]);
  });
});

describe('training memory', () => {
  const mlp = spec([{ type: 'dense', units: 2048, activation: 'relu' }, { type: 'dense', units: 2048, activation: 'relu' }, { type: 'dense', units: 10 }], [784]);

  it('adds weights, gradients and optimizer state per parameter to the activations of the batch or the probe', () => {
    const info = inferModel(mlp);
    const adam = estimateTraining(info, config(32));
    const sgd = estimateTraining(info, config(32, { sgd: {} }));
    expect(adam.params).toBe(5_824_522);
    expect(adam.parameterBytes).toBe(72 * 5_824_522);
    expect(sgd.parameterBytes).toBe(22 * 5_824_522);
    // Below the probe's 256 samples the probe decides; above it the batch.
    expect(adam.activationSamples).toBe(256);
    expect(estimateTraining(info, config(1024)).activationSamples).toBe(1024);
    expect(adam.activationBytes).toBe(40 * (2048 + 2048 + 10) * 256);
    // Ensemble members hold their own weights and state; early stopping keeps a copy of the best weights.
    const ensemble = estimateTraining(info, config(32, { ensemble: { members: 3 }, earlyStopping: {} }));
    expect(ensemble.parameterBytes).toBe(72 * 5_824_522 + 2 * 4 * (5_824_522 + 2 * 5_824_522) + 3 * 4 * 5_824_522);
    expect(ensemble.checkpointWeightsBytes).toBe(3 * 2 * 4 * 5_824_522);
    expect(ensemble.checkpointOptimizerBytes).toBe(3 * 2 * 4 * 5_824_522);
  });

  it('refuses a model past the limit before training, naming the biggest part and what to change', () => {
    const images = spec(
      [
        { type: 'conv2d', filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'globalAvgPool2d' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
      [128, 128, 3],
      'categoricalCrossentropy',
    );
    expect(inferModel(images).errors).toEqual([]);
    // 128·128·32 values per sample · 40 bytes · 256 probe samples = 5.4 GB.
    const small = inferForTraining(images, config(64)).errors;
    expect(small.map((e) => e.message)).toEqual([
      'the model needs ~5.4 GB of memory to train, more than the 3 GB allowed: 5.4 GB for the activations of 256 samples (the per-layer statistics probe) and 88 kB for weights, gradients and Adam state; use fewer filters, smaller inputs, or stride or pool earlier',
    ]);
    expect(small[0]!.path).toBe('');
    const half = spec([{ type: 'conv2d', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }, { type: 'globalAvgPool2d' }, { type: 'dense', units: 10, activation: 'softmax' }], [128, 128, 3], 'categoricalCrossentropy');
    expect(inferForTraining(half, config(64)).errors).toEqual([]);
    expect(estimateTraining(inferModel(half), config(64)).totalBytes).toBeLessThan(MAX_TRAINING_BYTES);
    expect(inferForTraining(half, config(512)).errors[0]!.message).toContain('for the activations of batch size 512');
  });

  it('refuses a checkpoint part the store would refuse (the same cap as core/store)', () => {
    expect(MAX_CHECKPOINT_PART_BYTES).toBe(STORE_PART_BYTES);
  });

  it('formats counts and sizes the same everywhere', () => {
    expect(formatCount(833_000_000)).toBe('833,000,000');
    expect(formatCount(999)).toBe('999');
    expect(formatBytes(3_332_000_000)).toBe('3.3 GB');
    expect(formatBytes(200_000_000)).toBe('200 MB');
    expect(formatBytes(68_000)).toBe('68 kB');
    expect(formatBytes(12)).toBe('12 B');
  });
});
