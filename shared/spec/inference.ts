// Shape inference and parameter counts, in pure TypeScript so the editor can show them live as the
// user types. Shapes leave out the batch axis; images are [height, width, channels] (NHWC, as tfjs).
// Counts match TensorFlow.js's `model.countParams()` (which includes batch norm's moving statistics).
// Each layer's own rule lives in its descriptor (shared/layers/defs/); this file walks the stacks.
import { errorText } from './messages.js';
import { specError, type PathSegment, type SpecError } from './errors.js';
import { parseModelSpec } from './schema.js';
import type { ModelSpec } from './model-spec.js';
import type { InferContext } from '../layers/descriptor.js';
import { layerDescriptor, type LayerSpec, type LayerType } from '../layers/registry.js';
import type { ProjectionInfo } from '../layers/defs/residual.js';
import { checkModelSize, checkTrainable } from '../limits/spec.js';
import type { TrainingConfig } from '../tricks/config.js';

export type Shape = readonly number[];
export type { ProjectionInfo };

export interface LayerInfo {
  path: string;
  type: LayerType;
  inputShape: Shape | null;
  /** null when an earlier error makes it unknowable. */
  outputShape: Shape | null;
  /** Every weight, trainable or not (what tfjs's countParams reports). */
  params: number;
  trainableParams: number;
  /** Blocks: one stack per stack they hold (a residual's body, each inception branch). */
  children?: LayerInfo[][];
  /** Weights a block adds beyond its stacks, for tables: `projection conv2d 1×1 /2×2`. */
  extras?: Array<{ label: string; params: number }>;
  /** A residual block's shortcut projection, when its body changes the shape. */
  projection?: ProjectionInfo;
}

export interface ModelInfo {
  layers: LayerInfo[];
  inputShape: Shape | null;
  outputShape: Shape | null;
  totalParams: number;
  trainableParams: number;
  errors: SpecError[];
}

export function formatShape(shape: Shape | null): string {
  return shape ? `[${shape.join(', ')}]` : '?';
}

const CLASSIFICATION_LOSSES = new Set(['categoricalCrossentropy', 'binaryCrossentropy']);

/**
 * Infers every layer's output shape and parameter count, collecting every error it can find, the size
 * limits (layer count, parameters) included.
 */
export function inferModel(spec: ModelSpec): ModelInfo {
  const errors: SpecError[] = [];
  const [first, ...rest] = spec.layers;
  if (!first || first.type !== 'input') {
    errors.push(specError(['layers', 0], errorText.firstMustBeInput(), first?.type));
    return { layers: [], inputShape: null, outputShape: null, totalParams: 0, trainableParams: 0, errors };
  }
  const inputInfo: LayerInfo = {
    path: 'layers[0]',
    type: 'input',
    inputShape: null,
    outputShape: first.shape,
    params: 0,
    trainableParams: 0,
  };
  const stack = inferStack(rest, first.shape, ['layers'], 1, errors);
  const layers = [inputInfo, ...stack.infos];
  const outputShape = stack.output;

  if (CLASSIFICATION_LOSSES.has(spec.loss)) checkClassifierHead(spec, outputShape, errors);

  const totals = sumParams(layers);
  errors.push(...checkModelSize(layers, totals.totalParams));
  return { layers, inputShape: first.shape, outputShape, ...totals, errors };
}

/**
 * inferModel for the model that trains (the spec after expandSpec) under a config: adds what the batch
 * size, the optimizer and the averaging tricks decide, the training-memory estimate and the checkpoint size.
 * The engine calls this before training starts; the editor and the CLI's check show the same errors.
 */
export function inferForTraining(spec: ModelSpec, config: TrainingConfig): ModelInfo {
  const info = inferModel(spec);
  return info.errors.length ? info : { ...info, errors: checkTrainable(info, config) };
}

export interface CheckResult {
  ok: boolean;
  spec?: ModelSpec;
  info?: ModelInfo;
  errors: SpecError[];
}

