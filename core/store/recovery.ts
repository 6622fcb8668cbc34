// What opening a data folder does about damage, beyond moving a corrupt file aside (open-db.ts): a damaged
// write-ahead log is copied aside before SQLite replays (and then overwrites) it, and what the commits it cannot
// replay held is read from that copy and reported; the runs they set back are interrupted, so resuming recomputes
// what was lost (bit-identically, from their last surviving checkpoint).
import { copyFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import type { WalDamageReport } from '../../shared/api/entities.js';
import { syncDir } from './open-db.js';
import { openPastDamage, removeDir, scanWal, type WalScan } from './wal.js';

export interface WalDamage {
  scan: WalScan;
  /** The copy of the database and its log, kept beside it. */
  copy: string;
}

/** Before SQLite opens `dbPath`: a log whose replay would drop committed work is copied aside (never deleted). */
export function keepDamagedWal(dbPath: string, now: number): WalDamage | null {
  const scan = scanWal(dbPath);
  if (!scan || scan.commitsLost === 0) return null;
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  let copy = `${dbPath}.wal-damaged-${stamp}`;
  for (let n = 2; existsSync(copy); n++) copy = `${dbPath}.wal-damaged-${stamp}-${n}`;
  copyFileSync(dbPath, copy);
  copyFileSync(`${dbPath}-wal`, `${copy}-wal`);
  syncDir(dirname(dbPath));
  return { scan, copy };
}

/** Compares what the lost commits held (read from the copy, past the damage) with what the database has now. */
export function walDamageReport(damage: WalDamage, db: Database.Database, interrupted: readonly number[], nativeBinding?: string): WalDamageReport {
  const { scan, copy } = damage;
  const report: WalDamageReport = { copy, firstBadFrame: scan.firstBadFrame ?? 1, frames: scan.frames, commitsLost: scan.commitsLost, lost: [], interruptedRuns: [] };
  let past: { db: Database.Database; dir: string } | null = null;
  try {
    past = openPastDamage(copy, scan, nativeBinding);
    const before = facts(past.db);
    const now = facts(db);
    for (const [runId, then] of before.runs) {
      const current = now.runs.get(runId);
      if (!current) {
        report.lost.push(`run ${runId}: the whole run (it was ${then.status})`);
        continue;
      }
      const parts: string[] = [];
      const points = then.points - current.points;
      if (points > 0) {
        const from = current.lastEpoch + 2;
        parts.push(`${points} metric points (epoch${then.lastEpoch + 1 > from ? `s ${from}–${then.lastEpoch + 1}` : ` ${then.lastEpoch + 1}`})`);
      }
      // By id and epoch: a run's `last` checkpoint replaces its predecessor, often under the same id.
      const checkpoints = then.checkpoints.filter((c) => !current.checkpoints.some((k) => k.id === c.id && k.epoch === c.epoch));
      if (checkpoints.length) parts.push(`checkpoint${checkpoints.length > 1 ? 's' : ''} of epoch ${checkpoints.map((c) => c.epoch + 1).join(', ')}`);
      if (then.status !== current.status) parts.push(`its status ${then.status} (now ${current.status})`);
      if (parts.length) {
        report.lost.push(`run ${runId}: ${parts.join(', ')}`);
        if (interrupted.includes(runId)) report.interruptedRuns.push(runId);
      }
    }
    for (const table of ['projects', 'model_versions', 'datasets', 'comparisons'] as const) {
      const n = (before.counts[table] ?? 0) - (now.counts[table] ?? 0);
      if (n > 0) report.lost.push(`${table.replace('_', ' ')}: ${n} added by the lost commits`);
    }
    if (report.lost.length === 0) report.lost.push('nothing that is not also in the database now (the lost commits rewrote what it has)');
  } catch (error) {
    report.lost.push(`what they held cannot be read from the copy (${error instanceof Error ? error.message : String(error)})`);
  } finally {
    past?.db.close();
    if (past) removeDir(past.dir);
  }
  return report;
}

interface RunFacts {
  status: string;
  points: number;
  lastEpoch: number;
  checkpoints: { id: number; epoch: number }[];
}

function facts(db: Database.Database): { runs: Map<number, RunFacts>; counts: Record<string, number> } {
  const runs = new Map<number, RunFacts>();
  for (const r of db.prepare('SELECT id, status FROM runs').all() as { id: number; status: string }[]) {
    runs.set(r.id, { status: r.status, points: 0, lastEpoch: -1, checkpoints: [] });
  }
  for (const m of db.prepare('SELECT run_id, count(*) AS n, max(epoch) AS e FROM metrics GROUP BY run_id').all() as { run_id: number; n: number; e: number }[]) {
    const r = runs.get(m.run_id);
    if (r) Object.assign(r, { points: m.n, lastEpoch: m.e });
  }
  for (const c of db.prepare('SELECT id, run_id, epoch FROM checkpoints').all() as { id: number; run_id: number; epoch: number }[]) {
    runs.get(c.run_id)?.checkpoints.push({ id: c.id, epoch: c.epoch });
  }
  const counts: Record<string, number> = {};
  for (const t of ['projects', 'model_versions', 'datasets', 'comparisons']) counts[t] = db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
  return { runs, counts };
}
