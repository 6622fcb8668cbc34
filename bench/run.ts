// `npm run bench`: training throughput of the engine on every backend present, against PyTorch on the same digits,
// the studio's overhead over headless training, and the store's figures; one invocation, one JSON report.
// A benchmark, not a test: nothing here asserts on time. Run it with the TypeScript hooks:
//   node --import ./tests/store/support/register.mjs bench/run.ts [flags]
// Flags:
//   --json                 print the JSON report on stdout (the human tables then go to stderr)
//   --out FILE             also write the JSON report to FILE
//   --backends a,b         backends to run (default: every one present: tensorflow, webgpu on a hardware adapter, wasm, cpu)
//   --models a,b           mlp, cnn, resnet (the mini-resnet preset) (default mlp,cnn)
//   --batch 64,256         batch sizes (default 64,256)
//   --repeats N            timed runs per measurement, median reported (default 3)
//   --quick                1 run, no warm-up (a smoke test)
//   --samples N            training digits per epoch (default 8000, all of the engine's training split)
//   --slow-samples N       digits per epoch on the slow backends: cpu and software WebGPU adapters (default 2048)
//   --no-pytorch           do not look for PyTorch (otherwise /usr/bin/python3 with torch, or $LAYERWISE_BENCH_PYTHON)
//   --torch-threads 2,1    torch.set_num_threads for PyTorch, one run set each (default 2,1), each with its ratios;
//                          1 thread matches the engine's single-threaded backends and suffers least from other load
//   --torch-blas DIR       put DIR first on PyTorch's LD_LIBRARY_PATH (also $LAYERWISE_BENCH_TORCH_BLAS): Debian's torch
//                          calls whatever libblas.so.3 it finds, and the reference BLAS makes its MLP ~30x slower; a
//                          libopenblas0-pthread .deb unpacked with dpkg-deb -x gives DIR = …/openblas-pthread
//   --no-overhead          skip the studio-overhead section (trainer process vs headless)
//   --no-store             skip the store figures (bench/store.ts)
//   --probe                print which backends can start here, as JSON, and exit
// Every backend × model × batch size runs in a child process of its own (bench/worker.ts), so peak RSS figures
// do not mix. The process exits 2 when a backend named in --backends cannot start.
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BackendName, BackendProbe } from '../core/engine/backends/index.js';
import { labelOf } from '../core/engine/data/dataset.js';
import { loadMnist } from '../core/engine/data/mnist.js';
import { forkTrainer, startTraining } from '../core/engine/trainer-client.js';
import { findPreset } from '../core/presets/load.js';
import type { TrainRequest } from '../shared/index.js';
import { countFlops } from './flops.js';
import { benchConfig, benchSpec, CNN_SPEC, DEFAULT_MODELS, parseModels, RESNET_PRESET_ID, type BenchModel } from './models.js';
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
  type ResultRow,
  type StoreReport,
} from './report.js';
import type { HeadlessResult, MatrixResult, WorkerJob, WorkerMessage } from './worker.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const REGISTER = pathToFileURL(join(ROOT, 'tests/store/support/register.mjs')).href;
const WORKER = join(HERE, 'worker.ts');
const TRAINER_SOURCE = join(ROOT, 'electron/trainer/index.ts');
const TRAINER_BUILT = join(ROOT, 'out/main/trainer.js');
const PY_SCRIPT = join(HERE, 'pytorch_bench.py');
const ALL_BACKENDS: BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];
const started = performance.now();

