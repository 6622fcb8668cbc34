// Batch progress is produced on every batch but sent at most every ~100 ms, and always flushed at epoch
// end (Vitest's sendTasksUpdate pattern), so a fast model cannot flood IPC.
export class Coalescer<T> {
  private pending: T | undefined;
  private lastSent = -Infinity;

  constructor(
    private readonly send: (value: T) => void,
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(value: T): void {
    this.pending = value;
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
