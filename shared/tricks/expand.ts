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

export function expandSpec(spec: ModelSpec, config: TrainingConfig): ModelSpec {
  const t = config.tricks;
  const initId = (Object.keys(INIT_TRICKS) as TrickId[]).find((id) => id in t);
  const regularizer: RegularizerSpec = {};
  if (t.l1) regularizer.l1 = t.l1.lambda;
  if (t.l2) regularizer.l2 = t.l2.lambda;
  const expansion: Expansion = {
    initializer: initId ? INIT_TRICKS[initId] : undefined,
    regularizer: Object.keys(regularizer).length ? regularizer : undefined,
    batchNorm: t.batchNorm ? { momentum: t.batchNorm.momentum, epsilon: t.batchNorm.epsilon } : undefined,
    dropoutRate: t.dropout ? t.dropout.rate : undefined,
  };
  const output = outputLayer(spec.layers);
  return { ...spec, layers: expandStack(spec.layers, expansion, output) };
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

function expandStack(layers: readonly LayerSpec[], x: Expansion, output: LayerSpec | undefined): LayerSpec[] {
  const out: LayerSpec[] = [];
  for (const layer of layers) {
    const d = layerDescriptor(layer.type);
    if (d.block) {
      out.push(d.block.withStacks(layer, d.block.stacks(layer).map((s) => expandStack(s.layers, x, output))));
      continue;
    }
    const reached = { ...layer } as LayerSpec & { initializer?: InitializerName; regularizer?: RegularizerSpec; activation?: string };
    if (d.tricks.init && !reached.initializer && x.initializer) reached.initializer = x.initializer;
    if (d.tricks.regularizer && !reached.regularizer && x.regularizer) reached.regularizer = x.regularizer;
    const hidden = layer !== output;
    if (hidden && x.batchNorm && d.tricks.batchNorm) {
      // Normalise the pre-activation, as in the batch-norm paper: weighted → BN → activation.
      const activation = reached.activation ?? 'linear';
      out.push({ ...reached, activation: 'linear' } as LayerSpec);
      out.push({ type: 'batchNorm', ...x.batchNorm });
      if (activation !== 'linear') out.push({ type: 'activation', activation } as LayerSpec);
    } else {
      out.push(d.tricks.init || d.tricks.regularizer ? reached : layer);
    }
    if (hidden && x.dropoutRate !== undefined && d.tricks.dropout) out.push({ type: 'dropout', rate: x.dropoutRate });
  }
  return out;
}
