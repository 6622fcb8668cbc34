// Writing a project bundle (./bundle.ts says what it holds): every row, curve and checkpoint of one project,
// written to a temporary file, fsynced and renamed, so a bundle is never half-written.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { sha256Hex } from './canonical.js';
import { syncDir } from './open-db.js';
import { collectSweeps } from './bundle-sweeps.js';
import { SCHEMA_VERSION } from './schema.js';
import { iso, type Store } from './store.js';
import type { MetricSeries } from './types.js';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, type BundleCounts, type BundleManifest, type ExportResult, type MetricsFile } from './bundle-manifest.js';

// ---- export ----

/** Writes the project to `outFile` (write to a temporary file, fsync, rename: never a half-written bundle). */
export function exportBundle(store: Store, projectId: number, outFile: string): ExportResult {
  const file = resolve(outFile);
  const { manifest, entries, counts } = store.tx(() => collect(store, projectId));
  const zippable: Zippable = { 'manifest.json': [strToU8(JSON.stringify(manifest, null, 1)), { level: 6 }] };
  for (const [path, bytes] of entries) zippable[path] = [bytes, { level: path.endsWith('.bin') ? 0 : 6 }];
  const zip = zipSync(zippable, { mtime: new Date(manifest.exportedAt) });
  writeFileAtomic(file, zip);
  return { file, bytes: zip.byteLength, projectId, projectName: manifest.project.name, ...counts };
}

function collect(store: Store, projectId: number) {
  const project = store.getProject(projectId);
  const entries = new Map<string, Uint8Array>();
  const counts: BundleCounts = { modelVersions: 0, datasets: 0, runs: 0, metricPoints: 0, checkpoints: 0, comparisons: 0 };
  const modelVersions = store.listModelVersions(projectId).map((v) => ({
    id: v.id,
    parentId: v.parentId,
    name: v.name,
    spec: v.spec,
    hash: v.hash,
    createdAt: v.createdAt,
  }));
  const datasets = store.listDatasets(projectId).map((d) => ({
    id: d.id,
    name: d.name,
    source: d.source,
    split: d.split,
    fingerprint: d.fingerprint,
    createdAt: d.createdAt,
  }));
  const runs = store.listRuns({ projectId }).map((run) => {
    const stored = store.getRunReport(run.id);
    const report = stored ? (({ runId: _runId, ...rest }) => rest)(stored) : null;
    const series = store.metricSeries(run.id);
    const bytes = strToU8(JSON.stringify(encodeMetrics(series)));
    const path = `metrics/run-${run.id}.json`;
    entries.set(path, bytes);
    const points = series.reduce((n, s) => n + s.values.length, 0);
    counts.metricPoints += points;
    return {
      id: run.id,
      modelVersionId: run.modelVersionId,
      datasetId: run.datasetId,
      name: run.name,
      presetId: run.presetId,
      config: run.config,
      seed: run.seed,
      backend: run.backend,
      device: run.device,
      status: run.status,
      error: run.error,
      createdAt: run.createdAt,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      finalMetrics: run.finalMetrics,
      metrics: { path, size: bytes.byteLength, sha256: sha256Hex(bytes), points },
      report,
    };
  });
  const checkpoints = runs.flatMap((run) =>
    store.listCheckpoints(run.id).map((meta) => {
      // loadCheckpoint checks the bytes against their sha256: a damaged checkpoint is never exported.
      const data = store.loadCheckpoint(meta.id);
      const ref = (part: 'weights' | 'optimizer') => {
        const path = `checkpoints/${meta.id}/${part}.bin`;
        entries.set(path, data[part]);
        return { path, size: meta[part].size, sha256: meta[part].sha256 };
      };
      return { id: meta.id, runId: meta.runId, epoch: meta.epoch, kind: meta.kind, manifest: meta.manifest, createdAt: meta.createdAt, weights: ref('weights'), optimizer: ref('optimizer') };
    }),
  );
  const comparisons = store.listComparisons(projectId).map((c) => ({
    id: c.id,
    name: c.name,
    notes: c.notes,
    runIds: c.runIds,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    kind: c.kind,
    baseRunId: c.baseRunId,
    lessonId: c.lessonId,
  }));
  counts.modelVersions = modelVersions.length;
  counts.datasets = datasets.length;
  counts.runs = runs.length;
  counts.checkpoints = checkpoints.length;
  counts.comparisons = comparisons.length;
  const manifest = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    exportedAt: iso(Date.now()),
    schemaVersion: SCHEMA_VERSION,
    project: { id: project.id, name: project.name, notes: project.notes, createdAt: project.createdAt },
    modelVersions,
    datasets,
    runs,
    checkpoints,
    comparisons,
    sweeps: collectSweeps(store, projectId),
  } satisfies BundleManifest;
  return { manifest, entries, counts };
}

function encodeMetrics(series: MetricSeries[]): MetricsFile {
  return {
    series: series.map((s) => ({
      name: s.name,
      epochs: s.epochs,
      steps: s.steps,
      values: s.values.map((v) => (Number.isNaN(v) ? null : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v)),
    })),
  };
}

/** Writes a file so that it is either the old content or the whole new one, even across a crash. */
export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(tmp, 'wx');
  try {
    try {
      for (let offset = 0; offset < bytes.byteLength; ) offset += writeSync(fd, bytes, offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed or never written
    }
    throw error;
  }
  syncDir(dirname(file));
}
