// What a sweep parameter's path points at, and how a trial's values change the base model and config.
//   seed, batchSize                 the run settings
//   tricks.<id>                     a trick on (true) or off (false)
//   tricks.<id>.<param>             a trick's parameter (the trick must be on in the base, or turned on by
//                                   another parameter of the sweep; where a trial has it off, the value is unused)
//   choice.<choice>                 which trick of a choice: optimizer, init, inputScaling, lrSchedule ("none"
//                                   turns every trick of a choice off, except the optimizer, which needs one)
//   layers[2].units                 any field of a layer, nested blocks too: layers[3].layers[0].filters,
//                                   layers[4].branches[1][0].kernelSize
//   repeat(layers[1..2])            depth: the block layers[1] … layers[2] appears k times (k ≥ 1)
// Layer paths always refer to the base model: a layer field inside a repeated block is set in every copy.
import { TRICK_CHOICES, type TrickChoice } from '../tricks/descriptor.js';
import { findTrick, TRICKS, type TrickId } from '../tricks/registry.js';
import type { PathSegment } from '../spec/errors.js';
import type { ModelSpec } from '../spec/model-spec.js';
import type { TrainingConfig } from '../tricks/config.js';
import type { SweepValue } from './spec.js';

export type Target =
  | { kind: 'seed' }
  | { kind: 'batchSize' }
  | { kind: 'trick'; trick: TrickId }
  | { kind: 'trickParam'; trick: TrickId; param: string }
  | { kind: 'choice'; choice: TrickChoice }
  | { kind: 'layer'; path: PathSegment[] }
  | { kind: 'repeat'; list: PathSegment[]; from: number; to: number };

/** `layers[3].layers` as segments; null when it is not such a path. */
function parseSegments(text: string): PathSegment[] | null {
  const out: PathSegment[] = [];
  const re = /(?:^|\.)([A-Za-z][A-Za-z0-9]*)|\[(\d+)\]/gy;
  let at = 0;
  re.lastIndex = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m || m.index !== at) return null;
    if (m[1] !== undefined) {
      if (m[0].startsWith('.') && out.length === 0) return null;
      out.push(m[1]);
    } else out.push(Number(m[2]));
    at = re.lastIndex;
  }
  return out;
}

/** Reads a path; the reason it is not one otherwise. */
export function parseTarget(path: string): Target | string {
  const p = path.replace(/\s+/g, '');
  if (p === 'seed') return { kind: 'seed' };
  if (p === 'batchSize') return { kind: 'batchSize' };
  let m = /^tricks\.([A-Za-z0-9]+)(?:\.([A-Za-z0-9]+))?$/.exec(p);
  if (m) {
    const trick = findTrick(m[1]!);
    if (!trick) return `names no known trick: ${m[1]} (\`layerwise tricks\` lists them)`;
    if (m[2] === undefined) return { kind: 'trick', trick: trick.id as TrickId };
    if (!(m[2] in trick.params)) {
      const known = Object.keys(trick.params);
      return `names no parameter of ${trick.id}: ${m[2]} (${known.length ? `its parameters: ${known.join(', ')}` : 'it takes no parameters'})`;
    }
    return { kind: 'trickParam', trick: trick.id as TrickId, param: m[2] };
  }
  m = /^choice\.([A-Za-z]+)$/.exec(p);
  if (m) {
    if (!(TRICK_CHOICES as readonly string[]).includes(m[1]!)) return `names no choice of tricks: ${m[1]} (one of ${TRICK_CHOICES.join(', ')})`;
    return { kind: 'choice', choice: m[1] as TrickChoice };
  }
  m = /^repeat\((.+)\[(\d+)\.\.(\d+)\]\)$/.exec(p);
  if (m) {
    const list = parseSegments(m[1]!);
    if (!list || list[0] !== 'layers') return 'must repeat a range of layers, e.g. repeat(layers[1..2])';
    const from = Number(m[2]);
    const to = Number(m[3]);
    if (to < from) return `repeats an empty range: ${from}..${to}`;
    return { kind: 'repeat', list, from, to };
  }
  if (p.startsWith('layers[')) {
    const segments = parseSegments(p);
    if (!segments || typeof segments[segments.length - 1] !== 'string' || segments.length < 3) return 'must end in a layer field, e.g. layers[1].units';
    if (segments[segments.length - 1] === 'type') return 'cannot change a layer\'s type (sweep its fields instead)';
    return { kind: 'layer', path: segments };
  }
  return 'is not a parameter path: use tricks.<id>, tricks.<id>.<param>, choice.<choice>, layers[i].<field>, repeat(layers[i..j]), seed or batchSize';
}

