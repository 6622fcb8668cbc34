// `layerwise settings`: the studio's settings kept in the data folder (settings.json). Today: scale-out, the Redis the
// studio hands runs to (`layerwise worker` processes take them). Changes take effect the next time the studio starts.
// The Redis URL is shown with its password hidden.
import { join } from 'node:path';
import { resolveDataDir } from '../../data-dir.js';
import { parseRedisUrl } from '../../redis/index.js';
import { readSettings, SETTINGS_FILE, SettingsError, updateSettings } from '../../settings.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type Command } from '../io.js';
import { redisFlag } from '../redis-flag.js';

const usage = 'layerwise settings [--redis URL | --embedded] [--json] [--data DIR]';

export const settingsCommand: Command = {
  name: 'settings',
  summary: "Show or change the studio's settings (scale-out: the Redis that runs go to)",
  usage: `${usage}\n\n  --redis URL   hand runs to workers through this Redis (redis://[:PASSWORD@]HOST[:PORT][/DB], rediss:// for TLS)\n  --embedded    train every run on this machine again (forgets the Redis URL)`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { redis: { type: 'string' }, embedded: { type: 'boolean' }, json: { type: 'boolean' }, data: { type: 'string' } },
      usage,
    );
    if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\nusage: ${usage}`);
    if (values.redis !== undefined && values.embedded) throw new UsageError('give either --redis URL or --embedded, not both');
    const dataDir = resolveDataDir({ flag: values.data });
    try {
      const target = values.redis !== undefined ? redisFlag(values.redis, {}) : undefined;
      if (target) updateSettings(dataDir, { redisUrl: target.url });
      if (values.embedded) updateSettings(dataDir, { redisUrl: null });
      const settings = readSettings(dataDir);
      const redis = settings.redisUrl ? parseRedisUrl(settings.redisUrl).display : null;
      const changed = target !== undefined || values.embedded === true;
      if (values.json) {
        io.out(JSON.stringify({ file: join(dataDir, SETTINGS_FILE), redis, studioId: settings.studioId ?? null }));
      } else {
        io.out(redis ? `scale-out: runs go to workers through Redis at ${redis}` : 'scale-out: off (every run trains on this machine)');
        if (changed) io.out('saved: it takes effect the next time the studio starts (the app, or `layerwise serve`)');
      }
      return 0;
    } catch (error) {
      if (error instanceof SettingsError) {
        io.err(`layerwise settings: ${error.message}`);
        return 1;
      }
      throw error;
    }
  },
};
