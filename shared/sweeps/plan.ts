// A sweep spec checked against its base: every path leads somewhere in the base model or config, every value a
// trial can draw at the ends of its range makes a model and config that can train on the data, a grid is finite,
// pruning has rungs. The result is the plan the sweep runs (and the normalised spec it stores), and the two pure
// steps a sweep takes per trial: which values to try next, and the model and config they make.
import type { DatasetRef } from '../data/dataset-ref.js';
import { datasetRefShape } from '../data/dataset-ref.js';
import { formatValue, specError, type SpecError } from '../spec/errors.js';
import { checkModelSpec, inferModel } from '../spec/inference.js';
import type { ModelSpec } from '../spec/model-spec.js';
import type { ParseResult } from '../spec/schema.js';
import { parseTrainingConfig, type TrainingConfig } from '../tricks/config.js';
import { expandSpec } from '../tricks/expand.js';
import { ashaRungs, lossOf } from './asha.js';
import { RNG_PURPOSE, trialRng } from './rng.js';
import { gridPoint, gridSize, gridValues, randomPoint, type Domain, type TrialParams } from './space.js';
import { prefixErrors, SWEEP_LIMITS, type ParsedSweepSpec, type SweepMethod, type SweepObjective, type SweepParameterInput, type SweepValue, type TrialState } from './spec.js';
import { applyAssignments, choiceTricks, layerExists, listAt, parseTarget, type Target } from './targets.js';
import { tpeSuggest, TPE_DEFAULTS, type TpeObservation } from './tpe.js';

export interface SweepBase {
  spec: ModelSpec;
  dataset: DatasetRef;
  config: TrainingConfig;
  from?: { preset?: string; runId?: number; modelVersionId?: number };
}

/** A sweep spec as stored: the base inline and resolved, every default filled in. It parses as a spec again. */
export interface SweepSpec {
  name: string;
  base: SweepBase;
  method: SweepMethod;
  seed: number;
  parameters: SweepParameterInput[];
  budget: { runs?: number; minutes?: number };
  pruning: { method: 'none' } | { method: 'asha'; minEpochs: number; eta: number };
  objective: SweepObjective;
  concurrency?: number;
  tpe?: { startupTrials: number; candidates: number; gamma: number };
  backend: string;
}

export interface SweepParameter {
  /** The path as written, without spaces: the key of the parameter in every trial's values. */
  key: string;
  target: Target;
  domain: Domain;
}

export interface SweepPlan {
  spec: SweepSpec;
  parameters: SweepParameter[];
  /** Trials the sweep makes at most (the grid's size when smaller than the budget). */
  maxRuns: number;
  /** Grid points in all (grid search), else null. */
  gridSize: number | null;
  /** Epochs (from 1) at which ASHA judges trials; empty without pruning. */
  rungs: number[];
  /** min for valLoss, max for valAccuracy. */
  direction: 'min' | 'max';
  /** TPE: trials drawn at random first. */
  startupTrials: number;
}

/** A spec's model checked against the data: the input shape and the number of classes. */
export function fitErrors(spec: ModelSpec, config: TrainingConfig, dataset: DatasetRef): SpecError[] {
  const { name, inputShape, classes } = datasetRefShape(dataset);
  const input = spec.layers[0];
  if (input?.type === 'input' && input.shape.join() !== inputShape.join()) {
    return [{ path: 'layers[0].shape', message: `layers[0].shape must be [${inputShape.join(', ')}] to take ${name} (got [${input.shape.join(', ')}])` }];
  }
  const info = inferModel(expandSpec(spec, config));
  if (info.errors.length) return info.errors;
  const out = info.outputShape;
  if (!out || out.length !== 1 || out[0] !== classes) {
    return [{ path: 'layers', message: `the model outputs [${out?.join(', ') ?? '?'}] but ${name} has ${classes} classes: the last layer needs ${classes} units` }];
  }
  return [];
}

