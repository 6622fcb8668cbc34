// The bench's pure parts: the report's shape, the median, ratios against PyTorch, achieved and peak GFLOP/s,
// the parsing of bench/store.ts's output and the human tables. No tfjs, no child processes: tests import it.
import type { BenchModel } from './models.js';
import { formatSections, markdownSections } from './report-sections.js';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  tfjs: string;
  torch: string | null;
  /** The BLAS library PyTorch's dense layers use (Debian's torch takes whichever libblas.so.3 it finds). */
  torchBlas: string | null;
  /** torch.__config__.show()'s BLAS_INFO. */
  torchBlasConfig?: string | null;
  /** True when PyTorch ran on the reference BLAS: no ratio against it is printed. */
  ratiosRefused?: boolean;
  /** The widest x86 vector extension the CPU reports (these machines vary between AVX2 and AVX-512). */
  vectorIsa?: string;
  /** torch.set_num_threads of each PyTorch run set (each has its ratios). */
  torchThreads: number[];
  /** The 1-minute load average when the bench started and when it ended: above the core count, figures are unreliable. */
  loadAverage: number[];
  /** fp32 peak of all cores, GFLOP/s, and how it was computed. */
  peakGflops: number | null;
  peakBasis: string;
  /** Why PyTorch was not run, or a warning about how it ran. */
  torchNote?: string;
}

export interface ResultRow {
  backend: string;
  device: string;
  model: BenchModel;
  batchSize: number;
  /** Training digits per timed epoch (8,000 unless the backend is timed on fewer; see note). */
  samples: number;
  /** Wall clock over the epoch's batches (first batch excluded), median of the timed runs. */
  samplesPerSecond: number;
  /** The engine's own figure (time inside its training steps), median of the timed runs. */
  engineSamplesPerSecond: number;
  /** Over the process's CPU time instead of wall clock (less disturbed by other load), median of the runs. */
  cpuSamplesPerSecond?: number;
  /** batchSize / samplesPerSecond: the time of one full batch. */
  msPerStep: number;
  peakRssMb: number;
  flopsPerSample: number;
  gflops: number;
  runs: number[];
  note?: string;
}

export interface PytorchRow {
  model: BenchModel;
  batchSize: number;
  /** torch.set_num_threads. */
  threads: number;
  samples: number;
  samplesPerSecond: number;
  /** Over the Python process's CPU time (all its threads), median of the runs. */
  cpuSamplesPerSecond?: number;
  msPerStep: number;
  peakRssMb: number;
  gflops: number;
  runs: number[];
}

export interface RatioRow {
  model: BenchModel;
  batchSize: number;
  backend: string;
  /** ours / PyTorch, samples per second. */
  vsPytorch: number;
  /** The same on CPU-time rates (1 PyTorch thread only: a 2-thread process's CPU time counts both threads). */
  vsPytorchCpu?: number;
  /** The PyTorch run set it compares with (torch.set_num_threads). */
  torchThreads?: number;
}

export interface OverheadReport {
  model: BenchModel;
  backend: string;
  batchSize: number;
  epochs: number;
  trainerEntry: string;
  /** CPU time (user + system) per epoch of the headless process and of the trainer process, median of runs; null without /proc. */
  headlessCpuMsPerEpoch: number | null;
  trainerCpuMsPerEpoch: number | null;
  /** (trainer / headless − 1) × 100 on CPU time per epoch (less disturbed by other load than wall time). */
  cpuOverheadPercent: number | null;
  /** The fastest epoch (epoch report to epoch report: training + evaluation + what the path adds) of each path, ms. */
  headlessEpochMs: number;
  trainerEpochMs: number;
  /** (trainer / headless − 1) × 100 on the fastest epochs (other load on the machine only adds time). */
  overheadPercent: number;
  headlessMedianEpochMs: number;
  trainerMedianEpochMs: number;
  /** The same on the medians. */
  medianOverheadPercent: number;
  /** The same on the engine's own samples/s (time inside training steps only), best epochs. */
  stepOverheadPercent: number;
  /** forkTrainer() → first progress message in the parent, median. */
  firstBatchMs: number;
  /** forkTrainer() → 'started' (backend up) in the parent, median. */
  startedMs: number;
  /** A headless process: process start → first batch done (for comparison), median. */
  headlessFirstBatchMs: number;
  /** First batch through the built trainer (out/main/trainer.js) when a build exists. */
  builtFirstBatchMs: number | null;
  progressMessagesPerEpoch: number;
  /** Every timed epoch interval, ms (headless, then trainer). */
  headlessRuns: number[];
  trainerRuns: number[];
  note: string;
}

export interface StoreReport {
  insertPoints: number;
  insertSeconds: number;
  pointsPerSecond: number;
  compareRuns: number;
  comparePointsPerRun: number;
  compareLoadMs: number;
  compareFirstLoadMs: number;
  databaseMb: number;
}

