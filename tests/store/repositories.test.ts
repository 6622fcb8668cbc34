// The Store is a facade over one repository per table group sharing one connection: the repositories see
// the same rows as the facade, and a write spanning groups is still one transaction (all of it or none).
import { describe, expect, it } from 'vitest';
import { Store, StoreError } from '../../core/store/index.js';
import { bytes, config, seedProject, tempDir } from './support/helpers.js';

function withStore(prefix: string, fn: (store: Store) => void): void {
  const store = Store.open(tempDir(prefix));
  try {
    fn(store);
  } finally {
    store.close();
  }
}

const count = (store: Store, table: string) => store.sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

describe('the store and its repositories', () => {
  it('are one set of rows: what one writes the other reads', () => {
    withStore('repos', (store) => {
      const { project, newRun } = seedProject(store);
      const run = newRun({ status: 'running' });
      store.runs.setStatus(run.id, 'paused');
      expect(store.getRun(run.id).status).toBe('paused');
      store.metrics.append(run.id, [{ name: 'loss', epoch: 0, value: 2 }]);
      expect(store.metricSeries(run.id)).toEqual(store.metrics.series(run.id));
      expect(store.listRuns({ projectId: project.id })).toEqual(store.runs.list({ projectId: project.id }));
      expect(store.projects.get(project.id)).toEqual(project);
      expect(store.datasets.list(project.id)).toEqual(store.listDatasets(project.id));
    });
  });

  it('keeps a resume that fails on a damaged checkpoint from dropping any metric or changing the run', () => {
    withStore('repos-resume', (store) => {
      const { newRun } = seedProject(store);
      const run = newRun({ status: 'running' });
      store.appendMetrics(run.id, Array.from({ length: 6 }, (_, epoch) => ({ name: 'loss', epoch, value: 1 / (epoch + 1) })));
      const at2 = store.saveCheckpoint(run.id, { epoch: 2, kind: 'last', weights: bytes(64, 1), optimizer: bytes(32, 2), manifest: { format: 1, epoch: 2 } });
      store.setRunStatus(run.id, 'interrupted', { error: 'power cut' });
      store.sqlite.prepare('UPDATE checkpoint_blobs SET weights = ? WHERE checkpoint_id = ?').run(Buffer.from(bytes(64, 9)), at2.id);
      expect(() => store.beginResume(run.id)).toThrow(StoreError);
      expect(store.metricCount(run.id)).toBe(6);
      expect(store.getRun(run.id)).toMatchObject({ status: 'interrupted', error: 'power cut' });
    });
  });

  it('rolls back every group when a transaction that spans them fails at its end', () => {
    withStore('repos-tx', (store) => {
      const { project, version, dataset } = seedProject(store);
      const before = ['runs', 'metrics', 'checkpoints', 'comparisons', 'model_versions'].map((t) => count(store, t));
      expect(() =>
        store.tx(() => {
          const wider = store.projects.saveVersion(project.id, { ...version.spec, name: 'Wider' });
          const run = store.runs.create({ projectId: project.id, modelVersionId: wider.id, datasetId: dataset.id, config: config(), backend: 'cpu', status: 'running' });
          store.metrics.append(run.id, [{ name: 'loss', epoch: 0, value: 1 }]);
          store.checkpoints.save(run.id, { epoch: 0, kind: 'best', weights: bytes(8, 1), optimizer: bytes(8, 2), manifest: {} });
          store.comparisons.save({ projectId: project.id, name: 'c', runIds: [run.id] });
          // The last write is refused: nothing of the above may stay.
          store.runs.finish(run.id, { status: 'completed', finalMetrics: { loss: 'low' as unknown as number } });
        }),
      ).toThrow('finalMetrics.loss must be a number');
      expect(['runs', 'metrics', 'checkpoints', 'comparisons', 'model_versions'].map((t) => count(store, t))).toEqual(before);
      // A metric name first seen in the rolled-back transaction is still written correctly afterwards.
      const run = store.createRun({ projectId: project.id, modelVersionId: version.id, datasetId: dataset.id, config: config(), backend: 'cpu' });
      store.appendMetrics(run.id, [{ name: 'loss', epoch: 0, value: 3 }]);
      expect(store.metricSeries(run.id)).toEqual([{ name: 'loss', epochs: [0], steps: [null], values: [3] }]);
    });
  });
});
