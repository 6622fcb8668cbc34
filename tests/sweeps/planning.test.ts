// Planning a sweep, pure: the spec's checks, what a path changes in the base, grid and seeded random points, TPE
// against known optima, ASHA's decisions on fixed curves, and parameter importance.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPresets } from '../../core/presets/load.js';
import {
  applyAssignments,
  needsImport,
  ashaPromotes,
  ashaRungs,
  etaSquared,
  gridPoint,
  gridSize,
  materialize,
  parameterImportance,
  parseSweepSpec,
  parseTarget,
  parseTrainingConfig,
  planSweep,
  randomPoint,
  simulateAsha,
  suggest,
  type Domain,
  type ModelSpec,
  type SweepBase,
  type SweepPlan,
  type SweepSpecInput,
  type TrainingConfig,
  type TrialHistory,
} from '../../shared/index.js';

const root = new URL('../..', import.meta.url).pathname;

const spec: ModelSpec = {
  version: 1,
  name: 'MLP',
  loss: 'categoricalCrossentropy',
  layers: [
    { type: 'input', shape: [2] },
    { type: 'dense', units: 16, activation: 'relu' },
    { type: 'dense', units: 16, activation: 'relu' },
    { type: 'dense', units: 3, activation: 'softmax' },
  ],
};
const dataset = { kind: 'synthetic', name: 'spiral', samples: 300, classes: 3, noise: 0.05 } as const;
const config = (over: Record<string, unknown> = {}): TrainingConfig => {
  const parsed = parseTrainingConfig({ epochs: 9, batchSize: 16, seed: 1, tricks: { adam: { learningRate: 0.01 } }, ...over });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  return parsed.value;
};
const base: SweepBase = { spec, dataset, config: config() };

function plan(input: Partial<SweepSpecInput>, b: SweepBase = base): SweepPlan {
  const full = { base: { spec: b.spec, dataset: b.dataset, config: b.config }, method: 'random', budget: { runs: 10 }, parameters: [], ...input };
  const parsed = parseSweepSpec(full);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  const planned = planSweep(parsed.value, b);
  if (!planned.ok) throw new Error(planned.errors.map((e) => e.message).join('\n'));
  return planned.value;
}

function errorsOf(input: unknown): string[] {
  const parsed = parseSweepSpec(input);
  if (!parsed.ok) return parsed.errors.map((e) => e.message);
  const planned = planSweep(parsed.value, base);
  return planned.ok ? [] : planned.errors.map((e) => e.message);
}

