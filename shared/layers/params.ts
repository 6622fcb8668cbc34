// Fields several layer types share, declared once so their ranges, defaults and texts never drift apart.
import { MAX_UNITS } from '../limits/spec.js';
import type { BooleanField, EnumField, IntegerField, LayerTricks, NumberField, RegularizerField, SizeField, Text } from './descriptor.js';

export const ACTIVATIONS = ['relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh', 'softmax', 'linear'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Weight initialisers, named for what they draw. `normal` is N(0, 1): the note's bad baseline. */
export const INITIALIZERS = ['uniform', 'normal', 'lecunNormal', 'glorotNormal', 'glorotUniform', 'heNormal', 'heUniform'] as const;
export type InitializerName = (typeof INITIALIZERS)[number];

export const PADDINGS = ['valid', 'same'] as const;
export type Padding = (typeof PADDINGS)[number];

/** A square size (3) or [height, width]. */
export type Size2 = number | [number, number];

export interface RegularizerSpec {
  l1?: number;
  l2?: number;
}

/** The fields of a layer that holds a kernel (dense, conv2d, …). */
export interface WeightedFields {
  activation?: ActivationName;
  useBias?: boolean;
  /** When absent the run's init trick decides, else Glorot uniform (the tfjs/Keras default). */
  initializer?: InitializerName;
  /** When absent the run's L1/L2 tricks decide. */
  regularizer?: RegularizerSpec;
}

export function size2(size: Size2): [number, number] {
  return typeof size === 'number' ? [size, size] : [size[0], size[1]];
}

const text = (en: string, zh: string): Text => ({ en, zh });

export const positiveInt = (label: Text, extra: Partial<IntegerField> = {}): IntegerField => ({ kind: 'integer', label, min: 1, max: MAX_UNITS, ...extra });

export const activationParam = (optional: boolean): EnumField => ({
  kind: 'enum',
  label: text('Activation', '激活函数'),
  options: ACTIVATIONS,
  ...(optional ? { optional, default: 'linear' } : {}),
});

export const windowParam = (label: Text): SizeField => ({ kind: 'size2', label, max: MAX_UNITS });

/** Without a default the rule decides (pools step by their window). */
export const stridesParam = (defaultValue?: Size2): SizeField => ({
  kind: 'size2',
  label: text('Strides', '步幅'),
  max: MAX_UNITS,
  optional: true,
  ...(defaultValue !== undefined ? { default: defaultValue } : {}),
});

export const paddingParam: EnumField = { kind: 'enum', label: text('Padding', '填充'), options: PADDINGS, optional: true, default: 'valid' };

export const useBiasParam: BooleanField = { kind: 'boolean', label: text('Use bias', '使用偏置'), optional: true, default: true };

export const initializerParam: EnumField = {
  kind: 'enum',
  label: text('Initialiser', '初始化'),
  options: INITIALIZERS,
  optional: true,
  default: 'glorotUniform',
};

export const regularizerParam: RegularizerField = { kind: 'regularizer', label: text('Regulariser', '正则化'), optional: true, hidden: true };

/** The fields every weighted layer has, in the order cards show them (the regularizer is not on the card). */
export const weightedParams = {
  activation: activationParam(true),
  useBias: useBiasParam,
  initializer: initializerParam,
  regularizer: regularizerParam,
} as const;

/** A positive rate, probability or constant in a range. */
export const numberParam = (label: Text, range: Omit<NumberField, 'kind' | 'label'>): NumberField => ({ kind: 'number', label, ...range });

/** Weighted layers: every structural trick reaches them except where a descriptor says otherwise. */
export const WEIGHTED_TRICKS: LayerTricks = { init: true, regularizer: true, batchNorm: true, dropout: true };

export { text };
