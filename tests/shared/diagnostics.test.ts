import { describe, expect, it } from 'vitest';
import {
  DEAD_FRACTION,
  EXPLODING_GROWTH,
  EXPLODING_NORM,
  layerWarnings,
  VANISHING_ABSOLUTE,
  VANISHING_RELATIVE,
} from '../../shared/analysis/index.js';
import type { MetricSeries } from '../../shared/api/index.js';

const series = (name: string, values: (number | null)[], epochs = values.map((_, i) => i)): MetricSeries => ({
  name,
  epochs,
  steps: values.map(() => null),
  values,
});

describe('layerWarnings', () => {
  it('states its thresholds', () => {
    expect([VANISHING_RELATIVE, VANISHING_ABSOLUTE, EXPLODING_NORM, EXPLODING_GROWTH, DEAD_FRACTION]).toEqual([1e-4, 1e-7, 1e3, 10, 0.5]);
  });

  it('finds nothing in a healthy run and ignores other series', () => {
    expect(
      layerWarnings([
        series('loss', [2, 1, 0.5]),
        series('layer.layers[2].gradNorm', [0.5, 0.3, 0.2]),
        series('layer.layers[3].gradNorm', [0.05, 0.02, 0.01]),
        series('layer.layers[2].deadFraction', [0.1, 0.2, 0.49]),
        series('layer.layers[2].activationStd', [1, 1, 1]),
      ]),
    ).toEqual([]);
    expect(layerWarnings([])).toEqual([]);
  });

  it('flags vanishing gradients relative to the largest layer, from the epoch they stayed vanished', () => {
    const warnings = layerWarnings([
      series('layer.layers.2.gradNorm', [1e-3, 2e-4, 1e-6, 3.1e-8]),
      series('layer.layers.3.layers.0.gradNorm', [0.1, 0.2, 0.5, 3.1e-3]),
      series('layer.layers.10.gradNorm', [0.5, 0.5, 0.5, 0.5]),
    ]);
    expect(warnings).toEqual([
      {
        kind: 'vanishing-gradient',
        layer: 'layers.2',
        fromEpoch: 2,
        value: 3.1e-8,
        message: "layers.2: gradients vanishing from epoch 3 (norm 3.1e-8, 6.2e-8 × the largest layer's)",
      },
    ]);
  });

  it('flags a norm under the absolute floor even when every layer is tiny, and not once it recovers', () => {
    const w = layerWarnings([series('layer.layers[1].gradNorm', [1e-8, 5e-8]), series('layer.layers[2].gradNorm', [1e-8, 2e-8])]);
    expect(w.map((x) => [x.kind, x.layer, x.fromEpoch])).toEqual([
      ['vanishing-gradient', 'layers[1]', 0],
      ['vanishing-gradient', 'layers[2]', 0],
    ]);
    expect(layerWarnings([series('layer.layers[1].gradNorm', [1e-8, 1e-8, 1e-2])])).toEqual([]);
  });

  it('flags exploding gradients: over the limit, not finite, or growing tenfold two epochs running', () => {
    const w = layerWarnings([
      series('layer.layers[1].gradNorm', [1, 2, 1500, 2500]),
      series('layer.layers[2].gradNorm', [1, 2, null]),
      series('layer.layers[3].gradNorm', [0.01, 0.02, 0.3, 4, 50]),
      series('layer.layers[4].gradNorm', [0.01, 0.2, 0.3]),
    ]);
    expect(w).toEqual([
      { kind: 'exploding-gradient', layer: 'layers[1]', fromEpoch: 2, value: 2500, message: 'layers[1]: gradients exploding from epoch 3 (norm 2500)' },
      { kind: 'exploding-gradient', layer: 'layers[2]', fromEpoch: 2, value: NaN, message: 'layers[2]: gradients exploding from epoch 3 (norm not finite)' },
      { kind: 'exploding-gradient', layer: 'layers[3]', fromEpoch: 3, value: 50, message: 'layers[3]: gradients exploding from epoch 4 (norm 50)' },
    ]);
  });

  it('does not call the other layers vanishing while one explodes', () => {
    const w = layerWarnings([series('layer.layers[1].gradNorm', [1e6, 1e7]), series('layer.layers[2].gradNorm', [1, 1])]);
    expect(w.map((x) => [x.kind, x.layer])).toEqual([['exploding-gradient', 'layers[1]']]);
  });

  it('flags dead ReLUs at half the layer or more', () => {
    const w = layerWarnings([
      series('layer.layers[2].deadFraction', [0.3, 0.6, 0.5, 0.75]),
      series('layer.layers[3].deadFraction', [0.9, 0.9, 0.4]),
    ]);
    expect(w).toEqual([
      {
        kind: 'dead-relu',
        layer: 'layers[2]',
        fromEpoch: 1,
        value: 0.75,
        message: 'layers[2]: 75% of units dead (output ≤ 0 for every probe sample) from epoch 2',
      },
    ]);
  });

  it('uses the recorded epochs (a resumed run may start later) and orders layers naturally', () => {
    const w = layerWarnings([
      series('layer.layers[10].deadFraction', [0.8, 0.8], [4, 5]),
      series('layer.layers[2].deadFraction', [0.2, 0.7], [4, 5]),
    ]);
    expect(w.map((x) => [x.layer, x.fromEpoch])).toEqual([
      ['layers[2]', 5],
      ['layers[10]', 4],
    ]);
  });
});