/** The default TPE start: a quarter of the budget at random, between 2 and 10 trials. */
export function defaultStartupTrials(maxRuns: number): number {
  return Math.min(10, Math.max(2, Math.ceil(maxRuns / 4)));
}

/** Checks a parsed spec against its base (the base as given, inline); the plan or every error found. */
export function planSweep(parsed: ParsedSweepSpec, base: SweepBase): ParseResult<SweepPlan> {
  const errors: SpecError[] = [];
  const configInput = parsed.base.epochs === undefined ? base.config : { ...base.config, epochs: parsed.base.epochs };
  const config = parseTrainingConfig(configInput);
  if (!config.ok) errors.push(...prefixErrors('base.config', config.errors));
  const model = checkModelSpec(base.spec);
  if (!model.ok || !model.spec) errors.push(...prefixErrors('base.spec', model.errors.length ? model.errors : [specError([], 'is not a valid model spec', base.spec)]));
  if (errors.length || !config.ok || !model.spec) return { ok: false, errors };
  const resolved: SweepBase = { spec: model.spec, dataset: base.dataset, config: config.value, ...(base.from ? { from: base.from } : {}) };
  const fit = fitErrors(resolved.spec, resolved.config, resolved.dataset);
  if (fit.length) return { ok: false, errors: prefixErrors('base.spec', fit) };

  const parameters: SweepParameter[] = [];
  parsed.parameters.forEach((p, i) => {
    const at = (field: string | null, text: string, value?: unknown, show = value !== undefined) =>
      errors.push(specError(['parameters', i, ...(field ? [field] : [])], text, value, show));
    const target = parseTarget(p.path);
    if (typeof target === 'string') return at('path', target, p.path);
    const domain: Domain =
      p.values !== undefined
        ? { kind: 'choice', values: p.values }
        : { kind: p.int ? 'int' : 'float', min: p.min!, max: p.max!, log: p.log ?? false, grid: p.grid ?? null };
    const values = p.values ?? [];
    const key = p.path.replace(/\s+/g, '');
    if (target.kind === 'layer' && !layerExists(resolved.spec, target.path)) {
      return at('path', `leads to no layer of the base model (it has ${resolved.spec.layers.length} layers at the top)`, p.path);
    }
    if (target.kind === 'repeat') {
      const list = listAt(resolved.spec, target.list);
      if (!list) return at('path', 'names no list of layers in the base model', p.path);
      const first = target.list.length === 1 ? 1 : 0;
      if (target.from < first || target.to >= list.length) {
        return at('path', `must name layers ${first}..${list.length - 1} of that list${first ? ' (the input layer cannot repeat)' : ''}`, p.path);
      }
      const ints = domain.kind === 'choice' ? values.every((v) => Number.isInteger(v) && (v as number) >= 1) : domain.kind === 'int' && domain.min >= 1;
      if (!ints) return at(domain.kind === 'choice' ? 'values' : 'min', 'must be whole numbers >= 1 for a repeat (int: true for a range)', domain.kind === 'choice' ? values : p.min);
    }
    if (target.kind === 'trick' && !(domain.kind === 'choice' && values.every((v) => typeof v === 'boolean'))) {
      return at('values', `must be true and/or false: tricks.${target.trick} turns the trick on or off`, p.values);
    }
    if (target.kind === 'choice') {
      const { ids, allowsNone } = choiceTricks(target.choice);
      const allowed: string[] = [...ids, ...(allowsNone ? ['none'] : [])];
      const bad = domain.kind === 'choice' ? values.find((v) => typeof v !== 'string' || !allowed.includes(v)) : p.min;
      if (domain.kind !== 'choice' || bad !== undefined) return at('values', `must list tricks of ${target.choice}: ${allowed.join(', ')}`, bad ?? p.min);
    }
    if (target.kind === 'trickParam' && !(target.trick in resolved.config.tricks)) {
      const controlled = parsed.parameters.some((q) => {
        const t = parseTarget(q.path);
        if (typeof t === 'string') return false;
        return (t.kind === 'trick' && t.trick === target.trick) || (t.kind === 'choice' && choiceTricks(t.choice).ids.includes(target.trick));
      });
      if (!controlled) {
        return at('path', `sets a parameter of ${target.trick}, which is off in the base config: turn it on there, or add tricks.${target.trick} (or its choice) as a parameter`, p.path);
      }
    }
    // The ends of every range and every listed value, each alone over the base, must make a run that can train.
    const corners: [string, SweepValue][] =
      domain.kind === 'choice' ? values.map((v, j) => [`values[${j}]`, v]) : [['min', domain.min], ['max', domain.max]];
    // A parameter of a trick the base has off is checked with that trick on (another parameter turns it on).
    const cornerBase = target.kind === 'trickParam' && !(target.trick in resolved.config.tricks) ? withTrickOn(resolved, target.trick) : resolved;
    for (const [field, value] of corners) {
      const trial = materialize(cornerBase, [{ key, target, domain }], { [key]: value });
      if (!trial.ok) {
        const first = trial.errors[0]!;
        errors.push({ path: `parameters[${i}].${field}`, message: `parameters[${i}].${field}: ${key} = ${formatValue(value)} makes ${first.message}` });
        return;
      }
    }
    parameters.push({ key, target, domain });
  });
  if (errors.length) return { ok: false, errors };

  const method = parsed.method;
  let size: number | null = null;
  if (method === 'grid') {
    parameters.forEach((p, i) => {
      if (!gridValues(p.domain)) errors.push(specError(['parameters', i], 'needs `values`, or `grid` (points over the range), for a grid search', undefined, false));
    });
    if (errors.length) return { ok: false, errors };
    size = gridSize(parameters.map((p) => p.domain));
    if (size > SWEEP_LIMITS.gridPoints.max) return { ok: false, errors: [specError(['parameters'], `make a grid of ${size} points; at most ${SWEEP_LIMITS.gridPoints.max}`, undefined, false)] };
  }
  const epochs = resolved.config.epochs;
  let rungs: number[] = [];
  const pruningIn = parsed.pruning ?? { method: 'none' as const };
  let pruning: SweepSpec['pruning'] = { method: 'none' };
  if (pruningIn.method === 'asha') {
    const minEpochs = pruningIn.minEpochs ?? 1;
    const eta = pruningIn.eta ?? 3;
    rungs = ashaRungs(minEpochs, eta, epochs);
    if (!rungs.length) return { ok: false, errors: [specError(['pruning', 'minEpochs'], `must be less than the base's epochs (${epochs}) for any rung to exist`, minEpochs)] };
    pruning = { method: 'asha', minEpochs, eta };
  }
  const budgetRuns = parsed.budget?.runs;
  const maxRuns = method === 'grid' ? Math.min(size!, budgetRuns ?? size!) : (budgetRuns ?? SWEEP_LIMITS.runs.max);
  const startupTrials = method === 'tpe' ? (parsed.tpe?.startupTrials ?? defaultStartupTrials(maxRuns)) : 0;
  const spec: SweepSpec = {
    name: parsed.name?.trim() || `${method === 'tpe' ? 'TPE' : method} sweep of ${resolved.spec.name}`,
    base: resolved,
    method,
    seed: parsed.seed ?? 0,
    parameters: parsed.parameters.map((p) => ({ ...p, path: p.path.replace(/\s+/g, '') })),
    budget: { ...(budgetRuns !== undefined ? { runs: budgetRuns } : {}), ...(parsed.budget?.minutes !== undefined ? { minutes: parsed.budget.minutes } : {}) },
    pruning,
    objective: parsed.objective ?? 'valLoss',
    ...(parsed.concurrency !== undefined ? { concurrency: parsed.concurrency } : {}),
    ...(method === 'tpe'
      ? { tpe: { startupTrials, candidates: parsed.tpe?.candidates ?? TPE_DEFAULTS.candidates, gamma: parsed.tpe?.gamma ?? TPE_DEFAULTS.gamma } }
      : {}),
    backend: parsed.backend ?? 'auto',
  };
  return { ok: true, value: { spec, parameters, maxRuns, gridSize: size, rungs, direction: spec.objective === 'valLoss' ? 'min' : 'max', startupTrials } };
}

