// The run queue's persistence and the serve command's usage errors (the rest of the queue is exercised
// through the API by the contract suite and the drills).
import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../core/cli/main.js';
import { forkTrainer } from '../../core/engine/trainer-client.js';
import { orderQueued, storeQueueOrder } from '../../core/runs/queue-order.js';
import { RunQueue } from '../../core/runs/queue.js';
import { createServices } from '../../core/services/services.js';
import { Store } from '../../core/store/index.js';
import { createRunRecord } from '../../core/runs/recorder.js';
import { parseTrainingConfig } from '../../shared/index.js';
import { ensureBuilt } from '../support/build.js';
import { tempDir, tinyRun, until } from './support.js';

beforeAll(() => ensureBuilt());

/** A run waiting in the queue, recorded the way runs.start records one. */
function queuedRun(store: Store): number {
  const project = store.ensureProject('queue');
  const { spec, dataset, config } = tinyRun(project.id, 1);
  const parsed = parseTrainingConfig(config);
  if (!parsed.ok) throw new Error('config');
  return createRunRecord(store, { projectId: project.id, spec, dataset, config: parsed.value, backend: 'wasm' }).id;
}

describe('queue order', () => {
  it('puts saved ids first, then the rest oldest first, ignoring stale and repeated ids', () => {
    expect(orderQueued([3, 1, 2, 5], [5, 9, 2, 5])).toEqual([5, 2, 1, 3]);
    expect(orderQueued([], [1])).toEqual([]);
  });

  it('survives in the store; ids that are no longer queued are dropped', () => {
    const dir = tempDir('order');
    const store = Store.open(dir, { owner: 'test' });
    try {
      const ids = [1, 2, 3].map(() => queuedRun(store));
      const order = storeQueueOrder(store);
      expect(order.load()).toEqual([]);
      order.save([ids[2]!, ids[0]!, 999]);
      expect(storeQueueOrder(store).load()).toEqual([ids[2], ids[0]]);
      store.setRunStatus(ids[2]!, 'running');
      expect(order.load()).toEqual([ids[0]]);
    } finally {
      store.close();
    }
  });
});

describe('the queue across a restart', () => {
  it('keeps queued runs in their reordered order; the training one becomes interrupted on shutdown', async () => {
    const dir = tempDir('queue');
    const open = () => {
      const store = Store.open(dir, { owner: 'test' });
      const queue = new RunQueue({ store, order: storeQueueOrder(store), spawnTrainer: () => forkTrainer(), log: () => {}, shutdownTimeoutMs: 5_000 });
      const services = createServices({ store, queue });
      queue.start();
      return { store, queue, api: services.api };
    };
    const first = open();
    const project = await first.api.projects.create({ name: 'Restart' });
    const long = await first.api.runs.start(tinyRun(project.id, 5000));
    const b = await first.api.runs.start(tinyRun(project.id, 1));
    const c = await first.api.runs.start(tinyRun(project.id, 1));
    await first.api.queue.reorder({ runIds: [c.id] });
    await until('the long run to train', async () => (await first.api.runs.get({ id: long.id })).status === 'running');
    await first.queue.shutdown();
    expect(first.store.getRun(long.id).status).toBe('interrupted');
    expect([first.store.getRun(b.id).status, first.store.getRun(c.id).status]).toEqual(['queued', 'queued']);
    first.store.close();

    // Without starting, the reopened queue would take c first, then b.
    const store = Store.open(dir, { owner: 'test' });
    const queue = new RunQueue({ store, order: storeQueueOrder(store), concurrency: 1, spawnTrainer: () => forkTrainer(), log: () => {} });
    const started: number[] = [];
    queue.events.on('onRunStatus', (e) => e.status === 'running' && !started.includes(e.runId) && started.push(e.runId));
    queue.start();
    expect(queue.state()).toEqual({ concurrency: 1, active: [c.id], pending: [b.id] });
    await queue.idle();
    expect(started).toEqual([c.id, b.id]);
    expect([store.getRun(b.id).status, store.getRun(c.id).status, store.getRun(long.id).status]).toEqual(['completed', 'completed', 'interrupted']);
    await queue.shutdown();
    store.close();
  });
});

describe('layerwise serve: usage', () => {
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), isTTY: false }, out, err };
  };

  it('refuses bad flags with exit 2, naming the flag and the value', async () => {
    for (const [args, text] of [
      [['--port', 'eighty'], '--port must be an integer in [0, 65535] (got "eighty")'],
      [['--port', '70000'], '--port must be an integer in [0, 65535] (got "70000")'],
      [['--concurrency', '0'], '--concurrency must be an integer in [1, 16] (got "0")'],
      [['--colour'], "Unknown option '--colour'"],
      [['extra'], 'unexpected argument "extra"'],
    ] as const) {
      const c = capture();
      expect(await runCli(['serve', ...args], c.io)).toBe(2);
      expect(c.err.join('\n')).toContain(text);
      expect(c.out).toEqual([]);
    }
    const help = capture();
    expect(await runCli(['serve', '--help'], help.io)).toBe(0);
    expect(help.out.join('\n')).toContain('layerwise serve [--port N] [--data DIR]');
  });

  it('exits 1 naming the port when it is taken, leaving the data folder unlocked', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const dir = tempDir('serve');
    try {
      const c = capture();
      expect(await runCli(['serve', '--port', String(port), '--data', dir], c.io)).toBe(1);
      expect(c.err.join('\n')).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
      expect(c.out).toEqual([]);
      Store.open(dir, { owner: 'test' }).close();
    } finally {
      blocker.close();
    }
  });
});
