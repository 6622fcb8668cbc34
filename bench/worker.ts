// One bench measurement in a process of its own (started by bench/run.ts with child_process.fork), so that each
// backend × model × batch size gets a clean tfjs and its own peak RSS. The job comes as JSON in argv[2]; the
// result goes back over the IPC channel. Modes:
//   probe     which backends can start here (core/engine/backends probeBackends) and the tfjs version
//   matrix    train one model for one epoch through the engine's train(), a warm-up then `repeats` timed runs
//   headless  the studio-overhead baseline: train() in-process on the full bundled MNIST, as the trainer would
//   epochs    the trick-cost table: a preset with tricks for a few epochs; the time of each epoch
//   realsize  the real-size workload: one epoch of Fashion-MNIST (or the digits repeated) through a bench model
import { createRequire } from 'node:module';
import { initBackend, probeBackends, releaseBackends, type BackendName } from '../core/engine/backends/index.js';
import type { Dataset, Split } from '../core/engine/data/dataset.js';
import { loadMnist } from '../core/engine/data/mnist.js';
import { train } from '../core/engine/train.js';
import { findPreset } from '../core/presets/load.js';
import { benchConfig, benchSpec, PRESET_OF, type BenchModel } from './models.js';
import { hasFashionMnist, loadFashionMnist, repeatTrainRows } from './idx.js';

export type WorkerJob =
  | { mode: 'probe' }
  | { mode: 'matrix'; backend: BackendName; model: BenchModel; batchSize: number; samples: number; repeats: number; warmup: boolean; evalRows: number }
  | { mode: 'headless'; backend: BackendName; model: BenchModel; batchSize: number; epochs: number }
  | { mode: 'epochs'; backend: BackendName; preset: string; tricks: Record<string, Record<string, unknown>>; batchSize: number; samples: number; evalRows: number; epochs: number }
  | { mode: 'realsize'; backend: BackendName; model: BenchModel; batchSize: number; idxDir: string; count: number };

export interface EpochsResult {
  device: string;
  /** Wall ms of each epoch, report to report (the first from the start of train()). */
  epochMs: number[];
  /** The same in this process's CPU time. */
  epochCpuMs: number[];
  engineSamplesPerSecond: number[];
  peakRssMb: number;
}

export interface RealSizeResult {
  device: string;
  /** What was trained on: 'Fashion-MNIST (…)' or the digits repeated. */
  data: string;
  samples: number;
  /** Wall clock over the epoch's batches, the first excluded. */
  samplesPerSecond: number;
  /** The same over this process's CPU time. */
  cpuSamplesPerSecond: number;
  engineSamplesPerSecond: number;
  peakRssMb: number;
}

export interface MatrixResult {
  device: string;
  samples: number;
  /** Wall-clock samples/s of each timed run (first batch excluded). */
  runs: number[];
  /** The same over this process's CPU time (user + system): what other load on the machine disturbs least. */
  cpuRuns: number[];
  /** The engine's own samples/s of each timed run. */
  engineRuns: number[];
  peakRssMb: number;
}

export interface HeadlessResult {
  device: string;
  /** performance.now() at each epoch report. */
  epochTimes: number[];
  engineSamplesPerSecond: number[];
  peakRssMb: number;
}

export type WorkerMessage =
  | { type: 'firstBatch' }
  | { type: 'epoch' }
  | { type: 'result'; result: unknown }
  | { type: 'error'; message: string };

const send = (m: WorkerMessage) => new Promise<void>((resolve) => process.send!(m, undefined, {}, () => resolve()));

function rows(split: Split, n: number, features: number, classes: number): Split {
  const count = Math.min(n, split.count);
  return { x: split.x.subarray(0, count * features), y: split.y.subarray(0, count * classes), count };
}

/** The bundled digits with the engine's fixed split, the training split cut to `samples` (untimed splits to `evalRows`). */
function benchData(samples: number, evalRows: number): Dataset {
  const data = loadMnist();
  const f = 784;
  const k = data.numClasses;
  return { ...data, train: rows(data.train, samples, f, k), validation: rows(data.validation, evalRows, f, k), test: rows(data.test, evalRows, f, k) };
}

function spec(model: BenchModel) {
  const preset = PRESET_OF[model];
  return benchSpec(model, preset ? findPreset(preset).model : undefined);
}

