// The training loop (our own, not model.fit): seeded shuffling and batching, loss plus regularisation,
// gradients, clipping, the optimizer step with its schedule, decoupled weight decay, early stopping that
// restores the best weights, ensembles and weight averaging, divergence detection, per-layer statistics
// and resumable checkpoints. Backend-agnostic: the caller initialises the backend first.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  expandSpec,
  inferForTraining,
  MAX_MISCLASSIFIED_SAMPLES,
  type BackendName,
  type CheckpointManifest,
  type CheckpointPayload,
  type DatasetRef,
  type EpochMetrics,
  type EpochReport,
  type FinalMetrics,
  type LayerStat,
  type ModelSpec,
  type StepMetric,
  type TestEvaluation,
  type TrainingConfig,
  type TrainSummary,
} from '../../shared/index.js';
import { buildModel, specPathOf } from './build-model.js';
import { holdsKernel } from './layers/registry.js';
import { featureSize, labelOf, loadDataset, type Dataset, type Split } from './data/dataset.js';
import { applyScaling, fitScaling, scalingKind } from './data/scaling.js';
import { createRng, mixSeed, permutation, withSeededMathRandom } from './data/rng.js';
import { globalNorm } from './gradients.js';
import { applyUpdate, createOptimizer } from './optimizers.js';
import { learningRateAt } from './schedules.js';
import { packTensors, unpackTensors } from './tensor-codec.js';
import { prepareHead, type Head } from './head.js';

export class TrainError extends Error {
  constructor(
    readonly code: 'dataset_mismatch' | 'invalid_spec' | 'bad_checkpoint',
    message: string,
  ) {
    super(message);
    this.name = 'TrainError';
  }
}

