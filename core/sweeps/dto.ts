// A stored sweep as the API's Sweep: its row, plus what its plan and trials say (budget, rungs, counts, best).
import { TRIAL_STATES, type Sweep, type SweepBest, type SweepPlan, type SweepTrial, type TrialState } from '../../shared/index.js';
import type { SweepRecord } from '../store/index.js';

export function bestTrial(trials: readonly SweepTrial[], direction: 'min' | 'max'): SweepBest | null {
  let best: SweepTrial | null = null;
  for (const t of trials) {
    if (t.state !== 'completed' || t.objective === null) continue;
    if (!best || (direction === 'min' ? t.objective < best.objective! : t.objective > best.objective!)) best = t;
  }
  return best ? { trialId: best.id, number: best.number, runId: best.runId, objective: best.objective!, params: best.params } : null;
}

export function sweepDto(record: SweepRecord, plan: SweepPlan, trials: readonly SweepTrial[], liveMs = 0): Sweep {
  const counts = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>;
  for (const t of trials) counts[t.state] += 1;
  return {
    id: record.id,
    projectId: record.projectId,
    name: record.name,
    spec: plan.spec,
    status: record.status,
    stopReason: record.stopReason,
    concurrency: record.concurrency,
    maxRuns: plan.maxRuns,
    rungs: plan.rungs,
    elapsedSeconds: (record.elapsedMs + liveMs) / 1000,
    createdAt: record.createdAt,
    finishedAt: record.finishedAt,
    counts,
    total: trials.length,
    best: bestTrial(trials, plan.direction),
  };
}
