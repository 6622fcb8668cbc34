// `layerwise runs`: the runs recorded in the store. Also home of the helpers every store command uses
// (--data, --wait, opening the store and reporting its errors), which `train` and `resume` share.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDataDir } from '../../data-dir.js';
import type { RunSweepMark } from '../../../shared/index.js';
import { DB_FILE, isDiskError, isStoreError, Store, StoreError, type FinalMetrics, type RunListItem } from '../../store/index.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type CliIO, type Command } from '../io.js';
import { formatCount, renderTable } from '../table.js';

/** The options every store command takes. */
export const STORE_OPTIONS = {
  data: { type: 'string' },
  wait: { type: 'string' },
} as const;

export const STORE_USAGE = '[--data DIR] [--wait SECONDS]';

/** How long a command waits for the app (or another command) to let go of the data folder. */
export const DEFAULT_LOCK_WAIT_S = 5;

export interface StoreFlags {
  data?: string | undefined;
  wait?: string | undefined;
}

/**
 * Opens the store named by --data / LAYERWISE_DATA / the default folder, runs `fn`, closes it. With
 * `existing`, a folder without a database is not created: `fn` gets null. With `readOnly` (commands that only
 * read), a folder held by another process (the studio, a training CLI) or on a disk too full to take the lock
 * is read beside it, without the lock and without writing. A StoreError (locked folder, missing run, bad
 * bundle, full disk) is printed as `layerwise <command>: <Code>: <message>` and exits 1.
 */
export async function withStore(
  command: string,
  flags: StoreFlags,
  io: CliIO,
  fn: (store: Store | null) => number | Promise<number>,
  options: { existing?: boolean; readOnly?: boolean } = {},
): Promise<number> {
  const dataDir = resolveDataDir({ flag: flags.data });
  const waitS = flags.wait === undefined ? DEFAULT_LOCK_WAIT_S : Number(flags.wait);
  if (!Number.isFinite(waitS) || waitS < 0 || waitS > 3600) {
    throw new UsageError(`--wait must be a number of seconds in [0, 3600] (got ${JSON.stringify(flags.wait)})`);
  }
  if (options.existing && !existsSync(join(dataDir, DB_FILE))) {
    try {
      return await fn(null);
    } catch (error) {
      return reportStoreError(command, error, io);
    }
  }
  let store: Store;
  try {
    // A reader does not wait for a holder: it reads beside it.
    store = Store.open(dataDir, { owner: `cli ${command}`, lockWaitMs: options.readOnly ? 0 : waitS * 1000 });
  } catch (error) {
    const besideHolder = isStoreError(error, 'DataDirLocked');
    if (!options.readOnly || !(besideHolder || isDiskError(error))) return reportStoreError(command, error, io);
    try {
      store = Store.openReadOnly(dataDir);
    } catch (readError) {
      return reportStoreError(command, besideHolder && isStoreError(readError, 'DataDirLocked') ? error : readError, io);
    }
    if (!besideHolder) io.err(`layerwise ${command}: ${(error as StoreError).message}; reading only`);
  }
  try {
    const { movedAside, interruptedRuns, salvage, walDamage } = store.report;
    if (movedAside) io.err(`layerwise: the database was damaged (${movedAside.reason}); it was moved to ${movedAside.path} and a new one started`);
    if (salvage) {
      const counts = Object.entries(salvage.recovered).filter(([, n]) => n > 0).map(([t, n]) => `${n} ${t.replace('_', ' ')}`);
      io.err(`layerwise: recovered from it: ${counts.length ? counts.join(', ') : 'nothing'}${salvage.lost.length ? `; not recovered: ${salvage.lost.join('; ')}` : '; nothing was lost'}`);
    }
    if (walDamage) {
      io.err(
        `layerwise: the database's write-ahead log was damaged at frame ${walDamage.firstBadFrame} of ${walDamage.frames}: ${walDamage.commitsLost} committed transaction${walDamage.commitsLost === 1 ? '' : 's'} after it could not be replayed (a copy is kept at ${walDamage.copy}); lost: ${walDamage.lost.join('; ')}`,
      );
    }
    if (interruptedRuns.length) {
      io.err(`layerwise: run${interruptedRuns.length === 1 ? '' : 's'} ${interruptedRuns.join(', ')} stopped without finishing and are now interrupted (layerwise resume <runId> continues one)`);
    }
    return await fn(store);
  } catch (error) {
    return reportStoreError(command, error, io);
  } finally {
    store.close();
  }
}

