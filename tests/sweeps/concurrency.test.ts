// How a sweep shares the machine (core/sweeps/concurrency.ts): trials at once × threads per trial ≤ physical cores
// for whatever the user left open; what the user gave is kept.
import { describe, expect, it } from 'vitest';
import { defaultSweepConcurrency, sweepParallelism } from '../../core/sweeps/concurrency.js';
import { parseSweepSpec } from '../../shared/index.js';

describe('sweep parallelism', () => {
  it('runs one trainer per core divided by each trainer\'s threads', () => {
    expect(defaultSweepConcurrency(1, 8)).toBe(8);
    expect(defaultSweepConcurrency(2, 8)).toBe(4);
    expect(defaultSweepConcurrency(3, 8)).toBe(2);
    expect(defaultSweepConcurrency(4, 2)).toBe(1);
    expect(defaultSweepConcurrency(1, 64)).toBe(16);
    expect(defaultSweepConcurrency(0, 4)).toBe(4);
  });

  it('fills in whichever of trials and threads is missing so that their product fits the cores', () => {
    for (const cores of [1, 2, 3, 4, 8, 16]) {
      for (const given of [{}, { threads: 1 }, { threads: 2 }, { concurrency: 1 }, { concurrency: 3 }] as Array<{ threads?: number; concurrency?: number }>) {
        const p = sweepParallelism({ ...given, backend: 'wasm', cores });
        const why = `${cores} cores, ${JSON.stringify(given)}: ${JSON.stringify(p)}`;
        // What was given is kept; the product exceeds the cores only when the given value alone does.
        if (given.threads !== undefined) expect(p.threads, why).toBe(given.threads);
        if (given.concurrency !== undefined) expect(p.concurrency, why).toBe(given.concurrency);
        expect(p.concurrency * p.threads, why).toBeLessThanOrEqual(Math.max(cores, given.threads ?? 1, given.concurrency ?? 1));
        expect(p.concurrency >= 1 && p.threads >= 1, why).toBe(true);
      }
    }
    expect(sweepParallelism({ backend: 'wasm', cores: 4 })).toEqual({ concurrency: 4, threads: 1 });
    expect(sweepParallelism({ backend: 'auto', threads: 2, cores: 8 })).toEqual({ concurrency: 4, threads: 2 });
    expect(sweepParallelism({ backend: 'wasm', concurrency: 2, cores: 8 })).toEqual({ concurrency: 2, threads: 1 });
    expect(sweepParallelism({ backend: 'wasm', concurrency: 3, cores: 2 })).toEqual({ concurrency: 3, threads: 1 });
    // Both given: the user's, even past the cores.
    expect(sweepParallelism({ backend: 'wasm', concurrency: 2, threads: 2, cores: 2 })).toEqual({ concurrency: 2, threads: 2 });
    // A backend that trains on one thread: one per core.
    expect(sweepParallelism({ backend: 'cpu', threads: 4, cores: 4 })).toEqual({ concurrency: 4, threads: 1 });
  });

  it('takes threads in the spec, and names the field and range when it is bad', () => {
    const base = { spec: { version: 1, name: 'm', loss: 'categoricalCrossentropy', layers: [] }, dataset: { kind: 'mnist' }, config: { epochs: 1, batchSize: 8, seed: 1 } };
    const spec = (threads: unknown) => ({ base, method: 'grid', parameters: [{ path: 'tricks.adam.learningRate', values: [0.1] }], threads });
    const bad = parseSweepSpec(spec(0));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((e) => e.message).join('\n')).toMatch(/threads.*must be an integer in \[1, 256\]/);
    const good = parseSweepSpec(spec(2));
    expect(good.ok && good.value.threads).toBe(2);
  });
});
