// The layer catalogue: every type is one descriptor in the registry, complete in both languages, its new-card
// layer valid, its declared ranges the schema's; and no code outside the layer files switches over layer
// types, so a new layer needs its descriptor, its builder and its tests only.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkModelSpec,
  describeParamRange,
  expandSpec,
  inferModel,
  LANGS,
  LAYER_CATEGORIES,
  LAYER_CATEGORY_TEXT,
  LAYER_TYPES,
  LAYERS,
  layerDescriptor,
  layerTexts,
  parseTrainingConfig,
  trickReach,
  trickSkipNote,
  TRICK_IDS,
  type LayerParam,
  type LayerSpec,
  type ModelSpec,
} from '../../shared/index.js';

const root = new URL('../..', import.meta.url).pathname;

/** What a new card of each type reads: vectors (and token ids), sequences [steps, features], or images (the rest). */
const INPUT_OF: Partial<Record<string, number[]>> = {
  dense: [12],
  embedding: [12],
  reshape: [28, 28, 1],
  ...Object.fromEntries(
    ['conv1d', 'maxPool1d', 'globalAvgPool1d', 'globalMaxPool1d', 'positionEmbedding', 'lstm', 'gru', 'multiHeadAttention', 'transformerEncoder'].map((t) => [t, [12, 8]]),
  ),
};

/** A model around one layer, with an input it accepts. */
function around(layer: LayerSpec): ModelSpec {
  return {
    version: 1,
    name: `one ${layer.type}`,
    loss: 'meanSquaredError',
    layers: [{ type: 'input', shape: INPUT_OF[layer.type] ?? [12, 12, 3] }, layer],
  };
}