function reportStoreError(command: string, error: unknown, io: CliIO): number {
  if (!(error instanceof StoreError)) throw error;
  io.err(`layerwise ${command}: ${error.code}: ${error.message}`);
  return 1;
}

export function parseId(text: string | undefined, noun: string, usage: string): number {
  if (text === undefined) throw new UsageError(`give a ${noun} id\nusage: ${usage}`);
  const id = Number(text);
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(id)) throw new UsageError(`${noun} id must be a positive integer (got ${JSON.stringify(text)})`);
  return id;
}

/** `1 run`, `3 runs`, `12,345 metric points`. */
export function plural(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}

export function formatMetrics(metrics: FinalMetrics | null): string {
  if (!metrics) return '';
  return Object.entries(metrics)
    .map(([name, value]) => `${name} ${value === null ? 'NaN' : formatNumber(value)}`)
    .join('  ');
}

export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? value.toExponential(3) : value.toPrecision(4);
}

/** `2025-01-02 13:04` in UTC: short and the same on every machine. */
export function formatTime(isoTime: string | null): string {
  return isoTime === null ? '' : `${isoTime.slice(0, 10)} ${isoTime.slice(11, 16)}`;
}

export function runJson(run: RunListItem) {
  return {
    id: run.id,
    projectId: run.projectId,
    status: run.status,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    model: run.modelName,
    modelVersionId: run.modelVersionId,
    preset: run.presetId,
    dataset: run.datasetName,
    name: run.name,
    backend: run.backend,
    device: run.device,
    seed: run.seed,
    epochs: run.config.epochs,
    finalMetrics: run.finalMetrics,
    error: run.error,
    statusCause: run.statusCause ?? null,
    warnings: run.warnings ?? [],
  };
}

/** `completed`, `interrupted (disk_full)`, `completed, 1 warning`: the status as a list shows it. */
export function statusText(run: Pick<RunListItem, 'status' | 'statusCause' | 'warnings'>): string {
  const warnings = run.warnings?.length ?? 0;
  return `${run.status}${run.statusCause ? ` (${run.statusCause})` : ''}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`;
}

const usage = `layerwise runs [--json] [--project ID] ${STORE_USAGE}`;

export const runsCommand: Command = {
  name: 'runs',
  summary: 'List the recorded runs: status, model, when, final metrics',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { ...STORE_OPTIONS, json: { type: 'boolean' }, project: { type: 'string' } }, usage);
    if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\nusage: ${usage}`);
    const projectId = values.project === undefined ? undefined : parseId(values.project, 'project', usage);
    return withStore(
      'runs',
      values,
      io,
      (store) => {
        const runs = store ? store.listRuns(projectId === undefined ? {} : { projectId }) : [];
        // A sweep's trial says so beside its run: a run ASHA stopped at a rung reads `stopped (pruned)`.
        const marks = store ? store.sweeps.marks(projectId) : new Map<number, RunSweepMark>();
        if (values.json) {
          io.out(JSON.stringify(runs.map((r) => ({ ...runJson(r), sweep: marks.get(r.id) ?? null })), null, 2));
          return 0;
        }
        if (runs.length === 0) {
          io.out('No runs recorded yet. `layerwise train --preset NAME` records one.');
          return 0;
        }
        const rows = runs.map((run) => [
          String(run.id),
          marks.get(run.id)?.state === 'pruned' ? `${run.status} (pruned)` : statusText(run),
          run.presetId ?? run.modelName,
          run.backend,
          formatTime(run.createdAt),
          formatMetrics(run.finalMetrics),
        ]);
        io.out(renderTable(['run', 'status', 'model', 'backend', 'created (UTC)', 'final metrics'], rows, new Set([0])));
        return 0;
      },
      { existing: true, readOnly: true },
    );
  },
};
