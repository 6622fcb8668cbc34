// Learning-rate schedules: a decay per epoch (×γ each epoch, step, cosine) times an optional linear
// warm-up per batch. Decay counts epochs from the end of the warm-up, so warm-up hands over to it.
import type { TrainingConfig } from '../../shared/index.js';
import { baseLearningRate } from './optimizers.js';

export interface ScheduleState {
  epoch: number;
  /** Batch index within the epoch. */
  batch: number;
  batchesPerEpoch: number;
}

export function learningRateAt(config: TrainingConfig, { epoch, batch, batchesPerEpoch }: ScheduleState): number {
  const t = config.tricks;
  const base = baseLearningRate(config);
  const warmupEpochs = t.lrWarmup ? (t.lrWarmup.epochs as number) : 0;
  let warm = 1;
  if (epoch < warmupEpochs) {
    const start = t.lrWarmup!.startFactor as number;
    const progress = (epoch * batchesPerEpoch + batch) / (warmupEpochs * batchesPerEpoch);
    warm = start + (1 - start) * progress;
  }
  const e = Math.max(0, epoch - warmupEpochs);
  const decayEpochs = config.epochs - warmupEpochs;
  let decay = 1;
  if (t.lrExponential) decay = (t.lrExponential.gamma as number) ** e;
  else if (t.lrStep) decay = (t.lrStep.gamma as number) ** Math.floor(e / (t.lrStep.stepSize as number));
  else if (t.lrCosine) {
    const min = t.lrCosine.minFactor as number;
    const progress = decayEpochs > 1 ? e / (decayEpochs - 1) : 0;
    decay = min + ((1 - min) * (1 + Math.cos(Math.PI * progress))) / 2;
  }
  return base * warm * decay;
}
