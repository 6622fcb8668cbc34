// The PyTorch side of the bench as seen from Node: finding a Python with torch, which BLAS it loaded (ratios are
// refused against the reference BLAS), exporting the digits it trains on, and running bench/pytorch_bench.py.
import { existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { labelOf } from '../core/engine/data/dataset.js';
import { loadMnist } from '../core/engine/data/mnist.js';
import { HERE } from './children.js';
import type { BenchModel } from './models.js';
import { gflops, round, type PytorchRow } from './report.js';

const PY_SCRIPT = join(HERE, 'pytorch_bench.py');
const PYTHON = process.env.LAYERWISE_BENCH_PYTHON ?? '/usr/bin/python3';

export interface TorchInfo {
  version: string | null;
  /** The BLAS library mapped into the Python process once a product ran, e.g. 'OpenBLAS (/usr/lib/…/libblas.so.3)'. */
  blas?: string;
  /** torch.__config__.show()'s BLAS_INFO (Debian's build says 'generic': whatever libblas.so.3 resolves to). */
  blasConfig?: string;
  /** True when PyTorch runs on the reference (netlib) BLAS: every ratio against it would be meaningless. */
  refused: boolean;
  note?: string;
}

export function torchEnv(blasDir: string | undefined): NodeJS.ProcessEnv {
  return {
    ...process.env,
    OPENBLAS_NUM_THREADS: '1',
    ...(blasDir ? { LD_LIBRARY_PATH: [blasDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') } : {}),
  };
}

/** Whether a BLAS description is the reference netlib BLAS (the bench then prints no ratios). */
export function isReferenceBlas(blas: string | undefined): boolean {
  return /^reference/i.test(blas ?? '');
}

export function findTorch(enabled: boolean, env: NodeJS.ProcessEnv): TorchInfo {
  if (!enabled) return { version: null, refused: false, note: 'PyTorch: not run (--no-pytorch)' };
  if (!existsSync(PYTHON)) return { version: null, refused: false, note: `PyTorch was not found: ${PYTHON} does not exist (set LAYERWISE_BENCH_PYTHON to a Python with torch)` };
  const r = spawnSync(PYTHON, [PY_SCRIPT, '--version'], { encoding: 'utf8', env, timeout: 120_000 });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || '').trim().split('\n').pop();
    return { version: null, refused: false, note: `PyTorch was not found: ${PYTHON} cannot import torch (${why})` };
  }
  const found = JSON.parse(r.stdout) as { torch: string; blas: string; blasConfig: string };
  const refused = isReferenceBlas(found.blas);
  const note = refused
    ? `PyTorch loaded the ${found.blas}: its dense layers run ~30× slower than with OpenBLAS, so no ratio against it is printed ` +
      '(apt-get install libopenblas0-pthread, or --torch-blas DIR)'
    : undefined;
  return { version: found.torch, blas: found.blas, blasConfig: found.blasConfig, refused, ...(note ? { note } : {}) };
}

/** The first `samples` training digits as PyTorch reads them: pixels / 255 as float32 and the class as a byte. */
export function exportDigits(dir: string, samples: number): string {
  const data = loadMnist();
  const n = Math.min(samples, data.train.count);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) x[i] = data.train.x[i]! / 255;
  const y = new Uint8Array(n);
  for (let r = 0; r < n; r++) y[r] = labelOf(data.train.y, r, data.numClasses);
  const prefix = join(dir, `digits-${n}`);
  writeFileSync(`${prefix}.x.f32`, x);
  writeFileSync(`${prefix}.y.u8`, y);
  return prefix;
}

function python<T>(args: string[], env: NodeJS.ProcessEnv, what: string): T {
  const r = spawnSync(PYTHON, [PY_SCRIPT, ...args], { encoding: 'utf8', env, timeout: 900_000 });
  if (r.status !== 0) throw new Error(`pytorch_bench.py ${what} failed: ${(r.stderr || r.error?.message || '').trim()}`);
  return JSON.parse(r.stdout) as T;
}

/** One PyTorch matrix measurement (`repeats` timed epochs in one process). */
export function runPytorch(
  env: NodeJS.ProcessEnv,
  o: { prefix: string; model: BenchModel; batchSize: number; threads: number; flops: number; repeats: number; warmup: boolean },
): PytorchRow {
  const args = ['--data', o.prefix, '--model', o.model, '--batch', String(o.batchSize), '--repeats', String(o.repeats), '--threads', String(o.threads), ...(o.warmup ? [] : ['--no-warmup'])];
  const p = python<{ samples: number; samplesPerSecond: number; cpuSamplesPerSecond: number; msPerStep: number; peakRssMb: number; runs: number[] }>(
    args,
    env,
    `${o.model} b${o.batchSize}`,
  );
  return {
    model: o.model,
    batchSize: o.batchSize,
    threads: o.threads,
    samples: p.samples,
    samplesPerSecond: round(p.samplesPerSecond),
    cpuSamplesPerSecond: round(p.cpuSamplesPerSecond),
    msPerStep: round(p.msPerStep, 3),
    peakRssMb: round(p.peakRssMb),
    gflops: gflops(p.samplesPerSecond, o.flops),
    runs: p.runs.map((x) => round(x)),
  };
}

/** The trick-cost table's PyTorch run: epoch times (ms) of the mnist-cnn preset with the trick's flags. */
export function runPytorchEpochs(
  env: NodeJS.ProcessEnv,
  o: { prefix: string; flags: string[]; samples: number; evalRows: number; batchSize: number; epochs: number; threads: number },
): { epochMs: number[]; epochCpuMs: number[]; peakRssMb: number } {
  const args = ['--data', o.prefix, '--epoch-time', ...o.flags, '--samples', String(o.samples), '--val', String(o.evalRows), '--batch', String(o.batchSize), '--epochs', String(o.epochs), '--threads', String(o.threads)];
  return python(args, env, `epoch-time ${o.flags.join(' ') || 'plain'}`);
}

/** The real-size workload's PyTorch run: one epoch of Fashion-MNIST (`idxDir`) or of the digits repeated to `count`. */
export function runPytorchRealSize(
  env: NodeJS.ProcessEnv,
  o: { idxDir: string | null; prefix: string | null; count: number; batchSize: number; threads: number },
): { samples: number; samplesPerSecond: number; cpuSamplesPerSecond: number; peakRssMb: number } {
  const source = o.idxDir ? ['--idx', o.idxDir] : ['--data', o.prefix!, '--repeat-to', String(o.count)];
  return python([...source, '--model', 'bn-dropout', '--batch', String(o.batchSize), '--threads', String(o.threads)], env, 'real-size');
}
