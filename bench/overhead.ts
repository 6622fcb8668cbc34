// The studio's overhead over headless training: the same CNN trained through the real trainer process
// (forkTrainer + startTraining, a listener taking progress, epoch reports and checkpoints as the host does) and
// in-process (bench/worker.ts calling train()), alternating, every run a fresh process.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendName } from '../core/engine/backends/index.js';
import { forkTrainer, startTraining } from '../core/engine/trainer-client.js';
import type { TrainRequest } from '../shared/index.js';
import { cpuMs, cpuPerEpoch, newestMtime, ROOT, runWorker } from './children.js';
import { benchConfig, CNN_SPEC, type BenchModel } from './models.js';
import { median, round, type OverheadReport } from './report.js';
import type { HeadlessResult } from './worker.js';

const TRAINER_SOURCE = join(ROOT, 'electron/trainer/index.ts');
const TRAINER_BUILT = join(ROOT, 'out/main/trainer.js');

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
export async function measureOverhead(backend: BackendName, opts: { warmup: boolean; repeats: number }, progress: (line: string) => void): Promise<OverheadReport> {
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
