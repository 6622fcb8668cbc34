// `npm run bench:vitest` (with the other Vitest benches): the engine's wasm Sum and Mean (float64 accumulators, core/engine/kernels/reduce-sum.ts)
// against tfjs 4.22's stock wasm kernels on the shapes training produces: bias gradients (batch × height × width
// reduced, channels kept), batch-norm moments, dense bias gradients, loss means. Median of repeated calls.
import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { initBackend } from '../core/engine/backends/index.js';
import { stockKernel } from '../core/engine/kernels/index.js';

const SHAPES: Array<{ what: string; shape: number[]; axis: number[] }> = [
  { what: 'conv bias grad, batch 64', shape: [64, 28, 28, 8], axis: [0, 1, 2] },
  { what: 'conv bias grad, batch 64', shape: [64, 14, 14, 16], axis: [0, 1, 2] },
  { what: 'conv bias grad, batch 256', shape: [256, 28, 28, 8], axis: [0, 1, 2] },
  { what: 'dense bias grad, batch 256', shape: [256, 128], axis: [0] },
  { what: 'softmax row sums', shape: [256, 10], axis: [1] },
  { what: 'global average pool', shape: [64, 7, 7, 32], axis: [1, 2] },
  { what: 'loss mean', shape: [256], axis: [0] },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

describe('wasm Sum/Mean: engine (float64) vs stock (float32)', () => {
  it('prints µs per call', async () => {
    await initBackend('wasm');
    const backend = tf.backend();
    for (const kernelName of ['Sum', 'Mean']) {
      const stock = stockKernel(kernelName, 'wasm')!;
      stock.setupFunc?.(backend);
      const ours = tf.getKernel(kernelName, 'wasm')!;
      for (const s of SHAPES) {
        const x = tf.randomUniform(s.shape, -1, 1, 'float32', 1);
        const attrs = { axis: s.axis, keepDims: false } as unknown as tf.NamedAttrMap;
        const time = (config: tf.KernelConfig) => {
          const reps = Math.max(5, Math.min(200, Math.floor(2e7 / x.size)));
          const samples: number[] = [];
          for (let r = 0; r < 7; r++) {
            const t0 = performance.now();
            for (let i = 0; i < reps; i++) {
              const out = config.kernelFunc({ inputs: { x }, backend, attrs }) as tf.TensorInfo;
              backend.disposeData(out.dataId);
            }
            samples.push(((performance.now() - t0) * 1000) / reps);
          }
          return median(samples);
        };
        time(ours);
        time(stock);
        const a = time(ours);
        const b = time(stock);
        console.log(
          `${kernelName.padEnd(4)} [${s.shape.join('×')}] over [${s.axis.join(',')}] (${s.what}): engine ${a.toFixed(1)} µs · stock ${b.toFixed(1)} µs · ${(b / a).toFixed(2)}×`,
        );
        x.dispose();
      }
    }
  });
});