export interface TrainEvents {
  /** Called after every batch; transports coalesce it (never one message per batch). */
  onBatch?(progress: import('../../shared/index.js').BatchProgress): void;
  onEpoch?(report: EpochReport): void;
  onCheckpoint?(checkpoint: CheckpointPayload): void;
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

const PROBE_SIZE = 256;
const EVAL_BATCH = 512;

interface EarlyStopState {
  best: number;
  bestEpoch: number;
  wait: number;
  bestWeights: tf.Tensor[] | null;
  stopped: boolean;
}

interface SwaState {
  count: number;
  average: tf.Tensor[] | null;
}

interface Member {
  index: number;
  seed: number;
  model: tfl.LayersModel;
  probeModel: tfl.LayersModel;
  weighted: Array<{ layer: tfl.layers.Layer; path: string }>;
  optimizer: tf.Optimizer;
  variables: tf.Variable[];
  kernels: tf.Variable[];
  early: EarlyStopState;
  swa: SwaState;
}

interface MemberState {
  early: { best: number; bestEpoch: number; wait: number; stopped: boolean; hasBest: boolean };
  swa: { count: number };
}

interface EngineState {
  members: MemberState[];
  bestEpoch: number | null;
  samplesPerSecond: number;
  lowestValLoss: number | null;
}

export async function train(options: TrainOptions): Promise<TrainSummary> {
  const { config, backend } = options;
  const dataset = 'train' in options.dataset ? options.dataset : loadDataset(options.dataset);
  const expanded = expandSpec(options.spec, config);
  const info = inferForTraining(expanded, config);
  if (info.errors.length) throw new TrainError('invalid_spec', info.errors.map((e) => e.message).join('\n'));
  checkCompatible(expanded, info.outputShape, dataset);

  const features = featureSize(dataset);
  const scaling = fitScaling(scalingKind(config), dataset);
  const trainSplit = applyScaling(dataset.train, features, scaling);
  const valSplit = applyScaling(dataset.validation, features, scaling);
  const testSplit = applyScaling(dataset.test, features, scaling);
  const head = prepareHead(expanded);

  const memberCount = config.tricks.ensemble ? (config.tricks.ensemble.members as number) : 1;
  const members: Member[] = Array.from({ length: memberCount }, (_, i) => createMember(head, config, i));
  const probe = tf.tensor(valSplit.x.subarray(0, Math.min(PROBE_SIZE, valSplit.count) * features), [
    Math.min(PROBE_SIZE, valSplit.count),
    ...dataset.inputShape,
  ]);
  const probeY = tf.tensor(valSplit.y.subarray(0, Math.min(PROBE_SIZE, valSplit.count) * dataset.numClasses), [
    Math.min(PROBE_SIZE, valSplit.count),
    dataset.numClasses,
  ]);

  let startEpoch = 0;
  let bestEpoch: number | null = null;
  let samplesPerSecond = 0;
  // Without early stopping, "best" still marks the lowest validation loss so far (the checkpoint kind).
  let lowestValLoss = Infinity;
  if (options.resumeFrom) {
    const state = await restoreCheckpoint(options.resumeFrom, members);
    startEpoch = options.resumeFrom.manifest.epoch + 1;
    bestEpoch = state.bestEpoch;
    samplesPerSecond = state.samplesPerSecond;
    lowestValLoss = state.lowestValLoss ?? Infinity;
  }

  const batchSize = Math.min(config.batchSize, trainSplit.count);
  const batchesPerEpoch = Math.ceil(trainSplit.count / batchSize);
  const bufX = new Float32Array(batchSize * features);
  const bufY = new Float32Array(batchSize * dataset.numClasses);
  const stepEvery = options.stepEvery ?? 10;
  const t = config.tricks;
  let status = 'completed' as TrainSummary['status'];
  let divergence: TrainSummary['divergence'];
  let epochsRun = startEpoch;

  try {
    for (let epoch = startEpoch; epoch < config.epochs; epoch++) {
      const epochStart = performance.now();
      let trainTime = 0;
      const steps: StepMetric[] = [];
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let lr = 0;
      const active = members.filter((m) => !m.early.stopped);
      for (const member of active) {
        const order = permutation(trainSplit.count, createRng(mixSeed(config.seed, member.index, epoch, 1)));
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
            const n = Math.min(batchSize, trainSplit.count - from);
            fillBatch(trainSplit, order, from, n, features, dataset.numClasses, bufX, bufY);
            lr = learningRateAt(config, { epoch, batch: b, batchesPerEpoch });
            const t0 = performance.now();
            const result = await trainStep(member, head, config, lr, bufX, bufY, n, dataset);
            trainTime += performance.now() - t0;
            if (!Number.isFinite(result.loss) || !Number.isFinite(result.gradNorm)) {
              status = 'diverged';
              divergence = {
                epoch,
                batch: b,
                what: Number.isFinite(result.loss) ? 'gradient' : 'loss',
                hint: DIVERGENCE_HINT,
              };
              return;
            }
            if (member.index === active[0]!.index) {
              lossSum += result.loss * n;
              correct += result.correct;
              seen += n;
              const step = epoch * batchesPerEpoch + b;
              if (step % stepEvery === 0) steps.push({ step, epoch, loss: result.loss, gradNorm: result.gradNorm });
              options.events?.onBatch?.({
                epoch,
                batch: b + 1,
                batchesPerEpoch,
                epochs: config.epochs,
                loss: lossSum / seen,
                samplesPerSecond: (seen * 1000) / Math.max(trainTime, 1e-6),
              });
            }
          }
        });
        if (status !== 'completed') break;
      }
      if (status === 'diverged' || (status === 'stopped' && seen < trainSplit.count)) break;

      epochsRun = epoch + 1;
      samplesPerSecond = (trainSplit.count * active.length * 1000) / Math.max(trainTime, 1e-6);
      const evals: Evaluation[] = [];
      for (const m of members) evals.push(await evaluate(m.model, head, valSplit, dataset));
      const lead = evals[active[0]!.index]!;
      const metrics: EpochMetrics = {
        loss: lossSum / seen,
        accuracy: correct / seen,
        valLoss: lead.loss,
        valAccuracy: lead.accuracy,
        learningRate: lr,
        seconds: (performance.now() - epochStart) / 1000,
        samplesPerSecond,
      };
      if (members.length > 1) {
        const ensemble = ensembleMetrics(evals.map((e) => e.probs), valSplit, dataset.numClasses, head);
        metrics.ensembleValLoss = ensemble.loss;
        metrics.ensembleValAccuracy = ensemble.accuracy;
      }

