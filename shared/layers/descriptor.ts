// What every layer type declares once (one file per type in defs/, listed in registry.ts): its fields with
// defaults and ranges, its shape rule and parameter count, its one-line summary, its texts in every UI
// language, and which structural tricks reach it. The zod schema, the shape inference, describe, the tricks'
// expansion, the editor's cards and palette and the CLI all read these descriptors; none of them switches
// over layer types.
import type { ZodType } from 'zod';
import type { PathSegment } from '../spec/errors.js';
import type { LayerInfo, Shape } from '../spec/inference.js';
import type { Size2 } from './params.js';
import type { LayerSpec } from './registry.js';

/** The languages the studio speaks; every layer text has each of them. */
export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];
export type Text = Readonly<Record<Lang, string>>;

/** Palette sections, in the order the palette shows them. */
export const LAYER_CATEGORIES = ['input', 'core', 'convolution', 'pooling', 'sequence', 'normalisation', 'regularisation', 'activation', 'block'] as const;
export type LayerCategory = (typeof LAYER_CATEGORIES)[number];

/** Palette section titles. */
export const LAYER_CATEGORY_TEXT: Readonly<Record<LayerCategory, Text>> = {
  input: { en: 'Input', zh: '输入' },
  core: { en: 'Core', zh: '基础' },
  convolution: { en: 'Convolution', zh: '卷积' },
  pooling: { en: 'Pooling', zh: '池化' },
  sequence: { en: 'Sequences', zh: '序列' },
  normalisation: { en: 'Normalisation', zh: '归一化' },
  regularisation: { en: 'Regularisation', zh: '正则化' },
  activation: { en: 'Activation', zh: '激活' },
  block: { en: 'Blocks', zh: '块' },
};

interface ParamBase {
  label: Text;
  /** May be left out; then `default` (what the engine uses) applies. */
  optional?: boolean;
  /** Not a field on the editor's card (set by tricks or by hand in a spec file). */
  hidden?: boolean;
  /** A zod schema replacing the one the kind generates, where a rule needs more than a range. */
  schema?: ZodType;
}

/** A whole number in [min, max]; min 1 reads as "a positive integer" in messages. */
export interface IntegerField extends ParamBase {
  kind: 'integer';
  min: number;
  max: number;
  default?: number;
}

export interface NumberField extends ParamBase {
  kind: 'number';
  /** Inclusive unless `minExclusive`. */
  min?: number;
  minExclusive?: boolean;
  max?: number;
  maxExclusive?: boolean;
  default?: number;
  /** The editor's spinner step. */
  step?: number;
}

/** A window: a positive integer (square) or [height, width]. */
export interface SizeField extends ParamBase {
  kind: 'size2';
  max: number;
  default?: Size2;
}

/** A tensor shape without the batch axis (the input layer's, a reshape's target). */
export interface ShapeField extends ParamBase {
  kind: 'shape';
}

export interface EnumField extends ParamBase {
  kind: 'enum';
  options: readonly string[];
  default?: string;
}

export interface BooleanField extends ParamBase {
  kind: 'boolean';
  default?: boolean;
}

/** `{ l1?, l2? }` penalties on the kernel. */
export interface RegularizerField extends ParamBase {
  kind: 'regularizer';
}

/** A stack of layers inside a block (a residual body, a future encoder's feed-forward part). */
export interface StackField extends ParamBase {
  kind: 'stack';
}

/** Parallel stacks over the same input (inception branches). */
export interface BranchesField extends ParamBase {
  kind: 'branches';
  min: number;
  /** What the editor's "add branch" appends. */
  newBranch(): LayerSpec[];
}

export type LayerParam =
  | IntegerField
  | NumberField
  | SizeField
  | ShapeField
  | EnumField
  | BooleanField
  | RegularizerField
  | StackField
  | BranchesField;

/** Every field of a layer but `type` and `name` (which all layers share) must be declared. */
export type LayerParamsOf<L> = { readonly [K in Exclude<keyof L, 'type' | 'name'>]-?: LayerParam };

/**
 * Which structural tricks reach a layer (expandSpec applies them, the tricks panel lists the layer types
 * they skip). A layer with `batchNorm` must have a fused `activation` field: batch norm goes between the
 * layer's linear part and its activation.
 */
export interface LayerTricks {
  /** The init tricks set its kernel initializer (when it sets none itself). */
  init: boolean;
  /** L1/L2 penalise its kernel (when it sets no regularizer itself). */
  regularizer: boolean;
  /** As a hidden layer, batch norm is inserted after its linear part. */
  batchNorm: boolean;
  /** As a hidden layer, dropout is inserted after it. */
  dropout: boolean;
}

export const NO_TRICKS: LayerTricks = { init: false, regularizer: false, batchNorm: false, dropout: false };

/** Why a structural trick does not reach a layer a user might expect it to (the tricks panel shows it). */
export type TrickNotes = Partial<Readonly<Record<keyof LayerTricks, Text>>>;

