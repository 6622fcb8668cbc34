// The training loop (our own, not model.fit): seeded shuffling and batching, the step in phases
// (training/step.ts), evaluation, divergence detection, per-layer statistics and resumable checkpoints.
// Training tricks act through their hooks (tricks/): this file knows none by name. Backend-agnostic: the
// caller initialises the backend first. With `config.threads` > 1 on wasm, each step's gradients come from a pool
// of training threads (threads/pool.ts); everything else stays on this thread.
import * as tf from '@tensorflow/tfjs-core';
import {
  dataTrickProblems,
  datasetRefShape,
  expandSpec,
  inferForTraining,
  networkOptions,
  STATS_PROBE_SAMPLES,
  tokenInputProblem,
  type BackendName,
  type BatchProgress,
  type CheckpointPayload,
  type DatasetRef,
  type EpochMetrics,
  type EpochReport,
  type LayerStat,
  type ModelSpec,
  type StepMetric,
  type TrainingConfig,
  type TrainSummary,
} from '../../shared/index.js';
import { featureSize, loadDataset, type Dataset, type Split } from './data/dataset.js';
import { applyScaling, fitScaling, scaleRowInto, scalingKind, type Scaling } from './data/scaling.js';
import { createRng, mixSeed, permutation, withSeededMathRandom } from './data/rng.js';
import { withDropoutStream } from './kernels/dropout.js';
import { prepareHead } from './head.js';
import { Augmentations } from './tricks/augmentations.js';
import type { FinalWeights } from './tricks/hook.js';
import { LoopTricks } from './tricks/registry.js';
import { boundaryExtent, decisionBoundary, hasBoundary } from './training/boundary.js';
import { makeCheckpoint, restoreCheckpoint, type RunState } from './training/checkpoint.js';
import { TrainError } from './training/errors.js';
import { ensembleMetrics, evaluate, finalMetrics, layerStats, type Evaluation } from './training/evaluation.js';
import { createMember, disposeMember, isStopped, type Member } from './training/members.js';
import { localGradients, trainStep, type Batch, type GradientSource } from './training/step.js';
import { ThreadPool } from './threads/pool.js';
import { deviceOnThreads, trainingThreads } from './threads/settings.js';

export { TrainError };

export interface TrainEvents {
  /** Called after every batch; transports coalesce it (never one message per batch). */
  onBatch?(progress: BatchProgress): void;
  onEpoch?(report: EpochReport): void;
  /**
   * The per-layer statistics of the freshly initialised model on the probe batch, before any step (how an
   * initialisation scales the signal through the stack). Only for a run that starts from scratch.
   */
  onInit?(layers: LayerStat[]): void;
  onCheckpoint?(checkpoint: CheckpointPayload): void;
  /** At each epoch's end of a run on several threads: the live tensors in each training thread (leak checks). */
  onThreadTensors?(counts: readonly number[]): void;
}

/** Cooperative control, checked between batches: stop and pause take effect within one batch. */
export interface TrainControl {
  shouldStop(): boolean;
  /** Resolves when training may continue (immediately unless paused). */
  waitIfPaused(): Promise<void>;
}

export interface TrainOptions {
  spec: ModelSpec;
  dataset: DatasetRef | Dataset;
  config: TrainingConfig;
  backend: { name: BackendName; device: string };
  events?: TrainEvents;
  control?: TrainControl;
  resumeFrom?: CheckpointPayload;
  /** Sample the loss and gradient norm every N batches (default 10). */
  stepEvery?: number;
}

export const DIVERGENCE_HINT =
  'Try gradient clipping (clipNorm), a lower learning rate, batch normalisation, or a scaled initialisation (initHe, initGlorotUniform).';

// The per-layer statistics probe: the training-memory estimate (shared/limits/spec.ts) counts it too.
const PROBE_SIZE = STATS_PROBE_SAMPLES;

