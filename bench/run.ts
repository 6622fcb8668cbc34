// `npm run bench`: training throughput of the engine on every backend present, against PyTorch on the same digits;
// what each training trick costs, ours and PyTorch's; a real-size workload (60,000 images); the studio's overhead
// over headless training; the store's figures. One invocation, one JSON report.
// A benchmark, not a test: nothing here asserts on time. Run it with the TypeScript hooks:
//   node --import ./tests/store/support/register.mjs bench/run.ts [flags]      (flags: bench/args.ts, or --help)
// Every measurement runs in a child process of its own (bench/worker.ts; PyTorch: bench/pytorch_bench.py), ours and
// PyTorch alternating run by run, so peak RSS figures do not mix and the machine's drift hits both sides alike.
// The process exits 2 when a backend named in --backends cannot start, 1 when a measurement failed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendName, BackendProbe } from '../core/engine/backends/index.js';
import { findPreset } from '../core/presets/load.js';
import { ALL_BACKENDS, parseArgs, type Options } from './args.js';
import { HERE, REGISTER, runWorker } from './children.js';
import { countFlops } from './flops.js';
import { benchSpec, PRESET_OF, type BenchModel } from './models.js';
import { measureOverhead } from './overhead.js';
import { measureRealSize } from './real-size.js';
import {
  formatReport,
  gflops,
  median,
  parseStoreOutput,
  peakFromCpuinfo,
  ratios,
  round,
  type BenchReport,
  type MachineInfo,
  type OverheadReport,
  type PytorchRow,
  type RealSizeReport,
  type ResultRow,
  type StoreReport,
  type TrickReport,
} from './report.js';
import { exportDigits, findTorch, runPytorch, torchEnv, type TorchInfo } from './torch.js';
import { measureTricks } from './tricks.js';
import type { MatrixResult } from './worker.js';

const started = performance.now();

const opts: Options = (() => {
  try {
    return parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exit(64);
  }
})();
const human = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
const progress = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

function machineInfo(tfjs: string, torch: TorchInfo): MachineInfo {
  const n = availableParallelism();
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux: no peak figure
  }
  const peak = peakFromCpuinfo(cpuinfo, n);
  const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? '').split(/\s+/));
  const vectorIsa = flags.has('avx512f') ? 'AVX-512' : flags.has('avx2') ? `AVX2${flags.has('fma') ? ' + FMA' : ''}` : flags.has('avx') ? 'AVX' : flags.size > 1 ? 'SSE' : undefined;
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model.trim() ?? 'unknown CPU';
  return {
    cpus: n,
    cpuModel: model,
    ...(vectorIsa ? { vectorIsa } : {}),
    node: process.versions.node,
    tfjs,
    torch: torch.version,
    torchBlas: torch.blas ?? null,
    torchBlasConfig: torch.blasConfig ?? null,
    ratiosRefused: torch.refused,
    torchThreads: opts.torchThreads,
    loadAverage: [round(loadavg()[0]!, 2)],
    peakGflops: peak.gflops,
    peakBasis: peak.basis,
    ...(torch.note ? { torchNote: torch.note } : {}),
  };
}

function measureStore(): StoreReport {
  const r = spawnSync(process.execPath, ['--import', REGISTER, join(HERE, 'store.ts')], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`bench/store.ts failed: ${(r.stderr || r.error?.message || '').trim()}`);
  return parseStoreOutput(r.stdout);
}

/**
 * Training throughput: each model × batch size, `repeats` rounds of [ours on each backend, then PyTorch at each
 * thread count], every run a fresh process with its warm-up; medians over the rounds.
 */
