// The training config: run settings plus the tricks that are on, each with every parameter filled in.
// It round-trips through JSON unchanged: `parseTrainingConfig(JSON.parse(JSON.stringify(c)))` is `c`.
import { z } from 'zod';
import { formatIssues, specError, type SpecError } from '../spec/errors.js';
import type { ParseResult } from '../spec/schema.js';
import { checkParam, type ParamsOf, type ParamValue, type TrickChoice, type TrickDescriptor } from './descriptor.js';
import { findTrick, TRICKS, type TrickId } from './registry.js';

/** Any trick's parameters, for code that handles every trick alike (diffs, the editor). */
export type TrickParams = Record<string, ParamValue>;

/** Each trick's parameters, typed from its descriptor: `TrickParamsOf<'adam'>` is `{ learningRate: number; … }`. */
export type TrickParamsOf<Id extends TrickId> = ParamsOf<Extract<(typeof TRICKS)[number], { id: Id }>>;

/** The tricks that are on: a trick is on when its id is a key here. */
export type TrickSettings = { [Id in TrickId]?: TrickParamsOf<Id> };

export interface TrainingConfig {
  epochs: number;
  batchSize: number;
  seed: number;
  tricks: TrickSettings;
}

/** The parameters of a trick by its id, for code that handles every trick alike (undefined: it is off). */
export function paramsOf(config: TrainingConfig, id: string): TrickParams | undefined {
  return (config.tricks as Partial<Record<string, TrickParams>>)[id];
}

/** The optimizer used when a config names none. */
export const DEFAULT_OPTIMIZER: TrickId = 'adam';

export const LIMITS = {
  epochs: { min: 1, max: 10_000 },
  batchSize: { min: 1, max: 65_536 },
  seed: { min: 0, max: 2 ** 31 - 1 },
} as const;

const intIn = (min: number, max: number) =>
  z
    .number({ error: `must be an integer in [${min}, ${max}]` })
    .int({ error: `must be an integer in [${min}, ${max}]` })
    .min(min, { error: `must be an integer in [${min}, ${max}]` })
    .max(max, { error: `must be an integer in [${min}, ${max}]` });

const OuterSchema = z.strictObject({
  epochs: intIn(LIMITS.epochs.min, LIMITS.epochs.max),
  batchSize: intIn(LIMITS.batchSize.min, LIMITS.batchSize.max),
  seed: intIn(LIMITS.seed.min, LIMITS.seed.max),
  tricks: z.record(z.string(), z.unknown(), { error: 'must be an object of trick ids' }).optional(),
});

export function defaultParams(trick: TrickDescriptor): TrickParams {
  return Object.fromEntries(Object.entries(trick.params).map(([key, p]) => [key, p.default]));
}

const CHOICE_NOUNS: Record<TrickChoice, string> = {
  inputScaling: 'input scalings',
  init: 'initialisations',
  optimizer: 'optimizers',
  lrSchedule: 'learning-rate decay schedules',
};

/** Validates a config and fills in every default; errors name the path and the value. */
export function parseTrainingConfig(input: unknown): ParseResult<TrainingConfig> {
  const outer = OuterSchema.safeParse(input, { reportInput: true });
  if (!outer.success) return { ok: false, errors: formatIssues(outer.error.issues, input) };
  const errors: SpecError[] = [];
  // Filled only with parameters checked against their descriptor (parseTrickParams), which is what makes the
  // typed view of TrickSettings true.
  const tricks: Partial<Record<TrickId, TrickParams>> = {};

  for (const [id, raw] of Object.entries(outer.data.tricks ?? {})) {
    const trick = findTrick(id);
    if (!trick) {
      errors.push(specError(['tricks', id], 'is not a known trick (`layerwise tricks` lists them)', undefined, false));
      continue;
    }
    const params = parseTrickParams(trick, raw, errors);
    if (params) tricks[trick.id as TrickId] = params;
  }

  const byChoice = new Map<TrickChoice, string[]>();
  for (const trick of TRICKS) {
    if (trick.choice && trick.id in tricks) byChoice.set(trick.choice, [...(byChoice.get(trick.choice) ?? []), trick.id]);
  }
  for (const [choice, ids] of byChoice) {
    if (ids.length > 1) {
      errors.push(
        specError(['tricks'], `turns on ${ids.join(' and ')}, but they are alternative ${CHOICE_NOUNS[choice]}: keep one`, undefined, false),
      );
    }
  }
  if (!byChoice.has('optimizer')) tricks[DEFAULT_OPTIMIZER] = defaultParams(findTrick(DEFAULT_OPTIMIZER)!);
  const typed = tricks as TrickSettings;

  const { epochs } = outer.data;
  const averaged = typed.weightAveraging?.lastEpochs;
  if (averaged !== undefined && averaged > epochs) {
    errors.push(specError(['tricks', 'weightAveraging', 'lastEpochs'], `must be at most epochs (${epochs})`, averaged));
  }
  const warmup = typed.lrWarmup?.epochs;
  if (warmup !== undefined && warmup >= epochs) {
    errors.push(specError(['tricks', 'lrWarmup', 'epochs'], `must be less than epochs (${epochs})`, warmup));
  }

  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { epochs, batchSize: outer.data.batchSize, seed: outer.data.seed, tricks: typed } };
}

