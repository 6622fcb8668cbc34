// The synthetic sequence sets (generated from a fixed seed by core/engine/data/sequences.ts), for the sequence
// presets and for trying recurrent and attention layers without files:
//   pattern: sequences of `length` tokens over 7 symbols; class 1 when the motif C A D occurs in a row. Half of
//     the other class holds the same three symbols in another order, so counting symbols is not enough: the
//     order matters. noise: the share of labels flipped.
//   sine: windows [length, 1] of a sine with a random phase and amplitude; the class is its frequency band
//     (class k: k + 1 cycles per window, ± 0.3). noise: the standard deviation of Gaussian noise added.
import { z } from 'zod';
import { SEQUENCE_LIMITS } from '../limits/inputs.js';

export const SEQUENCE_SETS = ['pattern', 'sine'] as const;
export type SequenceSetName = (typeof SEQUENCE_SETS)[number];

/** The pattern set's token ids: 0 pads (never drawn), 1–7 the symbols A–G. */
export const PATTERN_VOCABULARY = 8;
export const PATTERN_TOKENS = ['<pad>', 'A', 'B', 'C', 'D', 'E', 'F', 'G'] as const;
/** C A D. */
export const PATTERN_MOTIF = [3, 1, 4] as const;

export interface SequenceRef {
  kind: 'sequence';
  name: SequenceSetName;
  /** Sequences, split 80/10/10 into train, validation and test. */
  samples: number;
  /** Steps per sequence. */
  length: number;
  /** pattern: 2; sine: the frequency bands. */
  classes: number;
  noise: number;
}

export function sequenceRefName(ref: SequenceRef): string {
  const what = ref.name === 'pattern' ? `${ref.length} tokens` : `${ref.length} steps`;
  return `${ref.name} (${ref.samples} sequences of ${what}, ${ref.classes} classes, noise ${ref.noise})`;
}

export function sequenceRefShape(ref: SequenceRef): { name: string; inputShape: number[]; classes: number; vocabulary?: number } {
  return ref.name === 'pattern'
    ? { name: `the ${ref.name} set`, inputShape: [ref.length], classes: 2, vocabulary: PATTERN_VOCABULARY }
    : { name: `the ${ref.name} set`, inputShape: [ref.length, 1], classes: ref.classes };
}

const int = (min: number, max: number) =>
  z
    .number({ error: `must be an integer in [${min}, ${max}]` })
    .int({ error: `must be an integer in [${min}, ${max}]` })
    .min(min, { error: `must be an integer in [${min}, ${max}]` })
    .max(max, { error: `must be an integer in [${min}, ${max}]` });

export const SequenceRefSchema = z
  .strictObject({
    kind: z.literal('sequence'),
    name: z.enum(SEQUENCE_SETS, { error: `must be one of ${SEQUENCE_SETS.join(', ')}` }),
    samples: int(30, 1_000_000),
    length: int(8, SEQUENCE_LIMITS.maxLength),
    classes: int(2, 8),
    noise: z.number({ error: 'must be a number in [0, 1]' }).min(0, { error: 'must be >= 0' }).max(1, { error: 'must be at most 1' }),
  })
  .superRefine((ref, ctx) => {
    if (ref.name === 'pattern' && ref.classes !== 2) ctx.addIssue({ code: 'custom', path: ['classes'], message: 'must be 2 for the pattern set (the motif occurs or not)', input: ref.classes });
    if (ref.samples * ref.length > SEQUENCE_LIMITS.maxValues) {
      ctx.addIssue({ code: 'custom', path: ['samples'], message: `times length must be at most ${SEQUENCE_LIMITS.maxValues} values`, input: ref.samples });
    }
  });
