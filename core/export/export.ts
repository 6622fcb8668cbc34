// Export of a trained checkpoint as a TF.js layers model (model.json + weights.bin) or one ONNX file, and
// the check after every export: the written file is loaded back (tfjs for TF.js, onnxruntime-node for
// ONNX), a probe batch of real validation inputs goes through it and through the trained model, and the
// largest absolute difference is reported. Over MAX_ABS_DIFF the export fails and nothing is left behind:
// everything is written under a temporary name next to the target and renamed only once it passes.
//
// The trained network outputs logits when a softmax/sigmoid was folded into the loss (core/engine/head.ts);
// the exported model is built from the spec itself, so it outputs probabilities as the spec says. An
// ensemble's members are averaged (ONNX: one graph with a Mean node). Exported models take inputs scaled
// as in training; the scaling is written into the file's metadata (`layerwise.inputScaling`).
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { CHECKPOINT_FORMATS, expandSpec, type CheckpointManifest, type ModelSpec, type TrainingConfig } from '../../shared/index.js';
import { buildModel } from '../engine/build-model.js';
import { readFileLimited } from '../files/read.js';
import { featureSize, loadDataset, type Dataset, type Split } from '../engine/data/dataset.js';
import { applyScaling, fitScaling, scalingKind, type Scaling } from '../engine/data/scaling.js';
import { prepareHead } from '../engine/head.js';
import { unpackTensors } from '../engine/tensor-codec.js';
import type { Store } from '../store/index.js';
import { ONNX_INPUT, ONNX_OUTPUT, toOnnx } from './onnx.js';

