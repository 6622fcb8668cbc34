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
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { strFromU8, strToU8, zipSync, type Zippable } from 'fflate';
import { z } from 'zod';
import { checkModelSpec, DatasetRefSchema, formatIssues, isLiveRunStatus, parseTrainingConfig, type DatasetRef, type ModelSpec, type TrainingConfig } from '../../shared/index.js';
import { BUNDLE_LIMITS, nameProblem, notesProblem } from '../../shared/limits/inputs.js';
import { InputFileError, readFileLimited } from '../files/read.js';
import { inflateEntries, readCentralDirectory, refuseBundle as refuse, type InflatedEntry, type InflateStats, type ZipLimits } from './bundle-zip.js';
import { canonicalJson, sha256Hex } from './canonical.js';
import { syncDir } from './open-db.js';
import { checkSweeps, collectSweeps, sweepBundleSchema, writeSweeps } from './bundle-sweeps.js';
import { CHECKPOINT_KINDS, COMPARISON_KINDS, RUN_STATUSES, SCHEMA_VERSION } from './schema.js';
import { iso, MAX_CHECKPOINT_PART_BYTES, type Store } from './store.js';
import type { CheckpointKind, DatasetSplit, FinalMetrics, JsonValue, MetricPoint, MetricSeries, RunStatus } from './types.js';

export const BUNDLE_FORMAT = 'layerwise-bundle';
/**
 * 2 added run reports and how comparisons were made (kind, base run, lesson); 3 added sweeps (./bundle-sweeps.ts).
 * Version 1 and 2 bundles still import.
 */
export const BUNDLE_FORMAT_VERSION = 3;
/** The oldest bundle format this Layerwise still imports. */
export const OLDEST_BUNDLE_FORMAT_VERSION = 1;
export const BUNDLE_EXTENSION = '.layerwise';

/**
 * maxFileBytes: the bundle file; maxEntryBytes: one entry uncompressed (declared in the zip, checked before
 * inflating, and counted while inflating); maxTotalBytes: all entries; maxInflateRatio / inflateAllowance:
 * what all entries may inflate to, at most max(allowance, ratio × the file's size) — see bundle-zip.ts.
 */
export type BundleLimits = ZipLimits;

export const DEFAULT_BUNDLE_LIMITS: Readonly<BundleLimits> = {
  ...BUNDLE_LIMITS,
  maxEntryBytes: MAX_CHECKPOINT_PART_BYTES,
};

export interface BundleCounts {
  modelVersions: number;
  datasets: number;
  runs: number;
  metricPoints: number;
  checkpoints: number;
  comparisons: number;
}

export interface ExportResult extends BundleCounts {
  file: string;
  bytes: number;
  projectId: number;
  projectName: string;
}

export interface ImportResult extends BundleCounts {
  projectId: number;
  projectName: string;
  /** Bundle run id → new run id. */
  runIds: Record<number, number>;
}

// ---- the manifest ----

const id = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const time = z.iso.datetime({ offset: false, error: 'must be an ISO 8601 UTC timestamp' });
const sha = z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a sha256 in hex' });
const entryRef = (limit: number) =>
  z.strictObject({
    path: z.string(),
    size: z.number().int().min(0).max(limit, { error: `is more than the limit of ${limit} bytes` }),
    sha256: sha,
  });
const jsonValue: z.ZodType<JsonValue> = z.json();
/** Names and notes as the API takes them (shared/limits/inputs.ts): no control or bidi-override characters. */
const checked = (schema: z.ZodString, problem: (s: string) => string | null) =>
  schema.superRefine((s, ctx) => {
    const p = problem(s);
    if (p) ctx.addIssue({ code: 'custom', message: p });
  });
const safeName = checked(z.string(), nameProblem);
const notesText = checked(z.string(), notesProblem);
/** A model version's or run's name may be empty (it then shows the spec's name). */
const versionName = checked(z.string(), (s) => (s === '' ? null : nameProblem(s)));
const count = z.number().int().min(0);