function withTrickOn(base: SweepBase, trick: Extract<Target, { kind: 'trickParam' }>['trick']): SweepBase {
  const applied = applyAssignments(base, [{ target: { kind: 'trick', trick }, value: true }]);
  const config = parseTrainingConfig(applied.config);
  return config.ok ? { ...base, config: config.value } : base;
}

export interface MaterializedTrial {
  spec: ModelSpec;
  config: TrainingConfig;
  /** Parameters whose value this trial does not use (their trick is off in it). */
  unused: string[];
}

/** The model and config a trial's values make, checked as a run would be; errors say why it cannot train. */
export function materialize(base: SweepBase, parameters: readonly SweepParameter[], values: TrialParams): ParseResult<MaterializedTrial> {
  const assignments = parameters.filter((p) => p.key in values).map((p) => ({ target: p.target, value: values[p.key]! }));
  const applied = applyAssignments(base, assignments);
  const used = parameters.filter((p) => p.key in values);
  const config = parseTrainingConfig(applied.config);
  if (!config.ok) return { ok: false, errors: prefixErrors('config', config.errors) };
  const model = checkModelSpec(applied.spec);
  if (!model.ok || !model.spec) return { ok: false, errors: model.errors.length ? model.errors : [specError([], 'is not a valid model spec', applied.spec)] };
  const fit = fitErrors(model.spec, config.value, base.dataset);
  if (fit.length) return { ok: false, errors: fit };
  return { ok: true, value: { spec: model.spec, config: config.value, unused: applied.unused.map((i) => used[i]!.key) } };
}

