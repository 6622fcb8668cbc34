import { defineLayer } from '../descriptor.js';
import { text } from '../params.js';
import { describeRecurrent, inferRecurrent, RECURRENT_NOTES, RECURRENT_TRICKS, recurrentParams, type RecurrentFields } from '../recurrent.js';

export interface LstmLayer extends RecurrentFields {
  type: 'lstm';
}

export const lstm = defineLayer<LstmLayer>({
  type: 'lstm',
  category: 'sequence',
  text: {
    label: text('LSTM', 'LSTM'),
    summary: text(
      'Reads a sequence step by step, keeping a memory cell with input, forget and output gates: remembers what mattered many steps ago.',
      '逐步读取序列，用输入门、遗忘门和输出门维护一个记忆单元：能记住很多步之前的重要信息。',
    ),
  },
  params: recurrentParams,
  create: () => ({ type: 'lstm', units: 32 }),
  describe: (l) => describeRecurrent('lstm', l),
  infer: (l, input, ctx) => inferRecurrent('lstm', 4, l, input, ctx),
  weighted: true,
  cellActivation: true,
  tricks: RECURRENT_TRICKS,
  trickNotes: RECURRENT_NOTES,
});
