// The browser host: the studio in any Chromium, served from 127.0.0.1 (a headless GPU box, the end-to-end
// tests). node:http only, no library:
//   POST /api/<method>      one API call; JSON in, JSON out; errors `{code, message, details}` with 4xx/5xx
//   GET  /api/events        pushed events as Server-Sent Events (`event: onRunProgress`, `data: {…}`)
//   GET  /api/health        200 `{ok: true, …}`
//   PUT  /api/upload/<id>?path=<relative path>   one file of an upload (`datasets.beginUpload`), streamed to disk
//   GET  /…                 the built renderer (out/renderer), with a strict CSP
// Why HTTP + SSE rather than WebSocket: every call is request/response, pushes only flow one way, and both
// work with plain fetch/EventSource in the page and plain node:http here. A WebSocket needs either a
// library the project does not depend on (`ws` is only a transitive dependency) or a hand-written framing
// parser, which is security-sensitive code to carry for no gain.
//
// Security: bound to 127.0.0.1 only; a random per-launch token is required on every /api request
// (`Authorization: Bearer TOKEN`; the event stream may pass `?token=TOKEN`, as EventSource cannot set
// headers) and compared in constant time; a request from another Origin, or another Host (DNS rebinding),
// is refused with 403; bodies are size-limited per method; static paths cannot leave the renderer folder. An upload's
// bytes are counted as they arrive against its file's and its upload's caps (Content-Length is checked first but never
// trusted): past a cap the file is removed, the upload marked failed, and the answer is 413.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError, HTTP_STATUS, isApiMethod, maxRequestBytesOf } from '../../shared/api/contract.js';
import type { EventHub } from '../../shared/api/events.js';
import type { UploadArea, UploadError } from '../datasets/uploads.js';
import { toApiError } from '../services/errors.js';
import { uploadError } from '../services/services.js';
import { SECURITY_HEADERS } from './csp.js';
import { contentTypeOf } from './mime.js';

export const HOST = '127.0.0.1';

export interface BrowserHostOptions {
  services: { dispatch(method: string, input: unknown): Promise<unknown>; events: EventHub; uploads?: UploadArea };
  /** 0 (default): a free port chosen by the system. */
  port?: number;
  /** The per-launch secret; random (32 bytes, base64url) when not given. */
  token?: string;
  /** The built renderer; found from out/renderer when not given; null serves no page. */
  rendererDir?: string | null;
  version?: string;
  log?: (message: string) => void;
}

export interface BrowserHost {
  readonly port: number;
  readonly origin: string;
  readonly token: string;
  /** What to open: `http://127.0.0.1:PORT/?token=TOKEN`. */
  readonly url: string;
  /** Open event streams (tests). */
  readonly eventClients: number;
  /** Ends the event streams and stops listening. */
  close(): Promise<void>;
}


const UPLOAD_PREFIX = '/api/upload/';

/** Beyond this much unsent data an event stream drops progress events; beyond 8x it is closed. */
const SSE_SLOW_BYTES = 4 * 1024 * 1024;
const SSE_HEARTBEAT_MS = 15_000;

