import { defineLayer } from '../descriptor.js';
import { text } from '../params.js';
import { describeRecurrent, inferRecurrent, RECURRENT_NOTES, RECURRENT_TRICKS, recurrentParams, type RecurrentFields } from '../recurrent.js';

export interface GruLayer extends RecurrentFields {
  type: 'gru';
}

export const gru = defineLayer<GruLayer>({
  type: 'gru',
  category: 'sequence',
  text: {
    label: text('GRU', 'GRU'),
    summary: text(
      'A lighter LSTM: an update and a reset gate decide how much of its state each step keeps; three quarters of the weights.',
      '更轻量的 LSTM：由更新门和重置门决定每一步保留多少状态；权重约为 LSTM 的四分之三。',
    ),
  },
  params: recurrentParams,
  create: () => ({ type: 'gru', units: 32 }),
  describe: (l) => describeRecurrent('gru', l),
  infer: (l, input, ctx) => inferRecurrent('gru', 3, l, input, ctx),
  weighted: true,
  cellActivation: true,
  tricks: RECURRENT_TRICKS,
  trickNotes: RECURRENT_NOTES,
});