async function measureMatrix(
  backends: BackendName[],
  slow: (b: BackendName) => boolean,
  flops: Map<BenchModel, number>,
  torch: { env: NodeJS.ProcessEnv; prefix: string | null },
  skipped: string[],
): Promise<{ results: ResultRow[]; pytorch: PytorchRow[]; failed: boolean }> {
  const results: ResultRow[] = [];
  const pytorch: PytorchRow[] = [];
  let failed = false;
  for (const model of opts.models) {
    for (const batchSize of opts.batchSizes) {
      const ours = new Map<BackendName, MatrixResult[]>();
      const theirs = new Map<number, PytorchRow[]>();
      const broken = new Set<string>();
      for (let round = 0; round < opts.repeats; round++) {
        for (const backend of backends) {
          if (broken.has(backend)) continue;
          const samples = slow(backend) ? Math.min(opts.samples, opts.slowSamples) : opts.samples;
          try {
            const r = await runWorker<MatrixResult>({ mode: 'matrix', backend, model, batchSize, samples, repeats: 1, warmup: opts.warmup, evalRows: 256 });
            ours.set(backend, [...(ours.get(backend) ?? []), r]);
            progress(`${backend} ${model} b${batchSize} run ${round + 1}/${opts.repeats}: ${r.runs[0]!.toFixed(0)} samples/s, peak RSS ${r.peakRssMb.toFixed(0)} MB`);
          } catch (e) {
            broken.add(backend);
            skipped.push(`${backend} ${model} b${batchSize}: failed: ${(e as Error).message.split('\n')[0]}`);
            progress(skipped.at(-1)!);
            failed = true;
          }
        }
        if (!torch.prefix || broken.has('pytorch')) continue;
        for (const threads of opts.torchThreads) {
          try {
            const p = runPytorch(torch.env, { prefix: torch.prefix, model, batchSize, threads, flops: flops.get(model)!, repeats: 1, warmup: opts.warmup });
            theirs.set(threads, [...(theirs.get(threads) ?? []), p]);
            progress(`pytorch ${model} b${batchSize} (${threads} thread${threads > 1 ? 's' : ''}) run ${round + 1}/${opts.repeats}: ${p.samplesPerSecond} samples/s`);
          } catch (e) {
            broken.add('pytorch');
            skipped.push(`pytorch ${model} b${batchSize}: ${(e as Error).message.split('\n')[0]}`);
            failed = true;
          }
        }
      }
      for (const [backend, runs] of ours) {
        const sps = median(runs.map((r) => r.runs[0]!));
        results.push({
          backend,
          device: runs[0]!.device,
          model,
          batchSize,
          samples: runs[0]!.samples,
          samplesPerSecond: round(sps),
          engineSamplesPerSecond: round(median(runs.map((r) => r.engineRuns[0]!))),
          cpuSamplesPerSecond: round(median(runs.map((r) => r.cpuRuns[0]!))),
          msPerStep: round((batchSize * 1000) / sps, 3),
          peakRssMb: round(median(runs.map((r) => r.peakRssMb))),
          flopsPerSample: flops.get(model)!,
          gflops: gflops(sps, flops.get(model)!),
          runs: runs.map((r) => round(r.runs[0]!)),
          ...(runs[0]!.samples < opts.samples ? { note: `timed on the first ${runs[0]!.samples} of the ${opts.samples} digits (a slow backend; --slow-samples)` } : {}),
        });
      }
      for (const [threads, runs] of theirs) {
        const sps = median(runs.map((r) => r.samplesPerSecond));
        pytorch.push({ ...runs[0]!, threads, samplesPerSecond: round(sps), cpuSamplesPerSecond: round(median(runs.map((r) => r.cpuSamplesPerSecond!))), msPerStep: round((batchSize * 1000) / sps, 3), peakRssMb: round(median(runs.map((r) => r.peakRssMb))), gflops: gflops(sps, flops.get(model)!), runs: runs.map((r) => r.samplesPerSecond) });
      }
    }
  }
  return { results, pytorch, failed };
}

