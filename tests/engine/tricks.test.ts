// Where each trick's behaviour lives: a 'loop' trick is a descriptor plus one engine file named by its id with
// its hooks, listed in the engine registry; 'network' tricks are spec expansions and 'data' tricks input
// scalings or augmentations (one engine file each, listed in augmentations.ts). The loop itself names no trick.
import { readdirSync, readFileSync } from 'node:fs';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expandSpec, networkOptions, parseTrainingConfig, TRICK_KINDS, TRICKS, type ModelSpec } from '../../shared/index.js';
import { scalingKind } from '../../core/engine/data/scaling.js';
import { LOOP_TRICKS, LoopTricks } from '../../core/engine/tricks/registry.js';
import { AUGMENTATIONS } from '../../core/engine/tricks/augmentations.js';

const engine = new URL('../../core/engine/', import.meta.url);
const SUPPORT_FILES = ['hook.ts', 'registry.ts', 'tfjs-optimizer.ts', 'augment.ts', 'augmentations.ts'];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const config = (tricks: Record<string, unknown>, epochs = 10) => {
  const parsed = parseTrainingConfig({ epochs, batchSize: 8, seed: 1, tricks });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
};

describe('trick kinds', () => {
  it('every descriptor says how it acts; every loop trick and augmentation has its engine file and registry entry, and only they', () => {
    const registry = readFileSync(new URL('tricks/registry.ts', engine), 'utf8');
    const augmentations = readFileSync(new URL('tricks/augmentations.ts', engine), 'utf8');
    const files = readdirSync(new URL('tricks/', engine)).filter((f) => !SUPPORT_FILES.includes(f));
    const loop = TRICKS.filter((t) => t.kind === 'loop').map((t) => t.id);
    const augment = TRICKS.filter((t) => t.group === 'augmentation').map((t) => t.id);
    for (const trick of TRICKS) expect(TRICK_KINDS, trick.id).toContain(trick.kind);
    expect(LOOP_TRICKS.map((t) => t.descriptor.id).sort()).toEqual([...loop].sort());
    expect(AUGMENTATIONS.map((t) => t.descriptor.id).sort()).toEqual([...augment].sort());
    expect(files.sort()).toEqual([...loop, ...augment].map((id) => `${id}.ts`).sort());
    for (const id of loop) expect(registry).toContain(`from './${id}.js'`);
    for (const id of augment) expect(augmentations).toContain(`from './${id}.js'`);
    // The engine side holds the very descriptor of the registry (its parameter types come from it).
    for (const t of [...LOOP_TRICKS, ...AUGMENTATIONS]) expect(TRICKS).toContain(t.descriptor);
    for (const t of AUGMENTATIONS) expect(t.descriptor.kind, t.descriptor.id).toBe('data');
  });

  it('network tricks change the expanded spec (or the build options it cannot carry); data tricks are input scalings', () => {
    const spec: ModelSpec = {
      version: 1,
      name: 'kinds',
      loss: 'categoricalCrossentropy',
      layers: [{ type: 'input', shape: [4] }, { type: 'dense', units: 8, activation: 'relu' }, { type: 'dense', units: 3, activation: 'softmax' }],
    };
    for (const trick of TRICKS.filter((t) => t.kind === 'network')) {
      const on = config({ [trick.id]: {} });
      const changed = JSON.stringify(expandSpec(spec, on)) !== JSON.stringify(spec) || Object.keys(networkOptions(on)).length > 0;
      expect(changed, trick.id).toBe(true);
    }
    for (const trick of TRICKS.filter((t) => t.kind === 'data' && t.group !== 'augmentation')) expect(scalingKind(config({ [trick.id]: {} }))).toBe(trick.id);
    for (const trick of TRICKS.filter((t) => t.group === 'augmentation')) expect(scalingKind(config({ [trick.id]: {} }))).toBe('none');
    for (const trick of TRICKS.filter((t) => t.kind !== 'network')) expect(JSON.stringify(expandSpec(spec, config({ [trick.id]: {} }))), trick.id).toBe(JSON.stringify(spec));
  });

  it('the loop, the step, evaluation, members and the checkpoint codec name no trick', () => {
    const ids = TRICKS.map((t) => t.id);
    const files = ['train.ts', ...readdirSync(new URL('training/', engine)).map((f) => `training/${f}`)];
    for (const file of files) {
      // Code only: user-facing strings (the divergence hint suggests tricks) and comments may name them.
      const code = readFileSync(new URL(file, engine), 'utf8')
        .replace(/\/\/.*$/gm, '')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''");
      for (const id of ids) expect(new RegExp(`\\b${id}\\b`).test(code), `${file} names ${id}`).toBe(false);
    }
  });

  it('resolves a config into its hooks: one optimizer, the learning rate, the members', () => {
    const tricks = new LoopTricks(config({ momentum: { learningRate: 0.2 }, ensemble: { members: 4 }, clipNorm: {}, dropout: {} }));
    expect(tricks.active.map((a) => a.trick.descriptor.id)).toEqual(['momentum', 'clipNorm', 'ensemble']);
    expect(tricks.memberCount).toBe(4);
    expect(tricks.learningRateAt({ epoch: 3, batch: 0, batchesPerEpoch: 5 })).toBe(0.2);
    const hooks = tricks.createHooks({ index: 0 });
    expect(hooks.map((h) => h.id)).toEqual(['momentum', 'clipNorm']);
    expect(hooks.filter((h) => h.hook.update).map((h) => h.id)).toEqual(['momentum']);
    for (const { hook } of hooks) hook.dispose?.();
  });
});
