// The layer types of issue 20 exported after a short training (so no weight is at its trivial start): TF.js
// (reloaded by tfjs, the attention and position-embedding classes included) and ONNX (run by onnxruntime-node),
// each compared with the trained model on a probe batch within 1e-4. Token models take int64 ids in ONNX.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import type { Dataset } from '../../core/engine/data/dataset.js';
import { createRng, gaussian } from '../../core/engine/data/rng.js';
import { train } from '../../core/engine/train.js';
import { exportModel, MAX_ABS_DIFF, type ExportSource } from '../../core/export/export.js';
import { parseTrainingConfig, type CheckpointPayload } from '../../shared/index.js';
import { inputShapeOf, LAYER_CASES, type LayerCase } from '../support/new-layer-specs.js';

const dir = mkdtempSync(join(tmpdir(), 'layerwise-layers-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('wasm');
});

/** Random samples of the case's input (token ids below its vocabulary, or N(0, 1) values), labels cycling through 3 classes. */
function dataFor(c: LayerCase): Dataset {
  const shape = inputShapeOf(c);
  const size = shape.reduce((a, b) => a * b, 1);
  const rng = createRng(11);
  const split = (n: number) => {
    const x = Float32Array.from({ length: n * size }, () => (c.vocabulary ? Math.floor(rng() * c.vocabulary) : gaussian(rng)));
    const y = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) y[i * 3 + (i % 3)] = 1;
    return { x, y, count: n };
  };
  return {
    name: c.name,
    inputShape: shape,
    numClasses: 3,
    classNames: ['a', 'b', 'c'],
    ...(c.vocabulary ? { vocabulary: c.vocabulary } : {}),
    train: split(96),
    validation: split(32),
    test: split(16),
  };
}

let n = 0;
describe('every new layer type exports to TF.js and ONNX, verified', () => {
  for (const c of LAYER_CASES) {
    it(c.name, async () => {
      const dataset = dataFor(c);
      const parsed = parseTrainingConfig({ epochs: 2, batchSize: 16, seed: 4, tricks: { adam: { learningRate: 0.01 } } });
      if (!parsed.ok) throw new Error('config');
      let last: CheckpointPayload | undefined;
      const summary = await train({ spec: c.spec, dataset, config: parsed.value, backend: { name: 'wasm', device: 'test' }, events: { onCheckpoint: (p) => (last = p) } });
      expect(summary.status).toBe('completed');
      const source: ExportSource = { spec: c.spec, config: parsed.value, manifest: last!.manifest, weights: last!.weights, dataset };
      for (const format of ['tfjs', 'onnx'] as const) {
        const out = join(dir, `m${++n}${format === 'onnx' ? '.onnx' : ''}`);
        const result = await exportModel(source, { format, out });
        expect(result.samples).toBe(32);
        expect(result.maxAbsDiff).toBeLessThanOrEqual(MAX_ABS_DIFF);
        console.log(`${c.name} ${format}: max abs diff ${result.maxAbsDiff.toExponential(2)}`);
        if (format !== 'onnx') continue;
        // A token model's ONNX input is int64 ids: floats are refused by onnxruntime.
        const session = await ort.InferenceSession.create(out);
        const dims = [2, ...dataset.inputShape];
        const size = dims.reduce((a, b) => a * b, 1);
        const floats = new ort.Tensor('float32', new Float32Array(size), dims);
        const ids = new ort.Tensor('int64', new BigInt64Array(size), dims);
        if (c.vocabulary) {
          await expect(session.run({ input: floats })).rejects.toThrow(/type|tensor\(int64\)/i);
          expect(((await session.run({ input: ids })).output!.dims)).toEqual([2, 3]);
        } else {
          expect(((await session.run({ input: floats })).output!.dims)).toEqual([2, 3]);
        }
        await session.release();
      }
    });
  }
});
