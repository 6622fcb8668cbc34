// Run warnings: what a run that kept training did that its numbers alone would hide. The one kind today is a
// runaway loss (SGD at a learning rate of 10 drove an MNIST loss to millions and the run still "completed"):
// flagged on the run with a hint, never stopping it, since a run whose loss spikes and comes back down is fine.
// The recorder checks every epoch (core/runs/recorder.ts) and the store keeps one record per kind and run.
import type { LossName } from '../spec/model-spec.js';

export const RUN_WARNING_KINDS = ['runaway_loss'] as const;
export type RunWarningKind = (typeof RUN_WARNING_KINDS)[number];

/** A loss more than this many times its first epoch's is running away. */
export const RUNAWAY_LOSS_FACTOR = 100;

export interface RunWarning {
  kind: RunWarningKind;
  /** The first epoch (from 0) whose training loss crossed the threshold. */
  epoch: number;
  /** The training loss of that epoch. */
  value: number;
  /** The threshold it crossed. */
  threshold: number;
  /** The highest training loss seen, and its epoch. */
  peak: number;
  peakEpoch: number;
  /** One sentence with the numbers. */
  message: string;
  /** What to try, lesson style. */
  hint: string;
  /** The built-in lesson that shows the remedy at work. */
  lessonId: string | null;
}

/**
 * The bound no sane cross-entropy loss reaches: 100× the loss of guessing uniformly among the classes (ln K
 * per sample). Trained on logits, the loss is unbounded when logits blow up; a mean-squared error has no
 * natural scale, so it is judged against its first epoch only.
 */
export function runawayBound(loss: LossName, classes: number): number | null {
  if (loss === 'meanSquaredError') return null;
  const k = loss === 'binaryCrossentropy' ? 2 : Math.max(2, classes);
  return RUNAWAY_LOSS_FACTOR * Math.log(k);
}

export interface LossCheck {
  loss: LossName;
  classes: number;
  /** The training loss of epoch 0 (the reference), when known. */
  firstLoss: number | null;
  epoch: number;
  value: number;
}

/** The threshold a training loss must stay under at this epoch; Infinity when there is none yet. */
export function runawayThreshold(check: Omit<LossCheck, 'value'>): number {
  const bound = runawayBound(check.loss, check.classes) ?? Infinity;
  const relative = check.epoch > 0 && check.firstLoss !== null && Number.isFinite(check.firstLoss) && check.firstLoss > 0 ? RUNAWAY_LOSS_FACTOR * check.firstLoss : Infinity;
  return Math.min(bound, relative);
}

/** A runaway-loss warning for this epoch's loss, or null (NaN and infinities are divergence, judged elsewhere). */
export function checkRunawayLoss(check: LossCheck): RunWarning | null {
  if (!Number.isFinite(check.value)) return null;
  const threshold = runawayThreshold(check);
  if (!(check.value > threshold)) return null;
  const relative = check.firstLoss !== null && check.firstLoss > 0 && check.epoch > 0 ? `, ${fmt(check.value / check.firstLoss)}× its first epoch's (${fmt(check.firstLoss)})` : '';
  return {
    kind: 'runaway_loss',
    epoch: check.epoch,
    value: check.value,
    threshold,
    peak: check.value,
    peakEpoch: check.epoch,
    message: `the training loss ran away: ${fmt(check.value)} at epoch ${check.epoch + 1}${relative}, above ${fmt(threshold)}`,
    hint:
      'The steps are too large for this model: lower the learning rate (e.g. --trick sgd.learningRate=0.1), clip the gradients (clipNorm), ' +
      'or add batch normalisation. The run keeps training; if its loss comes back down its numbers are still usable, but compare them with care. ' +
      'The lesson "gradient clipping" shows the effect.',
    lessonId: 'clipping',
  };
}

/** Folds a later epoch's loss into an existing warning (its peak). */
export function withPeak(warning: RunWarning, epoch: number, value: number): RunWarning {
  return Number.isFinite(value) && value > warning.peak ? { ...warning, peak: value, peakEpoch: epoch } : warning;
}

/** Whether the run's loss came back under the threshold by its end. */
export function recovered(warning: RunWarning, finalLoss: number | null | undefined): boolean {
  return typeof finalLoss === 'number' && Number.isFinite(finalLoss) && finalLoss <= warning.threshold;
}

function fmt(n: number): string {
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e5 || abs < 1e-3)) return n.toExponential(2);
  return Number.isInteger(n) ? String(n) : n.toPrecision(3);
}