describe('the sweep spec', () => {
  const valid = { base: { spec, dataset, config: config() }, method: 'grid', parameters: [{ path: 'seed', values: [1, 2] }] };

  it('names the field, the value and what is allowed', () => {
    expect(errorsOf({ ...valid, method: 'bayes' })).toEqual(['method must be one of grid, random, tpe (got "bayes")']);
    expect(errorsOf({ ...valid, parameters: [] })).toEqual(['parameters must list at least one parameter (got [])']);
    expect(errorsOf({ ...valid, parameters: [{ path: 'seed' }] })).toEqual(['parameters[0] needs `values` (a list) or `min` and `max` (a range) (got {"path":"seed"})']);
    expect(errorsOf({ ...valid, parameters: [{ path: 'seed', values: [1, 'a'] }] })).toEqual(['parameters[0].values must be all numbers, all strings or all true/false (got [1,"a"])']);
    expect(errorsOf({ ...valid, parameters: [{ path: 'tricks.adam.learningRate', min: 0, max: 1, log: true }] })).toEqual(['parameters[0].min must be > 0 on a log scale (got 0)']);
    expect(errorsOf({ ...valid, budget: { runs: 0 } })).toEqual(['budget.runs must be an integer in [1, 1000] (got 0)']);
    expect(errorsOf({ ...valid, pruning: { method: 'asha', eta: 1 } })).toEqual(['pruning.eta must be an integer in [2, 10] (got 1)']);
    expect(errorsOf({ ...valid, base: { preset: 'x', runId: 3 } })).toEqual(['base must name exactly one of preset, runId, modelVersionId or spec (got preset and runId) (got {"preset":"x","runId":3})']);
    expect(errorsOf({ ...valid, extra: 1 })).toEqual(['extra is not a known field']);
    expect(errorsOf({ ...valid, parameters: [{ path: 'seed', values: [1] }, { path: 'seed', values: [2] }] })).toEqual(['parameters[1].path repeats parameters[0] (got "seed")']);
  });

  it('checks paths and the ends of every range against the base', () => {
    expect(errorsOf({ ...valid, parameters: [{ path: 'tricks.nope.x', values: [1] }] })).toEqual(['parameters[0].path names no known trick: nope (`layerwise tricks` lists them) (got "tricks.nope.x")']);
    expect(errorsOf({ ...valid, parameters: [{ path: 'tricks.adam.lr', values: [1] }] })[0]).toContain('names no parameter of adam: lr (its parameters: learningRate, beta1, beta2, epsilon)');
    expect(errorsOf({ ...valid, parameters: [{ path: 'tricks.dropout', values: [1] }] })[0]).toBe('parameters[0].values must be true and/or false: tricks.dropout turns the trick on or off (got [1])');
    expect(errorsOf({ ...valid, parameters: [{ path: 'choice.optimizer', values: ['adam', 'none'] }] })[0]).toBe(
      'parameters[0].values must list tricks of optimizer: sgd, momentum, nesterov, adagrad, rmsprop, adam (got "none")',
    );
    expect(errorsOf({ ...valid, parameters: [{ path: 'repeat(layers[0..1])', values: [1, 2] }] })[0]).toContain('must name layers 1..3 of that list (the input layer cannot repeat)');
    expect(errorsOf({ ...valid, parameters: [{ path: 'layers[3].units', values: [3, 4] }] })).toEqual([
      'parameters[0].values[1]: layers[3].units = 4 makes the model outputs [4] but the spiral set has 3 classes: the last layer needs 3 units',
    ]);
    expect(errorsOf({ ...valid, parameters: [{ path: 'tricks.dropout.rate', min: 0, max: 0.5, grid: 3 }, { path: 'tricks.dropout', values: [true, false] }] })).toEqual([]);
    expect(errorsOf({ ...valid, parameters: [{ path: 'tricks.adam.learningRate', min: 0.001, max: 0.1 }] })).toEqual(['parameters[0] needs `values`, or `grid` (points over the range), for a grid search']);
  });

  it('stores a normalised spec that parses and plans to the same plan again', () => {
    const p = plan({ method: 'tpe', parameters: [{ path: 'tricks.adam.learningRate', min: 1e-4, max: 0.1, log: true }], pruning: { method: 'asha' } });
    expect(p.spec).toMatchObject({ method: 'tpe', seed: 0, objective: 'valLoss', pruning: { method: 'asha', minEpochs: 1, eta: 3 }, tpe: { startupTrials: 3, candidates: 24, gamma: 0.25 } });
    expect(p.rungs).toEqual([1, 3]);
    const again = parseSweepSpec(JSON.parse(JSON.stringify(p.spec)));
    expect(again.ok).toBe(true);
    if (!again.ok) return;
    const replanned = planSweep(again.value, again.value.base as unknown as SweepBase);
    expect(replanned.ok && replanned.value).toEqual(p);
  });
});

