// Which data a run trains on. The engine turns a reference into tensors; the store fingerprints it.
import { z } from 'zod';
import { unsafeCharProblem } from '../text/safe-text.js';
import { KNOWN_DATASET_IDS, type KnownDatasetId } from './known-datasets.js';
import { SequenceRefSchema, sequenceRefName, sequenceRefShape, type SequenceRef } from './sequence-sets.js';

export * from './sequence-sets.js';

export const SYNTHETIC_SETS = ['spiral', 'circles', 'xor', 'blobs'] as const;
export type SyntheticSetName = (typeof SYNTHETIC_SETS)[number];

/** Digits in the engine's fixed MNIST training split. */
export const MNIST_TRAIN_DIGITS = 8000;

export interface MnistRef {
  kind: 'mnist';
  /**
   * Train on only the first N digits of the fixed 8,000-digit training split (validation and test splits stay
   * whole): a small budget, or a training set small enough to overfit (the early-stopping lesson).
   */
  trainSamples?: number;
}

export interface SyntheticRef {
  kind: 'synthetic';
  name: SyntheticSetName;
  /** Total points, split 80/10/10 into train, validation and test. */
  samples: number;
  classes: number;
  noise: number;
}

/** Where an imported dataset came from: a CSV table, an image folder, IDX files, CIFAR binary batches. */
export const FILE_DATASET_KINDS = ['csv', 'images', 'idx', 'cifar'] as const;
export type FileDatasetKind = (typeof FILE_DATASET_KINDS)[number];

/**
 * A dataset imported from the user's own files (a CSV table, a folder of images, IDX files or CIFAR
 * batches), registered in the store.
 * The import decodes the files once and keeps the result (features, one-hot labels, the seeded split) in a
 * prepared file in the data folder; `fingerprint` is that file's sha256, which loading checks, so a run
 * always trains on exactly the registered data. The other fields describe it without loading it.
 */
export interface FileDatasetRef {
  kind: FileDatasetKind;
  name: string;
  /** sha256 (hex) of the prepared file: the registered dataset's fingerprint. */
  fingerprint: string;
  /** Absolute path of the prepared file (`<data folder>/datasets/<fingerprint>.lwds`). */
  file: string;
  /** [features] for CSV, [steps] of token ids or [steps, features] for CSV sequences, [height, width, channels] for images. */
  inputShape: number[];
  /** Token ids 0 … vocabulary − 1 (a text column tokenised): read by an embedding. */
  vocabulary?: number;
  /** Output units: the number of classes, or 1 for a regression target. */
  classes: number;
  task: 'classification' | 'regression';
  counts: { train: number; validation: number; test: number };
  /** The public dataset it is, recognised by its files' content at import (shared/data/known-datasets.ts). */
  known?: KnownDatasetId;
}

export type DatasetRef = MnistRef | SyntheticRef | SequenceRef | FileDatasetRef;

/** A short human name for any dataset reference. */
export function datasetRefName(ref: DatasetRef): string {
  if (ref.kind === 'mnist') return ref.trainSamples === undefined ? 'MNIST' : `MNIST (first ${ref.trainSamples} training digits)`;
  if (ref.kind === 'synthetic') return `${ref.name} (${ref.samples} points, ${ref.classes} classes, noise ${ref.noise})`;
  if (ref.kind === 'sequence') return sequenceRefName(ref);
  return ref.name;
}

/** Input shape and output units of a dataset (and its vocabulary when it holds token ids), without loading it. */
export function datasetRefShape(ref: DatasetRef): { name: string; inputShape: number[]; classes: number; vocabulary?: number } {
  if (ref.kind === 'mnist') return { name: 'MNIST', inputShape: [28, 28, 1], classes: 10 };
  if (ref.kind === 'synthetic') return { name: `the ${ref.name} set`, inputShape: [2], classes: ref.name === 'xor' ? 2 : ref.classes };
  if (ref.kind === 'sequence') return sequenceRefShape(ref);
  return { name: `the dataset "${ref.name}"`, inputShape: [...ref.inputShape], classes: ref.classes, ...(ref.vocabulary !== undefined ? { vocabulary: ref.vocabulary } : {}) };
}