async function main(): Promise<number> {
  let exitCode = 0;
  const probe = await runWorker<{ tfjs: string; backends: BackendProbe[] }>({ mode: 'probe' });
  if (opts.probe) {
    process.stdout.write(`${JSON.stringify(probe, null, 2)}\n`);
    return 0;
  }
  const skipped: string[] = [];
  const notes: string[] = [];
  const available = new Map(probe.backends.filter((b) => b.available).map((b) => [b.name, b]));
  // probeBackends gives an available webgpu a reason only when its adapter is a software one.
  const software = (b: BackendName) => b === 'webgpu' && Boolean(available.get(b)?.reason);
  const wanted = opts.backends ?? ALL_BACKENDS.filter((b) => available.has(b) && !software(b));
  if (!opts.backends && software('webgpu')) {
    skipped.push(`webgpu: only a software adapter here (${available.get('webgpu')!.device}), slower than cpu: not run unless named (--backends webgpu, timed on --slow-samples digits)`);
  }
  for (const b of opts.backends ? ALL_BACKENDS : []) {
    if (wanted.includes(b) && !available.has(b)) {
      skipped.push(`${b}: not available here (${probe.backends.find((p) => p.name === b)?.reason ?? 'unknown'})`);
      exitCode = 2;
    }
  }
  if (!opts.backends) {
    for (const p of probe.backends) if (!p.available) skipped.push(`${p.name}: not available here (${p.reason})`);
  }
  const backends = wanted.filter((b) => available.has(b));
  const env = torchEnv(opts.torchBlas ?? process.env.LAYERWISE_BENCH_TORCH_BLAS);
  const torch = findTorch(opts.pytorch, env);
  const machine = machineInfo(probe.tfjs, torch);
  if (torch.note) progress(torch.note);
  if (torch.version) progress(`PyTorch ${torch.version} on ${torch.blas} (${torch.blasConfig})`);
  progress(`backends: ${backends.map((b) => `${b} (${available.get(b)!.device})`).join(', ') || 'none'}`);

  const flops = new Map(opts.models.map((m) => [m, countFlops(benchSpec(m, PRESET_OF[m] ? findPreset(PRESET_OF[m]!).model : undefined)).total]));
  const slow = (b: BackendName) => b === 'cpu' || software(b);
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-bench-'));
  let tricks: TrickReport | null = null;
  let realSize: RealSizeReport | null = null;
  let overhead: OverheadReport | null = null;
  let results: ResultRow[] = [];
  let pytorch: PytorchRow[] = [];
  try {
    const prefix = torch.version ? exportDigits(dir, opts.samples) : null;
    const matrix = await measureMatrix(backends, slow, flops, { env, prefix }, skipped);
    ({ results, pytorch } = matrix);
    if (matrix.failed) exitCode = 1;
    if (results.some((r) => r.note)) notes.push(`the slow backends (cpu, software WebGPU) are timed on ${opts.slowSamples} digits per epoch to keep the run short; samples/s are per-digit rates and compare directly`);

    // The other sections run on the default backend: wasm (or a hardware one where wasm is absent).
    const fast = (['wasm', 'tensorflow', 'webgpu'] as BackendName[]).find((b) => available.has(b) && !slow(b));
    if (opts.tricks) {
      if (!fast) skipped.push('tricks: needs wasm (or a hardware backend)');
      else {
        try {
          const trickPrefix = torch.version ? exportDigits(dir, opts.trickSamples + 256) : null;
          tricks = await measureTricks({ backend: fast, samples: opts.trickSamples, repeats: opts.repeats, torchThreads: opts.torchThreads, torchPrefix: trickPrefix, torchEnv: env, progress });
        } catch (e) {
          skipped.push(`tricks: ${(e as Error).message.split('\n')[0]}`);
          exitCode = 1;
        }
      }
    }
    if (opts.realSize) {
      if (!fast) skipped.push('real size: needs wasm (or a hardware backend)');
      else {
        try {
          realSize = await measureRealSize({ backend: fast, idxDir: opts.realSizeData, repeats: opts.repeats, torchThreads: opts.torchThreads, torchPrefix: prefix, torch: Boolean(torch.version), torchEnv: env, progress });
        } catch (e) {
          skipped.push(`real size: ${(e as Error).message.split('\n')[0]}`);
          exitCode = 1;
        }
      }
    }
    if (opts.overhead) {
      if (!fast) skipped.push('overhead: needs wasm (or a hardware backend); cpu would take minutes per epoch');
      else {
        try {
          overhead = await measureOverhead(fast, opts, progress);
        } catch (e) {
          skipped.push(`overhead: ${(e as Error).message}`);
          exitCode = 1;
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  let store: StoreReport | null = null;
  if (opts.store) {
    try {
      store = measureStore();
      progress('store: done');
    } catch (e) {
      skipped.push(`store: ${(e as Error).message}`);
      exitCode = 1;
    }
  }

  machine.loadAverage.push(round(loadavg()[0]!, 2));
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine,
    settings: { repeats: opts.repeats, warmup: opts.warmup, backends, models: opts.models, batchSizes: opts.batchSizes, samples: opts.samples, slowSamples: opts.slowSamples },
    results,
    // No ratio against a PyTorch that runs on the reference BLAS (machine.ratiosRefused says why).
    ratios: torch.refused ? [] : opts.torchThreads.flatMap((threads) => ratios(results, pytorch, threads).map((r) => ({ ...r, torchThreads: threads }))),
    pytorch,
    tricks,
    realSize,
    overhead,
    store,
    skipped,
    notes,
    elapsedSeconds: round((performance.now() - started) / 1000),
  };
  human(formatReport(report));
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (opts.json) process.stdout.write(json);
  if (opts.out) writeFileSync(opts.out, json);
  return exitCode;
}

process.exitCode = await main();