describe('what a trial changes', () => {
  it('sets layer fields, repeats blocks (fields set in every copy) and turns tricks on, off or picks from a choice', () => {
    const targets = (paths: string[]) => paths.map((p) => parseTarget(p) as Exclude<ReturnType<typeof parseTarget>, string>);
    const [units, depth, bn, opt, lr, seed] = targets(['layers[1].units', 'repeat(layers[1..2])', 'tricks.batchNorm', 'choice.optimizer', 'tricks.sgd.learningRate', 'seed']);
    const applied = applyAssignments(base, [
      { target: units!, value: 32 },
      { target: depth!, value: 2 },
      { target: bn!, value: true },
      { target: opt!, value: 'sgd' },
      { target: lr!, value: 0.2 },
      { target: seed!, value: 7 },
    ]);
    const s = applied.spec as ModelSpec;
    expect(s.layers.map((l) => (l.type === 'dense' ? l.units : l.type))).toEqual(['input', 32, 16, 32, 16, 3]);
    const c = applied.config as TrainingConfig;
    expect(Object.keys(c.tricks).sort()).toEqual(['batchNorm', 'sgd']);
    expect((c.tricks as Record<string, Record<string, unknown>>).sgd!.learningRate).toBe(0.2);
    expect(c.seed).toBe(7);
    expect(applied.unused).toEqual([]);
    // A parameter of a trick this trial has off is unused (and said to be).
    const off = applyAssignments(base, [
      { target: opt!, value: 'adam' },
      { target: lr!, value: 0.2 },
    ]);
    expect(off.unused).toEqual([1]);
    expect(base.spec.layers).toHaveLength(4);
  });

  it('checks the model and config a trial makes as a run would be checked', () => {
    const p = plan({ parameters: [{ path: 'layers[1].units', min: 1, max: 64, int: true }] });
    const ok = materialize(p.spec.base, p.parameters, { 'layers[1].units': 5 });
    expect(ok.ok && ok.value.spec.layers[1]).toMatchObject({ type: 'dense', units: 5 });
  });
});

describe('grid and random points', () => {
  const domains: Domain[] = [
    { kind: 'choice', values: ['a', 'b', 'c'] },
    { kind: 'float', min: 0.001, max: 0.1, log: true, grid: 3 },
  ];
  const keys = ['x', 'y'];

  it('visit every grid point once, in a seeded order', () => {
    expect(gridSize(domains)).toBe(9);
    const points = Array.from({ length: 9 }, (_, i) => gridPoint(keys, domains, 5, i));
    expect(new Set(points.map((p) => JSON.stringify(p))).size).toBe(9);
    expect(new Set(points.map((p) => p.y))).toEqual(new Set([0.001, 0.01, 0.1]));
    expect(Array.from({ length: 9 }, (_, i) => gridPoint(keys, domains, 5, i))).toEqual(points);
    expect(Array.from({ length: 9 }, (_, i) => gridPoint(keys, domains, 6, i))).not.toEqual(points);
  });

  it('random draws depend only on the seed and the trial number, log-uniform on a log scale', () => {
    const d: Domain[] = [{ kind: 'float', min: 1e-5, max: 1, log: true, grid: null }, { kind: 'int', min: 8, max: 64, log: false, grid: null }];
    expect(randomPoint(keys, d, 1, 7)).toEqual(randomPoint(keys, d, 1, 7));
    expect(randomPoint(keys, d, 1, 7)).not.toEqual(randomPoint(keys, d, 2, 7));
    const xs = Array.from({ length: 2000 }, (_, i) => randomPoint(keys, d, 3, i));
    const below = xs.filter((p) => (p.x as number) < 1e-3).length / xs.length;
    // Two of the five decades lie below 1e-3.
    expect(below).toBeGreaterThan(0.37);
    expect(below).toBeLessThan(0.43);
    expect(xs.every((p) => Number.isInteger(p.y) && (p.y as number) >= 8 && (p.y as number) <= 64)).toBe(true);
    expect(new Set(xs.map((p) => p.y)).size).toBe(57);
  });
});

/** A sweep over a synthetic objective (no training): the best value found with `budget` trials. */
function bestFound(method: 'random' | 'tpe', domains: Domain[], f: (p: Record<string, number | string | boolean>) => number, budget: number, seed: number): number {
  const p: SweepPlan = {
    spec: { name: 'f', base, method, seed, parameters: [], budget: { runs: budget }, pruning: { method: 'none' }, objective: 'valLoss', tpe: { startupTrials: 8, candidates: 24, gamma: 0.25 }, backend: 'auto' },
    parameters: domains.map((domain, i) => ({ key: `p${i}`, target: { kind: 'seed' }, domain })),
    maxRuns: budget,
    gridSize: null,
    rungs: [],
    direction: 'min',
    startupTrials: method === 'tpe' ? 8 : 0,
  };
  const history: TrialHistory[] = [];
  let best = Infinity;
  for (let n = 0; n < budget; n++) {
    const params = suggest(p, n, history);
    const value = f(params);
    best = Math.min(best, value);
    history.push({ number: n, params, state: 'completed', objective: value, epochs: 1 });
  }
  return best;
}

