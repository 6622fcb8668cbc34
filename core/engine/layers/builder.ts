// What each layer type provides engine-side (one file per type beside this one, listed in registry.ts): how
// it becomes TensorFlow.js layers, and, for each tfjs class it creates, that class's ONNX form and how an
// imported TF.js model's layer of that class becomes spec layers again. The ONNX and import helpers arrive
// as context objects (typed here, implemented in core/export/), so the trainer never loads the exporters.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ActivationName, InitializerName, LayerSpec, LayerType, RegularizerSpec, Size2 } from '../../../shared/index.js';

export type Symbolic = tfl.SymbolicTensor;
export type TfjsLayer = tfl.layers.Layer;
export type Initializer = ReturnType<typeof tfl.initializers.randomNormal>;
export type Regularizer = ReturnType<typeof tfl.regularizers.l1l2>;

/** Keras's default when a spec sets none. */
export const DEFAULT_INITIALIZER: InitializerName = 'glorotUniform';

export interface BuildContext {
  /** The layer's spec path with dots (`layers.3.layers.0`): the tfjs name of the layers that hold weights. */
  path: string;
  apply(layer: TfjsLayer, x: Symbolic | Symbolic[]): Symbolic;
  /** Builds a stack a block holds, at a path below the block (`layers`, `branches.1`). */
  stack(layers: readonly LayerSpec[], x: Symbolic, at: string): Symbolic;
  /** A seeded initializer; each call takes the next seed, so the order of calls is part of the model. */
  initializer(name: InitializerName, fanIn: number, fanOut: number): Initializer;
  /** The next seed, for a weight a builder initialises itself (an orthogonal recurrent kernel, an embedding table). */
  seed(): number;
  regularizer(spec: RegularizerSpec | undefined): Regularizer | undefined;
  /** An activation as its own tfjs layer (leakyRelu and elu with their alpha). */
  activation(name: ActivationName, x: Symbolic, alpha?: number): Symbolic;
}

/**
 * A value in the ONNX graph: 4-D values are held as NCHW, so the exporter's transposes stay at the edges;
 * 2-D and 3-D values ([N, F], [N, T, F]) in tfjs's own order (a 1-D convolution transposes around its node).
 */
export interface OnnxValue {
  name: string;
  /** Rank of the tfjs tensor (2 = [N, F], 3 = [N, T, F], 4 = [N, H, W, C]). */
  rank: number;
}

/** An ONNX attribute, made by the context's helpers. */
export type OnnxAttribute = object;

export interface OnnxContext {
  /** The tfjs layer's name, prefixed per ensemble member: the base of every ONNX name it adds. */
  base: string;
  config: Record<string, unknown>;
  /** The layer's input shape in tfjs's NHWC order (batch axis first). */
  inputShape: number[];
  weights(): Array<{ data: Float32Array; shape: number[] }>;
  node(op: string, inputs: string[], attributes?: OnnxAttribute[]): string;
  /** A node with several outputs (an LSTM's Y, Y_h, Y_c), their names in order. */
  nodeOutputs(op: string, inputs: string[], outputs: number, attributes?: OnnxAttribute[]): string[];
  weight(suffix: string, data: Float32Array, dims: number[]): string;
  /** An int64 constant (a Reshape's shape, a Squeeze's axes). */
  int64s(suffix: string, values: number[]): string;
  ints(name: string, values: number[]): OnnxAttribute;
  string(name: string, value: string): OnnxAttribute;
  strings(name: string, values: string[]): OnnxAttribute;
  int(name: string, value: number): OnnxAttribute;
  float(name: string, value: number): OnnxAttribute;
  /** A tfjs activation (`relu`, `leakyrelu`, …) on a value; linear returns it unchanged. */
  activation(name: string, x: OnnxValue, alpha?: number): OnnxValue;
  /** tfjs 'same' padding as ONNX pads for a window over the input. */
  pads(padding: string, kernel: [number, number], strides: [number, number]): number[];
  /** An error naming the layer: `layer "layers.3" (Conv2D) cannot be exported to ONNX: <detail>`. */
  unsupported(detail: string): Error;
}

/** A class's ONNX form: nodes from its inputs, or a sentence saying why ONNX has none. */
export type OnnxRule = ((inputs: OnnxValue[], ctx: OnnxContext) => OnnxValue) | { refuse: string };

export interface ImportContext {
  layer: TfjsLayer;
  config: Record<string, unknown>;
  /** An error naming the layer: `layer "x" (Dense) stops the import: <why>`. */
  stop(why: string): Error;
  activation(name: string | undefined): ActivationName;
  size(value: unknown): Size2;
  padding(value: unknown): 'valid' | 'same';
  /** The layers feeding this one; for merges, where their branches fork and the spec layers along a branch. */
  inputs: TfjsLayer[];
  inboundOf(layer: TfjsLayer): TfjsLayer[];
  fork(branches: TfjsLayer[]): TfjsLayer;
  chain(to: TfjsLayer, from: TfjsLayer): LayerSpec[];
}

export interface ImportRule {
  /** A merge of several inputs (Add, Concatenate): the converter converts up to the fork, then calls `toSpec`. */
  merge?: boolean;
  /** Shown in "Layerwise supports …": `Add (residual)`. */
  note?: string;
  toSpec(ctx: ImportContext): LayerSpec[];
}

export interface TfjsClassRules {
  onnx: OnnxRule;
  /**
   * Weights (by name: `key_bias`) whose gradient is zero in exact arithmetic (softmax ignores a shift shared by
   * all keys): what a backend computes for them is rounding noise, so parity compares them with 0 on the scale of
   * the same part's kernel gradient, not with cpu's noise.
   */
  zeroGradients?: readonly string[];
  /** Without one, an imported model holding this class stops the import naming it. */
  import?: ImportRule;
}

export interface LayerBuilder<L extends LayerSpec = LayerSpec> {
  type: L['type'];
  /** The layer as tfjs layers applied to `x`; weighted tfjs layers are named `ctx.path`. */
  build(layer: L, x: Symbolic, ctx: BuildContext): Symbolic;
  /** Every tfjs class this layer type creates and owns, with its ONNX form and import rule. */
  tfjs: Readonly<Record<string, TfjsClassRules>>;
}

/** Keeps the layer's own type while checking the builder's shape. */
export function defineBuilder<T extends LayerType>(builder: LayerBuilder<Extract<LayerSpec, { type: T }>>): LayerBuilder<Extract<LayerSpec, { type: T }>> {
  return builder;
}

/** tfjs configs hold a window as a number or a list: always [height, width]. */
export const pair = (v: number | number[]): [number, number] => (Array.isArray(v) ? [v[0]!, v[1] ?? v[0]!] : [v, v]);