      let best = false;
      for (const member of active) {
        updateSwa(member, config, epoch);
        if (t.earlyStopping) {
          const improved = updateEarlyStopping(member, evals[member.index]!.loss, epoch, config);
          if (member === active[0] && improved) best = true;
        }
      }
      if (!t.earlyStopping && lead.loss < lowestValLoss) {
        lowestValLoss = lead.loss;
        best = true;
      }
      if (best) bestEpoch = epoch;

      const layers = await layerStats(active[0]!, head, probe, probeY);
      options.events?.onEpoch?.({ epoch, epochs: config.epochs, metrics, steps, layers, best });
      if (options.events?.onCheckpoint) {
        options.events.onCheckpoint(await makeCheckpoint(members, epoch, best ? 'best' : 'last', {
            bestEpoch,
            samplesPerSecond,
            lowestValLoss: Number.isFinite(lowestValLoss) ? lowestValLoss : null,
          }));
      }
      if (status === 'stopped') break;
      if (members.every((m) => m.early.stopped)) break;
    }

    if (status === 'diverged') {
      return {
        status,
        epochs: epochsRun,
        backend: backend.name,
        device: backend.device,
        samplesPerSecond,
        final: null,
        confusion: null,
        classNames: dataset.classNames,
        bestEpoch,
        weights: 'last',
        divergence,
        reason: `the ${divergence!.what} became NaN or infinite at epoch ${divergence!.epoch + 1}, batch ${divergence!.batch + 1}. ${DIVERGENCE_HINT}`,
      };
    }

    let weights: TrainSummary['weights'] = 'last';
    for (const member of members) {
      const used = finalizeWeights(member, config, trainSplit, features, dataset, batchSize);
      if (member.index === 0) weights = used;
    }
    if (weights === 'best') bestEpoch = members[0]!.early.bestEpoch;
    const final = await finalMetrics(members, head, trainSplit, valSplit, testSplit, dataset);
    return {
      status,
      epochs: epochsRun,
      backend: backend.name,
      device: backend.device,
      samplesPerSecond,
      final: final.metrics,
      confusion: final.confusion,
      classNames: dataset.classNames,
      bestEpoch,
      weights,
      evaluation: final.evaluation,
    };
  } finally {
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

function createMember(head: Head, config: TrainingConfig, index: number): Member {
  const seed = mixSeed(config.seed, index, 0);
  const uniformLimit = config.tricks.initUniform ? (config.tricks.initUniform.limit as number) : undefined;
  const model = buildModel(head.spec, { seed, uniformLimit });
  const weighted = model.layers
    .filter(holdsKernel)
    .map((layer) => ({ layer, path: specPathOf(layer.name) }));
  // Shares the layers (and so the weights) of `model`; outputs every weighted layer's activation.
  const probeModel = tfl.model({ inputs: model.inputs, outputs: weighted.map((w) => w.layer.output as tfl.SymbolicTensor) });
  const variables = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
  const kernels = model.trainableWeights
    .filter((w) => w.originalName.endsWith('/kernel'))
    .map((w) => (w as unknown as { read(): tf.Variable }).read());
  return {
    index,
    seed,
    model,
    probeModel,
    weighted,
    optimizer: createOptimizer(config),
    variables,
    kernels,
    early: { best: Infinity, bestEpoch: -1, wait: 0, bestWeights: null, stopped: false },
    swa: { count: 0, average: null },
  };
}

function disposeMember(member: Member): void {
  member.model.dispose();
  member.optimizer.dispose();
  member.early.bestWeights?.forEach((t) => t.dispose());
  member.swa.average?.forEach((t) => t.dispose());
}

function fillBatch(
  split: Split,
  order: Uint32Array,
  from: number,
  n: number,
  features: number,
  classes: number,
  bufX: Float32Array,
  bufY: Float32Array,
): void {
  // Plain row copies: ~100× faster than a tfjs gather on wasm (FINDINGS).
  for (let i = 0; i < n; i++) {
    const row = order[from + i]!;
    bufX.set(split.x.subarray(row * features, (row + 1) * features), i * features);
    bufY.set(split.y.subarray(row * classes, (row + 1) * classes), i * classes);
  }
}

interface StepResult {
  loss: number;
  gradNorm: number;
  correct: number;
}

async function trainStep(
  member: Member,
  head: Head,
  config: TrainingConfig,
  lr: number,
  bufX: Float32Array,
  bufY: Float32Array,
  n: number,
  dataset: Dataset,
): Promise<StepResult> {
  const features = bufX.length / Math.max(1, bufY.length / dataset.numClasses);
  const read = tf.tidy(() => {
    const xs = tf.tensor(bufX.subarray(0, n * features), [n, ...dataset.inputShape]);
    const ys = tf.tensor(bufY.subarray(0, n * dataset.numClasses), [n, dataset.numClasses]);
    let output: tf.Tensor | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const out = member.model.apply(xs, { training: true }) as tf.Tensor;
      output = tf.keep(out);
      const dataLoss = head.loss(ys, out);
      const penalties = member.model.calculateLosses() as tf.Scalar[];
      return (penalties.length ? tf.add(dataLoss, tf.addN(penalties)) : dataLoss) as tf.Scalar;
    }, member.variables);
    const norm = globalNorm(grads);
    const hits = head.correct(ys, output!);
    // Kept past variableGrads' scope so accuracy needs no second forward pass; freed here.
    (output as tf.Tensor | null)?.dispose();
    // One read per step: loss, norm and hits together (divergence is caught before the update).
    const stats = tf.stack([value, norm, hits]);
    return { stats, grads, norm };
  });
  // Async read: webgpu cannot read synchronously, and on cpu/wasm it costs the same.
  const [loss, gradNorm, correct] = await read.stats.data();
  read.stats.dispose();
  if (Number.isFinite(loss) && Number.isFinite(gradNorm)) {
    applyUpdate(member.optimizer, read.grads, read.norm, config, lr, member.kernels);
  }
  tf.dispose(Object.values(read.grads));
  read.norm.dispose();
  return { loss: loss!, gradNorm: gradNorm!, correct: correct! };
}

