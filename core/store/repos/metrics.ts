// Metric series: one row per (run, name, epoch, step) in a table clustered by run, names interned in
// metric_names; batched inserts, and each run's series read back in one scan.
import { checkId, type StoreDb } from '../db.js';
import { invalid, notFound } from '../errors.js';
import type { MetricPoint, MetricSeries, RunCurves } from '../types.js';
import type { RunRepository } from './runs.js';

const METRIC_CHUNK = 64;

export class MetricRepository {
  /** metric_names ids known to be committed. */
  private readonly nameIds = new Map<string, number>();

  constructor(
    private readonly db: StoreDb,
    private readonly runs: RunRepository,
  ) {}

  /**
   * Appends metric points in one transaction (all or none). A point with the same (name, epoch, step) as
   * one already kept replaces it. Commits without waiting for the disk (synchronous=NORMAL): a crash of the
   * process loses nothing committed; a power cut may lose the last batches, never earlier ones, and the
   * next checkpoint or status change (synchronous=FULL) makes every earlier batch durable.
   */
  append(runId: number, points: readonly MetricPoint[]): number {
    checkId(runId, 'run');
    const db = this.db.sqlite;
    const outermost = !db.inTransaction;
    if (outermost) this.db.stmt('PRAGMA synchronous = NORMAL').run();
    try {
      // Checked and bound in one pass inside the transaction: a bad point throws, which rolls back the
      // rows already inserted, so the batch is still all or nothing.
      const names = this.db.tx(() => {
        if (!this.db.get('SELECT 1 FROM runs WHERE id = ?', runId)) throw notFound('RunNotFound', 'run', runId);
        const many = this.db.stmt(`INSERT OR REPLACE INTO metrics (run_id, name_id, epoch, step, value) VALUES ${Array(METRIC_CHUNK).fill('(?, ?, ?, ?, ?)').join(', ')}`);
        const one = this.db.stmt('INSERT OR REPLACE INTO metrics (run_id, name_id, epoch, step, value) VALUES (?, ?, ?, ?, ?)');
        const ids = new Map<string, number>();
        const args: (number | null)[] = new Array<number | null>(METRIC_CHUNK * 5);
        let k = 0;
        for (let i = 0; i < points.length; i++) {
          const point = points[i]!;
          const { name, epoch, value } = point;
          const step = point.step ?? null;
          if (typeof name !== 'string' || name.length === 0 || name.length > 100) throw invalid(`metrics[${i}].name must be a non-empty string of at most 100 characters (got ${JSON.stringify(name)})`);
          if (!Number.isSafeInteger(epoch) || epoch < 0) throw invalid(`metrics[${i}].epoch must be an integer >= 0 (got ${JSON.stringify(epoch)})`);
          if (step !== null && (!Number.isSafeInteger(step) || step < 0)) throw invalid(`metrics[${i}].step must be an integer >= 0 or null (got ${JSON.stringify(step)})`);
          if (typeof value !== 'number') throw invalid(`metrics[${i}].value must be a number (got ${JSON.stringify(value)})`);
          let id = ids.get(name);
          if (id === undefined) {
            id = this.nameId(name);
            ids.set(name, id);
          }
          args[k++] = runId;
          args[k++] = id;
          args[k++] = epoch;
          args[k++] = step ?? -1;
          // SQLite stores NaN as NULL; the API reads NULL back as NaN.
          args[k++] = value;
          if (k === args.length) {
            many.run(args);
            k = 0;
          }
        }
        for (let j = 0; j < k; j += 5) one.run(args[j], args[j + 1], args[j + 2], args[j + 3], args[j + 4]);
        return ids;
      });
      // Remember new names only once they are committed: an enclosing transaction may still roll back.
      if (outermost) for (const [name, id] of names) this.nameIds.set(name, id);
    } finally {
      if (outermost) this.db.stmt('PRAGMA synchronous = FULL').run();
    }
    return points.length;
  }

  /** The metric_names id of a name, adding it if it is new. */
  private nameId(name: string): number {
    const known = this.nameIds.get(name);
    if (known !== undefined) return known;
    this.db.run('INSERT INTO metric_names (name) VALUES (?) ON CONFLICT (name) DO NOTHING', name);
    return this.db.get<{ id: number }>('SELECT id FROM metric_names WHERE name = ?', name)!.id;
  }

  count(runId: number): number {
    this.runs.get(runId);
    return this.db.get<{ n: number }>('SELECT count(*) AS n FROM metrics WHERE run_id = ?', runId)!.n;
  }

