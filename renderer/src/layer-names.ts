// Layers named as the editor shows them — `3 · conv2d 16 3×3 relu` — rather than by their path in the model that
// trains (`layers[10]`): the structural tricks insert layers (batch norm, dropout), so the trained model's
// indices are not the editor's. expandedOrigins (shared/tricks/expand.ts) maps one to the other.
import { describeLayer, expandedOrigins, type ModelSpec, type TrainingConfig } from '../../shared/index.js';
import { layerAt, parsePath } from './stores/layer-paths.js';

/** A card's position as the editor numbers it: `3`; nested `2›0`; in an inception branch `4›b2›0` (branches count from 1). */
export function editorPosition(path: string): string {
  const parts: string[] = [];
  const segs = parsePath(path);
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (typeof s === 'number') parts.push(String(s));
    else if (s !== 'layers' && typeof segs[i + 1] === 'number' && typeof segs[i + 2] === 'number') {
      // A list of stacks (branches[b][k]): the stack counts from 1, as the editor's "Branch n" does.
      parts.push(`${s[0]}${(segs[i + 1] as number) + 1}`);
      i++;
    }
  }
  return parts.join('›');
}

/** Trained-model path → editor name, for every layer of the model that trains. */
export function layerNames(spec: ModelSpec, config: TrainingConfig): Record<string, string> {
  const out: Record<string, string> = {};
  let origins: ReturnType<typeof expandedOrigins>;
  try {
    origins = expandedOrigins(spec, config);
  } catch {
    return out;
  }
  for (const [path, origin] of origins) {
    const layer = layerAt(spec, origin.path);
    if (!layer) continue;
    const name = `${editorPosition(origin.path)} · ${describeLayer(layer)}`;
    out[path] = origin.inserted ? `${name} + ${origin.inserted}` : name;
  }
  return out;
}
