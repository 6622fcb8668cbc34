// Salvage: after a damaged database has been moved aside (open-db.ts), read back what SQLite can still read
// from it, row by row, into the new one, and say what was recovered and what was not. The damaged file is never
// written: it is read from a copy (its WAL replayed there). A row is taken only when it is whole and consistent:
// JSON columns parse, a model version's spec still has its sha256, a checkpoint's bytes match their sha256, and
// whatever it refers to (its project, run, model version) was recovered too. A damaged page stops a scan; the
// scan then seeks past it (a b-tree seek needs only the pages on its path) and says which ids it could not read.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import type { SalvageReport } from '../../shared/api/entities.js';
import { sha256Hex } from './canonical.js';

type Row = Record<string, unknown>;

/** Tables in the order their rows can be inserted (each refers only to those before it). */
const TABLES = ['projects', 'model_versions', 'datasets', 'runs', 'metric_names', 'metrics', 'checkpoints', 'comparisons', 'comparison_runs', 'run_reports', 'run_warnings'] as const;

export function salvage(damagedPath: string, target: Database.Database, options: { nativeBinding?: string } = {}): SalvageReport {
  const report: SalvageReport = { from: damagedPath, recovered: {}, lost: [], interruptedRuns: [] };
  const work = mkdtempSync(join(tmpdir(), 'layerwise-salvage-'));
  let source: Database.Database | null = null;
  try {
    const copy = join(work, basename(damagedPath));
    copyFileSync(damagedPath, copy);
    if (existsSync(`${damagedPath}-wal`)) copyFileSync(`${damagedPath}-wal`, `${copy}-wal`);
    try {
      source = new Database(copy, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
      source.pragma('query_only = ON');
    } catch (error) {
      report.lost.push(`everything: the damaged file cannot be opened (${message(error)})`);
      return report;
    }
    const tables = readable(source, report);
    if (tables === null) return report;
    target.transaction(() => copyAll(source!, target, tables, report)).immediate();
  } finally {
    source?.close();
    rmSync(work, { recursive: true, force: true });
  }
  return report;
}

/** The tables of TABLES that the damaged file has (older files lack newer ones); null when its schema is unreadable. */
function readable(source: Database.Database, report: SalvageReport): Set<string> | null {
  try {
    const names = source.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    return new Set(names.filter((n) => (TABLES as readonly string[]).includes(n) || n === 'checkpoint_blobs'));
  } catch (error) {
    report.lost.push(`everything: the list of tables cannot be read (${message(error)})`);
    return null;
  }
}

function copyAll(source: Database.Database, target: Database.Database, tables: Set<string>, report: SalvageReport): void {
  const columnsOf = (table: string) => new Set((target.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name));
  const kept = new Map<string, Set<number>>();
  const count = (table: string, n: number) => (report.recovered[table] = (report.recovered[table] ?? 0) + n);
  const insert = (table: string, row: Row) => {
    const cols = Object.keys(row).filter((c) => columnsOf(table).has(c));
    target.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...cols.map((c) => row[c]));
  };
  /** Reads a rowid table, checks each row, inserts those that pass; problems become lines of the report. */
  const table = (name: (typeof TABLES)[number], check: (row: Row) => string | null) => {
    const ids = new Set<number>();
    kept.set(name, ids);
    if (!tables.has(name)) return;
    const rejected: string[] = [];
    const { rows, gaps } = scanRowids(source, name);
    for (const row of rows) {
      const problem = check(row);
      if (problem) {
        rejected.push(`${row.id}: ${problem}`);
        continue;
      }
      try {
        insert(name, row);
        ids.add(row.id as number);
      } catch (error) {
        rejected.push(`${row.id}: ${message(error)}`);
      }
    }
    count(name, ids.size);
    for (const gap of gaps) report.lost.push(`${name}: ${gap}`);
    if (rejected.length) report.lost.push(`${name}: ${rejected.length} not recovered (${summarise(rejected)})`);
  };
  const has = (t: string, id: unknown) => typeof id === 'number' && kept.get(t)!.has(id);
  const json = (...cols: string[]) => (row: Row) => {
    for (const c of cols) {
      if (row[c] === null && c !== 'spec' && c !== 'config' && c !== 'source') continue;
      try {
        JSON.parse(String(row[c]));
      } catch {
        return `its ${c} is not readable JSON`;
      }
    }
    return null;
  };

  table('projects', () => null);
  table('model_versions', (row) => {
    if (!has('projects', row.project_id)) return `its project ${row.project_id} was not recovered`;
    if (sha256Hex(String(row.spec)) !== row.hash) return 'its spec no longer matches its sha256';
    if (row.parent_id !== null && !has('model_versions', row.parent_id)) row.parent_id = null;
    return json('spec')(row);
  });
  table('datasets', (row) => (has('projects', row.project_id) ? json('source', 'split')(row) : `its project ${row.project_id} was not recovered`));
  table('runs', (row) => {
    for (const [t, col] of [['projects', 'project_id'], ['model_versions', 'model_version_id'], ['datasets', 'dataset_id']] as const) {
      if (!has(t, row[col])) return `its ${t.replace(/s$/, '').replace('_', ' ')} ${row[col]} was not recovered`;
    }
    return json('config', 'final_metrics')(row);
  });
  table('metric_names', () => null);
  copyMetrics(source, target, tables, kept, report);
  copyCheckpoints(source, target, tables, kept, report);
  table('comparisons', (row) => {
    if (!has('projects', row.project_id)) return `its project ${row.project_id} was not recovered`;
    if (row.base_run_id !== null && row.base_run_id !== undefined && !has('runs', row.base_run_id)) row.base_run_id = null;
    return null;
  });
  for (const [name, check] of [
    ['comparison_runs', (r: Row) => has('comparisons', r.comparison_id) && has('runs', r.run_id)],
    ['run_reports', (r: Row) => has('runs', r.run_id) && json('report')(r) === null],
    ['run_warnings', (r: Row) => has('runs', r.run_id) && json('warning')(r) === null],
  ] as const) {
    if (!tables.has(name)) continue;
    let rows: Row[];
    try {
      rows = source.prepare(`SELECT * FROM ${name}`).all() as Row[];
    } catch (error) {
      report.lost.push(`${name}: unreadable (${message(error)})`);
      continue;
    }
    const good = rows.filter(check);
    for (const row of good) insert(name, row);
    count(name, good.length);
    if (good.length < rows.length) report.lost.push(`${name}: ${rows.length - good.length} not recovered (their run or comparison was not, or they are damaged)`);
  }
}

