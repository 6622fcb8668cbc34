// The store's CLI commands, run in-process through the same Command objects the built CLI uses.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleCommand } from '../../core/cli/commands/bundle.js';
import { runsCommand } from '../../core/cli/commands/runs.js';
import { showCommand } from '../../core/cli/commands/show.js';
import { UsageError, type Command } from '../../core/cli/io.js';
import { Store } from '../../core/store/index.js';
import { bytes, seedProject, tempDir } from './support/helpers.js';

async function cli(command: Command, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command.run(args, { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

function usageError(command: Command, ...args: string[]): Promise<string> {
  return cli(command, ...args).then(
    () => {
      throw new Error('expected a usage error');
    },
    (e: unknown) => {
      if (!(e instanceof UsageError)) throw e;
      return e.message;
    },
  );
}

/** A data folder with two runs: one completed with checkpoints, one interrupted by a "crash". */
function dataDir(): string {
  const dir = tempDir('cli');
  const store = Store.open(dir, { now: () => Date.UTC(2025, 2, 4, 5, 6) });
  const { newRun } = seedProject(store);
  const done = newRun({ status: 'running' });
  store.appendMetrics(done.id, [0, 1, 2].map((epoch) => ({ name: 'loss', epoch, value: 1 / (epoch + 1) })));
  store.saveCheckpoint(done.id, { epoch: 2, kind: 'best', weights: bytes(1200, 1), optimizer: bytes(2400, 2), manifest: {} });
  store.finishRun(done.id, { status: 'completed', finalMetrics: { loss: 0.3333333, accuracy: 0.96 } });
  newRun({ status: 'running' });
  // Closing without finishing the second run is what a crash leaves behind.
  store.close();
  return dir;
}

describe('layerwise runs / show / bundle', () => {
  it('runs --json lists every run with id, status, createdAt, model and final metrics', async () => {
    const dir = dataDir();
    const { code, stdout, stderr } = await cli(runsCommand, '--json', '--data', dir);
    expect(code).toBe(0);
    // Opening found the unfinished run; the note goes to stderr so stdout stays JSON.
    expect(stderr).toBe('layerwise: run 2 stopped without finishing and are now interrupted (layerwise resume <runId> continues one)');
    const runs = JSON.parse(stdout);
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({
      id: 1,
      status: 'completed',
      createdAt: '2025-03-04T05:06:00.000Z',
      model: 'Spiral MLP',
      preset: 'spiral-mlp',
      backend: 'wasm',
      epochs: 60,
      finalMetrics: { accuracy: 0.96, loss: 0.3333333 },
    });
    expect(runs[1]).toMatchObject({ id: 2, status: 'interrupted', statusCause: 'host_ended', finalMetrics: null });

    const table = await cli(runsCommand, '--data', dir);
    expect(table.stdout.split('\n')).toEqual([
      'run  status                    model       backend  created (UTC)     final metrics',
      '───  ────────────────────────  ──────────  ───────  ────────────────  ────────────────────────────',
      '  1  completed                 spiral-mlp  wasm     2025-03-04 05:06  accuracy 0.9600  loss 0.3333',
      '  2  interrupted (host_ended)  spiral-mlp  wasm     2025-03-04 05:06',
    ]);
  });

  it('runs on a folder without a store prints none and creates nothing', async () => {
    const dir = join(tempDir('cli-empty'), 'nothing-here');
    expect(await cli(runsCommand, '--json', '--data', dir)).toEqual({ code: 0, stdout: '[]', stderr: '' });
    expect(existsSync(dir)).toBe(false);
    expect(await cli(showCommand, '3', '--data', dir)).toMatchObject({ code: 1, stderr: 'layerwise show: RunNotFound: run 3 does not exist (no store in this data folder yet)' });
  });

  it('LAYERWISE_DATA names the folder when --data is absent', async () => {
    const dir = dataDir();
    const before = process.env.LAYERWISE_DATA;
    process.env.LAYERWISE_DATA = dir;
    try {
      expect(JSON.parse((await cli(runsCommand, '--json')).stdout)).toHaveLength(2);
    } finally {
      if (before === undefined) delete process.env.LAYERWISE_DATA;
      else process.env.LAYERWISE_DATA = before;
    }
  });

  it('show prints the config, final metrics and checkpoints', async () => {
    const dir = dataDir();
    const json = await cli(showCommand, '1', '--json', '--data', dir);
    expect(json.code).toBe(0);
    const run = JSON.parse(json.stdout);
    expect(run).toMatchObject({ id: 1, status: 'completed', config: { epochs: 60, batchSize: 32, seed: 1, tricks: { adam: { learningRate: 0.01 } } }, finalMetrics: { loss: 0.3333333 } });
    expect(run.model).toMatchObject({ id: 1, name: 'Spiral MLP' });
    expect(run.metrics).toEqual({ names: ['loss'], points: 3 });
    expect(run.checkpoints).toEqual([expect.objectContaining({ id: 1, epoch: 2, kind: 'best', size: 3600 })]);

    const text = await cli(showCommand, '1', '--data', dir);
    expect(text.stdout).toContain('run 1: completed\n');
    expect(text.stdout).toContain('  model     Spiral MLP (version 1, ');
    expect(text.stdout).toContain('  training  60 epochs, batch 32, 1 thread\n    adam beta1=0.9000 beta2=0.9990 epsilon=1.000e-7 learningRate=0.01000\n    standardize\n');
    expect(text.stdout).toContain('  final     accuracy 0.9600  loss 0.3333');
    expect(text.stdout).toMatch(/ {9}1 {6}2 {2}best {2}3,600 B {2}2025-03-04 05:06/);

    expect(await cli(showCommand, '9', '--data', dir)).toMatchObject({ code: 1, stderr: 'layerwise show: RunNotFound: run 9 does not exist' });
    expect(await usageError(showCommand, 'abc', '--data', dir)).toBe('run id must be a positive integer (got "abc")');
    expect(await usageError(showCommand, '--data', dir)).toMatch(/^give a run id\nusage: layerwise show <runId>/);
    expect(await usageError(runsCommand, '--wait', 'soon', '--data', dir)).toBe('--wait must be a number of seconds in [0, 3600] (got "soon")');
  });

  it('bundle export then import copies the project; a bad bundle is refused before the store is touched', async () => {
    const from = dataDir();
    const to = tempDir('cli-to');
    const file = join(to, 'p.layerwise');
    const exported = await cli(bundleCommand, 'export', '1', '--out', file, '--data', from);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(new RegExp(`^exported project 1 "Spirals" to ${file} \\([\\d,]+ bytes\\): 2 runs, 3 metric points, 1 checkpoint, 1 model version, 1 dataset, 0 comparisons$`));

    const imported = await cli(bundleCommand, 'import', file, '--json', '--data', join(to, 'data'));
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ ok: true, projectId: 1, runs: 2, metricPoints: 3, checkpoints: 1, runIds: { 1: 1, 2: 2 } });
    const runs = JSON.parse((await cli(runsCommand, '--json', '--data', join(to, 'data'))).stdout);
    expect(runs.map((r: { status: string }) => r.status)).toEqual(['completed', 'interrupted']);

    const bad = join(to, 'bad.layerwise');
    writeFileSync(bad, 'PK not really');
    const refused = await cli(bundleCommand, 'import', bad, '--data', join(to, 'never'));
    expect(refused).toEqual({ code: 1, stdout: '', stderr: 'layerwise bundle import: BundleInvalid: not a valid Layerwise bundle: the file is not a readable zip (truncated or damaged): it is only 13 bytes' });
    expect(existsSync(join(to, 'never'))).toBe(false);

    expect(await cli(bundleCommand, 'export', '5', '--out', file, '--data', from)).toMatchObject({ code: 1, stderr: 'layerwise bundle export: ProjectNotFound: project 5 does not exist' });
    expect(await usageError(bundleCommand, 'export', '1', '--data', from)).toMatch(/^bundle export needs --out FILE/);
    expect(await usageError(bundleCommand, 'send', '1')).toMatch(/^give export or import \(got "send"\)/);
  });
});
