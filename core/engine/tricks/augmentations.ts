// Every augmentation trick, listed explicitly: adding one means its descriptor (shared/tricks/defs), its file
// here named by its id, and one line below. The order is the order they are applied in (noise last, on the
// flipped and shifted image).
import { paramsOf, type TrainingConfig } from '../../../shared/index.js';
import { mixSeed } from '../data/rng.js';
import type { AugmentData, Augmenter, AugmentTrick } from './augment.js';
import { randomFlip } from './randomFlip.js';
import { randomShift } from './randomShift.js';
import { gaussianNoise } from './gaussianNoise.js';

export const AUGMENTATIONS: readonly AugmentTrick[] = [randomFlip, randomShift, gaussianNoise];

/** Where a batch is in the run: its augmentations are drawn from these alone. */
export interface BatchAt {
  seed: number;
  member: number;
  epoch: number;
  batch: number;
}

// The run's random streams are told apart by the last part of their seed: 1 the batch order, 2 dropout's masks.
const STREAM = 3;

/** A stable number per trick id, so that adding a trick never changes another one's draws. */
function salt(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The augmentations a config turns on, prepared once per run (or per preview). */
export class Augmentations {
  private readonly active: ReadonlyArray<{ id: string; salt: number; apply: Augmenter }>;

  constructor(config: TrainingConfig, data: AugmentData) {
    this.active = AUGMENTATIONS.flatMap((trick) => {
      const params = paramsOf(config, trick.descriptor.id);
      return params ? [{ id: trick.descriptor.id, salt: salt(trick.descriptor.id), apply: trick.prepare(params as never, data) }] : [];
    });
  }

  get ids(): string[] {
    return this.active.map((a) => a.id);
  }

  /** Augments rows [from, to) of the batch at `at` in place: the same rows of the same batch get the same draws. */
  apply(x: Float32Array, from: number, to: number, at: BatchAt): void {
    if (this.active.length === 0) return;
    const batchSeed = mixSeed(at.seed, at.member, at.epoch, at.batch, STREAM);
    for (const a of this.active) a.apply(x, from, to, mixSeed(batchSeed, a.salt));
  }
}