describe('the layer registry', () => {
  it('lists every layer type once, in the order of the palette and of the type error', () => {
    expect(LAYERS.map((d) => d.type)).toEqual([...LAYER_TYPES]);
    expect(new Set(LAYER_TYPES).size).toBe(LAYER_TYPES.length);
    expect(LAYER_TYPES.slice(0, 3)).toEqual(['input', 'dense', 'conv2d']);
  });

  it.each(LAYERS.filter((d) => d.palette !== false).map((d) => [d.type, d] as const))('%s: a new card is a valid layer', (_type, d) => {
    const layer = d.create() as LayerSpec;
    expect(layer.type).toBe(d.type);
    const checked = checkModelSpec(around(layer));
    expect(checked.errors).toEqual([]);
    expect(checked.info!.layers[1]!.outputShape).not.toBeNull();
  });

  it('has a label and a one-line summary for every layer, and a label for every field, in every language', () => {
    for (const d of LAYERS) {
      for (const lang of LANGS) {
        expect(d.text.label[lang], `${d.type} ${lang}`).toMatch(/\S/);
        expect(d.text.summary[lang], `${d.type} ${lang}`).toMatch(/\S.{20,}/);
        for (const [key, p] of Object.entries(d.params as Record<string, LayerParam>)) expect(p.label[lang], `${d.type}.${key} ${lang}`).toMatch(/\S/);
      }
      expect(d.text.summary.zh, d.type).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('gives a field the same label in every layer that has it (the UI keys field labels by name)', () => {
    for (const lang of LANGS) {
      const fields = layerTexts(lang).fields;
      for (const d of LAYERS) {
        for (const [key, p] of Object.entries(d.params as Record<string, LayerParam>)) expect(p.label[lang], `${d.type}.${key}`).toBe(fields[key]);
      }
    }
  });

  it('states each declared range the way the schema refuses it', () => {
    const rate = (layerDescriptor('dropout').params as Record<string, LayerParam>).rate!;
    expect(describeParamRange(rate)).toBe('in [0, 1)');
    const bad = checkModelSpec(around({ type: 'dropout', rate: 1 }));
    expect(bad.errors.map((e) => e.message)).toEqual([`layers[1].rate must be ${describeParamRange(rate)} (got 1)`]);
    const momentum = (layerDescriptor('batchNorm').params as Record<string, LayerParam>).momentum!;
    expect(checkModelSpec(around({ type: 'batchNorm', momentum: 0 })).errors[0]!.message).toBe(`layers[1].momentum must be ${describeParamRange(momentum)} (got 0)`);
  });

  it('counts parameters by each descriptor\'s rule, blocks summing what they hold', () => {
    const info = inferModel({
      version: 1,
      name: 'counts',
      loss: 'meanSquaredError',
      layers: [
        { type: 'input', shape: [8, 8, 2] },
        { type: 'residual', layers: [{ type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same' }, { type: 'batchNorm' }] },
        { type: 'globalAvgPool2d' },
      ],
    });
    // conv 3·3·2·4 + 4, BN 4·4 (2·4 trainable), projection 1×1 2→4: 2·4 + 4.
    expect(info.layers[1]!.params).toBe(76 + 16 + 12);
    expect(info.layers[1]!.trainableParams).toBe(76 + 8 + 12);
    expect(info.layers[1]!.extras).toEqual([{ label: 'projection conv2d 1×1 /1×1', params: 12 }]);
  });
});

describe('which tricks reach which layers', () => {
  const config = (tricks: Record<string, unknown>) => {
    const r = parseTrainingConfig({ epochs: 1, batchSize: 8, seed: 1, tricks });
    if (!r.ok) throw new Error('config');
    return r.value;
  };
  const cnn: ModelSpec = {
    version: 1,
    name: 'cnn',
    loss: 'categoricalCrossentropy',
    layers: [
      { type: 'input', shape: [8, 8, 1] },
      { type: 'conv2d', filters: 2, kernelSize: 3, activation: 'relu' },
      { type: 'flatten' },
      { type: 'dense', units: 6, activation: 'relu' },
      { type: 'dense', units: 3, activation: 'softmax' },
    ],
  };

  it('names the layer types a structural trick skips, so the tricks panel can say so', () => {
    const convolutions = ['conv2d', 'conv1d', 'depthwiseConv2d', 'separableConv2d'];
    const sequence = ['lstm', 'gru', 'multiHeadAttention'];
    expect(trickReach('dropout')).toEqual({ reaches: ['dense'], skips: [...convolutions, ...sequence] });
    expect(trickReach('batchNorm')).toEqual({ reaches: ['dense', ...convolutions], skips: sequence });
    // The embedding table is no kernel: skipped, and its descriptor says why.
    expect(trickReach('l2')).toEqual({ reaches: ['dense', ...convolutions, ...sequence], skips: ['embedding'] });
    expect(trickReach('initHe')?.reaches).toEqual(['dense', ...convolutions, ...sequence]);
    expect(trickSkipNote('dropout', 'lstm', 'en')).toMatch(/dropout inside a recurrent layer .* is a different technique from dropout between layers/);
    expect(trickSkipNote('dropout', 'lstm', 'zh')).toMatch(/[\u4e00-\u9fff]/);
    expect(trickSkipNote('l2', 'dense', 'en')).toBeNull();
    expect(trickReach('adam')).toBeNull();
    const mlp: ModelSpec = { ...cnn, layers: [{ type: 'input', shape: [4] }, { type: 'dense', units: 3, activation: 'softmax' }] };
    expect(trickReach('dropout', mlp)).toEqual({ reaches: ['dense'], skips: [] });
    expect(trickReach('dropout', cnn)).toEqual({ reaches: ['dense'], skips: ['conv2d'] });
    expect(TRICK_IDS.filter((id) => trickReach(id)).sort()).toEqual(
      ['batchNorm', 'dropout', 'initGlorotNormal', 'initGlorotUniform', 'initHe', 'initLecun', 'initNormal', 'initUniform', 'l1', 'l2'].sort(),
    );
  });

  it('expands exactly where the descriptors say: dropout after hidden dense only, batch norm after every hidden weighted layer', () => {
    const expanded = expandSpec(cnn, config({ dropout: { rate: 0.2 }, batchNorm: {}, l2: { lambda: 0.01 } }));
    expect(expanded.layers.map((l) => l.type)).toEqual(['input', 'conv2d', 'batchNorm', 'activation', 'flatten', 'dense', 'batchNorm', 'activation', 'dropout', 'dense']);
    for (const layer of expanded.layers) {
      const weighted = layerDescriptor(layer.type).tricks.regularizer;
      expect('regularizer' in layer, layer.type).toBe(weighted);
    }
  });
});

/** Every .ts and .vue file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'generated' ? [] : sources(path);
    return /\.(ts|vue)$/.test(name) ? [path] : [];
  });
}

describe('README lists every layer', () => {
  it('with the section and the one-line summary its descriptor gives (the palette and `layerwise layers` show the same)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| (\w+) \| `(\w+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2], m[3]!.replace(/\\\|/g, '|')]);
    const expected = LAYER_CATEGORIES.flatMap((c) => LAYERS.filter((d) => d.category === c).map((d) => [LAYER_CATEGORY_TEXT[c].en, d.type, d.text.summary.en]));
    expect(rows).toEqual(expected);
  });
});

describe('one place per layer type', () => {
  it('leaves no switch over layer types outside the layer files', () => {
    // Outside the layer files, a type is named only for what that one type is: the activation layer is its
    // own activation (softmax checks, the head's folding), and the tricks insert batch norm, dropout and
    // activation layers. The input layer is the model's structure (its first layer, the data's shape), not a
    // layer among others, so it is not counted.
    const allowed = new Map<string, RegExp>([
      ['shared/spec/inference.ts', /type === 'activation'/],
      ['shared/tricks/expand.ts', /type: '(batchNorm|activation|dropout)'/],
      ['core/engine/head.ts', /type === 'activation'/],
    ]);
    const types = LAYER_TYPES.filter((t) => t !== 'input').join('|');
    const pattern = new RegExp(`(case\\s+'(${types})'|type\\s*[!=]==\\s*'(${types})'|'(${types})'\\s*[!=]==\\s*\\w+\\.type|type:\\s*'(${types})')`);
    const offenders: string[] = [];
    for (const dir of ['shared', 'core', 'electron', 'renderer/src']) {
      for (const file of sources(join(root, dir))) {
        const rel = relative(root, file);
        if (/^(shared\/layers|core\/engine\/layers)\//.test(rel)) continue;
        // Lessons and parity cases are data: specs written out, not rules over types.
        if (/^(shared\/lessons|core\/engine\/parity\/(cases|trajectory)\.ts)/.test(rel)) continue;
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (!pattern.test(line) || allowed.get(rel)?.test(line)) return;
            offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
          });
      }
    }
    expect(offenders).toEqual([]);
  });
});
