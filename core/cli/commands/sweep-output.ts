// What `layerwise sweep` prints: a progress bar with an ETA on a terminal (stderr), one line per finished trial
// (text, or one JSON object per line with --json) and the summary: the best trial's values and run.
import type { BatchProgress, Sweep, SweepTrial, TrialParams } from '../../../shared/index.js';
import type { CliIO } from '../io.js';
import { formatNumber } from './runs.js';

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** `path=value` in the order the spec lists its parameters. */
export function formatParams(params: TrialParams, order: readonly string[] = []): string {
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return Object.entries(params)
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : String(v)}`)
    .join('  ');
}

const keysOf = (sweep: Sweep) => sweep.spec.parameters.map((p) => p.path);

const metric = (v: number | null) => (v === null ? '—' : formatNumber(v));

export function objectiveLabel(sweep: Sweep): string {
  return sweep.spec.objective === 'valLoss' ? 'val loss' : 'val acc';
}

/** `trial 3/12  pruned at epoch 1  val loss 0.9123  val acc 0.5120  lr=0.0003 — run 17` */
export function trialLine(sweep: Sweep, trial: SweepTrial): string {
  const state = trial.state === 'pruned' ? `pruned at epoch ${trial.epochs}` : trial.state === 'completed' ? `completed ${trial.epochs} epochs` : trial.state;
  const why = trial.error && trial.state !== 'completed' ? `  (${trial.error})` : '';
  return (
    `trial ${String(trial.number).padStart(String(sweep.maxRuns).length)}/${sweep.maxRuns}  ${state.padEnd(20)}  val loss ${metric(trial.valLoss)}  val acc ${metric(trial.valAccuracy)}  ` +
    `${formatParams(trial.params, keysOf(sweep))}${trial.runId !== null ? ` — run ${trial.runId}` : ''}${why}`
  );
}

export function trialJson(trial: SweepTrial) {
  return {
    trial: trial.number,
    state: trial.state,
    runId: trial.runId,
    params: trial.params,
    epochs: trial.epochs,
    rung: trial.rung,
    valLoss: trial.valLoss,
    valAccuracy: trial.valAccuracy,
    objective: trial.objective,
    ...(trial.error ? { error: trial.error } : {}),
  };
}

export function summaryJson(sweep: Sweep) {
  return {
    sweep: sweep.id,
    name: sweep.name,
    status: sweep.status,
    reason: sweep.stopReason,
    trials: sweep.total,
    counts: Object.fromEntries(Object.entries(sweep.counts).filter(([, n]) => n > 0)),
    seconds: Math.round(sweep.elapsedSeconds * 10) / 10,
    objective: sweep.spec.objective,
    best: sweep.best ? { trial: sweep.best.number, runId: sweep.best.runId, objective: sweep.best.objective, params: sweep.best.params } : null,
  };
}

export function summaryText(sweep: Sweep): string {
  const counts = Object.entries(sweep.counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  const lines = [`sweep ${sweep.id} ${sweep.status}${sweep.stopReason ? ` (${sweep.stopReason})` : ''} after ${formatDuration(sweep.elapsedSeconds)}: ${sweep.total} trial${sweep.total === 1 ? '' : 's'}${counts ? ` — ${counts}` : ''}`];
  if (sweep.best) {
    lines.push(`best: trial ${sweep.best.number}, ${objectiveLabel(sweep)} ${formatNumber(sweep.best.objective)}${sweep.best.runId !== null ? ` (run ${sweep.best.runId})` : ''}`);
    lines.push(`  ${formatParams(sweep.best.params, keysOf(sweep))}`);
  } else lines.push('best: none yet (no trial has completed)');
  if (sweep.status === 'stopped') lines.push(`resume with: layerwise sweep resume ${sweep.id}`);
  return lines.join('\n');
}

/** The progress bar, on stderr, redrawn at most 10 times a second. */
export class SweepProgress {
  private last = '';
  private drawnAt = 0;
  private readonly progress = new Map<number, BatchProgress>();

  constructor(
    private readonly io: CliIO,
    private readonly write: (text: string) => void = (text) => process.stderr.write(text),
  ) {}

  batch(runId: number, p: BatchProgress): void {
    this.progress.set(runId, p);
  }

  /** Clears the bar so that a line can be printed. */
  clear(): void {
    if (!this.last) return;
    this.write(`\r${' '.repeat(this.last.length)}\r`);
    this.last = '';
  }

  draw(sweep: Sweep, trials: readonly SweepTrial[], force = false): void {
    if (!this.io.isTTY) return;
    const now = Date.now();
    if (!force && now - this.drawnAt < 100) return;
    this.drawnAt = now;
    const done = trials.filter((t) => ['completed', 'pruned', 'stopped', 'diverged', 'failed'].includes(t.state)).length;
    let partial = 0;
    for (const t of trials) {
      if (t.state !== 'running' || t.runId === null) continue;
      const p = this.progress.get(t.runId);
      if (p) partial += Math.min(1, (p.epoch * p.batchesPerEpoch + p.batch) / (p.epochs * p.batchesPerEpoch));
    }
    const total = Math.max(1, sweep.maxRuns);
    const fraction = Math.min(1, (done + partial) / total);
    const width = 24;
    const filled = Math.round(fraction * width);
    const elapsed = sweep.elapsedSeconds;
    // Pruned trials end early, so the ETA from trials done so far errs long while pruning is still to come.
    const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : null;
    const best = sweep.best ? `  best ${objectiveLabel(sweep)} ${formatNumber(sweep.best.objective)} (trial ${sweep.best.number})` : '';
    const line =
      `sweep ${sweep.id} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} trials  ${sweep.counts.running} training  ${sweep.counts.pruned} pruned${best}  ` +
      `${formatDuration(elapsed)}${eta === null ? '' : `  ETA ${formatDuration(eta)}`}`;
    this.clear();
    this.write(line);
    this.last = line;
  }
}

export function trialTable(sweep: Sweep, trials: readonly SweepTrial[]): string[][] {
  return trials.map((t) => [
    String(t.number),
    t.state,
    t.rung === null ? '' : `${t.rung + 1} (epoch ${sweep.rungs[t.rung]})`,
    String(t.epochs),
    metric(t.valLoss),
    metric(t.valAccuracy),
    t.runId === null ? '' : String(t.runId),
    formatParams(t.params, keysOf(sweep)),
  ]);
}
