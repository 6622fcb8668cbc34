// The checks that need more than the spec (shared/spec/fit.ts, shared/tricks/config.ts's epoch bounds): each
// error names the field the editor puts it on, so that Train is never refused without a reason on screen.
import { describe, expect, it } from 'vitest';
import { checkFit, checkLossHead, datasetRefShape, paramUnderEpochs, parseTrainingConfig, describeRange, findTrick, type ModelSpec } from '../../shared/index.js';

const mlp = (last: Record<string, unknown>, loss: ModelSpec['loss'] = 'categoricalCrossentropy'): ModelSpec =>
  ({ version: 1, name: 'm', loss, layers: [{ type: 'input', shape: [28, 28, 1] }, { type: 'flatten' }, { type: 'dense', units: 64, activation: 'relu' }, last] }) as unknown as ModelSpec;
const mnist = datasetRefShape({ kind: 'mnist' });

describe('checkFit', () => {
  it('says on the last layer’s units that 32 outputs cannot classify 10 classes', () => {
    const errors = checkFit(mlp({ type: 'dense', units: 32, activation: 'softmax' }), null, mnist);
    expect(errors).toEqual([{ path: 'layers[3].units', message: 'layers[3].units: the model outputs [32] but MNIST has 10 classes: the last layer needs 10 units' }]);
    expect(checkFit(mlp({ type: 'dense', units: 10, activation: 'softmax' }), null, mnist)).toEqual([]);
  });

  it('says on the input layer’s shape what the data needs, and stops there', () => {
    const spec = { ...mlp({ type: 'dense', units: 32, activation: 'softmax' }), layers: [{ type: 'input', shape: [2] }, ...mlp({ type: 'dense', units: 32 }).layers.slice(1)] } as ModelSpec;
    expect(checkFit(spec, null, mnist)).toEqual([{ path: 'layers[0].shape', message: 'layers[0].shape must be [28, 28, 1] to take MNIST (got [2])' }]);
  });

  it('reads the loss against the last activation: relu under cross-entropy is refused, softmax and linear are not', () => {
    expect(checkLossHead(mlp({ type: 'dense', units: 10, activation: 'relu' }))).toEqual([
      {
        path: 'layers[3].activation',
        message: 'layers[3].activation is relu, but the categoricalCrossentropy loss reads class scores through softmax: make it softmax (or linear, and the loss applies softmax itself)',
      },
    ]);
    expect(checkLossHead(mlp({ type: 'dense', units: 10 }))).toEqual([]);
    expect(checkLossHead(mlp({ type: 'dense', units: 10, activation: 'softmax' }))).toEqual([]);
    // An activation layer is its own head.
    expect(checkLossHead(mlp({ type: 'activation', activation: 'sigmoid' }))[0]?.path).toBe('layers[3].activation');
    expect(checkLossHead(mlp({ type: 'dense', units: 1, activation: 'softmax' }, 'binaryCrossentropy'))[0]?.message).toContain('through sigmoid');
    expect(checkLossHead(mlp({ type: 'dense', units: 10, activation: 'relu' }, 'meanSquaredError'))).toEqual([]);
  });
});

describe('parameters bounded by the epochs', () => {
  it('refuses weight averaging over more epochs than the run has, on the field, and narrows its allowed range', () => {
    const parsed = parseTrainingConfig({ epochs: 2, batchSize: 64, seed: 1, tricks: { weightAveraging: { lastEpochs: 5 } } });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors).toEqual([{ path: 'tricks.weightAveraging.lastEpochs', message: 'tricks.weightAveraging.lastEpochs must be at most epochs (2) (got 5)' }]);
    const param = findTrick('weightAveraging')!.params.lastEpochs!;
    expect(describeRange(param)).toBe('an integer in [2, 10000]');
    expect(describeRange(paramUnderEpochs('weightAveraging', 'lastEpochs', param, 2))).toBe('an integer in [2, 2]');
    expect(describeRange(paramUnderEpochs('weightAveraging', 'lastEpochs', param, 8))).toBe('an integer in [2, 8]');
    expect(describeRange(paramUnderEpochs('weightAveraging', 'lastEpochs', param, null))).toBe('an integer in [2, 10000]');
    const warmup = findTrick('lrWarmup')!.params.epochs!;
    expect(describeRange(paramUnderEpochs('lrWarmup', 'epochs', warmup, 5))).toBe('an integer in [1, 4]');
  });
});
