// Which data a run trains on. The engine turns a reference into tensors; the store fingerprints it.
import { z } from 'zod';

export const SYNTHETIC_SETS = ['spiral', 'circles', 'xor', 'blobs'] as const;
export type SyntheticSetName = (typeof SYNTHETIC_SETS)[number];

export interface MnistRef {
  kind: 'mnist';
}

export interface SyntheticRef {
  kind: 'synthetic';
  name: SyntheticSetName;
  /** Total points, split 80/10/10 into train, validation and test. */
  samples: number;
  classes: number;
  noise: number;
}

export type DatasetRef = MnistRef | SyntheticRef;

export const DatasetRefSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('mnist') }),
    z.strictObject({
      kind: z.literal('synthetic'),
      name: z.enum(SYNTHETIC_SETS, { error: `must be one of ${SYNTHETIC_SETS.join(', ')}` }),
      samples: z.number().int().min(30, { error: 'must be an integer >= 30' }).max(1_000_000, { error: 'must be at most 1000000' }),
      classes: z.number().int().min(2, { error: 'must be an integer >= 2' }).max(10, { error: 'must be at most 10' }),
      noise: z.number().min(0, { error: 'must be >= 0' }).max(1, { error: 'must be at most 1' }),
    }),
  ],
  { error: 'kind must be mnist or synthetic' },
) satisfies z.ZodType<DatasetRef>;