/** A run's test report, as runs.report gives it (without the run id, which the bundle renumbers). */
const reportSchema = z.strictObject({
  classNames: z.array(z.string().max(200)).max(100_000),
  inputShape: z.array(z.number().int().min(1)).min(1).max(8),
  confusion: z.array(z.array(count).max(100_000)).max(100_000).nullable(),
  misclassified: z
    .array(
      z.strictObject({
        index: count,
        label: count,
        predicted: count,
        confidence: z.number().min(0).max(1),
        features: z.array(z.number()).max(10_000_000),
      }),
    )
    .max(1000),
  misclassifiedCount: count,
  bestEpoch: count.nullable(),
  weights: z.enum(['last', 'best', 'averaged']),
  parameters: count,
});

function manifestSchema(limits: BundleLimits) {
  return z.strictObject({
    format: z.literal(BUNDLE_FORMAT),
    formatVersion: z.number().int().min(OLDEST_BUNDLE_FORMAT_VERSION).max(BUNDLE_FORMAT_VERSION),
    exportedAt: time,
    schemaVersion: z.number().int().min(1),
    project: z.strictObject({ id, name: safeName, notes: notesText, createdAt: time }),
    modelVersions: z.array(
      z.strictObject({ id, parentId: id.nullable(), name: versionName, spec: z.unknown(), hash: sha, createdAt: time }),
    ),
    datasets: z.array(
      z.strictObject({
        id,
        name: safeName,
        source: z.unknown(),
        split: z.record(z.string(), jsonValue),
        fingerprint: z.string().min(1).max(200),
        createdAt: time,
      }),
    ),
    runs: z.array(
      z.strictObject({
        id,
        modelVersionId: id,
        datasetId: id,
        name: versionName.nullable(),
        presetId: z.string().nullable(),
        config: z.unknown(),
        seed: z.number().int(),
        backend: z.string().min(1).max(200),
        device: z.string().nullable(),
        status: z.enum(RUN_STATUSES, { error: `must be one of ${RUN_STATUSES.join(', ')}` }),
        error: z.string().nullable(),
        createdAt: time,
        startedAt: time.nullable(),
        finishedAt: time.nullable(),
        finalMetrics: z.record(z.string(), z.number().nullable()).nullable(),
        metrics: entryRef(limits.maxEntryBytes).extend({ points: z.number().int().min(0) }),
        /** Format 2: the test report of a finished run (absent or null when it has none). */
        report: reportSchema.nullable().optional(),
      }),
    ),
    checkpoints: z.array(
      z.strictObject({
        id,
        runId: id,
        epoch: z.number().int().min(0),
        kind: z.enum(CHECKPOINT_KINDS, { error: `must be one of ${CHECKPOINT_KINDS.join(', ')}` }),
        manifest: jsonValue,
        createdAt: time,
        weights: entryRef(limits.maxEntryBytes),
        optimizer: entryRef(limits.maxEntryBytes),
      }),
    ),
    comparisons: z.array(
      z.strictObject({
        id,
        name: safeName,
        notes: notesText,
        runIds: z.array(id),
        createdAt: time,
        updatedAt: time,
        // Format 2; a version 1 bundle's comparisons were all picked by hand.
        kind: z.enum(COMPARISON_KINDS, { error: `must be one of ${COMPARISON_KINDS.join(', ')}` }).optional(),
        baseRunId: id.nullable().optional(),
        lessonId: z.string().min(1).max(100).nullable().optional(),
      }),
    ),
    /** Format 3: the project's sweeps, their trials and rung decisions. */
    sweeps: z.array(sweepBundleSchema).optional(),
  });
}

export type BundleManifest = z.infer<ReturnType<typeof manifestSchema>>;

/** One run's metrics file: columns per metric; values NaN → null, ±Infinity → "Infinity" / "-Infinity". */
interface MetricsFile {
  series: { name: string; epochs: number[]; steps: (number | null)[]; values: (number | null | 'Infinity' | '-Infinity')[] }[];
}

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

// ---- reading and checking a bundle ----

