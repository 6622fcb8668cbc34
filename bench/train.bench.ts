// Training throughput: our custom loop against tfjs's model.fit on the same model, data and backend.
// Prints samples/s (median of N epochs) per model and backend. Run: npm run bench:fit (BENCH_EPOCHS, BENCH_BACKENDS, BENCH_MODELS)
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { it } from 'vitest';
import { initBackend } from '../core/engine/backends/index.js';
import { buildModel } from '../core/engine/build-model.js';
import { loadMnist } from '../core/engine/data/mnist.js';
import { train } from '../core/engine/train.js';
import { loadPresets } from '../core/presets/load.js';
import { parseTrainingConfig, type BackendName } from '../shared/index.js';

const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 3);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'wasm,cpu').split(',') as BackendName[];
const MODELS = (process.env.BENCH_MODELS ?? 'mnist-mlp,mnist-cnn').split(',');
const BATCH = 64;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

it('custom loop vs model.fit (MNIST, 8,000 digits, batch 64, Adam)', async () => {
  const data = loadMnist();
  const rows: string[] = [];
  for (const backendName of BACKENDS) {
    const backend = await initBackend(backendName);
    for (const id of MODELS) {
      const preset = loadPresets().find((p) => p.id === id)!;
      const parsed = parseTrainingConfig({ epochs: EPOCHS, batchSize: BATCH, seed: 1, tricks: { scaleUnit: {}, adam: { learningRate: 0.001 } } });
      if (!parsed.ok) throw new Error('config');
      const ours: number[] = [];
      await train({ spec: preset.model, dataset: data, config: parsed.value, backend, events: { onEpoch: (r) => ours.push(r.metrics.samplesPerSecond) } });

      // model.fit on the same architecture (softmax output, as Keras users would write it).
      const model = buildModel(preset.model, { seed: 1 });
      model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const n = data.train.count;
      const xs = tf.tidy(() => tf.div(tf.tensor(data.train.x, [n, ...data.inputShape]), 255));
      const ys = tf.tensor(data.train.y, [n, data.numClasses]);
      const fit: number[] = [];
      for (let e = 0; e < EPOCHS; e++) {
        const t0 = performance.now();
        await model.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 } as tfl.ModelFitArgs);
        fit.push((n * 1000) / (performance.now() - t0));
      }
      tf.dispose([xs, ys]);
      model.dispose();
      const a = median(ours);
      const b = median(fit);
      rows.push(`${backendName.padEnd(6)} ${id.padEnd(12)} ours ${a.toFixed(0).padStart(7)}  model.fit ${b.toFixed(0).padStart(7)}  ratio ${(a / b).toFixed(2)}`);
      console.log(rows[rows.length - 1]);
    }
  }
  console.log(`\nsamples/s, median of ${EPOCHS} epochs (backend: ${tf.getBackend()})\n${rows.join('\n')}`);
});