/** out/renderer, found by walking up from this file (works from the sources and from out/main). */
export function defaultRendererDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'out', 'renderer');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    if (existsSync(join(dir, 'renderer', 'index.html')) && dir.endsWith(`${sep}out`)) return join(dir, 'renderer');
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const tokenDigest = digest(token);
  const log = options.log ?? ((message: string) => process.stderr.write(`layerwise: ${message}\n`));
  const rendererDir = options.rendererDir === undefined ? defaultRendererDir() : options.rendererDir;
  const root = rendererDir && existsSync(rendererDir) ? realpathSync(rendererDir) : null;
  const { services } = options;
  const streams = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let port = 0;
  let origin = '';

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`the browser host failed on ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) sendError(res, new ApiError('internal', 'the host failed to answer'));
      else res.destroy();
    });
  });
  server.requestTimeout = 10 * 60_000;
  // Idle keep-alive sockets are closed by the client, not here: a server closing one while a client reuses it
  // (its timer late on a busy machine) fails that request with a reset. Headers still must arrive in time.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    if (!rawUrl.startsWith('/')) return refuse(req, res, new ApiError('invalid_input', 'the request target must be a path'));
    const url = new URL(`http://${HOST}${rawUrl}`);
    const path = url.pathname;

    // Host: defeats DNS rebinding (a foreign name resolved to 127.0.0.1). Origin: only our own page.
    const host = req.headers.host ?? '';
    if (host !== `${HOST}:${port}` && host !== `localhost:${port}`) {
      return refuse(req, res, new ApiError('forbidden', `requests must be addressed to ${HOST}:${port} (got Host ${JSON.stringify(host.slice(0, 100))})`));
    }
    const requestOrigin = req.headers.origin;
    if (requestOrigin !== undefined && requestOrigin !== origin) {
      return refuse(req, res, new ApiError('forbidden', `requests from another origin are refused (got Origin ${JSON.stringify(requestOrigin.slice(0, 100))})`));
    }
    if (req.headers['sec-fetch-site'] === 'cross-site') {
      return refuse(req, res, new ApiError('forbidden', 'cross-site requests are refused'));
    }

    if (path === '/api' || path.startsWith('/api/')) {
      const method = req.method ?? 'GET';
      const isEvents = path === '/api/events';
      if (!authorized(req, isEvents && method === 'GET' ? url.searchParams.get('token') : null)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="layerwise"');
        return refuse(req, res, new ApiError('unauthorized', 'a valid token is required: Authorization: Bearer TOKEN (the token is in the URL `layerwise serve` printed)'));
      }
      if (path === '/api/health') {
        if (method !== 'GET' && method !== 'HEAD') return refuse(req, res, new ApiError('unknown_method', 'GET /api/health'), 405);
        return sendJson(res, 200, { ok: true, name: 'layerwise', version: options.version ?? null });
      }
      if (isEvents) {
        if (method !== 'GET') return refuse(req, res, new ApiError('unknown_method', 'GET /api/events'), 405);
        return openEventStream(req, res);
      }
      if (path.startsWith(UPLOAD_PREFIX)) return receiveUpload(req, res, path.slice(UPLOAD_PREFIX.length), url.searchParams.get('path'));
      const name = path.slice('/api/'.length);
      if (!isApiMethod(name)) {
        return refuse(req, res, new ApiError('unknown_method', `unknown method ${JSON.stringify(name.slice(0, 100))}`, { method: name.slice(0, 100) }));
      }
      if (method !== 'POST') return refuse(req, res, new ApiError('unknown_method', `call ${name} with POST`, { method: name }), 405);
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') {
        return refuse(req, res, new ApiError('invalid_input', `${name}: the body must be JSON (Content-Type: application/json; got ${JSON.stringify(type)})`, { method: name }), 415);
      }
      const limit = maxRequestBytesOf(name);
      const declared = Number(req.headers['content-length'] ?? '0');
      if (declared > limit) return refuse(req, res, tooLarge(name, limit));
      const body = await readBody(req, limit);
      if (body === null) return refuse(req, res, tooLarge(name, limit));
      let input: unknown;
      if (body.length > 0) {
        try {
          input = JSON.parse(body.toString('utf8'));
        } catch (error) {
          return sendError(res, new ApiError('invalid_input', `${name}: the body is not valid JSON (${(error as Error).message})`, { method: name }));
        }
      }
      try {
        const result = await services.dispatch(name, input);
        return sendJson(res, 200, result ?? null);
      } catch (error) {
        const apiError = toApiError(error, name);
        if (apiError.code === 'internal') log(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return sendError(res, apiError);
      }
    }

    return serveStatic(req, res, path);
  }

  /** One file of an upload, written as it arrives; every byte counted against the caps (./uploads.ts). */
  async function receiveUpload(req: IncomingMessage, res: ServerResponse, id: string, relPath: string | null): Promise<void> {
    const method = 'upload';
    if (req.method !== 'PUT') return refuse(req, res, new ApiError('unknown_method', `send a file with PUT ${UPLOAD_PREFIX}<uploadId>?path=<relative path>`), 405);
    if (!services.uploads) return refuse(req, res, new ApiError('not_found', 'this host takes no uploads'));
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/octet-stream') {
      return refuse(req, res, new ApiError('invalid_input', `${method}: the body must be the file's bytes (Content-Type: application/octet-stream; got ${JSON.stringify(type)})`), 415);
    }
    if (!relPath) return refuse(req, res, new ApiError('invalid_input', `${method}: path must name the file (?path=<relative path>)`));
    const length = req.headers['content-length'];
    const declared = length === undefined ? undefined : Number(length);
    if (declared !== undefined && !Number.isSafeInteger(declared)) return refuse(req, res, new ApiError('invalid_input', `${method}: Content-Length must be a number of bytes`));
    let sink;
    try {
      sink = services.uploads.open(id, relPath, declared);
    } catch (error) {
      return refuse(req, res, asUploadError(error));
    }
    const file = sink;
    await new Promise<void>((resolveBody) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        fn();
        resolveBody();
      };
      req.on('data', (chunk: Buffer) => {
        if (settled) return;
        const problem = file.write(chunk);
        if (problem) return settle(() => refuse(req, res, asUploadError(problem)));
        // Backpressure: a slow disk pauses the socket instead of buffering the body in memory.
        if (file.stream.writableNeedDrain) {
          req.pause();
          file.stream.once('drain', () => req.resume());
        }
      });
      req.on('end', () =>
        settle(() => {
          file.finish().then(
            (done) => sendJson(res, 200, done),
            (error: unknown) => sendError(res, asUploadError(error)),
          );
        }),
      );
      req.on('aborted', () => settle(() => file.abort('the upload of a file broke off')));
      req.on('error', () => settle(() => file.abort('the upload of a file broke off')));
    });
  }

  function asUploadError(error: unknown): ApiError {
    if (error instanceof Error && error.name === 'UploadError') return uploadError('upload', error as UploadError);
    return toApiError(error, 'upload');
  }

  function authorized(req: IncomingMessage, queryToken: string | null): boolean {
    const header = req.headers.authorization;
    const given = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : queryToken;
    if (!given) return false;
    return timingSafeEqual(digest(given), tokenDigest);
  }

  function openEventStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n: connected\n\n');
    streams.add(res);
    const off = services.events.onAny((name, payload) => {
      if (res.writableLength > SSE_SLOW_BYTES) {
        if (res.writableLength > 8 * SSE_SLOW_BYTES) return res.end();
        if (name === 'onRunProgress') return;
      }
      res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': ping\n\n'), SSE_HEARTBEAT_MS);
    heartbeat.unref();
    const cleanup = () => {
      off();
      clearInterval(heartbeat);
      streams.delete(res);
    };
    req.on('close', cleanup);
    res.on('close', cleanup);
  }

  function serveStatic(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(req, res, new ApiError('unknown_method', 'only GET and HEAD are served here'), 405);
    if (!root) return sendText(res, 404, 'The studio page is not built: run `npm run build`.');
    let rel: string;
    try {
      rel = decodeURIComponent(path);
    } catch {
      return sendText(res, 400, 'Bad path.');
    }
    if (rel.includes('\0') || rel.includes('\\')) return sendText(res, 400, 'Bad path.');
    if (rel.endsWith('/')) rel += 'index.html';
    let file = resolve(root, `.${rel}`);
    if (!inside(root, file)) return sendText(res, 404, 'Not found.');
    let stats = statOrNull(file);
    // The page routes on its own: an unknown path without an extension gets the page.
    if ((!stats || !stats.isFile()) && extname(rel) === '') {
      file = join(root, 'index.html');
      stats = statOrNull(file);
    }
    if (!stats || !stats.isFile()) return sendText(res, 404, 'Not found.');
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      return sendText(res, 404, 'Not found.');
    }
    if (!inside(root, real)) return sendText(res, 404, 'Not found.');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': contentTypeOf(real),
      'Content-Length': stats.size,
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(real)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  /** Answers with an error without reading the body; a body still on its way is discarded (or cut off). */
  function refuse(req: IncomingMessage, res: ServerResponse, error: ApiError, status?: number): void {
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.complete) {
      res.setHeader('Connection', 'close');
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > 1024 * 1024) req.destroy();
      });
      req.on('error', () => {});
    }
    sendError(res, error, status);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen({ host: HOST, port: options.port ?? 0, exclusive: true }, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  origin = `http://${HOST}:${port}`;

  return {
    port,
    origin,
    token,
    url: `${origin}/?token=${token}`,
    get eventClients() {
      return streams.size;
    },
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const res of streams) res.end();
        server.close(() => resolveClose());
        server.closeIdleConnections();
        setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, 1_000).unref();
      }),
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function inside(root: string, file: string): boolean {
  return file === root || file.startsWith(root.endsWith(sep) ? root : root + sep);
}

function statOrNull(file: string) {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

function tooLarge(method: string, limit: number): ApiError {
  return new ApiError('payload_too_large', `${method}: the request is larger than ${limit} bytes`, { method, limit });
}

/** The body, or null once it passes `limit` bytes (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        resolveBody(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolveBody(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (!done) reject(error);
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: ApiError, status = HTTP_STATUS[error.code]): void {
  sendJson(res, status, error.toJSON());
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}
