import { describeParamRange, LAYER_CATEGORIES, LAYER_CATEGORY_TEXT, LAYERS, type LayerParam } from '../../../shared/index.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../io.js';
import { renderTable } from '../table.js';

const usage = 'layerwise layers [--json]';

/** `units (a positive integer (at most 1048576))`, `padding=valid (one of valid, same)`. */
function fieldText(key: string, p: LayerParam): string {
  const value = 'default' in p && p.default !== undefined ? `=${String(p.default)}` : '';
  return `${key}${value}${p.optional ? '?' : ''} (${describeParamRange(p)})`;
}

export const layersCommand: Command = {
  name: 'layers',
  summary: 'List every layer type a spec may use, what it is for, and its fields with defaults and ranges',
  usage,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' } }, usage);
    if (values.json) {
      const list = LAYERS.map((d) => ({
        type: d.type,
        category: d.category,
        label: d.text.label.en,
        summary: d.text.summary.en,
        fields: Object.fromEntries(
          Object.entries(d.params as Record<string, LayerParam>).map(([key, p]) => [
            key,
            { kind: p.kind, optional: p.optional === true, ...('default' in p && p.default !== undefined ? { default: p.default } : {}), allowed: describeParamRange(p) },
          ]),
        ),
        tricks: d.tricks,
      }));
      io.out(JSON.stringify(list, null, 2));
      return 0;
    }
    // In the palette's sections and order (README's layer list is the same, tests/readme checks it).
    const ordered = LAYER_CATEGORIES.flatMap((c) => LAYERS.filter((d) => d.category === c));
    const rows = ordered.map((d) => [
      d.type,
      LAYER_CATEGORY_TEXT[d.category].en.toLowerCase(),
      d.text.summary.en,
      Object.entries(d.params as Record<string, LayerParam>)
        .map(([key, p]) => fieldText(key, p))
        .join('; ') || '—',
    ]);
    io.out(renderTable(['layer', 'section', 'what it is for', 'fields (? optional, =default, allowed)'], rows));
    io.out('\nEvery layer may also have a "name". A spec lists layers in order: {"version": 1, "name", "loss", "layers": [{"type": "input", "shape": [28, 28, 1]}, ...]}');
    return 0;
  },
};