interface Evaluation {
  loss: number;
  accuracy: number;
  /** Class probabilities, row-major. */
  probs: Float32Array;
}

async function evaluate(model: tfl.LayersModel, head: Head, split: Split, dataset: Dataset): Promise<Evaluation> {
  const features = split.x.length / split.count;
  const probs = new Float32Array(split.count * dataset.numClasses);
  let lossSum = 0;
  let correct = 0;
  for (let from = 0; from < split.count; from += EVAL_BATCH) {
    const n = Math.min(EVAL_BATCH, split.count - from);
    const [batchLoss, batchCorrect, batchProbs] = tf.tidy(() => {
      const xs = tf.tensor(split.x.subarray(from * features, (from + n) * features), [n, ...dataset.inputShape]);
      const ys = tf.tensor(split.y.subarray(from * dataset.numClasses, (from + n) * dataset.numClasses), [n, dataset.numClasses]);
      const out = model.apply(xs, { training: false }) as tf.Tensor;
      return [head.loss(ys, out), head.correct(ys, out), head.probabilities(out)] as const;
    });
    lossSum += (await batchLoss.data())[0]! * n;
    correct += (await batchCorrect.data())[0]!;
    probs.set(await batchProbs.data(), from * dataset.numClasses);
    tf.dispose([batchLoss, batchCorrect, batchProbs]);
  }
  return { loss: lossSum / split.count, accuracy: correct / split.count, probs };
}

function ensembleMetrics(all: Float32Array[], split: Split, classes: number, head: Head): { loss: number; accuracy: number } {
  const mean = new Float32Array(all[0]!.length);
  for (const probs of all) for (let i = 0; i < mean.length; i++) mean[i]! += probs[i]! / all.length;
  let loss = 0;
  let correct = 0;
  for (let row = 0; row < split.count; row++) {
    const truth = labelOf(split.y, row, classes);
    const predicted = labelOf(mean, row, classes);
    if (truth === predicted) correct++;
    loss += head.kind === 'linear' ? squaredError(mean, split.y, row, classes) : -Math.log(Math.max(mean[row * classes + truth]!, 1e-7));
  }
  return { loss: loss / split.count, accuracy: correct / split.count };
}

