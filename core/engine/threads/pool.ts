// Data-parallel training on N threads (worker_threads), one TensorFlow.js wasm instance each: the trainer thread owns
// the models, the optimizers and every trick; the pool is its GradientSource (training/step.ts). A step:
//   1. the trainer fills the batch into shared memory (train.ts's fillBatch, unchanged) and writes the member's
//      weights (all of them: trainable, and batch-norm moving statistics) into the weights region;
//   2. it bumps the generation (Atomics.notify); each thread loads the weights and computes its fixed contiguous shard
//      (shardOf): loss × rows/n and its gradients, batch norm synchronised across threads inside its kernels;
//   3. the trainer waits (Atomics.waitAsync: its event loop stays free for stop/pause and for a thread's death), adds
//      the threads' gradients in thread order 0…N−1 (float64), and hands the sum to the trick hooks and the optimizer
//      as the single-thread path does. Thread 0's moving statistics come back into the member's model.
// One trainer applies the update and broadcasts weights (rather than every replica applying it): optimizer state,
// checkpoints and every trick stay exactly where they are on one thread, and the broadcast costs ~0.1 ms per 100k
// weights. A thread that throws, exits or stops answering fails the step with a TrainError ('thread_failed'); every
// wait in the pool gives up on the abort flag, so nothing hangs.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { BackendName, ModelSpec } from '../../../shared/index.js';
import type { BuildOptions } from '../build-model.js';
import { TrainError } from '../training/errors.js';
import type { Member } from '../training/members.js';
import type { Batch, BatchGradients, GradientSource } from '../training/step.js';
import { activeThreads, allocateBuffers, CMD, CTRL, RESULT_STRIDE, type PoolBuffers, type PoolLayout, type WeightSlot } from './layout.js';
import type { ThreadMessage } from './messages.js';
import type { ThreadData } from './worker.js';

