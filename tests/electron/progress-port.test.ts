// Live progress on a MessagePort straight from the trainer to the page: main hands out the two ends, the
// trainer posts progress on its end (not to main), and the preload feeds the page's onRunProgress
// subscribers. Node's worker MessageChannel stands in for Electron's (same postMessage/onmessage shape).
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/engine/backends/index.js';
import { TrainerSession } from '../../core/engine/trainer-session.js';
import { openProgressPort } from '../../electron/main/trainer-process.js';
import { createBridge, type IpcRendererLike } from '../../electron/preload/bridge.js';
import {
  parseTrainingConfig,
  PROGRESS_PORT_CHANNEL,
  PROGRESS_PORT_MESSAGE,
  type BatchProgress,
  type TrainerToParent,
} from '../../shared/index.js';

const open: MessagePort[] = [];
afterEach(() => {
  for (const port of open.splice(0)) port.close();
});

function channel() {
  const c = new MessageChannel();
  open.push(c.port1, c.port2);
  return c;
}

const progress: BatchProgress = { epoch: 0, batch: 3, batchesPerEpoch: 10, epochs: 2, loss: 0.5, samplesPerSecond: 1000, losses: [0.6, 0.5] };

describe('progress port', () => {
  it('main sends one end to the trainer and the other, with the run id, to the page', () => {
    const child: unknown[][] = [];
    const page: unknown[][] = [];
    const c = channel();
    const opened = openProgressPort(7, { postMessage: (...a: unknown[]) => void child.push(a) }, { postMessage: (...a: unknown[]) => void page.push(a) }, () => c);
    expect(opened).toBe(true);
    expect(child).toEqual([[{ type: PROGRESS_PORT_MESSAGE }, [c.port1]]]);
    expect(page).toEqual([[PROGRESS_PORT_CHANNEL, { runId: 7 }, [c.port2]]]);
    expect(openProgressPort(7, { postMessage: () => {} }, undefined, () => channel())).toBe(false);
  });

  it('the preload turns messages on the port into onRunProgress events for that run', async () => {
    const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
    const ipc: IpcRendererLike = { invoke: async () => ({ ok: true, result: null }), on: (ch, l) => void listeners.set(ch, l) };
    const bridge = createBridge(ipc) as unknown as { onRunProgress(l: (e: unknown) => void): () => void };
    const got: unknown[] = [];
    bridge.onRunProgress((e) => got.push(e));
    const c = channel();
    listeners.get(PROGRESS_PORT_CHANNEL)!({ ports: [c.port2] }, { runId: 7 });
    c.port1.postMessage({ type: 'progress', progress });
    c.port1.postMessage({ type: 'something else' });
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual([{ runId: 7, progress }]);
  });

  it('a trainer given a port posts progress there, and epochs and the outcome to the parent', async () => {
    await initBackend('cpu');
    const toParent: TrainerToParent[] = [];
    let done: (code: number) => void = () => {};
    const finished = new Promise<number>((r) => (done = r));
    const session = new TrainerSession({ post: (m) => void toParent.push(m), postFinal: async (m) => void toParent.push(m) }, (code) => done(code));
    const c = channel();
    const onPort: unknown[] = [];
    c.port2.on('message', (m) => onPort.push(m));
    session.receive({ type: PROGRESS_PORT_MESSAGE }, [c.port1]);
    const config = parseTrainingConfig({ epochs: 2, batchSize: 16, seed: 1, tricks: {} });
    if (!config.ok) throw new Error('config');
    session.receive({
      type: 'start',
      request: {
        spec: { version: 1, name: 'p', loss: 'categoricalCrossentropy', layers: [{ type: 'input', shape: [2] }, { type: 'dense', units: 3, activation: 'softmax' }] },
        dataset: { kind: 'synthetic', name: 'blobs', samples: 200, classes: 3, noise: 0.1 },
        config: config.value,
        backend: 'cpu',
      },
    });
    expect(await finished).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(toParent.filter((m) => m.type === 'progress')).toEqual([]);
    expect(toParent.filter((m) => m.type === 'epoch')).toHaveLength(2);
    expect(toParent[toParent.length - 1]!.type).toBe('finished');
    expect(onPort.length).toBeGreaterThanOrEqual(2); // at least the flush at each epoch's end
    expect(onPort.every((m) => (m as { type: string }).type === 'progress')).toBe(true);
  });
});
