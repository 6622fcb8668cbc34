// The plug-in interface of the augmentation tricks (kind 'data', group 'augmentation'): one file each here,
// named by its descriptor id and listed in augmentations.ts; the loop calls them through Augmentations and
// knows none by name. An augmentation is plain typed-array work on the batch buffer, in place, after the batch
// is filled and before the step: no tfjs graph. It is a pure function of (the batch buffer, the rows it is
// given, a seed): row r draws only from its own generator, seeded from (the batch's seed, the trick, r), so a
// worker that holds rows [from, to) of a shared batch applies exactly what one process applying all rows would.
import type { ParamsOf, TrickDescriptor } from '../../../shared/index.js';
import type { Split } from '../data/dataset.js';
import { createRng, mixSeed } from '../data/rng.js';

/** The data an augmentation is prepared for, as the network sees it (after input scaling). */
export interface AugmentData {
  /** [height, width, channels] for images, [features] for tables. */
  inputShape: readonly number[];
  /** The training split (statistics such as the noise's scale come from it, never from validation or test). */
  train: Split;
  /** The value a raw 0 (a black pixel) has after input scaling: what zero padding fills with. */
  zero: number;
}

/** Augments rows [from, to) of a batch buffer (rows of `features` values) in place. */
export type Augmenter = (x: Float32Array, from: number, to: number, seed: number) => void;

export interface AugmentTrick<D extends TrickDescriptor = TrickDescriptor> {
  descriptor: D;
  /** Once per run: what the trick needs from the data (sizes, statistics), and the function that augments. */
  prepare(params: ParamsOf<D>, data: AugmentData): Augmenter;
}

/** Keeps the descriptor's parameter types in `prepare`. */
export function defineAugmentation<D extends TrickDescriptor>(trick: AugmentTrick<D>): AugmentTrick<D> {
  return trick;
}

/** Row `row`'s own generator for one trick at one batch. */
export const rowRng = (seed: number, row: number) => createRng(mixSeed(seed, row));

/** [height, width, channels] of image data (the descriptors' `inputs: 'images'` guarantees rank 3). */
export function imageShape(data: AugmentData): [number, number, number] {
  const [h, w, c] = data.inputShape as [number, number, number];
  return [h, w, c];
}