export interface CheckedBundle {
  manifest: BundleManifest;
  specs: Map<number, ModelSpec>;
  sources: Map<number, DatasetRef>;
  configs: Map<number, TrainingConfig>;
  metrics: Map<number, MetricPoint[]>;
  blobs: Map<string, Uint8Array>;
}

/**
 * Reads a bundle file (a regular file only, counted against the limit as it is read) and checks all of it;
 * throws BundleInvalid naming the first problem found.
 */
export async function readBundleFile(file: string, limits: BundleLimits = DEFAULT_BUNDLE_LIMITS): Promise<CheckedBundle> {
  let data: Uint8Array;
  try {
    data = await readFileLimited(file, { maxBytes: limits.maxFileBytes });
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    throw refuse(error.message, { readError: error.code });
  }
  return checkBundle(data, limits);
}

/**
 * Checks a whole bundle: zip structure and declared sizes, then every entry inflated and hashed in slices
 * (the event loop keeps turning), then the manifest and every cross reference.
 */
export async function checkBundle(data: Uint8Array, limits: BundleLimits = DEFAULT_BUNDLE_LIMITS, stats?: InflateStats): Promise<CheckedBundle> {
  const entries = readCentralDirectory(data, limits);
  const files = await inflateEntries(data, entries, limits, stats);
  return checkEntries(files, limits);
}

