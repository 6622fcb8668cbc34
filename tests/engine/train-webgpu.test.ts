// The training loop on the webgpu backend (a software adapter in CI): the same run as on cpu, to float
// tolerance. Its own file: webgpu registration is per process. Skipped, with the reason printed, where
// no adapter can be had (CI sets LAYERWISE_REQUIRE_WEBGPU=1 so there it must run).
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, releaseBackends, type BackendInfo } from '../../core/engine/backends/index.js';
import { train } from '../../core/engine/train.js';
import { parseTrainingConfig, type EpochReport, type ModelSpec } from '../../shared/index.js';

let webgpu: BackendInfo | undefined;
let why = '';
try {
  webgpu = await initBackend('webgpu');
} catch (e) {
  why = (e as Error).message;
  console.warn(`webgpu training test SKIPPED: ${why}`);
}
const required = process.env.LAYERWISE_REQUIRE_WEBGPU === '1';

afterAll(() => releaseBackends());

const spec: ModelSpec = {
  version: 1,
  name: 'webgpu',
  loss: 'categoricalCrossentropy',
  layers: [
    { type: 'input', shape: [2] },
    { type: 'dense', units: 16, activation: 'tanh' },
    { type: 'batchNorm' },
    { type: 'dense', units: 3, activation: 'softmax' },
  ],
};

describe('training on webgpu', () => {
  it.skipIf(!webgpu && !required)('matches the cpu run epoch by epoch (async reads only)', async () => {
    expect(webgpu, why).toBeDefined();
    const parsed = parseTrainingConfig({ epochs: 2, batchSize: 64, seed: 2, tricks: { standardize: {}, adam: { learningRate: 0.01 }, clipNorm: {} } });
    if (!parsed.ok) throw new Error('config');
    const dataset = { kind: 'synthetic', name: 'spiral', samples: 400, classes: 3, noise: 0.05 } as const;
    const runOn = async (name: 'cpu' | 'webgpu') => {
      const backend = await initBackend(name);
      const epochs: EpochReport[] = [];
      const summary = await train({ spec, dataset, config: parsed.value, backend, events: { onEpoch: (r) => epochs.push(r) } });
      return { summary, epochs };
    };
    const gpu = await runOn('webgpu');
    const cpu = await runOn('cpu');
    expect(gpu.summary.status).toBe('completed');
    expect(gpu.summary.backend).toBe('webgpu');
    gpu.epochs.forEach((e, i) => {
      expect(e.metrics.loss).toBeCloseTo(cpu.epochs[i]!.metrics.loss, 3);
      expect(e.metrics.valLoss).toBeCloseTo(cpu.epochs[i]!.metrics.valLoss, 3);
    });
    expect(gpu.summary.final!.testAccuracy).toBeCloseTo(cpu.summary.final!.testAccuracy, 1);
  });
});
