// Scale-out for a CLI command that trains through its own run queue (`layerwise sweep`): where the studio would send
// runs (`--redis URL`, LAYERWISE_REDIS_URL, or the data folder's settings), the command's queue sends them too, as
// BullMQ jobs for `layerwise worker` processes. Without a Redis URL anywhere, trainers stay local processes.
import { BullmqExecutor } from '../runs/executors/bullmq.js';
import { parseRedisUrl, RedisUrlError, type RedisTarget } from '../redis/index.js';
import { readSettings, SettingsError, studioIdOf } from '../settings.js';
import type { Store } from '../store/index.js';
import type { CliIO } from './io.js';

/**
 * The executor for the command's queue: null when embedded; a number (the exit code) when the Redis named cannot be
 * used, said on stderr (a bad URL or settings file, Redis unreachable, a wrong password). The caller closes it.
 */
export async function openScaleOut(command: string, store: Store, flag: RedisTarget | undefined, io: CliIO): Promise<BullmqExecutor | null | number> {
  const dataDir = store.report.dataDir;
  let target = flag ?? null;
  try {
    if (!target) {
      const url = readSettings(dataDir).redisUrl;
      target = url ? parseRedisUrl(url) : null;
    }
  } catch (error) {
    if (error instanceof SettingsError || error instanceof RedisUrlError) {
      io.err(`layerwise ${command}: ${error.message}`);
      return 1;
    }
    throw error;
  }
  if (!target) return null;
  const executor = new BullmqExecutor({ store, target, studioId: studioIdOf(dataDir), log: (m) => io.err(`layerwise ${command}: scale-out: ${m}`) });
  try {
    await executor.ready;
  } catch (error) {
    io.err(`layerwise ${command}: ${error instanceof Error ? error.message : String(error)}`);
    await executor.close();
    return 1;
  }
  io.err(`layerwise ${command}: runs train on workers through Redis at ${target.display} (start one with \`npx layerwise worker --redis URL\`)`);
  return executor;
}
