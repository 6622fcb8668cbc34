// `runs.predict` (Try the model): a run's checkpoint answers the page's inputs on the host. The page never loads
// tfjs: it sends raw values (a drawn digit already centred and scaled to 28 × 28 pixels of 0–255, an image resized
// to the model's input, a CSV row), the host scales them as training did (the scaling the checkpoint recorded) and
// runs the checkpoint's model on the cpu backend.
//
// Bounded so the API stays responsive: at most MAX_PREDICT_ROWS rows of MAX_PREDICT_VALUES values per call, the
// rebuilt model of the last two checkpoints kept (a second drawing costs one forward pass: a few milliseconds for
// the presets), tfjs loaded on first use only. The model's own size is already capped by the spec limits.
import { ApiError, type Prediction } from '../../shared/api/contract.js';
import { datasetRefShape, type CheckpointManifest, type DatasetRef, type DecisionBoundary } from '../../shared/index.js';
import type { Dataset as LoadedDataset } from '../engine/data/dataset.js';
import type { TrainedModel } from '../engine/inference.js';
import type { Checkpoint, Run, Store } from '../store/index.js';
import { fieldError, runOr404 } from './groups.js';

const METHOD = 'runs.predict';
const CACHED_MODELS = 2;

interface Loaded {
  model: TrainedModel;
  extent: DecisionBoundary['extent'] | null;
  classNames: string[];
}

export interface PredictInput {
  runId: number;
  checkpoint?: 'best' | 'last';
  rows?: number[][];
  boundary?: boolean;
}

export class Predictor {
  /** Checkpoint id → its rebuilt model, most recently used last. */
  private readonly cache = new Map<number, Promise<Loaded>>();

  constructor(private readonly store: Store) {}

  async predict(input: PredictInput): Promise<Prediction> {
    const run = runOr404(this.store, METHOD, 'runId', input.runId);
    const checkpoint = this.pick(run, input.checkpoint ?? 'best');
    const source = this.store.getDataset(run.datasetId).source;
    const task = source.kind === 'csv' || source.kind === 'images' ? source.task : 'classification';
    const loaded = await this.load(run, checkpoint, source);
    const { model } = loaded;
    const features = model.inputShape.reduce((a, b) => a * b, 1);
    const rows = input.rows ?? [];
    rows.forEach((row, i) => {
      if (row.length !== features) {
        throw fieldError(METHOD, `rows[${i}]`, `must hold ${features} values, the model's input [${model.inputShape.join(', ')}] (got ${row.length})`);
      }
    });
    const { predictRows, boundaryOf } = await import('../engine/inference.js');
    const outputs = rows.length ? await predictRows(model, rows) : [];
    let boundary: DecisionBoundary | null = null;
    if (input.boundary) {
      if (!loaded.extent || task !== 'classification') {
        throw fieldError(METHOD, 'boundary', `is only for a classification set of two input features (this run's input is [${model.inputShape.join(', ')}])`);
      }
      boundary = await boundaryOf(model, loaded.extent);
    }
    const argmax = (p: number[]) => p.reduce((best, v, i) => (v > p[best]! ? i : best), 0);
    return {
      runId: run.id,
      checkpoint: { id: checkpoint.id, epoch: checkpoint.epoch, kind: checkpoint.kind },
      task,
      classNames: loaded.classNames,
      inputShape: [...model.inputShape],
      inputScaling: model.scaling.kind,
      outputs,
      predicted: outputs.map((p) => (task === 'classification' ? argmax(p) : null)),
      boundary,
    };
  }

  /** The run's best checkpoint (or its latest when asked, or when it kept no best), else a conflict. */
  private pick(run: Run, which: 'best' | 'last'): Checkpoint {
    const list = this.store.listCheckpoints(run.id);
    if (list.length === 0) {
      throw new ApiError('conflict', `${METHOD}: run ${run.id} has no checkpoint yet (one is written at the end of every epoch)`, { runId: run.id, status: run.status });
    }
    const latest = (kind?: string) => [...list].filter((c) => !kind || c.kind === kind).sort((a, b) => b.epoch - a.epoch || b.id - a.id)[0];
    return (which === 'best' ? (latest('best') ?? latest()) : latest())!;
  }

  private load(run: Run, checkpoint: Checkpoint, source: DatasetRef): Promise<Loaded> {
    const hit = this.cache.get(checkpoint.id);
    if (hit) {
      this.cache.delete(checkpoint.id);
      this.cache.set(checkpoint.id, hit);
      return hit;
    }
    const loading = this.build(run, checkpoint, source);
    this.cache.set(checkpoint.id, loading);
    loading.catch(() => this.cache.delete(checkpoint.id));
    while (this.cache.size > CACHED_MODELS) {
      const [oldest, entry] = this.cache.entries().next().value!;
      this.cache.delete(oldest);
      void entry.then((l) => l.model.dispose(), () => {});
    }
    return loading;
  }

  private async build(run: Run, checkpoint: Checkpoint, source: DatasetRef): Promise<Loaded> {
    const [{ initBackend }, { loadTrainedModel, recordedScaling }, { loadDataset }, { fitScaling, scalingKind }, { boundaryExtent, hasBoundary }] = await Promise.all([
      import('../engine/backends/index.js'),
      import('../engine/inference.js'),
      import('../engine/data/dataset.js'),
      import('../engine/data/scaling.js'),
      import('../engine/training/boundary.js'),
    ]);
    await initBackend('cpu');
    const data = this.store.loadCheckpoint(checkpoint.id);
    const manifest = data.checkpoint.manifest as unknown as CheckpointManifest;
    const version = this.store.getModelVersion(run.modelVersionId);
    const shape = datasetRefShape(source);
    const planar = hasBoundary(shape.inputShape, shape.classes) && source.kind !== 'mnist';
    // The data itself is read only when the checkpoint predates recorded scaling, or for a 2-D set's plane.
    let dataset: LoadedDataset | null = null;
    const data_ = () => (dataset ??= loadDataset(source));
    const scaling = recordedScaling(manifest) ?? fitScaling(scalingKind(run.config), data_());
    let model: TrainedModel;
    try {
      model = loadTrainedModel(version.spec, run.config, manifest, data.weights, scaling);
    } catch (error) {
      throw new ApiError('conflict', `${METHOD}: checkpoint ${checkpoint.id} of run ${run.id} cannot be loaded: ${(error as Error).message}`, { checkpointId: checkpoint.id });
    }
    const report = this.store.getRunReport(run.id);
    const classNames = report?.classNames.length ? report.classNames : classNamesOf(source, shape.classes, () => data_());
    return { model, extent: planar ? boundaryExtent(data_().train) : null, classNames };
  }
}

function classNamesOf(source: DatasetRef, classes: number, load: () => LoadedDataset): string[] {
  if (source.kind === 'mnist') return Array.from({ length: 10 }, (_, d) => String(d));
  if (source.kind === 'synthetic') return Array.from({ length: classes }, (_, c) => `class ${c}`);
  return load().classNames;
}
