// The renderer is treated as untrusted: isolated, sandboxed, no Node, and only the typed API exposed by
// the preload. Everything here is plain data and pure functions (type-only electron imports), so the tests
// read exactly the options, policy and checks that main uses, under plain Node.
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../../core/host/csp.js';

/** The renderer is served from this privileged scheme, never from file:// (so every response carries the CSP). */
export const APP_SCHEME = 'layerwise';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

// One policy for both hosts: the Electron window and the browser host serve the same page.
export { CONTENT_SECURITY_POLICY, CSP_DIRECTIVES } from '../../core/host/csp.js';

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

/** Headers to add to a response the renderer receives: the CSP, replacing any the response had. */
export function withSecurityHeaders(headers: Record<string, string | string[]> = {}): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    out[name] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
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

/** Links the user clicks that main hands to the system browser instead of the app: http(s) only. */
export function isExternalLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
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
