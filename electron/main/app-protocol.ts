// The renderer's own scheme (layerwise://app/…): serves the built renderer folder and nothing else, with the
// CSP on every response. Main registers it with `protocol.handle`; the mapping from URL to file is this pure
// function so tests can check it (traversal refused, types, headers).
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { contentTypeOf } from '../../core/host/mime.js';
import { APP_HOST, APP_SCHEME, withSecurityHeaders } from './security.js';


export type AppRequest =
  | { ok: true; path: string; headers: Record<string, string[]> }
  | { ok: false; status: 400 | 403 | 404 | 405; headers: Record<string, string[]> };

/** Maps a request on the app scheme to a file under `rendererDir`, or refuses it. */
export function resolveAppRequest(url: string, rendererDir: string, method = 'GET'): AppRequest {
  const refuse = (status: 400 | 403 | 404 | 405): AppRequest => ({ ok: false, status, headers: withSecurityHeaders() });
  if (method !== 'GET' && method !== 'HEAD') return refuse(405);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse(400);
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return refuse(403);
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return refuse(400);
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return refuse(400);
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const file = normalize(join(rendererDir, pathname));
  const rel = relative(rendererDir, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return refuse(403);
  const type = contentTypeOf(file);
  return { ok: true, path: file, headers: withSecurityHeaders({ 'Content-Type': type, 'Cache-Control': 'no-cache' }) };
}

/** The privileges the scheme is registered with (before `app.ready`). */
export const APP_SCHEME_PRIVILEGES = Object.freeze({
  standard: true,
  secure: true,
  supportFetchAPI: true,
  corsEnabled: false,
  stream: false,
  bypassCSP: false,
  allowServiceWorkers: false,
});
