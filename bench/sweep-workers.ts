// `npm run bench:sweep-workers`: the 12-run sweep of bench/sweep.ts handed out through Redis to 1 and to 2
// `layerwise worker` processes (one run at a time each), and the wall-time ratio: scale-out's own figure. A benchmark,
// not a test: nothing here asserts on time. It starts its own redis-server (Debian's `redis-server`, loopback, a free
// port, no persistence, a temp folder) and its workers from the built CLI; workers start before the clock (they are
// long-lived), so a side's time is the sweep's: handing each run out, training it at a worker, recording what comes
// back. Sides alternate (1, 2, 1, 2, …) because these VMs drift from minute to minute.
//   node --import ./tests/store/support/register.mjs bench/sweep-workers.ts [--repeats N] [--epochs N] [--samples N] [--json]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRedisUrl } from '../core/redis/index.js';
import { BullmqExecutor } from '../core/runs/executors/bullmq.js';
import { RunQueue } from '../core/runs/queue.js';
import { studioIdOf } from '../core/settings.js';
import { Store } from '../core/store/index.js';
import { SweepManager } from '../core/sweeps/manager.js';
import type { SweepSpecInput } from '../shared/index.js';
import { ensureBuilt } from '../scripts/build.mjs';
import { spec } from './sweep.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts `child` and resolves once its output matches `ready`; rejects if it ends first. */
function started(child: ChildProcess, ready: RegExp, what: string): Promise<void> {
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (c: Buffer) => {
      output += c.toString();
      if (ready.test(output)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', (e) => reject(new Error(`${what}: ${e.message}`)));
    child.on('close', () => reject(new Error(`${what} ended before it was ready:\n${output}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((resolve) => child.on('close', resolve));
  child.kill('SIGTERM');
  await closed;
}

/** One sweep of the 12 runs at `workers` workers: its wall time in seconds. */
async function once(url: string, workers: number, input: SweepSpecInput): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-bench-workers-'));
  const procs = Array.from({ length: workers }, () =>
    spawn(process.execPath, [join(root, 'out/main/cli.js'), 'worker', '--redis', url, '--concurrency', '1'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  const store = Store.open(dir, { owner: 'bench' });
  const executor = new BullmqExecutor({ store, target: parseRedisUrl(url), studioId: studioIdOf(dir), log: () => {} });
  const queue = new RunQueue({ store, executor, concurrency: workers, adoptQueued: false, log: () => {} });
  const manager = new SweepManager({ store, queue, log: () => {} });
  try {
    await Promise.all(procs.map((p, i) => started(p, /is taking runs from/, `worker ${i + 1}`)));
    await executor.ready;
    const project = store.createProject({ name: 'bench' });
    const t0 = performance.now();
    const sweep = manager.create(project.id, input, { concurrency: workers });
    queue.start();
    const done = await manager.settled(sweep.id);
    const seconds = (performance.now() - t0) / 1000;
    if (done.counts.completed !== 12) throw new Error(`the sweep completed ${done.counts.completed} of 12 runs (${JSON.stringify(done.counts)})`);
    return seconds;
  } finally {
    manager.close();
    await queue.shutdown();
    await executor.close();
    store.close();
    await Promise.all(procs.map(stop));
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SweepWorkersReport {
  runs: number;
  epochs: number;
  samples: number;
  cpus: number;
  loadAverage: number;
  sides: { workers: number; wallSeconds: number[]; meanSeconds: number }[];
  /** Mean wall time on 1 worker over mean wall time on 2: above 1 means the second worker helps. */
  ratio: number;
}

export async function sweepWorkersBench(options: { repeats?: number; epochs?: number; samples?: number; log?: (line: string) => void } = {}): Promise<SweepWorkersReport> {
  const repeats = options.repeats ?? 2;
  const epochs = options.epochs ?? 8;
  const samples = options.samples ?? 1500;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (ensureBuilt() === 'cannot-build') throw new Error('out/ is stale and the build tools are not installed');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-bench-redis-'));
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const input = spec(epochs, samples);
  const walls = new Map<number, number[]>([[1, []], [2, []]]);
  try {
    await started(redis, /Ready to accept connections/, 'redis-server (Debian: apt install redis-server)');
    for (let r = 0; r < repeats; r++) {
      for (const workers of [1, 2]) {
        const s = await once(`redis://127.0.0.1:${port}`, workers, input);
        walls.get(workers)!.push(s);
        log(`sweep workers bench: 12 runs × ${epochs} epochs on ${workers} worker${workers === 1 ? '' : 's'}: ${s.toFixed(1)} s`);
      }
    }
  } finally {
    await stop(redis);
    rmSync(dir, { recursive: true, force: true });
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    runs: 12,
    epochs,
    samples,
    cpus: availableParallelism(),
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
    sides: [1, 2].map((w) => ({ workers: w, wallSeconds: walls.get(w)!.map((s) => Math.round(s * 10) / 10), meanSeconds: Math.round(mean(walls.get(w)!) * 10) / 10 })),
    ratio: Math.round((mean(walls.get(1)!) / mean(walls.get(2)!)) * 100) / 100,
  };
}

function flag(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const report = await sweepWorkersBench({
    ...(flag('repeats') !== undefined ? { repeats: flag('repeats') } : {}),
    ...(flag('epochs') !== undefined ? { epochs: flag('epochs') } : {}),
    ...(flag('samples') !== undefined ? { samples: flag('samples') } : {}),
  });
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    for (const s of report.sides) process.stdout.write(`${s.workers} worker${s.workers === 1 ? ' ' : 's'}: ${s.meanSeconds} s mean wall time (${s.wallSeconds.join(', ')} s)\n`);
    process.stdout.write(`wall-time ratio 1 : 2 workers = ${report.ratio} (12 runs × ${report.epochs} epochs, ${report.samples} spiral points, ${report.cpus} CPUs, load ${report.loadAverage})\n`);
  }
}
