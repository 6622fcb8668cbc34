// Every layer type's builder, listed explicitly (as shared/layers/registry.ts lists the descriptors):
// adding a layer means adding its file here and one line in each list. Tests check that every descriptor has
// a builder and that every tfjs class a builder creates has an ONNX form (or a refusal) and an import rule.
import { LAYER_TYPES, layerDescriptor, type LayerSpec, type LayerType } from '../../../shared/index.js';
import type { ImportRule, LayerBuilder, TfjsClassRules } from './builder.js';
import { input } from './input.js';
import { dense } from './dense.js';
import { conv2d } from './conv2d.js';
import { maxPool2d } from './max-pool2d.js';
import { avgPool2d } from './avg-pool2d.js';
import { globalAvgPool2d } from './global-avg-pool2d.js';
import { flatten } from './flatten.js';
import { dropout } from './dropout.js';
import { batchNorm } from './batch-norm.js';
import { activation } from './activation.js';
import { residual } from './residual.js';
import { inception } from './inception.js';
import { reshape } from './reshape.js';
import { conv1d } from './conv1d.js';
import { depthwiseConv2d } from './depthwise-conv2d.js';
import { separableConv2d } from './separable-conv2d.js';
import { upSampling2d } from './up-sampling2d.js';
import { maxPool1d } from './max-pool1d.js';
import { globalAvgPool1d, globalMaxPool1d } from './global-pool1d.js';
import { globalMaxPool2d } from './global-max-pool2d.js';
import { embedding } from './embedding.js';
import { positionEmbedding } from './position-embedding.js';
import { lstm } from './lstm.js';
import { gru } from './gru.js';
import { multiHeadAttention } from './multi-head-attention.js';
import { layerNorm } from './layer-norm.js';
import { transformerEncoder } from './transformer-encoder.js';

export const BUILDERS = [
  input,
  dense,
  conv2d,
  maxPool2d,
  avgPool2d,
  globalAvgPool2d,
  flatten,
  dropout,
  batchNorm,
  activation,
  residual,
  inception,
  reshape,
  conv1d,
  depthwiseConv2d,
  separableConv2d,
  upSampling2d,
  maxPool1d,
  globalAvgPool1d,
  globalMaxPool1d,
  globalMaxPool2d,
  embedding,
  positionEmbedding,
  lstm,
  gru,
  multiHeadAttention,
  layerNorm,
  transformerEncoder,
] as const;

const byType = new Map<string, LayerBuilder>(BUILDERS.map((b) => [b.type, b as unknown as LayerBuilder]));
const byClass = new Map<string, { rules: TfjsClassRules; owner: LayerType }>();
for (const b of BUILDERS) {
  for (const [className, rules] of Object.entries(b.tfjs)) {
    const taken = byClass.get(className);
    if (taken) throw new Error(`tfjs class ${className} is claimed by both ${taken.owner} and ${b.type}`);
    byClass.set(className, { rules, owner: b.type });
  }
}
for (const type of LAYER_TYPES) if (!byType.has(type)) throw new Error(`layer type ${type} has no builder in core/engine/layers/registry.ts`);

export function builderFor(type: LayerType): LayerBuilder<LayerSpec> {
  return byType.get(type)!;
}

/** The ONNX form and import rule of a tfjs class, with the layer type that owns it; undefined for a foreign class. */
export function tfjsClass(className: string): { rules: TfjsClassRules; owner: LayerType } | undefined {
  return byClass.get(className);
}

/** `Dense, Conv2D, …, Add (residual) and Concatenate (inception)`: what an import accepts, for messages. */
export function importableClasses(): string {
  const names = [...byClass.entries()]
    .filter(([, c]) => c.rules.import)
    .map(([name, c]) => (c.rules.import as ImportRule).note ? `${name} (${(c.rules.import as ImportRule).note})` : name);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : (names[0] ?? '');
}

/**
 * Does a tfjs layer of this class belong to a weighted layer type (its descriptor says `weighted`)? The
 * engine probes these for per-layer statistics.
 */
export function holdsKernel(layer: { getClassName(): string }): boolean {
  const owner = byClass.get(layer.getClassName())?.owner;
  return owner !== undefined && layerDescriptor(owner).weighted === true;
}