describe('TPE against known optima (30 trials, mean over 30 seeds)', () => {
  const range = (min: number, max: number, log = false): Domain => ({ kind: 'float', min, max, log, grid: null });
  const cases: [string, Domain[], (p: Record<string, number | string | boolean>) => number][] = [
    ['a 1-D quadratic, optimum at 0.3', [range(-2, 2)], (p) => ((p.p0 as number) - 0.3) ** 2],
    ['a 2-D quadratic, optimum at (0.3, -1.1)', [range(-2, 2), range(-2, 2)], (p) => ((p.p0 as number) - 0.3) ** 2 + ((p.p1 as number) + 1.1) ** 2],
    ['a learning-rate-like objective on a log scale, optimum at 10^-2.5', [range(1e-5, 1, true)], (p) => (Math.log10(p.p0 as number) + 2.5) ** 2],
  ];
  it.each(cases)('beats random search on %s', (_, domains, f) => {
    const seeds = 30;
    let random = 0;
    let tpe = 0;
    let wins = 0;
    for (let s = 0; s < seeds; s++) {
      const r = bestFound('random', domains, f, 30, s);
      const t = bestFound('tpe', domains, f, 30, s);
      random += r / seeds;
      tpe += t / seeds;
      if (t < r) wins += 1;
    }
    expect(tpe).toBeLessThan(random / 2);
    expect(wins).toBeGreaterThan(seeds / 2);
  });

  it('suggests the same values from the same stored trials', () => {
    const p = plan({ method: 'tpe', tpe: { startupTrials: 2 }, parameters: [{ path: 'tricks.adam.learningRate', min: 1e-4, max: 0.1, log: true }, { path: 'layers[1].units', values: [8, 16, 32] }] });
    const history: TrialHistory[] = [
      { number: 0, params: { 'tricks.adam.learningRate': 0.01, 'layers[1].units': 16 }, state: 'completed', objective: 0.4, epochs: 9 },
      { number: 1, params: { 'tricks.adam.learningRate': 0.0002, 'layers[1].units': 8 }, state: 'pruned', objective: 1.1, epochs: 1 },
      { number: 2, params: { 'tricks.adam.learningRate': 0.05, 'layers[1].units': 32 }, state: 'diverged', objective: null, epochs: 2 },
    ];
    const a = suggest(p, 3, history);
    expect(suggest(p, 3, JSON.parse(JSON.stringify(history)) as TrialHistory[])).toEqual(a);
    expect(suggest(p, 4, history)).not.toEqual(a);
  });
});