/** One row of the trick-cost table: epoch time with the trick ÷ without it, ours and PyTorch's. */
export interface TrickRow {
  trick: string;
  label: string;
  /** Our epoch time (median over runs, ms) and every run's. */
  oursMs: number;
  oursRuns: number[];
  /** oursMs ÷ the plain row's oursMs. */
  oursRatio: number;
  /** The same in CPU time (less disturbed by other load). */
  oursCpuMs?: number;
  oursCpuRatio?: number;
  torch: Array<{ threads: number; ms: number; runs: number[]; ratio: number; cpuMs?: number; cpuRatio?: number }>;
}

export interface TrickReport {
  preset: string;
  backend: string;
  device: string;
  batchSize: number;
  samples: number;
  evalRows: number;
  rows: TrickRow[];
  note: string;
}

export interface RealSizeReport {
  data: string;
  model: BenchModel;
  batchSize: number;
  samples: number;
  backend: string;
  device: string;
  ours: { samplesPerSecond: number; cpuSamplesPerSecond?: number; runs: number[]; peakRssMb: number; peakRssRuns: number[] };
  torch: Array<{ threads: number; samplesPerSecond: number; cpuSamplesPerSecond?: number; runs: number[]; peakRssMb: number; data: string }>;
  note: string;
}

export interface BenchReport {
  date: string;
  machine: MachineInfo;
  settings: { repeats: number; warmup: boolean; backends: string[]; models: BenchModel[]; batchSizes: number[]; samples: number; slowSamples: number };
  results: ResultRow[];
  ratios: RatioRow[];
  pytorch: PytorchRow[];
  tricks: TrickReport | null;
  realSize: RealSizeReport | null;
  overhead: OverheadReport | null;
  store: StoreReport | null;
  skipped: string[];
  notes: string[];
  elapsedSeconds: number;
}

export function median(xs: readonly number[]): number {
  if (!xs.length) throw new Error('median of no values');
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const round = (x: number, digits = 1) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** ours / PyTorch for every result that has a PyTorch row of the same model and batch size (and `threads`, if given). */
export function ratios(results: readonly ResultRow[], pytorch: readonly PytorchRow[], threads?: number): RatioRow[] {
  const out: RatioRow[] = [];
  for (const r of results) {
    const p = pytorch.find((q) => q.model === r.model && q.batchSize === r.batchSize && (threads === undefined || q.threads === threads));
    if (!p || !(p.samplesPerSecond > 0)) continue;
    const cpu = p.threads === 1 && r.cpuSamplesPerSecond && p.cpuSamplesPerSecond ? { vsPytorchCpu: round(r.cpuSamplesPerSecond / p.cpuSamplesPerSecond, 3) } : {};
    out.push({ model: r.model, batchSize: r.batchSize, backend: r.backend, vsPytorch: round(r.samplesPerSecond / p.samplesPerSecond, 3), ...cpu });
  }
  return out;
}

export function gflops(samplesPerSecond: number, flopsPerSample: number): number {
  return round((samplesPerSecond * flopsPerSample) / 1e9, 2);
}

/**
 * The fp32 peak of `cores` cores from /proc/cpuinfo's flags and clock: FLOPs per cycle per core of two FMA pipes of
 * the widest vector unit (AVX-512: 64, AVX2+FMA: 32, AVX: 16, SSE: 8). The clock is the one the kernel reports
 * (boost clocks can be higher), so the peak is approximate.
 */
export function peakFromCpuinfo(cpuinfo: string, cores: number): { gflops: number | null; basis: string } {
  const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? '').split(/\s+/));
  const mhz = Number(/^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo)?.[1]);
  if (!flags.size || !(mhz > 0)) return { gflops: null, basis: 'unknown (no /proc/cpuinfo flags or clock)' };
  const [perCycle, isa] = flags.has('avx512f')
    ? [64, 'AVX-512, 2 FMA pipes']
    : flags.has('avx2') && flags.has('fma')
      ? [32, 'AVX2, 2×256-bit FMA pipes']
      : flags.has('avx')
        ? [16, 'AVX, no FMA']
        : [8, 'SSE'];
  const ghz = mhz / 1000;
  return {
    gflops: round(cores * ghz * perCycle, 1),
    basis:
      `${cores} cores × ${ghz.toFixed(2)} GHz × ${perCycle} fp32 FLOP/cycle (${isa}); a single-threaded WebAssembly SIMD kernel (128-bit) ` +
      `can reach at most 1 core × 8 = ${round(ghz * 8, 1)} GFLOP/s with separate multiply and add, × 16 = ${round(ghz * 16, 1)} with relaxed-SIMD FMA`,
  };
}

