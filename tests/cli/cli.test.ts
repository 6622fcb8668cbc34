// The built CLI, run as a real child process the way a user runs it (`npm test` builds first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../support/build.js';
import { LAYER_TYPES } from '../../shared/index.js';

const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'bin/layerwise.js');

function layerwise(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => ensureBuilt());

describe('layerwise CLI', () => {
  it('check --preset mnist-cnn prints every layer shape and the tfjs total', () => {
    const { code, stdout } = layerwise('check', '--preset', 'mnist-cnn');
    expect(code).toBe(0);
    expect(stdout).toMatch(/layers\[1\]\s+conv2d 8 3×3 relu\s+\[26, 26, 8\]\s+80/);
    expect(stdout).toMatch(/layers\[5\]\s+flatten\s+\[400\]\s+0/);
    expect(stdout).toContain('Total params: 27,562');
  });

  it('check of a broken spec exits 1 naming each error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerwise-cli-'));
    const file = join(dir, 'broken.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        name: 'broken',
        loss: 'categoricalCrossentropy',
        layers: [
          { type: 'input', shape: [28, 28, 1] },
          { type: 'conv2d', filters: 0, kernelSize: 3 },
          { type: 'dense', units: 10, activation: 'softmax', extra: 1 },
        ],
      }),
    );
    const { code, stderr } = layerwise('check', file);
    expect(code).toBe(1);
    expect(stderr).toContain('2 errors');
    expect(stderr).toContain('layers[1].filters must be a positive integer (got 0)');
    expect(stderr).toContain('layers[2].extra is not a known field');

    writeFileSync(file, JSON.stringify({ version: 1, name: 'x', loss: 'meanSquaredError', layers: [{ type: 'input', shape: [8] }, { type: 'conv2d', filters: 2, kernelSize: 3 }] }));
    const shapeError = layerwise('check', file, '--json');
    expect(shapeError.code).toBe(1);
    expect(JSON.parse(shapeError.stdout)).toEqual({
      ok: false,
      errors: ['layers[1] conv2d needs a 3-D input [height, width, channels] but gets [8]'],
    });
  });

  it('check --json gives shapes and totals for tools', () => {
    const { code, stdout } = layerwise('check', '--preset', 'mini-resnet', '--json');
    expect(code).toBe(0);
    const info = JSON.parse(stdout);
    expect(info.totalParams).toBe(19_562);
    expect(info.outputShape).toEqual([10]);
    expect(info.layers[4].projection).toEqual({ kind: 'conv1x1', strides: [2, 2], params: 544 });
  });

  it('presets --json and tricks --json list what the studio offers', () => {
    const presets = JSON.parse(layerwise('presets', '--json').stdout);
    expect(presets.map((p: { id: string }) => p.id)).toContain('spiral-mlp');
    const tricks = JSON.parse(layerwise('tricks', '--json').stdout);
    expect(tricks.find((t: { id: string }) => t.id === 'clipNorm').params.maxNorm.default).toBe(1);
  });

  it('bad usage exits 2 naming the problem', () => {
    expect(layerwise('check').code).toBe(2);
    const unknownPreset = layerwise('check', '--preset', 'resnet-152');
    expect(unknownPreset.code).toBe(2);
    expect(unknownPreset.stderr).toContain('unknown preset "resnet-152" (known: ');
    const badFlag = layerwise('presets', '--colour');
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("Unknown option '--colour'");
    expect(layerwise('frobnicate').code).toBe(2);
    const missing = layerwise('check', '/nonexistent/spec.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read /nonexistent/spec.json: no such file');
  });

  it('layers lists every layer type with what it is for and its fields', () => {
    const table = layerwise('layers');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/conv2d\s+convolution\s+Slides small learned filters over an image/);
    expect(table.stdout).toMatch(/lstm\s+sequences\s+Reads a sequence step by step/);
    expect(table.stdout).toContain('padding=valid? (one of valid, same)');
    const list = JSON.parse(layerwise('layers', '--json').stdout) as Array<{ type: string; fields: Record<string, { allowed: string }>; tricks: Record<string, boolean> }>;
    expect(list.map((l) => l.type)).toEqual([...LAYER_TYPES]);
    expect(list.map((l) => l.type)).toEqual(expect.arrayContaining(['embedding', 'lstm', 'gru', 'multiHeadAttention', 'transformerEncoder', 'separableConv2d', 'reshape']));
    expect(list.find((l) => l.type === 'dropout')!.fields.rate!.allowed).toBe('in [0, 1)');
    expect(list.find((l) => l.type === 'conv2d')!.tricks.dropout).toBe(false);
  });

  it('check refuses oversized specs by name: a 200,000-deep nesting, 5,000 layers, 833 million parameters, memory at the batch size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerwise-cli-limits-'));
    const write = (name: string, text: string) => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    };
    // Written as text: JSON.stringify itself overflows the stack on this nesting.
    const deep = write(
      'deep.json',
      `{"version":1,"name":"deep","loss":"meanSquaredError","layers":[{"type":"input","shape":[4]},${'{"type":"residual","layers":['.repeat(200_000)}{"type":"dense","units":4}${']}'.repeat(200_000)}]}`,
    );
    const nested = layerwise('check', deep);
    expect(nested.code).toBe(1);
    expect(nested.stderr).toContain('layers[1] nests too deep: a spec may nest at most 24 levels, enough for blocks 7 deep inside one another (got 400,002 levels');
    expect(nested.stderr).not.toContain('RangeError');

    const many = { version: 1, name: 'many', loss: 'meanSquaredError', layers: [{ type: 'input', shape: [4] }, ...Array.from({ length: 5000 }, () => ({ type: 'dense', units: 4 }))] };
    const count = layerwise('check', write('many.json', JSON.stringify(many)));
    expect(count.code).toBe(1);
    expect(count.stderr).toContain('layers must hold at most 1,000 layers');
    expect(count.stderr).toContain('(got 5,001)');

    const huge = { version: 1, name: 'huge', loss: 'meanSquaredError', layers: [{ type: 'input', shape: [999] }, { type: 'dense', units: 833_000 }] };
    const params = layerwise('check', write('huge.json', JSON.stringify(huge)), '--json');
    expect(params.code).toBe(1);
    expect(JSON.parse(params.stdout).errors).toEqual([
      'layers hold 833,000,000 parameters (3.3 GB of weights, ~60 GB to train with Adam); a model may have at most 50,000,000 (200 MB of weights): use fewer units or filters, or downsample before the first dense layer',
    ]);

    const images = {
      version: 1,
      name: 'images',
      loss: 'categoricalCrossentropy',
      layers: [
        { type: 'input', shape: [128, 128, 3] },
        { type: 'conv2d', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'globalAvgPool2d' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
    };
    const file = write('images.json', JSON.stringify(images));
    expect(layerwise('check', file).code).toBe(0);
    const big = layerwise('check', file, '--batch-size', '1024');
    expect(big.code).toBe(1);
    expect(big.stderr).toMatch(/the model needs ~11 GB of memory to train, more than the 3 GB allowed: 11 GB for the activations of batch size 1,024/);
  }, 60_000);
});