function parseTrickParams(trick: TrickDescriptor, raw: unknown, errors: SpecError[]): TrickParams | null {
  // `true` is shorthand for "on, with the defaults".
  if (raw === true) return defaultParams(trick);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    errors.push(specError(['tricks', trick.id], 'must be an object of parameters or true', raw));
    return null;
  }
  const params = defaultParams(trick);
  let ok = true;
  for (const [key, value] of Object.entries(raw)) {
    const param = trick.params[key];
    const path = ['tricks', trick.id, key];
    if (!param) {
      const known = Object.keys(trick.params);
      const hint = known.length ? `parameters: ${known.join(', ')}` : 'it takes no parameters';
      errors.push(specError(path, `is not a parameter of ${trick.id} (${hint})`, undefined, false));
      ok = false;
      continue;
    }
    // A value older configs stored as a boolean reads as the option that behaves as it did.
    if (param.kind === 'enum' && param.fromBoolean && typeof value === 'boolean') {
      params[key] = param.fromBoolean[value ? 'true' : 'false'];
      continue;
    }
    const problem = checkParam(param, value);
    if (problem) {
      errors.push(specError(path, problem, value));
      ok = false;
      continue;
    }
    params[key] = value as ParamValue;
  }
  return ok ? params : null;
}

/**
 * Applies CLI/UI-style assignments to a config: `adam.learningRate=0.01` sets a parameter (turning the
 * trick on), `dropout` or `dropout=on` turns a trick on with its defaults, `dropout=off` turns it off.
 * Turning on one of a choice (an optimizer, say) turns the config's other one off. Within one list of
 * assignments nothing may contradict another, since only one of them could win: two tricks of one choice
 * (`sgd` and `adam`), one parameter given twice, or a trick turned both on and off is an error.
 */
export function applyTrickAssignments(
  config: TrainingConfig,
  assignments: readonly string[],
): ParseResult<TrainingConfig> {
  const tricks: Record<string, unknown> = JSON.parse(JSON.stringify(config.tricks)) as Record<string, unknown>;
  const errors: SpecError[] = [];
  const chosen = new Map<TrickChoice, string>();
  const switched = new Map<string, 'on' | 'off'>();
  const given = new Map<string, string>();
  const turnOn = (trick: TrickDescriptor) => {
    if (trick.choice) {
      const other = chosen.get(trick.choice);
      if (other !== undefined && other !== trick.id) {
        errors.push(specError(['trick'], `turns on both ${other} and ${trick.id}, which are alternative ${CHOICE_NOUNS[trick.choice]}: keep one`, undefined, false));
        return false;
      }
      chosen.set(trick.choice, trick.id);
    }
    if (trick.id in tricks) return true;
    if (trick.choice) for (const other of TRICKS) if (other.choice === trick.choice) delete tricks[other.id];
    tricks[trick.id] = defaultParams(trick);
    return true;
  };
  const setSwitch = (trick: TrickDescriptor, state: 'on' | 'off') => {
    const before = switched.get(trick.id);
    if (before !== undefined && before !== state) {
      errors.push(specError(['trick', trick.id], 'is turned both on and off: keep one', undefined, false));
      return false;
    }
    switched.set(trick.id, state);
    return true;
  };
  for (const assignment of assignments) {
    const match = /^([A-Za-z0-9]+)(?:\.([A-Za-z0-9]+))?(?:=(.*))?$/.exec(assignment.trim());
    const trick = match ? findTrick(match[1]!) : undefined;
    if (!match || !trick) {
      errors.push(specError(['trick'], 'must be trickId, trickId=on|off or trickId.param=value', assignment));
      continue;
    }
    const [, , param, value] = match;
    if (!param) {
      if (value === 'off') {
        if (setSwitch(trick, 'off')) delete tricks[trick.id];
      } else if (value === undefined || value === 'on') {
        if (setSwitch(trick, 'on')) turnOn(trick);
      } else errors.push(specError(['trick', trick.id], 'must be on or off', value));
      continue;
    }
    if (value === undefined) {
      errors.push(specError(['trick', `${trick.id}.${param}`], 'needs a value: write param=value', undefined, false));
      continue;
    }
    const key = `${trick.id}.${param}`;
    const earlier = given.get(key);
    if (earlier !== undefined) {
      errors.push(specError(['trick', key], `is given twice (${earlier} and ${value}): give it once`, undefined, false));
      continue;
    }
    given.set(key, value);
    if (!setSwitch(trick, 'on') || !turnOn(trick)) continue;
    (tricks[trick.id] as Record<string, unknown>)[param] = parseScalar(value);
  }
  if (errors.length) return { ok: false, errors };
  return parseTrainingConfig({ ...config, tricks });
}

function parseScalar(text: string): ParamValue {
  if (text === 'true') return true;
  if (text === 'false') return false;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}