  names(runId: number): string[] {
    this.runs.get(runId);
    return this.db.all<{ name: string }>(
      'SELECT name FROM metric_names WHERE id IN (SELECT DISTINCT name_id FROM metrics WHERE run_id = ?) ORDER BY name',
      runId,
    ).map((r) => r.name);
  }

  /** A run's curves, one series per metric name (all names, or those asked for), sorted by name. */
  series(runId: number, names?: readonly string[]): MetricSeries[] {
    this.runs.get(runId);
    return this.readSeries(runId, names);
  }

  /** Curves of several runs for a comparison; a missing run throws RunNotFound. */
  curves(runIds: readonly number[], names?: readonly string[]): RunCurves[] {
    return runIds.map((runId) => ({ runId, series: this.series(runId, names) }));
  }

  /** Drops the points recorded after `epoch` (a resumed run recomputes them); returns how many. */
  discardAfter(runId: number, epoch: number): number {
    return this.db.change('DELETE FROM metrics WHERE run_id = ? AND epoch > ?', runId, epoch);
  }

  /** Copies a run's points up to and including `epoch` to another run (a fork starts with its source's history). */
  copy(fromRunId: number, toRunId: number, upToEpoch: number): void {
    this.db.run(
      'INSERT INTO metrics (run_id, name_id, epoch, step, value) SELECT ?, name_id, epoch, step, value FROM metrics WHERE run_id = ? AND epoch <= ?',
      toRunId,
      fromRunId,
      upToEpoch,
    );
  }

  private readSeries(runId: number, names?: readonly string[]): MetricSeries[] {
    // One range scan of the clustered table per run; SQLite builds each column as a JSON array in C, which
    // is several times faster than materialising one JS row per point (bench/store.ts). Steps are only
    // built for points that have one (per-epoch series have none).
    const rows = this.db.all<{ id: number; name: string; n: number; ns: number; e: string; s: string; v: string }>(
      `SELECT m.name_id AS id, (SELECT name FROM metric_names WHERE id = m.name_id) AS name, count(*) AS n,
         count(*) FILTER (WHERE step >= 0) AS ns, json_group_array(epoch) AS e,
         json_group_array(step) FILTER (WHERE step >= 0) AS s, json_group_array(value) AS v
       FROM metrics AS m
       WHERE m.run_id = @run AND (@names IS NULL OR m.name_id IN (SELECT id FROM metric_names WHERE name IN (SELECT value FROM json_each(@names))))
       GROUP BY m.name_id ORDER BY name`,
      { run: runId, names: names ? JSON.stringify(names) : null },
    );
    return rows.map((row) => {
      const epochs = JSON.parse(row.e) as number[];
      const values = JSON.parse(row.v) as number[];
      // SQLite keeps NaN as NULL.
      for (let i = 0; i < values.length; i++) if (values[i] === null) values[i] = Number.NaN;
      let steps: (number | null)[];
      if (row.ns === 0) steps = new Array<null>(row.n).fill(null);
      else if (row.ns === row.n) steps = JSON.parse(row.s) as number[];
      else {
        // A series mixing per-epoch and per-step points: read its steps in full.
        steps = (this.db.stmt('SELECT step FROM metrics WHERE run_id = ? AND name_id = ? ORDER BY epoch, step').pluck().all(runId, row.id) as number[]).map((s) =>
          s < 0 ? null : s,
        );
      }
      // The scan follows the primary key, so points come in (epoch, step) order; check rather than trust it.
      let sorted = true;
      if (row.ns === 0) {
        for (let i = 1; i < epochs.length && sorted; i++) sorted = epochs[i - 1]! < epochs[i]!;
      } else {
        for (let i = 1; i < epochs.length && sorted; i++) {
          sorted = epochs[i - 1]! < epochs[i]! || (epochs[i - 1] === epochs[i] && (steps[i - 1] ?? -1) < (steps[i] ?? -1));
        }
      }
      if (sorted) return { name: row.name, epochs, steps, values };
      const key = (i: number) => steps[i] ?? -1;
      const order = epochs.map((_, i) => i).sort((a, b) => epochs[a]! - epochs[b]! || key(a) - key(b));
      return { name: row.name, epochs: order.map((i) => epochs[i]!), steps: order.map((i) => steps[i]!), values: order.map((i) => values[i]!) };
    });
  }
}
