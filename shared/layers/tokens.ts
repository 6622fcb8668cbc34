// Integer token inputs: a dataset of token ids (a tokenised text column, the `pattern` sequence set) must be
// read by a layer that looks ids up (an embedding, whose descriptor says `readsTokens`) right after the input,
// with room for every id; and such a layer needs token ids. Input scaling would turn ids into fractions.
import { layerDescriptor, type LayerSpec } from './registry.js';
import type { ModelSpec } from '../spec/model-spec.js';
import { formatPath, type PathSegment } from '../spec/errors.js';

export interface TokenData {
  /** The dataset's name as messages show it (`the dataset "reviews"`). */
  name: string;
  /** Token ids are 0 … vocabulary − 1; undefined for numeric features. */
  vocabulary?: number;
}

/** Why this model cannot train on this data, or null. `scaling` is the input-scaling trick in use, if any. */
export function tokenInputProblem(spec: ModelSpec, data: TokenData, scaling?: string): string | null {
  const misplaced = misplacedReader(spec.layers);
  if (misplaced) return `${misplaced.at} (${misplaced.type}) reads integer token ids, so it must be layers[1], right after the input`;
  const first = spec.layers[1];
  const reads = first ? layerDescriptor(first.type).readsTokens?.(first) : undefined;
  if (data.vocabulary !== undefined) {
    if (scaling && scaling !== 'none') {
      return `${data.name} holds token ids (0–${data.vocabulary - 1}): input scaling (${scaling}) would turn them into fractions; switch it off`;
    }
    if (reads === undefined) {
      return `${data.name} holds token ids (a vocabulary of ${data.vocabulary}): layers[1] must be an embedding, which turns each id into a learned vector (got ${first?.type ?? 'nothing'})`;
    }
    if (reads < data.vocabulary) {
      return `layers[1].inputDim is ${reads} but ${data.name} holds token ids up to ${data.vocabulary - 1}: set it to at least ${data.vocabulary}`;
    }
    return null;
  }
  if (reads !== undefined) return `layers[1] (${first!.type}) reads integer token ids, but ${data.name} holds numeric features: choose a token dataset, or remove it`;
  return null;
}

/** A token-reading layer anywhere but layers[1] (further down, ids have become other values). */
function misplacedReader(layers: readonly LayerSpec[]): { at: string; type: string } | null {
  const stack: Array<{ layers: readonly LayerSpec[]; at: readonly PathSegment[]; top: boolean }> = [{ layers, at: ['layers'], top: true }];
  while (stack.length) {
    const { layers: list, at, top } = stack.pop()!;
    for (const [i, layer] of list.entries()) {
      const d = layerDescriptor(layer.type);
      if (d.readsTokens && !(top && i === 1)) return { at: formatPath([...at, i]), type: layer.type };
      for (const s of d.block?.stacks(layer) ?? []) stack.push({ layers: s.layers, at: [...at, i, ...s.at], top: false });
    }
  }
  return null;
}
