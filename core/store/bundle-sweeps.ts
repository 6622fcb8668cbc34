// A project's sweeps in its bundle (format 3): each sweep's stored spec, status and run time, its trials (linked to
// the bundle's runs) and the ASHA decisions at their rungs. Kept apart from bundle.ts, which calls the three steps
// below: collect on export, check with the rest of the manifest, write in the import's transaction. A sweep that
// was running arrives stopped, its unfinished trials interrupted: `sweeps.resume` continues it in the new place.
import { z } from 'zod';
import { parseSweepSpec, planSweep, TRIAL_STATES, type SweepBase } from '../../shared/index.js';
import { canonicalJson } from './canonical.js';
import { StoreError } from './errors.js';
import { SWEEP_STATUS_VALUES } from './schema.js';
import type { Store } from './store.js';
import type { JsonValue } from './types.js';

const id = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const time = z.iso.datetime({ offset: false, error: 'must be an ISO 8601 UTC timestamp' });
const finite = z.number().refine(Number.isFinite, { error: 'must be a finite number' });

export const sweepBundleSchema = z.strictObject({
  id,
  name: z.string().min(1).max(200),
  spec: z.json(),
  status: z.enum(SWEEP_STATUS_VALUES, { error: `must be one of ${SWEEP_STATUS_VALUES.join(', ')}` }),
  stopReason: z.string().max(1000).nullable(),
  concurrency: z.number().int().min(1).max(64),
  elapsedMs: z.number().int().min(0),
  createdAt: time,
  finishedAt: time.nullable(),
  trials: z
    .array(
      z.strictObject({
        number: z.number().int().min(1),
        params: z.record(z.string().max(200), z.union([finite, z.string().max(100), z.boolean()])),
        unused: z.array(z.string().max(200)),
        state: z.enum(TRIAL_STATES, { error: `must be one of ${TRIAL_STATES.join(', ')}` }),
        runId: id.nullable(),
        attempts: z.number().int().min(1).max(100),
        epochs: z.number().int().min(0),
        valLoss: finite.nullable(),
        valAccuracy: finite.nullable(),
        objective: finite.nullable(),
        error: z.string().max(10_000).nullable(),
        createdAt: time,
        finishedAt: time.nullable(),
        rungs: z.array(z.strictObject({ rung: z.number().int().min(0), epoch: z.number().int().min(1), value: finite.nullable(), promoted: z.boolean() })).max(64),
      }),
    )
    .max(10_000),
});

export type SweepBundle = z.infer<typeof sweepBundleSchema>;

export function collectSweeps(store: Store, projectId: number): SweepBundle[] {
  return store.sweeps.list({ projectId }).map((s) => ({
    id: s.id,
    name: s.name,
    spec: s.spec,
    status: s.status,
    stopReason: s.stopReason,
    concurrency: s.concurrency,
    elapsedMs: s.elapsedMs,
    createdAt: s.createdAt,
    finishedAt: s.finishedAt,
    trials: store.sweeps.trials(s.id).map((t) => ({
      number: t.number,
      params: t.params,
      unused: t.unused,
      state: t.state,
      runId: t.runId,
      attempts: t.attempts,
      epochs: t.epochs,
      valLoss: t.valLoss,
      valAccuracy: t.valAccuracy,
      objective: t.objective,
      error: t.error,
      createdAt: t.createdAt,
      finishedAt: t.finishedAt,
      rungs: t.rungs.map((r) => ({ rung: r.rung, epoch: r.epoch, value: r.value, promoted: r.promoted })),
    })),
  }));
}

function refuse(reason: string): StoreError {
  return new StoreError('BundleInvalid', `not a valid Layerwise bundle: ${reason}`, { reason });
}

