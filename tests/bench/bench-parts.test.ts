// The bench's newer pure parts: the IDX reader of the real-size workload, the BLAS refusal, the trick cases'
// PyTorch flags, and the trick and real-size tables (with ratios refused against the reference BLAS).
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseIdx, repeatTrainRows } from '../../bench/idx.js';
import { benchConfig } from '../../bench/models.js';
import { formatSections } from '../../bench/report-sections.js';
import type { BenchReport } from '../../bench/report.js';
import { isReferenceBlas } from '../../bench/torch.js';
import { TRICK_CASES } from '../../bench/tricks.js';

function idx(dims: number[], data: number[]): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  head.set([0, 0, 0x08, dims.length]);
  const view = new DataView(head.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  return Uint8Array.from([...head, ...data]);
}

describe('the IDX reader (real-size workload)', () => {
  it('reads dims and bytes, plain or gzipped', () => {
    const raw = idx([2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    for (const bytes of [raw, new Uint8Array(gzipSync(raw))]) {
      const r = parseIdx(bytes);
      expect(r.dims).toEqual([2, 2, 3]);
      expect(Array.from(r.data)).toEqual([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    }
  });

  it('refuses a bad magic, another data type and a wrong length, saying which', () => {
    expect(() => parseIdx(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 0]))).toThrow(/bad magic/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]))).toThrow(/0xd is not unsigned byte/);
    expect(() => parseIdx(idx([3], [1, 2]))).toThrow(/2 bytes, dims \[3\] need 3/);
  });

  it('repeats the training rows in order to the asked count (the stand-in without Fashion-MNIST)', () => {
    const data = { name: 'd', inputShape: [2], numClasses: 2, classNames: ['a', 'b'], train: { x: Float32Array.from([1, 2, 3, 4]), y: Float32Array.from([1, 0, 0, 1]), count: 2 } };
    const r = repeatTrainRows({ ...data, validation: data.train, test: data.train }, 5);
    expect(r.train.count).toBe(5);
    expect(Array.from(r.train.x)).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2]);
    expect(Array.from(r.train.y)).toEqual([1, 0, 0, 1, 1, 0, 0, 1, 1, 0]);
  });
});

describe('PyTorch comparisons', () => {
  it('tells the reference BLAS from OpenBLAS and MKL', () => {
    expect(isReferenceBlas('reference BLAS, netlib (/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0)')).toBe(true);
    expect(isReferenceBlas('OpenBLAS (/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3)')).toBe(false);
    expect(isReferenceBlas('MKL (/opt/intel/libmkl_rt.so)')).toBe(false);
    expect(isReferenceBlas(undefined)).toBe(false);
  });

  it('gives PyTorch each trick with the engine\'s default parameters', () => {
    const flags = Object.fromEntries(
      TRICK_CASES.map((c) => [c.trick, c.torch((benchConfig(256, 2, c.tricks).tricks[c.trick as never] ?? {}) as Record<string, number>)]),
    );
    expect(flags).toEqual({
      none: [],
      batchNorm: ['--bn'],
      dropout: ['--dropout', '0.5'],
      l2: ['--l2', '0.0001'],
      clipNorm: ['--clip-norm', '1'],
      weightAveraging: ['--swa'],
      ensemble: ['--members', '2'],
    });
  });

  it('prints the trick and real-size tables, and no ratio when PyTorch ran on the reference BLAS', () => {
    const report = {
      machine: { ratiosRefused: false },
      tricks: {
        preset: 'mnist-cnn', backend: 'wasm', device: 'x', batchSize: 256, samples: 4096, evalRows: 256, note: 'n',
        rows: [
          { trick: 'none', label: 'none', oursMs: 400, oursRuns: [400], oursRatio: 1, torch: [{ threads: 1, ms: 300, runs: [300], ratio: 1 }] },
          { trick: 'batchNorm', label: 'batch norm', oursMs: 600, oursRuns: [600], oursRatio: 1.5, torch: [{ threads: 1, ms: 690, runs: [690], ratio: 2.3 }] },
        ],
      },
      realSize: {
        data: 'Fashion-MNIST', model: 'bn-dropout', batchSize: 256, samples: 60000, backend: 'wasm', device: 'x', note: 'n',
        ours: { samplesPerSecond: 8000, runs: [8000], peakRssMb: 600, peakRssRuns: [600] },
        torch: [{ threads: 1, samplesPerSecond: 10000, runs: [10000], peakRssMb: 400, data: 'bytes' }],
      },
    } as unknown as BenchReport;
    const text = formatSections(report).join('\n');
    expect(text).toMatch(/batch norm\s+600\s+1\.50×\s+—\s+690\s+2\.30×/);
    expect(text).toMatch(/PyTorch, 1 thread\s+10,000\s+—\s+0\.80×\s+—\s+400\s+1\.50×/);
    const refused = formatSections({ ...report, machine: { ratiosRefused: true } } as unknown as BenchReport).join('\n');
    expect(refused).toMatch(/batch norm\s+600\s+1\.50×\s+—\s+690\s+refused\s+refused/);
    expect(refused).toMatch(/PyTorch, 1 thread\s+10,000\s+—\s+refused\s+refused/);
  });
});
