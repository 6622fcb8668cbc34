// Live updates without jank: pushes (epoch reports, status changes, synthetic points) are queued and applied
// together once per animation frame, so a burst of events costs one reactive update and one chart redraw.

export interface FrameBatcher<T> {
  push(item: T): void;
  /** Applies what is queued now (tests, and before reading the store synchronously). */
  flush(): void;
  /** Drops what is queued and cancels the pending frame. */
  cancel(): void;
  readonly pending: number;
}

type Schedule = (run: () => void) => () => void;

const nextFrame: Schedule = (run) => {
  if (typeof requestAnimationFrame === 'function') {
    const handle = requestAnimationFrame(() => run());
    return () => cancelAnimationFrame(handle);
  }
  const handle = setTimeout(run, 16);
  return () => clearTimeout(handle);
};

/** Queues items and hands them to `apply` in one call per animation frame. */
export function frameBatcher<T>(apply: (items: T[]) => void, schedule: Schedule = nextFrame): FrameBatcher<T> {
  let queue: T[] = [];
  let cancelFrame: (() => void) | null = null;
  const flush = () => {
    cancelFrame?.();
    cancelFrame = null;
    if (!queue.length) return;
    const items = queue;
    queue = [];
    apply(items);
  };
  return {
    push(item) {
      queue.push(item);
      if (!cancelFrame) cancelFrame = schedule(flush);
    },
    flush,
    cancel() {
      cancelFrame?.();
      cancelFrame = null;
      queue = [];
    },
    get pending() {
      return queue.length;
    },
  };
}