function checkEntries(files: Map<string, InflatedEntry>, limits: BundleLimits): CheckedBundle {
  const manifest = parseManifest(files, limits);
  const listed = new Set<string>(['manifest.json']);
  const take = (ref: { path: string; size: number; sha256: string }, what: string): Uint8Array => {
    if (listed.has(ref.path)) throw refuse(`${what}: entry ${ref.path} is listed twice in manifest.json`);
    listed.add(ref.path);
    const entry = files.get(ref.path);
    if (!entry) throw refuse(`${what}: entry ${ref.path} is missing`);
    if (entry.bytes.byteLength !== ref.size) throw refuse(`${ref.path} is ${entry.bytes.byteLength} bytes, but manifest.json says ${ref.size}`);
    if (entry.sha256 !== ref.sha256) throw refuse(`${ref.path}: sha256 ${entry.sha256} does not match manifest.json's ${ref.sha256}`);
    return entry.bytes;
  };

  const unique = (ids: number[], what: string) => {
    const seen = new Set<number>();
    for (const n of ids) {
      if (seen.has(n)) throw refuse(`${what} id ${n} appears twice`);
      seen.add(n);
    }
    return seen;
  };

  const specs = new Map<number, ModelSpec>();
  const hashes = new Map<string, number>();
  unique(manifest.modelVersions.map((v) => v.id), 'model version');
  manifest.modelVersions.forEach((version, i) => {
    const where = `modelVersions[${i}]`;
    const checked = checkModelSpec(version.spec);
    if (!checked.ok || !checked.spec) throw refuse(`${where}.spec is not a valid model: ${checked.errors.map((e) => e.message).join('; ')}`);
    const hash = sha256Hex(canonicalJson(version.spec));
    if (hash !== version.hash) throw refuse(`${where}.hash ${version.hash} does not match its spec (sha256 ${hash})`);
    if (hashes.has(hash)) throw refuse(`${where} has the same spec as model version ${hashes.get(hash)}`);
    hashes.set(hash, version.id);
    if (version.parentId !== null && !specs.has(version.parentId)) throw refuse(`${where}.parentId ${version.parentId} is not an earlier model version in the bundle`);
    specs.set(version.id, version.spec as ModelSpec);
  });

  const sources = new Map<number, DatasetRef>();
  unique(manifest.datasets.map((d) => d.id), 'dataset');
  const fingerprints = new Set<string>();
  manifest.datasets.forEach((dataset, i) => {
    const parsed = DatasetRefSchema.safeParse(dataset.source, { reportInput: true });
    if (!parsed.success) throw refuse(`datasets[${i}].source: ${formatIssues(parsed.error.issues, dataset.source).map((e) => e.message).join('; ')}`);
    if (fingerprints.has(dataset.fingerprint)) throw refuse(`datasets[${i}].fingerprint appears twice`);
    fingerprints.add(dataset.fingerprint);
    sources.set(dataset.id, parsed.data);
  });

  const configs = new Map<number, TrainingConfig>();
  const metrics = new Map<number, MetricPoint[]>();
  unique(manifest.runs.map((r) => r.id), 'run');
  manifest.runs.forEach((run, i) => {
    const where = `runs[${i}]`;
    if (!specs.has(run.modelVersionId)) throw refuse(`${where}.modelVersionId ${run.modelVersionId} is not a model version in the bundle`);
    if (!sources.has(run.datasetId)) throw refuse(`${where}.datasetId ${run.datasetId} is not a dataset in the bundle`);
    const config = parseTrainingConfig(run.config);
    if (!config.ok) throw refuse(`${where}.config: ${config.errors.map((e) => e.message).join('; ')}`);
    configs.set(run.id, config.value);
    const bytes = take(run.metrics, `run ${run.id}'s metrics`);
    const points = decodeMetrics(bytes, run.metrics.path);
    if (points.length !== run.metrics.points) throw refuse(`${run.metrics.path} holds ${points.length} points, but manifest.json says ${run.metrics.points}`);
    metrics.set(run.id, points);
  });

  const runIds = new Set(manifest.runs.map((r) => r.id));
  const blobs = new Map<string, Uint8Array>();
  unique(manifest.checkpoints.map((c) => c.id), 'checkpoint');
  const single = new Set<string>();
  manifest.checkpoints.forEach((checkpoint, i) => {
    const what = `checkpoint ${checkpoint.id} (run ${checkpoint.runId}, epoch ${checkpoint.epoch})`;
    if (!runIds.has(checkpoint.runId)) throw refuse(`checkpoints[${i}].runId ${checkpoint.runId} is not a run in the bundle`);
    // Epochs count from 0: a run configured for N epochs has checkpoints of epochs 0 … N − 1 only.
    const epochs = configs.get(checkpoint.runId)!.epochs;
    if (checkpoint.epoch >= epochs) {
      throw refuse(`checkpoints[${i}].epoch ${checkpoint.epoch} is not an epoch of run ${checkpoint.runId}, which trains epochs 0–${epochs - 1}`);
    }
    const inner = checkpoint.manifest;
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner) && 'epoch' in inner && inner.epoch !== checkpoint.epoch) {
      throw refuse(`checkpoints[${i}].manifest.epoch ${JSON.stringify(inner.epoch)} differs from the checkpoint's epoch ${checkpoint.epoch}`);
    }
    if (checkpoint.kind !== 'periodic') {
      const key = `${checkpoint.runId}:${checkpoint.kind}`;
      if (single.has(key)) throw refuse(`run ${checkpoint.runId} has more than one "${checkpoint.kind}" checkpoint`);
      single.add(key);
    }
    blobs.set(checkpoint.weights.path, take(checkpoint.weights, what));
    blobs.set(checkpoint.optimizer.path, take(checkpoint.optimizer, what));
  });

  unique(manifest.comparisons.map((c) => c.id), 'comparison');
  manifest.comparisons.forEach((comparison, i) => {
    for (const runId of comparison.runIds) {
      if (!runIds.has(runId)) throw refuse(`comparisons[${i}].runIds: ${runId} is not a run in the bundle`);
    }
    if (new Set(comparison.runIds).size !== comparison.runIds.length) throw refuse(`comparisons[${i}].runIds lists a run twice`);
    const base = comparison.baseRunId ?? null;
    if (base !== null && !comparison.runIds.includes(base)) throw refuse(`comparisons[${i}].baseRunId ${base} is not one of its runIds`);
  });

  checkSweeps(manifest.sweeps ?? [], runIds);

  for (const name of files.keys()) {
    if (!listed.has(name)) throw refuse(`entry ${name} is not listed in manifest.json`);
  }
  return { manifest, specs, sources, configs, metrics, blobs };
}

