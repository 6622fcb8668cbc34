// Import of a TF.js layers model (model.json + weights) as a model spec, for the editor to keep as a new
// model version. Chains of supported layers map one to one; an Add whose branches meet at a common input
// (one of them the input itself or a single 1×1 projection) becomes a residual block, a Concatenate on the
// channel axis an inception block. Anything else stops the import, naming the layer that stopped it.
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

const SUPPORTED = 'Dense, Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Flatten, Dropout, BatchNormalization, Activation, ReLU, LeakyReLU, ELU, Add (residual) and Concatenate (inception)';
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
    if (className === 'Add') return [...this.chain(this.fork(inputs), from), this.residual(to, inputs)];
    if (className === 'Concatenate') return [...this.chain(this.fork(inputs), from), this.inception(to, inputs)];
    if (inputs.length !== 1) throw stop(to, 'a layer with several inputs is not supported');
    return [...this.chain(inputs[0]!, from), ...this.layer(to)];
  }

  private residual(add: Layer, inputs: Layer[]): LayerSpec {
    if (inputs.length !== 2) throw stop(add, 'a residual addition needs exactly two inputs');
    const fork = this.fork(inputs);
    const isShortcut = (l: Layer) => l === fork || (inboundOf(l)[0] === fork && isProjection(l));
    const shortcut = inputs.findIndex(isShortcut);
    if (shortcut < 0) throw stop(add, 'neither input is the block input or a 1×1 projection of it, so this is not a residual block');
    const body = this.chain(inputs[1 - shortcut]!, fork);
    if (body.length === 0) throw stop(add, 'the residual branch holds no layers');
    return { type: 'residual', layers: body };
  }

  private inception(concat: Layer, inputs: Layer[]): LayerSpec {
    const axis = (concat.getConfig() as { axis?: number }).axis ?? -1;
    const rank = (concat.outputShape as number[]).length;
    if (axis !== -1 && axis !== rank - 1) throw stop(concat, `only concatenation on the channel axis is supported (got axis ${axis})`);
    const fork = this.fork(inputs);
    const branches = inputs.map((i) => this.chain(i, fork));
    if (branches.some((b) => b.length === 0)) throw stop(concat, 'an inception branch that passes its input through unchanged is not supported');
    return { type: 'inception', branches };
  }

  private layer(layer: Layer): LayerSpec[] {
    const c = layer.getConfig() as Record<string, unknown>;
    switch (layer.getClassName()) {
      case 'Dense':
        return [{ type: 'dense', units: c.units as number, activation: activationOf(layer, c.activation as string), useBias: c.useBias !== false }];
      case 'Conv2D': {
        const dilation = size(c.dilationRate ?? 1);
        if (dilation !== 1) throw stop(layer, 'dilated convolutions are not supported');
        if (c.dataFormat === 'channelsFirst') throw stop(layer, 'channels-first data is not supported');
        return [
          {
            type: 'conv2d',
            filters: c.filters as number,
            kernelSize: size(c.kernelSize),
            strides: size(c.strides ?? 1),
            padding: c.padding === 'same' ? 'same' : padding(layer, c.padding),
            activation: activationOf(layer, c.activation as string),
            useBias: c.useBias !== false,
          },
        ];
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D':
        return [
          {
            type: layer.getClassName() === 'MaxPooling2D' ? 'maxPool2d' : 'avgPool2d',
            poolSize: size(c.poolSize),
            strides: size(c.strides ?? c.poolSize),
            padding: c.padding === 'same' ? 'same' : padding(layer, c.padding),
          },
        ];
      case 'GlobalAveragePooling2D':
        return [{ type: 'globalAvgPool2d' }];
      case 'Flatten':
        return [{ type: 'flatten' }];
      case 'Dropout':
        return [{ type: 'dropout', rate: c.rate as number }];
      case 'BatchNormalization': {
        const axis = c.axis as number;
        if (axis !== -1 && axis !== (layer.outputShape as number[]).length - 1) throw stop(layer, `only the channel axis is supported (got axis ${axis})`);
        return [{ type: 'batchNorm', momentum: c.momentum as number, epsilon: c.epsilon as number }];
      }
      case 'Activation':
        return [{ type: 'activation', activation: activationOf(layer, c.activation as string) }];
      case 'ReLU':
        if (c.maxValue != null) throw stop(layer, 'a capped ReLU (maxValue) is not supported');
        return [{ type: 'activation', activation: 'relu' }];
      case 'LeakyReLU':
        return [{ type: 'activation', activation: 'leakyRelu', alpha: c.alpha as number }];
      case 'ELU':
        return [{ type: 'activation', activation: 'elu', alpha: c.alpha as number }];
      default:
        throw stop(layer, `Layerwise supports ${SUPPORTED}`);
    }
  }
}

function padding(layer: Layer, value: unknown): 'valid' {
  if (value !== 'valid' && value !== undefined) throw stop(layer, `padding "${String(value)}" is not supported`);
  return 'valid';
}

function isProjection(layer: Layer): boolean {
  const c = layer.getConfig() as Record<string, unknown>;
  if (layer.getClassName() === 'Dense') return (c.activation ?? 'linear') === 'linear';
  return layer.getClassName() === 'Conv2D' && size(c.kernelSize) === 1 && (c.activation ?? 'linear') === 'linear';
}

function lossFor(layers: readonly LayerSpec[]): LossName {
  const last = layers[layers.length - 1];
  const activation = last && (last.type === 'dense' || last.type === 'conv2d' || last.type === 'activation') ? last.activation : undefined;
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
