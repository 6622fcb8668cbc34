// Addresses of layers inside a spec, in the same form as the shared inference's error paths:
// `layers[3]`, `layers[2].layers[0]` (a residual block's stack), `layers[4].branches[1][0]` (an inception
// branch). A *list* address names a stack: `layers`, `layers[2].layers`, `layers[4].branches[1]`. The names
// of the fields that hold stacks (`layers`, `branches`) come from the layer descriptors.
import { LAYERS, layerDescriptor, type LayerParam, type LayerSpec, type ModelSpec } from '../../../shared/index.js';

export type Segment = string | number;

export function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
  for (const m of path.matchAll(/([A-Za-z_][\w]*)|\[(\d+)\]/g)) out.push(m[1] !== undefined ? m[1] : Number(m[2]));
  return out;
}

export function formatSegments(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

/** Splits a layer path into the list it is in and its index there. */
export function splitLayerPath(path: string): { list: string; index: number } {
  const segs = parsePath(path);
  const index = segs.pop();
  if (typeof index !== 'number') throw new Error(`not a layer path: ${path}`);
  return { list: formatSegments(segs), index };
}

/** The stack a list address names (the live array inside `spec`), or undefined. */
export function listAt(spec: ModelSpec, list: string): LayerSpec[] | undefined {
  let node: unknown = spec;
  for (const seg of parsePath(list)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<Segment, unknown>)[seg];
  }
  return Array.isArray(node) ? (node as LayerSpec[]) : undefined;
}

export function layerAt(spec: ModelSpec, path: string): LayerSpec | undefined {
  const { list, index } = splitLayerPath(path);
  return listAt(spec, list)?.[index];
}

const fieldsOfKind = (kinds: readonly string[]) =>
  [...new Set(LAYERS.flatMap((d) => Object.entries(d.params as Record<string, LayerParam>).flatMap(([key, p]) => (kinds.includes(p.kind) ? [key] : []))))];
const nestedKeys = fieldsOfKind(['stack', 'branches']).join('|');
const branchKeys = fieldsOfKind(['branches']).join('|') || '(?!)';
const cardPattern = new RegExp(`^(layers(?:\\[\\d+\\]|\\.(?:${nestedKeys})(?=\\[))*)(?:\\.(\\w+))?`);
const branchPattern = new RegExp(`^(.*)\\.(${branchKeys})\\[\\d+\\]$`);
const trailingStack = new RegExp(`\\.(${nestedKeys})$`);

/**
 * Which card and field an error belongs to: `layers[2].layers[0].kernelSize` → card `layers[2].layers[0]`,
 * field `kernelSize`. Errors outside the stack (the loss, the whole document) have no card.
 */
export function errorTarget(path: string): { card: string | null; field: string | null } {
  const m = cardPattern.exec(path);
  if (!m || !m[1] || m[1] === 'layers') return { card: null, field: null };
  let card = m[1];
  // `layers[4].branches[1]` is a whole branch: the error belongs to the block's card.
  const branch = branchPattern.exec(card);
  if (branch) return { card: branch[1]!, field: branch[2]! };
  if (!/\]$/.test(card)) card = card.replace(trailingStack, '');
  return { card, field: m[2] ?? null };
}

/** A path below a layer: `['branches', 1]` → `.branches[1]`. */
export const below = (at: readonly Segment[]): string => at.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');

/** The layer paths of a stack and everything nested in it, in visual (depth-first) order. */
export function flattenPaths(layers: readonly LayerSpec[], list = 'layers'): string[] {
  const out: string[] = [];
  layers.forEach((layer, i) => {
    const path = `${list}[${i}]`;
    out.push(path);
    for (const s of layerDescriptor(layer.type).block?.stacks(layer) ?? []) out.push(...flattenPaths(s.layers, `${path}${below(s.at)}`));
  });
  return out;
}
