// The one implementation of the API (shared/api/contract.ts) over the store, the engine's data and the
// run queue. Transports (Electron IPC, the browser host) call `dispatch`, which checks the input with the
// contract's schema first; `handlers` take inputs already checked (the IPC transport checks them itself).
// Every failure leaves as an ApiError: a store error keeps its code in `details.storeCode`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiError,
  MAX_BUNDLE_BYTES,
  type ApiHandlers,
  type ApiInput,
  type ApiMethod,
  type ApiOutput,
  type DatasetPreview,
  type LayerwiseApi,
  type SpecCheckResult,
} from '../../shared/api/contract.js';
import { createApiClient } from '../../shared/api/client.js';
import { EventHub } from '../../shared/api/events.js';
import { validateInput } from '../../shared/api/validate.js';
import {
  checkFit,
  checkModelSpec,
  dataTrickProblems,
  datasetRefShape,
  KNOWN_DATASETS,
  tokenInputProblem,
  expandSpec,
  inferForTraining,
  parseTrainingConfig,
  TRICKS,
  type DatasetRef,
  type DraftInput,
  type ModelSpec,
  type Preset,
  type SpecError,
  type TrainingConfig,
} from '../../shared/index.js';
import { labelOf, loadDataset, type Dataset as LoadedDataset } from '../engine/data/dataset.js';
import type { TrainerProcess } from '../engine/trainer-client.js';
import { RunQueue } from '../runs/queue.js';
import type { QueueOrderStore } from '../runs/queue-order.js';
import { findPreset, loadPresets, PresetError } from '../presets/load.js';
import { checkBundle, exportBundle, importCheckedBundle, StoreError, type CheckedBundle, type Store } from '../store/index.js';
import { checkpointDto, curvesDto, reportDto, runDto, runListItemDto, seriesDto } from '../runs/dto.js';
import { ablate, fork, repeat, runOr404 } from './groups.js';
import { lessonVerdict, listLessons, startLesson } from './lessons.js';
import { exportCheckpoint } from './model-export.js';
import { getDraft, presetDraft, saveDraft } from './drafts.js';
import { Predictor } from './predict.js';
import { conflict, toApiError } from './errors.js';
import { createRunRecord, splitOf } from '../runs/recorder.js';
import { withThreadCount } from '../runs/threads.js';
import { ThreadsError } from '../engine/threads/settings.js';
import { DatasetImportError } from '../datasets/errors.js';
import { fileKindOf, importDatasetFile, type DatasetFileImport } from '../datasets/import.js';
import { registerDataset, tokensText } from '../datasets/register.js';
import { scalingKind } from '../engine/data/scaling.js';
import { augmentedSamples } from './augment-preview.js';
import { KnownDatasetMissing, presetDataset } from '../datasets/known.js';
import { UploadArea, UploadError, uploadRequest, type UploadKind } from '../datasets/uploads.js';
import { SweepManager } from '../sweeps/manager.js';
import { SweepSpecError } from '../sweeps/errors.js';

export interface ServicesOptions {
  store: Store;
  /** The run queue; made here (and started) when not given, from the options below. */
  queue?: RunQueue;
  spawnTrainer?: () => TrainerProcess;
  concurrency?: number;
  queueOrder?: QueueOrderStore;
  /** The app's version, for `app.info`. */
  version?: string;
  /** The bundled presets (loaded from resources/presets when not given). */
  presets?: () => Preset[];
  /** Errors that are not the caller's fault (bugs, the disk): logged by the host. */
  onInternalError?(method: string, error: unknown): void;
  log?: (message: string) => void;
  /**
   * The desktop app's file dialog (`datasets.choosePath`): with it the page picks files natively and `app.info` says
   * `files: dialog`; without it (a browser) the page uploads them.
   */
  chooseDatasetPath?: (kind: UploadKind) => Promise<string | null>;
  /** The sweeps; made here over the queue when not given (and the sweeps left running continue). */
  sweeps?: SweepManager;
}

