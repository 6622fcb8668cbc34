// The one API between the studio's page and the Node side, carried by two transports: Electron IPC
// (ipcMain.handle per method, channel `layerwise:<method>`) and the browser host (HTTP POST
// `/api/<method>`, Server-Sent Events for pushes). Like VS Code's ProxyChannel: a flat list of methods
// `namespace.verb`, each with a zod schema for its input, checked on the receiving side
// (`validateInput` in ./validate.ts) before anything runs; a typed output; errors as `{code, message,
// details}` (./errors.ts). Pushed events are named `onX`.
//
// Stable surface for transports: API_SCHEMAS, API_METHODS, ApiMethod, ApiInput, ApiOutput, LayerwiseApi,
// LayerwiseEvents, EVENT_NAMES, ApiEventPayloads, channelOf, eventChannelOf, ApiError, ApiEnvelope.
import { z } from 'zod';
import { DatasetRefSchema } from '../data/dataset-ref.js';
import { SERIES_IMPORT_FIELDS, TEXT_IMPORT_FIELDS } from '../data/sequence-import.js';
import { IMAGE_LIMITS, NAME_MAX_CHARS, nameProblem, NOTES_MAX_CHARS, notesProblem, UPLOAD_LIMITS } from '../limits/inputs.js';
import type { Preset } from '../presets/preset.js';
import { BACKEND_NAMES, type BackendChoice } from '../protocol/training.js';
import { LIMITS } from '../tricks/config.js';
import type { SpecError } from '../spec/errors.js';
import type { ModelInfo } from '../spec/inference.js';
import type { ModelSpec } from '../spec/model-spec.js';
import type { TrickDescriptor } from '../tricks/descriptor.js';
import type { ParamValue } from '../tricks/descriptor.js';
import type { TrickId } from '../tricks/registry.js';
import type {
  BundleExport,
  BundleImport,
  LessonInfo,
  LessonVerdict,
  ModelExport,
  RunGroupResult,
  RunReport,
  Checkpoint,
  Comparison,
  Dataset,
  DatasetImportProgress,
  DatasetPreview,
  ImportedDataset,
  HostInfo,
  MetricSeries,
  ModelVersion,
  Prediction,
  Project,
  ProjectStats,
  QueueState,
  Run,
  RunCheckpointEvent,
  RunCurves,
  RunEpochEvent,
  RunListItem,
  RunProgressEvent,
  RunStatusEvent,
  SavedModelVersion,
  UploadTicket,
} from './entities.js';
import { RUN_STATUSES } from '../runs/statuses.js';
import { LESSON_BUDGETS, UPLOAD_KINDS } from './entities.js';
import { DraftInputSchema, type ProjectDraft } from '../drafts/draft.js';
import { SettingsPatchSchema, type AppSettings } from '../settings/settings.js';
import { SweepSpecSchema } from '../sweeps/spec.js';
import type { Sweep, SweepDetail, SweepEvent } from '../sweeps/entities.js';

export * from './errors.js';
export type * from './entities.js';
export type * from '../sweeps/entities.js';
export { RUN_STATUSES } from '../runs/statuses.js';
export { CHECKPOINT_KIND_VALUES, COMPARISON_KIND_VALUES, LESSON_BUDGETS, UPLOAD_KINDS } from './entities.js';

// ---- limits ----

/** The largest JSON request any method but `bundles.import` accepts (the browser host enforces it). */
export const MAX_REQUEST_BYTES = 1024 * 1024;
/** The largest .layerwise bundle that crosses the API (as base64, a third more). */
export const MAX_BUNDLE_BYTES = 128 * 1024 * 1024;
export const MAX_BUNDLE_BASE64_CHARS = Math.ceil(MAX_BUNDLE_BYTES / 3) * 4;
/** Nesting deeper than this is refused before validation (a spec nests blocks a few levels at most). */
export const MAX_INPUT_DEPTH = 32;
/** Keys refused anywhere in an input: they would reach Object.prototype through a careless merge. */
export const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
/** Samples `datasets.preview` returns at most. */
export const MAX_PREVIEW_SAMPLES = 200;
export const MAX_CONCURRENCY = 16;
/** Misclassified test samples a run report carries at most. */
export const MAX_MISCLASSIFIED = 48;
/** Seeds "Repeat with N seeds" and an ablation may ask for. */
export const MAX_SEEDS = 10;
/** Rows and raw values one `runs.predict` call may carry (a 512 × 512 RGB image is 786,432 values: resize it first). */
export const MAX_PREDICT_ROWS = 16;
export const MAX_PREDICT_VALUES = 262_144;
/** The largest `runs.predict` request: MAX_PREDICT_VALUES numbers of up to ~16 characters of JSON each. */
export const MAX_PREDICT_REQUEST_BYTES = 4 * 1024 * 1024;