interface Options {
  json: boolean;
  out?: string;
  backends?: BackendName[];
  models: BenchModel[];
  batchSizes: number[];
  repeats: number;
  warmup: boolean;
  samples: number;
  slowSamples: number;
  pytorch: boolean;
  torchBlas?: string;
  torchThreads: number[];
  overhead: boolean;
  store: boolean;
  probe: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { json: false, models: [...DEFAULT_MODELS], batchSizes: [64, 256], repeats: 3, warmup: true, samples: 8000, slowSamples: 2048, pytorch: true, torchThreads: [2, 1], overhead: true, store: true, probe: false };
  const positive = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer (got ${v ?? 'nothing'})`);
    return n;
  };
  let quick = false;
  let repeats: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => argv[++i];
    switch (a) {
      case '--json': o.json = true; break;
      case '--out': o.out = next(); break;
      case '--backends': {
        const list = (next() ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        for (const b of list) if (!ALL_BACKENDS.includes(b as BackendName)) throw new Error(`unknown backend '${b}' (known: ${ALL_BACKENDS.join(', ')})`);
        o.backends = list as BackendName[];
        break;
      }
      case '--models': o.models = parseModels(next() ?? ''); break;
      case '--batch': o.batchSizes = (next() ?? '').split(',').map((s) => positive('--batch', s)); break;
      case '--repeats': repeats = positive('--repeats', next()); break;
      case '--quick': quick = true; break;
      case '--samples': o.samples = positive('--samples', next()); break;
      case '--slow-samples': o.slowSamples = positive('--slow-samples', next()); break;
      case '--no-pytorch': o.pytorch = false; break;
      case '--torch-blas': o.torchBlas = next(); break;
      case '--torch-threads': o.torchThreads = (next() ?? '').split(',').map((t) => positive('--torch-threads', t)); break;
      case '--no-overhead': o.overhead = false; break;
      case '--no-store': o.store = false; break;
      case '--probe': o.probe = true; break;
      case '--help':
      case '-h':
        process.stdout.write(`${readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\nimport ')[0]!.replace(/^\/\/ ?/gm, '')}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag '${a}' (see the top of bench/run.ts, or --help)`);
    }
  }
  if (quick) {
    o.repeats = 1;
    o.warmup = false;
  }
  if (repeats) o.repeats = repeats;
  return o;
}

const opts = (() => {
  try {
    return parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exit(64);
  }
})();
const human = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
const progress = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

/** Runs bench/worker.ts in a child process with the TypeScript hooks; its stdout goes to our stderr. */
function runWorker<T>(job: WorkerJob, onEvent?: (type: 'firstBatch' | 'epoch', pid: number | undefined) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [JSON.stringify(job)], { execArgv: ['--import', REGISTER], stdio: ['ignore', 2, 2, 'ipc'] });
    let answered = false;
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'firstBatch' || m.type === 'epoch') onEvent?.(m.type, child.pid);
      else if (m.type === 'result') {
        answered = true;
        resolve(m.result as T);
      } else if (m.type === 'error') {
        answered = true;
        reject(new Error(m.message));
      }
    });
    child.on('exit', (code, signal) => {
      if (!answered) reject(new Error(`the bench worker (${job.mode}) ended with ${signal ?? `code ${code}`} before answering`));
    });
  });
}

const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  return Number(r.stdout) > 0 ? Number(r.stdout) : 100;
})();

/** CPU time (user + system, all threads) a process has used so far, ms; null where /proc is not there. */
function cpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

/** CPU ms per epoch between the first and the last epoch report, or null. */
function cpuPerEpoch(samples: Array<number | null>): number | null {
  if (samples.length < 2 || samples.some((s) => s === null)) return null;
  return (samples.at(-1)! - samples[0]!) / (samples.length - 1);
}

function machineInfo(tfjs: string, torch: string | null, torchBlas: string | null, torchNote: string | undefined): MachineInfo {
  const n = availableParallelism();
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux: no peak figure
  }
  const peak = peakFromCpuinfo(cpuinfo, n);
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model.trim() ?? 'unknown CPU';
  return { cpus: n, cpuModel: model, node: process.versions.node, tfjs, torch, torchBlas, torchThreads: opts.torchThreads, loadAverage: [round(loadavg()[0]!, 2)], peakGflops: peak.gflops, peakBasis: peak.basis, ...(torchNote ? { torchNote } : {}) };
}

const PYTHON = process.env.LAYERWISE_BENCH_PYTHON ?? '/usr/bin/python3';
const TORCH_BLAS = opts.torchBlas ?? process.env.LAYERWISE_BENCH_TORCH_BLAS;
const pyEnv = {
  ...process.env,
  OPENBLAS_NUM_THREADS: '1',
  ...(TORCH_BLAS ? { LD_LIBRARY_PATH: [TORCH_BLAS, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') } : {}),
};

function findTorch(): { version: string | null; blas?: string; note?: string } {
  if (!opts.pytorch) return { version: null, note: 'PyTorch: not run (--no-pytorch)' };
  if (!existsSync(PYTHON)) return { version: null, note: `PyTorch was not found: ${PYTHON} does not exist (set LAYERWISE_BENCH_PYTHON to a Python with torch)` };
  const r = spawnSync(PYTHON, [PY_SCRIPT, '--version'], { encoding: 'utf8', env: pyEnv, timeout: 120_000 });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || '').trim().split('\n').pop();
    return { version: null, note: `PyTorch was not found: ${PYTHON} cannot import torch (${why})` };
  }
  const found = JSON.parse(r.stdout) as { torch: string; blas: string };
  const note = /^reference/.test(found.blas)
    ? `PyTorch's dense layers run on the ${found.blas}: its MLP figures are far below what PyTorch does with OpenBLAS or MKL (see --torch-blas)`
    : undefined;
  return { version: found.torch, blas: found.blas, ...(note ? { note } : {}) };
}

/** The training digits as PyTorch reads them: pixels / 255 as float32 and the class as a byte. */
function exportDigits(dir: string, samples: number): string {
  const data = loadMnist();
  const n = Math.min(samples, data.train.count);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) x[i] = data.train.x[i]! / 255;
  const y = new Uint8Array(n);
  for (let r = 0; r < n; r++) y[r] = labelOf(data.train.y, r, data.numClasses);
  const prefix = join(dir, 'digits');
  writeFileSync(`${prefix}.x.f32`, x);
  writeFileSync(`${prefix}.y.u8`, y);
  return prefix;
}

