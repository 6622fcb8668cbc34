// The Redis URL of scale-out on the command line: `--redis URL`, else the LAYERWISE_REDIS_URL environment variable
// (which keeps a password out of the process list, where every user of the machine can read a command line).
import { parseRedisUrl, RedisUrlError, type RedisTarget } from '../redis/index.js';
import { UsageError } from './io.js';

export const REDIS_ENV = 'LAYERWISE_REDIS_URL';

/** The target named by the flag or the environment; undefined when neither gives one. A bad URL is a usage error. */
export function redisFlag(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): RedisTarget | undefined {
  const text = flag ?? (env[REDIS_ENV] || undefined);
  if (text === undefined) return undefined;
  try {
    return parseRedisUrl(text);
  } catch (error) {
    if (error instanceof RedisUrlError) throw new UsageError(`${flag !== undefined ? '--redis' : REDIS_ENV}: ${error.message}`);
    throw error;
  }
}
