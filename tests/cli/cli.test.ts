// The built CLI, run as a real child process the way a user runs it (`npm test` builds first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../support/build.js';

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
});
