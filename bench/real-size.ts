// The real-size workload: one epoch of 60,000 28×28 images through the mnist-cnn-bn-dropout preset (batch norm +
// dropout) at batch 256, ours and PyTorch's, samples/s and peak RSS. Real Fashion-MNIST where its IDX files are
// (Debian's dataset-fashion-mnist), else the bundled digits repeated to 60,000: the report says which. Ours and
// PyTorch alternate, run by run, each run a fresh process (its peak RSS its own).
import type { BackendName } from '../core/engine/backends/index.js';
import { hasFashionMnist } from './idx.js';
import { median, round, type RealSizeReport } from './report.js';
import { runWorker } from './children.js';
import { runPytorchRealSize } from './torch.js';
import type { RealSizeResult } from './worker.js';

const COUNT = 60_000;
const BATCH = 256;

export async function measureRealSize(o: {
  backend: BackendName;
  idxDir: string;
  repeats: number;
  torchThreads: number[];
  /** Exported digits for PyTorch when Fashion-MNIST is absent; null without PyTorch. */
  torchPrefix: string | null;
  torch: boolean;
  torchEnv: NodeJS.ProcessEnv;
  progress: (line: string) => void;
}): Promise<RealSizeReport> {
  const fashion = hasFashionMnist(o.idxDir);
  const ours: RealSizeResult[] = [];
  const theirs = new Map<number, Array<{ samplesPerSecond: number; cpuSamplesPerSecond: number; peakRssMb: number }>>();
  for (let rep = 0; rep < o.repeats; rep++) {
    const r = await runWorker<RealSizeResult>({ mode: 'realsize', backend: o.backend, model: 'bn-dropout', batchSize: BATCH, idxDir: o.idxDir, count: COUNT });
    ours.push(r);
    let line = `real size ${rep + 1}/${o.repeats}: ours ${r.samplesPerSecond.toFixed(0)} samples/s, ${r.peakRssMb.toFixed(0)} MB`;
    if (o.torch) {
      for (const threads of o.torchThreads) {
        const t = runPytorchRealSize(o.torchEnv, { idxDir: fashion ? o.idxDir : null, prefix: o.torchPrefix, count: COUNT, batchSize: BATCH, threads });
        theirs.set(threads, [...(theirs.get(threads) ?? []), t]);
        line += `; PyTorch ${threads} thr. ${t.samplesPerSecond.toFixed(0)} samples/s, ${t.peakRssMb.toFixed(0)} MB`;
      }
    }
    o.progress(line);
  }
  const first = ours[0]!;
  return {
    data: first.data,
    model: 'bn-dropout',
    batchSize: BATCH,
    samples: first.samples,
    backend: o.backend,
    device: first.device,
    ours: {
      samplesPerSecond: round(median(ours.map((r) => r.samplesPerSecond))),
      cpuSamplesPerSecond: round(median(ours.map((r) => r.cpuSamplesPerSecond))),
      runs: ours.map((r) => round(r.samplesPerSecond)),
      peakRssMb: round(median(ours.map((r) => r.peakRssMb))),
      peakRssRuns: ours.map((r) => round(r.peakRssMb)),
    },
    torch: [...theirs.entries()].map(([threads, runs]) => ({
      threads,
      samplesPerSecond: round(median(runs.map((r) => r.samplesPerSecond))),
      cpuSamplesPerSecond: round(median(runs.map((r) => r.cpuSamplesPerSecond))),
      runs: runs.map((r) => round(r.samplesPerSecond)),
      peakRssMb: round(median(runs.map((r) => r.peakRssMb))),
      data: fashion ? 'the same IDX files, kept as bytes and converted per batch (as torchvision does)' : 'the same digits repeated, as float32',
    })),
    note:
      (fashion ? 'Real Fashion-MNIST. ' : `Fashion-MNIST was not found in ${o.idxDir}: the bundled digits repeated to ${COUNT.toLocaleString('en-US')}. `) +
      'samples/s: wall clock over the epoch\'s batches, the first excluded; peak RSS: the process\'s maximum resident set, loading and ' +
      'evaluation included. Ours holds the images as float32 (the engine\'s dataset format) plus its scaled copy; PyTorch keeps bytes.',
  };
}
