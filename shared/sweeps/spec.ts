// A sweep spec: which settings to vary around a base run, how to pick the next values (grid, seeded random,
// TPE), the budget, early pruning by ASHA and how many trainers run at once. One JSON shape for the CLI's
// SPEC.json, the API's `sweeps.start` and the studio's form; this file checks its structure, ./plan.ts checks it
// against the base (paths that exist, values the tricks and layers allow). Errors name the field, the value and
// what is allowed: `parameters[0].max must be greater than min (0.1) (got 0.01)`.
import { z } from 'zod';
import { DatasetRefSchema } from '../data/dataset-ref.js';
import { BACKEND_NAMES } from '../protocol/training.js';
import { formatIssues, type SpecError } from '../spec/errors.js';
import type { ParseResult } from '../spec/schema.js';

export const SWEEP_METHODS = ['grid', 'random', 'tpe'] as const;
export type SweepMethod = (typeof SWEEP_METHODS)[number];

/** What a sweep optimises: validation loss (lower is better) or validation accuracy (higher is better). */
export const SWEEP_OBJECTIVES = ['valLoss', 'valAccuracy'] as const;
export type SweepObjective = (typeof SWEEP_OBJECTIVES)[number];

export const PRUNING_METHODS = ['none', 'asha'] as const;

/** A sweep runs, was stopped (resumable: `sweeps.resume`, `layerwise sweep resume ID`), or is done. */
export const SWEEP_STATUSES = ['running', 'stopped', 'completed'] as const;
export type SweepStatus = (typeof SWEEP_STATUSES)[number];

/**
 * A trial's state on the sweep's side. Mostly its run's status, plus `pruned`: ASHA stopped it at a rung (its run
 * is `stopped`, like any run stopped early, and the sweep records why). `interrupted`: its run was cut short by a
 * host that went away or by stopping the sweep; the sweep continues it from its checkpoint when it resumes.
 * `failed` without a run: the drawn values made a model or config that cannot train (the error says why).
 */
export const TRIAL_STATES = ['queued', 'running', 'completed', 'pruned', 'stopped', 'diverged', 'failed', 'interrupted'] as const;
export type TrialState = (typeof TRIAL_STATES)[number];
export const ACTIVE_TRIAL_STATES = ['queued', 'running'] as const satisfies readonly TrialState[];
export const DONE_TRIAL_STATES = ['completed', 'pruned', 'stopped', 'diverged', 'failed'] as const satisfies readonly TrialState[];
export const isActiveTrialState = (s: string): boolean => (ACTIVE_TRIAL_STATES as readonly string[]).includes(s);
export const isDoneTrialState = (s: string): boolean => (DONE_TRIAL_STATES as readonly string[]).includes(s);