/** What a shape rule learns about a layer; `outputShape: null` after an error it reported. */
export interface Inferred {
  outputShape: Shape | null;
  /** Every weight, trainable or not (what tfjs's countParams reports). Default 0. */
  params?: number;
  /** Default: `params`. */
  trainableParams?: number;
  /** Blocks: the infos of each stack they hold. */
  children?: LayerInfo[][];
  /** Weights a block adds beyond its stacks (a residual's 1×1 projection), for tables. */
  extras?: Array<{ label: string; params: number }>;
  /** Rule-specific details kept on the info (a residual's `projection`). */
  details?: Partial<Pick<LayerInfo, 'projection'>>;
}

export interface InferContext {
  /** Reports an error on the layer, or on one of its fields, and returns null: `return ctx.fail(...)`. */
  fail(text: string, field?: string): null;
  /** Reports an error at a path below the layer (`['branches', 1]`) and carries on. */
  report(text: string, at?: readonly PathSegment[]): void;
  /** Infers a stack a block holds, from `input` (null: unknown), at a path below the block. */
  stack(layers: readonly LayerSpec[], input: Shape | null, at: readonly PathSegment[]): { infos: LayerInfo[]; output: Shape | null };
}

/** A stack inside a block and where it sits below the block (`['layers']`, `['branches', 2]`). */
export interface HeldStack {
  at: readonly PathSegment[];
  layers: readonly LayerSpec[];
}

export interface BlockRules<L> {
  /** The stacks the block holds, in visual order. */
  stacks(layer: L): HeldStack[];
  /** The same block holding other stacks (same count and order; the structural tricks rewrite them). */
  withStacks(layer: L, stacks: LayerSpec[][]): L;
}

export interface LayerDescriptor<L extends { type: string } = { type: string }> {
  type: L['type'];
  category: LayerCategory;
  /** Card title and palette entry; summary: one line of what the layer is for. */
  text: { label: Text; summary: Text };
  /** In the order the card shows them. */
  params: LayerParamsOf<L>;
  /** A new layer from the palette. */
  create(): L;
  /** One-line summary for cards and the CLI table: `conv2d 8 3×3 same relu`. */
  describe(layer: L): string;
  /**
   * The shape rule: output shape and weight counts from the input shape (batch axis left out), equal to
   * TensorFlow.js's. Problems go through `ctx`. Blocks whose input is unknown are not called: their stacks
   * are still inferred, so their own errors show.
   */
  infer(layer: L, input: Shape, ctx: InferContext): Inferred | null;
  /** Holds a kernel: its own initializer and regularizer fields, a fused activation; the last one is the output layer. */
  weighted?: boolean;
  /**
   * Its `activation` acts inside the layer (a recurrent cell's), not on its output: the loss never folds it
   * (core/engine/head.ts) and batch norm never goes before it.
   */
  cellActivation?: boolean;
  tricks: LayerTricks;
  /** Why a trick skips this layer, where that is not obvious (dropout inside a recurrent layer is another thing). */
  trickNotes?: TrickNotes;
  /**
   * The layer reads integer token ids in [0, n) (an embedding): it must come right after the input of a token
   * dataset whose vocabulary is at most n (checked before training, shared/layers/tokens.ts).
   */
  readsTokens?(layer: L): number;
  /** Blocks only. */
  block?: BlockRules<L>;
  /** false: not offered in the palette (the input layer is always first and only one). */
  palette?: boolean;
}

/** Keeps the layer's own type while checking the descriptor's shape. */
export function defineLayer<L extends { type: string }>(descriptor: LayerDescriptor<L>): LayerDescriptor<L> {
  return descriptor;
}

/** A human-readable range for messages and listings: `in [0, 1)`, `> 0`, `a positive integer`. */
export function describeParamRange(param: LayerParam): string {
  switch (param.kind) {
    case 'integer':
      return param.min === 1 ? `a positive integer (at most ${param.max})` : `an integer in [${param.min}, ${param.max}]`;
    case 'number':
      return numberRange(param);
    case 'size2':
      return 'a positive integer or [height, width]';
    case 'shape':
      return '[features], [steps, features] or [height, width, channels]';
    case 'enum':
      return `one of ${param.options.join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'regularizer':
      return '{ "l1": >= 0, "l2": >= 0 }';
    case 'stack':
      return 'a list of layers';
    case 'branches':
      return `a list of at least ${param.min} lists of layers`;
  }
}

export function numberRange(param: Pick<NumberField, 'min' | 'max' | 'minExclusive' | 'maxExclusive'>): string {
  const { min, max } = param;
  if (min !== undefined && max !== undefined) return `in ${param.minExclusive ? '(' : '['}${min}, ${max}${param.maxExclusive ? ')' : ']'}`;
  if (min !== undefined) return `${param.minExclusive ? '>' : '>='} ${min}`;
  if (max !== undefined) return `${param.maxExclusive ? '<' : '<='} ${max}`;
  return 'a finite number';
}
