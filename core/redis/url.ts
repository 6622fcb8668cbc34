// A Redis URL as the user gives it (`--redis`, the studio's settings): `redis://[[user]:password@]host[:port][/db]`,
// or `rediss://…` for TLS. Parsed once into explicit connection options (never handed to a client as a string, so
// what connects is exactly what was checked), and shown only redacted: the password never reaches a log line, an
// error message or a status.

export interface RedisTarget {
  /** The URL as given (with its password): only for connecting and for saving in the user's settings. */
  readonly url: string;
  /** The URL with any password replaced by `***`: the only form that is ever printed. */
  readonly display: string;
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
}

export class RedisUrlError extends Error {
  override name = 'RedisUrlError';
}

const EXAMPLES = 'redis://HOST:6379, redis://:PASSWORD@HOST:6379/0 or rediss://HOST:6380 (TLS)';

/** `user:***@` for any password in a URL-like text, whether or not the rest parses. */
export function redactRedisUrl(text: string): string {
  return text.replace(/^([A-Za-z][\w+.-]*:\/\/)([^@/?#]*)@/, (_all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    // `redis://secret@host` puts a password where a user name goes: hide whatever is there.
    return colon < 0 ? `${scheme}***@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
}

/** Checks a Redis URL; a RedisUrlError names what is wrong and shows the URL redacted. */
export function parseRedisUrl(text: string): RedisTarget {
  // Text that is not even URL-shaped is not echoed: it may be a password pasted in the wrong place.
  const shown = typeof text === 'string' && text.includes('://') ? JSON.stringify(redactRedisUrl(text)) : `${typeof text === 'string' ? text.length : 0} characters without "://"`;
  const fail = (why: string) => new RedisUrlError(`the Redis URL ${why} (got ${shown}); expected ${EXAMPLES}`);
  if (typeof text !== 'string' || text.trim() === '') throw fail('is empty');
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw fail('is not a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw fail(`must start with redis:// or rediss:// (TLS), not ${url.protocol}//`);
  if (!url.hostname) throw fail('has no host');
  if (url.search || url.hash) throw fail('must not have a query (?…) or fragment (#…)');
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^(0|[1-9][0-9]{0,4})$/.test(path)) throw fail('may end only in a database number (/0, /1, …)');
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw fail('has a badly %-encoded user or password');
    }
  };
  const tls = url.protocol === 'rediss:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : 6379;
  return {
    url: text.trim(),
    display: `${url.protocol}//${url.username || url.password ? `${url.username}${url.password ? ':***' : ''}@` : ''}${url.host}${url.pathname === '/' ? '' : url.pathname}`,
    tls,
    host,
    port,
    db: path === '' ? 0 : Number(path),
    username: url.username ? decode(url.username) : undefined,
    password: url.password ? decode(url.password) : undefined,
  };
}
