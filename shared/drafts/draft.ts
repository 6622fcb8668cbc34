// A project's draft: the experiment the user is setting up (model, tricks, data, epochs, batch size, seed
// policy), kept as typed — values being fixed included — and saved on every edit. Only the user's own edits
// and the explicit "Use these settings" of a run change it: opening a project, an ablation, a seed repeat, a
// lesson or a resume never do. Train reads the run's config from it (the seed from the seed policy).
import { z } from 'zod';
import { DatasetRefSchema, type DatasetRef } from '../data/dataset-ref.js';
import type { ModelSpec } from '../spec/model-spec.js';
import { DEFAULT_OPTIMIZER, defaultParams, LIMITS, type TrainingConfig } from '../tricks/config.js';
import { findTrick } from '../tricks/registry.js';

/** `fixed`: every Train uses this seed (reproducible); `fresh`: each Train takes a seed no run of the project used. */
export type SeedPolicy = { kind: 'fixed'; seed: number } | { kind: 'fresh' };
export const SEED_POLICY_KINDS = ['fixed', 'fresh'] as const;

/** A trick parameter as typed: a value the descriptor may still refuse, or null for a cleared field. */
export type DraftParamValue = number | string | boolean | null;

/** The run settings as typed (null: a cleared or non-numeric field); the seed lives in the seed policy. */
export interface DraftConfig {
  epochs: number | null;
  batchSize: number | null;
  /** A trick is on when its id is a key. */
  tricks: Record<string, Record<string, DraftParamValue>>;
}

export interface ProjectDraft {
  projectId: number;
  /** The model as edited: it may fail the check while the user fixes it; null before a model is started. */
  spec: ModelSpec | null;
  config: DraftConfig;
  /** null until the user (or the preset the project came from) picks data. */
  dataset: DatasetRef | null;
  seedPolicy: SeedPolicy;
  /** When it was last saved; null for a draft made from the project's records that has not been saved yet. */
  updatedAt: string | null;
}

/** What `drafts.save` takes: the whole draft but its project and timestamp. */
export type DraftInput = Omit<ProjectDraft, 'projectId' | 'updatedAt'>;

/** Epochs a first run of a new project gets: enough to see the curves move, quick enough to wait for. */
export const FIRST_RUN_EPOCHS = 3;
export const DEFAULT_BATCH_SIZE = 64;
export const DEFAULT_SEED = 1;
/** Tricks a draft may hold at most (the registry has ~30; a config with more is not a draft but an attack). */
const MAX_DRAFT_TRICKS = 100;
const MAX_DRAFT_PARAMS = 50;

const seedError = { error: `must be an integer in [${LIMITS.seed.min}, ${LIMITS.seed.max}]` };
const seed = z.number(seedError).int(seedError).min(LIMITS.seed.min, seedError).max(LIMITS.seed.max, seedError);

export const SeedPolicySchema = z.discriminatedUnion(
  'kind',
  [z.strictObject({ kind: z.literal('fixed'), seed }), z.strictObject({ kind: z.literal('fresh') })],
  { error: 'kind must be fixed or fresh' },
);

// A typed value may be anything a field can hold; it is checked when the draft becomes a run (Train).
const typedNumber = z.number({ error: 'must be a number or null' }).nullable();
const paramValue = z.union([z.number(), z.string().max(200), z.boolean(), z.null()], { error: 'must be a number, string, boolean or null' });
const key = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(100, { error: 'must be at most 100 characters' });

export const DraftConfigSchema = z.strictObject({
  epochs: typedNumber,
  batchSize: typedNumber,
  tricks: z
    .record(key, z.record(key, paramValue, { error: 'must be an object of parameters' }).refine((p) => Object.keys(p).length <= MAX_DRAFT_PARAMS, { error: `must hold at most ${MAX_DRAFT_PARAMS} parameters` }), {
      error: 'must be an object of trick ids',
    })
    .refine((t) => Object.keys(t).length <= MAX_DRAFT_TRICKS, { error: `must hold at most ${MAX_DRAFT_TRICKS} tricks` }),
});

/** The draft as `drafts.save` checks it: the model only as far as "an object" (it is saved while broken, too). */
export const DraftInputSchema = z.strictObject({
  spec: z
    .custom<ModelSpec>((v) => v !== null && typeof v === 'object' && !Array.isArray(v) && Array.isArray((v as { layers?: unknown }).layers), {
      error: 'must be a model spec (an object with a layers list) or null',
    })
    .nullable(),
  config: DraftConfigSchema,
  dataset: DatasetRefSchema.nullable(),
  seedPolicy: SeedPolicySchema,
});

/** The draft settings of a training config (its seed becomes a fixed seed policy). */
export function draftFromConfig(config: TrainingConfig): { config: DraftConfig; seedPolicy: SeedPolicy } {
  return {
    config: { epochs: config.epochs, batchSize: config.batchSize, tricks: JSON.parse(JSON.stringify(config.tricks)) as DraftConfig['tricks'] },
    seedPolicy: { kind: 'fixed', seed: config.seed },
  };
}

/** A blank project's settings: Adam with its defaults, a short first run, seed 1. */
export function defaultDraftConfig(): DraftConfig {
  return { epochs: FIRST_RUN_EPOCHS, batchSize: DEFAULT_BATCH_SIZE, tricks: { [DEFAULT_OPTIMIZER]: defaultParams(findTrick(DEFAULT_OPTIMIZER)!) } };
}

/**
 * The seed the next Train uses: the fixed one, or for `fresh` one more than the largest seed any run of the
 * project used (readable, and never a repeat of a seed already seen there).
 */
export function seedFor(policy: SeedPolicy, usedSeeds: readonly number[]): number {
  if (policy.kind === 'fixed') return policy.seed;
  const top = usedSeeds.reduce((a, b) => Math.max(a, b), LIMITS.seed.min - 1);
  return top < LIMITS.seed.max ? top + 1 : LIMITS.seed.min;
}