export const EXPORT_FORMATS = ['tfjs', 'onnx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The largest absolute difference between the exported and the trained model that passes. */
export const MAX_ABS_DIFF = 1e-4;
export const DEFAULT_PROBE_SIZE = 64;

export class ExportError extends Error {
  constructor(
    readonly code: 'verification_failed' | 'exists' | 'unsupported' | 'no_checkpoint' | 'bad_checkpoint',
    message: string,
  ) {
    super(message);
    this.name = 'ExportError';
  }
}

export interface ExportSource {
  spec: ModelSpec;
  config: TrainingConfig;
  manifest: CheckpointManifest;
  weights: Uint8Array;
  /** Where the probe batch comes from (and the input scaling it was trained with). */
  dataset: Dataset;
}

export interface ExportOptions {
  format: ExportFormat;
  /** A directory for tfjs (model.json + weights.bin inside), a file for onnx. Must not exist. */
  out: string;
  probeSize?: number;
  /** Tests only: disturbs the written weights, to prove verification catches a wrong file. */
  corruptForTest?: boolean;
}

export interface ExportResult {
  format: ExportFormat;
  path: string;
  /** Files written (absolute paths). */
  files: string[];
  members: number;
  maxAbsDiff: number;
  samples: number;
}

export function verificationLine(result: Pick<ExportResult, 'maxAbsDiff' | 'samples'>): string {
  return `verified: max abs diff ${result.maxAbsDiff.toExponential(3)} on ${result.samples} samples`;
}

interface Prepared {
  /** As trained: logits where the activation was folded into the loss. */
  trained: tfl.LayersModel[];
  /** Built from the spec: outputs probabilities. */
  inference: tfl.LayersModel[];
  probe: Split;
  scaling: Scaling;
  reference: Float32Array;
  units: number;
}

function prepare(source: ExportSource, probeSize: number): Prepared {
  const expanded = expandSpec(source.spec, source.config);
  const head = prepareHead(expanded);
  const { manifest } = source;
  if (!CHECKPOINT_FORMATS.includes(manifest?.format) || !Array.isArray(manifest.tensors)) throw new ExportError('bad_checkpoint', `the checkpoint manifest is not one this Layerwise writes (format ${CHECKPOINT_FORMATS.join(' or ')})`);
  const named = unpackTensors({ entries: manifest.tensors, bytes: source.weights });
  const byMember = new Map<number, tf.Tensor[]>();
  for (const { name, tensor } of named) {
    const match = /^m(\d+)\/w(\d+)$/.exec(name);
    if (!match) {
      tensor.dispose();
      continue;
    }
    const list = byMember.get(Number(match[1])) ?? [];
    list[Number(match[2])] = tensor;
    byMember.set(Number(match[1]), list);
  }
  if (byMember.size === 0) throw new ExportError('bad_checkpoint', 'the checkpoint holds no model weights');
  const trained: tfl.LayersModel[] = [];
  const inference: tfl.LayersModel[] = [];
  for (let m = 0; m < byMember.size; m++) {
    const weights = byMember.get(m);
    if (!weights) throw new ExportError('bad_checkpoint', `the checkpoint has no weights for ensemble member ${m}`);
    const a = buildModel(head.spec, { seed: 1 });
    const b = buildModel(expanded, { seed: 1 });
    try {
      a.setWeights(weights);
      b.setWeights(weights);
    } catch (error) {
      throw new ExportError('bad_checkpoint', `the checkpoint's weights do not fit the model: ${(error as Error).message}`);
    }
    weights.forEach((w) => w.dispose());
    trained.push(a);
    inference.push(b);
  }
  const { dataset } = source;
  const features = featureSize(dataset);
  const scaling = fitScaling(scalingKind(source.config), dataset);
  const from = dataset.validation.count > 0 ? dataset.validation : dataset.test.count > 0 ? dataset.test : dataset.train;
  const n = Math.min(probeSize, from.count);
  const probe = applyScaling({ x: from.x.slice(0, n * features), y: from.y.slice(0, n * dataset.numClasses), count: n }, features, scaling);
  const reference = tf.tidy(() => {
    const x = tf.tensor(probe.x, [n, ...dataset.inputShape]);
    const outs = trained.map((model) => head.probabilities(model.predict(x) as tf.Tensor));
    return tf.div(tf.addN(outs), outs.length);
  });
  const units = reference.shape[1]!;
  const data = reference.dataSync() as Float32Array;
  reference.dispose();
  return { trained, inference, probe, scaling, reference: Float32Array.from(data), units };
}

function maxAbsDiff(a: Float32Array, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

function metadata(source: ExportSource, prepared: Prepared): Record<string, string> {
  return {
    'layerwise.inputScaling': JSON.stringify({ kind: prepared.scaling.kind, shift: Array.from(prepared.scaling.shift), scale: Array.from(prepared.scaling.scale) }),
    'layerwise.inputShape': JSON.stringify(source.dataset.inputShape),
    'layerwise.classNames': JSON.stringify(source.dataset.classNames),
    'layerwise.members': String(prepared.inference.length),
    ...(source.dataset.vocabulary !== undefined ? { 'layerwise.vocabulary': String(source.dataset.vocabulary) } : {}),
  };
}

/** Writes model.json + weights.bin into `dir` (which must not exist). */
export async function writeTfjs(dir: string, model: tfl.LayersModel, meta: Record<string, string>): Promise<string[]> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts?.weightData || !artifacts.weightSpecs) throw new Error('tfjs produced no weights to save');
  const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const bytes = new Uint8Array(weightData.slice(0));
  mkdirSync(dir);
  const modelJson = {
    modelTopology: artifacts.modelTopology,
    format: 'layers-model',
    generatedBy: 'Layerwise',
    convertedBy: null,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    userDefinedMetadata: meta,
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
  writeFileSync(join(dir, 'weights.bin'), bytes);
  return ['model.json', 'weights.bin'];
}

/** Loads a model.json + weights.bin folder written by writeTfjs (or any single-shard tfjs layers model). */
/** A TF.js folder's model.json, and all its weight files together, read at most this large. */
const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;
const MAX_TFJS_WEIGHT_BYTES = 1024 * 1024 * 1024;

/**
 * Loads a TF.js layers model from a folder (ours when verifying an export, the user's when importing one):
 * model.json and its weight files read with counted caps, regular files only, and every weight path a plain
 * file name inside the folder (model.json cannot send the reader to `../../somewhere`).
 */
export async function loadTfjsFolder(dir: string): Promise<tfl.LayersModel> {
  const json = JSON.parse((await readFileLimited(join(dir, 'model.json'), { maxBytes: MAX_MODEL_JSON_BYTES, shown: 'model.json' })).toString('utf8')) as {
    modelTopology: object;
    weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  };
  if (!Array.isArray(json.weightsManifest)) throw new Error('model.json has no weightsManifest list');
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers: Uint8Array[] = [];
  let total = 0;
  for (const path of json.weightsManifest.flatMap((g) => g.paths)) {
    if (typeof path !== 'string' || !/^[^/\\]+$/.test(path) || path === '.' || path === '..') {
      throw new Error(`model.json names the weight file ${JSON.stringify(path)}; weight files must sit in the model's folder`);
    }
    const bytes = await readFileLimited(join(dir, path), { maxBytes: MAX_TFJS_WEIGHT_BYTES - total, shown: path });
    total += bytes.byteLength;
    buffers.push(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) {
    weightData.set(b, at);
    at += b.byteLength;
  }
  return tfl.loadLayersModel({ load: async () => ({ modelTopology: json.modelTopology, weightSpecs, weightData: weightData.buffer }) });
}

async function runTfjs(dir: string, probe: Split, inputShape: number[]): Promise<Float32Array> {
  const model = await loadTfjsFolder(dir);
  try {
    const out = tf.tidy(() => model.predict(tf.tensor(probe.x, [probe.count, ...inputShape])) as tf.Tensor);
    const data = Float32Array.from(await out.data());
    out.dispose();
    return data;
  } finally {
    model.dispose();
  }
}

async function runOnnx(file: string, probe: Split, inputShape: number[], tokens: boolean): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file);
  try {
    const dims = [probe.count, ...inputShape];
    // Token ids go in as int64, as an ONNX consumer of a text model feeds them.
    const input = tokens ? new ort.Tensor('int64', BigInt64Array.from(probe.x, (v) => BigInt(v)), dims) : new ort.Tensor('float32', probe.x, dims);
    const result = await session.run({ [ONNX_INPUT]: input });
    return Float32Array.from(result[ONNX_OUTPUT]!.data as Float32Array);
  } finally {
    await session.release();
  }
}

