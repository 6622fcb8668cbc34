// The BrowserWindow options, the CSP and the navigation rules are read from the objects main uses
// (electron/main/security.ts), not from a grep: a weaker option here fails this file.
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  CSP_DIRECTIVES,
  externalLinkDecision,
  openExternalLink,
  isTrustedSender,
  isTrustedUrl,
  NAVIGATION_POLICY,
  rendererUrl,
  trustedOrigin,
  windowOptions,
  withSecurityHeaders,
} from '../../electron/main/security.js';
import { APP_SCHEME_PRIVILEGES, resolveAppRequest } from '../../electron/main/app-protocol.js';

function parseCsp(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const directive of policy.split(';').map((d) => d.trim()).filter(Boolean)) {
    const [name, ...sources] = directive.split(/\s+/);
    expect(map.has(name!), `${name} appears twice`).toBe(false);
    map.set(name!, sources);
  }
  return map;
}

describe('the window main creates', () => {
  for (const dev of [false, true]) {
    it(`is isolated and sandboxed with no Node (${dev ? 'development' : 'production'})`, () => {
      const options = windowOptions('/app/out/preload/index.cjs', { dev });
      const web = options.webPreferences!;
      expect(web.preload).toBe('/app/out/preload/index.cjs');
      expect(web.contextIsolation).toBe(true);
      expect(web.sandbox).toBe(true);
      expect(web.nodeIntegration).toBe(false);
      expect(web.nodeIntegrationInWorker).toBe(false);
      expect(web.nodeIntegrationInSubFrames).toBe(false);
      expect(web.webSecurity).toBe(true);
      expect(web.allowRunningInsecureContent).toBe(false);
      expect(web.experimentalFeatures).toBe(false);
      expect(web.webviewTag).toBe(false);
      expect(web.devTools).toBe(dev);
      // Shown only once the page is ready (no white flash, no half-drawn window).
      expect(options.show).toBe(false);
    });
  }

  it('the preload is the CommonJS build (a sandboxed preload cannot be an ES module)', () => {
    expect(windowOptions('/x/index.cjs').webPreferences!.preload).toMatch(/\.cjs$/);
  });
});

