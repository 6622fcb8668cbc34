// A run continuing from a checkpoint: itself (resume after an interruption or a stop) or as a new run (a
// fork, "resume from here"). Each touches runs, metrics, checkpoints and reports in one transaction.
import { isResumableRunStatus } from '../../../shared/index.js';
import { checkName, type StoreDb } from '../db.js';
import { isStoreError, StoreError } from '../errors.js';
import type { Checkpoint, CheckpointData, Run } from '../types.js';
import type { CheckpointRepository } from './checkpoints.js';
import type { MetricRepository } from './metrics.js';
import type { RunRepository } from './runs.js';

export interface ResumePoint {
  run: Run;
  /** The latest checkpoint to continue from; null: start again from scratch. */
  checkpoint: CheckpointData | null;
  /** Metric points discarded because they came after the checkpoint (they will be recomputed). */
  discardedMetrics: number;
}

/** Which checkpoint of a run to continue from: its id, the `best` one, or the `last` (highest epoch). */
export type CheckpointChoice = number | 'best' | 'last';

/** Whether a run can resume, and when it cannot, why, and the checkpoint a new run could start from. */
export type ResumeCheck =
  | { ok: true; run: Run; checkpoint: Checkpoint | null }
  | { ok: false; run: Run; reason: string; forkFrom: Checkpoint | null };

export class RunContinuations {
  constructor(
    private readonly db: StoreDb,
    private readonly runs: RunRepository,
    private readonly metrics: MetricRepository,
    private readonly checkpoints: CheckpointRepository,
  ) {}

  /**
   * Prepares an interrupted or stopped run to continue: in one transaction it drops the metric points
   * recorded after the latest checkpoint (the resumed run recomputes them) and sets the run `running`.
   * Returns the checkpoint to load, or null when there is none (train again from the start).
   */
  beginResume(id: number): ResumePoint {
    return this.db.tx(() => {
      const check = this.checkResume(id);
      if (!check.ok) {
        const code = isResumableRunStatus(check.run.status) ? 'CheckpointCorrupt' : 'InvalidTransition';
        throw new StoreError(code, check.reason, { id, from: check.run.status, to: 'running', forkCheckpointId: check.forkFrom?.id ?? null });
      }
      const checkpoint = check.checkpoint ? this.checkpoints.load(check.checkpoint.id) : null;
      const after = checkpoint ? checkpoint.checkpoint.epoch : -1;
      const discarded = this.metrics.discardAfter(id, after);
      this.runs.discardWarningsAfter(id, after);
      return { run: this.runs.reopen(id), checkpoint, discardedMetrics: discarded };
    });
  }

  /**
   * Whether `beginResume` would succeed, without changing anything: the run must be interrupted or stopped, and
   * its latest checkpoint (if it has one) must verify against its sha256. When it cannot, `reason` says why and
   * `forkFrom` is the latest checkpoint that does verify (a new run can continue from it), if any.
   */
  checkResume(id: number): ResumeCheck {
    const run = this.runs.get(id);
    const checkpoints = this.checkpoints.list(id);
    const latest = checkpoints.length ? checkpoints.reduce((a, b) => (b.epoch > a.epoch || (b.epoch === a.epoch && b.id > a.id) ? b : a)) : null;
    if (!isResumableRunStatus(run.status)) {
      const why =
        run.status === 'failed'
          ? `it failed${run.error ? ` (${run.error})` : ''}, and resuming would meet the same error`
          : run.status === 'completed' || run.status === 'diverged'
            ? 'it has ended'
            : 'it is still queued or training';
      const forkFrom = run.status === 'failed' || run.status === 'completed' || run.status === 'diverged' ? this.latestVerified(checkpoints) : null;
      return { ok: false, run, forkFrom, reason: `run ${id} is ${run.status}; only an interrupted or stopped run can be resumed (${why})` };
    }
    if (latest === null) return { ok: true, run, checkpoint: null };
    const damage = this.damage(latest.id);
    if (damage === null) return { ok: true, run, checkpoint: latest };
    return {
      ok: false,
      run,
      forkFrom: this.latestVerified(checkpoints.filter((c) => c.id !== latest.id)),
      reason: `run ${id} cannot resume: its latest checkpoint ${latest.id} (epoch ${latest.epoch + 1}) is damaged (${damage})`,
    };
  }

  /** The checkpoint of a run that `choice` names, checked to belong to the run. */
  checkpointFor(runId: number, choice: CheckpointChoice): Checkpoint {
    const checkpoints = this.checkpoints.list(runId);
    if (typeof choice === 'number') {
      const found = checkpoints.find((c) => c.id === choice);
      if (!found) throw new StoreError('CheckpointNotFound', `checkpoint ${choice} is not a checkpoint of run ${runId} (its checkpoints: ${checkpoints.map((c) => c.id).join(', ') || 'none'})`, { id: choice, runId });
      return found;
    }
    const pick = choice === 'best' ? checkpoints.filter((c) => c.kind === 'best') : checkpoints;
    const found = pick.reduce<Checkpoint | null>((a, b) => (a === null || b.epoch > a.epoch || (b.epoch === a.epoch && b.id > a.id) ? b : a), null);
    if (!found) throw new StoreError('CheckpointNotFound', `run ${runId} has no ${choice === 'best' ? 'best ' : ''}checkpoint`, { runId, choice });
    return found;
  }

  /** Why a checkpoint's bytes cannot be used, or null when they verify. */
  private damage(checkpointId: number): string | null {
    try {
      this.checkpoints.load(checkpointId);
      return null;
    } catch (error) {
      if (isStoreError(error, 'CheckpointCorrupt')) return error.message;
      throw error;
    }
  }

  private latestVerified(checkpoints: readonly Checkpoint[]): Checkpoint | null {
    const newestFirst = [...checkpoints].sort((a, b) => b.epoch - a.epoch || b.id - a.id);
    return newestFirst.find((c) => this.damage(c.id) === null) ?? null;
  }

  /**
   * "Resume from here": a new queued run with the source run's model version, dataset, config, seed and
   * backend, the source's metric points up to the checkpoint's epoch and a copy of the checkpoint (the run
   * queue continues a queued run that has a checkpoint from it). One transaction.
   */
  fork(checkpointId: number, options: { name?: string | null } = {}): Run {
    return this.db.tx(() => {
      const checkpoint = this.checkpoints.get(checkpointId);
      const source = this.runs.get(checkpoint.runId);
      const name = options.name ?? `${source.name ?? `run ${source.id}`} from epoch ${checkpoint.epoch + 1}`;
      const fork = this.runs.create({
        projectId: source.projectId,
        modelVersionId: source.modelVersionId,
        datasetId: source.datasetId,
        config: source.config,
        seed: source.seed,
        backend: source.backend,
        presetId: source.presetId,
        name: checkName(name.length > 200 ? `${name.slice(0, 199)}…` : name, 'run name'),
        status: 'queued',
      });
      this.metrics.copy(source.id, fork.id, checkpoint.epoch);
      this.checkpoints.copy(checkpointId, fork.id);
      return this.runs.get(fork.id);
    });
  }
}