function parseManifest(files: Map<string, InflatedEntry>, limits: BundleLimits): BundleManifest {
  const bytes = files.get('manifest.json')?.bytes;
  if (!bytes) throw refuse('manifest.json is missing');
  let raw: unknown;
  try {
    raw = JSON.parse(strFromU8(bytes));
  } catch (error) {
    throw refuse(`manifest.json is not valid JSON: ${(error as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw refuse('manifest.json is not a JSON object');
  const head = raw as { format?: unknown; formatVersion?: unknown };
  if (head.format !== BUNDLE_FORMAT) throw refuse(`manifest.json format is ${JSON.stringify(head.format ?? null)}, not "${BUNDLE_FORMAT}"`);
  const v = head.formatVersion;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < OLDEST_BUNDLE_FORMAT_VERSION || v > BUNDLE_FORMAT_VERSION) {
    const reads = `${OLDEST_BUNDLE_FORMAT_VERSION}–${BUNDLE_FORMAT_VERSION}`;
    throw refuse(
      typeof v === 'number' && Number.isInteger(v) && v > BUNDLE_FORMAT_VERSION
        ? `bundle format version ${v} is newer than this Layerwise reads (${reads}): update Layerwise to import it`
        : `bundle format version ${JSON.stringify(v ?? null)} is not one this Layerwise reads (${reads})`,
      { formatVersion: v },
    );
  }
  const parsed = manifestSchema(limits).safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    throw refuse(`manifest.json: ${formatIssues(parsed.error.issues, raw).map((e) => e.message).slice(0, 5).join('; ')}`);
  }
  return parsed.data;
}

function decodeMetrics(bytes: Uint8Array, path: string): MetricPoint[] {
  let raw: MetricsFile;
  try {
    raw = JSON.parse(strFromU8(bytes)) as MetricsFile;
  } catch (error) {
    throw refuse(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  const bad = (what: string) => refuse(`${path}: ${what}`);
  if (raw === null || typeof raw !== 'object' || !Array.isArray(raw.series)) throw bad('must be an object with a series array');
  const points: MetricPoint[] = [];
  const names = new Set<string>();
  raw.series.forEach((s, i) => {
    const where = `series[${i}]`;
    if (s === null || typeof s !== 'object') throw bad(`${where} must be an object`);
    if (typeof s.name !== 'string' || s.name.length === 0 || s.name.length > 100) throw bad(`${where}.name must be a non-empty string of at most 100 characters`);
    if (names.has(s.name)) throw bad(`${where}.name ${JSON.stringify(s.name)} appears twice`);
    names.add(s.name);
    if (!Array.isArray(s.epochs) || !Array.isArray(s.steps) || !Array.isArray(s.values)) throw bad(`${where} must have epochs, steps and values arrays`);
    if (s.steps.length !== s.epochs.length || s.values.length !== s.epochs.length) throw bad(`${where}: epochs, steps and values differ in length`);
    const seen = new Set<string>();
    for (let j = 0; j < s.epochs.length; j++) {
      const epoch = s.epochs[j];
      const step = s.steps[j];
      const value = s.values[j];
      if (!Number.isSafeInteger(epoch) || (epoch as number) < 0) throw bad(`${where}.epochs[${j}] must be an integer >= 0 (got ${JSON.stringify(epoch)})`);
      if (step !== null && (!Number.isSafeInteger(step) || (step as number) < 0)) throw bad(`${where}.steps[${j}] must be an integer >= 0 or null (got ${JSON.stringify(step)})`);
      const key = `${epoch}:${step}`;
      if (seen.has(key)) throw bad(`${where} has two points at epoch ${epoch}, step ${step}`);
      seen.add(key);
      let v: number;
      if (value === null) v = Number.NaN;
      else if (value === 'Infinity') v = Infinity;
      else if (value === '-Infinity') v = -Infinity;
      else if (typeof value === 'number') v = value;
      else throw bad(`${where}.values[${j}] must be a number, null, "Infinity" or "-Infinity" (got ${JSON.stringify(value)})`);
      points.push({ name: s.name, epoch: epoch as number, step: step as number | null, value: v });
    }
  });
  return points;
}

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
