// Fault drills with real processes: a trainer killed mid-epoch interrupts only its own run (the signal named,
// the database sound, the host still answering and running the next run); the host itself killed
// mid-run leaves the run `interrupted`, and after a restart it resumes to completion while the queued run
// it left behind starts by itself; a SIGTERM stops the host gracefully.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../core/host/browser-host.js';
import { SHUTDOWN_REASON } from '../../core/runs/queue.js';
import { Store } from '../../core/store/index.js';
import { createApiClient } from '../../shared/api/client.js';
import type { LayerwiseApi, RunStatus } from '../../shared/api/contract.js';
import { ensureBuilt } from '../support/build.js';
import { httpInvoke, openTestServices, raw, spawnServe, tempDir, tinyConfig, tinyRun, tinySpec, until, type TestServices } from './support.js';
import { HANG_MS } from '../support/patience.js';

beforeAll(() => ensureBuilt());

/** About a second per epoch on wasm: 3,200 training points in batches of 16. */
function slowRun(projectId: number, epochs: number) {
  return { projectId, spec: tinySpec, dataset: { kind: 'synthetic' as const, name: 'spiral' as const, samples: 4000, classes: 3, noise: 0.05 }, config: tinyConfig(epochs), backend: 'wasm' as const };
}

const waitStatus = (api: LayerwiseApi, id: number, statuses: RunStatus[], timeoutMs = HANG_MS) =>
  until(
    `run ${id} to be ${statuses.join(' or ')}`,
    async () => {
      const run = await api.runs.get({ id });
      return statuses.includes(run.status) ? run : undefined;
    },
    timeoutMs,
    100,
  );

describe('a trainer killed mid-epoch', () => {
  let test: TestServices;
  let host: BrowserHost;
  afterAll(async () => {
    await host?.close();
    await test?.close();
  });

  it('interrupts its run with the signal named; the database is sound and the host runs the next run', async () => {
    test = openTestServices();
    host = await startBrowserHost({ services: test.services, rendererDir: null, log: (m) => test.logs.push(m) });
    const api = createApiClient(httpInvoke(host.origin, host.token));
    const project = await api.projects.create({ name: 'Drill' });
    const doomed = await api.runs.start(slowRun(project.id, 50));
    const next = await api.runs.start(tinyRun(project.id, 2, 'next'));

    // Wait until the doomed run is inside its second epoch, part-way through.
    const midEpoch = new Promise<void>((resolve) => {
      const off = test.services.events.on('onRunProgress', ({ runId, progress }) => {
        if (runId === doomed.id && progress.epoch >= 1 && progress.batch < progress.batchesPerEpoch / 2) {
          off();
          resolve();
        }
      });
    });
    await midEpoch;
    const pid = test.services.queue.trainerPid(doomed.id)!;
    expect(pid).toBe(test.trainers[0]!.pid);
    process.kill(pid, 'SIGKILL');

    const failed = await waitStatus(api, doomed.id, ['interrupted', 'failed', 'completed']);
    expect(failed.status).toBe('interrupted');
    expect(failed.statusCause).toBe('trainer_killed');
    expect(failed.error).toContain('killed by SIGKILL');
    expect(failed.finishedAt).toBeNull();
    // Every epoch recorded before the kill is kept.
    const loss = (await api.metrics.series({ runId: doomed.id, names: ['loss'] }))[0]!;
    expect(loss.epochs[0]).toBe(0);
    expect(loss.epochs.length).toBeGreaterThanOrEqual(1);
    expect((await api.checkpoints.list({ runId: doomed.id })).length).toBeGreaterThanOrEqual(1);
    expect(test.store.integrityCheck()).toEqual(['ok']);
    expect(test.logs.join('\n')).toContain(`run ${doomed.id} was interrupted: the trainer process was killed by SIGKILL`);

    // The host still answers, and the queue moved on to the next run.
    expect((await raw(host.origin, '/api/health', { headers: { Authorization: `Bearer ${host.token}` } })).status).toBe(200);
    expect((await waitStatus(api, next.id, ['completed', 'failed'])).status).toBe('completed');
    expect(test.trainers).toHaveLength(2);
  });
});

describe('the host killed mid-run', () => {
  it('leaves the run interrupted; after a restart the queued run starts and the interrupted one resumes to completion', async () => {
    const dir = tempDir('drill');
    const first = await spawnServe(dir);
    const api = createApiClient(httpInvoke(first.origin, first.token));
    const project = await api.projects.create({ name: 'Crash' });
    const running = await api.runs.start(slowRun(project.id, 3));
    const queued = await api.runs.start(tinyRun(project.id, 2, 'queued'));
    await until('the first checkpoint', async () => (await api.checkpoints.list({ runId: running.id })).length > 0, HANG_MS, 100);
    expect((await api.runs.get({ id: running.id })).status).toBe('running');
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const second = await spawnServe(dir);
    try {
      expect(second.stderr()).toContain(`run ${running.id} ended without finishing and are now interrupted`);
      const api2 = createApiClient(httpInvoke(second.origin, second.token));
      expect(second.token).not.toBe(first.token);
      expect((await api2.app.info()).interruptedRuns).toEqual([running.id]);
      const interrupted = await api2.runs.get({ id: running.id });
      expect(interrupted.status).toBe('interrupted');
      expect(interrupted.error).toContain('resume');
      // The queued run survived the crash and starts by itself.
      expect((await waitStatus(api2, queued.id, ['completed', 'failed'])).status).toBe('completed');
      await api2.runs.resumeFromCheckpoint({ id: running.id });
      const done = await waitStatus(api2, running.id, ['completed', 'failed']);
      expect(done.error).toBeNull();
      expect(done.status).toBe('completed');
      expect(done.finalMetrics!.epochs).toBe(3);
      expect((await api2.metrics.series({ runId: running.id, names: ['loss'] }))[0]!.epochs).toEqual([0, 1, 2]);
    } finally {
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
    }
    const store = Store.open(dir, { owner: 'test' });
    try {
      expect(store.integrityCheck()).toEqual(['ok']);
    } finally {
      store.close();
    }
  });

  it('on SIGTERM stops its trainer after the batch, records the run as interrupted and exits 0, having printed one line', async () => {
    const dir = tempDir('drill');
    const serve = await spawnServe(dir);
    const api = createApiClient(httpInvoke(serve.origin, serve.token));
    const project = await api.projects.create({ name: 'Shutdown' });
    const run = await api.runs.start(slowRun(project.id, 50));
    // The built studio page is served too.
    const page = await raw(serve.origin, '/');
    expect([page.status, page.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    await waitStatus(api, run.id, ['running']);
    serve.child.kill('SIGTERM');
    const exit = await serve.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(serve.stdout).toEqual([`Layerwise is serving at ${serve.url}`]);
    const store = Store.open(dir, { owner: 'test' });
    try {
      const after = store.getRun(run.id);
      expect(after.status).toBe('interrupted');
      expect(after.error).toBe(SHUTDOWN_REASON);
      expect(store.report.interruptedRuns).toEqual([]);
      expect(store.integrityCheck()).toEqual(['ok']);
    } finally {
      store.close();
    }
  });
});
