// Drill: the disk fills up while a run trains. The database is made full for real (SQLite's `max_page_count`:
// its own "database or disk is full", SQLITE_FULL, from the very write that needs a new page) under the studio's
// queue, and the CLI's files are capped by the OS (RLIMIT_FSIZE, `ulimit -f`: the write fails inside SQLite).
// The run ends `interrupted` with the cause, loudly (the API, the studio's run record, one CLI line, exit 1);
// nothing stored before is lost or half-written; once there is space it resumes and completes with exactly the
// metrics of an uninterrupted run.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../core/store/index.js';
import { ensureBuilt, repoRoot } from '../support/build.js';
import { openTestServices, rowCounts, tempDir, type TestServices } from '../host/support.js';
import { expectCheckpointsVerify, expectPrefixOf, expectSameAsUninterrupted, job, waitStatus } from './support.js';

beforeAll(() => ensureBuilt());

describe('the database fills up under the studio', () => {
  let test: TestServices;
  afterAll(async () => test?.close());

  it('interrupts the run (disk_full) at the write that failed, keeps everything before it whole, and resumes to the uninterrupted result', async () => {
    test = openTestServices();
    const { api, events } = test.services;
    const project = await api.projects.create({ name: 'Disk full' });
    const reference = await api.runs.start(job(project.id, 5, 13, 1000));
    expect((await waitStatus(api, reference.id, ['completed', 'failed', 'interrupted'])).status).toBe('completed');

    // After the run's first checkpoint is stored, the database may not grow by a single page.
    const run = await api.runs.start(job(project.id, 5, 13, 1000));
    const seen: string[] = [];
    events.on('onRunEpoch', ({ runId, report }) => runId === run.id && seen.push(`epoch ${report.epoch}`));
    const off = events.on('onRunCheckpoint', ({ runId }) => {
      if (runId !== run.id) return;
      off();
      const pages = test.store.sqlite.pragma('page_count', { simple: true }) as number;
      test.store.sqlite.pragma(`max_page_count = ${pages}`);
    });
    const interrupted = await waitStatus(api, run.id, ['interrupted', 'failed', 'completed']);
    await test.services.queue.idle();
    expect([interrupted.status, interrupted.statusCause]).toEqual(['interrupted', 'disk_full']);
    expect(interrupted.error).toMatch(/^could not record (an epoch|a checkpoint): the disk holding .+layerwise\.db is full \(database or disk is full\): nothing of the failed write was kept; free some space and try again; once there is space again, resuming continues from its last checkpoint \(epoch \d+\)$/);
    expect(test.logs.join('\n')).toMatch(new RegExp(`run ${run.id}: could not record (an epoch|a checkpoint): .*; its trainer is ended and the run interrupted \\(resumable\\)`));
    // The studio's list shows it with its cause.
    expect((await api.runs.list({ projectId: project.id })).find((r) => r.id === run.id)).toMatchObject({ status: 'interrupted', statusCause: 'disk_full' });

    // Nothing half-written: whole epochs equal to the reference, checkpoints that verify, a sound file; and nothing
    // the trainer reported after the failed write was shown as if it were kept.
    const kept = expectPrefixOf(test.store, run.id, reference.id);
    expectCheckpointsVerify(test.store, run.id);
    expect(test.store.integrityCheck()).toEqual(['ok']);
    expect(seen.length).toBe(kept + 1);
    const checkpoint = test.store.latestCheckpoint(run.id)!.checkpoint;
    expect(checkpoint.epoch).toBeLessThanOrEqual(kept);
    expect(interrupted.error).toContain(`(epoch ${checkpoint.epoch + 1})`);

    // Space is back: the run resumes and completes as if nothing had happened.
    test.store.sqlite.pragma('max_page_count = 4294967294');
    const before = rowCounts(test.store);
    await api.runs.resumeFromCheckpoint({ id: run.id });
    const done = await waitStatus(api, run.id, ['completed', 'failed', 'interrupted']);
    expect([done.status, done.statusCause, done.error]).toEqual(['completed', null, null]);
    expectSameAsUninterrupted(test.store, run.id, reference.id);
    expect(rowCounts(test.store).runs).toBe(before.runs);
  });
});

const bin = join(repoRoot, 'bin/layerwise.js');
const layerwise = (limitKb: number | null, ...args: string[]) => {
  // bash's ulimit -f caps every file the command writes (in KiB): the database, its log, the lock files.
  const command = limitKb === null ? [process.execPath, bin, ...args] : ['bash', '-c', `ulimit -f ${limitKb}; exec "$0" "$@"`, process.execPath, bin, ...args];
  const result = spawnSync(command[0]!, command.slice(1), { cwd: repoRoot, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe.runIf(process.platform !== 'win32')('the disk fills up under `layerwise train`', () => {
  it('prints one line and exits 1, `runs` still reads the folder, and `resume` completes the run once there is space', () => {
    const data = tempDir('cli-full');
    const args = ['--preset', 'spiral-mlp', '--epochs', '6', '--backend', 'wasm', '--data', data];
    expect(layerwise(null, 'train', ...args, '--json').code).toBe(0);
    // 260 KiB: room for the database as run 1 left it, not for run 2's log of checkpoints.
    const full = layerwise(260, 'train', ...args);
    expect(full.code).toBe(1);
    const lines = full.stderr.trim().split('\n');
    expect(lines, full.stderr).toHaveLength(1);
    // The file cap stops the log's growth, so even the run's status cannot be written: the outcome waits in the
    // lock file, and the next command records it with its cause.
    expect(lines[0]).toMatch(/^training interrupted \(run 2, (disk_full|write_failed)\): could not record (an epoch|a checkpoint): .+ \(`layerwise resume 2`( once there is space)?\)$/);
    expect(full.stderr).not.toMatch(/\n\s+at /);

    // Still capped: the list reads (without writing) and shows why.
    const listed = layerwise(260, 'runs', '--json', '--data', data);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { id: number; status: string; statusCause: string }[]).map((r) => [r.id, r.status, r.statusCause])).toEqual([
      [1, 'completed', null],
      [2, 'interrupted', lines[0]!.includes('disk_full') ? 'disk_full' : 'write_failed'],
    ]);

    const resumed = layerwise(null, 'resume', '2', '--json', '--data', data);
    expect([resumed.code, resumed.stderr]).toEqual([0, '']);
    const store = Store.open(data);
    try {
      expect(store.integrityCheck()).toEqual(['ok']);
      expectSameAsUninterrupted(store, 2, 1);
    } finally {
      store.close();
    }
  });
});
