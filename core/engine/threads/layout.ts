// The shared memory of a training thread pool: what the trainer (the pool's owner) and its threads read and write.
// Every region is a SharedArrayBuffer allocated once per run; nothing is copied per step but the weights (owner →
// threads), the gradients (threads → owner) and the batch, which the owner fills in place.

/** Int32 slots of the control block. */
export const CTRL = {
  /** Bumped by the owner for every command; threads wait on it. */
  GEN: 0,
  /** The command of the current generation (CMD). */
  CMD: 1,
  /** Threads that finished the current command. The owner waits on it. */
  DONE: 2,
  /** Non-zero once anything failed: every wait in the pool gives up. */
  ABORT: 3,
  /** Threads that take part in this step (a batch smaller than the pool leaves the last ones out). */
  ACTIVE: 4,
  /** Rows in this step's batch. */
  ROWS: 5,
  /** The step's dropout key (kernels/dropout.ts). */
  KEY: 6,
  /** The batch-statistics barrier: arrivals, and its generation. */
  BAR_COUNT: 7,
  BAR_GEN: 8,
  /** Steps done since the pool started (fault drills count with it). */
  STEPS: 9,
  SIZE: 16,
} as const;

export const CMD = { STEP: 1, EXIT: 2 } as const;

/** float64 values per thread in the results region. */
export const RESULT_STRIDE = 3;

/** What a thread needs to know about the model's weights, in `model.weights` order. */
export interface WeightSlot {
  shape: number[];
  size: number;
  trainable: boolean;
  /** Offset in the weights region (all weights) and, for trainable ones, in a gradient slot. */
  offset: number;
  gradOffset: number;
}

export interface PoolLayout {
  threads: number;
  batchSize: number;
  inputShape: number[];
  features: number;
  classes: number;
  weights: WeightSlot[];
  weightSize: number;
  gradSize: number;
  /** float64 values one thread contributes to one batch-statistics all-reduce (sums + the row count). */
  reduceStride: number;
}

export interface PoolBuffers {
  control: SharedArrayBuffer;
  batchX: SharedArrayBuffer;
  batchY: SharedArrayBuffer;
  weights: SharedArrayBuffer;
  /** One gradient slot per thread. */
  grads: SharedArrayBuffer;
  /** Per thread: loss share, correct rows, live tensors in the thread (float64). */
  results: SharedArrayBuffer;
  /** Two phases × threads × reduceStride float64: the batch-statistics all-reduce. */
  reduce: SharedArrayBuffer;
}

export function allocateBuffers(layout: PoolLayout): PoolBuffers {
  const sab = (bytes: number) => new SharedArrayBuffer(Math.max(8, bytes));
  return {
    control: sab(4 * CTRL.SIZE),
    batchX: sab(4 * layout.batchSize * layout.features),
    batchY: sab(4 * layout.batchSize * layout.classes),
    weights: sab(4 * layout.weightSize),
    grads: sab(4 * layout.gradSize * layout.threads),
    results: sab(8 * RESULT_STRIDE * layout.threads),
    reduce: sab(8 * 2 * layout.threads * layout.reduceStride),
  };
}

/** The fixed contiguous shard of thread `i`: the first `n mod threads` shards hold one row more. */
export function shardOf(i: number, n: number, threads: number): { offset: number; rows: number } {
  const base = Math.floor(n / threads);
  const extra = n % threads;
  return { offset: i * base + Math.min(i, extra), rows: base + (i < extra ? 1 : 0) };
}

/** Threads with at least one row of an `n`-row batch. */
export function activeThreads(n: number, threads: number): number {
  return Math.min(n, threads);
}
