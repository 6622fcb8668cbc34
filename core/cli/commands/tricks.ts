import { describeRange, TRICKS } from '../../../shared/index.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../io.js';
import { renderTable } from '../table.js';

const usage = 'layerwise tricks [--json]';

export const tricksCommand: Command = {
  name: 'tricks',
  summary: 'List every training trick with its parameters, defaults and ranges',
  usage,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' } }, usage);
    if (values.json) {
      io.out(JSON.stringify(TRICKS, null, 2));
      return 0;
    }
    const rows = TRICKS.map((t) => [
      t.id,
      t.group,
      t.label,
      Object.entries(t.params)
        .map(([k, p]) => `${k}=${String(p.default)} (${describeRange(p)})`)
        .join('; '),
    ]);
    io.out(renderTable(['trick', 'group', 'label', 'parameters (default, range)'], rows));
    io.out('\nTurn a trick on with --trick ID, set a parameter with --trick ID.PARAM=VALUE, e.g. --trick adam.learningRate=0.003');
    return 0;
  },
};
