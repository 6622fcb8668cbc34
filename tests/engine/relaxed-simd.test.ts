// Relaxed SIMD (the FMA build of the engine's kernels) reaches the trainer: Node 20 runs it only with a V8 flag, which
// forkTrainer passes (core/engine/kernels/simd/relaxed.ts); the trainer's device line then says so.
import { describe, expect, it } from 'vitest';
import { RELAXED_SIMD_FLAG, relaxedSimdSupported, trainerExecArgv } from '../../core/engine/kernels/simd/relaxed.js';
import { startTraining } from '../../core/engine/trainer-client.js';
import { parseTrainingConfig } from '../../shared/index.js';
import { ensureBuilt } from '../support/build.js';

const major = Number(process.versions.node.split('.')[0]);

describe('relaxed SIMD for the trainer process', () => {
  it('is detected by validating a module with f32x4.relaxed_madd (Node 20: only with the flag)', () => {
    expect(relaxedSimdSupported()).toBe(major >= 22 || process.execArgv.includes(RELAXED_SIMD_FLAG));
  });

  it('adds the flag once, keeping the parent\'s own options', () => {
    const base = ['--import', './hooks.mjs'];
    if (relaxedSimdSupported()) {
      expect(trainerExecArgv(base)).toEqual(base);
    } else {
      expect(trainerExecArgv(base)).toEqual([...base, RELAXED_SIMD_FLAG]);
      expect(trainerExecArgv([...base, RELAXED_SIMD_FLAG])).toEqual([...base, RELAXED_SIMD_FLAG]);
    }
  });

  it('a forked trainer on wasm runs the relaxed build and reports it in its device line', async () => {
    ensureBuilt();
    const config = parseTrainingConfig({ epochs: 1, batchSize: 32, seed: 3, tricks: { adam: {} } });
    if (!config.ok) throw new Error('config');
    let device = '';
    const handle = startTraining(
      {
        spec: { version: 1, name: 'tiny', loss: 'categoricalCrossentropy', layers: [{ type: 'input', shape: [2] }, { type: 'dense', units: 3, activation: 'softmax' }] },
        dataset: { kind: 'synthetic', name: 'spiral', samples: 96, classes: 3, noise: 0.05 },
        config: config.value,
        backend: 'wasm',
      },
      { started: (info) => (device = info.device) },
    );
    const outcome = await handle.done;
    expect(outcome.ok).toBe(true);
    expect(device).toMatch(/WebAssembly SIMD, relaxed SIMD, 1 thread/);
  }, 120_000);
});
