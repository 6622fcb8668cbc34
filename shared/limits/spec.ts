// Limits on model specs, in one place: the schema, the shape inference, the CLI's check, the API, the editor
// and the engine read them. Each refusal names the field, the value and what is allowed, with the numbers.
//
// Why these values (measured with tfjs 4.22 on the wasm and cpu backends; see README, Architecture, Limits):
// - nesting: a spec is JSON that zod, inference and the builders walk recursively; 24 levels hold blocks 7
//   deep inside one another with every field set, far beyond any real design, and stay well inside the stack.
// - layers: tfjs-layers builds a model's graph recursively and overflows Node's stack between 4,000 and
//   4,500 tfjs layers; one spec layer becomes at most ~2 tfjs layers (leakyRelu, projections), so 1,000.
// - parameters: 50 million = 200 MB of weights. Training needs far more than the weights (gradients,
//   optimizer state and tfjs's update temporaries: ~72 bytes per parameter with Adam), all inside
//   tfjs-wasm's 4 GiB heap and a laptop's memory.
// - training memory: 3 GB estimated at the chosen batch size (an estimate at or above the measured peak),
//   leaving a quarter of the wasm heap for what it does not see (allocator slack, the data batches) and a
//   typical 8 GB laptop room for the rest of the system.
import { formatPath, specError, type PathSegment, type SpecError } from '../spec/errors.js';
import type { LayerInfo, ModelInfo } from '../spec/inference.js';
import type { TrainingConfig } from '../tricks/config.js';

/** Any count in a layer (units, filters, a window side, an input dimension). */
export const MAX_UNITS = 1 << 20;
/** JSON levels of objects and lists below the spec document. */
export const MAX_SPEC_DEPTH = 24;
/** Layers in a model, nested ones (and those the structural tricks insert) included. */
export const MAX_LAYERS = 1_000;
/** Weights in a model, trainable or not. */
export const MAX_PARAMS = 50_000_000;
/** Estimated peak memory of training (see estimateTraining). */
export const MAX_TRAINING_BYTES = 3_000_000_000;
/** One checkpoint part (weights, or optimizer state) is one SQLite BLOB; SQLite's own limit is 1 GB. */
export const MAX_CHECKPOINT_PART_BYTES = 900 * 1024 * 1024;
/**
 * The engine's per-layer statistics run a backward pass on this many validation samples every epoch
 * (core/engine/train.ts PROBE_SIZE), so activations are held for at least this many samples.
 */
export const STATS_PROBE_SAMPLES = 256;

/** Peak bytes per trainable parameter in one training step (weights, gradient, state, update temporaries), measured. */
const STEP_BYTES: Record<string, number> = { sgd: 22, momentum: 26, nesterov: 26, adagrad: 33, rmsprop: 60, adam: 72 };
/** Optimizer state kept between steps, in floats per trainable parameter (what a checkpoint stores). */
const STATE_SLOTS: Record<string, number> = { sgd: 0, momentum: 1, nesterov: 1, adagrad: 1, rmsprop: 2, adam: 2 };
const OPTIMIZER_NAMES: Record<string, string> = { sgd: 'SGD', momentum: 'momentum', nesterov: 'Nesterov momentum', adagrad: 'Adagrad', rmsprop: 'RMSProp', adam: 'Adam' };
/**
 * Bytes alive at the peak per output value of every layer (forward values kept for the backward pass, their
 * gradients, kernel temporaries). Measured 21–26 on the wasm and cpu backends for convolutions, residual
 * blocks and MLPs, up to 38.5 with batch norm in training mode: 40 stays at or above all of them.
 */
const ACTIVATION_BYTES_PER_VALUE = 40;

