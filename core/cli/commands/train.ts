import {
  applyTrickAssignments,
  BACKEND_NAMES,
  checkModelSpec,
  dataTrickProblems,
  datasetRefShape,
  importFirstMessage,
  inferModel,
  needsImport,
  LIMITS,
  parsePreset,
  parseTrainingConfig,
  SYNTHETIC_SETS,
  type BackendChoice,
  type DatasetRef,
  type EpochReport,
  type KnownDatasetId,
  type PresetDataset,
  type ModelSpec,
  type TrainingConfig,
  type TrainRequest,
  type TrainSummary,
} from '../../../shared/index.js';
import { startTraining, type TrainerHandle, type TrainerListeners, type TrainerOutcome } from '../../engine/trainer-client.js';
import { resolveThreads, ThreadsError } from '../../engine/threads/settings.js';
import { findKnownDataset } from '../../datasets/known.js';
import { findPreset } from '../../presets/load.js';
import { combineListeners, createRunRecord, RunRecorder, trainerDeath } from '../../runs/recorder.js';
import { trainRequestFor } from '../../runs/trainer-request.js';
import type { CheckpointData, Run, Store } from '../../store/index.js';
import type { RunWarning } from '../../../shared/index.js';
import { parseCommandArgs, parseIntFlag, parseNameFlag, readJsonFile } from '../args.js';
import { UsageError, type CliIO, type Command } from '../io.js';
import { STORE_OPTIONS, STORE_USAGE, withStore } from './runs.js';

const usage = `layerwise train <spec.json | --preset NAME> [--epochs N] [--batch-size N] [--seed N] [--backend auto|tensorflow|webgpu|wasm|cpu] [--threads N] [--dataset mnist|spiral|circles|xor|blobs | --dataset-id N] [--trick ID[.PARAM]=VALUE ...] [--project NAME] [--json] ${STORE_USAGE}`;

/** Runs from the command line are filed under this project unless --project names another. */
export const CLI_PROJECT = 'Command line';

const options = {
  preset: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  dataset: { type: 'string' },
  'dataset-id': { type: 'string' },
  trick: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  project: { type: 'string' },
  ...STORE_OPTIONS,
} as const;

export interface TrainPlan {
  name: string;
  presetId: string | null;
  spec: ModelSpec;
  dataset: DatasetRef;
  config: TrainingConfig;
  backend: BackendChoice;
}

