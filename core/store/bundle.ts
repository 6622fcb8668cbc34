// Project bundles: one `.layerwise` file (a zip made with fflate) holding a project's model versions,
// datasets, runs, metrics, checkpoints and comparisons, and the import that reads one back.
//
//   manifest.json                   format, formatVersion and every row (specs, configs, statuses, …),
//                                   with the size and sha256 of each other entry
//   metrics/run-<id>.json           one run's curves, by metric name, as columns
//   checkpoints/<id>/weights.bin    the bytes, stored (not deflated: weights do not compress)
//   checkpoints/<id>/optimizer.bin
//
// Import reads and checks the WHOLE bundle first (zip structure, declared sizes against limits before
// anything is inflated, manifest schema and version, cross references, every entry's size and sha256,
// every spec, config and metric), and only then writes it, in one transaction, as a new project with
// new ids. A bad bundle is refused with a BundleInvalid error naming the reason; the database is untouched.

import { isLiveRunStatus } from '../../shared/index.js';
import { canonicalJson } from './canonical.js';
import { writeSweeps } from './bundle-sweeps.js';
import type { Store } from './store.js';
import type { CheckpointKind, DatasetSplit, FinalMetrics, RunStatus } from './types.js';
import { readBundleFile, type CheckedBundle } from './bundle-check.js';
import { DEFAULT_BUNDLE_LIMITS, type BundleLimits, type ImportResult } from './bundle-manifest.js';

export * from './bundle-manifest.js';
export * from './bundle-export.js';
export * from './bundle-check.js';

// ---- import ----

/** Checks the whole bundle, then adds it as a new project in one transaction. */
export async function importBundle(store: Store, file: string, limits: BundleLimits = DEFAULT_BUNDLE_LIMITS): Promise<ImportResult> {
  return importCheckedBundle(store, await readBundleFile(file, limits));
}

/** Adds a bundle that readBundleFile / checkBundle accepted, as a new project in one transaction. */
export function importCheckedBundle(store: Store, bundle: CheckedBundle): ImportResult {
  return store.tx(() => writeBundle(store, bundle));
}

function writeBundle(store: Store, bundle: CheckedBundle): ImportResult {
  const db = store.sqlite;
  const { manifest } = bundle;
  const ms = (t: string) => Date.parse(t);
  const msOrNull = (t: string | null) => (t === null ? null : Date.parse(t));
  const insert = (sql: string, ...params: unknown[]) => Number(db.prepare(sql).run(...params).lastInsertRowid);

  const projectId = insert('INSERT INTO projects (name, notes, created_at) VALUES (?, ?, ?)', manifest.project.name, manifest.project.notes, ms(manifest.project.createdAt));
  const versionIds = new Map<number, number>();
  for (const v of manifest.modelVersions) {
    const json = canonicalJson(bundle.specs.get(v.id));
    versionIds.set(
      v.id,
      insert(
        'INSERT INTO model_versions (project_id, parent_id, name, spec, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        projectId,
        v.parentId === null ? null : versionIds.get(v.parentId),
        v.name,
        json,
        v.hash,
        ms(v.createdAt),
      ),
    );
  }
  const datasetIds = new Map<number, number>();
  for (const d of manifest.datasets) {
    datasetIds.set(
      d.id,
      insert(
        'INSERT INTO datasets (project_id, name, source, split, fingerprint, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        projectId,
        d.name,
        canonicalJson(bundle.sources.get(d.id)),
        canonicalJson(d.split as DatasetSplit),
        d.fingerprint,
        ms(d.createdAt),
      ),
    );
  }
  const runIds: Record<number, number> = {};
  let metricPoints = 0;
  for (const r of manifest.runs) {
    // A run exported while it was training is not training here.
    const live = isLiveRunStatus(r.status);
    const status: RunStatus = live ? 'interrupted' : r.status;
    const newId = insert(
      `INSERT INTO runs (project_id, model_version_id, dataset_id, name, preset_id, config, seed, backend, device, status, error, created_at, started_at, finished_at, final_metrics)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      projectId,
      versionIds.get(r.modelVersionId),
      datasetIds.get(r.datasetId),
      r.name,
      r.presetId,
      canonicalJson(bundle.configs.get(r.id)),
      r.seed,
      r.backend,
      r.device,
      status,
      live ? 'it was still training when the bundle was exported' : r.error,
      ms(r.createdAt),
      msOrNull(r.startedAt),
      msOrNull(r.finishedAt),
      r.finalMetrics === null ? null : canonicalJson(r.finalMetrics as FinalMetrics),
    );
    runIds[r.id] = newId;
    if (r.report) insert('INSERT INTO run_reports (run_id, report, created_at) VALUES (?, ?, ?)', newId, JSON.stringify(r.report), msOrNull(r.finishedAt) ?? ms(r.createdAt));
    const points = bundle.metrics.get(r.id)!;
    store.appendMetrics(newId, points);
    metricPoints += points.length;
  }
  for (const c of manifest.checkpoints) {
    const weights = bundle.blobs.get(c.weights.path)!;
    const optimizer = bundle.blobs.get(c.optimizer.path)!;
    const checkpointId = insert(
      `INSERT INTO checkpoints (run_id, epoch, kind, manifest, weights_size, weights_sha256, optimizer_size, optimizer_sha256, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      runIds[c.runId],
      c.epoch,
      c.kind satisfies CheckpointKind,
      JSON.stringify(c.manifest),
      c.weights.size,
      c.weights.sha256,
      c.optimizer.size,
      c.optimizer.sha256,
      ms(c.createdAt),
    );
    insert('INSERT INTO checkpoint_blobs (checkpoint_id, weights, optimizer) VALUES (?, ?, ?)', checkpointId, weights, optimizer);
  }
  for (const c of manifest.comparisons) {
    const comparisonId = insert(
      'INSERT INTO comparisons (project_id, name, notes, kind, base_run_id, lesson_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      projectId,
      c.name,
      c.notes,
      c.kind ?? 'manual',
      c.baseRunId == null ? null : runIds[c.baseRunId],
      c.lessonId ?? null,
      ms(c.createdAt),
      ms(c.updatedAt),
    );
    c.runIds.forEach((runId, position) => insert('INSERT INTO comparison_runs (comparison_id, run_id, position) VALUES (?, ?, ?)', comparisonId, runIds[runId], position));
  }
  writeSweeps(store, projectId, manifest.sweeps ?? [], runIds, versionIds);
  return {
    projectId,
    projectName: manifest.project.name,
    runIds,
    modelVersions: manifest.modelVersions.length,
    datasets: manifest.datasets.length,
    runs: manifest.runs.length,
    metricPoints,
    checkpoints: manifest.checkpoints.length,
    comparisons: manifest.comparisons.length,
  };
}
