// What the recurrent builders (lstm, gru) share: the tfjs arguments, the orthogonal recurrent kernel, the ONNX
// form and the import rule. Gate orders: tfjs keeps an LSTM's blocks as i, f, c, o and ONNX as i, o, f, c; a GRU's
// are z, r, h in both. tfjs's GRU resets before the recurrent matmul (reset_after false): ONNX's
// linear_before_reset = 0. tfjs adds one bias per gate to the input part: ONNX's Wb, with Rb zero.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { RECURRENT_ACTIVATIONS, type RecurrentActivation, type RecurrentFields } from '../../../shared/index.js';
import { createRng, gaussian } from '../data/rng.js';
import { DEFAULT_INITIALIZER, type BuildContext, type ImportContext, type OnnxContext, type OnnxValue, type Symbolic } from './builder.js';

export type Cell = 'lstm' | 'gru';
const GATES: Record<Cell, number> = { lstm: 4, gru: 3 };
/** For each ONNX gate block, the tfjs block it comes from. */
const ONNX_ORDER: Record<Cell, number[]> = { lstm: [0, 3, 1, 2], gru: [0, 1, 2] };
const ONNX_ACTIVATION: Record<string, string> = { sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu' };

/**
 * [units, gates·units] with orthonormal rows from a seeded N(0, 1) matrix (Gram–Schmidt in float64: the Q of a QR
 * with a positive diagonal, as Keras's Orthogonal draws it). tfjs's own orthogonal initializer needs chained ops
 * Node's build does not register and is slow past 2,000 values.
 */
export function orthogonal(units: number, columns: number, seed: number): Float32Array {
  const rng = createRng(seed);
  // Columns of a [columns × units] matrix, orthonormalised; its transpose is the kernel.
  const q = Array.from({ length: units }, () => Float64Array.from({ length: columns }, () => gaussian(rng)));
  for (let j = 0; j < units; j++) {
    const v = q[j]!;
    for (let i = 0; i < j; i++) {
      const u = q[i]!;
      let dot = 0;
      for (let r = 0; r < columns; r++) dot += u[r]! * v[r]!;
      for (let r = 0; r < columns; r++) v[r]! -= dot * u[r]!;
    }
    let norm = 0;
    for (let r = 0; r < columns; r++) norm += v[r]! * v[r]!;
    norm = Math.sqrt(norm);
    for (let r = 0; r < columns; r++) v[r]! /= norm;
  }
  const out = new Float32Array(units * columns);
  for (let j = 0; j < units; j++) for (let r = 0; r < columns; r++) out[j * columns + r] = q[j]![r]!;
  return out;
}

export function buildRecurrent(cell: Cell, layer: RecurrentFields, x: Symbolic, ctx: BuildContext): Symbolic {
  const units = layer.units;
  const features = x.shape[x.shape.length - 1] as number;
  const gates = GATES[cell];
  const kernelRegularizer = ctx.regularizer(layer.regularizer);
  const args = {
    name: ctx.path,
    units,
    returnSequences: layer.returnSequences ?? false,
    activation: layer.activation ?? 'tanh',
    // Keras 2's default; tfjs's is the hard sigmoid.
    recurrentActivation: 'sigmoid' as const,
    useBias: layer.useBias ?? true,
    kernelInitializer: ctx.initializer(layer.initializer ?? DEFAULT_INITIALIZER, features, gates * units),
    // Replaced by the orthogonal kernel below once the weights exist.
    recurrentInitializer: tfl.initializers.zeros(),
    ...(kernelRegularizer ? { kernelRegularizer } : {}),
  };
  // tfjs's unitForgetBias leaks four tensors per build (its initializer concatenates outside a tidy): the LSTM's
  // forget-gate bias of 1 is written below instead, as the orthogonal recurrent kernel is.
  const rnn = cell === 'lstm' ? tfl.layers.lstm({ ...args, unitForgetBias: false }) : tfl.layers.gru(args);
  const y = ctx.apply(rnn, x);
  const write = (name: string, values: tf.Tensor) => {
    rnn.weights.find((w) => w.originalName.endsWith(`/${name}`))!.write(values);
    values.dispose();
  };
  write('recurrent_kernel', tf.tensor2d(orthogonal(units, gates * units, ctx.seed()), [units, gates * units]));
  // Blocks i, f, c, o: the forget gate starts open (Keras's unit_forget_bias).
  if (cell === 'lstm' && (layer.useBias ?? true)) write('bias', tf.tensor1d(Float32Array.from({ length: 4 * units }, (_, i) => (i >= units && i < 2 * units ? 1 : 0))));
  return y;
}

/** tfjs [rows, gates·H] with tfjs's gate order → ONNX [1, gates·H, rows] with ONNX's. */
function onnxGates(cell: Cell, data: Float32Array, rows: number, units: number): Float32Array {
  const gates = GATES[cell];
  const out = new Float32Array(data.length);
  ONNX_ORDER[cell].forEach((from, to) => {
    for (let j = 0; j < units; j++) for (let r = 0; r < rows; r++) out[(to * units + j) * rows + r] = data[r * gates * units + from * units + j]!;
  });
  return out;
}

export function recurrentOnnx(cell: Cell, [x]: OnnxValue[], ctx: OnnxContext): OnnxValue {
  const c = ctx.config;
  if (c.goBackwards || c.stateful || c.returnState) throw ctx.unsupported('reversed, stateful or state-returning recurrent layers are not supported');
  if (c.recurrentActivation !== 'sigmoid') throw ctx.unsupported(`gates with ${String(c.recurrentActivation)} (not the sigmoid) are not supported`);
  const activation = ONNX_ACTIVATION[c.activation as string];
  if (!activation) throw ctx.unsupported(`the ${String(c.activation)} activation has no ONNX recurrent form here`);
  const units = c.units as number;
  const gates = GATES[cell];
  const [kernel, recurrent, bias] = ctx.weights();
  const features = kernel!.shape[0]!;
  const b = new Float32Array(2 * gates * units);
  if (bias) b.set(onnxGates(cell, bias.data, 1, units));
  const steps = ctx.node('Transpose', [x!.name], [ctx.ints('perm', [1, 0, 2])]);
  const [all, last] = ctx.nodeOutputs(
    cell === 'lstm' ? 'LSTM' : 'GRU',
    [
      steps,
      ctx.weight('W', onnxGates(cell, kernel!.data, features, units), [1, gates * units, features]),
      ctx.weight('R', onnxGates(cell, recurrent!.data, units, units), [1, gates * units, units]),
      ctx.weight('B', b, [1, 2 * gates * units]),
    ],
    2,
    [ctx.int('hidden_size', units), ctx.strings('activations', cell === 'lstm' ? ['Sigmoid', activation, activation] : ['Sigmoid', activation]), ...(cell === 'gru' ? [ctx.int('linear_before_reset', 0)] : [])],
  );
  if (!c.returnSequences) return { name: ctx.node('Squeeze', [last!, ctx.int64s('axes', [0])]), rank: 2 };
  // Y is [T, directions, N, H].
  const squeezed = ctx.node('Squeeze', [all!, ctx.int64s('axes', [1])]);
  return { name: ctx.node('Transpose', [squeezed], [ctx.ints('perm', [1, 0, 2])]), rank: 3 };
}

export function recurrentFromTfjs(cell: Cell, { config: c, stop }: ImportContext): RecurrentFields & { type: Cell } {
  if (c.goBackwards || c.stateful || c.returnState) throw stop('reversed, stateful or state-returning recurrent layers are not supported');
  if ((c.dropout as number) > 0 || (c.recurrentDropout as number) > 0) throw stop('dropout inside a recurrent layer is not supported');
  if (c.recurrentActivation !== 'sigmoid') throw stop(`gates with ${String(c.recurrentActivation)} are not supported (only the sigmoid)`);
  if (cell === 'gru' && c.resetAfter) throw stop('a GRU that resets after the recurrent product is not supported');
  const activation = c.activation as string;
  if (!(RECURRENT_ACTIVATIONS as readonly string[]).includes(activation)) throw stop(`a recurrent ${activation} activation is not supported (${RECURRENT_ACTIVATIONS.join(', ')})`);
  return { type: cell, units: c.units as number, returnSequences: c.returnSequences === true, activation: activation as RecurrentActivation, useBias: c.useBias !== false };
}
