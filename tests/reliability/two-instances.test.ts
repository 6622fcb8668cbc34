// Drill: two instances on one data folder. While `layerwise serve` holds it (and trains), a second `serve` and
// every command that writes are refused, naming the holder; the commands that only read (`runs`, `show`) read
// beside it, from the last committed state, without taking the lock and without writing a byte.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../core/store/index.js';
import { createApiClient } from '../../shared/api/client.js';
import { ensureBuilt, repoRoot } from '../support/build.js';
import { httpInvoke, spawnServe, tempDir, until } from '../host/support.js';
import { job, waitStatus } from './support.js';

beforeAll(() => ensureBuilt());

const bin = join(repoRoot, 'bin/layerwise.js');
const layerwise = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('the studio holding the data folder', () => {
  it('refuses a second studio and the commands that write; `runs` and `show` read beside it without writing', async () => {
    const dir = tempDir('two');
    const serve = await spawnServe(dir);
    try {
      const api = createApiClient(httpInvoke(serve.origin, serve.token));
      const project = await api.projects.create({ name: 'Two instances' });
      const done = await api.runs.start(job(project.id, 2, 3, 600, 'finished'));
      expect((await waitStatus(api, done.id, ['completed', 'failed', 'interrupted'])).status).toBe('completed');
      const training = await api.runs.start(job(project.id, 40, 3, 4000, 'training'));
      await until('the second run to train', async () => (await api.checkpoints.list({ runId: training.id })).length > 0, undefined, 50);
      const holder = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number };
      expect(holder.pid).toBe(serve.child.pid);

      // A second studio is refused, naming the first.
      const second = layerwise('serve', '--data', dir, '--wait', '0');
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`layerwise serve: DataDirLocked: the data folder ${dir} is in use by another Layerwise process (serve), pid ${holder.pid}`);
      // So is a command that writes.
      const resume = layerwise('resume', String(done.id), '--data', dir, '--wait', '0');
      expect([resume.code, resume.stderr.trim()]).toEqual([1, expect.stringMatching(new RegExp(`^layerwise resume: DataDirLocked: .* pid ${holder.pid}`))]);

      // Readers read the last committed state beside it (opened read-only, query_only), without taking the lock.
      const listed = layerwise('runs', '--json', '--data', dir);
      expect([listed.code, listed.stderr]).toEqual([0, '']);
      const runs = JSON.parse(listed.stdout) as { id: number; status: string; name: string; finalMetrics: Record<string, number> | null }[];
      expect(runs.map((r) => [r.id, r.name, r.status])).toEqual([
        [done.id, 'finished', 'completed'],
        [training.id, 'training', 'running'],
      ]);
      expect(runs[0]!.finalMetrics).toEqual((await api.runs.get({ id: done.id })).finalMetrics);
      const shown = layerwise('show', String(training.id), '--json', '--data', dir);
      expect(shown.code).toBe(0);
      const detail = JSON.parse(shown.stdout) as { status: string; checkpoints: unknown[]; metrics: { points: number } };
      expect(detail.status).toBe('running');
      expect(detail.checkpoints.length).toBeGreaterThan(0);
      expect(detail.metrics.points).toBeGreaterThan(0);
      const table = layerwise('show', String(done.id), '--data', dir);
      expect(table.stdout).toMatch(new RegExp(`^run ${done.id} "finished": completed\\n`));
      expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(holder.pid);

      // The studio never noticed: its run trains on.
      await api.runs.stop({ id: training.id });
      expect((await api.runs.get({ id: training.id })).status).toBe('stopped');
    } finally {
      serve.child.kill('SIGTERM');
      expect((await serve.exited).code).toBe(0);
    }
  });
});