export interface PoolOptions {
  threads: number;
  backend: BackendName;
  /** The training spec (prepareHead's) and how members are built: every thread builds the same model. */
  spec: ModelSpec;
  build: BuildOptions;
  /** A member's model: the weights' shapes and the batch-norm widths come from it. */
  model: tfl.LayersModel;
  batchSize: number;
  inputShape: readonly number[];
  classes: number;
  /** How long a thread may take to start or to finish a step before the pool gives up (default 10 minutes). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** The thread entry: the built bundle's sibling, or the TypeScript source (tests, bench) run through the loader hooks. */
export function threadEntry(): { file: string; execArgv: string[] } {
  const override = process.env.LAYERWISE_THREAD_ENTRY;
  if (override) return { file: override, execArgv: [] };
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const hooks = join(dirname(here), '../../../tests/store/support/register.mjs');
    const has = process.execArgv.some((a, i) => a.includes('register.mjs') && (process.execArgv[i - 1] === '--import' || a.startsWith('--import')));
    return { file: join(dirname(here), 'worker.ts'), execArgv: has || !existsSync(hooks) ? [] : ['--import', pathToFileURL(hooks).href] };
  }
  let dir = dirname(here);
  for (;;) {
    for (const candidate of [join(dir, 'train-thread.js'), join(dir, 'out', 'main', 'train-thread.js')]) {
      if (existsSync(candidate)) return { file: candidate, execArgv: [] };
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('the training thread entry (train-thread.js) is not built: run `npm run build`');
    dir = parent;
  }
}

/** `LAYERWISE_THREAD_FAULT=exit:1:3` (or throw, hang): thread 1 does that at step 3. Reliability drills only. */
function faultDrill(): ThreadData['fault'] {
  const m = /^(exit|throw|hang):(\d+):(\d+)$/.exec(process.env.LAYERWISE_THREAD_FAULT ?? '');
  return m ? { kind: m[1] as 'exit' | 'throw' | 'hang', thread: Number(m[2]), step: Number(m[3]) } : undefined;
}

function layoutOf(opts: PoolOptions): PoolLayout {
  const { model } = opts;
  const trainable = model.trainableWeights.length;
  model.weights.forEach((w, i) => {
    if ((i < trainable) !== w.trainable || (i < trainable && model.trainableWeights[i] !== w)) {
      throw new Error('the model lists its trainable weights out of order');
    }
  });
  let offset = 0;
  let gradOffset = 0;
  const weights: WeightSlot[] = model.weights.map((w) => {
    const size = w.shape.reduce<number>((a, b) => a * (b ?? 1), 1);
    const slot = { shape: w.shape as number[], size, trainable: w.trainable, offset, gradOffset: w.trainable ? gradOffset : -1 };
    offset += size;
    if (w.trainable) gradOffset += size;
    return slot;
  });
  // Batch-norm backward all-reduces 4 values per channel (kernels/batch-norm.ts), plus the row count.
  const channels = Math.max(1, ...model.weights.filter((w) => /gamma$/.test(w.originalName)).map((w) => w.shape[w.shape.length - 1] ?? 1));
  return {
    threads: opts.threads,
    batchSize: opts.batchSize,
    inputShape: [...opts.inputShape],
    features: opts.inputShape.reduce((a, b) => a * b, 1),
    classes: opts.classes,
    weights,
    weightSize: offset,
    gradSize: gradOffset,
    reduceStride: 4 * channels + 1,
  };
}

type WaitAsync = (a: Int32Array, index: number, value: number, timeout?: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

export class ThreadPool implements GradientSource {
  private readonly ctrl: Int32Array;
  private readonly weights: Float32Array;
  private readonly grads: Float32Array;
  private readonly results: Float64Array;
  private readonly workers: Worker[] = [];
  private failure: TrainError | null = null;
  private wake: (() => void) | null = null;
  private closing = false;
  private readonly timeoutMs: number;
  private steps = 0;
  /** Live tensors in each thread after its last step (tests check they stay flat). */
  readonly threadTensors: number[];

  private constructor(
    readonly layout: PoolLayout,
    private readonly buffers: PoolBuffers,
    timeoutMs: number,
  ) {
    this.ctrl = new Int32Array(buffers.control);
    this.weights = new Float32Array(buffers.weights);
    this.grads = new Float32Array(buffers.grads);
    this.results = new Float64Array(buffers.results);
    this.timeoutMs = timeoutMs;
    this.threadTensors = new Array<number>(layout.threads).fill(0);
  }

  static async start(opts: PoolOptions): Promise<ThreadPool> {
    const layout = layoutOf(opts);
    const pool = new ThreadPool(layout, allocateBuffers(layout), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const entry = threadEntry();
    const fault = faultDrill();
    const ready = new Set<number>();
    for (let me = 0; me < opts.threads; me++) {
      const data: ThreadData = { me, backend: opts.backend, spec: opts.spec, build: opts.build, layout, buffers: pool.buffers, fault };
      // Workers inherit this process's Node options (and V8's flags, which are per process: relaxed SIMD included);
      // from sources they also need the TypeScript loader hooks.
      const worker = new Worker(entry.file, { workerData: data, ...(entry.execArgv.length ? { execArgv: entry.execArgv } : {}) });
      worker.on('message', (m: ThreadMessage) => {
        if (m.type === 'ready') ready.add(m.thread);
        else pool.fail(`training thread ${m.thread + 1} of ${opts.threads} failed: ${m.message}`);
        pool.wake?.();
      });
      worker.on('error', (e) => {
        pool.fail(`training thread ${me + 1} of ${opts.threads} failed: ${e.message}`);
        pool.wake?.();
      });
      worker.on('exit', (code) => {
        if (!pool.closing) pool.fail(`training thread ${me + 1} of ${opts.threads} ended (exit code ${code}) in the middle of training`);
        pool.wake?.();
      });
      pool.workers.push(worker);
    }
    try {
      await pool.until(() => ready.size === opts.threads, `${opts.threads - ready.size} training threads did not start`);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Batch buffers in shared memory: train.ts fills them, the threads read their shards from them. */
  createBatch(inputShape: readonly number[], classes: number): Batch {
    return { x: new Float32Array(this.buffers.batchX), y: new Float32Array(this.buffers.batchY), n: 0, inputShape, classes, key: 0 };
  }

  async compute(member: Member, batch: Batch): Promise<BatchGradients> {
    if (this.failure) throw this.failure;
    const { layout, ctrl } = this;
    const weights = member.model.weights;
    weights.forEach((w, i) => this.weights.set(w.read().dataSync() as Float32Array, layout.weights[i]!.offset));
    const active = activeThreads(batch.n, layout.threads);
    Atomics.store(ctrl, CTRL.ROWS, batch.n);
    Atomics.store(ctrl, CTRL.ACTIVE, active);
    Atomics.store(ctrl, CTRL.KEY, batch.key | 0);
    Atomics.store(ctrl, CTRL.STEPS, this.steps++);
    Atomics.store(ctrl, CTRL.DONE, 0);
    Atomics.store(ctrl, CTRL.CMD, CMD.STEP);
    Atomics.add(ctrl, CTRL.GEN, 1);
    Atomics.notify(ctrl, CTRL.GEN);
    await this.untilDone(active);

    // The threads' gradients added in thread order: the same bits run after run.
    const sum = new Float64Array(layout.gradSize);
    let loss = 0;
    let correct = 0;
    for (let t = 0; t < active; t++) {
      const base = t * layout.gradSize;
      for (let i = 0; i < layout.gradSize; i++) sum[i]! += this.grads[base + i]!;
      loss += this.results[t * RESULT_STRIDE]!;
      correct += this.results[t * RESULT_STRIDE + 1]!;
      this.threadTensors[t] = this.results[t * RESULT_STRIDE + 2]!;
    }
    return tf.tidy(() => {
      const grads: Record<string, tf.Tensor> = {};
      member.variables.forEach((v, i) => {
        const slot = layout.weights[i]!;
        grads[v.name] = tf.tensor(Float32Array.from(sum.subarray(slot.gradOffset, slot.gradOffset + slot.size)), slot.shape, 'float32');
      });
      // Batch-norm moving statistics, as the threads' forward passes left them (the same in every thread).
      weights.forEach((w, i) => {
        const slot = layout.weights[i]!;
        if (!slot.trainable) w.write(tf.tensor(this.weights.slice(slot.offset, slot.offset + slot.size), slot.shape, 'float32'));
      });
      return { loss: tf.scalar(loss), correct: tf.scalar(correct), grads };
    });
  }

  /** Stops the threads (each ends its loop, or is terminated) and frees them. Idempotent. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    Atomics.store(this.ctrl, CTRL.CMD, CMD.EXIT);
    Atomics.add(this.ctrl, CTRL.GEN, 1);
    Atomics.notify(this.ctrl, CTRL.GEN);
    await Promise.all(this.workers.map((w) => w.terminate().catch(() => undefined)));
  }

  private fail(message: string): void {
    if (this.failure || this.closing) return;
    this.failure = new TrainError('thread_failed', message);
    Atomics.store(this.ctrl, CTRL.ABORT, 1);
    for (const slot of [CTRL.GEN, CTRL.BAR_GEN, CTRL.DONE]) Atomics.notify(this.ctrl, slot);
  }

  private async untilDone(active: number): Promise<void> {
    const ctrl = this.ctrl;
    await this.until(() => Atomics.load(ctrl, CTRL.DONE) >= active, 'a training thread stopped answering', () => {
      const seen = Atomics.load(ctrl, CTRL.DONE);
      const r = waitAsync(ctrl, CTRL.DONE, seen, 1000);
      return r.async ? (r.value as Promise<string>) : null;
    });
  }

  /**
   * Resolves once `done()` holds; throws the pool's failure as soon as there is one, and fails the pool when nothing
   * happened for the timeout. Waits on `waitOn` (a shared-memory wait) or on the next thread message.
   */
  private async until(done: () => boolean, stalled: string, waitOn?: () => Promise<string> | null): Promise<void> {
    const deadline = performance.now() + this.timeoutMs;
    for (;;) {
      if (this.failure) throw this.failure;
      if (done()) return;
      if (performance.now() > deadline) {
        this.fail(`${stalled} for ${Math.round(this.timeoutMs / 1000)} s; the run was stopped`);
        throw this.failure!;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const wakeUp = new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, 1000);
      });
      const shared = waitOn?.();
      await (shared ? Promise.race([wakeUp, shared]) : wakeUp);
      clearTimeout(timer);
      this.wake = null;
    }
  }
}
