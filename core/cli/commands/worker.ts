// `layerwise worker`: trains the runs a studio hands out through Redis, on this machine, until Ctrl-C or SIGTERM.
// Prints one line on stdout once it takes runs; what it does goes to stderr. The first signal hands the runs it is
// training back to the queue (another worker continues each from its last checkpoint) and exits; a second exits at once.
import { availableParallelism } from 'node:os';
import { BACKEND_NAMES, type BackendName } from '../../../shared/index.js';
import { RedisConnectError } from '../../redis/index.js';
import { startWorker } from '../../worker/worker.js';
import { parseCommandArgs, parseIntFlag } from '../args.js';
import { UsageError, type Command } from '../io.js';
import { REDIS_ENV, redisFlag } from '../redis-flag.js';

const usage = `layerwise worker --redis URL [--concurrency N] [--threads N] [--backend auto|${BACKEND_NAMES.join('|')}]`;

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Train runs handed out by a studio through Redis (scale-out), on this machine',
  usage: `${usage}\n\n  --redis URL        redis://[:PASSWORD@]HOST[:PORT][/DB], or rediss:// for TLS; or set ${REDIS_ENV}\n                     (which keeps a password out of the process list)\n  --threads N        CPU threads runs may use here (default: all ${availableParallelism()}); a wasm or cpu trainer uses one\n  --concurrency N    runs trained at once (default: --threads for auto, wasm and cpu; 1 for tensorflow and webgpu,\n                     where the GPU is shared)\n  --backend NAME     what a run asking for \`auto\` trains on here (a run that names a backend gets that backend)`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { redis: { type: 'string' }, concurrency: { type: 'string' }, threads: { type: 'string' }, backend: { type: 'string' } },
      usage,
    );
    if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\nusage: ${usage}`);
    const target = redisFlag(values.redis);
    if (!target) throw new UsageError(`give the studio's Redis: --redis URL (or set ${REDIS_ENV})\nusage: ${usage}`);
    const backend = values.backend ?? 'auto';
    if (backend !== 'auto' && !(BACKEND_NAMES as readonly string[]).includes(backend)) {
      throw new UsageError(`--backend must be one of auto, ${BACKEND_NAMES.join(', ')} (got ${JSON.stringify(backend)})`);
    }
    const threads = parseIntFlag('threads', values.threads, 1, 1024) ?? availableParallelism();
    const sharedDevice = backend === 'tensorflow' || backend === 'webgpu';
    const concurrency = parseIntFlag('concurrency', values.concurrency, 1, 64) ?? (sharedDevice ? 1 : threads);
    if (!sharedDevice && concurrency > threads) io.err(`layerwise worker: --concurrency ${concurrency} is more than --threads ${threads}: trainers will share CPU threads`);

    const log = (message: string) => io.err(`layerwise worker: ${message}`);
    let worker;
    try {
      worker = await startWorker({ target, concurrency, ...(backend !== 'auto' ? { autoBackend: backend as BackendName } : {}), log });
    } catch (error) {
      if (error instanceof RedisConnectError) {
        io.err(`layerwise worker: ${error.message}`);
        return 1;
      }
      throw error;
    }
    // The handlers are in place before the line that says the worker takes runs: a signal right after it is handled.
    let signals = 0;
    const stopping = new Promise<void>((resolve) => {
      const onSignal = () => {
        signals += 1;
        if (signals === 1) {
          const n = worker.active();
          io.err(`layerwise worker: stopping${n ? `: handing ${n} run${n === 1 ? '' : 's'} back to the queue (another worker continues from the last checkpoint)` : ''}`);
          resolve();
        } else {
          process.exit(130);
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    io.out(`Layerwise worker ${worker.name} is taking runs from ${target.display} (${concurrency} at a time, backend ${backend})`);
    await stopping;
    await worker.close();
    return 0;
  },
};
