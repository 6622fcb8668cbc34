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
  queued: ['running', 'stopped', 'failed'],
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

/** Can continue from its latest checkpoint (or from scratch without one). */
export const RESUMABLE_RUN_STATUSES = ['interrupted', 'stopped'] as const satisfies readonly RunStatus[];

/** Finished with trained numbers (final metrics of the epochs it ran, a test report): what results are read from. */
export const MEASURED_RUN_STATUSES = ['completed', 'stopped'] as const satisfies readonly FinishedRunStatus[];

/**
 * Finished with an outcome a comparison can judge: measured, or diverged (the divergence is the finding).
 * `failed` is a crash, not an outcome: such a run has to be started again.
 */
export const OUTCOME_RUN_STATUSES = [...MEASURED_RUN_STATUSES, 'diverged'] as const satisfies readonly FinishedRunStatus[];

const has =
  <S extends RunStatus>(list: readonly S[]) =>
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
