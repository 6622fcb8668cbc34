// Connections to the user's Redis. `checkRedis` makes one attempt and turns what went wrong into a sentence a user
// can act on (unreachable, needs a password, refused the password, TLS, bad database number); the long-lived
// connections made by `openRedis` then reconnect by themselves with backoff, and queue commands meanwhile, so a
// Redis restart or a network blip delays a run instead of failing it. Errors name the URL redacted, never with its
// password. Both the studio and the workers only connect out: nothing here listens.
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from './url.js';

export class RedisConnectError extends Error {
  override name = 'RedisConnectError';
}

function baseOptions(target: RedisTarget, name: string): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    // TLS with the system's trust store (NODE_EXTRA_CA_CERTS adds a private CA) and the host name checked.
    ...(target.tls ? { tls: { servername: target.host } } : {}),
    connectionName: name.replace(/[^\w.:-]/g, '_').slice(0, 100),
    connectTimeout: 10_000,
  };
}

/** One connection attempt: resolves when Redis answers; rejects with a RedisConnectError saying why not. */
export async function checkRedis(target: RedisTarget): Promise<{ version: string }> {
  const client = new Redis({ ...baseOptions(target, 'layerwise-check'), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  let cause: Error | undefined;
  client.on('error', (error: Error) => {
    cause = error;
  });
  try {
    await client.connect();
    await client.ping();
    const info = await client.info('server');
    return { version: /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown' };
  } catch (error) {
    throw new RedisConnectError(explain(target, cause ?? (error as Error)));
  } finally {
    client.disconnect();
  }
}

function explain(target: RedisTarget, error: Error): string {
  const at = `Redis at ${target.display}`;
  const code = (error as NodeJS.ErrnoException).code;
  const text = error.message;
  if (/^NOAUTH/.test(text)) return `${at} requires a password: put it in the URL (redis://:PASSWORD@${target.host}:${target.port})`;
  if (/^WRONGPASS|invalid password|invalid username-password/i.test(text)) return `${at} refused the user name or password in the URL`;
  if (/DB index is out of range/.test(text)) return `${at} has no database ${target.db} (the number after the last / in the URL)`;
  if (code === 'ECONNREFUSED') return `cannot reach ${at}: nothing accepts connections there (ECONNREFUSED); is redis-server running and listening on that address?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot reach ${at}: the host name ${target.host} does not resolve (${code})`;
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return `cannot reach ${at}: no answer (${code})${target.tls ? '; with rediss:// the server must speak TLS' : ''}`;
  }
  if (/Unknown RESP type|Protocol error/i.test(text)) return `${at} does not answer as Redis does (${text.slice(0, 120)}); is that the right host and port${target.tls ? '' : ', or does it need rediss:// (TLS)'}?`;
  if (/certificate|self[- ]signed|TLS|SSL/i.test(text)) return `the TLS handshake with ${at} failed: ${text} (a private CA can be added with NODE_EXTRA_CA_CERTS)`;
  return `cannot use ${at}: ${text}`;
}

export interface OpenOptions {
  /** Shown in Redis's CLIENT LIST: who this connection is. */
  name: string;
  /** Reports connection trouble (redacted), at most once per outage. */
  log?: (message: string) => void;
  /** Shared by the connections of one process, so that an outage is reported once, not once per connection. */
  outage?: { down: boolean };
}

/**
 * A long-lived connection: reconnects with backoff (0.2 s growing to 5 s) and keeps commands until it is back;
 * `maxRetriesPerRequest: null` as BullMQ requires for its blocking connections.
 */
export function openRedis(target: RedisTarget, options: OpenOptions): Redis {
  const client = new Redis({
    ...baseOptions(target, options.name),
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(200 * times, 5_000),
  });
  const outage = options.outage ?? { down: false };
  client.on('error', (error: Error) => {
    if (outage.down) return;
    outage.down = true;
    options.log?.(`${explain(target, error)}; retrying until it answers`);
  });
  client.on('ready', () => {
    if (outage.down) options.log?.(`connected to Redis at ${target.display} again`);
    outage.down = false;
  });
  return client;
}

/**
 * Closes connections: politely (QUIT, after what was sent) when Redis is there, at once when it is not, so that a
 * studio or worker can always exit (commands still waiting for an absent Redis then fail).
 */
export async function closeRedis(clients: readonly Redis[], graceMs = 2_000): Promise<void> {
  await Promise.all(
    clients.map(async (client) => {
      if (client.status !== 'ready') return client.disconnect();
      const force = setTimeout(() => client.disconnect(), graceMs);
      try {
        await client.quit();
      } catch {
        client.disconnect();
      } finally {
        clearTimeout(force);
      }
    }),
  );
}

/** Waits for `work` at most `ms`; whether it finished. */
export async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
