// The browser host over real HTTP: the token on every request and on the event stream, the Origin and
// Host checks, size limits, the corpus of bad payloads (named 4xx errors, nothing stored), and the static
// renderer (MIME types, CSP, no way out of its folder).
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../core/host/browser-host.js';
import { CSP_DIRECTIVES } from '../../core/host/csp.js';
import { ensureBuilt, repoRoot } from '../support/build.js';
import { openTestServices, raw, rowCounts, tempDir, type TestServices } from './support.js';

interface CorpusRow {
  name: string;
  method?: string;
  path?: string;
  body?: unknown;
  raw?: string;
  /** length: a string; depth: lists nested that deep; layers: a spec with that many dense layers after its input. */
  generate?: { field: string; length?: number; depth?: number; layers?: number; with?: Record<string, unknown> };
  contentType?: string;
  /** Needs /dev/zero and /tmp. */
  linuxOnly?: boolean;
  status: number;
  code: string;
  message: string;
}

const corpus = JSON.parse(readFileSync(join(repoRoot, 'tests/corpus/api-payloads.json'), 'utf8')) as { rows: CorpusRow[] };

function bodyOf(row: CorpusRow): string {
  if (row.raw !== undefined) return row.raw;
  if (row.generate) {
    const { field, length, depth, layers } = row.generate;
    const dense = Array.from({ length: layers ?? 0 }, () => ({ type: 'dense', units: 2 }));
    const value =
      length !== undefined
        ? JSON.stringify('x'.repeat(length))
        : layers !== undefined
          ? JSON.stringify({ version: 1, name: 'many layers', loss: 'meanSquaredError', layers: [{ type: 'input', shape: [2] }, ...dense] })
          : `${'['.repeat(depth!)}${']'.repeat(depth!)}`;
    return `{${Object.entries(row.generate.with ?? {})
      .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}, `)
      .join('')}${JSON.stringify(field)}: ${value}}`;
  }
  return JSON.stringify(row.body);
}

let test: TestServices;
let host: BrowserHost;
let renderer: string;
let secretOutside: string;

beforeAll(async () => {
  ensureBuilt();
  // A renderer folder of our own, with a secret beside it and a symlink pointing out of it.
  const dir = tempDir('renderer');
  renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Layerwise</title><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log("hi")');
  writeFileSync(join(renderer, 'assets', 'style.css'), 'body{}');
  writeFileSync(join(renderer, 'assets', 'kernel.wasm'), Buffer.from([0, 97, 115, 109]));
  secretOutside = join(dir, 'secret.txt');
  writeFileSync(secretOutside, 'TOP-SECRET');
  symlinkSync(secretOutside, join(renderer, 'assets', 'link.txt'));
  test = openTestServices();
  host = await startBrowserHost({ services: test.services, rendererDir: renderer, version: '9.9.9', log: (m) => test.logs.push(m) });
});

afterAll(async () => {
  await host?.close();
  await test?.close();
});

const auth = () => ({ Authorization: `Bearer ${host.token}` });
const json = () => ({ ...auth(), 'Content-Type': 'application/json' });

describe('the browser host: who may call', () => {
  it('listens on 127.0.0.1 only, on a random port, with a long random token', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.port).toBeGreaterThan(0);
    expect(host.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(host.url).toBe(`${host.origin}/?token=${host.token}`);
  });

  it('answers /api/health with the token, 401 without it or with a wrong one', async () => {
    const ok = await raw(host.origin, '/api/health', { headers: auth() });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(ok.json()).toEqual({ ok: true, name: 'layerwise', version: '9.9.9' });
    const wrong: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong' }, { Authorization: `Bearer ${host.token}x` }, { Authorization: host.token }, { Authorization: `Basic ${host.token}` }];
    for (const headers of wrong) {
      const res = await raw(host.origin, '/api/health', { headers });
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('token') });
      expect(res.headers['www-authenticate']).toContain('Bearer');
    }
  });

  it('requires the token on every method call; the query token is only for the event stream', async () => {
    const before = rowCounts(test.store);
    const noToken = await raw(host.origin, '/api/projects.create', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"x"}' });
    expect(noToken.status).toBe(401);
    const queryToken = await raw(host.origin, `/api/projects.create?token=${host.token}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"x"}' });
    expect(queryToken.status).toBe(401);
    const unknownNoToken = await raw(host.origin, '/api/nothing.here', { method: 'POST', body: '{}' });
    expect(unknownNoToken.status).toBe(401);
    expect(rowCounts(test.store)).toEqual(before);
    const ok = await raw(host.origin, '/api/projects.list', { method: 'POST', headers: json(), body: '{}' });
    expect(ok.status).toBe(200);
  });

  it('opens the event stream with ?token= (or the header), 401 without', async () => {
    expect((await raw(host.origin, '/api/events')).status).toBe(401);
    expect((await raw(host.origin, '/api/events?token=nope')).status).toBe(401);
    const controller = new AbortController();
    const res = await fetch(`${host.origin}/api/events?token=${host.token}`, { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toContain(': connected');
    // An event reaches the stream.
    await fetch(`${host.origin}/api/queue.setConcurrency`, { method: 'POST', headers: json(), body: '{"concurrency":1}' });
    let text = '';
    while (!text.includes('event: onQueueChanged')) text += (await reader.read()).value;
    expect(text).toMatch(/event: onQueueChanged\ndata: \{"concurrency":1,/);
    expect(host.eventClients).toBe(1);
    controller.abort();
    await expect.poll(() => host.eventClients).toBe(0);
  });

  it('refuses other origins and other Host names with 403, even with the token', async () => {
    const cases: Record<string, string>[] = [
      { Origin: 'http://evil.example' },
      { Origin: `http://localhost:${host.port}` },
      { Origin: `http://127.0.0.1:${host.port + 1}` },
      { Origin: 'null' },
      { Host: `evil.example:${host.port}` },
      { Host: '127.0.0.1' },
      { 'Sec-Fetch-Site': 'cross-site' },
    ];
    const before = rowCounts(test.store);
    for (const headers of cases) {
      const res = await raw(host.origin, '/api/projects.create', { method: 'POST', headers: { ...json(), ...headers }, body: '{"name":"from elsewhere"}' });
      expect({ headers, status: res.status }).toEqual({ headers, status: 403 });
      expect(res.json()).toMatchObject({ code: 'forbidden' });
    }
    const events = await raw(host.origin, `/api/events?token=${host.token}`, { headers: { Origin: 'http://evil.example' } });
    expect(events.status).toBe(403);
    const page = await raw(host.origin, '/', { headers: { Host: `rebound.example:${host.port}` } });
    expect(page.status).toBe(403);
    expect(rowCounts(test.store)).toEqual(before);
    const own = await raw(host.origin, '/api/projects.list', { method: 'POST', headers: { ...json(), Origin: host.origin, 'Sec-Fetch-Site': 'same-origin' }, body: '{}' });
    expect(own.status).toBe(200);
  });

  it('sends no CORS permission and refuses methods over GET', async () => {
    const res = await raw(host.origin, '/api/projects.list', { headers: auth() });
    expect(res.status).toBe(405);
    expect(res.json()).toMatchObject({ code: 'unknown_method', message: 'call projects.list with POST' });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await raw(host.origin, '/api/projects.create', { method: 'OPTIONS', headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('the browser host: what may be sent', () => {
  it('answers every bad payload of the corpus with its named 4xx error, and stores nothing', async () => {
    expect(corpus.rows.length).toBeGreaterThanOrEqual(30);
    await fetch(`${host.origin}/api/projects.create`, { method: 'POST', headers: json(), body: '{"name":"Corpus"}' });
    const projects = (await (await fetch(`${host.origin}/api/projects.list`, { method: 'POST', headers: json(), body: '{}' })).json()) as { id: number }[];
    expect(projects.map((p) => p.id)).toContain(1);
    const failures: string[] = [];
    for (const row of corpus.rows) {
      if (row.linuxOnly && process.platform !== 'linux') continue;
      const before = rowCounts(test.store);
      const res = await raw(host.origin, row.path ?? `/api/${row.method}`, {
        method: 'POST',
        headers: { ...auth(), 'Content-Type': row.contentType ?? 'application/json' },
        body: bodyOf(row),
      });
      const body = res.headers['content-type']?.startsWith('application/json') ? (res.json() as { code?: string; message?: string; details?: unknown }) : {};
      const got = { status: res.status, code: body.code, message: body.message ?? res.body.slice(0, 200) };
      if (got.status !== row.status || got.code !== row.code || !got.message.includes(row.message)) {
        failures.push(`${row.name}: expected ${row.status} ${row.code} "${row.message}", got ${JSON.stringify(got)}`);
      }
      if (JSON.stringify(rowCounts(test.store)) !== JSON.stringify(before)) failures.push(`${row.name}: stored something`);
    }
    expect(failures).toEqual([]);
    // Nothing reached Object.prototype.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await raw(host.origin, '/api/health', { headers: auth() })).status).toBe(200);
  });

  it('refuses a body over the limit from its Content-Length, and a chunked one as it streams', async () => {
    const declared = await raw(host.origin, '/api/projects.create', { method: 'POST', headers: { ...json(), 'Content-Length': String(5 * 1024 * 1024) }, body: '{}' }).catch(
      (e: Error) => ({ status: -1, body: e.message, headers: {}, json: () => ({}) }),
    );
    expect(declared.status).toBe(413);
    const big = `{"name": "${'y'.repeat(1_500_000)}"}`;
    const chunked = await raw(host.origin, '/api/projects.create', { method: 'POST', headers: { ...json(), 'Transfer-Encoding': 'chunked' }, body: big });
    expect(chunked.status).toBe(413);
    expect(chunked.json()).toMatchObject({ code: 'payload_too_large', message: 'projects.create: the request is larger than 1048576 bytes' });
    expect((await raw(host.origin, '/api/health', { headers: auth() })).status).toBe(200);
  });
});

describe('the browser host: the page', () => {
  it('serves the renderer with the right MIME types and a strict CSP', async () => {
    const page = await raw(host.origin, `/?token=${host.token}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<title>Layerwise</title>');
    const csp = Object.fromEntries(String(page.headers['content-security-policy']).split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(csp).toEqual(CSP_DIRECTIVES);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['connect-src']).toEqual(["'self'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(String(page.headers['content-security-policy'])).not.toContain('unsafe-eval');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect((await raw(host.origin, '/assets/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await raw(host.origin, '/assets/style.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await raw(host.origin, '/assets/kernel.wasm')).headers['content-type']).toBe('application/wasm');
    const head = await raw(host.origin, '/assets/app.js', { method: 'HEAD' });
    expect([head.status, head.body, head.headers['content-length']]).toEqual([200, '', '17']);
    // Client-side routes get the page; missing files do not.
    expect((await raw(host.origin, '/projects/3')).body).toContain('<title>Layerwise</title>');
    expect((await raw(host.origin, '/assets/missing.js')).status).toBe(404);
    expect((await raw(host.origin, '/', { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('never serves a file outside the renderer folder', async () => {
    const attempts = [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/link.txt',
      '/%00/index.html',
      `/${secretOutside}`,
      '/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
    ];
    for (const path of attempts) {
      const res = await raw(host.origin, path);
      expect({ path, secret: res.body.includes('TOP-SECRET') || res.body.includes('root:') }).toEqual({ path, secret: false });
      expect([200, 400, 404]).toContain(res.status);
      if (res.status === 200) expect(res.body).toContain('<title>Layerwise</title>');
    }
  });

  it('says so when the page is not built', async () => {
    const bare = await startBrowserHost({ services: test.services, rendererDir: null, log: () => {} });
    try {
      const res = await raw(bare.origin, '/');
      expect(res.status).toBe(404);
      expect(res.body).toContain('npm run build');
    } finally {
      await bare.close();
    }
  });
});