type Key = [epoch: number, step: number];

/**
 * Metric points of the recovered runs, per (run, name). The table is an index b-tree (WITHOUT ROWID): its interior
 * pages hold rows too, so a damaged leaf is read around from both sides — forwards up to it, backwards down to it
 * (which reads the row on the interior page beside it) — and the part still unread is probed by epoch.
 */
function copyMetrics(source: Database.Database, target: Database.Database, tables: Set<string>, kept: Map<string, Set<number>>, report: SalvageReport): void {
  if (!tables.has('metrics')) return;
  const insert = target.prepare('INSERT INTO metrics (run_id, name_id, epoch, step, value) VALUES (?, ?, ?, ?, ?)');
  const range = 'run_id = ? AND name_id = ? AND (epoch, step) > (?, ?) AND (epoch, step) < (?, ?)';
  const forwards = source.prepare(`SELECT epoch, step, value FROM metrics WHERE ${range} ORDER BY epoch, step`);
  const backwards = source.prepare(`SELECT epoch, step, value FROM metrics WHERE ${range} ORDER BY epoch DESC, step DESC`);
  const probe = source.prepare('SELECT epoch FROM metrics WHERE run_id = ? AND name_id = ? AND epoch >= ? ORDER BY epoch LIMIT 1').pluck();
  const names = new Map((source.prepare('SELECT id, name FROM metric_names').all() as { id: number; name: string }[]).map((r) => [r.id, r.name]));
  const END: Key = [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
  let points = 0;
  for (const runId of kept.get('runs')!) {
    for (const nameId of kept.get('metric_names')!) {
      const read = (statement: Database.Statement, lo: Key, hi: Key, onRow: (key: Key) => void): boolean => {
        try {
          for (const p of statement.iterate(runId, nameId, lo[0], lo[1], hi[0], hi[1]) as IterableIterator<{ epoch: number; step: number; value: number | null }>) {
            insert.run(runId, nameId, p.epoch, p.step, p.value);
            points++;
            onRow([p.epoch, p.step]);
          }
          return true;
        } catch {
          return false;
        }
      };
      const segments: [Key, Key][] = [[[-1, -2], END]];
      while (segments.length) {
        const [lo, hi] = segments.pop()!;
        let a = lo;
        if (read(forwards, lo, hi, (k) => (a = k))) continue;
        let b = hi;
        if (read(backwards, a, hi, (k) => (b = k))) continue;
        // Rows between a and b cannot be read from either side: probe for the first readable epoch after a.
        let next: number | undefined;
        try {
          next = seek((from) => probe.get(runId, nameId, from) as number | undefined, a[0] + 1);
        } catch {
          next = undefined;
        }
        const last = next !== undefined && next < b[0] ? next : b[0] === END[0] ? 'on' : b[0];
        // Epochs as people count them (from 1).
        report.lost.push(`metrics: run ${runId}, ${names.get(nameId) ?? `metric ${nameId}`}: points of epochs ${a[0] + 2}–${last} could not be read`);
        if (next !== undefined && next < b[0]) segments.push([[next - 1, Number.MAX_SAFE_INTEGER], b]);
      }
    }
  }
  report.recovered.metrics = points;
}

/** Checkpoints of recovered runs whose bytes still match their sha256 (and sizes). */
function copyCheckpoints(source: Database.Database, target: Database.Database, tables: Set<string>, kept: Map<string, Set<number>>, report: SalvageReport): void {
  if (!tables.has('checkpoints') || !tables.has('checkpoint_blobs')) return;
  const { rows, gaps } = scanRowids(source, 'checkpoints');
  for (const gap of gaps) report.lost.push(`checkpoints: ${gap}`);
  const blobs = source.prepare('SELECT weights, optimizer FROM checkpoint_blobs WHERE checkpoint_id = ?');
  const cols = (target.pragma('table_info(checkpoints)') as { name: string }[]).map((c) => c.name).filter((c) => rows.length === 0 || c in rows[0]!);
  const insert = target.prepare(`INSERT INTO checkpoints (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
  const insertBlobs = target.prepare('INSERT INTO checkpoint_blobs (checkpoint_id, weights, optimizer) VALUES (?, ?, ?)');
  const bad: string[] = [];
  let n = 0;
  for (const row of rows) {
    const what = `${row.id} (run ${row.run_id}, epoch ${(row.epoch as number) + 1})`;
    if (!kept.get('runs')!.has(row.run_id as number)) continue;
    let parts: { weights: Buffer; optimizer: Buffer } | undefined;
    try {
      parts = blobs.get(row.id) as typeof parts;
      JSON.parse(String(row.manifest));
    } catch (error) {
      bad.push(`${what}: unreadable (${message(error)})`);
      continue;
    }
    if (!parts) {
      bad.push(`${what}: its bytes are missing`);
      continue;
    }
    const verified = (['weights', 'optimizer'] as const).every((p) => sha256Hex(parts![p]) === row[`${p}_sha256`] && parts![p].byteLength === row[`${p}_size`]);
    if (!verified) {
      bad.push(`${what}: its bytes do not match their sha256`);
      continue;
    }
    insert.run(...cols.map((c) => row[c]));
    insertBlobs.run(row.id, parts.weights, parts.optimizer);
    n++;
  }
  report.recovered.checkpoints = n;
  if (bad.length) report.lost.push(`checkpoints: ${bad.length} not recovered (${summarise(bad)})`);
  const orphans = rows.filter((r) => !kept.get('runs')!.has(r.run_id as number)).length;
  if (orphans) report.lost.push(`checkpoints: ${orphans} of runs that were not recovered`);
}

/**
 * Every row of a rowid table that can be read, in rowid order. A scan that meets a damaged page seeks to the
 * next readable rowid (doubling the step, bounded by the largest rowid when that can be read) and goes on.
 */
function scanRowids(source: Database.Database, table: string): { rows: Row[]; gaps: string[] } {
  const rows: Row[] = [];
  const gaps: string[] = [];
  const scan = source.prepare(`SELECT * FROM ${table} WHERE rowid > ? ORDER BY rowid`);
  const probe = source.prepare(`SELECT rowid FROM ${table} WHERE rowid >= ? ORDER BY rowid LIMIT 1`).pluck();
  let after = 0;
  let probed = 0;
  for (;;) {
    try {
      for (const row of scan.iterate(after) as IterableIterator<Row>) {
        rows.push(row);
        after = row.id as number;
      }
      return { rows, gaps };
    } catch (error) {
      // Always past the last place probed, so a scan that fails where a probe succeeded cannot loop.
      const next = seek((from) => probe.get(from) as number | undefined, Math.max(after + 1, probed + 1));
      probed = next ?? probed;
      gaps.push(`rows after id ${after}${next === undefined ? '' : ` before id ${next}`} could not be read (${message(error)})`);
      if (next === undefined) return { rows, gaps };
      after = next - 1;
    }
  }
}

/**
 * The first key at or after `from` where a probe (a seek to the first row at or after a key) succeeds, and what
 * it found (undefined: no row after it): doubling steps past the damage, then bisecting back so that readable
 * rows just after the damaged part are not skipped. Undefined too when nothing succeeds within 2^40.
 */
function seek(probe: (from: number) => number | undefined, from: number): number | undefined {
  const tryAt = (x: number): { ok: true; found: number | undefined } | { ok: false } => {
    try {
      return { ok: true, found: probe(x) };
    } catch {
      return { ok: false };
    }
  };
  let bad = from - 1;
  for (let step = 1; step < 2 ** 40; step *= 2) {
    const at = from + step - 1;
    const hit = tryAt(at);
    if (!hit.ok) {
      bad = at;
      continue;
    }
    let good = at;
    let found = hit.found;
    while (good - bad > 1) {
      const mid = Math.floor((good + bad) / 2);
      const probe = tryAt(mid);
      if (probe.ok) {
        good = mid;
        found = probe.found;
      } else bad = mid;
    }
    return found;
  }
  return undefined;
}

function summarise(lines: string[]): string {
  return lines.length <= 5 ? lines.join('; ') : `${lines.slice(0, 5).join('; ')}; and ${lines.length - 5} more`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