/** The request size limit of a method (bytes of JSON). */
export function maxRequestBytesOf(method: string): number {
  if (method === 'runs.predict') return MAX_PREDICT_REQUEST_BYTES;
  return method === 'bundles.import' ? MAX_BUNDLE_BASE64_CHARS + 64 * 1024 : MAX_REQUEST_BYTES;
}

// ---- field schemas ----

const id = z
  .number({ error: 'must be a positive integer' })
  .int({ error: 'must be a positive integer' })
  .min(1, { error: 'must be a positive integer' });

/** Names of projects, runs, datasets and comparisons: one rule for every transport and the CLI (shared/limits/inputs.ts). */
const name = z
  .string({ error: 'must be a string' })
  .max(NAME_MAX_CHARS, { error: `must be at most ${NAME_MAX_CHARS} characters` })
  .superRefine((s, ctx) => {
    const problem = nameProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const notes = z
  .string({ error: 'must be a string' })
  .max(NOTES_MAX_CHARS, { error: `must be at most ${NOTES_MAX_CHARS} characters` })
  .superRefine((s, ctx) => {
    const problem = notesProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const uploadId = z.string({ error: 'must be an upload id' }).regex(/^[0-9a-f]{32}$/, { error: 'must be an upload id (32 hex digits from datasets.beginUpload)' });
const importPath = z.string({ error: 'must be a path' }).min(1, { error: 'must not be empty' }).max(4096, { error: 'must be at most 4096 characters' });
const sideError = { error: `must be an integer in [${IMAGE_LIMITS.minSide}, ${IMAGE_LIMITS.maxSide}]` };
const imageSide = z.number(sideError).int(sideError).min(IMAGE_LIMITS.minSide, sideError).max(IMAGE_LIMITS.maxSide, sideError);

/** A path on the machine the host runs on. */
const filePath = importPath;
/** What the page's own files can be: a CSV file, an image folder, a folder of IDX files or of CIFAR batches. */
const uploadKind = z.enum(UPLOAD_KINDS, { error: `must be ${UPLOAD_KINDS.join(', ')}` });

const idList = (max: number) =>
  z
    .array(id, { error: 'must be a list of ids' })
    .max(max, { error: `must list at most ${max} ids` })
    .refine((ids) => new Set(ids).size === ids.length, { error: 'must not list an id twice' });

const metricNames = z
  .array(z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(100, { error: 'must be at most 100 characters' }), {
    error: 'must be a list of metric names',
  })
  .max(500, { error: 'must list at most 500 names' });

/** What a config may leave out: tricks, and any trick parameter (defaults fill them in). */
export interface TrainingConfigInput {
  epochs: number;
  batchSize: number;
  seed: number;
  /** A trick is on when its id is a key; `true` means on with the defaults. */
  tricks?: Partial<Record<TrickId, Partial<Record<string, ParamValue>> | true>>;
}

// The spec and the config are checked in full (every layer's shape, every trick parameter) by
// validateInput after the schema, so that their errors read exactly as the editor and the CLI show them.
const specField = z.custom<ModelSpec>((v) => v !== undefined, { error: 'is required' });
const configField = z.custom<TrainingConfigInput>((v) => v !== undefined, { error: 'is required' });

const backend = z.enum(['auto', ...BACKEND_NAMES], { error: `must be one of auto, ${BACKEND_NAMES.join(', ')}` });

const empty = z.strictObject({});
const byId = z.strictObject({ id });

// ---- methods ----

/** Every method with the schema of its input. Names are `namespace.verb`; inputs are always objects. */
export const API_SCHEMAS = {
  'app.info': empty,

  'projects.list': empty,
  /** Per project: runs, runs training or queued, and the best final validation accuracy (one query for the list). */
  'projects.stats': empty,
  /** A blank project, or one seeded from a preset (its model saved as the first version, its data recorded). */
  'projects.create': z.strictObject({
    name: name.optional(),
    notes: notes.optional(),
    presetId: z.string({ error: 'must be a string' }).max(100, { error: 'must be at most 100 characters' }).optional(),
  }),
  /** Rename a project, or change its notes. */
  'projects.update': z.strictObject({ id, name: name.optional(), notes: notes.optional() }),
  /** Deletes the project and everything in it; refused (conflict) while one of its runs has a trainer. */
  'projects.delete': byId,

  'models.list': z.strictObject({ projectId: id }),
  'models.get': byId,
  /** Keeps a spec as a model version (an identical spec returns the existing version, `created: false`). */
  'models.save': z.strictObject({ projectId: id, spec: specField, parentId: id.nullable().optional() }),

  'presets.list': empty,
  'tricks.list': empty,
  /** Shapes and parameter counts of a spec (expanded by the config's structural tricks when given), or its errors. */
  'spec.check': z.strictObject({ spec: z.unknown(), config: configField.optional() }),

  'datasets.list': z.strictObject({ projectId: id }),
  /**
   * Registers the user's own data, read from a path on the machine the host runs on (the desktop app, or the
   * box `layerwise serve` runs on): a CSV file (a table, or text or series sequences), a folder of class sub-folders
   * of PNG/JPEG images, IDX files or CIFAR batches. Progress
   * arrives as onDatasetImportProgress; a bad file is refused naming the file, row or column, and nothing is kept.
   */
  'datasets.import': z.discriminatedUnion(
    'kind',
    [
      z.strictObject({
        kind: z.literal('csv'),
        projectId: id,
        path: z.string({ error: 'must be a path' }).min(1, { error: 'must not be empty' }).max(4096, { error: 'must be at most 4096 characters' }),
        name: name.optional(),
        target: z.union([z.string().min(1).max(200), z.number().int().min(0)], { error: 'must be a column name or 0-based index' }).optional(),
        header: z.enum(['yes', 'no', 'auto'], { error: 'must be yes, no or auto' }).optional(),
        impute: z.boolean({ error: 'must be true or false' }).optional(),
        task: z.enum(['classification', 'regression'], { error: 'must be classification or regression' }).optional(),
      }),
      z.strictObject({
        kind: z.literal('images'),
        projectId: id,
        path: z.string({ error: 'must be a path' }).min(1, { error: 'must not be empty' }).max(4096, { error: 'must be at most 4096 characters' }),
        name: name.optional(),
        size: z.tuple([imageSide, imageSide], { error: `must be [height, width], each an integer in [${IMAGE_LIMITS.minSide}, ${IMAGE_LIMITS.maxSide}]` }).optional(),
        rgb: z.boolean({ error: 'must be true or false' }).optional(),
      }),
      // IDX files (MNIST, Fashion-MNIST, KMNIST, EMNIST): `path` a folder with the standard names, or the
      // training images file with `labels` (and the test pair); CIFAR-10/100 binary batches: `path` a folder in
      // the standard layout, or a training batch with `moreTrain` and `test`. A shipped test set stays the test split.
      z.strictObject({
        kind: z.literal('idx'),
        projectId: id,
        path: filePath,
        labels: filePath.optional(),
        testImages: filePath.optional(),
        testLabels: filePath.optional(),
        classNames: filePath.optional(),
        name: name.optional(),
      }),
      z.strictObject({
        kind: z.literal('cifar'),
        projectId: id,
        path: filePath,
        moreTrain: z.array(filePath, { error: 'must be a list of paths' }).max(100, { error: 'must list at most 100 paths' }).optional(),
        test: filePath.optional(),
        labels: z.enum(['fine', 'coarse'], { error: 'must be fine or coarse' }).optional(),
        classNames: filePath.optional(),
        name: name.optional(),
      }),
      // CSV columns as sequences (shared/data/sequence-import.ts): a text column as token ids, numeric columns in windows.
      z.strictObject({ kind: z.literal('text'), projectId: id, path: importPath, name: name.optional(), ...TEXT_IMPORT_FIELDS }),
      z.strictObject({ kind: z.literal('series'), projectId: id, path: importPath, name: name.optional(), ...SERIES_IMPORT_FIELDS }),
    ],
    { error: 'kind must be csv, images, idx, cifar, text or series' },
  ),
  /**
   * The page's own files (a browser): opens an upload of `files` files of `bytes` bytes in all, checked against the
   * caps (shared/limits/inputs.ts UPLOAD_LIMITS). The page then streams each file to the ticket's path (the browser
   * host counts every byte as it arrives) and calls `datasets.importUpload`.
   */
  'datasets.beginUpload': z.strictObject({
    kind: uploadKind,
    files: z.number({ error: `must be an integer in [1, ${UPLOAD_LIMITS.maxFiles}]` }).int({ error: `must be an integer in [1, ${UPLOAD_LIMITS.maxFiles}]` }).min(1, { error: `must be an integer in [1, ${UPLOAD_LIMITS.maxFiles}]` }).max(UPLOAD_LIMITS.maxFiles, { error: `must be an integer in [1, ${UPLOAD_LIMITS.maxFiles}]` }),
    bytes: z.number({ error: `must be an integer in [1, ${UPLOAD_LIMITS.totalBytes}]` }).int({ error: `must be an integer in [1, ${UPLOAD_LIMITS.totalBytes}]` }).min(1, { error: `must be an integer in [1, ${UPLOAD_LIMITS.totalBytes}]` }).max(UPLOAD_LIMITS.totalBytes, { error: `must be an integer in [1, ${UPLOAD_LIMITS.totalBytes}]` }),
  }),
  /**
   * Imports an upload whose files have all arrived, exactly as `datasets.import` imports a path (the same checks and
   * errors, naming the uploaded file, row or image); the upload is removed afterwards whatever the outcome.
   */
  'datasets.importUpload': z.discriminatedUnion(
    'kind',
    [
      // A table, an image folder, IDX files or CIFAR batches: every field of these kinds is accepted here, and
      // core/datasets/uploads.ts refuses one of another kind naming it (never ignored).
      z.strictObject({
        projectId: id,
        uploadId,
        kind: z.enum(['csv', 'images', 'idx', 'cifar'], { error: 'must be csv, images, idx or cifar' }),
        name: name.optional(),
        target: z.union([z.string().min(1).max(200), z.number().int().min(0)], { error: 'must be a column name or 0-based index' }).optional(),
        header: z.enum(['yes', 'no', 'auto'], { error: 'must be yes, no or auto' }).optional(),
        impute: z.boolean({ error: 'must be true or false' }).optional(),
        task: z.enum(['classification', 'regression'], { error: 'must be classification or regression' }).optional(),
        size: z.tuple([imageSide, imageSide], { error: `must be [height, width], each an integer in [${IMAGE_LIMITS.minSide}, ${IMAGE_LIMITS.maxSide}]` }).optional(),
        rgb: z.boolean({ error: 'must be true or false' }).optional(),
        /** CIFAR-100: which labels are the classes. */
        labels: z.enum(['fine', 'coarse'], { error: 'must be fine or coarse' }).optional(),
      }),
      // An uploaded CSV file read as sequences (begun as kind csv), with the options of datasets.import.
      z.strictObject({ projectId: id, uploadId, kind: z.literal('text'), name: name.optional(), ...TEXT_IMPORT_FIELDS }),
      z.strictObject({ projectId: id, uploadId, kind: z.literal('series'), name: name.optional(), ...SERIES_IMPORT_FIELDS }),
    ],
    { error: 'kind must be csv, images, idx, cifar, text or series' },
  ),
  /** Gives an upload up: its files are removed. */
  'datasets.cancelUpload': z.strictObject({ uploadId: z.string({ error: 'must be an upload id' }).regex(/^[0-9a-f]{32}$/, { error: 'must be an upload id' }) }),
  /** The desktop app: the system's file dialog picks a CSV file or a folder (images, IDX files, CIFAR batches); null when cancelled. Refused where there is no dialog (`app.info` says `files: upload`). */
  'datasets.choosePath': z.strictObject({ kind: uploadKind }),
  /**
   * The first `count` samples of a split and its class histogram; with `config`, also those samples with the
   * config's augmentations applied as at `epoch` (training split only).
   */
  'datasets.preview': z.strictObject({
    config: configField.optional(),
    epoch: z
      .number({ error: 'must be an integer in [0, 10000]' })
      .int({ error: 'must be an integer in [0, 10000]' })
      .min(0, { error: 'must be an integer in [0, 10000]' })
      .max(10_000, { error: 'must be an integer in [0, 10000]' })
      .optional(),
    source: DatasetRefSchema,
    split: z.enum(['train', 'validation', 'test'], { error: 'must be train, validation or test' }).optional(),
    count: z
      .number({ error: `must be an integer in [0, ${MAX_PREVIEW_SAMPLES}]` })
      .int({ error: `must be an integer in [0, ${MAX_PREVIEW_SAMPLES}]` })
      .min(0, { error: `must be an integer in [0, ${MAX_PREVIEW_SAMPLES}]` })
      .max(MAX_PREVIEW_SAMPLES, { error: `must be an integer in [0, ${MAX_PREVIEW_SAMPLES}]` })
      .optional(),
  }),

  /** Records a run (status `queued`) and puts it in the queue. Give `spec` or `modelVersionId`. */
  'runs.start': z
    .strictObject({
      projectId: id,
      spec: specField.optional(),
      modelVersionId: id.optional(),
      parentModelVersionId: id.nullable().optional(),
      dataset: DatasetRefSchema,
      config: configField,
      backend: backend.optional(),
      name: name.nullable().optional(),
      presetId: z.string({ error: 'must be a string' }).max(100, { error: 'must be at most 100 characters' }).nullable().optional(),
    })
    .superRefine((v, ctx) => {
      if ((v.spec === undefined) === (v.modelVersionId === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['spec'], message: 'or modelVersionId must be given (exactly one of them)' });
      }
    }),
  'runs.list': z.strictObject({
    projectId: id.optional(),
    status: z.enum(RUN_STATUSES, { error: `must be one of ${RUN_STATUSES.join(', ')}` }).optional(),
  }),
  'runs.get': byId,
  /** Pauses a running run within one batch (its trainer keeps the model in memory). */
  'runs.pause': byId,
  /** Continues a paused run. */
  'runs.resume': byId,
  /** Stops a running or paused run after the current batch, or takes a queued run out of the queue. */
  'runs.stop': byId,
  /** Deletes a run that has no trainer, with its metrics and checkpoints. */
  'runs.delete': byId,
  /** Queues an interrupted or stopped run to continue from its last checkpoint. */
  'runs.resumeFromCheckpoint': byId,

  'queue.get': empty,
  /** Moves these pending runs to the front of the queue, in this order; the others keep theirs. */
  'queue.reorder': z.strictObject({ runIds: idList(10_000).refine((ids) => ids.length > 0, { error: 'must list at least one run' }) }),
  'queue.setConcurrency': z.strictObject({
    concurrency: z
      .number({ error: `must be an integer in [1, ${MAX_CONCURRENCY}]` })
      .int({ error: `must be an integer in [1, ${MAX_CONCURRENCY}]` })
      .min(1, { error: `must be an integer in [1, ${MAX_CONCURRENCY}]` })
      .max(MAX_CONCURRENCY, { error: `must be an integer in [1, ${MAX_CONCURRENCY}]` }),
  }),

  /** A run's curves: every metric, or those named. */
  'metrics.series': z.strictObject({ runId: id, names: metricNames.optional() }),
  /** Curves of several runs, for comparing them. */
  'metrics.curves': z.strictObject({ runIds: idList(100).refine((ids) => ids.length > 0, { error: 'must list at least one run' }), names: metricNames.optional() }),

  'checkpoints.list': z.strictObject({ runId: id }),
  /** The checkpoint's model as a zip of TF.js or ONNX files, reloaded and compared before it is returned. */
  'checkpoints.export': z.strictObject({ checkpointId: id, format: z.enum(['tfjs', 'onnx'], { error: 'must be tfjs or onnx' }) }),

  /** A finished run's test evaluation: confusion matrix, misclassified samples; null while it has none. */
  'runs.report': byId,
  /**
   * "Resume from here": a new run (same model, data and config) that continues training from this checkpoint,
   * with the source run's metrics up to the checkpoint's epoch copied; queued.
   */
  'runs.fork': z.strictObject({ checkpointId: id, name: name.nullable().optional() }),
  /**
   * One-click ablation: for each trick, a sibling of the base run that differs from it in exactly that trick
   * (on → off; off → on with its defaults; a choice such as the optimizer switches to it), same seed so the
   * same batch order. With `seeds` > 1, the base and every sibling also run with seeds + 1 … + seeds − 1.
   * Everything is queued and grouped into a new comparison (kind `ablation`) that fills in live.
   */
  'runs.ablate': z.strictObject({
    runId: id,
    tricks: z
      .array(z.string({ error: 'must be a trick id' }).min(1).max(100), { error: 'must be a list of trick ids' })
      .min(1, { error: 'must list at least one trick' })
      .max(40, { error: 'must list at most 40 tricks' })
      .refine((ids) => new Set(ids).size === ids.length, { error: 'must not list a trick twice' }),
    seeds: z.number({ error: `must be an integer in [1, ${MAX_SEEDS}]` }).int({ error: `must be an integer in [1, ${MAX_SEEDS}]` }).min(1, { error: `must be an integer in [1, ${MAX_SEEDS}]` }).max(MAX_SEEDS, { error: `must be an integer in [1, ${MAX_SEEDS}]` }).optional(),
    name: name.optional(),
  }),
  /** "Repeat with N seeds": N − 1 more runs of the base with seeds + 1 … + N − 1, grouped (kind `seeds`) with it. */
  'runs.repeat': z.strictObject({
    runId: id,
    seeds: z.number({ error: `must be an integer in [2, ${MAX_SEEDS}]` }).int({ error: `must be an integer in [2, ${MAX_SEEDS}]` }).min(2, { error: `must be an integer in [2, ${MAX_SEEDS}]` }).max(MAX_SEEDS, { error: `must be an integer in [2, ${MAX_SEEDS}]` }),
  }),

  /**
   * Try the model: a run's checkpoint (`best` by default, else `last`; a run still training answers from the
   * checkpoint it has) predicts the raw rows given (as the data holds them, before input scaling: MNIST pixels
   * 0–255), scaled as in training. With `boundary: true` on a 2-D classification set, also its decision boundary.
   */
  'runs.predict': z
    .strictObject({
      runId: id,
      checkpoint: z.enum(['best', 'last'], { error: 'must be best or last' }).optional(),
      rows: z
        .array(
          z
            .array(z.number({ error: 'must be a finite number' }).finite({ error: 'must be a finite number' }), { error: 'must be a list of numbers' })
            .min(1, { error: 'must hold at least one value' })
            .max(MAX_PREDICT_VALUES, { error: `must hold at most ${MAX_PREDICT_VALUES} values` }),
          { error: 'must be a list of rows' },
        )
        .max(MAX_PREDICT_ROWS, { error: `must list at most ${MAX_PREDICT_ROWS} rows` })
        .refine((rows) => rows.reduce((n, r) => n + r.length, 0) <= MAX_PREDICT_VALUES, { error: `must hold at most ${MAX_PREDICT_VALUES} values in all` })
        .optional(),
      boundary: z.boolean({ error: 'must be true or false' }).optional(),
    })
    .refine((v) => (v.rows?.length ?? 0) > 0 || v.boundary === true, { error: 'give rows to predict, or boundary: true', path: ['rows'] }),

  'lessons.list': empty,
  /** Queues a lesson's runs (in the Lessons project, made on first use, unless projectId is given) and its comparison. */
  'lessons.start': z.strictObject({
    lessonId: z.string({ error: 'must be a lesson id' }).min(1, { error: 'must be a lesson id' }).max(100, { error: 'must be at most 100 characters' }),
    budget: z.enum(LESSON_BUDGETS, { error: `must be one of ${LESSON_BUDGETS.join(', ')}` }).optional(),
    projectId: id.optional(),
    /** Threads each run trains on (default: every physical core of the machine that queues them). */
    threads: z
      .number({ error: `must be an integer in [${LIMITS.threads.min}, ${LIMITS.threads.max}]` })
      .int({ error: `must be an integer in [${LIMITS.threads.min}, ${LIMITS.threads.max}]` })
      .min(LIMITS.threads.min, { error: `must be an integer in [${LIMITS.threads.min}, ${LIMITS.threads.max}]` })
      .max(LIMITS.threads.max, { error: `must be an integer in [${LIMITS.threads.min}, ${LIMITS.threads.max}]` })
      .optional(),
  }),
  /** The verdict of a lesson's comparison, from its runs' recorded numbers. */
  'lessons.verdict': z.strictObject({ comparisonId: id }),

  'comparisons.save': z.strictObject({ projectId: id, name, runIds: idList(100), notes: notes.optional() }),
  'comparisons.list': z.strictObject({ projectId: id }),
  'comparisons.get': byId,
  'comparisons.update': z.strictObject({ id, name: name.optional(), runIds: idList(100).optional(), notes: notes.optional() }),
  'comparisons.delete': byId,

  /** The project as a .layerwise file, base64. */
  'bundles.export': z.strictObject({ projectId: id }),
  /** Adds a .layerwise file (base64) as a new project; the whole bundle is checked before anything is written. */
  'bundles.import': z.strictObject({
    data: z
      .string({ error: 'must be a base64 string' })
      .min(1, { error: 'must not be empty' })
      .max(MAX_BUNDLE_BASE64_CHARS, { error: `must be at most ${MAX_BUNDLE_BYTES} bytes (${MAX_BUNDLE_BASE64_CHARS} base64 characters)` })
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'must be base64 (A-Z, a-z, 0-9, +, /, = padding)' }),
  }),

  // ---- studio state (issue 17): drafts and preferences ----
  /** The project's draft: the saved one, or (once, then saved) one made from the project's model, data and preset. */
  'drafts.get': z.strictObject({ projectId: id }),
  /** Replaces the project's draft as the user typed it (values being fixed included; Train checks them). */
  'drafts.save': z.strictObject({ projectId: id, draft: DraftInputSchema }),
  /** The user's preferences (theme), kept in the data folder. */
  'settings.get': empty,
  'settings.update': SettingsPatchSchema,
  /**
   * Starts a sweep (shared/sweeps/spec.ts): trials of a base run with other values for trick parameters, layer
   * fields, depth or seed, picked by grid, seeded random or TPE search, pruned by ASHA; its trials are ordinary
   * queued runs of the project. The spec is checked against its base before anything is stored.
   */
  'sweeps.start': z.strictObject({ projectId: id, sweep: SweepSpecSchema }),
  'sweeps.list': z.strictObject({ projectId: id }),
  /** A sweep with all its trials. */
  'sweeps.get': byId,
  /** Stops a running sweep resumably: its training trials stop after their batch and continue on resume. */
  'sweeps.stop': byId,
  /** Continues a stopped sweep (interrupted trials from their checkpoints). */
  'sweeps.resume': byId,
  /** Deletes a sweep that is not running, with its trials; the runs stay in the project. */
  'sweeps.delete': byId,
} as const;

export type ApiMethod = keyof typeof API_SCHEMAS;
export const API_METHODS = Object.freeze(Object.keys(API_SCHEMAS)) as readonly ApiMethod[];

export function isApiMethod(method: unknown): method is ApiMethod {
  return typeof method === 'string' && Object.prototype.hasOwnProperty.call(API_SCHEMAS, method);
}

/** A method's input as the caller writes it (optional fields may be left out). */
export type ApiInput<M extends ApiMethod> = z.input<(typeof API_SCHEMAS)[M]>;

export interface SpecCheckResult {
  ok: boolean;
  /** Each error names the path and the value: `spec.layers[3].filters must be a positive integer (got 0)`. */
  errors: SpecError[];
  /** Shapes and counts of the model that trains (the spec expanded by the config's tricks); null when unknowable. */
  info: ModelInfo | null;
  /** The spec after the config's structural tricks (batch norm, dropout, init, L1/L2); null without a config. */
  expanded: ModelSpec | null;
}

/** What each method resolves with. */
export interface ApiOutputs {
  'app.info': HostInfo;
  'projects.list': Project[];
  'projects.stats': ProjectStats[];
  'projects.create': Project;
  'projects.update': Project;
  'projects.delete': null;
  'models.list': ModelVersion[];
  'models.get': ModelVersion;
  'models.save': SavedModelVersion;
  'presets.list': Preset[];
  'tricks.list': TrickDescriptor[];
  'spec.check': SpecCheckResult;
  'datasets.list': Dataset[];
  'datasets.import': ImportedDataset;
  'datasets.preview': DatasetPreview;
  'datasets.beginUpload': UploadTicket;
  'datasets.importUpload': ImportedDataset;
  'datasets.cancelUpload': null;
  'datasets.choosePath': { path: string | null };
  'runs.start': Run;
  'runs.list': RunListItem[];
  'runs.get': Run;
  'runs.pause': Run;
  'runs.resume': Run;
  'runs.stop': Run;
  'runs.delete': null;
  'runs.resumeFromCheckpoint': Run;
  'queue.get': QueueState;
  'queue.reorder': QueueState;
  'queue.setConcurrency': QueueState;
  'metrics.series': MetricSeries[];
  'metrics.curves': RunCurves[];
  'checkpoints.list': Checkpoint[];
  'checkpoints.export': ModelExport;
  'runs.report': RunReport | null;
  'runs.fork': Run;
  'runs.ablate': RunGroupResult;
  'runs.repeat': RunGroupResult;
  'runs.predict': Prediction;
  'lessons.list': LessonInfo[];
  'lessons.start': RunGroupResult & { project: Project };
  'lessons.verdict': LessonVerdict;
  'comparisons.save': Comparison;
  'comparisons.list': Comparison[];
  'comparisons.get': Comparison;
  'comparisons.update': Comparison;
  'comparisons.delete': null;
  'bundles.export': BundleExport;
  'bundles.import': BundleImport;
  'drafts.get': ProjectDraft;
  'drafts.save': ProjectDraft;
  'settings.get': AppSettings;
  'settings.update': AppSettings;
  'sweeps.start': Sweep;
  'sweeps.list': Sweep[];
  'sweeps.get': SweepDetail;
  'sweeps.stop': Sweep;
  'sweeps.resume': Sweep;
  'sweeps.delete': null;
}

export type ApiOutput<M extends ApiMethod> = ApiOutputs[M];

// Every method has an output type and every output type a method (a compile error otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _outputsCoverMethods: Same<ApiMethod, keyof ApiOutputs> = true;
void _outputsCoverMethods;

/** One method as a function: inputs with no required field may be left out. */
export type ApiFunction<M extends ApiMethod> = Record<never, never> extends ApiInput<M>
  ? (input?: ApiInput<M>) => Promise<ApiOutput<M>>
  : (input: ApiInput<M>) => Promise<ApiOutput<M>>;

type NamespaceOf<M> = M extends `${infer N}.${string}` ? N : never;
type VerbOf<M, N extends string> = M extends `${N}.${infer V}` ? V : never;
export type ApiNamespace = NamespaceOf<ApiMethod>;

type ApiTree = { [N in ApiNamespace]: { [V in VerbOf<ApiMethod, N>]: ApiFunction<`${N}.${V}` & ApiMethod> } };

/**
 * The API as the page calls it: `api.projects.list()`, `api.runs.start({...})`. Every method is async and
 * may reject with an ApiError. Implemented once by core/services; `createApiClient` builds it over any
 * transport.
 */
export type LayerwiseApi = ApiTree;

/** The flat form the services implement and transports dispatch: `handlers['runs.get'](input)`. */
export type ApiHandlers = { [M in ApiMethod]: (input: ApiInput<M>) => Promise<ApiOutput<M>> };

/** The IPC channel of a method. */
export function channelOf(method: ApiMethod): `layerwise:${ApiMethod}` {
  return `layerwise:${method}`;
}

/** The HTTP path of a method in the browser host. */
export function pathOf(method: ApiMethod): `/api/${ApiMethod}` {
  return `/api/${method}`;
}

// ---- pushed events ----

export interface ApiEventPayloads {
  /** Coalesced by the trainer (about every 100 ms, and at every epoch end). */
  onRunProgress: RunProgressEvent;
  /** An epoch's metrics, after they are recorded. */
  onRunEpoch: RunEpochEvent;
  /** A run changed status (queued, running, paused, finished, deleted…). */
  onRunStatus: RunStatusEvent;
  /** A checkpoint was recorded. */
  onRunCheckpoint: RunCheckpointEvent;
  /** The queue's order, concurrency or active runs changed. */
  onQueueChanged: QueueState;
  /** A dataset import is under way: items (rows or images) read of the total. */
  onDatasetImportProgress: DatasetImportProgress;
  /** A sweep changed: a trial was planned, reached a rung, was pruned or finished; or the sweep's status. */
  onSweepChanged: SweepEvent;
}

export type EventName = keyof ApiEventPayloads;
export const EVENT_NAMES = Object.freeze(['onRunProgress', 'onRunEpoch', 'onRunStatus', 'onRunCheckpoint', 'onQueueChanged', 'onDatasetImportProgress', 'onSweepChanged'] as const) satisfies readonly EventName[];
const _eventsListed: Same<EventName, (typeof EVENT_NAMES)[number]> = true;
void _eventsListed;

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);
}

export type Unsubscribe = () => void;
export type EventListener<E extends EventName> = (payload: ApiEventPayloads[E]) => void;

/** Subscriptions to pushed events: `const off = api.onRunProgress((e) => …); off();`. */
export type LayerwiseEvents = { [E in EventName]: (listener: EventListener<E>) => Unsubscribe };

/** The IPC channel an event is pushed on. */
export function eventChannelOf(name: EventName): `layerwise:event:${EventName}` {
  return `layerwise:event:${name}`;
}

/** What the preload exposes as `window.layerwise`, and what the browser client gives the page. */
export type LayerwiseBridge = LayerwiseApi & LayerwiseEvents;

export type { BackendChoice };
