// The studio's rules for a job's attempts, driven step by step: a real Redis, the real executor and run queue over a
// real store, and a scripted "worker" that writes to Redis exactly as core/worker does (claim, fenced reports,
// checkpoints through the fence) — so that the awkward orders a real worker only hits by chance happen every time:
// an attempt dies after reporting an epoch but before its checkpoint, and a late report of the dead attempt arrives
// after the new attempt's claim.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunQueue } from '../../core/runs/queue.js';
import { BullmqExecutor } from '../../core/runs/executors/bullmq.js';
import { createRunRecord } from '../../core/runs/recorder.js';
import { BULL_PREFIX, claimJob, commitCheckpointFenced, jobKeys, parseRedisUrl, publishFenced, putCheckpoint, QUEUE_NAME, studioKeys } from '../../core/redis/index.js';
import { Store } from '../../core/store/index.js';
import { encodeWire, parseTrainingConfig, type CheckpointPayload, type EpochReport, type WorkerMessage } from '../../shared/index.js';
import { tinyConfig, tinyData, tinySpec } from '../host/support.js';
import { startRedis, tempDir, until, type RedisServer } from './support.js';

const STUDIO = 'aaaaaaaa-1111-4222-8333-444444444444';

function report(epoch: number, loss: number): EpochReport {
  return {
    epoch,
    epochs: 3,
    metrics: { loss, accuracy: 0.5, valLoss: loss, valAccuracy: 0.5, learningRate: 0.01, seconds: 1, samplesPerSecond: 100 },
    steps: [{ step: epoch * 10, epoch, loss, gradNorm: 1 }],
    layers: [],
    best: true,
  };
}

function checkpoint(epoch: number): CheckpointPayload {
  return {
    manifest: { format: 2, epoch, kind: 'best', state: { epoch }, tensors: [], optimizerTensors: [] },
    weights: new Uint8Array([epoch, 1, 2, 3]),
    optimizer: new Uint8Array([epoch, 4, 5]),
  };
}

/** What core/worker does for one attempt, one report at a time. */
function attempt(redis: ReturnType<RedisServer['client']>, job: string, runId: number, token: string, n: number) {
  const events = studioKeys(STUDIO).events;
  const wrap = (message: WorkerMessage) => encodeWire({ job, runId, token, attempt: n, message });
  return {
    claim: (resumeEpoch: number | null) => claimJob(redis, job, token).then(() => publishFenced(redis, job, events, token, wrap({ type: 'claim', worker: `scripted:${n}`, pid: 1, resumeEpoch }))),
    say: (message: WorkerMessage) => publishFenced(redis, job, events, token, wrap(message)),
    /** Bypasses the fence: what a report of a dead attempt would look like if it got through anyway. */
    sneak: (message: WorkerMessage) => redis.xadd(events, '*', 'm', wrap(message)),
    checkpoint: async (c: CheckpointPayload) => {
      const keys = jobKeys(job);
      const stage = keys.stage(`${token}-${c.manifest.epoch}`);
      const blob = keys.blob(`${token}-${c.manifest.epoch}`);
      const tx = redis.multi();
      putCheckpoint(tx, stage, c);
      await tx.exec();
      return commitCheckpointFenced(redis, { job, events, token, stage, blob, kind: c.manifest.kind, message: wrap({ type: 'checkpoint', epoch: c.manifest.epoch, kind: c.manifest.kind, key: blob }) });
    },
    progress: (queue: Queue, loss: number) =>
      queue.getJob(job).then((j) => j!.updateProgress(encodeWire({ token, progress: { epoch: 1, batch: 1, batchesPerEpoch: 2, epochs: 3, loss, samplesPerSecond: 1, losses: [loss] } }))),
  };
}

