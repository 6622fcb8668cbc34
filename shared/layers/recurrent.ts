// What the recurrent layers (lstm, gru) share: their fields, shape rule and what the tricks do to them.
import type { Inferred, InferContext, LayerParamsOf, LayerTricks, TrickNotes } from './descriptor.js';
import { initializerParam, positiveInt, regularizerParam, text, useBiasParam, type InitializerName, type RegularizerSpec } from './params.js';
import { sequenceInput } from './shapes.js';
import type { Shape } from '../spec/inference.js';

/** The cell's activation (the candidate and the output); the gates always use the sigmoid. */
export const RECURRENT_ACTIVATIONS = ['tanh', 'relu', 'sigmoid'] as const;
export type RecurrentActivation = (typeof RECURRENT_ACTIVATIONS)[number];

export interface RecurrentFields {
  name?: string;
  units: number;
  /** Every step's output [steps, units] (to stack another recurrent layer or attend), else only the last [units]. */
  returnSequences?: boolean;
  activation?: RecurrentActivation;
  useBias?: boolean;
  /** The input kernel's initialiser (the init tricks set it); the recurrent kernel always starts orthogonal. */
  initializer?: InitializerName;
  /** L1/L2 on the input kernel. */
  regularizer?: RegularizerSpec;
}

export const recurrentParams: LayerParamsOf<RecurrentFields> = {
  units: positiveInt(text('Units', '单元数')),
  returnSequences: { kind: 'boolean', label: text('Return sequences', '返回整个序列'), optional: true, default: false },
  activation: { kind: 'enum', label: text('Activation', '激活函数'), options: RECURRENT_ACTIVATIONS, optional: true, default: 'tanh' },
  useBias: useBiasParam,
  initializer: initializerParam,
  regularizer: regularizerParam,
};

/** `gates` weight blocks (4 for lstm, 3 for gru), each [features + units, units] plus a bias: tfjs's count. */
export function inferRecurrent(type: string, gates: number, layer: RecurrentFields, input: Shape, ctx: InferContext): Inferred | null {
  const x = sequenceInput(type, input, ctx);
  if (!x) return null;
  const units = layer.units;
  const params = gates * (units * (x[1]! + units) + (layer.useBias === false ? 0 : units));
  return { outputShape: layer.returnSequences ? [x[0]!, units] : [units], params };
}

export const describeRecurrent = (type: string, l: RecurrentFields) =>
  `${type} ${l.units}${l.returnSequences ? ' seq' : ''}${l.activation && l.activation !== 'tanh' ? ` ${l.activation}` : ''}`;

/**
 * The init tricks set the input kernel (the recurrent kernel stays orthogonal, as Keras starts it) and L1/L2
 * penalise it. Batch norm and dropout are not inserted: normalising or dropping a recurrent layer's outputs
 * between steps is not what the note's tricks mean, and dropout inside a recurrent layer (a mask fixed across
 * the steps of a sequence) is a different technique from dropout between layers.
 */
export const RECURRENT_TRICKS: LayerTricks = { init: true, regularizer: true, batchNorm: false, dropout: false };

export const RECURRENT_NOTES: TrickNotes = {
  batchNorm: text('batch statistics across time steps do not fit a recurrence: use layer norm', '跨时间步的批统计量不适合循环结构：请用层归一化'),
  dropout: text(
    'dropout inside a recurrent layer (one mask for all steps) is a different technique from dropout between layers',
    '循环层内部的 dropout（所有步共用一个掩码）与层间 dropout 是不同的技术',
  ),
};
