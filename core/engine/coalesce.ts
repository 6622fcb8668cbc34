// Batch progress is produced on every batch but sent at most every ~100 ms, and always flushed at epoch
// end (Vitest's sendTasksUpdate pattern), so a fast model cannot flood IPC. With `merge`, what arrives between two
// sends is folded into one message (the batch losses of every step ride along as one array) instead of dropped.
export class Coalescer<T> {
  private pending: T | undefined;
  private lastSent = -Infinity;

  constructor(
    private readonly send: (value: T) => void,
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
    /** Folds a newer value into the one still waiting; without it the newer replaces it. */
    private readonly merge?: (pending: T, next: T) => T,
  ) {}

  push(value: T): void {
    this.pending = this.pending !== undefined && this.merge ? this.merge(this.pending, value) : value;
    if (this.now() - this.lastSent >= this.intervalMs) this.flush();
  }

  flush(): void {
    if (this.pending === undefined) return;
    const value = this.pending;
    this.pending = undefined;
    this.lastSent = this.now();
    this.send(value);
  }
}

/** Batch progress keeps the latest counters and the batch losses of every step since the last send, in order. */
export function mergeProgress<P extends { losses: number[] }>(pending: P, next: P): P {
  return { ...next, losses: pending.losses.concat(next.losses) };
}