describe("the studio's side of a job's attempts", () => {
  let redis: RedisServer;
  let store: Store;
  let executor: BullmqExecutor;
  let queue: RunQueue;
  const logs: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    store = Store.open(tempDir('studio'), { owner: 'test' });
    executor = new BullmqExecutor({ store, target: parseRedisUrl(redis.url), studioId: STUDIO, log: (m) => logs.push(m) });
    await executor.ready;
    queue = new RunQueue({ store, executor, concurrency: 4, log: (m) => logs.push(m) });
    queue.start();
  });

  afterAll(async () => {
    executor.detachAll();
    await queue.shutdown();
    await executor.close();
    store.close();
  });

  it('records each epoch once, from the attempt that owns the job; a dead attempt cannot report after the claim that replaced it', async () => {
    const project = store.ensureProject('attempts');
    const config = parseTrainingConfig(tinyConfig(3));
    if (!config.ok) throw new Error('config');
    const run = createRunRecord(store, { projectId: project.id, spec: tinySpec, dataset: tinyData, config: config.value, backend: 'wasm' });
    const progress: number[] = [];
    queue.events.on('onRunProgress', ({ progress: p }) => progress.push(p.loss));
    queue.enqueue(run);
    const client = redis.client();
    const job = await until('the job to be in the queue', () => client.hget(studioKeys(STUDIO).jobs, String(run.id)).then((j) => j ?? undefined));
    const bull = new Queue(QUEUE_NAME, { connection: client, prefix: BULL_PREFIX });

    // The first attempt: epoch 1 with its checkpoint, then epoch 2's report, then it dies before epoch 2's checkpoint.
    const a = attempt(client, job, run.id, 'worker-a:0', 1);
    expect(await a.claim(null)).toBe(true);
    await a.say({ type: 'started', backend: 'wasm', device: 'scripted' });
    await a.say({ type: 'epoch', report: report(0, 1.0) });
    expect(await a.checkpoint(checkpoint(0))).toBe(true);
    await a.say({ type: 'epoch', report: report(1, 0.9) });
    await until('epoch 2 of the first attempt to be recorded', () => store.metricSeries(run.id, ['loss'])[0]?.values.length === 2);

    // Its lock lapsed; another worker claims the job and continues after epoch 1.
    const b = attempt(client, job, run.id, 'worker-b:0', 2);
    expect(await b.claim(0)).toBe(true);
    // The fence: the first attempt can no longer report, nor commit a checkpoint (its staged bytes are dropped).
    expect(await a.say({ type: 'epoch', report: report(2, 0.1) })).toBe(false);
    expect(await a.checkpoint(checkpoint(1))).toBe(false);
    expect(await client.keys(`${jobKeys(job).stage('worker-a:0-1')}*`)).toEqual([]);
    // And should one of its reports get into the stream anyway, the studio ignores it (reports are handled in order:
    // once the second attempt's `started` is recorded, the sneaked epoch before it has been dealt with).
    await a.sneak({ type: 'epoch', report: report(1, 0.123) });
    await b.say({ type: 'started', backend: 'wasm', device: 'scripted-b' });
    await until('the second attempt to start', () => store.getRun(run.id).device === 'scripted-b');
    expect(store.metricSeries(run.id, ['loss'])[0]!.values).toEqual([1.0]);
    await b.progress(bull, 0.77);
    await a.progress(bull, 0.66);
    await b.progress(bull, 0.55);
    await until('the second attempt’s progress', () => progress.includes(0.55));
    expect(progress).toContain(0.77);
    expect(progress).not.toContain(0.66);

    await b.say({ type: 'epoch', report: report(1, 0.8) });
    expect(await b.checkpoint(checkpoint(1))).toBe(true);
    await b.say({ type: 'epoch', report: report(2, 0.7) });
    expect(await b.checkpoint(checkpoint(2))).toBe(true);
    await b.say({
      type: 'finished',
      summary: { status: 'completed', epochs: 3, backend: 'wasm', device: 'scripted', samplesPerSecond: 100, final: null, confusion: null, classNames: [], bestEpoch: 2, weights: 'last' },
    });
    await queue.idle();

    const after = store.getRun(run.id);
    expect(after.status).toBe('completed');
    expect(store.metricSeries(run.id, ['loss', 'step.loss'])).toEqual([
      { name: 'loss', epochs: [0, 1, 2], steps: [null, null, null], values: [1.0, 0.8, 0.7] },
      { name: 'step.loss', epochs: [0, 1, 2], steps: [0, 10, 20], values: [1.0, 0.8, 0.7] },
    ]);
    // One checkpoint of kind best (each replaced the one before), with the second attempt's bytes of epoch 3.
    const kept = store.listCheckpoints(run.id);
    expect(kept.map((c) => [c.epoch, c.kind])).toEqual([[2, 'best']]);
    expect([...store.loadCheckpoint(kept[0]!.id).weights]).toEqual([2, 1, 2, 3]);
    expect(logs.join('\n')).toMatch(new RegExp(`run ${run.id}: worker scripted:2 took it over \\(attempt 2\\) after epoch 1`));

    // Everything of the job is gone from Redis once its outcome is recorded.
    await until('the job to be cleaned up', async () => (await client.hlen(studioKeys(STUDIO).jobs)) === 0);
    expect(await client.keys(`layerwise:job:${job}:*`)).toEqual([]);
    expect(await client.xlen(studioKeys(STUDIO).events)).toBe(0);
    await bull.close();
  });

  it('after a restart, cancels the jobs of runs deleted or finished while it was closed, and takes back the others', async () => {
    const project = store.ensureProject('restart');
    const config = parseTrainingConfig(tinyConfig(3));
    if (!config.ok) throw new Error('config');
    const make = () => createRunRecord(store, { projectId: project.id, spec: tinySpec, dataset: tinyData, config: config.value, backend: 'wasm' });
    const [deleted, queued] = [make(), make()];
    queue.enqueue(deleted);
    queue.enqueue(queued);
    const client = redis.client();
    const jobs = studioKeys(STUDIO).jobs;
    await until('both jobs to be out', async () => (await client.hlen(jobs)) === 2);
    const deletedJob = (await client.hget(jobs, String(deleted.id)))!;
    const queuedJob = (await client.hget(jobs, String(queued.id)))!;

    // The studio closes (both runs wait at the workers, still queued), and one run is deleted meanwhile.
    executor.detachAll();
    await queue.shutdown();
    await executor.close();
    expect(store.getRun(queued.id).status).toBe('queued');
    store.deleteRun(deleted.id);

    executor = new BullmqExecutor({ store, target: parseRedisUrl(redis.url), studioId: STUDIO, log: (m) => logs.push(m) });
    queue = new RunQueue({ store, executor, concurrency: 4, log: (m) => logs.push(m) });
    queue.start();
    expect(await executor.reconcile()).toEqual([]);
    expect(await client.hgetall(jobs)).toEqual({ [String(queued.id)]: queuedJob });
    expect(await client.hget(jobKeys(deletedJob).control, 'state')).toBe('kill');
    const bull = new Queue(QUEUE_NAME, { connection: client, prefix: BULL_PREFIX });
    expect(await bull.getJob(deletedJob)).toBeUndefined();
    // The queued run attached to its job again rather than adding a second one.
    await until('the queued run to attach', () => logs.some((l) => l.includes(`run ${queued.id}: picked up its job ${queuedJob} again (waiting)`)));
    expect((await bull.getJobs(['waiting'])).map((j) => j.id)).toEqual([queuedJob]);
    await queue.stop(queued.id);
    expect(store.getRun(queued.id).status).toBe('stopped');
    await until('the stopped job to leave the queue', async () => (await bull.getJob(queuedJob)) === undefined);
    await bull.close();
  });
});