function squaredError(a: Float32Array, b: Float32Array, row: number, classes: number): number {
  let s = 0;
  for (let c = 0; c < classes; c++) s += (a[row * classes + c]! - b[row * classes + c]!) ** 2;
  return s / classes;
}

function updateEarlyStopping(member: Member, valLoss: number, epoch: number, config: TrainingConfig): boolean {
  const p = config.tricks.earlyStopping!;
  const early = member.early;
  if (valLoss < early.best - (p.minDelta as number)) {
    early.best = valLoss;
    early.bestEpoch = epoch;
    early.wait = 0;
    if (p.restoreBest) {
      early.bestWeights?.forEach((t) => t.dispose());
      early.bestWeights = member.model.getWeights().map((w) => tf.clone(w));
    }
    return true;
  }
  early.wait += 1;
  if (early.wait >= (p.patience as number)) early.stopped = true;
  return false;
}

function updateSwa(member: Member, config: TrainingConfig, epoch: number): void {
  const k = config.tricks.weightAveraging?.lastEpochs as number | undefined;
  if (k === undefined || epoch < config.epochs - k) return;
  const weights = member.model.getWeights();
  const n = member.swa.count;
  const next = tf.tidy(() =>
    weights.map((w, i) => (member.swa.average ? tf.add(member.swa.average[i]!, tf.div(tf.sub(w, member.swa.average[i]!), n + 1)) : tf.clone(w))),
  );
  member.swa.average?.forEach((t) => t.dispose());
  member.swa.average = next;
  member.swa.count = n + 1;
}

/** Puts the weights the run reports into the model: averaged (SWA), best (early stopping) or last. */
function finalizeWeights(
  member: Member,
  config: TrainingConfig,
  trainSplit: Split,
  features: number,
  dataset: Dataset,
  batchSize: number,
): TrainSummary['weights'] {
  if (member.swa.average && member.swa.count >= 2) {
    member.model.setWeights(member.swa.average);
    recomputeBatchNorm(member.model, trainSplit, features, dataset, batchSize);
    return 'averaged';
  }
  if (config.tricks.earlyStopping?.restoreBest && member.early.bestWeights) {
    member.model.setWeights(member.early.bestWeights);
    return 'best';
  }
  return 'last';
}

/**
 * Averaged weights need batch-norm statistics of their own: reset the moving mean/variance and run the
 * training data through once with momentum 1 − 1/i, which makes the moving values exact running means.
 */
function recomputeBatchNorm(model: tfl.LayersModel, split: Split, features: number, dataset: Dataset, batchSize: number): void {
  const bns = model.layers.filter((l) => l.getClassName() === 'BatchNormalization') as Array<tfl.layers.Layer & { momentum: number }>;
  if (!bns.length) return;
  const saved = bns.map((l) => l.momentum);
  for (const layer of bns) {
    const names = layer.weights.map((w) => w.originalName);
    tf.tidy(() =>
      layer.setWeights(
        layer
          .getWeights()
          .map((w, i) => (names[i]!.endsWith('moving_mean') ? tf.zerosLike(w) : names[i]!.endsWith('moving_variance') ? tf.onesLike(w) : w)),
      ),
    );
  }
  let batchIndex = 0;
  for (let from = 0; from < split.count; from += batchSize) {
    const n = Math.min(batchSize, split.count - from);
    bns.forEach((l) => (l.momentum = 1 - 1 / (batchIndex + 1)));
    tf.tidy(() => {
      const xs = tf.tensor(split.x.subarray(from * features, (from + n) * features), [n, ...dataset.inputShape]);
      model.apply(xs, { training: true });
    });
    batchIndex++;
  }
  bns.forEach((l, i) => (l.momentum = saved[i]!));
}

