// A training thread (worker_threads): its own TensorFlow.js with the wasm backend and the engine's kernels, and a
// replica of the model. Each step it takes the owner's weights, computes the loss and gradients of its fixed shard
// of the batch (its share of the whole batch's mean loss, so the shards' gradients add up to the batch's), and
// writes them to its slot. Batch statistics are synchronised inside the batch-norm kernels (sync.ts); dropout masks
// are keyed by the row in the whole batch (kernels/dropout.ts). The owner does everything else (threads/pool.ts).
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { BackendName, ModelSpec } from '../../../shared/index.js';
import { initBackend } from '../backends/index.js';
import { buildModel, type BuildOptions } from '../build-model.js';
import { prepareHead } from '../head.js';
import { setBatchStatsReducer } from '../kernels/batch-norm.js';
import { withDropoutStream } from '../kernels/dropout.js';
import { CMD, CTRL, RESULT_STRIDE, shardOf, type PoolBuffers, type PoolLayout } from './layout.js';
import { PoolAborted, StepSync } from './sync.js';
import type { ThreadMessage } from './messages.js';

export interface ThreadData {
  me: number;
  backend: BackendName;
  /** The training spec (output activation folded into the loss: prepareHead's). */
  spec: ModelSpec;
  build: BuildOptions;
  layout: PoolLayout;
  buffers: PoolBuffers;
  /** A fault drill (`LAYERWISE_THREAD_FAULT`, read by the owner): what to do at which step. */
  fault?: { kind: 'exit' | 'throw' | 'hang'; thread: number; step: number };
}

const data = workerData as ThreadData;
const port = parentPort!;
const post = (m: ThreadMessage) => port.postMessage(m);

const { me, layout, buffers } = data;
const ctrl = new Int32Array(buffers.control);
const batchX = new Float32Array(buffers.batchX);
const batchY = new Float32Array(buffers.batchY);
const weights = new Float32Array(buffers.weights);
const grads = new Float32Array(buffers.grads);
const results = new Float64Array(buffers.results);
const sync = new StepSync(buffers.control, buffers.reduce, me, layout.threads, layout.reduceStride);

function setup(): { model: tfl.LayersModel; variables: tf.Variable[]; head: ReturnType<typeof prepareHead> } {
  const head = prepareHead(data.spec);
  const model = buildModel(head.spec, data.build);
  const shapes = model.weights.map((w) => w.shape.join('x')).join(',');
  const expected = layout.weights.map((w) => w.shape.join('x')).join(',');
  if (shapes !== expected) throw new Error(`the thread's model has weights [${shapes}] but the trainer's has [${expected}]`);
  const variables = model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
  return { model, variables, head };
}

function loadWeights(model: tfl.LayersModel): void {
  tf.tidy(() => {
    model.weights.forEach((w, i) => {
      const slot = layout.weights[i]!;
      w.write(tf.tensor(weights.subarray(slot.offset, slot.offset + slot.size), slot.shape, 'float32'));
    });
  });
}

function step(model: tfl.LayersModel, variables: tf.Variable[], head: ReturnType<typeof prepareHead>): void {
  const n = Atomics.load(ctrl, CTRL.ROWS);
  const key = Atomics.load(ctrl, CTRL.KEY) >>> 0;
  const { offset, rows } = shardOf(me, n, layout.threads);
  const { features, classes, inputShape } = layout;
  loadWeights(model);
  sync.resetPhase();
  // This shard's share of the batch's mean loss: the shards' gradients then add up to the whole batch's.
  const share = rows / n;
  const out = withDropoutStream({ key, rowOffset: offset }, () =>
    tf.tidy(() => {
      const xs = tf.tensor(batchX.subarray(offset * features, (offset + rows) * features), [rows, ...inputShape], 'float32');
      const ys = tf.tensor(batchY.subarray(offset * classes, (offset + rows) * classes), [rows, classes], 'float32');
      let output: tf.Tensor | null = null;
      const { value, grads: g } = tf.variableGrads(() => {
        const y = model.apply(xs, { training: true }) as tf.Tensor;
        output = tf.keep(y);
        const dataLoss = head.loss(ys, y);
        const penalties = model.calculateLosses() as tf.Scalar[];
        const total = penalties.length ? tf.add(dataLoss, tf.addN(penalties)) : dataLoss;
        return tf.mul(total, share) as tf.Scalar;
      }, variables);
      const correct = head.correct(ys, output!);
      (output as tf.Tensor | null)?.dispose();
      return { loss: value, correct, grads: g };
    }),
  );
  const base = me * layout.gradSize;
  variables.forEach((v, i) => grads.set(out.grads[v.name]!.dataSync() as Float32Array, base + layout.weights[i]!.gradOffset));
  results[me * RESULT_STRIDE] = out.loss.dataSync()[0]!;
  results[me * RESULT_STRIDE + 1] = out.correct.dataSync()[0]!;
  tf.dispose([out.loss, out.correct, ...Object.values(out.grads)]);
  // Batch-norm moving statistics changed in the forward pass, identically in every thread (synchronised statistics):
  // thread 0 hands them back.
  if (me === 0) {
    model.weights.forEach((w, i) => {
      const slot = layout.weights[i]!;
      if (!slot.trainable) weights.set(w.read().dataSync() as Float32Array, slot.offset);
    });
  }
  results[me * RESULT_STRIDE + 2] = tf.memory().numTensors;
}

function fail(error: unknown): void {
  if (!(error instanceof PoolAborted)) {
    post({ type: 'failed', thread: me, message: error instanceof Error ? error.message : String(error) });
  }
  Atomics.store(ctrl, CTRL.ABORT, 1);
  for (const slot of [CTRL.GEN, CTRL.BAR_GEN, CTRL.DONE]) Atomics.notify(ctrl, slot);
}

async function main(): Promise<void> {
  let model: tfl.LayersModel;
  let variables: tf.Variable[];
  let head: ReturnType<typeof prepareHead>;
  try {
    await initBackend(data.backend);
    setBatchStatsReducer(sync);
    ({ model, variables, head } = setup());
  } catch (error) {
    fail(error);
    return;
  }
  post({ type: 'ready', thread: me });
  let seen = 0;
  for (;;) {
    let gen: number;
    while ((gen = Atomics.load(ctrl, CTRL.GEN)) === seen) {
      if (Atomics.load(ctrl, CTRL.ABORT) !== 0) return;
      Atomics.wait(ctrl, CTRL.GEN, seen, 1000);
    }
    seen = gen;
    if (Atomics.load(ctrl, CTRL.ABORT) !== 0) return;
    if (Atomics.load(ctrl, CTRL.CMD) === CMD.EXIT) break;
    if (me >= Atomics.load(ctrl, CTRL.ACTIVE)) continue;
    try {
      const fault = data.fault;
      if (fault && fault.thread === me && fault.step === Atomics.load(ctrl, CTRL.STEPS)) {
        if (fault.kind === 'exit') process.exit(3);
        if (fault.kind === 'throw') throw new Error(`fault drill: thread ${me} throws at step ${fault.step}`);
        if (fault.kind === 'hang') for (;;) Atomics.wait(ctrl, CTRL.SIZE - 1, 0, 1000);
      }
      step(model, variables, head);
    } catch (error) {
      fail(error);
      return;
    }
    Atomics.add(ctrl, CTRL.DONE, 1);
    Atomics.notify(ctrl, CTRL.DONE);
  }
  model.dispose();
}

void main();
