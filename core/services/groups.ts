// Runs made from other runs: a fork from a checkpoint ("resume from here"), a one-click ablation (one sibling
// per trick, each differing from the base in exactly that trick) and "repeat with N seeds". Every new run is
// a real queued run of the base's model version and dataset records; the runs and the comparison that groups
// them are written in one transaction, then queued (the queue pushes onRunStatus and onQueueChanged).
import { ApiError, type Comparison, type RunGroupResult } from '../../shared/api/contract.js';
import { planAblation, planSeeds, type AblationArm } from '../../shared/analysis/index.js';
import type { SpecError, TrainingConfig } from '../../shared/index.js';
import type { RunQueue } from '../runs/queue.js';
import { StoreError, type Run, type Store } from '../store/index.js';
import { runDto } from '../runs/dto.js';

/** Runs a comparison holds at most (comparisons.update and metrics.curves take at most 100 ids). */
export const MAX_GROUP_RUNS = 100;
import { withThreadCount } from '../runs/threads.js';

export interface GroupContext {
  store: Store;
  queue: RunQueue;
}

/** An error naming the field: `runs.ablate: tricks[1] is not a known trick … (got "foo")`; `message` starts with a verb or `:`. */
export function fieldError(method: string, path: string, message: string, code: 'invalid_input' | 'not_found' = 'invalid_input'): ApiError {
  const error: SpecError = { path, message: `${path}${message.startsWith(':') ? '' : ' '}${message}` };
  return new ApiError(code, `${method}: ${error.message}`, { method, errors: [error] });
}

/** The run named by an input field, or not_found naming the field. */
export function runOr404(store: Store, method: string, field: string, id: number): Run {
  try {
    return store.getRun(id);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'RunNotFound') throw fieldError(method, field, `is not a run (run ${id} does not exist)`, 'not_found');
    throw error;
  }
}

/** A run's display name in generated names. */
export function runLabel(run: Run): string {
  return run.name ?? `run ${run.id}`;
}

/** Names are at most 200 characters (the store's limit). */
export function clip(name: string, max = 200): string {
  return name.length <= max ? name : `${name.slice(0, max - 1)}…`;
}

interface Sibling {
  config: TrainingConfig;
  name: string;
}

/** Creates the siblings (same model version, dataset and backend as the base) and the comparison, then queues. */
function queueGroup(
  ctx: GroupContext,
  base: Run,
  siblings: readonly Sibling[],
  comparison: { name: string; kind: Comparison['kind'] },
): RunGroupResult {
  const { store, queue } = ctx;
  const { runs, saved } = store.tx(() => {
    const runs = siblings.map((s) =>
      store.createRun({
        projectId: base.projectId,
        modelVersionId: base.modelVersionId,
        datasetId: base.datasetId,
        // The base's thread count (this machine's default for a base recorded before threads existed).
        config: withThreadCount(s.config, base.backend),
        backend: base.backend,
        presetId: base.presetId,
        name: clip(s.name),
        status: 'queued',
      }),
    );
    const saved = store.saveComparison({
      projectId: base.projectId,
      name: clip(comparison.name),
      runIds: [base.id, ...runs.map((r) => r.id)],
      kind: comparison.kind,
      baseRunId: base.id,
    });
    return { runs, saved };
  });
  for (const run of runs) queue.enqueue(run);
  return { comparison: saved, runs: runs.map((r) => runDto(store.getRun(r.id))) };
}

/** `runs.ablate`: base, its extra seeds, then each arm with its seeds. */
export function ablate(ctx: GroupContext, input: { runId: number; tricks: readonly string[]; seeds?: number; name?: string }): RunGroupResult {
  const method = 'runs.ablate';
  const base = runOr404(ctx.store, method, 'runId', input.runId);
  const arms: AblationArm[] = input.tricks.map((id, i) => {
    try {
      return planAblation(base.config, [id])[0]!;
    } catch (error) {
      // planAblation names the trick first (`dropout`: …); the field and the value say it here.
      const text = (error as Error).message.replace(/^`[^`]*`:?\s*/, '');
      throw fieldError(method, `tricks[${i}]`, `${/^(is|must) /.test(text) ? '' : ': '}${text} (got ${JSON.stringify(id)})`);
    }
  });
  const n = input.seeds ?? 1;
  const total = (arms.length + 1) * n;
  if (total > MAX_GROUP_RUNS) {
    throw fieldError(method, input.seeds === undefined ? 'tricks' : 'seeds', `: ${arms.length} tricks × ${n} seeds make ${total} runs with the base; a comparison holds at most ${MAX_GROUP_RUNS}`);
  }
  const seedsOf = (config: TrainingConfig) => planSeeds(config, n);
  const suffix = (config: TrainingConfig) => (n > 1 ? `, seed ${config.seed}` : '');
  const siblings: Sibling[] = [
    ...seedsOf(base.config)
      .slice(1)
      .map((config) => ({ config, name: `${runLabel(base)}${suffix(config)}` })),
    ...arms.flatMap((arm) => seedsOf(arm.config).map((config) => ({ config, name: `${runLabel(base)}: ${arm.label}${suffix(config)}` }))),
  ];
  const name = input.name ?? `Ablation of ${runLabel(base)}: ${arms.map((a) => a.label).join(', ')}${n > 1 ? ` (${n} seeds)` : ''}`;
  return queueGroup(ctx, base, siblings, { name, kind: 'ablation' });
}

/** `runs.repeat`: the base with seeds + 1 … + n − 1. */
export function repeat(ctx: GroupContext, input: { runId: number; seeds: number }): RunGroupResult {
  const base = runOr404(ctx.store, 'runs.repeat', 'runId', input.runId);
  const siblings = planSeeds(base.config, input.seeds)
    .slice(1)
    .map((config) => ({ config, name: `${runLabel(base)}, seed ${config.seed}` }));
  return queueGroup(ctx, base, siblings, { name: `${runLabel(base)} × ${input.seeds} seeds`, kind: 'seeds' });
}

/** `runs.fork`: a new queued run that continues from the checkpoint. */
export function fork(ctx: GroupContext, input: { checkpointId: number; name?: string | null }): Run {
  let run: Run;
  try {
    run = ctx.store.forkRun(input.checkpointId, input.name ? { name: input.name } : {});
  } catch (error) {
    if (error instanceof StoreError && error.code === 'CheckpointNotFound') {
      throw fieldError('runs.fork', 'checkpointId', `is not a checkpoint (checkpoint ${input.checkpointId} does not exist)`, 'not_found');
    }
    throw error;
  }
  ctx.queue.enqueue(run);
  return runDto(ctx.store.getRun(run.id));
}