function runPytorch(prefix: string, model: BenchModel, batchSize: number, threads: number, flops: number): PytorchRow {
  const args = [PY_SCRIPT, '--data', prefix, '--model', model, '--batch', String(batchSize), '--repeats', String(opts.repeats), '--threads', String(threads), ...(opts.warmup ? [] : ['--no-warmup'])];
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', env: pyEnv, timeout: 600_000 });
  if (r.status !== 0) throw new Error(`pytorch_bench.py ${model} b${batchSize} failed: ${(r.stderr || r.error?.message || '').trim()}`);
  const p = JSON.parse(r.stdout) as { samples: number; samplesPerSecond: number; msPerStep: number; peakRssMb: number; runs: number[] };
  return {
    model,
    batchSize,
    threads,
    samples: p.samples,
    samplesPerSecond: round(p.samplesPerSecond),
    msPerStep: round(p.msPerStep, 3),
    peakRssMb: round(p.peakRssMb),
    gflops: gflops(p.samplesPerSecond, flops),
    runs: p.runs.map((x) => round(x)),
  };
}

async function trainerRun(entry: string, request: TrainRequest, stopAfterFirstBatch = false) {
  const t0 = performance.now();
  const proc = forkTrainer({ entry });
  let startedMs = NaN;
  let firstBatchMs = NaN;
  let progressMessages = 0;
  const epochTimes: number[] = [];
  const epochCpu: Array<number | null> = [];
  const engine: number[] = [];
  const handle = startTraining(
    request,
    {
      started: () => (startedMs = performance.now() - t0),
      progress: () => {
        if (!progressMessages++) {
          firstBatchMs = performance.now() - t0;
          if (stopAfterFirstBatch) handle.kill();
        }
      },
      epoch: (r) => {
        epochTimes.push(performance.now());
        epochCpu.push(cpuMs(proc.pid));
        engine.push(r.metrics.samplesPerSecond);
      },
      checkpoint: () => {},
    },
    proc,
  );
  const outcome = await handle.done;
  if (!outcome.ok && !stopAfterFirstBatch) throw new Error(`the trainer failed: ${outcome.error.message}`);
  return { startedMs, firstBatchMs, progressMessages, epochTimes, engine, cpuPerEpoch: cpuPerEpoch(epochCpu) };
}

/** Times between consecutive epoch reports (warm epochs, each with its evaluation). */
function epochIntervals(times: number[]): number[] {
  if (times.length < 2) throw new Error(`expected at least 2 epoch reports, got ${times.length}`);
  return times.slice(1).map((t, i) => t - times[i]!);
}