/** The tricks a choice picks between (and whether it may pick none). */
export function choiceTricks(choice: TrickChoice): { ids: TrickId[]; allowsNone: boolean } {
  return { ids: TRICKS.filter((t) => t.choice === choice).map((t) => t.id as TrickId), allowsNone: choice !== 'optimizer' };
}

function getAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PathSegment, unknown>)[seg];
  }
  return node;
}

/** Whether a path leads to an existing object in the spec (the layer whose field is set). */
export function layerExists(spec: ModelSpec, path: readonly PathSegment[]): boolean {
  const parent = getAt(spec, path.slice(0, -1));
  return parent !== null && typeof parent === 'object' && !Array.isArray(parent);
}

/** The list a repeat target names, if it is one. */
export function listAt(spec: ModelSpec, path: readonly PathSegment[]): unknown[] | null {
  const list = getAt(spec, path);
  return Array.isArray(list) ? list : null;
}

export interface Assignment {
  target: Target;
  value: SweepValue;
}

export interface Applied {
  spec: unknown;
  config: unknown;
  /** Indices (into the assignments) whose value was not used: a parameter of a trick that this trial has off. */
  unused: number[];
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The base with a trial's values applied: layer fields, then repeats (deepest first), then the config. */
export function applyAssignments(base: { spec: ModelSpec; config: TrainingConfig }, assignments: readonly Assignment[]): Applied {
  const spec = clone(base.spec) as unknown as Record<string, unknown>;
  const config = clone(base.config) as unknown as { seed: number; batchSize: number; tricks: Record<string, Record<string, unknown>> };
  const unused: number[] = [];
  const baseTricks = base.config.tricks as Record<string, Record<string, unknown> | undefined>;

  for (const { target, value } of assignments) {
    if (target.kind !== 'layer') continue;
    const parent = getAt(spec, target.path.slice(0, -1));
    if (parent && typeof parent === 'object') (parent as Record<PathSegment, unknown>)[target.path[target.path.length - 1]!] = value;
  }
  const repeats = assignments
    .map((a) => a)
    .filter((a): a is Assignment & { target: Extract<Target, { kind: 'repeat' }> } => a.target.kind === 'repeat')
    .sort((a, b) => b.target.list.length - a.target.list.length || b.target.from - a.target.from);
  for (const { target, value } of repeats) {
    const list = getAt(spec, target.list);
    if (!Array.isArray(list) || typeof value !== 'number') continue;
    const block = list.slice(target.from, target.to + 1);
    const copies = Array.from({ length: Math.max(0, value) }, () => clone(block)).flat();
    list.splice(target.from, block.length, ...copies);
  }

  const turnOn = (id: TrickId) => {
    if (id in config.tricks) return;
    config.tricks[id] = clone(baseTricks[id] ?? {});
  };
  // On/off and choices first, so that a parameter knows whether its trick is on in this trial.
  for (const { target, value } of assignments) {
    if (target.kind === 'seed' && typeof value === 'number') config.seed = value;
    else if (target.kind === 'batchSize' && typeof value === 'number') config.batchSize = value;
    else if (target.kind === 'choice') {
      for (const id of choiceTricks(target.choice).ids) if (id !== value) delete config.tricks[id];
      if (value !== 'none' && typeof value === 'string') turnOn(value as TrickId);
    } else if (target.kind === 'trick') {
      const trick = findTrick(target.trick);
      if (value === true) {
        // Turning on one of a choice turns the others of that choice off, as everywhere else.
        if (trick?.choice) for (const other of TRICKS) if (other.choice === trick.choice && other.id !== trick.id) delete config.tricks[other.id];
        turnOn(target.trick);
      } else delete config.tricks[target.trick];
    }
  }
  assignments.forEach(({ target, value }, i) => {
    if (target.kind !== 'trickParam') return;
    const params = config.tricks[target.trick];
    if (params) params[target.param] = value;
    else unused.push(i);
  });
  return { spec, config, unused };
}
