// The trick-cost table: what each trick costs per epoch, ours against PyTorch's same ratio. The base is the mnist-cnn
// preset (conv 8 → pool → conv 16 → pool → dense 64 → dense 10) trained 2 epochs on the first `samples` digits at
// batch 256; the second epoch is timed: every member's steps, the validation pass, the trick's epoch-end work (weight
// averaging). Each trick with its default parameters, as the studio's toggle applies it (expandSpec), and the same
// model, loss and trick in PyTorch (pytorch_bench.py --epoch-time). Ours and PyTorch alternate, run by run.
import type { BackendName } from '../core/engine/backends/index.js';
import { benchConfig } from './models.js';
import { median, round, type TrickReport, type TrickRow } from './report.js';
import { runWorker } from './children.js';
import { runPytorchEpochs } from './torch.js';
import type { EpochsResult } from './worker.js';

export const TRICK_PRESET = 'mnist-cnn';

interface TrickCase {
  trick: string;
  label: string;
  /** The config's tricks (merged into benchConfig's; parameters at their defaults unless given). */
  tricks: Record<string, Record<string, unknown>>;
  /** pytorch_bench.py flags for the same trick, from the parsed (defaulted) parameters. */
  torch: (p: Record<string, number>) => string[];
}

export const TRICK_CASES: TrickCase[] = [
  { trick: 'none', label: 'none (plain mnist-cnn)', tricks: {}, torch: () => [] },
  { trick: 'batchNorm', label: 'batch norm', tricks: { batchNorm: {} }, torch: () => ['--bn'] },
  { trick: 'dropout', label: 'dropout', tricks: { dropout: {} }, torch: (p) => ['--dropout', String(p.rate)] },
  { trick: 'l2', label: 'L2 penalty', tricks: { l2: {} }, torch: (p) => ['--l2', String(p.lambda)] },
  { trick: 'clipNorm', label: 'clipping by global norm', tricks: { clipNorm: {} }, torch: (p) => ['--clip-norm', String(p.maxNorm)] },
  { trick: 'weightAveraging', label: 'weight averaging (SWA)', tricks: { weightAveraging: { lastEpochs: 2 } }, torch: () => ['--swa'] },
  { trick: 'ensemble', label: 'ensemble of 2', tricks: { ensemble: { members: 2 } }, torch: (p) => ['--members', String(p.members)] },
];

const EPOCHS = 2;
const EVAL_ROWS = 256;
const BATCH = 256;

export async function measureTricks(o: {
  backend: BackendName;
  samples: number;
  repeats: number;
  torchThreads: number[];
  torchPrefix: string | null;
  torchEnv: NodeJS.ProcessEnv;
  progress: (line: string) => void;
}): Promise<TrickReport> {
  const ours = new Map<string, number[]>();
  const oursCpu = new Map<string, number[]>();
  const theirs = new Map<string, number[]>();
  const theirsCpu = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, k: string, v: number) => m.set(k, [...(m.get(k) ?? []), v]);
  let device = '';
  for (let rep = 0; rep < o.repeats; rep++) {
    for (const c of TRICK_CASES) {
      const r = await runWorker<EpochsResult>({ mode: 'epochs', backend: o.backend, preset: TRICK_PRESET, tricks: c.tricks, batchSize: BATCH, samples: o.samples, evalRows: EVAL_ROWS, epochs: EPOCHS });
      device = r.device;
      push(ours, c.trick, r.epochMs.at(-1)!);
      push(oursCpu, c.trick, r.epochCpuMs.at(-1)!);
      let line = `tricks ${rep + 1}/${o.repeats} ${c.trick}: ours ${r.epochMs.at(-1)!.toFixed(0)} ms/epoch`;
      if (o.torchPrefix) {
        const params = benchConfig(BATCH, EPOCHS, c.tricks).tricks[c.trick as never] as Record<string, number> | undefined;
        for (const threads of o.torchThreads) {
          const t = runPytorchEpochs(o.torchEnv, { prefix: o.torchPrefix, flags: c.torch(params ?? {}), samples: o.samples, evalRows: EVAL_ROWS, batchSize: BATCH, epochs: EPOCHS, threads });
          const key = `${c.trick}/${threads}`;
          push(theirs, key, t.epochMs.at(-1)!);
          push(theirsCpu, key, t.epochCpuMs.at(-1)!);
          line += `, PyTorch ${threads} thr. ${t.epochMs.at(-1)!.toFixed(0)} ms`;
        }
      }
      o.progress(line);
    }
  }
  const plainOurs = median(ours.get('none')!);
  const plainOursCpu = median(oursCpu.get('none')!);
  const rows: TrickRow[] = TRICK_CASES.map((c) => {
    const oursMs = median(ours.get(c.trick)!);
    return {
      trick: c.trick,
      label: c.label,
      oursMs: round(oursMs),
      oursRuns: ours.get(c.trick)!.map((x) => round(x)),
      oursRatio: round(oursMs / plainOurs, 3),
      oursCpuMs: round(median(oursCpu.get(c.trick)!)),
      oursCpuRatio: round(median(oursCpu.get(c.trick)!) / plainOursCpu, 3),
      torch: o.torchPrefix
        ? o.torchThreads.map((threads) => {
            const runs = theirs.get(`${c.trick}/${threads}`)!;
            const cpu = theirsCpu.get(`${c.trick}/${threads}`)!;
            return {
              threads,
              ms: round(median(runs)),
              runs: runs.map((x) => round(x)),
              ratio: round(median(runs) / median(theirs.get(`none/${threads}`)!), 3),
              cpuMs: round(median(cpu)),
              cpuRatio: round(median(cpu) / median(theirsCpu.get(`none/${threads}`)!), 3),
            };
          })
        : [],
    };
  });
  return {
    preset: TRICK_PRESET,
    backend: o.backend,
    device,
    batchSize: BATCH,
    samples: o.samples,
    evalRows: EVAL_ROWS,
    rows,
    note:
      `Epoch ${EPOCHS} of ${EPOCHS} timed (epoch 1 warms up), each run a fresh process: all members' training steps, the validation pass, ` +
      'the epoch-end work (weight averaging). Our epochs also compute the per-layer statistics of the run view on 256 probe rows ' +
      '(the same in every row). Defaults: dropout p 0.5 after the hidden dense layer, L2 λ 1e-4 on every kernel, clipping θ 1, ' +
      'batch norm after each hidden conv/dense before its ReLU (momentum 0.99, ε 1e-3).',
  };
}