/** Resolves flags into what to train; every problem is a UsageError naming the flag and the value. */
export function planTraining(args: string[]): {
  plan: TrainPlan;
  json: boolean;
  store: { data?: string; wait?: string; project: string };
  /** A dataset registered in the store (`layerwise dataset add`), resolved once the store is open. */
  datasetId?: number;
  /** The public dataset a preset trains on (Fashion-MNIST), found among the imported ones once the store is open. */
  needs?: KnownDatasetId;
} {
  const { values, positionals } = parseCommandArgs(args, options, usage);
  if ((values.preset === undefined) === (positionals.length === 0) || positionals.length > 1) {
    throw new UsageError(`give either a spec file or --preset NAME\nusage: ${usage}`);
  }
  let name: string;
  let presetId: string | null = null;
  let spec: ModelSpec;
  let dataset: DatasetRef | undefined;
  let needs: KnownDatasetId | undefined;
  let training: unknown;
  const presetData = (d: PresetDataset) => {
    if (needsImport(d)) needs = d.known;
    else dataset = d;
  };
  if (values.preset !== undefined) {
    const preset = findPreset(values.preset);
    ({ model: spec, training } = preset);
    presetData(preset.dataset);
    name = preset.id;
    presetId = preset.id;
  } else {
    const file = positionals[0]!;
    const input = readJsonFile(file);
    if (input && typeof input === 'object' && 'model' in input && 'dataset' in input) {
      const preset = parsePreset(input);
      if (!preset.ok) throw new UsageError(`${file}:\n${preset.errors.map((e) => `  ✗ ${e.message}`).join('\n')}`);
      ({ model: spec, training } = preset.value);
      presetData(preset.value.dataset);
      presetId = preset.value.id;
    } else {
      const checked = checkModelSpec(input);
      if (!checked.ok || !checked.spec) throw new UsageError(`${file}:\n${checked.errors.map((e) => `  ✗ ${e.message}`).join('\n')}`);
      spec = checked.spec;
    }
    name = spec.name;
  }
  const datasetId = parseIntFlag('dataset-id', values['dataset-id'], 1, Number.MAX_SAFE_INTEGER);
  if (datasetId !== undefined && values.dataset !== undefined) throw new UsageError('give either --dataset or --dataset-id, not both');
  if (values.dataset !== undefined) dataset = datasetFlag(values.dataset, spec);
  // The user's own choice of data replaces the preset's.
  if (values.dataset !== undefined || datasetId !== undefined) needs = undefined;
  // A stored dataset (--dataset-id, or the one a preset needs) is looked up once the store is open; until then
  // any placeholder will do: trainCommand replaces it or refuses.
  dataset ??= datasetId !== undefined || needs !== undefined ? { kind: 'mnist' } : guessDataset(spec);

  const base = (training ?? { epochs: 10, batchSize: 64, seed: 1, tricks: {} }) as TrainingConfig;
  const overridden = {
    ...base,
    // The config's own limits (shared/tricks/config.ts), as the API checks them.
    epochs: parseIntFlag('epochs', values.epochs, LIMITS.epochs.min, LIMITS.epochs.max) ?? base.epochs,
    batchSize: parseIntFlag('batch-size', values['batch-size'], LIMITS.batchSize.min, LIMITS.batchSize.max) ?? base.batchSize,
    seed: parseIntFlag('seed', values.seed, LIMITS.seed.min, LIMITS.seed.max) ?? base.seed,
  };
  const parsed = parseTrainingConfig(overridden);
  if (!parsed.ok) throw new UsageError(parsed.errors.map((e) => e.message).join('\n'));
  const withTricks = applyTrickAssignments(parsed.value, values.trick ?? []);
  if (!withTricks.ok) throw new UsageError(withTricks.errors.map((e) => `--${e.message}`).join('\n'));

  const backend = (values.backend ?? 'auto') as BackendChoice;
  if (backend !== 'auto' && !BACKEND_NAMES.includes(backend)) {
    throw new UsageError(`--backend must be one of auto, ${BACKEND_NAMES.join(', ')} (got ${JSON.stringify(values.backend)})`);
  }
  // Threads: the flag (checked against this machine and the backend), else the config file's, else one thread
  // (createRunRecord records the count in the run's config).
  const config = values.threads === undefined ? withTricks.value : { ...withTricks.value, threads: threadsFlag(values.threads, backend) };
  return {
    plan: { name, presetId, spec, dataset, config, backend },
    json: values.json ?? false,
    store: { data: values.data, wait: values.wait, project: parseNameFlag('project', values.project) ?? CLI_PROJECT },
    ...(datasetId !== undefined ? { datasetId } : {}),
    ...(needs !== undefined ? { needs } : {}),
  };
}

/** `--threads N` for a run on `backend`, as a UsageError naming the flag when this machine or backend refuses it. */
export function threadsFlag(value: string | undefined, backend: BackendChoice): number | undefined {
  if (value === undefined) return undefined;
  try {
    return resolveThreads({ flag: value, backend }).threads;
  } catch (error) {
    if (error instanceof ThreadsError) throw new UsageError(error.message);
    throw error;
  }
}

/** The classes a synthetic set gets: the model's output units (2 when they are unknowable). */
function outputUnits(spec: ModelSpec): number {
  const out = inferModel(spec).outputShape;
  return out && out.length === 1 ? out[0]! : 2;
}

function datasetFlag(value: string, spec: ModelSpec): DatasetRef {
  if (value === 'mnist') return { kind: 'mnist' };
  if ((SYNTHETIC_SETS as readonly string[]).includes(value)) {
    const name = value as (typeof SYNTHETIC_SETS)[number];
    return { kind: 'synthetic', name, samples: 1500, classes: name === 'xor' ? 2 : Math.max(2, Math.min(10, outputUnits(spec))), noise: 0.05 };
  }
  throw new UsageError(`--dataset must be one of mnist, ${SYNTHETIC_SETS.join(', ')} (got ${JSON.stringify(value)})`);
}

function guessDataset(spec: ModelSpec): DatasetRef {
  const input = spec.layers[0];
  const shape = input?.type === 'input' ? input.shape.join(',') : '';
  if (shape === '28,28,1') return { kind: 'mnist' };
  if (shape === '2') return datasetFlag('spiral', spec);
  throw new UsageError(`cannot tell which data fits an input of shape [${shape}]: pass --dataset`);
}

const fmt = (n: number, digits = 4) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));