/** Structural validation, then shape rules: everything the CLI's `check` and the editor report. */
export function checkModelSpec(input: unknown): CheckResult {
  const parsed = parseModelSpec(input);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const info = inferModel(parsed.value);
  return { ok: info.errors.length === 0, spec: parsed.value, info, errors: info.errors };
}

function sumParams(infos: readonly LayerInfo[]): { totalParams: number; trainableParams: number } {
  let totalParams = 0;
  let trainableParams = 0;
  for (const info of infos) {
    totalParams += info.params;
    trainableParams += info.trainableParams;
  }
  return { totalParams, trainableParams };
}

function inferStack(
  layers: readonly LayerSpec[],
  input: Shape | null,
  base: readonly PathSegment[],
  offset: number,
  errors: SpecError[],
): { infos: LayerInfo[]; output: Shape | null } {
  const infos: LayerInfo[] = [];
  let shape = input;
  layers.forEach((layer, i) => {
    const info = inferLayer(layer, shape, [...base, offset + i], errors);
    infos.push(info);
    shape = info.outputShape;
  });
  return { infos, output: shape };
}

function inferLayer(layer: LayerSpec, input: Shape | null, path: PathSegment[], errors: SpecError[]): LayerInfo {
  const info: LayerInfo = {
    path: specError(path, '', undefined, false).path,
    type: layer.type,
    inputShape: input,
    outputShape: null,
    params: 0,
    trainableParams: 0,
  };
  if (layer.type === 'input') {
    errors.push(specError(path, errorText.inputNotFirst(), undefined, false));
    return info;
  }
  const d = layerDescriptor(layer.type);
  const ctx: InferContext = {
    fail(text, field) {
      errors.push(specError(field === undefined ? path : [...path, field], text, undefined, false));
      return null;
    },
    report(text, at = []) {
      errors.push(specError([...path, ...at], text, undefined, false));
    },
    stack: (layers, from, at) => inferStack(layers, from, [...path, ...at], 0, errors),
  };
  if (!input) {
    // A block's stacks still get checked from an unknown input, so their own errors show.
    if (!d.block) return info;
    const children = d.block.stacks(layer).map((s) => ctx.stack(s.layers, null, s.at).infos);
    return { ...info, children, ...childParams(children) };
  }
  const r = d.infer(layer, input, ctx);
  if (!r) return info;
  const own = { params: r.params ?? 0, trainableParams: r.trainableParams ?? r.params ?? 0 };
  const held = r.children ? childParams(r.children) : { params: 0, trainableParams: 0 };
  return {
    ...info,
    outputShape: r.outputShape,
    params: held.params + own.params,
    trainableParams: held.trainableParams + own.trainableParams,
    ...(r.children ? { children: r.children } : {}),
    ...(r.extras ? { extras: r.extras } : {}),
    ...r.details,
  };
}

/** A block's counts are the sum of what it holds (plus its own extras). */
function childParams(children: readonly LayerInfo[][]): { params: number; trainableParams: number } {
  const { totalParams, trainableParams } = sumParams(children.flat());
  return { params: totalParams, trainableParams };
}

/** Classification losses read class scores from a softmax/sigmoid head: softmax anywhere else is a mistake. */
function checkClassifierHead(spec: ModelSpec, output: Shape | null, errors: SpecError[]): void {
  const lastIndex = spec.layers.length - 1;
  const visit = (layers: readonly LayerSpec[], base: readonly PathSegment[], topLevel: boolean) => {
    layers.forEach((layer, i) => {
      const path = [...base, i];
      const isLast = topLevel && i === lastIndex;
      if ('activation' in layer && layer.activation === 'softmax' && !isLast) {
        // The activation layer is its activation; other layers hold it in a field.
        const field = layer.type === 'activation' ? [] : ['activation'];
        errors.push(specError([...path, ...field], errorText.softmaxNotLast(spec.loss), undefined, false));
      }
      for (const s of layerDescriptor(layer.type).block?.stacks(layer) ?? []) visit(s.layers, [...path, ...s.at], false);
    });
  };
  visit(spec.layers, ['layers'], true);
  if (output && output.length !== 1) {
    errors.push(specError(['layers', lastIndex], errorText.outputNotVector(output), undefined, false));
  }
}
