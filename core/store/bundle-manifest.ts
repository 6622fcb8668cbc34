// A project bundle's manifest: the format's constants and limits and the zod schema every row is checked with
// (./bundle.ts says what a bundle holds).

import { z } from 'zod';
import { BUNDLE_LIMITS, nameProblem, notesProblem } from '../../shared/limits/inputs.js';
import type { ZipLimits } from './bundle-zip.js';
import { sweepBundleSchema } from './bundle-sweeps.js';
import { CHECKPOINT_KINDS, COMPARISON_KINDS, RUN_STATUSES } from './schema.js';
import { MAX_CHECKPOINT_PART_BYTES } from './store.js';
import type { JsonValue } from './types.js';

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

export function manifestSchema(limits: BundleLimits) {
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
export interface MetricsFile {
  series: { name: string; epochs: number[]; steps: (number | null)[]; values: (number | null | 'Infinity' | '-Infinity')[] }[];
}
