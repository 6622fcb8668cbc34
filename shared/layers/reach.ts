// Which layer types a structural trick reaches, from the descriptors: the tricks panel says where a trick
// does not apply ("dropout: not after conv2d"), and tests hold expandSpec to the same declarations.
import type { TrickId } from '../tricks/registry.js';
import { INIT_TRICKS } from '../tricks/expand.js';
import type { Lang, LayerTricks } from './descriptor.js';
import { LAYERS, layerDescriptor, type LayerSpec, type LayerType } from './registry.js';

/** The descriptor flag each structural trick reads; other tricks act on the whole model. */
export function trickRole(id: TrickId): keyof LayerTricks | null {
  if (id in INIT_TRICKS) return 'init';
  if (id === 'l1' || id === 'l2') return 'regularizer';
  if (id === 'batchNorm' || id === 'dropout') return id;
  return null;
}

export interface TrickReach {
  /** Layer types the trick changes. */
  reaches: LayerType[];
  /** Weighted layer types it leaves alone, and those whose descriptor says why it skips them (where a user might expect it). */
  skips: LayerType[];
}

/** Why `id` skips a layer type, in `lang`, where the descriptor says (`dropout` on an lstm: "… a different technique …"). */
export function trickSkipNote(id: TrickId, type: LayerType, lang: Lang): string | null {
  const role = trickRole(id);
  return role ? (layerDescriptor(type).trickNotes?.[role]?.[lang] ?? null) : null;
}

/** For a structural trick, the layer types it reaches and those it skips; within `spec` when given. Null for other tricks. */
export function trickReach(id: TrickId, spec?: { layers: readonly LayerSpec[] }): TrickReach | null {
  const role = trickRole(id);
  if (!role) return null;
  const present = spec ? typesIn(spec.layers) : null;
  const types = LAYERS.map((d) => d.type as LayerType).filter((t) => !present || present.has(t));
  return {
    reaches: types.filter((t) => layerDescriptor(t).tricks[role]),
    skips: types.filter((t) => (layerDescriptor(t).weighted || layerDescriptor(t).trickNotes?.[role]) && !layerDescriptor(t).tricks[role]),
  };
}

function typesIn(layers: readonly LayerSpec[]): Set<LayerType> {
  const out = new Set<LayerType>();
  const stack = [layers];
  while (stack.length) {
    for (const layer of stack.pop()!) {
      out.add(layer.type);
      for (const s of layerDescriptor(layer.type).block?.stacks(layer) ?? []) stack.push(s.layers);
    }
  }
  return out;
}