/** How much slower the studio's real path (a trainer process streaming progress to a listener) trains than train() in-process. */
async function measureOverhead(backend: BackendName): Promise<OverheadReport> {
  const batchSize = 64;
  // Epochs of ~1 s vary by ±20% on a shared machine: enough intervals on each side (5 runs × 4) for the medians
  // to resolve a few percent.
  const epochs = opts.warmup ? 5 : 2;
  const model: BenchModel = 'cnn';
  const request: TrainRequest = { spec: CNN_SPEC, dataset: { kind: 'mnist' }, config: benchConfig(batchSize, epochs), backend };
  const runs = opts.warmup ? Math.max(5, opts.repeats) : 1;
  const headlessEpoch: number[] = [];
  const headlessSteps: number[] = [];
  const headlessFirst: number[] = [];
  const trainerEpoch: number[] = [];
  const trainerSteps: number[] = [];
  const trainerFirst: number[] = [];
  const trainerStarted: number[] = [];
  const progressPerEpoch: number[] = [];
  const headlessCpu: number[] = [];
  const trainerCpu: number[] = [];
  // Alternate the two paths so that drift in the machine's load hits both alike.
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    let first = NaN;
    const cpu: Array<number | null> = [];
    const h = await runWorker<HeadlessResult>({ mode: 'headless', backend, model, batchSize, epochs }, (type, pid) => {
      if (type === 'firstBatch') first = performance.now() - t0;
      else cpu.push(cpuMs(pid));
    });
    const hc = cpuPerEpoch(cpu);
    if (hc !== null) headlessCpu.push(hc);
    headlessEpoch.push(...epochIntervals(h.epochTimes));
    headlessSteps.push(...h.engineSamplesPerSecond.slice(1));
    headlessFirst.push(first);
    const t = await trainerRun(TRAINER_SOURCE, request);
    trainerEpoch.push(...epochIntervals(t.epochTimes));
    trainerSteps.push(...t.engine.slice(1));
    trainerFirst.push(t.firstBatchMs);
    trainerStarted.push(t.startedMs);
    if (t.cpuPerEpoch !== null) trainerCpu.push(t.cpuPerEpoch);
    progressPerEpoch.push(t.progressMessages / epochs);
    const last = (xs: number[]) => xs.slice(-(epochs - 1)).map((x) => x.toFixed(0)).join(', ');
    progress(`overhead run ${i + 1}/${runs}: headless ${last(headlessEpoch)} ms/epoch, trainer ${last(trainerEpoch)} ms/epoch, first batch ${t.firstBatchMs.toFixed(0)} ms; CPU ms/epoch headless ${hc?.toFixed(0) ?? '?'}, trainer ${t.cpuPerEpoch?.toFixed(0) ?? '?'}`);
  }
  let builtFirstBatchMs: number | null = null;
  let note =
    `CNN, ${backend}, batch ${batchSize}, ${epochs} epochs of the bundled MNIST (8,000 training digits, 1,000 validation) per run; ` +
    `the timed span runs from the first epoch report to the last (per epoch: the checkpoint the studio path makes, the epoch, its evaluation). ` +
    `Every run is a fresh process on both paths, alternating: headless = bench/worker.ts calling train(); studio = forkTrainer/startTraining ` +
    `with ${TRAINER_SOURCE.slice(ROOT.length + 1)} run from source, a listener taking progress, epochs and checkpoints. ` +
    `Three figures: CPU time per epoch of each process (user + system, all threads, read from /proc when an epoch report arrives; ` +
    `less disturbed by other load than wall time, but still by caches shared with it), the fastest epoch of each path in wall time, and the median epochs.`;
  if (existsSync(TRAINER_BUILT)) {
    const t = await trainerRun(TRAINER_BUILT, request, true);
    builtFirstBatchMs = round(t.firstBatchMs);
    if (statSync(TRAINER_BUILT).mtimeMs < newestMtime(join(ROOT, 'core'))) {
      note += ' out/main/trainer.js is older than core/ (run `npm run build`): its first-batch figure is for an older engine.';
    }
  }
  const h = median(headlessEpoch);
  const tr = median(trainerEpoch);
  const percent = (a: number, b: number) => round((a / b - 1) * 100, 2);
  return {
    model,
    backend,
    batchSize,
    epochs,
    trainerEntry: TRAINER_SOURCE.slice(ROOT.length + 1),
    headlessCpuMsPerEpoch: headlessCpu.length ? round(median(headlessCpu)) : null,
    trainerCpuMsPerEpoch: trainerCpu.length ? round(median(trainerCpu)) : null,
    cpuOverheadPercent: headlessCpu.length && trainerCpu.length ? percent(median(trainerCpu), median(headlessCpu)) : null,
    headlessEpochMs: round(Math.min(...headlessEpoch)),
    trainerEpochMs: round(Math.min(...trainerEpoch)),
    overheadPercent: percent(Math.min(...trainerEpoch), Math.min(...headlessEpoch)),
    headlessMedianEpochMs: round(h),
    trainerMedianEpochMs: round(tr),
    medianOverheadPercent: percent(tr, h),
    stepOverheadPercent: percent(Math.max(...headlessSteps), Math.max(...trainerSteps)),
    firstBatchMs: round(median(trainerFirst)),
    startedMs: round(median(trainerStarted)),
    headlessFirstBatchMs: round(median(headlessFirst)),
    builtFirstBatchMs,
    progressMessagesPerEpoch: round(median(progressPerEpoch)),
    headlessRuns: headlessEpoch.map((x) => round(x)),
    trainerRuns: trainerEpoch.map((x) => round(x)),
    note,
  };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