export async function train(options: TrainOptions): Promise<TrainSummary> {
  const { config, backend } = options;
  const dataset = 'train' in options.dataset ? options.dataset : loadDataset(options.dataset);
  const expanded = expandSpec(options.spec, config);
  const info = inferForTraining(expanded, config);
  if (info.errors.length) throw new TrainError('invalid_spec', info.errors.map((e) => e.message).join('\n'));
  checkCompatible(expanded, info.outputShape, dataset);
  const dataName = 'train' in options.dataset ? `the dataset "${dataset.name}"` : datasetRefShape(options.dataset).name;
  const unfit = dataTrickProblems(config, { name: dataName, inputShape: dataset.inputShape });
  if (unfit.length) throw new TrainError('dataset_mismatch', unfit.map((e) => e.message).join('\n'));
  const tokens = tokenInputProblem(expanded, { name: dataset.name, vocabulary: dataset.vocabulary }, scalingKind(config));
  if (tokens) throw new TrainError('dataset_mismatch', tokens);

  const features = featureSize(dataset);
  const scaling = fitScaling(scalingKind(config), dataset);
  // The training split stays raw: each batch is scaled as it is filled (a scaled copy would hold it twice).
  const splits = {
    train: dataset.train,
    validation: applyScaling(dataset.validation, features, scaling),
    test: applyScaling(dataset.test, features, scaling),
  };
  const trainSplit = splits.train;
  // Augmentations act on training batches only, after scaling: zero padding fills with what a raw 0 became.
  const augment = new Augmentations(config, { inputShape: dataset.inputShape, train: trainSplit, zero: (0 - scaling.shift[0]!) * scaling.scale[0]! });
  const head = prepareHead(expanded);
  const tricks = new LoopTricks(config);
  const threads = trainingThreads(config, backend.name);
  let gradients: GradientSource = localGradients(head);
  let pool: ThreadPool | null = null;

  const members: Member[] = [];
  const probeRows = Math.min(PROBE_SIZE, splits.validation.count);
  const probe = tf.tensor(splits.validation.x.subarray(0, probeRows * features), [probeRows, ...dataset.inputShape]);
  const probeY = tf.tensor(splits.validation.y.subarray(0, probeRows * dataset.numClasses), [probeRows, dataset.numClasses]);

  const batchSize = Math.min(config.batchSize, trainSplit.count);
  const batchesPerEpoch = Math.ceil(trainSplit.count / batchSize);
  let batch: Batch = {
    x: new Float32Array(batchSize * features),
    y: new Float32Array(batchSize * dataset.numClasses),
    n: 0,
    inputShape: dataset.inputShape,
    classes: dataset.numClasses,
    key: 0,
  };
  const stepEvery = options.stepEvery ?? 10;
  // A 2-D classification set gets its decision-boundary picture at every epoch's end (raw units, fixed plane).
  const extent = hasBoundary(dataset.inputShape, dataset.numClasses) ? boundaryExtent(dataset.train) : null;
  let status = 'completed' as TrainSummary['status'];
  let divergence: TrainSummary['divergence'];

  try {
    for (let i = 0; i < tricks.memberCount; i++) members.push(createMember(head, config, tricks, i));
    if (threads > 1) {
      pool = await ThreadPool.start({
        threads,
        backend: backend.name,
        spec: head.spec,
        build: { seed: members[0]!.seed, ...networkOptions(config) },
        model: members[0]!.model,
        batchSize,
        inputShape: dataset.inputShape,
        classes: dataset.numClasses,
      });
      gradients = pool;
      batch = pool.createBatch(dataset.inputShape, dataset.numClasses);
    }
    let startEpoch = 0;
    let run: RunState = { bestEpoch: null, samplesPerSecond: 0, lowestValLoss: null, trainedSamples: 0, trainSeconds: 0 };
    if (options.resumeFrom) {
      const last = options.resumeFrom.manifest.epoch;
      run = await restoreCheckpoint(options.resumeFrom, members, tricks.learningRateAt({ epoch: last, batch: batchesPerEpoch - 1, batchesPerEpoch }));
      startEpoch = last + 1;
    } else if (options.events?.onInit) {
      options.events.onInit(await layerStats(members[0]!, head, probe, probeY));
    }
    run.inputScaling = { kind: scaling.kind, shift: Array.from(scaling.shift), scale: Array.from(scaling.scale) };
    let epochsRun = startEpoch;

    // Resuming from the checkpoint of the epoch where the last member stopped trains nothing more.
    for (let epoch = startEpoch; epoch < config.epochs && !members.every(isStopped); epoch++) {
      const epochStart = performance.now();
      let trainTime = 0;
      const steps: StepMetric[] = [];
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let lr = 0;
      const active = members.filter((m) => !isStopped(m));
      let samples = 0;
      for (const member of active) {
        const order = permutation(trainSplit.count, createRng(mixSeed(config.seed, member.index, epoch, 1)));
        // Math.random stays seeded per member and epoch for anything that still draws from it (dropout does not).
        await withSeededMathRandom(mixSeed(config.seed, member.index, epoch, 2), async () => {
          for (let b = 0; b < batchesPerEpoch; b++) {
            // Let pending messages (stop, pause) in before every batch, so they land within one batch.
            if (options.control) await new Promise<void>((resolve) => setImmediate(resolve));
            if (options.control?.shouldStop()) {
              status = 'stopped';
              return;
            }
            await options.control?.waitIfPaused();
            if (options.control?.shouldStop()) {
              status = 'stopped';
              return;
            }
            const from = b * batchSize;
            batch.n = Math.min(batchSize, trainSplit.count - from);
            fillBatch(trainSplit, order, from, batch, scaling);
            // Dropout masks: a hash of this key, the row in the batch, the layer and the unit (kernels/dropout.ts).
            batch.key = mixSeed(config.seed, member.index, epoch, b, 3);
            lr = tricks.learningRateAt({ epoch, batch: b, batchesPerEpoch });
            const t0 = performance.now();
            augment.apply(batch.x, 0, batch.n, { seed: config.seed, member: member.index, epoch, batch: b });
            const result = await trainStep(member, gradients, batch, lr);
            trainTime += performance.now() - t0;
            samples += batch.n;
            if (!Number.isFinite(result.loss) || !Number.isFinite(result.gradNorm)) {
              status = 'diverged';
              divergence = { epoch, batch: b, what: Number.isFinite(result.loss) ? 'gradient' : 'loss', hint: DIVERGENCE_HINT };
              return;
            }
            if (member.index === active[0]!.index) {
              lossSum += result.loss * batch.n;
              correct += result.correct;
              seen += batch.n;
              const step = epoch * batchesPerEpoch + b;
              if (step % stepEvery === 0) steps.push({ step, epoch, loss: result.loss, gradNorm: result.gradNorm });
              options.events?.onBatch?.({
                epoch,
                batch: b + 1,
                batchesPerEpoch,
                epochs: config.epochs,
                loss: lossSum / seen,
                samplesPerSecond: (seen * 1000) / Math.max(trainTime, 1e-6),
                // This step's own batch loss: transports concatenate these between messages (coalesce.ts).
                losses: [result.loss],
              });
            }
          }
        });
        if (status !== 'completed') break;
      }
      if (status === 'diverged' || (status === 'stopped' && seen < trainSplit.count)) break;

      epochsRun = epoch + 1;
      // The epoch's own rate in its report; the run's is the mean over every epoch trained (total samples / total time).
      const epochRate = (samples * 1000) / Math.max(trainTime, 1e-6);
      run.trainedSamples = (run.trainedSamples ?? 0) + samples;
      run.trainSeconds = (run.trainSeconds ?? 0) + trainTime / 1000;
      run.samplesPerSecond = run.trainedSamples / Math.max(run.trainSeconds, 1e-9);
      const evals: Evaluation[] = [];
      for (const m of members) evals.push(await evaluate(m.model, head, splits.validation, dataset));
      const lead = evals[active[0]!.index]!;
      const metrics: EpochMetrics = {
        loss: lossSum / seen,
        accuracy: correct / seen,
        valLoss: lead.loss,
        valAccuracy: lead.accuracy,
        learningRate: lr,
        seconds: (performance.now() - epochStart) / 1000,
        samplesPerSecond: epochRate,
      };
      if (members.length > 1) {
        const averaged = ensembleMetrics(evals.map((e) => e.probs), splits.validation, dataset.numClasses, head);
        metrics.ensembleValLoss = averaged.loss;
        metrics.ensembleValAccuracy = averaged.accuracy;
      }

      // A trick that judges epochs (early stopping) decides which is best; otherwise the lowest validation loss.
      let judged = false;
      let best = false;
      for (const member of active) {
        for (const { hook } of member.hooks) {
          const verdict = hook.onEpochEnd?.({ epoch, epochs: config.epochs, valLoss: evals[member.index]!.loss, model: member.model });
          if (!verdict || member !== active[0]) continue;
          judged = true;
          best ||= verdict.improved;
        }
      }
      if (!judged && lead.loss < (run.lowestValLoss ?? Infinity)) {
        run.lowestValLoss = lead.loss;
        best = true;
      }
      if (best) run.bestEpoch = epoch;

      const layers = await layerStats(active[0]!, head, probe, probeY);
      const boundary = extent ? await decisionBoundary(members.map((m) => m.model), head, scaling, extent) : undefined;
      options.events?.onEpoch?.({ epoch, epochs: config.epochs, metrics, steps, layers, best, ...(boundary ? { boundary } : {}) });
      if (pool) options.events?.onThreadTensors?.([...pool.threadTensors]);
      if (options.events?.onCheckpoint) options.events.onCheckpoint(await makeCheckpoint(members, epoch, best ? 'best' : 'last', run));
      if (status === 'stopped') break;
    }

    const common = { epochs: epochsRun, backend: backend.name, device: deviceOnThreads(backend.device, threads), samplesPerSecond: run.samplesPerSecond, classNames: dataset.classNames };
    await pool?.close();
    if (status === 'diverged') {
      const d = divergence!;
      return {
        status,
        ...common,
        final: null,
        confusion: null,
        bestEpoch: run.bestEpoch,
        weights: 'last',
        divergence: d,
        reason: `the ${d.what} became NaN or infinite at epoch ${d.epoch + 1}, batch ${d.batch + 1}. ${DIVERGENCE_HINT}`,
      };
    }

    // The first finish hook that puts other weights into a member's model wins (registry order).
    const used = members.map((member) => {
      // Training-mode passes at the end (batch-norm statistics for averaged weights): dropout keyed apart from every step.
      const forEachTrainingBatch = (fn: (xs: tf.Tensor, index: number) => void) =>
        forEachBatch(trainSplit, batchSize, dataset, scaling, (xs, index) =>
          withDropoutStream({ key: mixSeed(config.seed, member.index, epochsRun, index, 4), rowOffset: 0 }, () => fn(xs, index)),
        );
      const ctx = { model: member.model, forEachTrainingBatch };
      for (const { hook } of member.hooks) {
        const result = hook.onFinish?.(ctx);
        if (result) return result;
      }
      return null;
    });
    const first: FinalWeights | null = used[0]!;
    const final = await finalMetrics(members, head, splits, dataset, scaling);
    return {
      status,
      ...common,
      final: final.metrics,
      confusion: final.confusion,
      bestEpoch: first?.weights === 'best' ? first.epoch : run.bestEpoch,
      weights: first?.weights ?? 'last',
      evaluation: final.evaluation,
    };
  } finally {
    await pool?.close();
    probe.dispose();
    probeY.dispose();
    for (const member of members) disposeMember(member);
  }
}

