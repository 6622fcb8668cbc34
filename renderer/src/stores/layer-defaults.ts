// What a new layer of each type starts as, the form fields each type has, and the palette: all read from the
// layer descriptors (shared/layers/defs/). The ranges and the validation themselves are the shared spec's
// (checkModelSpec names the offending field).
import { LAYER_CATEGORIES, LAYERS, layerDescriptor, type BranchesField, type LayerCategory, type LayerParam, type LayerSpec, type LayerType } from '../../../shared/index.js';

export function defaultLayer(type: LayerType): LayerSpec {
  return layerDescriptor(type).create();
}

export type FieldKind = 'integer' | 'number' | 'size' | 'shape' | 'enum' | 'boolean';

export interface LayerField {
  key: string;
  kind: FieldKind;
  options?: readonly string[];
  /** Left out of the spec when empty (the spec's default applies). */
  optional?: boolean;
  min?: number;
  max?: number;
  step?: number;
  /** Booleans: what an absent value means (useBias true, returnSequences false). */
  default?: boolean;
}

/** A descriptor field as a card field; null for what a card does not edit (stacks, the regularizer). */
function cardField(key: string, p: LayerParam): LayerField | null {
  if (p.hidden) return null;
  const optional = p.optional ? { optional: true } : {};
  switch (p.kind) {
    case 'integer':
      return { key, kind: 'integer', ...optional, min: p.min };
    case 'number':
      return {
        key,
        kind: 'number',
        ...optional,
        ...(p.min !== undefined ? { min: p.min } : {}),
        ...(p.max !== undefined ? { max: p.max } : {}),
        ...(p.step !== undefined ? { step: p.step } : {}),
      };
    case 'size2':
      return { key, kind: 'size', ...optional, min: 1 };
    case 'shape':
      return { key, kind: 'shape', ...optional };
    case 'enum':
      return { key, kind: 'enum', options: p.options, ...optional };
    case 'boolean':
      return { key, kind: 'boolean', ...optional, default: p.default ?? false };
    case 'regularizer':
    case 'stack':
    case 'branches':
      return null;
  }
}

export const LAYER_FIELDS = Object.fromEntries(
  LAYERS.map((d) => [d.type, Object.entries(d.params as Record<string, LayerParam>).flatMap(([key, p]) => cardField(key, p) ?? [])]),
) as Record<LayerType, LayerField[]>;

/** The palette: every type a user adds (the input layer is always the first and only one). */
export const PALETTE: LayerType[] = LAYERS.filter((d) => d.palette !== false).map((d) => d.type);

/** The palette in sections, in the descriptors' category order (empty sections left out). */
export const PALETTE_GROUPS: Array<{ category: LayerCategory; types: LayerType[] }> = LAYER_CATEGORIES.map((category) => ({
  category,
  types: PALETTE.filter((t) => layerDescriptor(t).category === category),
})).filter((g) => g.types.length > 0);

/** A block's nested stacks as the card shows them: one list (`stack`) or parallel branches (`branches`). */
export interface CardStacks {
  key: string;
  kind: 'stack' | 'branches';
}

export function cardStacks(type: LayerType): CardStacks[] {
  return Object.entries(layerDescriptor(type).params as Record<string, LayerParam>).flatMap(([key, p]) =>
    p.kind === 'stack' || p.kind === 'branches' ? [{ key, kind: p.kind }] : [],
  );
}

/** The branches field of a block (the first one), for "add branch". */
export function branchesField(type: LayerType): { key: string; field: BranchesField } | null {
  for (const [key, p] of Object.entries(layerDescriptor(type).params as Record<string, LayerParam>)) if (p.kind === 'branches') return { key, field: p };
  return null;
}