/** Reads the figures out of `bench/store.ts`'s printed lines. */
export function parseStoreOutput(text: string): StoreReport {
  const num = (s: string) => Number(s.replace(/,/g, ''));
  const insert = /insert ([\d,]+) metric points in [\d,]+ batches: ([\d.]+) s \(([\d,]+) points\/s/.exec(text);
  const load = /load curves of (\d+) runs x ([\d,]+) points .*?first ([\d.]+) ms, median of \d+ ([\d.]+) ms/.exec(text);
  const db = /database ([\d.]+) MB/.exec(text);
  if (!insert || !load || !db) throw new Error(`bench/store.ts printed something unexpected:\n${text}`);
  return {
    insertPoints: num(insert[1]!),
    insertSeconds: Number(insert[2]),
    pointsPerSecond: num(insert[3]!),
    compareRuns: Number(load[1]),
    comparePointsPerRun: num(load[2]!),
    compareFirstLoadMs: Number(load[3]),
    compareLoadMs: Number(load[4]),
    databaseMb: Number(db[1]),
  };
}

function table(head: string[], rows: Array<Array<string | number>>): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;

/** The human-readable summary (what goes to stderr with --json, to stdout without). */
export function formatReport(r: BenchReport): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`Layerwise bench ${r.date}: ${m.cpus} × ${m.cpuModel}${m.vectorIsa ? ` (${m.vectorIsa})` : ''}, Node ${m.node}, tfjs ${m.tfjs}, PyTorch ${m.torch ? `${m.torch} on ${m.torchBlas}${m.torchBlasConfig ? ` (${m.torchBlasConfig})` : ''}` : 'not run'}`);
  if (m.ratiosRefused) out.push('ratios against PyTorch refused: it ran on the reference BLAS (see the note below)');
  out.push(
    `runs: median of ${r.settings.repeats}${r.settings.warmup ? ' after a warm-up' : ' (no warm-up)'}; load average ${m.loadAverage.join(' → ')} on ${m.cpus} CPUs` +
      (Math.max(...m.loadAverage) > m.cpus ? ' (other processes competed for the CPUs: figures are noisy, PyTorch\'s threads especially)' : ''),
  );
  if (m.peakGflops !== null) out.push(`peak: ${m.peakGflops} GFLOP/s fp32 (${m.peakBasis})`);
  out.push('');
  const threads = r.pytorch.length ? r.machine.torchThreads : [];
  const ratioOf = (x: ResultRow, t: number) =>
    r.ratios.find((v) => v.backend === x.backend && v.model === x.model && v.batchSize === x.batchSize && (v.torchThreads ?? t) === t);
  const ratioCells = (x: ResultRow) =>
    threads.flatMap((t) => {
      const q = ratioOf(x, t);
      const wall = q ? `${q.vsPytorch.toFixed(3)}×` : refused(x) ? 'refused' : '—';
      if (t !== 1) return [wall];
      return [wall, q?.vsPytorchCpu !== undefined ? `${q.vsPytorchCpu.toFixed(3)}×` : refused(x) ? 'refused' : '—'];
    });
  const refused = (_x: ResultRow) => m.ratiosRefused === true && r.pytorch.length > 0;
  out.push(
    table(
      ['backend', 'model', 'batch', 'samples', 'samples/s', 'CPU-time samples/s', 'ms/step', 'GFLOP/s', ...threads.flatMap((t) => (t === 1 ? ['vs PyTorch 1 thr.', 'vs 1 thr., CPU time'] : [`vs PyTorch ${t} thr.`])), 'peak RSS MB'],
      r.results.map((x) => [x.backend, x.model, x.batchSize, x.samples, fmt(x.samplesPerSecond), x.cpuSamplesPerSecond ? fmt(x.cpuSamplesPerSecond) : '—', x.msPerStep.toFixed(1), x.gflops.toFixed(2), ...ratioCells(x), fmt(x.peakRssMb)]),
    ),
  );
  if (r.pytorch.length) {
    out.push('');
    out.push(
      table(
        ['PyTorch', 'threads', 'model', 'batch', 'samples', 'samples/s', 'CPU-time samples/s', 'ms/step', 'GFLOP/s', 'peak RSS MB'],
        r.pytorch.map((p) => [`torch ${m.torch}`, p.threads, p.model, p.batchSize, p.samples, fmt(p.samplesPerSecond), p.cpuSamplesPerSecond ? fmt(p.cpuSamplesPerSecond) : '—', p.msPerStep.toFixed(2), p.gflops.toFixed(2), fmt(p.peakRssMb)]),
      ),
    );
  }
  if (m.torchNote) out.push('', m.torchNote);
  out.push(...formatSections(r));
  if (r.overhead) {
    const o = r.overhead;
    out.push('');
    out.push(
      `studio overhead (${o.model} on ${o.backend}, batch ${o.batchSize}, epoch to epoch): ` +
        (o.cpuOverheadPercent !== null ? `CPU time per epoch headless ${fmt(o.headlessCpuMsPerEpoch!)} ms, trainer ${fmt(o.trainerCpuMsPerEpoch!)} ms → ${pct(o.cpuOverheadPercent)} (target ≤ 3%); ` : '') +
        `wall: fastest epoch headless ${fmt(o.headlessEpochMs)} ms, ` +
        `trainer process ${fmt(o.trainerEpochMs)} ms → ${pct(o.overheadPercent)}; medians ${fmt(o.headlessMedianEpochMs)} / ${fmt(o.trainerMedianEpochMs)} ms → ${pct(o.medianOverheadPercent)}; ` +
        `inside training steps ${pct(o.stepOverheadPercent)} (epochs: headless ${o.headlessRuns.map(fmt).join(', ')}; trainer ${o.trainerRuns.map(fmt).join(', ')} ms)`,
    );
    out.push(
      `trainer start → first batch ${fmt(o.firstBatchMs)} ms (→ started ${fmt(o.startedMs)} ms); headless process start → first batch ${fmt(o.headlessFirstBatchMs)} ms` +
        (o.builtFirstBatchMs !== null ? `; built trainer (out/main/trainer.js) → first batch ${fmt(o.builtFirstBatchMs)} ms` : ''),
    );
  }
  if (r.store) {
    const s = r.store;
    out.push('');
    out.push(
      `store: ${fmt(s.insertPoints)} metric points inserted in ${s.insertSeconds.toFixed(2)} s (${fmt(s.pointsPerSecond)} points/s); ` +
        `compare view ${s.compareRuns} runs × ${fmt(s.comparePointsPerRun)} points: ${s.compareLoadMs.toFixed(1)} ms (median; first ${s.compareFirstLoadMs.toFixed(1)} ms)`,
    );
  }
  for (const s of r.skipped) out.push(`skipped: ${s}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  out.push(`(${r.elapsedSeconds.toFixed(0)} s)`);
  return out.join('\n');
}

const md = (head: string[], rows: Array<Array<string | number>>) =>
  [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** The report's tables as Markdown (for docs/PERFORMANCE.md): `node --import … bench/markdown.ts report.json`. */
export function formatMarkdown(r: BenchReport): string {
  const out: string[] = [];
  const threads = r.pytorch.length ? r.machine.torchThreads : [];
  const torchBy = (x: ResultRow, t: number) => r.pytorch.find((p) => p.model === x.model && p.batchSize === x.batchSize && (p.threads ?? t) === t);
  out.push(
    md(
      [
        'backend', 'model', 'batch', 'digits timed', 'samples/s', 'CPU-time samples/s', 'ms/step', 'GFLOP/s',
        ...threads.flatMap((t) => (t === 1 ? ['ours / PyTorch 1 thr.', 'same, CPU time'] : [`ours / PyTorch ${t} thr.`])),
        'peak RSS MB', 'runs (samples/s)',
      ],
      r.results.map((x) => {
        const ratio = (t: number) => {
          const p = torchBy(x, t);
          if (p && r.machine.ratiosRefused) return t === 1 ? ['refused', 'refused'] : ['refused'];
          const wall = p ? `${(x.samplesPerSecond / p.samplesPerSecond).toFixed(3)}×` : '—';
          if (t !== 1) return [wall];
          return [wall, p?.cpuSamplesPerSecond && x.cpuSamplesPerSecond ? `${(x.cpuSamplesPerSecond / p.cpuSamplesPerSecond).toFixed(3)}×` : '—'];
        };
        const cpu = x.cpuSamplesPerSecond ? fmt(x.cpuSamplesPerSecond) : '—';
        return [x.backend, x.model, x.batchSize, fmt(x.samples), fmt(x.samplesPerSecond), cpu, x.msPerStep.toFixed(1), x.gflops.toFixed(2), ...threads.flatMap(ratio), fmt(x.peakRssMb), x.runs.map(fmt).join(', ')];
      }),
    ),
  );
  if (r.pytorch.length) {
    out.push('');
    out.push(
      md(
        ['PyTorch', 'threads', 'model', 'batch', 'samples/s', 'CPU-time samples/s', 'ms/step', 'GFLOP/s', 'peak RSS MB', 'runs (samples/s)'],
        r.pytorch.map((p) => [`${r.machine.torch}`, p.threads, p.model, p.batchSize, fmt(p.samplesPerSecond), p.cpuSamplesPerSecond ? fmt(p.cpuSamplesPerSecond) : '—', p.msPerStep.toFixed(2), p.gflops.toFixed(2), fmt(p.peakRssMb), p.runs.map(fmt).join(', ')]),
      ),
    );
  }
  out.push(...markdownSections(r));
  return out.join('\n');
}