export interface Services {
  /** Inputs already checked (validateInput); what the Electron transport calls. */
  readonly handlers: ApiHandlers;
  /** Checks the input with the contract's schema, then runs the method. Rejects with ApiError only. */
  dispatch(method: string, input: unknown): Promise<unknown>;
  /** The API in-process, through dispatch (so inputs are checked exactly as over a transport). */
  readonly api: LayerwiseApi;
  readonly events: EventHub;
  readonly queue: RunQueue;
  readonly store: Store;
  /** Files uploaded through the browser host, until they are imported (`<data folder>/uploads`). */
  readonly uploads: UploadArea;
  readonly sweeps: SweepManager;
}

export function createServices(options: ServicesOptions): Services {
  const { store } = options;
  const queue =
    options.queue ??
    new RunQueue({
      store,
      ...(options.spawnTrainer ? { spawnTrainer: options.spawnTrainer } : {}),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.queueOrder ? { order: options.queueOrder } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  if (!options.queue) queue.start();
  const events = queue.events;
  let presetCache: Preset[] | undefined;
  const presets = () => (presetCache ??= (options.presets ?? loadPresets)());
  const previews = new Map<string, LoadedDataset>();
  const predictor = new Predictor(store);
  const uploads = new UploadArea(join(store.report.dataDir, 'uploads'));
  /** Registers an imported dataset, or refuses it naming the file, row or column; nothing is kept from a refused one. */
  const datasetImport = async (method: string, work: () => Promise<DatasetFileImport>) => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DatasetImportError) {
        throw new ApiError('invalid_input', `${error.message}; nothing was registered`, { datasetCode: error.code, ...error.where });
      }
      if (error instanceof UploadError) throw uploadError(method, error);
      throw error;
    }
  };
  // A sweep asks for N trainers at once: the studio's queue grows to N (the user chose it in the sweep's form).
  const sweeps = options.sweeps ?? new SweepManager({ store, queue, presets, raiseQueueConcurrency: true, ...(options.log ? { log: options.log } : {}) });
  if (!options.sweeps) sweeps.start();
  const sweepError = (method: string, error: unknown): never => {
    if (error instanceof SweepSpecError) {
      const errors = error.errors.map((e) => ({ path: `sweep.${e.path}`.replace(/\.$/, ''), message: `sweep.${e.message}` }));
      throw new ApiError('invalid_input', `${method}: ${errors.map((e) => e.message).join('; ')}`, { method, errors });
    }
    throw error;
  };

  const impl: ApiHandlers = {
    'app.info': async () => ({
      version: options.version ?? '0.0.0',
      dataDir: store.report.dataDir,
      interruptedRuns: store.report.interruptedRuns,
      movedAside: store.report.movedAside,
      createdDatabase: store.report.created,
      salvage: store.report.salvage,
      walDamage: store.report.walDamage,
      files: options.chooseDatasetPath ? 'dialog' : 'upload',
    }),

    // ---- projects ----
    'projects.list': async () => store.listProjects(),
    'projects.stats': async () => store.projectStats(),
    'projects.create': async ({ name, notes, presetId }) => {
      if (presetId === undefined) {
        if (name === undefined) throw invalidField('projects.create', 'name', 'must be given for a blank project (or give presetId)', undefined);
        return store.tx(() => {
          const project = store.createProject({ name, notes: notes ?? '' });
          store.drafts.save(project.id, presetDraft(null));
          return project;
        });
      }
      const preset = findPresetOr404(presetId);
      const dataset = presetDatasetOr404(preset);
      return store.tx(() => {
        const project = store.createProject({ name: name ?? preset.title, notes: notes ?? '' });
        store.saveModelVersion(project.id, preset.model);
        store.saveDataset(project.id, { source: dataset, split: splitOf(dataset) });
        store.drafts.save(project.id, presetDraft(preset, dataset));
        return project;
      });
    },
    'projects.update': async ({ id, name, notes }) => store.updateProject(id, { ...(name !== undefined ? { name } : {}), ...(notes !== undefined ? { notes } : {}) }),
    'projects.delete': async ({ id }) => {
      store.getProject(id);
      const training = queue.activeInProject(id);
      if (training.length) throw conflict(`project ${id} has runs training (${training.join(', ')}): stop them first`, { id, runIds: training });
      const runs = store.listRuns({ projectId: id });
      queue.forget(runs.map((r) => r.id));
      store.deleteProject(id);
      for (const r of runs) events.emit('onRunStatus', { runId: r.id, status: r.status, run: null });
      return null;
    },

    // ---- model versions ----
    'models.list': async ({ projectId }) => store.listModelVersions(projectId),
    'models.get': async ({ id }) => store.getModelVersion(id),
    'models.save': async ({ projectId, spec, parentId }) => store.saveModelVersion(projectId, spec as ModelSpec, { parentId: parentId ?? null }),

    // ---- catalogue ----
    'presets.list': async () => presets(),
    'tricks.list': async () => [...TRICKS],
    'spec.check': async ({ spec, config }) => checkSpec(spec, config),

    // ---- datasets ----
    'datasets.list': async ({ projectId }) => store.listDatasets(projectId),
    'datasets.preview': async ({ source, split, count, config, epoch }) => preview(source, split ?? 'train', count ?? 16, config ? { config: config as TrainingConfig, epoch: epoch ?? 0 } : null),
    'datasets.import': async (input) => {
      store.getProject(input.projectId);
      const { projectId, ...request } = input;
      let imported: DatasetFileImport;
      try {
        imported = await importDatasetFile(request, (done, total) =>
          events.emit('onDatasetImportProgress', { path: input.path, done, total }),
        );
      } catch (error) {
        if (error instanceof DatasetImportError) {
          throw new ApiError('invalid_input', `${error.message}; nothing was registered`, { datasetCode: error.code, ...error.where });
        }
        throw error;
      }
      const saved = registerDataset(store, projectId, fileKindOf(input), imported.dataset, {
        task: imported.task,
        ...(input.name ? { name: input.name } : {}),
        ...(imported.pixels ? { pixels: true } : {}),
        ...(imported.known ? { known: imported.known } : {}),
      });
      return { dataset: store.getDataset(saved.id), created: saved.created, notes: [imported.note] };
    },

    'datasets.beginUpload': async (input) => {
      try {
        return uploads.begin(input);
      } catch (error) {
        throw error instanceof UploadError ? uploadError('datasets.beginUpload', error) : error;
      }
    },
    'datasets.importUpload': async (input) => {
      store.getProject(input.projectId);
      const { projectId, uploadId, ...request } = input;
      const imported = await datasetImport('datasets.importUpload', () =>
        uploads.import(uploadId, uploadRequest(request), (done, total) => events.emit('onDatasetImportProgress', { path: `upload:${uploadId}`, done, total })),
      );
      // Kept as datasets.import keeps the same files: one byte per pixel, and recognised when it is a known dataset.
      const saved = registerDataset(store, projectId, fileKindOf(input), imported.dataset, {
        task: imported.task,
        ...(input.name ? { name: input.name } : {}),
        ...(imported.pixels ? { pixels: true } : {}),
        ...(imported.known ? { known: imported.known } : {}),
      });
      return { dataset: store.getDataset(saved.id), created: saved.created, notes: [imported.note] };
    },
    'datasets.cancelUpload': async ({ uploadId }) => {
      uploads.discard(uploadId);
      return null;
    },
    'datasets.choosePath': async ({ kind }) => {
      if (!options.chooseDatasetPath) {
        throw new ApiError('conflict', 'datasets.choosePath: this host has no file dialog (a browser): upload the files with datasets.beginUpload', { files: 'upload' });
      }
      return { path: await options.chooseDatasetPath(kind) };
    },

    // ---- runs ----
    'runs.start': async (input) => {
      const config = input.config as TrainingConfig;
      let spec: ModelSpec;
      if (input.modelVersionId !== undefined) {
        const version = store.getModelVersion(input.modelVersionId);
        if (version.projectId !== input.projectId) {
          throw invalidField('runs.start', 'modelVersionId', `is a model version of project ${version.projectId}, not ${input.projectId}`, input.modelVersionId);
        }
        spec = version.spec;
      } else {
        spec = input.spec as ModelSpec;
      }
      checkFits(spec, config, input.dataset);
      checkThreads('runs.start', config, input.backend ?? 'auto');
      store.getProject(input.projectId);
      // Model version, dataset record and run: all three or none.
      const run = store.tx(() =>
        createRunRecord(store, {
          projectId: input.projectId,
          spec,
          dataset: input.dataset,
          config,
          backend: input.backend ?? 'auto',
          presetId: input.presetId ?? null,
          name: input.name ?? null,
          parentModelVersionId: input.parentModelVersionId ?? null,
          status: 'queued',
        }),
      );
      queue.enqueue(run);
      return runDto(store.getRun(run.id));
    },
    'runs.list': async ({ projectId, status }) => {
      // A sweep's trial says so next to its run: `pruned` for a run its sweep stopped at a rung.
      const marks = store.sweeps.marks(projectId);
      return store
        .listRuns({ ...(projectId !== undefined ? { projectId } : {}), ...(status !== undefined ? { status } : {}) })
        .map((r) => ({ ...runListItemDto(r), sweep: marks.get(r.id) ?? null }));
    },
    'runs.get': async ({ id }) => runDto(store.getRun(id)),
    'runs.pause': async ({ id }) => runDto(await queue.pause(id)),
    'runs.resume': async ({ id }) => runDto(await queue.resume(id)),
    'runs.stop': async ({ id }) => runDto(await queue.stop(id)),
    'runs.delete': async ({ id }) => {
      const run = store.getRun(id);
      if (queue.isActive(id)) throw conflict(`run ${id} is ${run.status}: stop it before deleting it`, { id, status: run.status });
      queue.forget([id]);
      store.deleteRun(id);
      events.emit('onRunStatus', { runId: id, status: run.status, run: null });
      return null;
    },
    'runs.resumeFromCheckpoint': async ({ id }) => runDto(queue.resumeFromCheckpoint(id)),

    // ---- queue ----
    'queue.get': async () => queue.state(),
    'queue.reorder': async ({ runIds }) => queue.reorder(runIds),
    'queue.setConcurrency': async ({ concurrency }) => queue.setConcurrency(concurrency),

    // ---- metrics and checkpoints ----
    'metrics.series': async ({ runId, names }) => store.metricSeries(runId, names).map(seriesDto),
    'metrics.curves': async ({ runIds, names }) => store.loadCurves(runIds, names).map(curvesDto),
    'checkpoints.list': async ({ runId }) => store.listCheckpoints(runId).map(checkpointDto),
    'checkpoints.export': async ({ checkpointId, format }) => exportCheckpoint(store, checkpointId, format),

    // ---- reports, forks and groups of runs ----
    'runs.report': async ({ id }) => {
      runOr404(store, 'runs.report', 'id', id);
      const report = store.getRunReport(id);
      return report ? reportDto(report) : null;
    },
    'runs.fork': async (input) => fork({ store, queue }, input),
    'runs.ablate': async (input) => ablate({ store, queue }, input),
    'runs.repeat': async (input) => repeat({ store, queue }, input),
    'runs.predict': async (input) => predictor.predict(input),

    // ---- lessons ----
    'lessons.list': async () => listLessons(),
    'lessons.start': async (input) => startLesson({ store, queue }, input),
    'lessons.verdict': async (input) => lessonVerdict({ store, queue }, input),

    // ---- comparisons ----
    'comparisons.save': async (input) => store.saveComparison({ projectId: input.projectId, name: input.name, runIds: input.runIds, notes: input.notes ?? '' }),
    'comparisons.list': async ({ projectId }) => store.listComparisons(projectId),
    'comparisons.get': async ({ id }) => store.getComparison(id),
    'comparisons.update': async ({ id, name, runIds, notes }) =>
      store.updateComparison(id, { ...(name !== undefined ? { name } : {}), ...(runIds !== undefined ? { runIds } : {}), ...(notes !== undefined ? { notes } : {}) }),
    'comparisons.delete': async ({ id }) => {
      store.deleteComparison(id);
      return null;
    },

    // ---- sweeps ----
    'sweeps.start': async ({ projectId, sweep }) => {
      store.getProject(projectId);
      try {
        return sweeps.create(projectId, sweep);
      } catch (error) {
        return sweepError('sweeps.start', error);
      }
    },
    'sweeps.list': async ({ projectId }) => {
      store.getProject(projectId);
      return sweeps.list(projectId);
    },
    'sweeps.get': async ({ id }) => sweeps.detail(id),
    'sweeps.stop': async ({ id }) => sweeps.stop(id),
    'sweeps.resume': async ({ id }) => sweeps.resume(id),
    'sweeps.delete': async ({ id }) => {
      sweeps.delete(id);
      return null;
    },

    // ---- bundles ----
    'bundles.export': async ({ projectId }) => {
      const project = store.getProject(projectId);
      const dir = mkdtempSync(join(tmpdir(), 'layerwise-export-'));
      try {
        const result = exportBundle(store, projectId, join(dir, 'project.layerwise'));
        if (result.bytes > MAX_BUNDLE_BYTES) {
          throw new ApiError('payload_too_large', `project ${projectId} exports to ${result.bytes} bytes; the API carries at most ${MAX_BUNDLE_BYTES} (use \`layerwise bundle export\`)`, { size: result.bytes, limit: MAX_BUNDLE_BYTES });
        }
        const bytes = readFileSync(result.file);
        return {
          fileName: `${safeFileName(project.name)}.layerwise`,
          projectId,
          projectName: result.projectName,
          data: bytes.toString('base64'),
          size: bytes.byteLength,
          modelVersions: result.modelVersions,
          datasets: result.datasets,
          runs: result.runs,
          metricPoints: result.metricPoints,
          checkpoints: result.checkpoints,
          comparisons: result.comparisons,
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    'bundles.import': async ({ data }) => {
      if (data.length % 4 !== 0) throw invalidField('bundles.import', 'data', 'must be base64 whose length is a multiple of 4', `${data.length} characters`);
      const bytes = Buffer.from(data, 'base64');
      if (bytes.byteLength > MAX_BUNDLE_BYTES) throw new ApiError('payload_too_large', `bundles.import: data is ${bytes.byteLength} bytes; at most ${MAX_BUNDLE_BYTES}`, { size: bytes.byteLength });
      let bundle: CheckedBundle;
      try {
        bundle = await checkBundle(bytes);
      } catch (error) {
        if (error instanceof StoreError) throw new ApiError('invalid_input', `bundles.import: ${error.message}`, { storeCode: error.code, ...error.details });
        throw error;
      }
      const result = store.tx(() => {
        const imported = importCheckedBundle(store, bundle);
        // A bundle's queued runs never start by themselves here: they arrive stopped (resumable).
        for (const id of Object.values(imported.runIds)) if (store.getRun(id).status === 'queued') store.setRunStatus(id, 'stopped');
        return imported;
      });
      return { ...result, runIds: Object.fromEntries(Object.entries(result.runIds).map(([k, v]) => [String(k), v])) };
    },

    // ---- studio state (issue 17): drafts and preferences ----
    'drafts.get': async ({ projectId }) => getDraft(store, projectId, presets()),
    'drafts.save': async ({ projectId, draft }) => saveDraft(store, projectId, draft as DraftInput),
    'settings.get': async () => store.settings.get(),
    'settings.update': async (patch) => store.settings.update(patch),
  };

  function findPresetOr404(id: string): Preset {
    try {
      return findPreset(id, presets());
    } catch (error) {
      if (error instanceof PresetError) throw new ApiError('not_found', error.message, { presetId: id, known: presets().map((p) => p.id) });
      throw error;
    }
  }

  /** A preset's data; one that needs an import not done yet is refused with the import command (never replaced). */
  function presetDatasetOr404(preset: Preset): DatasetRef {
    try {
      return presetDataset(store, preset);
    } catch (error) {
      if (error instanceof KnownDatasetMissing) {
        throw new ApiError('not_found', error.message, { presetId: preset.id, needs: error.known, importCommand: KNOWN_DATASETS[error.known].importCommand });
      }
      throw error;
    }
  }

  function preview(source: DatasetRef, split: DatasetPreview['split'], count: number, augment: { config: TrainingConfig; epoch: number } | null): DatasetPreview {
    const key = JSON.stringify(source);
    let data = previews.get(key);
    if (!data) {
      data = loadDataset(source);
      if (previews.size >= 4) previews.delete(previews.keys().next().value!);
      previews.set(key, data);
    }
    const part = data[split];
    const features = data.inputShape.reduce((a, b) => a * b, 1);
    const k = data.numClasses;
    const histogram = new Array<number>(k).fill(0);
    for (let i = 0; i < part.count; i++) histogram[labelOf(part.y, i, k)]! += 1;
    const samples = Array.from({ length: Math.min(count, part.count) }, (_, i) => {
      const row = part.x.subarray(i * features, (i + 1) * features);
      const text = tokensText(data, row);
      return { features: Array.from(row), label: labelOf(part.y, i, k), ...(text !== null ? { text } : {}) };
    });
    return {
      name: data.name,
      inputShape: [...data.inputShape],
      numClasses: k,
      classNames: [...data.classNames],
      split,
      counts: { train: data.train.count, validation: data.validation.count, test: data.test.count },
      ...(data.splitNote ? { splitNote: data.splitNote } : {}),
      ...(augment ? augmentedOf(data, datasetRefShape(source).name, split, augment.config, augment.epoch, samples.length) : {}),
      samples,
      histogram,
      ...(data.vocabulary !== undefined ? { vocabulary: data.vocabulary } : {}),
    };
  }

  const handlers = Object.fromEntries(
    (Object.keys(impl) as ApiMethod[]).map((method) => [
      method,
      async (input: never) => {
        try {
          return await (impl[method] as (input: unknown) => Promise<unknown>)(input);
        } catch (error) {
          const apiError = toApiError(error, method);
          if (apiError.code === 'internal') options.onInternalError?.(method, error);
          throw apiError;
        }
      },
    ]),
  ) as unknown as ApiHandlers;

  const dispatch = async (method: string, input: unknown): Promise<unknown> => {
    const checked = validateInput(method, input) as ApiInput<ApiMethod>;
    const result = await (handlers[method as ApiMethod] as (input: unknown) => Promise<ApiOutput<ApiMethod>>)(checked);
    return result === undefined ? null : result;
  };

  return { handlers, dispatch, api: createApiClient(dispatch), events, queue, store, uploads, sweeps };
}

/** An upload's refusal as the API's error, naming the field. */
export function uploadError(method: string, error: UploadError): ApiError {
  const code = error.code === 'not_found' ? 'not_found' : error.code === 'too_large' ? 'payload_too_large' : error.code === 'conflict' ? 'conflict' : 'invalid_input';
  const details = error.field ? { method, errors: [{ path: error.field, message: error.message }] } : { method };
  return new ApiError(code, `${method}: ${error.message}`, details);
}

/** A thread count this machine cannot run (config.threads above twice its physical cores) is refused, naming it. */
function checkThreads(method: string, config: TrainingConfig, backend: string): void {
  try {
    withThreadCount(config, backend);
  } catch (error) {
    if (!(error instanceof ThreadsError)) throw error;
    const spec: SpecError = { path: 'config.threads', message: error.message };
    throw new ApiError('invalid_input', `${method}: ${error.message}`, { method, errors: [spec] });
  }
}

function invalidField(method: string, field: string, text: string, value: unknown): ApiError {
  const shown = value === undefined ? 'nothing' : typeof value === 'string' ? value : JSON.stringify(value);
  const error: SpecError = { path: field, message: `${field} ${text} (got ${shown})` };
  return new ApiError('invalid_input', `${method}: ${error.message}`, { method, errors: [error] });
}

/** `spec.check`: the spec's errors (paths as in the editor), or the shapes of the model that trains. */
export function checkSpec(spec: unknown, config: unknown): SpecCheckResult {
  const checked = checkModelSpec(spec);
  const errors: SpecError[] = [...checked.errors];
  let parsed: TrainingConfig | null = null;
  if (config !== undefined) {
    const result = parseTrainingConfig(config);
    if (result.ok) parsed = result.value;
    else errors.push(...result.errors.map((e) => ({ path: `config.${e.path}`.replace(/\.$/, ''), message: `config.${e.message}` })));
  }
  if (!checked.spec) return { ok: false, errors, info: null, expanded: null };
  const expanded = parsed ? expandSpec(checked.spec, parsed) : null;
  // With a config, the training-memory estimate too (shared/limits/spec.ts): an untrainable run is refused before it is queued.
  const info = expanded && parsed ? inferForTraining(expanded, parsed) : (checked.info ?? null);
  if (expanded && info) for (const e of info.errors) if (!errors.some((x) => x.message === e.message)) errors.push(e);
  return { ok: errors.length === 0, errors, info, expanded };
}

/** The preview's augmented samples: training batches only (validation and test data are never augmented). */
function augmentedOf(data: LoadedDataset, name: string, split: DatasetPreview['split'], config: TrainingConfig, epoch: number, count: number): Pick<DatasetPreview, 'augmented'> {
  if (split !== 'train') {
    throw new ApiError('invalid_input', `datasets.preview: config is for the training split's augmentations (validation and test data are never augmented); ask for split train`, { method: 'datasets.preview' });
  }
  const { samples, applied } = augmentedSamples(data, name, config, epoch, count);
  return { augmented: { epoch, tricks: applied, samples } };
}

/** The data's input shape and classes, without loading it. */
function datasetShape(ref: DatasetRef): { name: string; inputShape: number[]; classes: number; vocabulary?: number } {
  return datasetRefShape(ref);
}

/** Refuses a run whose model cannot take the data or whose loss cannot read its head (the trainer would fail, or train nonsense). */
function checkFits(spec: ModelSpec, config: TrainingConfig, dataset: DatasetRef): void {
  const errors = checkFit(spec, config, datasetShape(dataset)).map((e) => ({ path: `spec.${e.path}`, message: `spec.${e.message}` }));
  // The model as it trains, with its training-memory estimate (shared/limits/spec.ts): refused before it is queued.
  for (const e of inferForTraining(expandSpec(spec, config), config).errors) {
    const message = `spec.${e.message}`;
    if (!errors.some((x) => x.message === message)) errors.push({ path: `spec.${e.path}`, message });
  }
  const { name, inputShape } = datasetShape(dataset);
  for (const e of dataTrickProblems(config, { name, inputShape })) errors.push({ path: `config.${e.path}`, message: `config.${e.message}` });
  const tokens = tokenInputProblem(expandSpec(spec, config), datasetShape(dataset), scalingKind(config));
  if (tokens) errors.push({ path: 'dataset', message: tokens });
  if (errors.length) throw new ApiError('invalid_input', `runs.start: ${errors.map((e) => e.message).join('; ')}`, { method: 'runs.start', errors });
}

function safeFileName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9 ._-]+/g, '-').replace(/^[.\s-]+|[.\s-]+$/g, '').slice(0, 80);
  return cleaned || 'project';
}
