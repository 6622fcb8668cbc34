// Run statuses: the one definition of every status a run can have, of the changes between them, and of
// the groups code branches on. The store, the run queue, the services, the CLI, the lessons and the page all
// read these; a status added here (with a migration widening the runs table's CHECK) is known everywhere.

export const RUN_STATUSES = ['queued', 'running', 'paused', 'completed', 'stopped', 'diverged', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * The status changes the store allows. Resuming an interrupted or stopped run (back to `running`, from its
 * last checkpoint) is a step of its own (`beginResume`), since it also drops the metrics recorded after it.
 */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  // A queued run's trainer can die before it reports that it started: interrupted, like a running one.
  queued: ['running', 'stopped', 'failed', 'interrupted'],
  running: ['paused', 'completed', 'stopped', 'diverged', 'failed', 'interrupted'],
  paused: ['running', 'stopped', 'failed', 'interrupted'],
  interrupted: ['stopped', 'failed'],
  stopped: [],
  completed: [],
  diverged: [],
  failed: [],
};

/** A trainer has the run or the queue will give it one: it changes without the user acting. */
export const ACTIVE_RUN_STATUSES = ['queued', 'running', 'paused'] as const satisfies readonly RunStatus[];
export type ActiveRunStatus = (typeof ACTIVE_RUN_STATUSES)[number];

/** A trainer process holds the run right now; if that process dies, the run becomes `interrupted`. */
export const LIVE_RUN_STATUSES = ['running', 'paused'] as const satisfies readonly ActiveRunStatus[];

/** The run has ended (finishedAt is set): how a trainer's outcome is recorded. Nothing moves it on but a resume. */
export const FINISHED_RUN_STATUSES = ['completed', 'stopped', 'diverged', 'failed'] as const satisfies readonly RunStatus[];
export type FinishedRunStatus = (typeof FINISHED_RUN_STATUSES)[number];

/**
 * Can continue from its latest checkpoint (or from scratch without one). A `failed` run is not: it failed for a
 * reason of its own (a bad spec, a record it could not write); a new run can still start from one of its
 * checkpoints (fork).
 */
export const RESUMABLE_RUN_STATUSES = ['interrupted', 'stopped'] as const satisfies readonly RunStatus[];

/** Finished with trained numbers (final metrics of the epochs it ran, a test report): what results are read from. */
export const MEASURED_RUN_STATUSES = ['completed', 'stopped'] as const satisfies readonly FinishedRunStatus[];

/**
 * Finished with an outcome a comparison can judge: measured, or diverged (the divergence is the finding).
 * `failed` is a crash, not an outcome: such a run has to be started again.
 */
export const OUTCOME_RUN_STATUSES = [...MEASURED_RUN_STATUSES, 'diverged'] as const satisfies readonly FinishedRunStatus[];

const has =
  <S extends string>(list: readonly S[]) =>
  (status: string): status is S =>
    (list as readonly string[]).includes(status);

export const isRunStatus = has(RUN_STATUSES);
export const isActiveRunStatus = has(ACTIVE_RUN_STATUSES);
/** Not active: finished or interrupted, so it stays as it is until the user acts (its records are complete). */
export const isSettledRunStatus = (status: string): boolean => isRunStatus(status) && !isActiveRunStatus(status);
export const isLiveRunStatus = has(LIVE_RUN_STATUSES);
export const isFinishedRunStatus = has(FINISHED_RUN_STATUSES);
export const isResumableRunStatus = has(RESUMABLE_RUN_STATUSES);
export const isMeasuredRunStatus = has(MEASURED_RUN_STATUSES);
export const isOutcomeRunStatus = has(OUTCOME_RUN_STATUSES);

/**
 * Why a run became `interrupted` or `failed`, as a code to branch on (`run.statusCause`); `run.error` says it in
 * words. Interrupted causes are faults from outside the run: resuming continues it from its last checkpoint.
 */
export const INTERRUPTED_CAUSES = [
  /** Its trainer process was killed by a signal (SIGKILL: the OOM killer, a user, the system). */
  'trainer_killed',
  /** Its trainer process ended (crashed, exited) without reporting an outcome. */
  'trainer_crashed',
  /** The process holding the run ended without finishing it: killed, crashed, or the machine lost power (found on the next open). */
  'host_ended',
  /** Layerwise shut down while it trained (the trainer stopped after its batch). */
  'shutdown',
  /** A checkpoint or metric write failed because the disk (or the database) is full: resumable once space is back. */
  'disk_full',
  /** A checkpoint or metric write failed for another I/O reason (a read-only or failing disk). */
  'write_failed',
] as const;

/** Why a run `failed`: an error of the run itself, which resuming would meet again. */
export const FAILED_CAUSES = [
  /** The trainer reported an error (a spec or data it cannot train, an error inside the engine). */
  'trainer_error',
  /** No trainer could be started, or its start could not be prepared (a missing model version, a damaged checkpoint). */
  'not_started',
  /** What the trainer reported could not be recorded for a reason other than the disk (a checkpoint over the size limit). */
  'record_failed',
] as const;

export const RUN_STATUS_CAUSES = [...INTERRUPTED_CAUSES, ...FAILED_CAUSES] as const;
export type InterruptedCause = (typeof INTERRUPTED_CAUSES)[number];
export type FailedCause = (typeof FAILED_CAUSES)[number];
export type RunStatusCause = (typeof RUN_STATUS_CAUSES)[number];

export const isRunStatusCause = has(RUN_STATUS_CAUSES);
export const isInterruptedCause = has(INTERRUPTED_CAUSES);
