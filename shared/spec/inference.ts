// Shape inference and parameter counts, in pure TypeScript so the editor can show them live as the
// user types. Shapes leave out the batch axis; images are [height, width, channels] (NHWC, as tfjs).
// Counts match TensorFlow.js's `model.countParams()` (which includes batch norm's moving statistics).
import { errorText } from './messages.js';
import { specError, type PathSegment, type SpecError } from './errors.js';
import { parseModelSpec } from './schema.js';
import { size2, type LayerSpec, type LayerType, type ModelSpec, type Padding, type Size2 } from './model-spec.js';

export type Shape = readonly number[];

export interface ProjectionInfo {
  kind: 'conv1x1' | 'dense';
  strides: [number, number];
  params: number;
}

export interface LayerInfo {
  path: string;
  type: LayerType;
  inputShape: Shape | null;
  /** null when an earlier error makes it unknowable. */
  outputShape: Shape | null;
  /** Every weight, trainable or not (what tfjs's countParams reports). */
  params: number;
  trainableParams: number;
  /** Residual: one stack; inception: one stack per branch. */
  children?: LayerInfo[][];
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

/** Infers every layer's output shape and parameter count, collecting every error it can find. */
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
  return { layers, inputShape: first.shape, outputShape, ...totals, errors };
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

/** A block's own counts are the sum of what it holds. */
function blockParams(infos: readonly LayerInfo[]): Pick<LayerInfo, 'params' | 'trainableParams'> {
  const { totalParams, trainableParams } = sumParams(infos);
  return { params: totalParams, trainableParams };
}

function inferStack(
  layers: readonly LayerSpec[],
  input: Shape | null,
  base: PathSegment[],
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

function windowOutput(
  input: Shape,
  window: Size2,
  strides: Size2 | undefined,
  padding: Padding,
  path: PathSegment[],
  field: string,
  errors: SpecError[],
): [number, number] | null {
  const [kh, kw] = size2(window);
  const [sh, sw] = size2(strides ?? window);
  const [h, w] = [input[0]!, input[1]!];
  if (padding === 'same') return [Math.ceil(h / sh), Math.ceil(w / sw)];
  if (kh > h || kw > w) {
    errors.push(specError([...path, field], errorText.windowTooLarge(kh, kw, h, w), undefined, false));
    return null;
  }
  return [Math.floor((h - kh) / sh) + 1, Math.floor((w - kw) / sw) + 1];
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
  const fail = (text: string) => {
    errors.push(specError(path, text, undefined, false));
    return info;
  };
  if (layer.type === 'input') return fail(errorText.inputNotFirst());
  // Nested blocks still get checked so their own errors show, even when the input is unknown.
  if (!input && layer.type !== 'residual' && layer.type !== 'inception') return info;

  switch (layer.type) {
    case 'dense': {
      if (input!.length !== 1) return fail(errorText.needsVector('dense', input!));
      const params = input![0]! * layer.units + (layer.useBias === false ? 0 : layer.units);
      return { ...info, outputShape: [layer.units], params, trainableParams: params };
    }
    case 'conv2d': {
      if (input!.length !== 3) return fail(errorText.needsImage('conv2d', input!));
      const out = windowOutput(input!, layer.kernelSize, layer.strides ?? 1, layer.padding ?? 'valid', path, 'kernelSize', errors);
      if (!out) return info;
      const [kh, kw] = size2(layer.kernelSize);
      const params = kh * kw * input![2]! * layer.filters + (layer.useBias === false ? 0 : layer.filters);
      return { ...info, outputShape: [out[0], out[1], layer.filters], params, trainableParams: params };
    }
    case 'maxPool2d':
    case 'avgPool2d': {
      if (input!.length !== 3) return fail(errorText.needsImage(layer.type, input!));
      const out = windowOutput(input!, layer.poolSize, layer.strides, layer.padding ?? 'valid', path, 'poolSize', errors);
      return out ? { ...info, outputShape: [out[0], out[1], input![2]!] } : info;
    }
    case 'globalAvgPool2d':
      if (input!.length !== 3) return fail(errorText.needsImage(layer.type, input!));
      return { ...info, outputShape: [input![2]!] };
    case 'flatten':
      return { ...info, outputShape: [input!.reduce((a, b) => a * b, 1)] };
    case 'dropout':
    case 'activation':
      return { ...info, outputShape: input };
    case 'batchNorm': {
      const channels = input![input!.length - 1]!;
      return { ...info, outputShape: input, params: 4 * channels, trainableParams: 2 * channels };
    }
    case 'residual':
      return inferResidual(layer.layers, input, path, info, errors);
    case 'inception':
      return inferInception(layer.branches, input, path, info, errors);
  }
}

function inferResidual(
  layers: readonly LayerSpec[],
  input: Shape | null,
  path: PathSegment[],
  info: LayerInfo,
  errors: SpecError[],
): LayerInfo {
  const inner = inferStack(layers, input, [...path, 'layers'], 0, errors);
  const withChildren: LayerInfo = { ...info, children: [inner.infos], ...blockParams(inner.infos) };
  const out = inner.output;
  if (!input || !out) return withChildren;
  if (sameShape(input, out)) return { ...withChildren, outputShape: input };

  const mismatch = () => {
    errors.push(specError(path, errorText.residualMismatch(input, out), undefined, false));
    return withChildren;
  };
  if (input.length !== out.length) return mismatch();
  let projection: ProjectionInfo;
  if (out.length === 1) {
    projection = { kind: 'dense', strides: [1, 1], params: input[0]! * out[0]! + out[0]! };
  } else {
    // A 1×1 'valid' convolution with stride s maps n to floor((n - 1) / s) + 1: find the s that lands on out.
    const strides = [0, 1].map((axis) => Math.ceil(input[axis]! / out[axis]!));
    const fits = [0, 1].every((axis) => Math.floor((input[axis]! - 1) / strides[axis]!) + 1 === out[axis]);
    if (!fits) return mismatch();
    projection = {
      kind: 'conv1x1',
      strides: [strides[0]!, strides[1]!],
      params: input[2]! * out[2]! + out[2]!,
    };
  }
  return {
    ...withChildren,
    outputShape: out,
    projection,
    params: withChildren.params + projection.params,
    trainableParams: withChildren.trainableParams + projection.params,
  };
}

function inferInception(
  branches: readonly LayerSpec[][],
  input: Shape | null,
  path: PathSegment[],
  info: LayerInfo,
  errors: SpecError[],
): LayerInfo {
  if (input && input.length !== 3) {
    errors.push(specError(path, errorText.needsImage('inception', input), undefined, false));
    input = null;
  }
  const results = branches.map((branch, b) => inferStack(branch, input, [...path, 'branches', b], 0, errors));
  const children = results.map((r) => r.infos);
  const withChildren: LayerInfo = { ...info, children, ...blockParams(children.flat()) };
  if (!input || results.some((r) => !r.output)) return withChildren;

  const outputs = results.map((r) => r.output!);
  let channels = 0;
  for (const [b, out] of outputs.entries()) {
    if (out.length !== 3) {
      errors.push(specError([...path, 'branches', b], errorText.branchNotImage(out), undefined, false));
      return withChildren;
    }
    if (out[0] !== outputs[0]![0] || out[1] !== outputs[0]![1]) {
      errors.push(specError([...path, 'branches', b], errorText.branchSizeMismatch(out, outputs[0]!), undefined, false));
      return withChildren;
    }
    channels += out[2]!;
  }
  return { ...withChildren, outputShape: [outputs[0]![0]!, outputs[0]![1]!, channels] };
}

function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Classification losses read class scores from a softmax/sigmoid head: softmax anywhere else is a mistake. */
function checkClassifierHead(spec: ModelSpec, output: Shape | null, errors: SpecError[]): void {
  const lastIndex = spec.layers.length - 1;
  const visit = (layers: readonly LayerSpec[], base: PathSegment[], topLevel: boolean) => {
    layers.forEach((layer, i) => {
      const path = [...base, i];
      const isLast = topLevel && i === lastIndex;
      if ('activation' in layer && layer.activation === 'softmax' && !isLast) {
        const field = layer.type === 'activation' ? [] : ['activation'];
        errors.push(specError([...path, ...field], errorText.softmaxNotLast(spec.loss), undefined, false));
      }
      if (layer.type === 'residual') visit(layer.layers, [...path, 'layers'], false);
      if (layer.type === 'inception') layer.branches.forEach((br, b) => visit(br, [...path, 'branches', b], false));
    });
  };
  visit(spec.layers, ['layers'], true);
  if (output && output.length !== 1) {
    errors.push(specError(['layers', lastIndex], errorText.outputNotVector(output), undefined, false));
  }
}
