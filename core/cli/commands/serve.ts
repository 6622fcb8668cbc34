// `layerwise serve`: the studio in a browser, from 127.0.0.1 (a headless GPU box, or where Electron is
// missing). Prints exactly one line on stdout, the URL with its per-launch token, and runs until SIGINT or
// SIGTERM; then it stops every trainer after its current batch (their runs become `interrupted`, resumable
// from their last checkpoint), closes the store and exits. Everything else goes to stderr.
//
// With `--redis URL` (or LAYERWISE_REDIS_URL, or the data folder's settings: `layerwise settings --redis`) runs go to
// `layerwise worker` processes through that Redis instead of local trainers; a Redis that cannot be used (unreachable,
// wrong password) ends serve with exit 1, naming why. Runs training at the workers go on when serve stops.
import { MAX_CONCURRENCY } from '../../../shared/api/contract.js';
import { resolveDataDir } from '../../data-dir.js';
import { appVersion, openAppHost, type AppHost } from '../../host/app-host.js';
import { startBrowserHost } from '../../host/browser-host.js';
import { StoreError } from '../../store/index.js';
import { parseCommandArgs, parseIntFlag } from '../args.js';
import { UsageError, type Command } from '../io.js';
import { DEFAULT_LOCK_WAIT_S } from './runs.js';
import { redisFlag } from '../redis-flag.js';
import { RedisUrlError } from '../../redis/index.js';
import { SettingsError } from '../../settings.js';

const usage = 'layerwise serve [--port N] [--data DIR] [--concurrency N] [--wait SECONDS] [--redis URL]';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the studio to a browser on 127.0.0.1, with a per-launch token',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { port: { type: 'string' }, data: { type: 'string' }, concurrency: { type: 'string' }, wait: { type: 'string' }, redis: { type: 'string' } },
      usage,
    );
    if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\nusage: ${usage}`);
    const port = parseIntFlag('port', values.port, 0, 65_535) ?? 0;
    const concurrency = parseIntFlag('concurrency', values.concurrency, 1, MAX_CONCURRENCY);
    const redis = redisFlag(values.redis);
    const waitS = parseIntFlag('wait', values.wait, 0, 3600) ?? DEFAULT_LOCK_WAIT_S;
    const dataDir = resolveDataDir({ flag: values.data });
    const version = appVersion();

    let app: AppHost;
    try {
      app = openAppHost({
        dataDir,
        owner: 'serve',
        lockWaitMs: waitS * 1000,
        ...(concurrency !== undefined ? { concurrency } : {}),
        ...(redis ? { redisUrl: redis.url } : {}),
        version,
        log: (m) => io.err(`layerwise serve: ${m}`),
      });
    } catch (error) {
      if (error instanceof StoreError) {
        io.err(`layerwise serve: ${error.code}: ${error.message}`);
        return 1;
      }
      if (error instanceof SettingsError || error instanceof RedisUrlError) {
        io.err(`layerwise serve: ${error.message}`);
        return 1;
      }
      throw error;
    }
    if (app.scaleOut) {
      io.err(`layerwise serve: runs train on workers through Redis at ${app.scaleOut.redis}, ${app.queue.concurrency} at a time (start one with \`npx layerwise worker --redis URL\`)`);
      try {
        await app.ready;
      } catch {
        // Said by the host's log (redacted); nothing is served without the workers' Redis.
        await app.close();
        return 1;
      }
    }
    const { interruptedRuns, movedAside } = app.store.report;
    if (movedAside) io.err(`layerwise serve: the database was damaged (${movedAside.reason}); it was moved to ${movedAside.path} and a new one started`);
    if (interruptedRuns.length) io.err(`layerwise serve: run${interruptedRuns.length === 1 ? '' : 's'} ${interruptedRuns.join(', ')} ended without finishing and are now interrupted (resumable)`);

    let host;
    try {
      host = await startBrowserHost({ services: app.services, port, version, log: (m) => io.err(`layerwise serve: ${m}`) });
    } catch (error) {
      await app.close();
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') {
        io.err(`layerwise serve: cannot listen on 127.0.0.1:${port} (${code})`);
        return 1;
      }
      throw error;
    }
    io.out(`Layerwise is serving at ${host.url}`);

    await new Promise<void>((resolve) => {
      const onSignal = () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    io.err('layerwise serve: stopping: trainers finish their current batch, then the store closes');
    await host.close();
    await app.close();
    return 0;
  },
};
