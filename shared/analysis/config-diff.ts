import { datasetRefName, type DatasetRef } from '../data/dataset-ref.js';
import { describeLayer } from '../spec/describe.js';
import type { LayerSpec, ModelSpec } from '../spec/model-spec.js';
import { paramsOf, parseTrainingConfig, type TrainingConfig, type TrickParams } from '../tricks/config.js';
import { type TrickChoice, type TrickDescriptor } from '../tricks/descriptor.js';
import { findTrick, TRICKS } from '../tricks/registry.js';
import { canonicalJson } from './canonical.js';

/** What makes a run what it is, for diffing. */
export interface RunSetup {
  spec: ModelSpec;
  config: TrainingConfig;
  dataset: DatasetRef;
  /** The backend asked for or used; diffed only when given for every run. */
  backend?: string;
}

/** One field that differs between runs: `field` names it, `values` has one display text per run. */
export interface DiffRow {
  /**
   * `epochs`, `batchSize`, `seed`, a trick id (`dropout`: one row per trick however many of its parameters
   * differ; a choice such as the optimizer is one row `optimizer`), `dataset`, `backend`, or a model path such
   * as `model.layers[2].units`.
   */
  field: string;
  /** e.g. `off`, `on (rate 0.5)`, `adam (learningRate 0.001)`, `128`. */
  values: string[];
}

/** The display text of something a run does not have (a trick off, a layer it lacks). */
export const ABSENT = '—';

/**
 * The fields that differ across the runs (only those), in a stable order: run settings (`epochs`, `batchSize`,
 * `seed`, then `backend` when every setup names one), tricks (registry order; a choice group sits where its
 * first trick is), `dataset`, then the model by path. Fewer than two setups differ in nothing.
 *
 * A trick's text is `off`, `on`, or `on (param value, …)`; a choice's is the chosen trick's id (or `none`),
 * with the same parameter list. The parameters shown are the trick's first one, any not at its default and
 * any that differ between the runs using that trick, in the descriptor's order. Model rows: two layers of the
 * same type are compared field by field (`model.layers[2].units`); a layer of another type, or one only some
 * runs have, is one row `model.layers[2]` with `describeLayer`'s text (`—` where absent).
 */
/**
 * A stored config as the current code reads it: a run recorded by an older version (e.g. early stopping's
 * `restoreBest: true`, now `'always'`; a parameter added since with its default) compares equal to the same
 * setup recorded today, so diffs and seed groups never split one experiment by its storage format.
 */
export function normalizedConfig(config: TrainingConfig): TrainingConfig {
  const parsed = parseTrainingConfig(config);
  return parsed.ok ? parsed.value : config;
}

export function diffRuns(input: readonly RunSetup[]): DiffRow[] {
  if (input.length < 2) return [];
  const setups = input.map((s) => ({ ...s, config: normalizedConfig(s.config) }));
  const rows: DiffRow[] = [];
  const push = (field: string, values: string[], keys: readonly string[] = values) => {
    if (new Set(keys).size > 1) rows.push({ field, values });
  };

  for (const field of ['epochs', 'batchSize', 'seed'] as const) {
    const values = setups.map((s) => String(s.config[field]));
    push(field, values);
  }
  if (setups.every((s) => typeof s.backend === 'string')) push('backend', setups.map((s) => s.backend!));

  const doneChoices = new Set<TrickChoice>();
  for (const trick of TRICKS as readonly TrickDescriptor[]) {
    if (trick.choice) {
      if (doneChoices.has(trick.choice)) continue;
      doneChoices.add(trick.choice);
      diffChoice(trick.choice, setups, push);
      continue;
    }
    const params = setups.map((s) => paramsOf(s.config, trick.id));
    const keys = params.map((p) => (p === undefined ? 'off' : canonicalJson(p)));
    if (new Set(keys).size < 2) continue;
    const shown = shownParams(trick, params);
    push(trick.id, params.map((p) => (p === undefined ? 'off' : withParams('on', p, shown))), keys);
  }

  // Ids the registry no longer knows (a config recorded by another version): diffed by id, after the rest.
  const unknown = [...new Set(setups.flatMap((s) => Object.keys(s.config.tricks)))].filter((id) => !findTrick(id)).sort();
  for (const id of unknown) {
    const params = setups.map((s) => paramsOf(s.config, id));
    const keys = params.map((p) => (p === undefined ? 'off' : canonicalJson(p)));
    push(id, params.map((p) => (p === undefined ? 'off' : `on ${canonicalJson(p)}`)), keys);
  }

  const datasetKeys = setups.map((s) => canonicalJson(s.dataset));
  if (new Set(datasetKeys).size > 1) {
    const names = setups.map((s) => datasetRefName(s.dataset));
    const ambiguous = new Set(names).size < new Set(datasetKeys).size;
    push('dataset', ambiguous ? setups.map((s, i) => `${names[i]} (${datasetTag(s.dataset)})`) : names, datasetKeys);
  }

  diffValues(
    'model',
    setups.map((s) => s.spec as unknown),
    rows,
  );
  return rows;
}

function diffChoice(
  choice: TrickChoice,
  setups: readonly RunSetup[],
  push: (field: string, values: string[], keys: readonly string[]) => void,
): void {
  const members = (TRICKS as readonly TrickDescriptor[]).filter((t) => t.choice === choice);
  const picked = setups.map((s) => {
    const trick = members.find((t) => paramsOf(s.config, t.id) !== undefined);
    return trick ? { trick, params: paramsOf(s.config, trick.id)! } : undefined;
  });
  const keys = picked.map((p) => (p ? `${p.trick.id} ${canonicalJson(p.params)}` : 'none'));
  if (new Set(keys).size < 2) return;
  const values = picked.map((p) => {
    if (!p) return 'none';
    const same = picked.map((q) => (q && q.trick.id === p.trick.id ? q.params : undefined));
    return withParams(p.trick.id, p.params, shownParams(p.trick, same));
  });
  push(choice, values, keys);
}

