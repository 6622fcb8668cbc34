// Import of a TF.js layers model (model.json + weights) as a model spec, for the editor to keep as a new
// model version. Each tfjs class maps back through the rule of the layer type that owns it
// (core/engine/layers/): chains map one to one, and a merge (an Add whose branches meet at a common input,
// a Concatenate on the channel axis) becomes the block that made it. Anything else stops the import, naming
// the layer that stopped it.
import * as tfl from '@tensorflow/tfjs-layers';
import {
  ACTIVATIONS,
  checkModelSpec,
  type ActivationName,
  type LayerSpec,
  type LossName,
  type ModelSpec,
  type Size2,
} from '../../shared/index.js';
import type { Store } from '../store/index.js';
import type { ImportContext } from '../engine/layers/builder.js';
import { importableClasses, tfjsClass } from '../engine/layers/registry.js';
import { loadTfjsFolder } from './export.js';

export class ImportError extends Error {
  constructor(
    message: string,
    /** The tfjs layer that stopped the import, when one did. */
    readonly layer?: { name: string; className: string },
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

type Layer = tfl.layers.Layer;

const SUPPORTED = importableClasses();
const ACTIVATION_NAMES: Record<string, ActivationName> = {
  relu: 'relu',
  elu: 'elu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
  linear: 'linear',
};

const stop = (layer: Layer, why: string) =>
  new ImportError(`layer "${layer.name}" (${layer.getClassName()}) stops the import: ${why}`, { name: layer.name, className: layer.getClassName() });

function activationOf(layer: Layer, name: string | undefined): ActivationName {
  const a = ACTIVATION_NAMES[name ?? 'linear'];
  if (!a) throw stop(layer, `activation "${name}" is not one Layerwise has (${ACTIVATIONS.join(', ')})`);
  return a;
}

function size(v: unknown): Size2 {
  const [a, b] = Array.isArray(v) ? (v as number[]) : [v as number, v as number];
  return a === b ? a! : [a!, b!];
}

function inboundOf(layer: Layer): Layer[] {
  return layer.inboundNodes[0]?.inboundLayers ?? [];
}

class Converter {
  private readonly order = new Map<Layer, number>();
  private readonly ancestorsCache = new Map<Layer, Set<Layer>>();

  constructor(model: tfl.LayersModel) {
    model.layers.forEach((l, i) => this.order.set(l, i));
  }

  private ancestors(layer: Layer): Set<Layer> {
    const hit = this.ancestorsCache.get(layer);
    if (hit) return hit;
    const set = new Set<Layer>([layer]);
    for (const p of inboundOf(layer)) for (const a of this.ancestors(p)) set.add(a);
    this.ancestorsCache.set(layer, set);
    return set;
  }

  /** The nearest layer every branch descends from: where a block forks. */
  private fork(branches: Layer[]): Layer {
    const sets = branches.map((b) => this.ancestors(b));
    let best: Layer | undefined;
    for (const candidate of sets[0]!) {
      if (sets.every((s) => s.has(candidate)) && (!best || this.order.get(candidate)! > this.order.get(best)!)) best = candidate;
    }
    if (!best) throw new ImportError('the model has branches that do not meet at a common input');
    return best;
  }

  /** The layers from `from` (exclusive) to `to` (inclusive). */
  chain(to: Layer, from: Layer | null): LayerSpec[] {
    if (to === from) return [];
    const className = to.getClassName();
    const inputs = inboundOf(to);
    if (className === 'InputLayer') {
      if (from !== null) throw stop(to, 'a second input is not supported');
      const shape = (to.batchInputShape ?? []).slice(1) as number[];
      return [{ type: 'input', shape }];
    }
    const rule = tfjsClass(className)?.rules.import;
    if (rule?.merge) return [...this.chain(this.fork(inputs), from), ...rule.toSpec(this.context(to))];
    if (inputs.length !== 1) throw stop(to, 'a layer with several inputs is not supported');
    return [...this.chain(inputs[0]!, from), ...this.layer(to)];
  }

  private layer(layer: Layer): LayerSpec[] {
    const rule = tfjsClass(layer.getClassName())?.rules.import;
    if (!rule) throw stop(layer, `Layerwise supports ${SUPPORTED}`);
    return rule.toSpec(this.context(layer));
  }

  /** What a layer type's import rule may use. */
  private context(layer: Layer): ImportContext {
    return {
      layer,
      config: layer.getConfig() as Record<string, unknown>,
      stop: (why) => stop(layer, why),
      activation: (name) => activationOf(layer, name),
      size,
      padding: (value) => (value === 'same' ? 'same' : padding(layer, value)),
      inputs: inboundOf(layer),
      inboundOf,
      fork: (branches) => this.fork(branches),
      chain: (to, from) => this.chain(to, from),
    };
  }
}

function padding(layer: Layer, value: unknown): 'valid' {
  if (value !== 'valid' && value !== undefined) throw stop(layer, `padding "${String(value)}" is not supported`);
  return 'valid';
}

function lossFor(layers: readonly LayerSpec[]): LossName {
  const last = layers[layers.length - 1];
  // The last layer's own or fused activation says what the outputs are.
  const activation = last && 'activation' in last ? last.activation : undefined;
  return activation === 'softmax' ? 'categoricalCrossentropy' : activation === 'sigmoid' ? 'binaryCrossentropy' : 'meanSquaredError';
}

/** Converts a loaded tfjs layers model to a checked model spec (throws ImportError naming the layer). */
export function specFromTfjsModel(model: tfl.LayersModel, name = model.name): ModelSpec {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new ImportError(`the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; Layerwise models have one of each`);
  const converter = new Converter(model);
  const layers = converter.chain(model.outputLayers[0]!, null);
  const spec: ModelSpec = { version: 1, name: name.slice(0, 200) || 'imported model', loss: lossFor(layers), layers };
  const checked = checkModelSpec(spec);
  if (!checked.ok) throw new ImportError(`the imported model is not a valid Layerwise model: ${checked.errors.map((e) => e.message).join('; ')}`);
  return checked.spec!;
}

/** Reads a model.json + weights folder and converts it. */
export async function importTfjsFolder(dir: string, name?: string): Promise<ModelSpec> {
  let model: tfl.LayersModel;
  try {
    model = await loadTfjsFolder(dir);
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown layer: (\w+)/.exec(message);
    if (unknown) throw new ImportError(`layer type ${unknown[1]} stops the import: Layerwise supports ${SUPPORTED}`, { name: unknown[1]!, className: unknown[1]! });
    throw new ImportError(`cannot read the TF.js model in ${dir}: ${message}`);
  }
  try {
    return specFromTfjsModel(model, name);
  } finally {
    model.dispose();
  }
}

/** Imports into a project as a new model version (or finds the identical one). */
export async function importTfjsToStore(store: Store, projectId: number, dir: string, name?: string) {
  return store.saveModelVersion(projectId, await importTfjsFolder(dir, name));
}
