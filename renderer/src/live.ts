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

/** Waits `ms`, then for the next animation frame. */
export function afterAtLeast(ms: number, frame: Schedule = nextFrame): Schedule {
  return (run) => {
    let cancelInner: (() => void) | null = null;
    const handle = setTimeout(() => {
      cancelInner = frame(run);
    }, ms);
    return () => {
      clearTimeout(handle);
      cancelInner?.();
    };
  };
}

/**
 * Queues items and hands them to `apply` in one call per animation frame. With `minIntervalMs`, applies are at
 * least that far apart (the first after a quiet spell still comes on the next frame): a chart of 200,000 points
 * costs tens of milliseconds to redraw, so redrawing it on every frame of a live stream would make every frame
 * long, while a few redraws a second leave the frames between them free.
 */
export function frameBatcher<T>(apply: (items: T[]) => void, schedule: Schedule = nextFrame, minIntervalMs = 0): FrameBatcher<T> {
  let queue: T[] = [];
  let cancelFrame: (() => void) | null = null;
  let lastApply = -Infinity;
  const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
  const flush = () => {
    cancelFrame?.();
    cancelFrame = null;
    if (!queue.length) return;
    const items = queue;
    queue = [];
    lastApply = now();
    apply(items);
  };
  return {
    push(item) {
      queue.push(item);
      if (cancelFrame) return;
      const wait = lastApply + minIntervalMs - now();
      cancelFrame = wait > 0 ? afterAtLeast(wait, schedule)(flush) : schedule(flush);
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