/** Cross-checks the sweeps against the bundle's runs; each spec must still plan (its base inline and valid). */
export function checkSweeps(sweeps: readonly SweepBundle[], runIds: ReadonlySet<number>): void {
  const seen = new Set<number>();
  sweeps.forEach((sweep, i) => {
    const where = `sweeps[${i}]`;
    if (seen.has(sweep.id)) throw refuse(`sweep id ${sweep.id} appears twice`);
    seen.add(sweep.id);
    const parsed = parseSweepSpec(sweep.spec);
    if (!parsed.ok) throw refuse(`${where}.spec: ${parsed.errors.map((e) => e.message).slice(0, 3).join('; ')}`);
    const plan = planSweep(parsed.value, parsed.value.base as unknown as SweepBase);
    if (!plan.ok) throw refuse(`${where}.spec: ${plan.errors.map((e) => e.message).slice(0, 3).join('; ')}`);
    const numbers = new Set<number>();
    const runs = new Set<number>();
    sweep.trials.forEach((t, j) => {
      if (numbers.has(t.number)) throw refuse(`${where}.trials[${j}].number ${t.number} appears twice`);
      numbers.add(t.number);
      if (t.runId !== null) {
        if (!runIds.has(t.runId)) throw refuse(`${where}.trials[${j}].runId ${t.runId} is not a run in the bundle`);
        if (runs.has(t.runId)) throw refuse(`${where}.trials[${j}].runId ${t.runId} belongs to two trials`);
        runs.add(t.runId);
      }
      for (const r of t.rungs) if (r.rung >= plan.value.rungs.length) throw refuse(`${where}.trials[${j}] has a decision at rung ${r.rung}; the sweep has ${plan.value.rungs.length}`);
    });
  });
}

/** Writes the sweeps (inside the import's transaction), with the new ids of their runs and model versions. */
export function writeSweeps(store: Store, projectId: number, sweeps: readonly SweepBundle[], runIds: Readonly<Record<number, number>>, versionIds: ReadonlyMap<number, number>): number {
  const db = store.sqlite;
  const insert = (sql: string, ...params: unknown[]) => Number(db.prepare(sql).run(...params).lastInsertRowid);
  const ms = (t: string) => Date.parse(t);
  let seq = (db.prepare('SELECT coalesce(max(seq), 0) AS n FROM sweep_rungs').get() as { n: number }).n;
  for (const s of sweeps) {
    const spec = JSON.parse(JSON.stringify(s.spec)) as { base?: { from?: { runId?: number; modelVersionId?: number } } };
    // Where the base came from, in the new ids (or dropped when that record did not travel).
    const from = spec.base?.from;
    if (from?.runId !== undefined) from.runId = runIds[from.runId] ?? (delete from.runId, undefined);
    if (from?.modelVersionId !== undefined) from.modelVersionId = versionIds.get(from.modelVersionId) ?? (delete from.modelVersionId, undefined);
    const running = s.status === 'running';
    const sweepId = insert(
      'INSERT INTO sweeps (project_id, name, spec, status, stop_reason, concurrency, elapsed_ms, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      projectId,
      s.name,
      canonicalJson(spec as JsonValue),
      running ? 'stopped' : s.status,
      running ? 'it was running when the bundle was exported' : s.stopReason,
      s.concurrency,
      s.elapsedMs,
      ms(s.createdAt),
      s.finishedAt === null ? null : ms(s.finishedAt),
    );
    for (const t of s.trials) {
      const unfinished = t.state === 'queued' || t.state === 'running';
      const trialId = insert(
        `INSERT INTO sweep_trials (sweep_id, number, params, unused, state, run_id, attempts, epochs, val_loss, val_accuracy, objective, error, created_at, finished_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        sweepId,
        t.number,
        canonicalJson(t.params),
        JSON.stringify(t.unused),
        unfinished ? 'interrupted' : t.state,
        t.runId === null ? null : runIds[t.runId],
        t.attempts,
        t.epochs,
        t.valLoss,
        t.valAccuracy,
        t.objective,
        t.error,
        ms(t.createdAt),
        t.finishedAt === null ? null : ms(t.finishedAt),
      );
      for (const r of t.rungs) insert('INSERT INTO sweep_rungs (trial_id, rung, epoch, value, promoted, seq) VALUES (?, ?, ?, ?, ?, ?)', trialId, r.rung, r.epoch, r.value, r.promoted ? 1 : 0, ++seq);
    }
  }
  return sweeps.length;
}