function epochLine(report: EpochReport): string {
  const m = report.metrics;
  const ensemble = m.ensembleValAccuracy !== undefined ? `  ens val acc ${fmt(m.ensembleValAccuracy)}` : '';
  return (
    `epoch ${String(report.epoch + 1).padStart(String(report.epochs).length)}/${report.epochs}  loss ${fmt(m.loss)}  acc ${fmt(m.accuracy)}  ` +
    `val loss ${fmt(m.valLoss)}  val acc ${fmt(m.valAccuracy)}${ensemble}  lr ${m.learningRate.toPrecision(3)}  ` +
    `${Math.round(m.samplesPerSecond)} samples/s  ${m.seconds.toFixed(1)} s${report.best ? '  *' : ''}`
  );
}

export function summaryLine(summary: TrainSummary, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    status: summary.status,
    epochs: summary.epochs,
    backend: summary.backend,
    device: summary.device,
    samplesPerSecond: Math.round(summary.samplesPerSecond),
    final: summary.final,
    ...(summary.reason ? { reason: summary.reason } : {}),
    ...extra,
  });
}

/** Trains `request` in a trainer process, printing progress (a bar on a terminal) and every epoch. */
export async function runTraining(
  request: TrainRequest,
  name: string,
  json: boolean,
  io: CliIO,
  listeners: TrainerListeners = {},
  onStart?: (handle: TrainerHandle) => void,
  /** Called after the epoch line is printed (warnings about that epoch). */
  after: TrainerListeners = {},
): Promise<TrainerOutcome> {
  const started = Date.now();
  let lastBar = '';
  const clearBar = () => {
    // Drawn straight on stderr like the bar itself (io escapes carriage returns).
    if (lastBar) process.stderr.write(`\r${' '.repeat(lastBar.length)}\r`);
    lastBar = '';
  };
  const handle = startTraining(
    request,
    combineListeners(listeners, {
      started: (s) => {
        if (!json) io.out(`training ${name} on ${s.backend} (${s.device})${s.fallbackReason ? ` — ${s.fallbackReason}` : ''}`);
      },
      progress: (p) => {
        if (json || !io.isTTY) return;
        const done = (p.epoch * p.batchesPerEpoch + p.batch) / (p.epochs * p.batchesPerEpoch);
        const elapsed = (Date.now() - started) / 1000;
        const eta = done > 0 ? (elapsed / done) * (1 - done) : 0;
        const width = 24;
        const filled = Math.round((p.batch / p.batchesPerEpoch) * width);
        lastBar = `epoch ${p.epoch + 1}/${p.epochs} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] loss ${fmt(p.loss)}  ${Math.round(p.samplesPerSecond)} samples/s  ETA ${Math.ceil(eta)} s`;
        process.stderr.write(`\r${lastBar}`);
      },
      epoch: (report) => {
        if (json) {
          io.out(JSON.stringify({ epoch: report.epoch + 1, epochs: report.epochs, ...report.metrics, best: report.best }));
        } else {
          clearBar();
          io.out(epochLine(report));
        }
      },
    }, after),
  );
  onStart?.(handle);
  // Ctrl-C once: stop after the current batch and report; twice: end the trainer now.
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts === 1) handle.stop();
    else handle.kill();
  };
  process.on('SIGINT', onSigint);
  try {
    return await handle.done;
  } finally {
    process.off('SIGINT', onSigint);
    clearBar();
  }
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'Train a spec or preset in a trainer process, record the run, and report every epoch',
  usage,
  async run(args, io) {
    const { plan, json, store: flags, datasetId, needs } = planTraining(args);
    return withStore('train', flags, io, async (store) => {
      if (datasetId !== undefined) plan.dataset = store!.getDataset(datasetId).source;
      if (needs !== undefined) {
        const found = findKnownDataset(store!, needs);
        if (!found) {
          io.err(`layerwise train: ${importFirstMessage(needs, plan.presetId ?? plan.name)}`);
          return 1;
        }
        plan.dataset = found;
      }
      // An augmentation on data it has no meaning for (a flip of a table row) is refused before a run is recorded.
      const unfit = dataTrickProblems(plan.config, datasetRefShape(plan.dataset));
      if (unfit.length) throw new UsageError(unfit.map((e) => `--trick ${e.message.replace(/^tricks\./, '')}`).join('\n'));
      const project = store!.ensureProject(flags.project);
      const run = createRunRecord(store!, {
        projectId: project.id,
        spec: plan.spec,
        dataset: plan.dataset,
        config: plan.config,
        backend: plan.backend,
        presetId: plan.presetId,
        name: plan.name,
        status: 'running',
      });
      return trainAndRecord(store!, run, null, json, io);
    });
  },
};