/** How the engine splits a dataset (train / validation / test counts). */
export function datasetRefSplit(ref: DatasetRef): { train: number; validation: number; test: number; seed: string } {
  if (ref.kind === 'mnist') return { train: ref.trainSamples ?? MNIST_TRAIN_DIGITS, validation: 1000, test: 1000, seed: 'fixed' };
  if (ref.kind === 'synthetic' || ref.kind === 'sequence') {
    const val = Math.round(ref.samples * 0.1);
    return { train: ref.samples - 2 * val, validation: val, test: val, seed: 'fixed' };
  }
  return { ...ref.counts, seed: 'fixed' };
}

export const DatasetRefSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('mnist'),
      trainSamples: z
        .number({ error: `must be an integer in [10, ${MNIST_TRAIN_DIGITS}]` })
        .int({ error: `must be an integer in [10, ${MNIST_TRAIN_DIGITS}]` })
        .min(10, { error: `must be an integer in [10, ${MNIST_TRAIN_DIGITS}]` })
        .max(MNIST_TRAIN_DIGITS, { error: `must be an integer in [10, ${MNIST_TRAIN_DIGITS}]` })
        .optional(),
    }),
    z.strictObject({
      kind: z.literal('synthetic'),
      name: z.enum(SYNTHETIC_SETS, { error: `must be one of ${SYNTHETIC_SETS.join(', ')}` }),
      samples: z.number().int().min(30, { error: 'must be an integer >= 30' }).max(1_000_000, { error: 'must be at most 1000000' }),
      classes: z.number().int().min(2, { error: 'must be an integer >= 2' }).max(10, { error: 'must be at most 10' }),
      noise: z.number().min(0, { error: 'must be >= 0' }).max(1, { error: 'must be at most 1' }),
    }),
    SequenceRefSchema,
    ...FILE_DATASET_KINDS.map((kind) =>
      z
        .strictObject({
          kind: z.literal(kind),
          name: z
            .string()
            .min(1, { error: 'must not be empty' })
            .max(200, { error: 'must be at most 200 characters' })
            .superRefine((name, ctx) => {
              const problem = unsafeCharProblem(name);
              if (problem) ctx.addIssue({ code: 'custom', message: problem });
            }),
          fingerprint: z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a sha256 in hex' }),
          file: z.string().min(1, { error: 'must not be empty' }).max(4096, { error: 'must be at most 4096 characters' }),
          inputShape: z.array(z.number().int().min(1)).min(1).max(3),
          vocabulary: z.number().int().min(2).optional(),
          classes: z.number().int().min(1, { error: 'must be an integer >= 1' }),
          task: z.enum(['classification', 'regression']),
          counts: z.strictObject({ train: z.number().int().min(1), validation: z.number().int().min(0), test: z.number().int().min(0) }),
          known: z.enum(KNOWN_DATASET_IDS, { error: `must be one of ${KNOWN_DATASET_IDS.join(', ')}` }).optional(),
        })
        .superRefine((ref, ctx) => {
          // Only the prepared file an import wrote may be read for a run: a ref (from the API or a bundle)
          // cannot point the trainer at /dev/zero or any other file.
          const name = ref.file.split(/[\\/]/);
          if (name[name.length - 1] !== `${ref.fingerprint}.lwds` || name[name.length - 2] !== 'datasets') {
            ctx.addIssue({ code: 'custom', path: ['file'], message: 'must be the prepared file <data folder>/datasets/<fingerprint>.lwds', input: ref.file });
          }
        }),
    ),
  ],
  { error: `kind must be one of mnist, synthetic, sequence, ${FILE_DATASET_KINDS.join(', ')}` },
) satisfies z.ZodType<DatasetRef>;