/** What the sweep knows of a trial when it picks the next values. */
export interface TrialHistory {
  number: number;
  params: TrialParams;
  state: TrialState;
  /** The objective's value (final for a completed trial, at its last rung for a pruned one); null if none. */
  objective: number | null;
  /** Epochs it trained. */
  epochs: number;
}

/** What TPE learns from the trials so far (those still training, or stopped before any result, teach nothing). */
export function observationsOf(history: readonly TrialHistory[], direction: 'min' | 'max'): TpeObservation[] {
  const out: TpeObservation[] = [];
  for (const t of history) {
    if (t.state === 'completed' && t.objective !== null) out.push({ params: t.params, value: lossOf(t.objective, direction), complete: true, epochs: t.epochs });
    else if (t.state === 'pruned' && t.objective !== null) out.push({ params: t.params, value: lossOf(t.objective, direction), complete: false, epochs: t.epochs });
    else if (t.state === 'diverged' || t.state === 'failed') out.push({ params: t.params, value: Infinity, complete: false, epochs: -1 });
  }
  return out;
}

/** The values trial `number` tries: a function of the plan and the stored trials only. */
export function suggest(plan: SweepPlan, number: number, history: readonly TrialHistory[]): TrialParams {
  const keys = plan.parameters.map((p) => p.key);
  const domains = plan.parameters.map((p) => p.domain);
  const { seed } = plan.spec;
  if (plan.spec.method === 'grid') return gridPoint(keys, domains, seed, number);
  if (plan.spec.method === 'random' || number < plan.startupTrials) return randomPoint(keys, domains, seed, number);
  const observations = observationsOf(history, plan.direction);
  if (observations.length < 2) return randomPoint(keys, domains, seed, number);
  const tpe = plan.spec.tpe!;
  return tpeSuggest(keys, domains, observations, trialRng(seed, number, RNG_PURPOSE.tpe), { candidates: tpe.candidates, gamma: tpe.gamma });
}