function checkCompatible(spec: ModelSpec, output: readonly number[] | null, dataset: Dataset): void {
  const input = spec.layers[0];
  if (input?.type === 'input' && input.shape.join() !== dataset.inputShape.join()) {
    throw new TrainError(
      'dataset_mismatch',
      `layers[0].shape is [${input.shape.join(', ')}] but ${dataset.name} has inputs of shape [${dataset.inputShape.join(', ')}]`,
    );
  }
  if (!output || output.length !== 1 || output[0] !== dataset.numClasses) {
    throw new TrainError(
      'dataset_mismatch',
      `the model outputs [${output?.join(', ') ?? '?'}] but ${dataset.name} has ${dataset.numClasses} classes: the last layer needs ${dataset.numClasses} units`,
    );
  }
}

/**
 * Copies the rows `order[from … from + n)` into the batch buffers, scaled: plain row copies, ~100× faster than a tfjs
 * gather on wasm (FINDINGS). The one place a batch is made, for one thread or many (the pool's buffers are shared).
 */
function fillBatch(split: Split, order: Uint32Array, from: number, batch: Batch, scaling: Scaling): void {
  const features = batch.inputShape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < batch.n; i++) {
    const row = order[from + i]!;
    scaleRowInto(split.x, row, batch.x, i, features, scaling);
    batch.y.set(split.y.subarray(row * batch.classes, (row + 1) * batch.classes), i * batch.classes);
  }
}

/** Every batch of a (raw) split in order, scaled, as tensors freed after `fn`. */
function forEachBatch(split: Split, batchSize: number, dataset: Dataset, scaling: Scaling, fn: (xs: tf.Tensor, index: number) => void): void {
  const features = featureSize(dataset);
  const rows = new Float32Array(Math.min(batchSize, split.count) * features);
  let index = 0;
  for (let from = 0; from < split.count; from += batchSize) {
    const n = Math.min(batchSize, split.count - from);
    for (let i = 0; i < n; i++) scaleRowInto(split.x, from + i, rows, i, features, scaling);
    const xs = tf.tensor(rows.slice(0, n * features), [n, ...dataset.inputShape]);
    try {
      fn(xs, index++);
    } finally {
      xs.dispose();
    }
  }
}