/** Exports, verifies, and moves the result into place; throws ExportError (leaving nothing) otherwise. */
export async function exportModel(source: ExportSource, options: ExportOptions): Promise<ExportResult> {
  const out = options.out;
  if (existsSync(out)) throw new ExportError('exists', `${out} already exists: choose another --out or remove it`);
  const prepared = prepare(source, options.probeSize ?? DEFAULT_PROBE_SIZE);
  const temp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}-${Date.now()}`);
  const meta = metadata(source, prepared);
  try {
    if (options.corruptForTest) {
      const model = prepared.inference[0]!;
      const weights = model.getWeights();
      const first = tf.add(weights[0]!, 0.5);
      model.setWeights([first, ...weights.slice(1)]);
      first.dispose();
    }
    let files: string[];
    let actual: Float32Array;
    if (options.format === 'tfjs') {
      if (prepared.inference.length > 1) {
        throw new ExportError('unsupported', `an ensemble of ${prepared.inference.length} members has no single TF.js layers model: export it as ONNX (one graph averaging the members)`);
      }
      files = await writeTfjs(temp, prepared.inference[0]!, meta);
      actual = await runTfjs(temp, prepared.probe, source.dataset.inputShape);
    } else {
      const tokens = source.dataset.vocabulary !== undefined;
      const bytes = toOnnx(prepared.inference, { name: source.spec.name, metadata: meta, tokens });
      writeFileSync(temp, bytes);
      files = [];
      actual = await runOnnx(temp, prepared.probe, source.dataset.inputShape, tokens);
    }
    const diff = maxAbsDiff(prepared.reference, actual);
    if (!(diff <= MAX_ABS_DIFF)) {
      throw new ExportError(
        'verification_failed',
        `verification failed: the exported ${options.format} model differs from the trained one by up to ${diff.toExponential(3)} (limit ${MAX_ABS_DIFF}) on ${prepared.probe.count} samples; nothing was written`,
      );
    }
    renameSync(temp, out);
    return {
      format: options.format,
      path: out,
      files: options.format === 'tfjs' ? files.map((f) => join(out, f)) : [out],
      members: prepared.inference.length,
      maxAbsDiff: diff,
      samples: prepared.probe.count,
    };
  } finally {
    rmSync(temp, { recursive: true, force: true });
    for (const m of [...prepared.trained, ...prepared.inference]) m.dispose();
  }
}

/** Exports a run's best or last checkpoint from the store. */
export async function exportRun(
  store: Store,
  runId: number,
  options: ExportOptions & { checkpoint?: 'best' | 'last' },
): Promise<ExportResult> {
  const run = store.getRun(runId);
  // best: the checkpoint kept at the lowest validation loss; last: the newest one, whatever its kind.
  const kind = options.checkpoint ?? 'best';
  const checkpoints = store.listCheckpoints(runId);
  const chosen = kind === 'last' ? checkpoints[checkpoints.length - 1] : [...checkpoints].reverse().find((c) => c.kind === 'best');
  if (!chosen) {
    throw new ExportError('no_checkpoint', `run ${runId} has no ${kind === 'best' ? 'best ' : ''}checkpoint${checkpoints.length ? ` (it has: ${[...new Set(checkpoints.map((c) => c.kind))].join(', ')})` : ''}`);
  }
  const data = store.loadCheckpoint(chosen.id);
  const version = store.getModelVersion(run.modelVersionId);
  const dataset = loadDataset(store.getDataset(run.datasetId).source);
  return exportModel(
    { spec: version.spec, config: run.config, manifest: data.checkpoint.manifest as unknown as CheckpointManifest, weights: data.weights, dataset },
    options,
  );
}
