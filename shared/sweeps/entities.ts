// What the API hands out about sweeps (the store hands out these same records).
import type { SweepSpec } from './plan.js';
import type { TrialParams } from './space.js';
import type { SweepStatus, TrialState } from './spec.js';

/** Where a trial stood at one ASHA rung: its objective there and whether it went on. */
export interface TrialRung {
  /** Index into the sweep's rungs. */
  rung: number;
  /** Epochs trained at that rung (counted from 1). */
  epoch: number;
  /** The objective there; null for NaN (a diverged trial). */
  value: number | null;
  promoted: boolean;
}

export interface SweepTrial {
  id: number;
  sweepId: number;
  /** 1, 2, …: the order the sweep planned its trials in. */
  number: number;
  /** Parameter path → the value this trial tries. */
  params: TrialParams;
  /** Parameters this trial does not use (a parameter of a trick it has off). */
  unused: string[];
  state: TrialState;
  /** Its run (null when none was made, or the run was deleted). */
  runId: number | null;
  /** Runs it took: 2 when its trainer crashed and it went on in a fork from its last checkpoint. */
  attempts: number;
  /** Epochs recorded. */
  epochs: number;
  /** Validation loss and accuracy: of the last epoch while it trains, the final ones once completed. */
  valLoss: number | null;
  valAccuracy: number | null;
  /** The sweep's objective for this trial: final when completed, at its last rung when pruned. */
  objective: number | null;
  /** The deepest rung reached (index into the sweep's rungs), or null. */
  rung: number | null;
  rungs: TrialRung[];
  /** Why it failed or was stopped. */
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface SweepBest {
  trialId: number;
  number: number;
  runId: number | null;
  objective: number;
  params: TrialParams;
}

export interface Sweep {
  id: number;
  projectId: number;
  name: string;
  /** The spec as it runs: base resolved inline, every default filled in. */
  spec: SweepSpec;
  status: SweepStatus;
  /** Why it stopped or finished: `budget: 12 runs`, `grid done`, `stopped by the user`, … */
  stopReason: string | null;
  /** Trials training at once. */
  concurrency: number;
  /** Trials it makes at most. */
  maxRuns: number;
  /** ASHA's rungs, in epochs (from 1); empty without pruning. */
  rungs: number[];
  /** Time it has run (stopped time not counted). */
  elapsedSeconds: number;
  createdAt: string;
  finishedAt: string | null;
  /** Trials per state, and in all. */
  counts: Record<TrialState, number>;
  total: number;
  /** The completed trial with the best objective. */
  best: SweepBest | null;
}

export interface SweepDetail {
  sweep: Sweep;
  trials: SweepTrial[];
}

/** `onSweepChanged`: the sweep as it is now, and the trial that changed (null when only the sweep did). */
export interface SweepEvent {
  sweep: Sweep;
  trial: SweepTrial | null;
}

/** A run's place in a sweep, shown with the run everywhere runs are listed. */
export interface RunSweepMark {
  sweepId: number;
  trial: number;
  state: TrialState;
}
