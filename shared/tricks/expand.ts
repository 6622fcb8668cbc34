// The tricks that change the network itself (batch norm, dropout, init, L1/L2) are applied to the
// spec here, in pure TS, so the editor's shapes and counts describe exactly the model that trains.
// Which layers each trick reaches is declared by the layer descriptors (`tricks`), not here.
import type { InitializerName, LayerSpec, ModelSpec, RegularizerSpec } from '../spec/model-spec.js';
import { isWeighted } from '../spec/model-spec.js';
import { layerDescriptor } from '../layers/registry.js';
import type { TrainingConfig } from './config.js';
import type { TrickId } from './registry.js';

export const INIT_TRICKS: Partial<Record<TrickId, InitializerName>> = {
  initUniform: 'uniform',
  initNormal: 'normal',
  initLecun: 'lecunNormal',
  initGlorotNormal: 'glorotNormal',
  initGlorotUniform: 'glorotUniform',
  initHe: 'heNormal',
};

interface Expansion {
  initializer?: InitializerName;
  regularizer?: RegularizerSpec;
  batchNorm?: { momentum: number; epsilon: number };
  dropoutRate?: number;
}

function expansionOf(config: TrainingConfig): Expansion {
  const t = config.tricks;
  const initId = (Object.keys(INIT_TRICKS) as TrickId[]).find((id) => id in t);
  const regularizer: RegularizerSpec = {};
  if (t.l1) regularizer.l1 = t.l1.lambda;
  if (t.l2) regularizer.l2 = t.l2.lambda;
  return {
    initializer: initId ? INIT_TRICKS[initId] : undefined,
    regularizer: Object.keys(regularizer).length ? regularizer : undefined,
    batchNorm: t.batchNorm ? { momentum: t.batchNorm.momentum, epsilon: t.batchNorm.epsilon } : undefined,
    dropoutRate: t.dropout ? t.dropout.rate : undefined,
  };
}

export function expandSpec(spec: ModelSpec, config: TrainingConfig): ModelSpec {
  return { ...spec, layers: expandStack(spec.layers, expansionOf(config), outputLayer(spec.layers)) };
}

/** Where a layer of the expanded model (the one that trains) came from in the spec as the editor shows it. */
export interface LayerOrigin {
  /** The spec path of the layer it is, or follows: `layers[3]`, `layers[2].layers[0]`. */
  path: string;
  /** Set when a trick inserted it after that layer: batch norm, dropout, or the activation moved after batch norm. */
  inserted?: LayerSpec['type'];
}

/**
 * Maps every layer path of `expandSpec(spec, config)` (what per-layer statistics name) back to the spec: the
 * structural tricks insert layers, so `layers[10]` of the model that trains may be `layers[4]` of the editor.
 */
export function expandedOrigins(spec: ModelSpec, config: TrainingConfig): Map<string, LayerOrigin> {
  const map = new Map<string, LayerOrigin>();
  expandStack(spec.layers, expansionOf(config), outputLayer(spec.layers), (at, origin) => map.set(at, origin));
  return map;
}

/** What the network tricks set that a spec cannot carry: the half-width a of initUniform's U(-a, a). */
export function networkOptions(config: TrainingConfig): { uniformLimit?: number } {
  return config.tricks.initUniform ? { uniformLimit: config.tricks.initUniform.limit } : {};
}

/** The last top-level weighted layer produces the predictions: it gets no batch norm or dropout after it. */
function outputLayer(layers: readonly LayerSpec[]): LayerSpec | undefined {
  for (let i = layers.length - 1; i >= 0; i--) if (isWeighted(layers[i]!)) return layers[i];
  return undefined;
}

/** Records where each layer of the expanded model came from (expandedOrigins). */
type Recorder = (expandedPath: string, origin: LayerOrigin) => void;

function expandStack(layers: readonly LayerSpec[], x: Expansion, output: LayerSpec | undefined, record?: Recorder, from = 'layers', to = 'layers'): LayerSpec[] {
  const out: LayerSpec[] = [];
  layers.forEach((layer, i) => {
    const path = `${from}[${i}]`;
    const push = (l: LayerSpec, inserted?: LayerSpec['type']) => {
      record?.(`${to}[${out.length}]`, inserted ? { path, inserted } : { path });
      out.push(l);
    };
    const d = layerDescriptor(layer.type);
    if (d.block) {
      const at = `${to}[${out.length}]`;
      push(d.block.withStacks(layer, d.block.stacks(layer).map((s) => expandStack(s.layers, x, output, record, `${path}${below(s.at)}`, `${at}${below(s.at)}`))));
      return;
    }
    const reached = { ...layer } as LayerSpec & { initializer?: InitializerName; regularizer?: RegularizerSpec; activation?: string };
    if (d.tricks.init && !reached.initializer && x.initializer) reached.initializer = x.initializer;
    if (d.tricks.regularizer && !reached.regularizer && x.regularizer) reached.regularizer = x.regularizer;
    const hidden = layer !== output;
    if (hidden && x.batchNorm && d.tricks.batchNorm) {
      // Normalise the pre-activation, as in the batch-norm paper: weighted → BN → activation.
      const activation = reached.activation ?? 'linear';
      push({ ...reached, activation: 'linear' } as LayerSpec);
      push({ type: 'batchNorm', ...x.batchNorm }, 'batchNorm');
      if (activation !== 'linear') push({ type: 'activation', activation } as LayerSpec, 'activation');
    } else {
      push(d.tricks.init || d.tricks.regularizer ? reached : layer);
    }
    if (hidden && x.dropoutRate !== undefined && d.tricks.dropout) push({ type: 'dropout', rate: x.dropoutRate }, 'dropout');
  });
  return out;
}

const below = (at: readonly (string | number)[]): string => at.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
