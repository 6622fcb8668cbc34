// Drill: the host itself killed (SIGKILL: a crash, a power cut) while its run trains — twice. Each restart finds
// the run `interrupted` with the cause `host_ended`, resumable; after the second resume it completes with exactly
// the metrics of the same run trained without interruption, and the database is sound.
import { beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../core/store/index.js';
import { createApiClient } from '../../shared/api/client.js';
import type { LayerwiseApi } from '../../shared/api/contract.js';
import { ensureBuilt } from '../support/build.js';
import { httpInvoke, spawnServe, tempDir, until, type ServeChild } from '../host/support.js';
import { expectCheckpointsVerify, expectSameAsUninterrupted, job, waitStatus } from './support.js';

beforeAll(() => ensureBuilt());

async function serve(dir: string): Promise<{ child: ServeChild; api: LayerwiseApi }> {
  const child = await spawnServe(dir);
  return { child, api: createApiClient(httpInvoke(child.origin, child.token)) };
}

/** Waits until the run has a checkpoint after `epoch` and is still training, then kills the host. */
async function killHostAfter(host: { child: ServeChild; api: LayerwiseApi }, runId: number, epoch: number): Promise<void> {
  await until(`run ${runId} to checkpoint after epoch ${epoch + 1}`, async () => (await host.api.checkpoints.list({ runId })).some((c) => c.epoch > epoch), undefined, 50);
  host.child.child.kill('SIGKILL');
  expect((await host.child.exited).signal).toBe('SIGKILL');
}

describe('the host killed twice while a run trains', () => {
  it('each restart finds the run interrupted (host_ended); resumed twice, it completes as if never interrupted', async () => {
    const dir = tempDir('host-kill');
    const first = await serve(dir);
    const project = await first.api.projects.create({ name: 'Host kill' });
    const reference = await first.api.runs.start(job(project.id, 6, 11, 4000));
    expect((await waitStatus(first.api, reference.id, ['completed', 'failed', 'interrupted'])).status).toBe('completed');
    const doomed = await first.api.runs.start(job(project.id, 6, 11, 4000));
    await killHostAfter(first, doomed.id, -1);

    const second = await serve(dir);
    expect((await second.api.app.info()).interruptedRuns).toEqual([doomed.id]);
    const interrupted = await second.api.runs.get({ id: doomed.id });
    expect([interrupted.status, interrupted.statusCause]).toEqual(['interrupted', 'host_ended']);
    expect(interrupted.error).toMatch(/^the process running it ended without finishing it \(killed, crashed, or the machine lost power; found on .+\); resume continues from its last checkpoint$/);
    const reached = Math.max(...(await second.api.checkpoints.list({ runId: doomed.id })).map((c) => c.epoch));
    await second.api.runs.resumeFromCheckpoint({ id: doomed.id });
    await killHostAfter(second, doomed.id, reached);

    const third = await serve(dir);
    try {
      expect((await third.api.app.info()).interruptedRuns).toEqual([doomed.id]);
      await third.api.runs.resumeFromCheckpoint({ id: doomed.id });
      const done = await waitStatus(third.api, doomed.id, ['completed', 'failed', 'interrupted']);
      expect([done.status, done.statusCause, done.error]).toEqual(['completed', null, null]);
    } finally {
      third.child.child.kill('SIGTERM');
      expect((await third.child.exited).code).toBe(0);
    }
    const store = Store.open(dir, { owner: 'test' });
    try {
      expect(store.integrityCheck()).toEqual(['ok']);
      expect(store.listRuns().map((r) => [r.id, r.status])).toEqual([
        [reference.id, 'completed'],
        [doomed.id, 'completed'],
      ]);
      expectSameAsUninterrupted(store, doomed.id, reference.id);
      expectCheckpointsVerify(store, doomed.id);
    } finally {
      store.close();
    }
  });
});
