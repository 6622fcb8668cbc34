// Inside a training thread: the barrier and the all-reduce that synchronise batch statistics across the shards of a
// step (kernels/batch-norm.ts calls them from its training kernels), on the pool's shared memory. Each thread adds
// every thread's sums in the same order (0, 1, …), so all threads get the same bits and runs repeat exactly.
import type { BatchStatsReducer } from '../kernels/batch-norm.js';
import { CTRL } from './layout.js';

/** Thrown inside a thread when the pool gave up (another thread failed, or the owner stopped the step). */
export class PoolAborted extends Error {
  constructor() {
    super('the thread pool was stopped');
    this.name = 'PoolAborted';
  }
}

/** Spins this many times before sleeping: peers usually arrive within microseconds when every thread has a core. */
const SPINS = 2000;
/** Sleeps in slices this long, checking the abort flag between them. */
const SLICE_MS = 50;

export class StepSync implements BatchStatsReducer {
  private readonly ctrl: Int32Array;
  private readonly reduce: Float64Array;
  private phase = 0;

  constructor(
    control: SharedArrayBuffer,
    reduce: SharedArrayBuffer,
    private readonly me: number,
    private readonly threads: number,
    private readonly stride: number,
  ) {
    this.ctrl = new Int32Array(control);
    this.reduce = new Float64Array(reduce);
  }

  checkAbort(): void {
    if (Atomics.load(this.ctrl, CTRL.ABORT) !== 0) throw new PoolAborted();
  }

  /** Waits until every thread taking part in this step has arrived (sense-reversing, on BAR_GEN). */
  barrier(): void {
    const ctrl = this.ctrl;
    const parties = Atomics.load(ctrl, CTRL.ACTIVE);
    const gen = Atomics.load(ctrl, CTRL.BAR_GEN);
    if (Atomics.add(ctrl, CTRL.BAR_COUNT, 1) === parties - 1) {
      Atomics.store(ctrl, CTRL.BAR_COUNT, 0);
      Atomics.add(ctrl, CTRL.BAR_GEN, 1);
      Atomics.notify(ctrl, CTRL.BAR_GEN);
      return;
    }
    for (let i = 0; i < SPINS; i++) if (Atomics.load(ctrl, CTRL.BAR_GEN) !== gen) return;
    while (Atomics.load(ctrl, CTRL.BAR_GEN) === gen) {
      this.checkAbort();
      Atomics.wait(ctrl, CTRL.BAR_GEN, gen, SLICE_MS);
    }
  }

  /** Replaces `sums` by the sums over every shard; returns the rows of the whole batch. */
  allReduce(sums: Float64Array, rows: number): number {
    this.checkAbort();
    const n = sums.length;
    if (n + 1 > this.stride) throw new Error(`a batch-statistics all-reduce of ${n} values exceeds the pool's ${this.stride - 1}`);
    // Two regions used in turn: a thread writes region p + 2 only after everyone passed barrier p + 1, i.e. after every
    // thread finished reading region p.
    const region = (this.phase++ & 1) * this.threads * this.stride;
    const mine = region + this.me * this.stride;
    this.reduce.set(sums, mine);
    this.reduce[mine + n] = rows;
    this.barrier();
    const parties = Atomics.load(this.ctrl, CTRL.ACTIVE);
    let total = 0;
    sums.fill(0);
    for (let t = 0; t < parties; t++) {
      const at = region + t * this.stride;
      for (let i = 0; i < n; i++) sums[i]! += this.reduce[at + i]!;
      total += this.reduce[at + n]!;
    }
    return total;
  }

  /** A new step starts with the first region (every thread agrees without talking). */
  resetPhase(): void {
    this.phase = 0;
  }
}
