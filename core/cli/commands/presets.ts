import { loadPresets } from '../../presets/load.js';
import { datasetRefName, datasetRefShape, inferModel, expandSpec, KNOWN_DATASETS, needsImport } from '../../../shared/index.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../io.js';
import { formatCount, renderTable } from '../table.js';

const usage = 'layerwise presets [--json]';

export const presetsCommand: Command = {
  name: 'presets',
  summary: 'List the bundled model presets',
  usage,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' } }, usage);
    const presets = loadPresets();
    if (values.json) {
      io.out(JSON.stringify(presets, null, 2));
      return 0;
    }
    const rows = presets.map((p) => {
      const info = inferModel(expandSpec(p.model, p.training));
      const d = p.dataset;
      if (needsImport(d)) return [p.id, `${KNOWN_DATASETS[d.known].title} (import first)`, formatCount(info.totalParams), p.title];
      const shape = datasetRefShape(d);
      const data = d.kind === 'mnist' ? 'MNIST' : `${datasetRefName(d).replace(/ \(.*$/, '')} (${shape.vocabulary !== undefined ? `${shape.inputShape[0]} tokens` : shape.inputShape.length === 1 ? `${shape.inputShape[0]}-D` : shape.inputShape.join('×')})`;
      return [p.id, data, formatCount(info.totalParams), p.title];
    });
    io.out(renderTable(['preset', 'data', 'params', 'title'], rows, new Set([2])));
    return 0;
  },
};
