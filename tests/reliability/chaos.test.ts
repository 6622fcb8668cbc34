// Drill: chaos. Three queued runs, five trainer kills (SIGKILL) at seeded random moments — before a run has even
// reported its start, mid-epoch, between an epoch and its checkpoint — each interrupted run resumed at once (it
// goes to the back of the queue). Bounded by work (five kills, then the queue drains), not by time. At the end: no
// run, metric point or checkpoint lost, every run completed, each with exactly the metrics of the same run
// trained without interruption.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../shared/api/contract.js';
import { ensureBuilt } from '../support/build.js';
import { openTestServices, until, type TestServices } from '../host/support.js';
import { expectCheckpointsVerify, expectSameAsUninterrupted, job, seeded, waitStatus } from './support.js';

beforeAll(() => ensureBuilt());

const KILLS = 5;
const SEED = 20_261_206;

describe('chaos: 3 queued runs, 5 random trainer kills', () => {
  let test: TestServices;
  afterAll(async () => test?.close());

  it('loses nothing: every run completes after its resumes, equal to its uninterrupted twin', async () => {
    test = openTestServices();
    const { api, events, queue } = test.services;
    const project = await api.projects.create({ name: 'Chaos' });
    const seeds = [21, 22, 23];
    const references: Run[] = [];
    for (const seed of seeds) references.push(await api.runs.start(job(project.id, 3, seed, 2000, `reference ${seed}`)));
    for (const r of references) expect((await waitStatus(api, r.id, ['completed', 'failed', 'interrupted'])).status).toBe('completed');
    await queue.idle();

    // Progress reports seen per trainer process: a kill is aimed at the n-th report of whichever trainer is active.
    const progress = new Map<number, number>();
    events.on('onRunProgress', ({ runId }) => {
      const pid = queue.trainerPid(runId);
      if (pid !== undefined) progress.set(pid, (progress.get(pid) ?? 0) + 1);
    });
    const runs: Run[] = [];
    for (const seed of seeds) runs.push(await api.runs.start(job(project.id, 3, seed, 2000, `chaos ${seed}`)));
    const random = seeded(SEED);
    const interruptions: { runId: number; cause: string | null | undefined; afterReports: number }[] = [];
    while (interruptions.length < KILLS) {
      // 0: as soon as the trainer exists (before it reports its start); otherwise after 1-7 progress reports.
      const after = Math.floor(random() * 8);
      const target = await until(
        'a trainer to kill',
        () => {
          const runId = queue.state().active[0];
          const pid = runId === undefined ? undefined : queue.trainerPid(runId);
          return pid !== undefined && (progress.get(pid) ?? 0) >= after ? { runId: runId!, pid } : undefined;
        },
        undefined,
        5,
      );
      try {
        process.kill(target.pid, 'SIGKILL');
      } catch {
        continue; // it had just exited by itself
      }
      const ended = await waitStatus(api, target.runId, ['interrupted', 'completed', 'failed']);
      if (ended.status !== 'interrupted') continue; // it finished before the signal landed: not an interruption
      interruptions.push({ runId: target.runId, cause: ended.statusCause, afterReports: after });
      await api.runs.resumeFromCheckpoint({ id: target.runId });
    }
    for (const run of runs) expect((await waitStatus(api, run.id, ['completed', 'failed'])).status).toBe('completed');
    await queue.idle();

    expect(interruptions).toHaveLength(KILLS);
    expect(new Set(interruptions.map((i) => i.cause))).toEqual(new Set(['trainer_killed']));
    // Every run is there once: three references, three chaos runs; every trainer start accounted for.
    expect(test.store.listRuns({ projectId: project.id }).map((r) => [r.name, r.status])).toEqual([
      ...seeds.map((s) => [`reference ${s}`, 'completed']),
      ...seeds.map((s) => [`chaos ${s}`, 'completed']),
    ]);
    expect(test.trainers).toHaveLength(2 * seeds.length + KILLS);
    runs.forEach((run, i) => {
      expectSameAsUninterrupted(test.store, run.id, references[i]!.id);
      expectCheckpointsVerify(test.store, run.id);
      expect(test.store.listCheckpoints(run.id).map((c) => c.epoch)).toEqual(test.store.listCheckpoints(references[i]!.id).map((c) => c.epoch));
    });
    expect(test.store.integrityCheck()).toEqual(['ok']);
  });
});
