// `layerwise lesson` as a user runs it: the built CLI in a child process on a fresh data folder, training a real
// lesson (init-scale, small budget: 10 short runs on real MNIST digits) through the services and the run queue,
// then the store read back: every run in the one Lessons project, the statistics at initialisation recorded, the
// verdict's structure; a run the studio left queued is not trained by the command.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRunRecord } from '../../core/runs/recorder.js';
import { RunQueue } from '../../core/runs/queue.js';
import { createServices } from '../../core/services/services.js';
import { Store } from '../../core/store/index.js';
import { LESSONS_PROJECT } from '../../shared/lessons/lesson.js';
import { findLesson } from '../../shared/lessons/registry.js';
import { INIT_LAYER_METRIC_PREFIX, parseTrainingConfig } from '../../shared/index.js';
import type { LessonVerdict } from '../../shared/api/contract.js';
import { ensureBuilt, repoRoot } from '../support/build.js';
import { HANG_MS } from '../support/patience.js';

const bin = join(repoRoot, 'bin/layerwise.js');
const layerwise = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
/** The same, without blocking this process (a lesson trains for a while). */
function layerwiseAsync(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => ensureBuilt());

describe('layerwise lesson', () => {
  it('lists the lessons, and refuses an unknown lesson or budget naming the value', () => {
    const list = layerwise('lesson', 'list', '--json');
    expect(list.code).toBe(0);
    const lessons = JSON.parse(list.stdout) as Array<{ id: string; runs: { small: number } }>;
    expect(lessons.map((l) => l.id)).toContain('input-scaling');
    expect(lessons).toHaveLength(10);
    const text = layerwise('lesson', 'list');
    expect(text.stdout).toContain('e) clipping: Gradient clipping θ=10 and θ=1 at a learning rate that diverges');
    const unknown = layerwise('lesson', 'run', 'telepathy');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('lesson must be one of init-scale, batch-norm,');
    expect(unknown.stderr).toContain('(got "telepathy")');
    const budget = layerwise('lesson', 'run', 'dropout', '--budget', 'huge');
    expect(budget.code).toBe(2);
    expect(budget.stderr).toContain('--budget must be one of small, standard (got "huge")');
    expect(layerwise('lesson', 'fly').stderr).toContain('give list, run or verdict (got "fly")');
  });

  it(
    'runs init-scale on the small budget into the Lessons project, records the statistics at initialisation and prints the verdict',
    async () => {
      const data = mkdtempSync(join(tmpdir(), 'lw-lesson-'));
      // A run the studio left queued: the command trains only the lesson's own runs.
      const before = Store.open(data, { owner: 'test' });
      const project = before.createProject({ name: 'Mine' });
      const parsed = parseTrainingConfig({ epochs: 1, batchSize: 32, seed: 1, tricks: {} });
      if (!parsed.ok) throw new Error('config');
      const plan = findLesson('init-scale')!.plan('small');
      const mine = createRunRecord(before, { projectId: project.id, spec: plan.arms[0]!.spec, dataset: plan.dataset, config: parsed.value, backend: 'auto' });
      before.close();

      const r = await layerwiseAsync('lesson', 'run', 'init-scale', '--budget', 'small', '--json', '--data', data);
      expect(r.code, r.stderr).toBe(0);
      const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const started = events[0]!;
      expect(started).toMatchObject({ event: 'started', lessonId: 'init-scale', budget: 'small', project: LESSONS_PROJECT });
      const runIds = started.runIds as number[];
      expect(runIds).toHaveLength(10);
      const runs = events.filter((e) => e.event === 'run');
      expect(runs.map((e) => e.runId).sort((a, b) => Number(a) - Number(b))).toEqual(runIds);
      // N(0,1) under plain SGD may diverge; every other run completes.
      for (const e of runs) expect(['completed', 'diverged']).toContain(e.status);
      const verdict = events.at(-1) as unknown as LessonVerdict & { event: string };
      expect(verdict).toMatchObject({ event: 'verdict', lessonId: 'init-scale', ready: true });
      expect([true, false, null]).toContain(verdict.appeared);
      expect(verdict.judged.map((j) => j.quantity)).toEqual([
        'log10 activation std, last ÷ first hidden layer, at initialisation: N(0,1) above He (mean over seeds)',
        'log10 activation std, last ÷ first hidden layer, at initialisation: He above N(0,1/n_in) and Xavier (mean over seeds)',
        'test accuracy after 1 epoch: He above every other initialisation (mean over seeds; a diverged arm counts as not trained)',
      ]);
      // Two seeds per arm: the parts at initialisation are judged, whatever training did.
      expect(verdict.judged[0]!.appeared).not.toBeNull();
      expect(verdict.judged[0]!.against).toMatch(/^1\.00 decades, or 2 × the larger seed spread/);
      expect(verdict.text).toMatch(/At initialisation, the activation std from the first to the last of 4 hidden ReLU layers grows: N\(0,1\) \d/);
      const growth = verdict.arms.slice(0, 5);
      expect(growth.map((a) => a.seeds)).toEqual([2, 2, 2, 2, 2]);
      // N(0,1) grows the spread by decades, He holds it within a factor of two.
      expect(growth[0]!.mean!).toBeGreaterThan(1.5);
      expect(Math.abs(growth[4]!.mean!)).toBeLessThan(0.3);

      const store = Store.open(data, { owner: 'test' });
      try {
        const lessonsProject = store.listProjects().filter((p) => p.name === LESSONS_PROJECT);
        expect(lessonsProject).toHaveLength(1);
        for (const id of runIds) {
          const run = store.getRun(id);
          expect(run.projectId).toBe(lessonsProject[0]!.id);
          expect(store.metricNames(id).filter((n) => n.startsWith(INIT_LAYER_METRIC_PREFIX) && n.endsWith('.activationStd'))).toHaveLength(5);
        }
        expect(store.getRun(mine.id).status).toBe('queued');
        // A second lesson joins the same project.
        const services = createServices({ store, queue: new RunQueue({ store }), version: 'test' });
        const second = await services.api.lessons.start({ lessonId: 'clipping', budget: 'small' });
        expect(second.project.id).toBe(lessonsProject[0]!.id);
      } finally {
        store.close();
      }

      // Judged again from the stored runs, without training: the same verdict.
      const again = layerwise('lesson', 'verdict', String(started.comparisonId), '--json', '--data', data);
      expect(again.code).toBe(0);
      const { event: _event, ...rest } = JSON.parse(again.stdout) as Record<string, unknown>;
      const { event: _e, ...first } = verdict as unknown as Record<string, unknown>;
      expect(rest).toEqual(first);
    },
    HANG_MS,
  );
});
