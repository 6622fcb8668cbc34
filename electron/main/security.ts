// The renderer is treated as untrusted: isolated, sandboxed, no Node, and only the typed API exposed by
// the preload. Everything here is plain data and pure functions (type-only electron imports), so the tests
// read exactly the options, policy and checks that main uses, under plain Node.
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import { CONTENT_SECURITY_POLICY, DEV_CONTENT_SECURITY_POLICY } from '../../core/host/csp.js';
import { escapeUnsafeLine } from '../../shared/text/safe-text.js';

/** The renderer is served from this privileged scheme, never from file:// (so every response carries the CSP). */
export const APP_SCHEME = 'layerwise';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

// One policy for both hosts: the Electron window and the browser host serve the same page.
export { CONTENT_SECURITY_POLICY, CSP_DIRECTIVES, DEV_CONTENT_SECURITY_POLICY } from '../../core/host/csp.js';

export function secureWebPreferences(preload: string, options: { devTools?: boolean } = {}): WebPreferences {
  return {
    preload,
    devTools: options.devTools ?? false,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

/** The one BrowserWindow main creates. DevTools exist only in development. */
export function windowOptions(preload: string, options: { dev?: boolean } = {}): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'Layerwise',
    backgroundColor: '#ffffff',
    webPreferences: secureWebPreferences(preload, { devTools: options.dev ?? false }),
  };
}

/**
 * Headers to add to a response the renderer receives: the CSP, replacing any the response had. `dev` (the
 * electron-vite dev server only) allows the inline styles Vite's hot reload injects.
 */
export function withSecurityHeaders(headers: Record<string, string | string[]> = {}, options: { dev?: boolean } = {}): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    out[name] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [options.dev ? DEV_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY];
  out['X-Content-Type-Options'] = ['nosniff'];
  return out;
}

/** Where the renderer is loaded from: the dev server (electron-vite dev), else the app scheme. */
export function rendererUrl(devServerUrl: string | undefined): string {
  return devServerUrl ? devServerUrl : APP_ENTRY_URL;
}

/** The origin whose main frame may call the API: the app scheme, or the dev server's origin in development. */
export function trustedOrigin(devServerUrl: string | undefined): string {
  return devServerUrl ? new URL(devServerUrl).origin : APP_ORIGIN;
}

export function isTrustedUrl(url: string, origin: string): boolean {
  try {
    const parsed = new URL(url);
    // A non-special scheme like layerwise:// has origin "null" in WHATWG URL; compare scheme and host instead.
    return `${parsed.protocol}//${parsed.host}` === origin;
  } catch {
    return false;
  }
}

/** The app never navigates away and never opens windows: links are refused (main may open http(s) externally). */
export const NAVIGATION_POLICY = Object.freeze({
  allowNavigation: false,
  allowWindowOpen: false,
  allowWebviews: false,
  /** Permission requests (camera, notifications, …) are all refused. */
  allowPermissions: false,
});

/**
 * Hosts whose pages the app itself links to, the only ones `shell.openExternal` is ever given. The studio
 * shows no external link today (tests/electron/external-links.test.ts scans the renderer, shared/ and the
 * menu for URLs and fails on any whose host is missing here): a link added to the app adds its host here.
 * Anything else a page asks to open (window.open, a link, a redirect) is refused and logged.
 */
export const EXTERNAL_LINK_HOSTS: readonly string[] = Object.freeze([]);

export type ExternalLinkDecision = { open: true; url: string } | { open: false; reason: string };

/** Whether main may hand `url` to the system browser: https only, no credentials, an allow-listed host. */
export function externalLinkDecision(url: string, hosts: readonly string[] = EXTERNAL_LINK_HOSTS): ExternalLinkDecision {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { open: false, reason: 'not a URL' };
  }
  if (parsed.protocol !== 'https:') return { open: false, reason: `the ${parsed.protocol} scheme is never opened (https only)` };
  if (parsed.username || parsed.password) return { open: false, reason: 'it carries a user name or password' };
  if (parsed.port) return { open: false, reason: 'it names a port' };
  if (!hosts.includes(parsed.hostname)) return { open: false, reason: `${parsed.hostname} is not a host the app links to` };
  return { open: true, url: parsed.href };
}

/**
 * Opens an allowed link with `openExternal` (Electron's shell.openExternal in main), or logs why not.
 * Returns whether it was opened.
 */
export function openExternalLink(url: string, deps: { openExternal(url: string): Promise<void>; log(message: string): void; hosts?: readonly string[] }): boolean {
  const decision = externalLinkDecision(url, deps.hosts);
  if (!decision.open) {
    deps.log(`refused to open ${escapeUnsafeLine(JSON.stringify(url.length > 300 ? `${url.slice(0, 300)}…` : url))}: ${decision.reason}`);
    return false;
  }
  deps.openExternal(decision.url).catch((error: unknown) => deps.log(`could not open ${decision.url}: ${error instanceof Error ? error.message : String(error)}`));
  return true;
}

export interface SenderFrameLike {
  readonly url: string;
  /** null for a main frame. */
  readonly parent: unknown;
}

export interface SenderLike {
  readonly id: number;
}

/**
 * Whether an IPC message may be served: it must come from the main frame of one of our own windows
 * (`windowIds` are their webContents ids), showing our own page (the app scheme or the dev server).
 */
export function isTrustedSender(
  sender: SenderLike | null | undefined,
  frame: SenderFrameLike | null | undefined,
  trusted: { windowIds: ReadonlySet<number> | (() => ReadonlySet<number>); origin: string },
): boolean {
  if (!sender || !frame) return false;
  const ids = typeof trusted.windowIds === 'function' ? trusted.windowIds() : trusted.windowIds;
  if (!ids.has(sender.id)) return false;
  if (frame.parent !== null) return false;
  return isTrustedUrl(frame.url, trusted.origin);
}