/** The first parameter, those not at their default, and those that differ between the runs using the trick. */
function shownParams(trick: TrickDescriptor, params: ReadonlyArray<TrickParams | undefined>): string[] {
  const names = Object.keys(trick.params);
  const on = params.filter((p): p is TrickParams => p !== undefined);
  return names.filter((name, i) => {
    if (i === 0) return true;
    if (on.some((p) => p[name] !== trick.params[name]!.default)) return true;
    return new Set(on.map((p) => canonicalJson(p[name]))).size > 1;
  });
}

function withParams(head: string, params: TrickParams, shown: readonly string[]): string {
  const parts = shown.filter((name) => name in params).map((name) => `${name} ${formatLeaf(params[name])}`);
  return parts.length ? `${head} (${parts.join(', ')})` : head;
}

function datasetTag(ref: DatasetRef): string {
  if (ref.kind === 'csv' || ref.kind === 'images') return ref.fingerprint.slice(0, 12);
  return canonicalJson(ref);
}

// ---- model ----

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isLayer(v: unknown): v is LayerSpec {
  return isPlainObject(v) && typeof v.type === 'string';
}

/** Compares the values at one path across setups; `undefined` stands for absent. */
function diffValues(path: string, values: readonly unknown[], rows: DiffRow[]): void {
  const keys = values.map((v) => (v === undefined ? ABSENT : canonicalJson(v)));
  if (new Set(keys).size < 2) return;

  const allLayers = values.every(isLayer);
  const sameType = allLayers && new Set(values.map((v) => (v as LayerSpec).type)).size === 1;
  if (values.some(isLayer) && !sameType) {
    rows.push({ field: path, values: values.map(formatLeaf) });
    return;
  }
  if (values.every(isPlainObject)) {
    const names: string[] = [];
    for (const v of values) for (const k of Object.keys(v as object)) if (!names.includes(k)) names.push(k);
    for (const name of names) diffValues(`${path}.${name}`, values.map((v) => (v as Record<string, unknown>)[name]), rows);
    return;
  }
  const structured = (v: unknown) => Array.isArray(v) && v.some((e) => e !== null && typeof e === 'object');
  const layerList = (v: unknown) => Array.isArray(v) && v.every(isLayer);
  if (values.every(layerList) && values.some(structured)) {
    for (const slot of alignLayers(values as LayerSpec[][])) diffValues(`${path}[${slot.index}]`, slot.values, rows);
    return;
  }
  if (values.every((v) => Array.isArray(v)) && values.some(structured)) {
    const length = Math.max(...values.map((v) => (v as unknown[]).length));
    for (let i = 0; i < length; i++) diffValues(`${path}[${i}]`, values.map((v) => (v as unknown[])[i]), rows);
    return;
  }
  rows.push({ field: path, values: values.map(formatLeaf) });
}

interface Slot {
  /** The layer's index in the first run that has it. */
  index: number;
  /** One layer per run, undefined where the run lacks it. */
  values: Array<LayerSpec | undefined>;
}

/**
 * Lines up the layer lists of several runs so that an inserted or removed layer is one row, not a shift of
 * every later one: each run's list is matched to the slots so far by their longest common subsequence of
 * identical layers; between two matches, leftover layers pair up in order (and are compared field by field),
 * and the rest become slots of their own.
 */
function alignLayers(lists: readonly LayerSpec[][]): Slot[] {
  const n = lists.length;
  let slots: Slot[] = lists[0]!.map((layer, index) => ({ index, values: [layer, ...new Array<undefined>(n - 1)] }));
  for (let k = 1; k < n; k++) {
    const list = lists[k]!;
    const a = slots.map((s) => canonicalJson(s.values.find((v) => v !== undefined)));
    const b = list.map((l) => canonicalJson(l));
    const matches = lcs(a, b);
    const next: Slot[] = [];
    let i = 0;
    let j = 0;
    for (const [mi, mj] of [...matches, [a.length, b.length] as const]) {
      const gapSlots = slots.slice(i, mi);
      const gapItems = list.slice(j, mj);
      gapSlots.forEach((slot, g) => {
        if (g < gapItems.length) slot.values[k] = gapItems[g];
        next.push(slot);
      });
      for (let g = gapSlots.length; g < gapItems.length; g++) {
        const values = new Array<LayerSpec | undefined>(n).fill(undefined);
        values[k] = gapItems[g];
        next.push({ index: j + g, values });
      }
      if (mi < a.length) {
        slots[mi]!.values[k] = list[mj];
        next.push(slots[mi]!);
      }
      i = mi + 1;
      j = mj + 1;
    }
    slots = next;
  }
  return slots;
}

/** Index pairs of a longest common subsequence of two lists of keys. */
function lcs(a: readonly string[], b: readonly string[]): Array<readonly [number, number]> {
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i]![j] = a[i] === b[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const out: Array<readonly [number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push([i, j]);
      i++;
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) i++;
    else j++;
  }
  return out;
}

function formatLeaf(v: unknown): string {
  if (v === undefined) return ABSENT;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(formatLeaf).join(', ')}]`;
  if (isLayer(v)) return describeLayer(v);
  return canonicalJson(v);
}
