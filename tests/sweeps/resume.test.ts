// Crash-resume with real processes: `layerwise sweep` (the host) is SIGKILLed while a trial trains, then `layerwise
// sweep resume ID` finishes the sweep. With one trainer at a time and seeded TPE, the resumed sweep must be the
// sweep that was never interrupted: the same trials with the same values, states, rung decisions and results
// (finished trials kept, the interrupted one continued from its checkpoint, TPE and ASHA rebuilt from the rows).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../core/store/index.js';
import type { SweepSpecInput } from '../../shared/index.js';
import { ensureBuilt } from '../support/build.js';
import { HANG_MS } from '../support/patience.js';
import { tempDir, tinyConfig, tinySpec, until } from '../host/support.js';

const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'bin/layerwise.js');

beforeAll(() => ensureBuilt());

// 2,000 spiral points: an epoch takes long enough (~0.1 s) for the kill to land inside one.
const spec: SweepSpecInput = {
  name: 'Crash me',
  base: { spec: tinySpec, dataset: { kind: 'synthetic', name: 'spiral', samples: 2000, classes: 3, noise: 0.05 }, config: tinyConfig(6) },
  method: 'tpe',
  seed: 2,
  tpe: { startupTrials: 3 },
  parameters: [
    { path: 'tricks.adam.learningRate', min: 0.0001, max: 0.1, log: true },
    { path: 'layers[1].units', values: [4, 8, 16] },
  ],
  budget: { runs: 7 },
  pruning: { method: 'asha', minEpochs: 1, eta: 2 },
  concurrency: 1,
  backend: 'wasm',
};

function sweepCli(dir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [bin, 'sweep', ...args, '--json', '--data', dir], { cwd: root, encoding: 'utf8', timeout: HANG_MS });
  return { code: result.status, lines: result.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), stderr: result.stderr };
}

/** What must be identical between the interrupted and the uninterrupted sweep. */
function outcome(dir: string) {
  const store = Store.open(dir);
  try {
    const trials = store.sweeps.trials(1);
    return {
      trials: trials.map((t) => ({ number: t.number, params: t.params, state: t.state, epochs: t.epochs, objective: t.objective, valAccuracy: t.valAccuracy, rungs: t.rungs })),
      runs: store.listRuns().length,
      interrupted: store.report.interruptedRuns,
      status: store.sweeps.get(1).status,
      reason: store.sweeps.get(1).stopReason,
      byTrial: trials.map((t) => t.runId),
      /** The epochs of each trial's run that have a validation loss. */
      recorded: trials.map((t) => store.metricSeries(t.runId!, ['valLoss'])[0]?.epochs ?? []),
    };
  } finally {
    store.close();
  }
}

describe('a sweep whose host is killed', () => {
  it('resumes where it was and ends exactly as the sweep that was never interrupted', async () => {
    const file = join(tempDir('sweep-spec'), 'spec.json');
    writeFileSync(file, JSON.stringify(spec));

    // The reference: the same sweep, never interrupted.
    const refDir = tempDir('sweep-ref');
    const ref = sweepCli(refDir, file);
    expect(ref.stderr).toBe('');
    expect(ref.code).toBe(0);
    const reference = outcome(refDir);
    expect(reference.status).toBe('completed');
    expect(reference.trials).toHaveLength(7);
    expect(reference.trials.some((t) => t.state === 'pruned')).toBe(true);

    // The same sweep, its host SIGKILLed once a trainer has reported an epoch of a trial after two have finished.
    // The host locks its database; a tap in the trainer says where the sweep is (tests/sweeps/support/tap-trainer.mjs).
    const dir = tempDir('sweep-crash');
    const tap = join(dir, 'epochs.tap');
    writeFileSync(tap, '');
    const env = { ...process.env, LAYERWISE_TRAINER_ENTRY: join(root, 'tests/sweeps/support/tap-trainer.mjs'), LAYERWISE_TAP_ENTRY: join(root, 'out/main/trainer.js'), LAYERWISE_TAP_FILE: tap };
    const child = spawn(process.execPath, [bin, 'sweep', file, '--json', '--data', dir], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    let tapped = -1;
    await until('an epoch of a trial after two have finished', () => {
      if (child.exitCode !== null) throw new Error(`the sweep ended before it could be killed mid-trial:\n${out}`);
      const epochs = readFileSync(tap, 'utf8').split('\n').filter(Boolean).length;
      if (out.split('\n').filter(Boolean).length < 2) return false;
      if (tapped < 0) tapped = epochs;
      return epochs > tapped;
    }, HANG_MS, 2);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const before = outcome(dir);
    expect(before.status).toBe('running');
    // The trial whose trainer was inside an epoch (its epoch may not have been recorded yet).
    const running = before.trials.filter((t) => t.state === 'running');
    expect(running).toHaveLength(1);
    const killedIn = { number: running[0]!.number, runId: before.byTrial[running[0]!.number - 1]! };

    // Opening the store found the trial's run interrupted; resume continues it and the sweep.
    expect(before.interrupted).toEqual([killedIn.runId]);
    const resumed = sweepCli(dir, 'resume', '1');
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const summary = resumed.lines[resumed.lines.length - 1]!;
    expect(summary).toMatchObject({ sweep: 1, status: 'completed', trials: 7 });

    const after = outcome(dir);
    expect(after.trials).toEqual(reference.trials);
    expect(after.reason).toBe(reference.reason);
    // The interrupted trial kept its run (continued from its checkpoint, every epoch recorded once); no run was
    // made twice.
    expect(after.byTrial[killedIn.number - 1]).toBe(killedIn.runId);
    expect(after.runs).toBe(7);
    after.recorded.forEach((epochs, i) => expect(epochs).toEqual(Array.from({ length: after.trials[i]!.epochs }, (_, e) => e)));
    // The lines printed before the kill and after the resume name each finished trial once.
    const printed = [...out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { trial: number }), ...resumed.lines.slice(0, -1)].map((l) => (l as { trial: number }).trial);
    expect(printed.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('layerwise sweep, wrong inputs', () => {
  function capture() {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), isTTY: false }, out, err };
  }

  it('refuses a spec that cannot run (exit 2, one line per problem, nothing stored) and names a missing sweep', async () => {
    const { runCli } = await import('../../core/cli/main.js');
    const dir = tempDir('sweep-cli');
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...spec, parameters: [{ path: 'layers[9].units', values: [4] }, { path: 'tricks.adam.learningRate', min: 1, max: 0.1 }] }));
    const bad = capture();
    expect(await runCli(['sweep', file, '--data', dir], bad.io)).toBe(2);
    expect(bad.err.join('\n')).toBe(`layerwise sweep: ${file} cannot run:\n  ✗ parameters[1].max must be greater than min (1) (got 0.1)`);
    const store = Store.open(dir);
    expect(store.sweeps.list()).toEqual([]);
    store.close();

    const missing = capture();
    expect(await runCli(['sweep', 'show', '9', '--data', dir], missing.io)).toBe(1);
    expect(missing.err.join('\n')).toBe('layerwise sweep: SweepNotFound: sweep 9 does not exist');
    const usage = capture();
    expect(await runCli(['sweep', '--concurrency', '0', file], usage.io)).toBe(2);
    expect(usage.err.join('\n')).toBe('layerwise sweep: --concurrency must be an integer in [1, 16] (got "0")');
  });
});
