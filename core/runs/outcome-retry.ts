// Outcomes the disk refused to record (it is full): the run queue keeps trying, every few seconds and once more at
// shutdown, until the store takes each one (the run then becomes `interrupted` with its cause). Meanwhile the store
// keeps them in the folder's lock file too, so a host that dies first loses none (Store.deferRunOutcome).
import { isDiskError, isStoreError, type Run } from '../store/index.js';

const RETRY_MS = 2_000;

export class OutcomeRetry {
  private readonly waiting = new Map<number, () => Run>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: (message: string) => void,
    /** A waiting outcome was recorded at last. */
    private readonly recorded: (run: Run) => void,
    private readonly everyMs = RETRY_MS,
  ) {}

  has(runId: number): boolean {
    return this.waiting.has(runId);
  }

  /** Keeps trying `record` (which throws a disk error while the disk is still full). */
  add(runId: number, record: () => Run): void {
    this.waiting.set(runId, record);
    this.schedule();
  }

  /** One more try for each, now; those the disk still refuses keep waiting (until `stop`). */
  flush(): void {
    for (const [id, record] of [...this.waiting]) {
      try {
        const run = record();
        this.waiting.delete(id);
        this.log(`run ${id}: recorded as ${run.status}${run.statusCause ? ` (${run.statusCause})` : ''}`);
        this.recorded(run);
      } catch (error) {
        if (!(isDiskError(error) || isStoreError(error, 'ReadOnly'))) {
          this.waiting.delete(id);
          this.log(`run ${id}: could not record how it ended: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
  }

  /** Stops the timer after a last try (shutdown). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
  }

  private schedule(): void {
    if (this.timer || this.waiting.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
      this.schedule();
    }, this.everyMs);
    this.timer.unref();
  }
}