async function layerStats(member: Member, head: Head, probe: tf.Tensor, probeY: tf.Tensor): Promise<LayerStat[]> {
  const { packed, labels } = tf.tidy(() => {
    const activations = member.probeModel.apply(probe, { training: false });
    const acts = Array.isArray(activations) ? activations : [activations];
    const kernelVars = member.weighted.map(({ layer }) => (layer.trainableWeights[0] as unknown as { read(): tf.Variable }).read());
    const { grads } = tf.variableGrads(
      () => head.loss(probeY, member.model.apply(probe, { training: false }) as tf.Tensor) as tf.Scalar,
      kernelVars,
    );
    const rows = member.weighted.map(({ layer, path }, i) => {
      const act = acts[i] as tf.Tensor;
      const { mean, variance } = tf.moments(act);
      const units = act.shape[act.shape.length - 1]!;
      const perUnitMax = tf.max(tf.reshape(act, [-1, units]), 0);
      const dead = tf.mean(tf.cast(tf.lessEqual(perUnitMax, 0), 'float32'));
      return [tf.norm(kernelVars[i]!), tf.norm(grads[kernelVars[i]!.name]!), mean, tf.sqrt(variance), dead, layer.name, path] as const;
    });
    return {
      packed: tf.stack(rows.flatMap((r) => r.slice(0, 5) as tf.Tensor[]).map((t) => tf.reshape(t, []))),
      labels: rows.map((r) => ({ layer: r[5], path: r[6] })),
    };
  });
  const numbers = await packed.data();
  packed.dispose();
  return labels.map(({ layer, path }, i) => ({
      layer,
      path,
      weightNorm: numbers[i * 5]!,
      gradNorm: numbers[i * 5 + 1]!,
      activationMean: numbers[i * 5 + 2]!,
      activationStd: numbers[i * 5 + 3]!,
      deadFraction: numbers[i * 5 + 4]!,
    }));
}

async function finalMetrics(
  members: Member[],
  head: Head,
  trainSplit: Split,
  valSplit: Split,
  testSplit: Split,
  dataset: Dataset,
): Promise<{ metrics: FinalMetrics; confusion: number[][]; evaluation: TestEvaluation }> {
  const averaged = async (split: Split) => {
    const evals: Evaluation[] = [];
    for (const m of members) evals.push(await evaluate(m.model, head, split, dataset));
    if (evals.length === 1) return evals[0]!;
    const { loss, accuracy } = ensembleMetrics(evals.map((e) => e.probs), split, dataset.numClasses, head);
    const probs = new Float32Array(evals[0]!.probs.length);
    for (const e of evals) for (let i = 0; i < probs.length; i++) probs[i]! += e.probs[i]! / evals.length;
    return { loss, accuracy, probs };
  };
  const train = await averaged(trainSplit);
  const val = await averaged(valSplit);
  const test = await averaged(testSplit);
  const k = dataset.numClasses;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const features = featureSize(dataset);
  const misclassified: TestEvaluation['misclassified'] = [];
  let misclassifiedCount = 0;
  for (let row = 0; row < testSplit.count; row++) {
    const label = labelOf(testSplit.y, row, k);
    const predicted = labelOf(test.probs, row, k);
    confusion[label]![predicted]! += 1;
    if (label === predicted) continue;
    misclassifiedCount++;
    if (misclassified.length < MAX_MISCLASSIFIED_SAMPLES) {
      // Raw features (dataset.test is unscaled; testSplit is what the model saw).
      const raw = Array.from(dataset.test.x.subarray(row * features, (row + 1) * features));
      misclassified.push({ index: row, label, predicted, confidence: test.probs[row * k + predicted]!, features: raw });
    }
  }
  const evaluation: TestEvaluation = { inputShape: [...dataset.inputShape], parameters: members[0]!.model.countParams(), misclassified, misclassifiedCount };
  return {
    evaluation,
    metrics: {
      loss: train.loss,
      accuracy: train.accuracy,
      valLoss: val.loss,
      valAccuracy: val.accuracy,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
    },
    confusion,
  };
}