describe('Content-Security-Policy', () => {
  const csp = parseCsp(CONTENT_SECURITY_POLICY);

  it('is the directive table, serialised', () => {
    expect([...csp.keys()]).toEqual(Object.keys(CSP_DIRECTIVES));
  });

  it('allows only the app itself: no remote origins, no eval, no inline scripts', () => {
    for (const [name, sources] of csp) {
      for (const source of sources) {
        expect(source, `${name} ${source}`).not.toMatch(/^(https?:|wss?:|\*|'unsafe-eval'|'wasm-unsafe-eval'|'unsafe-hashes'|'strict-dynamic')/);
        expect(source, `${name} ${source}`).not.toMatch(/^[a-z0-9.-]+\.[a-z]{2,}/i);
      }
    }
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    // No inline styles either (tests/e2e/csp.spec.ts opens the chart screens under this policy).
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('is set on every response, replacing one the response carried', () => {
    const headers = withSecurityHeaders({ 'content-security-policy': "script-src * 'unsafe-eval'", 'Content-Type': 'text/html' });
    expect(headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(Object.keys(headers).filter((k) => k.toLowerCase() === 'content-security-policy')).toHaveLength(1);
    expect(headers['Content-Type']).toEqual(['text/html']);
    expect(headers['X-Content-Type-Options']).toEqual(['nosniff']);
  });
});

describe('navigation and windows', () => {
  it('are denied', () => {
    expect(NAVIGATION_POLICY).toEqual({ allowNavigation: false, allowWindowOpen: false, allowWebviews: false, allowPermissions: false });
  });

  it('only https links to an allow-listed host go to the system browser; the rest are refused and logged', () => {
    const hosts = ['docs.example.org'];
    expect(externalLinkDecision('https://docs.example.org/tricks#dropout', hosts)).toEqual({ open: true, url: 'https://docs.example.org/tricks#dropout' });
    expect(externalLinkDecision('https://example.org/docs', hosts)).toEqual({ open: false, reason: 'example.org is not a host the app links to' });
    expect(externalLinkDecision('https://docs.example.org.evil.net/', hosts)).toMatchObject({ open: false });
    expect(externalLinkDecision('http://docs.example.org/', hosts)).toEqual({ open: false, reason: 'the http: scheme is never opened (https only)' });
    expect(externalLinkDecision('https://user:pw@docs.example.org/', hosts)).toEqual({ open: false, reason: 'it carries a user name or password' });
    expect(externalLinkDecision('https://docs.example.org:8443/', hosts)).toEqual({ open: false, reason: 'it names a port' });
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'not a url']) {
      expect(externalLinkDecision(url, hosts).open, url).toBe(false);
    }
    // The app links nowhere today, so with the real list everything is refused.
    expect(externalLinkDecision('https://example.org/docs').open).toBe(false);

    const opened: string[] = [];
    const logs: string[] = [];
    const deps = { openExternal: async (url: string) => void opened.push(url), log: (m: string) => void logs.push(m), hosts };
    expect(openExternalLink('https://docs.example.org/a', deps)).toBe(true);
    expect(openExternalLink('https://evil.example/\u202eexe.txt', deps)).toBe(false);
    expect(opened).toEqual(['https://docs.example.org/a']);
    expect(logs).toEqual(['refused to open "https://evil.example/\\u202eexe.txt": evil.example is not a host the app links to']);
  });
});

describe('the page and the IPC sender check', () => {
  it('loads the app scheme in production and the dev server in development', () => {
    expect(rendererUrl(undefined)).toBe(APP_ENTRY_URL);
    expect(rendererUrl('http://localhost:5173')).toBe('http://localhost:5173');
    expect(trustedOrigin(undefined)).toBe(APP_ORIGIN);
    expect(trustedOrigin('http://localhost:5173/')).toBe('http://localhost:5173');
  });

  it('trusts only our own origin', () => {
    expect(isTrustedUrl(APP_ENTRY_URL, APP_ORIGIN)).toBe(true);
    expect(isTrustedUrl(`${APP_ORIGIN}/index.html#/runs/3`, APP_ORIGIN)).toBe(true);
    expect(isTrustedUrl('layerwise://evil/index.html', APP_ORIGIN)).toBe(false);
    expect(isTrustedUrl('file:///app/out/renderer/index.html', APP_ORIGIN)).toBe(false);
    expect(isTrustedUrl('https://app/index.html', APP_ORIGIN)).toBe(false);
    expect(isTrustedUrl('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
    expect(isTrustedUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
    expect(isTrustedUrl('http://localhost:5173.evil.org/', 'http://localhost:5173')).toBe(false);
  });

  it('accepts only the main frame of our own window', () => {
    const trusted = { windowIds: new Set([7]), origin: APP_ORIGIN };
    expect(isTrustedSender({ id: 7 }, { url: APP_ENTRY_URL, parent: null }, trusted)).toBe(true);
    expect(isTrustedSender({ id: 8 }, { url: APP_ENTRY_URL, parent: null }, trusted)).toBe(false);
    expect(isTrustedSender({ id: 7 }, { url: APP_ENTRY_URL, parent: {} }, trusted)).toBe(false);
    expect(isTrustedSender({ id: 7 }, { url: 'https://evil.example/', parent: null }, trusted)).toBe(false);
    expect(isTrustedSender({ id: 7 }, null, trusted)).toBe(false);
    expect(isTrustedSender(null, { url: APP_ENTRY_URL, parent: null }, trusted)).toBe(false);
  });
});

describe('the app scheme', () => {
  const dir = '/app/out/renderer';

  it('serves files of the renderer folder with the CSP', () => {
    const r = resolveAppRequest(`${APP_ORIGIN}/assets/index-abc.js`, dir);
    expect(r).toMatchObject({ ok: true, path: '/app/out/renderer/assets/index-abc.js' });
    expect(r.headers['Content-Type']).toEqual(['text/javascript; charset=utf-8']);
    expect(r.headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(resolveAppRequest(`${APP_ORIGIN}/`, dir)).toMatchObject({ ok: true, path: '/app/out/renderer/index.html' });
  });

  it('serves the page for every view: the views live in the hash, which never reaches the scheme (issue 17)', () => {
    for (const view of ['#/', '#/projects/3/training', '#/projects/3/runs/12', '#/projects/3/compare?runs=4,5', '#/lessons/dropout']) {
      // A reload asks for the page again; the page's router then reads the hash.
      expect(resolveAppRequest(`${APP_ORIGIN}/${view}`, dir), view).toMatchObject({ ok: true, path: '/app/out/renderer/index.html' });
      expect(isTrustedUrl(`${APP_ORIGIN}/${view}`, APP_ORIGIN), view).toBe(true);
    }
  });

  it('refuses paths outside it, other hosts and writes, still with the CSP', () => {
    // Dot segments (plain or %2e) are resolved by the URL parser and stay inside the folder…
    expect(resolveAppRequest(`${APP_ORIGIN}/../../etc/passwd`, dir)).toMatchObject({ ok: true, path: '/app/out/renderer/etc/passwd' });
    expect(resolveAppRequest(`${APP_ORIGIN}/%2e%2e/%2e%2e/etc/passwd`, dir)).toMatchObject({ ok: true, path: '/app/out/renderer/etc/passwd' });
    // …encoded separators reach the file system mapping, which refuses them.
    for (const url of [ `${APP_ORIGIN}/assets/..%2f..%2f..%2fsecret`, `${APP_ORIGIN}/a%5c..%5c..%5cx`]) {
      const r = resolveAppRequest(url, dir);
      expect(r.ok, url).toBe(false);
      expect(r.headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    }
    expect(resolveAppRequest('layerwise://other/index.html', dir)).toMatchObject({ ok: false, status: 403 });
    expect(resolveAppRequest(`${APP_ORIGIN}/index.html`, dir, 'POST')).toMatchObject({ ok: false, status: 405 });
    expect(resolveAppRequest(`${APP_ORIGIN}/%E0%A4%A`, dir)).toMatchObject({ ok: false, status: 400 });
  });

  it('is registered secure and standard, without bypassing the CSP', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true, bypassCSP: false, allowServiceWorkers: false });
  });
});