describe('ASHA on fixed curves', () => {
  it('puts rungs at r, rη, rη² below the most epochs', () => {
    expect(ashaRungs(1, 3, 27)).toEqual([1, 3, 9]);
    expect(ashaRungs(1, 2, 6)).toEqual([1, 2, 4]);
    expect(ashaRungs(2, 3, 20)).toEqual([2, 6, 18]);
    expect(ashaRungs(5, 3, 5)).toEqual([]);
  });

  it('keeps the best ⌊n/η⌋ at a rung (the best one while fewer than η have reported); NaN is pruned', () => {
    expect(ashaPromotes(0.5, [], 3)).toBe(true);
    expect(ashaPromotes(0.6, [0.5], 3)).toBe(false);
    expect(ashaPromotes(0.4, [0.5], 3)).toBe(true);
    expect(ashaPromotes(0.45, [0.5, 0.4], 3)).toBe(false);
    expect(ashaPromotes(0.45, [0.5, 0.4, 0.9, 0.8, 0.7], 3)).toBe(true);
    expect(ashaPromotes(Infinity, [], 3)).toBe(false);
  });

  it('prunes the curves that lag, rung by rung, as they arrive', () => {
    // Validation losses of 9 trials at epochs 1, 3 and 9 (rungs 0 and 1), arriving in trial order.
    const curves = [
      [0.9, 0.7],
      [0.8, 0.5],
      [1.0, 0.9],
      [0.6, 0.4],
      [0.95, 0.8],
      [0.7, 0.45],
      [1.2, 1.1],
      [0.65, 0.3],
      [0.85, 0.6],
    ];
    const events = [0, 1].flatMap((rung) => curves.map((c, trial) => ({ trial, rung, value: c[rung]! })));
    const decisions = simulateAsha(events, 3);
    const prunedAt = (rung: number) => decisions.filter((d) => d.rung === rung && !d.promoted).map((d) => d.trial);
    // Rung 0: 0 first (kept); 1 beats 0.9; 2 loses; 3 is best; 4 loses to the best ⌊5/3⌋ = 1; 5 is 2nd of 6 (keeps 2);
    // 6 loses; 7 is 2nd of 8; 8 is 5th of 9 (keeps 3).
    expect(prunedAt(0)).toEqual([2, 4, 6, 8]);
    // Rung 1, with 0, 1, 3, 5, 7 arriving: each is kept while it is the best so far (fewer than 6 have reported);
    // 5 (0.45) comes after 3 (0.4).
    expect(prunedAt(1)).toEqual([5]);
    expect(decisions.filter((d) => d.rung === 1 && d.promoted).map((d) => d.trial)).toEqual([0, 1, 3, 7]);
  });
});

describe('parameter importance', () => {
  it('is the share of the objective spread each parameter alone explains', () => {
    expect(etaSquared(['a', 'a', 'b', 'b'], [1, 1, 3, 3])).toBe(1);
    expect(etaSquared(['a', 'b', 'a', 'b'], [1, 1, 3, 3])).toBe(0);
    // The objective follows lr; units are noise.
    const trials = Array.from({ length: 16 }, (_, i) => ({ params: { lr: i % 4, units: [8, 16][Math.floor(i / 4) % 2]! }, value: (i % 4) * 0.5 + 0.01 * ((i * 7) % 3) }));
    const [lr, units] = parameterImportance([{ key: 'lr', numeric: true }, { key: 'units', numeric: true }], trials);
    expect(lr!.eta2).toBeGreaterThan(0.95);
    expect(units!.eta2).toBeLessThan(0.05);
    expect(lr!.share + units!.share).toBeCloseTo(1, 10);
    expect(parameterImportance([{ key: 'lr', numeric: true }], trials.slice(0, 3))[0]).toEqual({ key: 'lr', eta2: 0, share: 0 });
  });
});

describe("the sweep specs the README and examples/ show", () => {
  it.each([
    ['README.md', () => JSON.parse(/^```json\n([\s\S]*?"parameters"[\s\S]*?)^```/m.exec(readFileSync(join(root, 'README.md'), 'utf8'))![1]!) as SweepSpecInput],
    ['examples/sweep-spiral.json', () => JSON.parse(readFileSync(join(root, 'examples/sweep-spiral.json'), 'utf8')) as SweepSpecInput],
  ])('%s: parses and plans against its preset', (_, read) => {
    const input = read();
    const parsed = parseSweepSpec(input);
    expect(parsed.ok ? [] : parsed.errors.map((e) => e.message)).toEqual([]);
    if (!parsed.ok) return;
    const preset = loadPresets().find((p) => p.id === input.base.preset)!;
    if (needsImport(preset.dataset)) throw new Error(`${preset.id} needs an import: give the example a dataset`);
    const planned = planSweep(parsed.value, { spec: preset.model, dataset: parsed.value.base.dataset ?? preset.dataset, config: preset.training });
    expect(planned.ok ? [] : planned.errors.map((e) => e.message)).toEqual([]);
  });
});
