// The layer texts in one language, as flat maps for a UI's message catalogue: the studio's i18n builds its
// `layers`, `layerHelp` and `fields` messages from these, so a new layer brings its own texts.
import type { Lang, LayerParam } from './descriptor.js';
import { LAYERS } from './registry.js';

export interface LayerTexts {
  /** Type → card title. */
  labels: Record<string, string>;
  /** Type → one line of what the layer is for. */
  summaries: Record<string, string>;
  /** Field key → label. A key means the same in every layer that has it (a test holds them to one label). */
  fields: Record<string, string>;
}

export function layerTexts(lang: Lang): LayerTexts {
  const out: LayerTexts = { labels: {}, summaries: {}, fields: {} };
  for (const d of LAYERS) {
    out.labels[d.type] = d.text.label[lang];
    out.summaries[d.type] = d.text.summary[lang];
    for (const [key, p] of Object.entries(d.params) as Array<[string, LayerParam]>) out.fields[key] ??= p.label[lang];
  }
  return out;
}