/**
 * Trains a stored run (from `checkpoint` when given) as the run queue would, recording it as it goes; prints
 * the outcome (with the run id) and returns the exit code: 0 for a run that completed or was stopped (a run
 * that completed with a warning, such as a runaway loss, prints the warning and its hint on stderr and still
 * exits 0: its numbers exist and are recorded), 1 for one that diverged, failed or was interrupted (its trainer
 * killed, the disk full: one line says why and how to resume).
 */
export async function trainAndRecord(store: Store, run: Run, checkpoint: CheckpointData | null, json: boolean, io: CliIO, threads?: number): Promise<number> {
  const runId = run.id;
  const request = trainRequestFor(store, run, checkpoint);
  // `resume --threads N`: this continuation only (the run's record keeps the count it was started with).
  if (threads !== undefined) request.config = { ...request.config, threads };
  let handle: TrainerHandle | undefined;
  const fresh: RunWarning[] = [];
  const recorder = new RunRecorder(store, runId, {
    // A write the disk refused: end the trainer now (nothing it reports can be kept); `finish` records why.
    writeFailed: () => handle?.kill(),
    warning: (w) => fresh.push(w),
  });
  // A warning found in an epoch is printed right after that epoch's line.
  const printWarnings = () => {
    for (const w of fresh.splice(0)) if (!json) io.err(`warning: ${w.message} (the run keeps training)`);
  };
  const outcome = await runTraining(
    request,
    run.name ?? request.spec.name,
    json,
    io,
    recorder.listeners(),
    (h) => {
      handle = h;
      if (recorder.failed) h.kill();
    },
    { epoch: printWarnings },
  );
  let ended: Run;
  try {
    ended = recorder.finish(outcome);
  } catch (error) {
    // Even the outcome could not be written (the disk is still full): the store keeps it in the folder's lock file
    // and the next command that opens the folder records it.
    const cause = recorder.failed?.cause ?? (outcome.ok ? null : trainerDeath(outcome.error));
    const why = recorder.failed ? `could not ${recorder.failed.what}: ${recorder.failed.message}` : outcome.ok ? `it ${outcome.summary.status}` : outcome.error.message;
    const line = `${why}; recording that failed too (${error instanceof Error ? error.message : String(error)}): the next command that opens this data folder records it`;
    if (json) io.out(JSON.stringify({ status: 'interrupted', runId, cause, error: line }));
    else io.err(`training interrupted (run ${runId}${cause ? `, ${cause}` : ''}): ${line} (\`layerwise resume ${runId}\` once there is space)`);
    return 1;
  }
  if (ended.status === 'interrupted' || ended.status === 'failed') {
    const next =
      ended.status === 'interrupted'
        ? ` (\`layerwise resume ${runId}\`)`
        : forkHint(store, runId);
    if (json) io.out(JSON.stringify({ status: ended.status, runId, cause: ended.statusCause ?? null, error: ended.error }));
    else io.err(`${ended.status === 'failed' ? 'training failed' : 'training interrupted'} (run ${runId}${ended.statusCause ? `, ${ended.statusCause}` : ''}): ${ended.error ?? ''}${next}`);
    return 1;
  }
  if (!outcome.ok) return 1;
  const { summary } = outcome;
  const warnings = ended.warnings ?? [];
  if (json) {
    io.out(summaryLine(summary, { runId, ...(warnings.length ? { warnings: warnings.map((w) => ({ kind: w.kind, message: w.message, hint: w.hint })) } : {}) }));
  } else {
    const f = summary.final;
    io.out(
      f
        ? `${summary.status}: test accuracy ${fmt(f.testAccuracy)}, val accuracy ${fmt(f.valAccuracy)} (${summary.weights} weights) after ${summary.epochs} epochs — run ${runId}`
        : `${summary.status} (run ${runId}): ${summary.reason ?? ''}`,
    );
    for (const w of warnings) io.err(`warning (run ${runId}): ${w.message}. ${w.hint}`);
  }
  return summary.status === 'diverged' ? 1 : 0;
}

/** `layerwise fork …` for a run that cannot continue itself, when one of its checkpoints verifies. */
export function forkHint(store: Store, runId: number): string {
  const check = store.checkResume(runId);
  return !check.ok && check.forkFrom ? ` — \`layerwise fork ${runId} --checkpoint ${check.forkFrom.id}\` starts a new run from its epoch ${check.forkFrom.epoch + 1}` : '';
}