/** `1,234,567`, the same on every platform. */
export const formatCount = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** `3.3 GB`, `200 MB`, `12 kB` (decimal units, as disks and task managers show them). */
export function formatBytes(bytes: number): string {
  const units: Array<[number, string]> = [[1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB']];
  for (const [size, unit] of units) {
    if (bytes >= size) {
      const v = bytes / size;
      return `${v >= 100 ? Math.round(v) : Number(v.toPrecision(2))} ${unit}`;
    }
  }
  return `${Math.round(bytes)} B`;
}

interface ScanNode {
  value: unknown;
  depth: number;
  key: PathSegment | null;
  parent: ScanNode | null;
}

function pathOf(node: ScanNode): PathSegment[] {
  const out: PathSegment[] = [];
  for (let n: ScanNode | null = node; n && n.key !== null; n = n.parent) out.push(n.key);
  return out.reverse();
}

/**
 * The nesting depth and the layer count of a raw spec, measured without recursion (a hostile document can
 * nest hundreds of thousands of levels): an error naming the cap, or null. Runs before zod parses.
 */
export function checkSpecShape(input: unknown): SpecError | null {
  if (input === null || typeof input !== 'object') return null;
  const stack: ScanNode[] = [{ value: input, depth: 0, key: null, parent: null }];
  let deepest: ScanNode | null = null;
  let maxDepth = 0;
  let layers = 0;
  while (stack.length) {
    const node = stack.pop()!;
    const { value, depth } = node;
    if (depth > maxDepth) maxDepth = depth;
    if (depth > MAX_SPEC_DEPTH && !deepest) deepest = node;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const item: unknown = value[i];
        if (item !== null && typeof item === 'object') stack.push({ value: item, depth: depth + 1, key: i, parent: node });
      }
      continue;
    }
    const record = value as Record<string, unknown>;
    if (typeof record.type === 'string') layers++;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (item !== null && typeof item === 'object') stack.push({ value: item, depth: depth + 1, key, parent: node });
    }
  }
  if (deepest) {
    const path = pathOf(deepest);
    const shown = formatPath(path.slice(0, 8)) + (path.length > 8 ? '…' : '');
    // The error sits on the top-level layer that holds the nesting, so the editor flags that card.
    const at = path[0] === 'layers' && typeof path[1] === 'number' ? path.slice(0, 2) : [];
    return specError(
      at,
      `nests too deep: a spec may nest at most ${MAX_SPEC_DEPTH} levels, enough for blocks 7 deep inside one another (got ${formatCount(maxDepth)} levels, at ${shown})`,
      undefined,
      false,
    );
  }
  // The input and block layers count; fields never have a `type`, so this counts layers at any depth.
  if (layers > MAX_LAYERS) return layerCountError(layers);
  return null;
}

function layerCountError(count: number): SpecError {
  return {
    path: 'layers',
    message: `layers must hold at most ${formatCount(MAX_LAYERS)} layers, nested ones and those the structural tricks insert included: TensorFlow.js builds models recursively and fails past ~4,000 (got ${formatCount(count)})`,
  };
}

function countLayers(infos: readonly LayerInfo[]): number {
  let n = 0;
  const stack = [infos];
  while (stack.length) {
    for (const info of stack.pop()!) {
      n++;
      for (const child of info.children ?? []) stack.push(child);
    }
  }
  return n;
}

/**
 * The size limits that hold for any training config: layer count and parameters. `inferModel` adds these to
 * its errors, so the CLI's check, the API, the editor and the engine all refuse an oversized model.
 */
export function checkModelSize(layers: readonly LayerInfo[], totalParams: number): SpecError[] {
  const errors: SpecError[] = [];
  const count = countLayers(layers);
  if (count > MAX_LAYERS) errors.push(layerCountError(count));
  if (totalParams > MAX_PARAMS) {
    errors.push({
      path: 'layers',
      message:
        `layers hold ${formatCount(totalParams)} parameters (${formatBytes(4 * totalParams)} of weights, ~${formatBytes(STEP_BYTES.adam! * totalParams)} to train with Adam); ` +
        `a model may have at most ${formatCount(MAX_PARAMS)} (${formatBytes(4 * MAX_PARAMS)} of weights): use fewer units or filters, or downsample before the first dense layer`,
    });
  }
  return errors;
}

export interface TrainingFootprint {
  params: number;
  trainableParams: number;
  optimizer: string;
  members: number;
  /** Samples whose activations are alive at once: the batch, or the statistics probe when larger. */
  activationSamples: number;
  /** Weights, gradients, optimizer state and update temporaries of every member, plus kept copies (best, averaged). */
  parameterBytes: number;
  activationBytes: number;
  totalBytes: number;
  /** The two checkpoint parts (weights with kept copies; optimizer state). */
  checkpointWeightsBytes: number;
  checkpointOptimizerBytes: number;
}

/** The optimizer trick a config uses (Adam when it names none). */
function optimizerOf(config: TrainingConfig): string {
  return Object.keys(STEP_BYTES).find((id) => id in config.tricks) ?? 'adam';
}