export const SWEEP_LIMITS = {
  runs: { min: 1, max: 1000 },
  parameters: { max: 20 },
  values: { max: 100 },
  grid: { min: 2, max: 100 },
  /** Grid points in all (the product over parameters). */
  gridPoints: { max: 10_000 },
  minutes: { max: 7 * 24 * 60 },
  concurrency: { min: 1, max: 16 },
  eta: { min: 2, max: 10 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  tpeStartup: { min: 1, max: 100 },
  tpeCandidates: { min: 1, max: 1000 },
} as const;

export type SweepValue = number | string | boolean;

const intIn = (min: number, max: number) =>
  z
    .number({ error: `must be an integer in [${min}, ${max}]` })
    .int({ error: `must be an integer in [${min}, ${max}]` })
    .min(min, { error: `must be an integer in [${min}, ${max}]` })
    .max(max, { error: `must be an integer in [${min}, ${max}]` });

const finite = z.number({ error: 'must be a finite number' }).refine(Number.isFinite, { error: 'must be a finite number' });

const scalar = z.union([finite, z.string().min(1).max(100), z.boolean()], { error: 'must be a number, a string of 1-100 characters or true/false' });

const PATH_HELP = 'a parameter path such as tricks.adam.learningRate, tricks.dropout, choice.optimizer, layers[1].units, repeat(layers[1..2]), seed or batchSize';

const ParameterSchema = z
  .strictObject({
    path: z.string({ error: `must be ${PATH_HELP}` }).min(1, { error: `must be ${PATH_HELP}` }).max(200, { error: 'must be at most 200 characters' }),
    /** The values to try (a list: grid points, or categories for random search and TPE). */
    values: z.array(scalar, { error: 'must be a list of values' }).min(1, { error: 'must list at least one value' }).max(SWEEP_LIMITS.values.max, { error: `must list at most ${SWEEP_LIMITS.values.max} values` }).optional(),
    /** Or a range: min and max (inclusive). */
    min: finite.optional(),
    max: finite.optional(),
    /** Sample the range on a log scale (learning rates, penalties). */
    log: z.boolean({ error: 'must be true or false' }).optional(),
    /** Whole numbers only (units, filters). */
    int: z.boolean({ error: 'must be true or false' }).optional(),
    /** For a grid over a range: this many points, evenly spaced (on the log scale when `log`). */
    grid: intIn(SWEEP_LIMITS.grid.min, SWEEP_LIMITS.grid.max).optional(),
  })
  .superRefine((p, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const range = p.min !== undefined || p.max !== undefined;
    if (p.values !== undefined && range) issue('values', 'cannot be given together with min/max: give a list of values or a range');
    if (p.values === undefined && !range) ctx.addIssue({ code: 'custom', path: [], message: 'needs `values` (a list) or `min` and `max` (a range)' });
    if (p.values !== undefined) {
      for (const key of ['log', 'int', 'grid'] as const) if (p[key] !== undefined) issue(key, 'applies only to a min/max range, not to a list of values');
      const types = new Set(p.values.map((v) => typeof v));
      if (types.size > 1) issue('values', 'must be all numbers, all strings or all true/false');
      if (new Set(p.values.map((v) => JSON.stringify(v))).size !== p.values.length) issue('values', 'must not list a value twice');
    }
    if (range) {
      if (p.min === undefined) issue('min', 'is required with max');
      if (p.max === undefined) issue('max', 'is required with min');
      if (p.min !== undefined && p.max !== undefined && !(p.max > p.min)) issue('max', `must be greater than min (${p.min})`);
      if (p.log && p.min !== undefined && p.min <= 0) issue('min', 'must be > 0 on a log scale');
      if (p.int) {
        if (p.min !== undefined && !Number.isInteger(p.min)) issue('min', 'must be an integer when int is true');
        if (p.max !== undefined && !Number.isInteger(p.max)) issue('max', 'must be an integer when int is true');
      }
    }
  });

const id = z.number({ error: 'must be a positive integer' }).int({ error: 'must be a positive integer' }).min(1, { error: 'must be a positive integer' });

/**
 * What every trial starts from: a preset, a recorded run or model version, or a spec, dataset and config given
 * in full (the studio's form sends the editor's). `epochs` overrides the config's epochs (the most a trial
 * trains; ASHA's rungs lie below it).
 */
const BaseSchema = z
  .strictObject({
    preset: z.string({ error: 'must be a preset id' }).min(1, { error: 'must be a preset id' }).max(100, { error: 'must be at most 100 characters' }).optional(),
    runId: id.optional(),
    modelVersionId: id.optional(),
    spec: z.unknown().optional(),
    dataset: DatasetRefSchema.optional(),
    config: z.unknown().optional(),
    epochs: intIn(1, 10_000).optional(),
    /** Where a resolved base came from (kept with a stored sweep, for display). */
    from: z.strictObject({ preset: z.string().max(100).optional(), runId: id.optional(), modelVersionId: id.optional() }).optional(),
  })
  .superRefine((b, ctx) => {
    const sources = (['preset', 'runId', 'modelVersionId', 'spec'] as const).filter((k) => b[k] !== undefined);
    if (sources.length !== 1) {
      ctx.addIssue({ code: 'custom', path: [], message: `must name exactly one of preset, runId, modelVersionId or spec (got ${sources.length ? sources.join(' and ') : 'none'})` });
    }
    if ((b.spec !== undefined || b.modelVersionId !== undefined) && b.dataset === undefined) ctx.addIssue({ code: 'custom', path: ['dataset'], message: 'is required with spec or modelVersionId' });
    if ((b.spec !== undefined || b.modelVersionId !== undefined) && b.config === undefined) ctx.addIssue({ code: 'custom', path: ['config'], message: 'is required with spec or modelVersionId' });
  });

const PruningSchema = z.discriminatedUnion(
  'method',
  [
    z.strictObject({ method: z.literal('none') }),
    z.strictObject({
      method: z.literal('asha'),
      /** r: the first rung, in epochs. Rungs are at r, rη, rη², … below the base's epochs. */
      minEpochs: intIn(1, 10_000).optional(),
      /** η: at each rung about 1/η of the trials go on. */
      eta: intIn(SWEEP_LIMITS.eta.min, SWEEP_LIMITS.eta.max).optional(),
    }),
  ],
  { error: 'method must be none or asha' },
);

export const SweepSpecSchema = z
  .strictObject({
    name: z.string({ error: 'must be a string' }).max(200, { error: 'must be at most 200 characters' }).refine((s) => s.trim().length > 0, { error: 'must not be empty' }).optional(),
    base: BaseSchema,
    method: z.enum(SWEEP_METHODS, { error: `must be one of ${SWEEP_METHODS.join(', ')}` }),
    /** Seeds the sampling (random, TPE, the grid's order); trials' training seeds are the base's unless `seed` is a parameter. */
    seed: intIn(SWEEP_LIMITS.seed.min, SWEEP_LIMITS.seed.max).optional(),
    parameters: z
      .array(ParameterSchema, { error: 'must be a list of parameters' })
      .min(1, { error: 'must list at least one parameter' })
      .max(SWEEP_LIMITS.parameters.max, { error: `must list at most ${SWEEP_LIMITS.parameters.max} parameters` }),
    budget: z
      .strictObject({
        /** Trials in all (pruned and failed ones count). */
        runs: intIn(SWEEP_LIMITS.runs.min, SWEEP_LIMITS.runs.max).optional(),
        /** Wall time the sweep runs (stopped time does not count); running trials then finish, no new one starts. */
        minutes: z
          .number({ error: `must be a number of minutes in (0, ${SWEEP_LIMITS.minutes.max}]` })
          .gt(0, { error: `must be a number of minutes in (0, ${SWEEP_LIMITS.minutes.max}]` })
          .max(SWEEP_LIMITS.minutes.max, { error: `must be a number of minutes in (0, ${SWEEP_LIMITS.minutes.max}]` })
          .optional(),
      })
      .optional(),
    pruning: PruningSchema.optional(),
    objective: z.enum(SWEEP_OBJECTIVES, { error: `must be one of ${SWEEP_OBJECTIVES.join(', ')}` }).optional(),
    /** Trials training at once (default: one per core; see the CLI's --concurrency). */
    concurrency: intIn(SWEEP_LIMITS.concurrency.min, SWEEP_LIMITS.concurrency.max).optional(),
    tpe: z
      .strictObject({
        /** Trials drawn at random before TPE models the results. */
        startupTrials: intIn(SWEEP_LIMITS.tpeStartup.min, SWEEP_LIMITS.tpeStartup.max).optional(),
        /** Candidates drawn from the good trials' density; the one with the best ratio l(x)/g(x) is tried. */
        candidates: intIn(SWEEP_LIMITS.tpeCandidates.min, SWEEP_LIMITS.tpeCandidates.max).optional(),
        /** The fraction of trials counted as good. */
        gamma: z.number({ error: 'must be a number in (0, 1)' }).gt(0, { error: 'must be a number in (0, 1)' }).lt(1, { error: 'must be a number in (0, 1)' }).optional(),
      })
      .optional(),
    backend: z.enum(['auto', ...BACKEND_NAMES], { error: `must be one of auto, ${BACKEND_NAMES.join(', ')}` }).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.method !== 'grid' && s.budget?.runs === undefined && s.budget?.minutes === undefined) {
      ctx.addIssue({ code: 'custom', path: ['budget'], message: `needs runs or minutes for ${s.method} search (it could go on for ever)` });
    }
    if (s.tpe !== undefined && s.method !== 'tpe') ctx.addIssue({ code: 'custom', path: ['tpe'], message: `applies only to method tpe (method is ${s.method})` });
    const seen = new Map<string, number>();
    s.parameters.forEach((p, i) => {
      const key = p.path.replace(/\s+/g, '');
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['parameters', i, 'path'], message: `repeats parameters[${seen.get(key)}]` });
      else seen.set(key, i);
    });
  });

/** A sweep spec as written (optional fields may be left out). */
export type SweepSpecInput = z.input<typeof SweepSpecSchema>;
export type SweepParameterInput = z.input<typeof ParameterSchema>;
export type SweepBaseInput = z.input<typeof BaseSchema>;
type Parsed = z.output<typeof SweepSpecSchema>;

/** Checks a sweep spec's structure; errors name the path and the value. */
export function parseSweepSpec(input: unknown): ParseResult<Parsed> {
  const parsed = SweepSpecSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: formatIssues(parsed.error.issues, input) };
  return { ok: true, value: parsed.data };
}

export type ParsedSweepSpec = Parsed;

/** Prefixes errors with the field they came from (`spec.` in an API call). */
export function prefixErrors(root: string, errors: readonly SpecError[]): SpecError[] {
  return errors.map((e) => (e.path ? { path: `${root}.${e.path}`, message: `${root}.${e.message}` } : { path: root, message: `${root}: ${e.message}` }));
}