function measureStore(): StoreReport {
  const r = spawnSync(process.execPath, ['--import', REGISTER, join(HERE, 'store.ts')], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`bench/store.ts failed: ${(r.stderr || r.error?.message || '').trim()}`);
  return parseStoreOutput(r.stdout);
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
  const torch = findTorch();
  const machine = machineInfo(probe.tfjs, torch.version, torch.blas ?? null, torch.note);
  if (torch.note) progress(torch.note);
  progress(`backends: ${backends.map((b) => `${b} (${available.get(b)!.device})`).join(', ') || 'none'}`);

  const resnet = opts.models.includes('resnet') ? findPreset(RESNET_PRESET_ID).model : undefined;
  const flops = new Map(opts.models.map((m) => [m, countFlops(benchSpec(m, resnet)).total]));
  const slow = (b: BackendName) => b === 'cpu' || software(b);

  const results: ResultRow[] = [];
  for (const backend of backends) {
    const samples = slow(backend) ? Math.min(opts.samples, opts.slowSamples) : opts.samples;
    for (const model of opts.models) {
      for (const batchSize of opts.batchSizes) {
        try {
          const r = await runWorker<MatrixResult>({ mode: 'matrix', backend, model, batchSize, samples, repeats: opts.repeats, warmup: opts.warmup, evalRows: 256 });
          const sps = median(r.runs);
          const row: ResultRow = {
            backend,
            device: r.device,
            model,
            batchSize,
            samples: r.samples,
            samplesPerSecond: round(sps),
            engineSamplesPerSecond: round(median(r.engineRuns)),
            msPerStep: round((batchSize * 1000) / sps, 3),
            peakRssMb: round(r.peakRssMb),
            flopsPerSample: flops.get(model)!,
            gflops: gflops(sps, flops.get(model)!),
            runs: r.runs.map((x) => round(x)),
            ...(r.samples < opts.samples ? { note: `timed on the first ${r.samples} of the ${opts.samples} digits (a slow backend; --slow-samples)` } : {}),
          };
          results.push(row);
          progress(`${backend} ${model} b${batchSize}: ${row.samplesPerSecond} samples/s (${row.msPerStep.toFixed(1)} ms/step, runs ${row.runs.join(', ')}), peak RSS ${row.peakRssMb} MB`);
        } catch (e) {
          skipped.push(`${backend} ${model} b${batchSize}: failed: ${(e as Error).message.split('\n')[0]}`);
          progress(skipped.at(-1)!);
          exitCode = 1;
        }
      }
    }
  }
  if (results.some((r) => r.note)) notes.push(`the slow backends (cpu, software WebGPU) are timed on ${opts.slowSamples} digits per epoch to keep the run short; samples/s are per-digit rates and compare directly`);

  const pytorch: PytorchRow[] = [];
  if (torch.version) {
    const dir = mkdtempSync(join(tmpdir(), 'layerwise-bench-'));
    try {
      const prefix = exportDigits(dir, opts.samples);
      for (const threads of opts.torchThreads) {
        for (const model of opts.models) {
          for (const batchSize of opts.batchSizes) {
            pytorch.push(runPytorch(prefix, model, batchSize, threads, flops.get(model)!));
            progress(`pytorch ${model} b${batchSize} (${threads} thread${threads > 1 ? 's' : ''}): ${pytorch.at(-1)!.samplesPerSecond} samples/s`);
          }
        }
      }
    } catch (e) {
      skipped.push(`pytorch: ${(e as Error).message}`);
      exitCode = 1;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  let overhead: OverheadReport | null = null;
  if (opts.overhead) {
    const backend = (['wasm', 'tensorflow', 'webgpu'] as BackendName[]).find((b) => available.has(b) && !slow(b));
    if (!backend) skipped.push('overhead: needs wasm (or a hardware backend); cpu would take minutes per epoch');
    else {
      try {
        overhead = await measureOverhead(backend);
      } catch (e) {
        skipped.push(`overhead: ${(e as Error).message}`);
        exitCode = 1;
      }
    }
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
    ratios: opts.torchThreads.flatMap((threads) => ratios(results, pytorch, threads).map((r) => ({ ...r, torchThreads: threads }))),
    pytorch,
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