async function makeCheckpoint(
  members: Member[],
  epoch: number,
  kind: CheckpointManifest['kind'],
  extra: Omit<EngineState, 'members'>,
): Promise<CheckpointPayload> {
  const named: Array<{ name: string; tensor: tf.Tensor }> = [];
  const optimizerNamed: Array<{ name: string; tensor: tf.Tensor }> = [];
  const state: EngineState = { members: [], ...extra };
  for (const m of members) {
    m.model.getWeights().forEach((tensor, i) => named.push({ name: `m${m.index}/w${i}`, tensor }));
    m.early.bestWeights?.forEach((tensor, i) => named.push({ name: `m${m.index}/best${i}`, tensor }));
    m.swa.average?.forEach((tensor, i) => named.push({ name: `m${m.index}/swa${i}`, tensor }));
    (await m.optimizer.getWeights()).forEach(({ tensor }, i) => optimizerNamed.push({ name: `m${m.index}/o${i}`, tensor }));
    for (const [key, variable] of hiddenOptimizerState(m.optimizer)) optimizerNamed.push({ name: `m${m.index}/x/${key}`, tensor: variable });
    state.members.push({
      early: { best: m.early.best, bestEpoch: m.early.bestEpoch, wait: m.early.wait, stopped: m.early.stopped, hasBest: !!m.early.bestWeights },
      swa: { count: m.swa.count },
    });
  }
  const weights = await packTensors(named);
  const optimizer = await packTensors(optimizerNamed);
  return {
    manifest: { format: 1, epoch, kind, state, tensors: weights.entries, optimizerTensors: optimizer.entries },
    weights: weights.bytes,
    optimizer: optimizer.bytes,
  };
}

async function restoreCheckpoint(checkpoint: CheckpointPayload, members: Member[]): Promise<EngineState> {
  const { manifest } = checkpoint;
  const state = manifest.state as EngineState;
  if (manifest.format !== 1 || !state || state.members?.length !== members.length) {
    throw new TrainError('bad_checkpoint', `the checkpoint holds ${state?.members?.length ?? 0} members but this run has ${members.length}`);
  }
  const tensors = new Map(unpackTensors({ entries: manifest.tensors, bytes: checkpoint.weights }).map((t) => [t.name, t.tensor]));
  const optimizerTensors = unpackTensors({ entries: manifest.optimizerTensors, bytes: checkpoint.optimizer });
  const series = (prefix: string) => {
    const out: tf.Tensor[] = [];
    for (let i = 0; tensors.has(`${prefix}${i}`); i++) out.push(tensors.get(`${prefix}${i}`)!);
    return out;
  };
  for (const m of members) {
    const s = state.members[m.index]!;
    const weights = series(`m${m.index}/w`);
    if (weights.length !== m.model.weights.length) {
      throw new TrainError('bad_checkpoint', `the checkpoint has ${weights.length} weight tensors but the model has ${m.model.weights.length}`);
    }
    m.model.setWeights(weights);
    m.early = { best: s.early.best ?? Infinity, bestEpoch: s.early.bestEpoch, wait: s.early.wait, stopped: s.early.stopped, bestWeights: null };
    if (s.early.hasBest) m.early.bestWeights = series(`m${m.index}/best`).map((t) => tf.clone(t));
    m.swa = { count: s.swa.count, average: s.swa.count ? series(`m${m.index}/swa`).map((t) => tf.clone(t)) : null };
    const opt = optimizerTensors.filter((t) => t.name.startsWith(`m${m.index}/o`)).map((t) => ({ name: t.name, tensor: t.tensor }));
    if (opt.length) await m.optimizer.setWeights(opt);
    const hidden = hiddenOptimizerState(m.optimizer);
    for (const t of optimizerTensors.filter((o) => o.name.startsWith(`m${m.index}/x/`))) {
      hidden.get(t.name.slice(`m${m.index}/x/`.length))?.assign(t.tensor);
    }
  }
  // setWeights and assign copy into variables; the decoded tensors are ours to free.
  tf.dispose(optimizerTensors.map((o) => o.tensor));
  tf.dispose([...tensors.values()]);
  return state;
}

/**
 * State that tfjs optimizers keep outside getWeights(): Adam's running β1^t and β2^t are products
 * accumulated step by step, while setWeights recomputes them as powers, which differ in the last bits.
 * Saving them makes a resumed run bit-identical to an uninterrupted one.
 */
function hiddenOptimizerState(optimizer: tf.Optimizer): Map<string, tf.Variable> {
  const found = new Map<string, tf.Variable>();
  for (const key of ['accBeta1', 'accBeta2']) {
    const value = (optimizer as unknown as Record<string, unknown>)[key];
    if (value instanceof tf.Variable) found.set(key, value);
  }
  return found;
}
