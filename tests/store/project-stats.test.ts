// The project list's numbers (issue 17): runs, runs training or queued, and the best final validation accuracy
// with its run, counted for every project in one SQL query.
import { describe, expect, it } from 'vitest';
import { Store } from '../../core/store/index.js';
import { seedProject, tempDir } from './support/helpers.js';

describe('projectStats', () => {
  it('counts runs by state and finds the best final validation accuracy per project, in one statement', () => {
    const store = Store.open(tempDir('stats'));
    try {
      const a = seedProject(store, 'A');
      const b = seedProject(store, 'B');
      const empty = store.createProject({ name: 'Empty' });
      const done = (valAccuracy: number | undefined, extra = {}) => {
        const run = a.newRun({ status: 'running' });
        return store.finishRun(run.id, { status: 'completed', finalMetrics: valAccuracy === undefined ? { epochs: 1 } : { valAccuracy, accuracy: 0.99, epochs: 1 }, ...extra });
      };
      done(0.81);
      const best = done(0.93);
      done(0.93); // a tie: the earlier run is named
      done(undefined);
      a.newRun({ status: 'running' });
      const paused = a.newRun({ status: 'running' });
      store.setRunStatus(paused.id, 'paused');
      a.newRun({ status: 'queued' });
      const diverged = b.newRun({ status: 'running' });
      store.finishRun(diverged.id, { status: 'diverged', finalMetrics: { epochs: 1 }, error: 'nan' });

      const statements: string[] = [];
      const prepare = store.sqlite.prepare.bind(store.sqlite);
      store.sqlite.prepare = ((sql: string) => (statements.push(sql), prepare(sql))) as typeof store.sqlite.prepare;
      const stats = store.projectStats();
      store.sqlite.prepare = prepare;
      expect(statements.filter((s) => /\bSELECT\b/i.test(s))).toHaveLength(1);

      expect(stats).toEqual([
        { projectId: a.project.id, runs: 7, training: 2, queued: 1, bestValAccuracy: 0.93, bestRunId: best.id },
        { projectId: b.project.id, runs: 1, training: 0, queued: 0, bestValAccuracy: null, bestRunId: null },
        { projectId: empty.id, runs: 0, training: 0, queued: 0, bestValAccuracy: null, bestRunId: null },
      ]);
    } finally {
      store.close();
    }
  });
});