/** Values every layer outputs for one sample, nested layers included (what a training step keeps alive). */
function activationValues(infos: readonly LayerInfo[]): number {
  let n = 0;
  const stack = [infos];
  while (stack.length) {
    for (const info of stack.pop()!) {
      if (info.type !== 'input' && info.outputShape) n += info.outputShape.reduce((a, b) => a * b, 1);
      for (const child of info.children ?? []) stack.push(child);
    }
  }
  return n;
}

/**
 * An estimate of training's peak memory for the model that trains (the spec after expandSpec) under a
 * config: calibrated on tfjs 4.22's wasm backend (MLPs up to 5.8 M parameters, CNNs up to 64 filters at
 * 28×28, batch 32–1,024) to sit at or above the measured peak.
 */
export function estimateTraining(info: Pick<ModelInfo, 'layers' | 'totalParams' | 'trainableParams'>, config: TrainingConfig): TrainingFootprint {
  const optimizer = optimizerOf(config);
  const members = config.tricks.ensemble ? Number(config.tricks.ensemble.members) : 1;
  const copies = (config.tricks.earlyStopping ? 1 : 0) + (config.tricks.weightAveraging ? 1 : 0);
  const P = info.totalParams;
  const T = info.trainableParams;
  const slots = STATE_SLOTS[optimizer]!;
  const oneMember = 4 * (P - T) + STEP_BYTES[optimizer]! * T;
  // Only one member steps at a time: the others hold their weights and optimizer state.
  const parameterBytes = oneMember + (members - 1) * 4 * (P + slots * T) + members * copies * 4 * P;
  const activationSamples = Math.max(config.batchSize, STATS_PROBE_SAMPLES);
  const activationBytes = ACTIVATION_BYTES_PER_VALUE * activationValues(info.layers) * activationSamples;
  return {
    params: P,
    trainableParams: T,
    optimizer,
    members,
    activationSamples,
    parameterBytes,
    activationBytes,
    totalBytes: parameterBytes + activationBytes,
    checkpointWeightsBytes: members * (1 + copies) * 4 * P,
    checkpointOptimizerBytes: members * slots * 4 * T,
  };
}

/**
 * Everything that refuses a model before training under a config: the size limits and the memory estimate.
 * `info` describes the model that trains (the spec after expandSpec).
 */
export function checkTrainable(info: ModelInfo, config: TrainingConfig): SpecError[] {
  const errors = checkModelSize(info.layers, info.totalParams).filter((e) => !info.errors.some((x) => x.message === e.message));
  if (errors.length || info.totalParams > MAX_PARAMS) return errors;
  const f = estimateTraining(info, config);
  if (f.totalBytes > MAX_TRAINING_BYTES) {
    const who = f.activationSamples > config.batchSize ? `${formatCount(f.activationSamples)} samples (the per-layer statistics probe)` : `batch size ${formatCount(config.batchSize)}`;
    const activations = `${formatBytes(f.activationBytes)} for the activations of ${who}`;
    const parameters = `${formatBytes(f.parameterBytes)} for weights, gradients and ${OPTIMIZER_NAMES[f.optimizer]} state${f.members > 1 ? ` of ${f.members} ensemble members` : ''}`;
    const parts = f.activationBytes >= f.parameterBytes ? `${activations} and ${parameters}` : `${parameters} and ${activations}`;
    const advice =
      f.activationBytes > f.parameterBytes
        ? f.activationSamples > config.batchSize
          ? 'use fewer filters, smaller inputs, or stride or pool earlier'
          : 'lower the batch size, use fewer filters, or stride or pool earlier'
        : 'use fewer units or filters, or an optimizer with less state (SGD or momentum)';
    errors.push({
      path: '',
      message: `the model needs ~${formatBytes(f.totalBytes)} of memory to train, more than the ${formatBytes(MAX_TRAINING_BYTES)} allowed: ${parts}; ${advice}`,
    });
  }
  const part = Math.max(f.checkpointWeightsBytes, f.checkpointOptimizerBytes);
  if (part > MAX_CHECKPOINT_PART_BYTES) {
    const which = f.checkpointWeightsBytes >= f.checkpointOptimizerBytes ? 'weights' : `${OPTIMIZER_NAMES[f.optimizer]} state`;
    errors.push({
      path: '',
      message: `a checkpoint of this run would hold ${formatBytes(part)} of ${which}${f.members > 1 ? ` for ${f.members} ensemble members` : ''}; one checkpoint part may hold at most ${formatBytes(MAX_CHECKPOINT_PART_BYTES)}: use fewer members or a smaller model`,
    });
  }
  return errors;
}
