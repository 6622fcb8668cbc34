// Reading and checking a whole project bundle before anything is written (./bundle.ts says what it holds):
// zip structure and sizes, the manifest, cross references, every entry's size and sha256, specs, configs, metrics.

import { strFromU8 } from 'fflate';
import { checkModelSpec, DatasetRefSchema, formatIssues, parseTrainingConfig, type DatasetRef, type ModelSpec, type TrainingConfig } from '../../shared/index.js';
import { InputFileError, readFileLimited } from '../files/read.js';
import { inflateEntries, readCentralDirectory, refuseBundle as refuse, type InflatedEntry, type InflateStats } from './bundle-zip.js';
import { canonicalJson, sha256Hex } from './canonical.js';
import { checkSweeps } from './bundle-sweeps.js';
import type { MetricPoint } from './types.js';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, DEFAULT_BUNDLE_LIMITS, manifestSchema, OLDEST_BUNDLE_FORMAT_VERSION, type BundleLimits, type BundleManifest, type MetricsFile } from './bundle-manifest.js';

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
