import { describe, expect, it } from 'vitest';
import { checkModelSpec, inferModel, type LayerSpec, type ModelSpec } from '../../shared/index.js';

const model = (layers: LayerSpec[], loss: ModelSpec['loss'] = 'meanSquaredError'): ModelSpec => ({
  version: 1,
  name: 't',
  loss,
  layers,
});

describe('shape inference', () => {
  it('computes conv/pool output sizes for valid and same padding with strides', () => {
    const info = inferModel(
      model([
        { type: 'input', shape: [28, 28, 3] },
        { type: 'conv2d', filters: 5, kernelSize: [3, 5], strides: 2 },
        { type: 'conv2d', filters: 6, kernelSize: 3, strides: [2, 3], padding: 'same' },
        { type: 'avgPool2d', poolSize: 2, strides: 1 },
        { type: 'maxPool2d', poolSize: 3, padding: 'same' },
      ]),
    );
    expect(info.errors).toEqual([]);
    // valid: floor((28-3)/2)+1 = 13, floor((28-5)/2)+1 = 12; same: ceil(13/2)=7, ceil(12/3)=4; pool 2 stride 1: 6×3; same pool 3: 2×1
    expect(info.layers.map((l) => l.outputShape)).toEqual([[28, 28, 3], [13, 12, 5], [7, 4, 6], [6, 3, 6], [2, 1, 6]]);
    expect(info.layers[1]!.params).toBe(3 * 5 * 3 * 5 + 5);
    expect(info.layers[2]!.params).toBe(3 * 3 * 5 * 6 + 6);
  });

  it('counts dense weights with and without bias, and batch norm as 4 per channel (2 trainable)', () => {
    const info = inferModel(
      model([
        { type: 'input', shape: [20] },
        { type: 'dense', units: 7, useBias: false },
        { type: 'batchNorm' },
        { type: 'dense', units: 3 },
      ]),
    );
    expect(info.layers.map((l) => l.params)).toEqual([0, 140, 28, 24]);
    expect(info.totalParams).toBe(192);
    expect(info.trainableParams).toBe(192 - 14);
  });

  it('adds a 1×1 projection to a residual block only when shapes differ', () => {
    const same = inferModel(
      model([
        { type: 'input', shape: [8, 8, 4] },
        { type: 'residual', layers: [{ type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same' }] },
      ]),
    );
    expect(same.layers[1]!.projection).toBeUndefined();
    expect(same.layers[1]!.params).toBe(3 * 3 * 4 * 4 + 4);

    const projected = inferModel(
      model([
        { type: 'input', shape: [7, 7, 4] },
        { type: 'residual', layers: [{ type: 'conv2d', filters: 6, kernelSize: 3, strides: 2, padding: 'same' }] },
      ]),
    );
    expect(projected.layers[1]!.outputShape).toEqual([4, 4, 6]);
    expect(projected.layers[1]!.projection).toEqual({ kind: 'conv1x1', strides: [2, 2], params: 4 * 6 + 6 });
    expect(projected.totalParams).toBe(3 * 3 * 4 * 6 + 6 + 4 * 6 + 6);

    const dense = inferModel(model([{ type: 'input', shape: [5] }, { type: 'residual', layers: [{ type: 'dense', units: 3 }] }]));
    expect(dense.layers[1]!.projection).toEqual({ kind: 'dense', strides: [1, 1], params: 5 * 3 + 3 });
  });

  it('concatenates inception branches on channels', () => {
    const info = inferModel(
      model([
        { type: 'input', shape: [9, 9, 2] },
        {
          type: 'inception',
          branches: [
            [{ type: 'conv2d', filters: 3, kernelSize: 1 }],
            [{ type: 'maxPool2d', poolSize: 3, strides: 1, padding: 'same' }],
          ],
        },
      ]),
    );
    expect(info.outputShape).toEqual([9, 9, 5]);
    expect(info.totalParams).toBe(2 * 3 + 3);
  });

  it('reports every independent error, not just the first, and no cascade after an unknowable shape', () => {
    const result = checkModelSpec(
      model(
        [
          { type: 'input', shape: [28, 28, 1] },
          { type: 'flatten' },
          { type: 'conv2d', filters: 4, kernelSize: 3 },
          { type: 'dense', units: 10 },
          { type: 'residual', layers: [{ type: 'dense', units: 4, activation: 'softmax' }] },
          { type: 'dense', units: 10, activation: 'softmax' },
        ],
        'categoricalCrossentropy',
      ),
    );
    expect(result.errors.map((e) => e.message)).toEqual([
      'layers[2] conv2d needs a 3-D input [height, width, channels] but gets [784]',
      'layers[4].layers[0].activation softmax must be the model\'s last layer: the categoricalCrossentropy loss reads class probabilities from it',
    ]);
    expect(result.errors.map((e) => e.path)).toEqual(['layers[2]', 'layers[4].layers[0].activation']);
  });
});
