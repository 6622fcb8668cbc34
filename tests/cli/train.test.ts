// `layerwise train` and `resume` as a user runs them: the built CLI in a child process, a real data folder.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../core/cli/main.js';
import type { CliIO } from '../../core/cli/io.js';
import { ensureBuilt, repoRoot } from '../support/build.js';

const bin = join(repoRoot, 'bin/layerwise.js');
const layerwise = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
/** The CLI's own entry in this process, printing into strings. */
async function inProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { out: (t) => void (stdout += `${t}\n`), err: (t) => void (stderr += `${t}\n`), isTTY: false };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}
const lines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(() => ensureBuilt());

describe('layerwise train', () => {
  it('--json prints one line per epoch and a final line with the run id, and records the run', () => {
    const data = mkdtempSync(join(tmpdir(), 'lw-train-'));
    const r = layerwise('train', '--preset', 'spiral-mlp', '--epochs', '3', '--backend', 'cpu', '--trick', 'dropout.rate=0.1', '--json', '--data', data);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out.slice(0, 3).map((l) => l.epoch)).toEqual([1, 2, 3]);
    const final = out[3]!;
    expect(final).toMatchObject({ status: 'completed', epochs: 3, backend: 'cpu', runId: 1 });
    expect(Object.keys(final.final as object).sort()).toEqual(['accuracy', 'loss', 'testAccuracy', 'testLoss', 'valAccuracy', 'valLoss']);
    expect(typeof final.samplesPerSecond).toBe('number');
    expect(typeof final.device).toBe('string');

    const runs = JSON.parse(layerwise('runs', '--json', '--data', data).stdout) as Array<Record<string, unknown>>;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: 1, status: 'completed' });
    const shown = JSON.parse(layerwise('show', '1', '--json', '--data', data).stdout);
    expect(JSON.stringify(shown)).toContain('"dropout"');
  });

  it('a run killed mid-training comes back interrupted, and resume finishes it from its last checkpoint', async () => {
    const data = mkdtempSync(join(tmpdir(), 'lw-resume-'));
    const child = spawn(process.execPath, [bin, 'train', '--preset', 'spiral-mlp', '--epochs', '12', '--backend', 'cpu', '--json', '--data', data], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let epochs = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        epochs += chunk.toString().split('\n').filter((l) => l.includes('"epoch"')).length;
        if (epochs >= 2) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.on('exit', r));
    const before = JSON.parse(layerwise('runs', '--json', '--data', data).stdout) as Array<{ status: string }>;
    expect(before[0]!.status).toBe('interrupted');

    const resumed = layerwise('resume', '1', '--json', '--data', data);
    expect(resumed.code).toBe(0);
    const out = lines(resumed.stdout);
    // It continues after the last checkpoint that was written before the kill, not from epoch 1.
    expect(out[0]!.epoch).toBeGreaterThanOrEqual(2);
    expect(out[out.length - 1]).toMatchObject({ status: 'completed', epochs: 12, runId: 1 });
    const after = JSON.parse(layerwise('runs', '--json', '--data', data).stdout) as Array<{ status: string }>;
    expect(after[0]!.status).toBe('completed');
  });

  it('--dataset-id trains on a dataset the user registered from a CSV file', () => {
    const data = mkdtempSync(join(tmpdir(), 'lw-csv-'));
    // Two numeric features; the class is which side of the line x + y = 0 a point is on.
    const rows = ['x,y,side', ...Array.from({ length: 300 }, (_, i) => {
      const x = Math.sin(i * 1.7) * 3;
      const y = Math.cos(i * 0.9) * 3;
      return `${x.toFixed(3)},${y.toFixed(3)},${x + y > 0 ? 'above' : 'below'}`;
    })];
    writeFileSync(join(data, 'points.csv'), rows.join('\n'));
    const added = layerwise('dataset', 'add', 'csv', join(data, 'points.csv'), '--target', 'side', '--data', data);
    expect(added.code, added.stderr).toBe(0);
    const spec = join(data, 'line.json');
    writeFileSync(spec, JSON.stringify({ version: 1, name: 'line', loss: 'categoricalCrossentropy', layers: [{ type: 'input', shape: [2] }, { type: 'dense', units: 2, activation: 'softmax' }] }));
    const r = layerwise('train', spec, '--dataset-id', '1', '--epochs', '20', '--trick', 'standardize', '--trick', 'adam.learningRate=0.05', '--backend', 'cpu', '--json', '--data', data);
    expect(r.code, r.stderr).toBe(0);
    const final = lines(r.stdout).pop()!;
    expect(final).toMatchObject({ status: 'completed', runId: 1 });
    expect((final.final as { testAccuracy: number }).testAccuracy).toBeGreaterThan(0.9);
    expect(layerwise('train', spec, '--dataset-id', '1', '--dataset', 'mnist', '--data', data).code).toBe(2);
  });

  // Usage errors are decided before any training starts, so the cases run in this process through the CLI's own entry
  // (runCli with a captured io): six process starts would make the test's length a function of the machine's load.
  it('bad flags and specs exit 2 naming the problem', async () => {
    const data = mkdtempSync(join(tmpdir(), 'lw-bad-'));
    const cases: Array<[string[], string]> = [
      [['--preset', 'mnist-mlp', '--epochs', '0'], '--epochs must be an integer in [1, 10000] (got "0")'],
      [['--preset', 'mnist-mlp', '--backend', 'tpu'], '--backend must be one of auto, tensorflow, webgpu, wasm, cpu (got "tpu")'],
      [['--preset', 'mnist-mlp', '--trick', 'warp'], 'must be trickId, trickId=on|off or trickId.param=value (got "warp")'],
      [['--preset', 'mnist-mlp', '--trick', 'adam.learningRate=-1'], 'tricks.adam.learningRate must be in (0, 10] (got -1)'],
      [['--preset', 'mnist-mlp', '--dataset', 'cifar'], '--dataset must be one of mnist, spiral, circles, xor, blobs (got "cifar")'],
    ];
    for (const [args, message] of cases) {
      const r = await inProcess('train', ...args, '--data', data);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
    const spec = join(data, 'bad.json');
    writeFileSync(spec, JSON.stringify({ version: 1, name: 'bad', loss: 'categoricalCrossentropy', layers: [{ type: 'input', shape: [2] }, { type: 'dense', units: 0 }] }));
    const r = await inProcess('train', spec, '--data', data);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('layers[1].units must be a positive integer (got 0)');
    // And once through the real binary: the exit code and stderr reach the shell.
    const spawned = layerwise('train', '--preset', 'mnist-mlp', '--epochs', '0', '--data', data);
    expect(spawned.code).toBe(2);
    expect(spawned.stderr).toContain('--epochs must be an integer in [1, 10000] (got "0")');
  });
});
