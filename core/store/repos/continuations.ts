// A run continuing from a checkpoint: itself (resume after an interruption or a stop) or as a new run (a
// fork, "resume from here"). Each touches runs, metrics, checkpoints and reports in one transaction.
import { isResumableRunStatus } from '../../../shared/index.js';
import { checkName, type StoreDb } from '../db.js';
import { StoreError } from '../errors.js';
import type { CheckpointData, Run } from '../types.js';
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
      const run = this.runs.get(id);
      if (!isResumableRunStatus(run.status)) {
        throw new StoreError('InvalidTransition', `run ${id} is ${run.status}; only an interrupted or stopped run can be resumed`, { id, from: run.status, to: 'running' });
      }
      const checkpoint = this.checkpoints.latest(id);
      const discarded = this.metrics.discardAfter(id, checkpoint ? checkpoint.checkpoint.epoch : -1);
      return { run: this.runs.reopen(id), checkpoint, discardedMetrics: discarded };
    });
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
