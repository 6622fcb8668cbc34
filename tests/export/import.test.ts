// Import of TF.js layers models into specs: every preset (and a model with every layer type) written as a
// TF.js folder and read back gives a valid spec with the same structure and parameter count; an unsupported
// layer stops the import naming that layer.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { buildModel } from '../../core/engine/build-model.js';
import { writeTfjs } from '../../core/export/export.js';
import { ImportError, importTfjsFolder, importTfjsToStore } from '../../core/export/import-tfjs.js';
import { loadPresets } from '../../core/presets/load.js';
import { Store } from '../../core/store/index.js';
import { inferModel, parseTrainingConfig, expandSpec, type LayerSpec, type ModelSpec } from '../../shared/index.js';
import { LAYER_CASES } from '../support/new-layer-specs.js';

const dir = mkdtempSync(join(tmpdir(), 'layerwise-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('cpu');
});
let n = 0;

async function roundTrip(model: tfl.LayersModel): Promise<ModelSpec> {
  const folder = join(dir, `m${++n}`);
  await writeTfjs(folder, model, {});
  return importTfjsFolder(folder);
}

/** Layer types in order, blocks opened up: the structure to compare. */
function kinds(layers: readonly LayerSpec[]): string[] {
  return layers.flatMap((l) =>
    l.type === 'residual' ? ['residual(', ...kinds(l.layers), ')'] : l.type === 'inception' ? ['inception(', ...l.branches.flatMap((b) => [...kinds(b), '|']), ')'] : [l.type],
  );
}

describe('a TF.js folder that is not what it says', () => {
  async function folderWithModel(name: string): Promise<string> {
    const folder = join(dir, name);
    await writeTfjs(folder, buildModel(loadPresets()[0]!.model, { seed: 1 }), {});
    return folder;
  }

  it('refuses a weight path that leaves the folder (model.json is the user\'s file)', async () => {
    const folder = await folderWithModel('traversal');
    writeFileSync(join(dir, 'secret.bin'), 'TOP-SECRET');
    const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    json.weightsManifest[0]!.paths = ['../secret.bin'];
    writeFileSync(join(folder, 'model.json'), JSON.stringify(json));
    await expect(importTfjsFolder(folder)).rejects.toThrow(
      `cannot read the TF.js model in ${folder}: model.json names the weight file "../secret.bin"; weight files must sit in the model's folder`,
    );
  });

  it('refuses a folder where model.json should be, by name', async () => {
    const folder = join(dir, 'dir-model');
    mkdirSync(join(folder, 'model.json'), { recursive: true });
    const error = await importTfjsFolder(folder).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as Error).message).toBe(`cannot read the TF.js model in ${folder}: model.json is a directory, not a file`);
  });
});

describe('TF.js layers model → spec', () => {
  for (const preset of loadPresets()) {
    it(preset.id, async () => {
      const parsed = parseTrainingConfig(preset.training);
      if (!parsed.ok) throw new Error('bad preset config');
      const expanded = expandSpec(preset.model, parsed.value);
      const spec = await roundTrip(buildModel(expanded, { seed: 1 }));
      expect(inferModel(spec).totalParams).toBe(inferModel(expanded).totalParams);
      expect(inferModel(spec).outputShape).toEqual(inferModel(expanded).outputShape);
      const stripActivations = (k: string[]) => k.filter((t) => t !== 'activation');
      // A transformer block comes back as the residual blocks and layer norms it is made of (see below).
      if (!kinds(expanded.layers).includes('transformerEncoder')) expect(stripActivations(kinds(spec.layers))).toEqual(stripActivations(kinds(expanded.layers)));
      expect(spec.loss).toBe(preset.model.loss);
    });
  }

  // The newer layers: each class comes back as its card; a transformer block as the residual blocks and layer norms
  // it is made of (the same computation and weights).
  for (const c of LAYER_CASES) {
    it(`new layers: ${c.name}`, async () => {
      const model = buildModel(c.spec, { seed: 1 });
      const spec = await roundTrip(model);
      expect(inferModel(spec).errors).toEqual([]);
      expect(inferModel(spec).totalParams).toBe(model.countParams());
      expect(inferModel(spec).outputShape).toEqual(inferModel(c.spec).outputShape);
      const flat = kinds(spec.layers).filter((t) => t !== 'activation');
      for (const l of c.spec.layers) if (l.type !== 'transformerEncoder' && l.type !== 'input') expect(flat).toContain(l.type);
      if (c.spec.layers.some((l) => l.type === 'transformerEncoder')) expect(flat).toEqual(expect.arrayContaining(['residual(', 'multiHeadAttention', 'layerNorm']));
    });
  }

  it('keeps the imported spec as a model version', async () => {
    const store = Store.open(join(dir, 'data'));
    try {
      const project = store.ensureProject('imports');
      const folder = join(dir, 'keep');
      await writeTfjs(folder, buildModel(loadPresets()[0]!.model, { seed: 1 }), {});
      const version = await importTfjsToStore(store, project.id, folder);
      expect(version.created).toBe(true);
      expect(store.listModelVersions(project.id)).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it('names the layer that stops the import', async () => {
    const input = tfl.input({ shape: [8, 8, 1] });
    const transposed = tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 3, name: 'my_transpose' }).apply(input) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten().apply(transposed) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2, activation: 'softmax' }).apply(flat) as tfl.SymbolicTensor;
    const error = await roundTrip(tfl.model({ inputs: input, outputs: out })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as Error).message).toMatch(/^layer "my_transpose" \(Conv2DTranspose\) stops the import: Layerwise supports Dense, Conv2D/);
    expect((error as ImportError).layer).toEqual({ name: 'my_transpose', className: 'Conv2DTranspose' });

    const x = tfl.input({ shape: [4] });
    const selu = tfl.layers.dense({ units: 3, activation: 'selu', name: 'selu_dense' }).apply(x) as tfl.SymbolicTensor;
    await expect(roundTrip(tfl.model({ inputs: x, outputs: selu }))).rejects.toThrow(/layer "selu_dense" \(Dense\) stops the import: activation "selu"/);
  });
});