/** This process's CPU time so far (user + system, all threads), ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function matrix(job: Extract<WorkerJob, { mode: 'matrix' }>): Promise<MatrixResult> {
  const backend = await initBackend(job.backend);
  const full = benchData(job.samples, job.evalRows);
  const once = async (dataset: Dataset) => {
    let first = 0;
    let last = 0;
    let cpuFirst = 0;
    let cpuLast = 0;
    let engine = 0;
    await train({
      spec: spec(job.model),
      dataset,
      config: benchConfig(job.batchSize),
      backend,
      events: {
        onBatch: (p) => {
          const now = performance.now();
          const cpu = cpuMs();
          if (p.batch === 1) [first, cpuFirst] = [now, cpu];
          [last, cpuLast] = [now, cpu];
        },
        onEpoch: (r) => {
          engine = r.metrics.samplesPerSecond;
        },
      },
    });
    const timed = dataset.train.count - Math.min(job.batchSize, dataset.train.count);
    return {
      wall: timed > 0 && last > first ? (timed * 1000) / (last - first) : engine,
      cpu: timed > 0 && cpuLast > cpuFirst ? (timed * 1000) / (cpuLast - cpuFirst) : engine,
      engine,
    };
  };
  if (job.warmup) {
    // The same shapes as a timed run (full batches and the last, partial one), on fewer digits.
    const n = full.train.count;
    const warm = Math.min(n, 2 * job.batchSize + (n % job.batchSize));
    await once({ ...full, train: rows(full.train, warm, 784, full.numClasses) });
  }
  const runs: number[] = [];
  const cpuRuns: number[] = [];
  const engineRuns: number[] = [];
  for (let i = 0; i < job.repeats; i++) {
    const r = await once(full);
    runs.push(r.wall);
    cpuRuns.push(r.cpu);
    engineRuns.push(r.engine);
  }
  return { device: backend.device, samples: full.train.count, runs, cpuRuns, engineRuns, peakRssMb: peakRssMb() };
}

async function headless(job: Extract<WorkerJob, { mode: 'headless' }>): Promise<HeadlessResult> {
  const backend = await initBackend(job.backend);
  const epochTimes: number[] = [];
  const engineSamplesPerSecond: number[] = [];
  let sentFirst: Promise<void> | undefined;
  await train({
    spec: spec(job.model),
    dataset: loadMnist(),
    config: benchConfig(job.batchSize, job.epochs),
    backend,
    events: {
      onBatch: () => {
        sentFirst ??= send({ type: 'firstBatch' });
      },
      onEpoch: (r) => {
        epochTimes.push(performance.now());
        engineSamplesPerSecond.push(r.metrics.samplesPerSecond);
        // The parent reads this process's CPU time when it hears of an epoch, as it does for the trainer.
        void send({ type: 'epoch' });
      },
    },
  });
  await sentFirst;
  return { device: backend.device, epochTimes, engineSamplesPerSecond, peakRssMb: peakRssMb() };
}

async function epochs(job: Extract<WorkerJob, { mode: 'epochs' }>): Promise<EpochsResult> {
  const backend = await initBackend(job.backend);
  const epochMs: number[] = [];
  const epochCpuMs: number[] = [];
  const engineSamplesPerSecond: number[] = [];
  let last = performance.now();
  let lastCpu = cpuMs();
  await train({
    spec: findPreset(job.preset).model,
    dataset: benchData(job.samples, job.evalRows),
    config: benchConfig(job.batchSize, job.epochs, job.tricks),
    backend,
    events: {
      onEpoch: (r) => {
        const now = performance.now();
        const cpu = cpuMs();
        epochMs.push(now - last);
        epochCpuMs.push(cpu - lastCpu);
        [last, lastCpu] = [now, cpu];
        engineSamplesPerSecond.push(r.metrics.samplesPerSecond);
      },
    },
  });
  return { device: backend.device, epochMs, epochCpuMs, engineSamplesPerSecond, peakRssMb: peakRssMb() };
}

async function realSize(job: Extract<WorkerJob, { mode: 'realsize' }>): Promise<RealSizeResult> {
  const backend = await initBackend(job.backend);
  const fashion = hasFashionMnist(job.idxDir);
  const data = fashion ? loadFashionMnist(job.idxDir) : repeatTrainRows(loadMnist(), job.count);
  let first = 0;
  let last = 0;
  let cpuFirst = 0;
  let cpuLast = 0;
  let engine = 0;
  await train({
    spec: spec(job.model),
    dataset: data,
    config: benchConfig(job.batchSize),
    backend,
    events: {
      onBatch: (p) => {
        const now = performance.now();
        const cpu = cpuMs();
        if (p.batch === 1) [first, cpuFirst] = [now, cpu];
        [last, cpuLast] = [now, cpu];
      },
      onEpoch: (r) => {
        engine = r.metrics.samplesPerSecond;
      },
    },
  });
  const timed = data.train.count - Math.min(job.batchSize, data.train.count);
  return {
    device: backend.device,
    data: fashion ? `Fashion-MNIST (${job.idxDir}: 60,000 training images, 5,000 validation)` : data.name,
    samples: data.train.count,
    samplesPerSecond: (timed * 1000) / (last - first),
    cpuSamplesPerSecond: (timed * 1000) / (cpuLast - cpuFirst),
    engineSamplesPerSecond: engine,
    peakRssMb: peakRssMb(),
  };
}

async function probe() {
  const tfjs = (createRequire(import.meta.url)('@tensorflow/tfjs-core/package.json') as { version: string }).version;
  return { tfjs, backends: await probeBackends() };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as WorkerJob;
  try {
    const result =
      job.mode === 'probe'
        ? await probe()
        : job.mode === 'matrix'
          ? await matrix(job)
          : job.mode === 'epochs'
            ? await epochs(job)
            : job.mode === 'realsize'
              ? await realSize(job)
              : await headless(job);
    await send({ type: 'result', result });
  } catch (e) {
    await send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
  releaseBackends();
  // Dawn and tfjs may hold the event loop; the answer is already out.
  process.exit(0);
}

await main();
