// Drill: a trainer killed the OOM killer's way (SIGKILL) mid-epoch, under the studio's queue and under the CLI.
// Its run ends `interrupted` with the cause (not `failed`), keeps every epoch and checkpoint recorded before the
// kill, and resumes — through the API, or with `layerwise resume` — to exactly the metrics of an uninterrupted run.
// A trainer that reports an error of the run itself stays `failed` and is not resumable.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunRecord } from '../../core/runs/recorder.js';
import { Store } from '../../core/store/index.js';
import { ApiError } from '../../shared/api/errors.js';
import type { TrainingConfig } from '../../shared/index.js';
import { ensureBuilt, repoRoot } from '../support/build.js';
import { openTestServices, tempDir, tinyConfig, tinySpec, until, type TestServices } from '../host/support.js';
import { expectCheckpointsVerify, expectPrefixOf, expectSameAsUninterrupted, job, waitStatus } from './support.js';

beforeAll(() => ensureBuilt());

describe('a trainer killed under the studio', () => {
  let test: TestServices;
  afterAll(async () => test?.close());

  it('interrupts its run (trainer_killed); resuming through the API completes it with the metrics of an uninterrupted run', async () => {
    test = openTestServices();
    const { api, events, queue } = test.services;
    const project = await api.projects.create({ name: 'Trainer kill' });
    // Long enough (8 epochs of 6,000 points) that the kill lands while it trains, however fast the engine is.
    const reference = await api.runs.start(job(project.id, 8, 5, 6000));
    expect((await waitStatus(api, reference.id, ['completed', 'failed', 'interrupted'])).status).toBe('completed');

    const doomed = await api.runs.start(job(project.id, 8, 5, 6000));
    // Killed at its first progress report in epoch 1 or later (reports are coalesced, so not at a chosen batch);
    // a run that ends first fails the test instead of leaving it waiting.
    await new Promise<void>((resolve, reject) => {
      const offs = [
        events.on('onRunProgress', ({ runId, progress }) => {
          if (runId === doomed.id && progress.epoch >= 1) {
            offs.forEach((off) => off());
            resolve();
          }
        }),
        events.on('onRunStatus', ({ runId, run }) => {
          if (runId === doomed.id && run && !['queued', 'running', 'paused'].includes(run.status)) {
            offs.forEach((off) => off());
            reject(new Error(`run ${runId} ended ${run.status} before it could be killed`));
          }
        }),
      ];
    });
    process.kill(queue.trainerPid(doomed.id)!, 'SIGKILL');
    const interrupted = await waitStatus(api, doomed.id, ['interrupted', 'failed', 'completed']);
    expect(interrupted).toMatchObject({ status: 'interrupted', statusCause: 'trainer_killed', finishedAt: null });
    expect(interrupted.error).toMatch(/^the trainer process was killed by SIGKILL \(out of memory, or ended by the system\); resume continues from its last checkpoint$/);
    // Nothing recorded before the kill is lost or half-written: whole epochs of the reference's numbers, checkpoints that verify.
    const kept = expectPrefixOf(test.store, doomed.id, reference.id);
    expect(kept).toBeGreaterThanOrEqual(0);
    expectCheckpointsVerify(test.store, doomed.id);
    expect(test.store.checkResume(doomed.id)).toMatchObject({ ok: true });
    expect(test.store.integrityCheck()).toEqual(['ok']);

    await api.runs.resumeFromCheckpoint({ id: doomed.id });
    const done = await waitStatus(api, doomed.id, ['completed', 'failed', 'interrupted']);
    expect([done.status, done.statusCause, done.error]).toEqual(['completed', null, null]);
    expectSameAsUninterrupted(test.store, doomed.id, reference.id);
    expect(test.trainers).toHaveLength(3);
  });

  it('a trainer that reports an error of the run fails it (trainer_error); resuming is refused with the reason', async () => {
    const { api, queue } = test.services;
    const project = await api.projects.create({ name: 'Trainer error' });
    // Data registered once but whose prepared file is gone: the trainer starts, fails to load it, and says so.
    const run = createRunRecord(test.store, {
      projectId: project.id,
      spec: tinySpec,
      dataset: {
        kind: 'csv',
        name: 'gone',
        fingerprint: '0'.repeat(64),
        file: join(test.dir, 'datasets', `${'0'.repeat(64)}.lwds`),
        inputShape: [2],
        classes: 3,
        task: 'classification',
        counts: { train: 8, validation: 1, test: 1 },
      },
      config: tinyConfig(2) as TrainingConfig,
      backend: 'wasm',
    });
    queue.enqueue(run);
    const failed = await waitStatus(api, run.id, ['failed', 'interrupted', 'completed']);
    expect([failed.status, failed.statusCause]).toEqual(['failed', 'trainer_error']);
    expect(failed.error).toContain(`${'0'.repeat(64)}.lwds: no such file`);
    const refusal = await api.runs.resumeFromCheckpoint({ id: run.id }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ApiError);
    expect((refusal as ApiError).code).toBe('conflict');
    expect((refusal as ApiError).message).toMatch(new RegExp(`^run ${run.id} is failed; only an interrupted or stopped run can be resumed \\(it failed \\(.+\\), and resuming would meet the same error\\)$`));
  });
});

const bin = join(repoRoot, 'bin/layerwise.js');

/** The trainer process a CLI forked (Linux: /proc lists a process's children). */
function childOf(pid: number): number | undefined {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children[0];
}

describe.runIf(process.platform === 'linux')('a trainer killed under `layerwise train`', () => {
  it('prints one line naming the cause and exits 1; `layerwise resume` completes the run to the metrics of an uninterrupted one', async () => {
    const data = tempDir('cli-kill');
    const args = ['train', '--preset', 'spiral-mlp', '--epochs', '5', '--backend', 'wasm', '--json', '--data', data];
    expect(spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, encoding: 'utf8' }).status).toBe(0);

    // Without --json, as a person runs it: one line per epoch on stdout, what went wrong on stderr.
    const cli = spawn(process.execPath, [bin, ...args.filter((a) => a !== '--json')], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    cli.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => cli.on('close', (code) => resolve(code)));
    let epochs = 0;
    await new Promise<void>((resolve) => {
      cli.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        epochs += chunk.split('\n').filter((l) => l.startsWith('epoch ')).length;
        if (epochs === 2) resolve();
      });
    });
    const trainer = await until('the CLI to have its trainer', () => childOf(cli.pid!));
    process.kill(trainer, 'SIGKILL');
    expect(await exited).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^training interrupted \(run 2, trainer_killed\): the trainer process was killed by SIGKILL .*; resume continues from its last checkpoint \(`layerwise resume 2`\)$/);

    const resumed = spawnSync(process.execPath, [bin, 'resume', '2', '--json', '--data', data], { cwd: repoRoot, encoding: 'utf8' });
    expect([resumed.status, resumed.stderr]).toEqual([0, '']);
    const store = Store.open(data);
    try {
      expect(store.getRun(2)).toMatchObject({ status: 'completed', statusCause: null });
      expectSameAsUninterrupted(store, 2, 1);
    } finally {
      store.close();
    }
  });
});
