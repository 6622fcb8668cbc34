// `npm start` (scripts/start.js): the decision between Electron and the browser host, and, forced onto the
// "no Electron" path, a real run that ends with the browser host serving the studio.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronPresent, fallbackLine, hasNoDisplay, nextStep, openCommand, parseArgs, shortReason, SERVING_LINE, type LaunchState } from '../../scripts/start.js';
import { ensureBuilt, repoRoot } from '../support/build.js';
import { HANG_MS } from '../support/patience.js';

describe('npm start decides', () => {
  const base: LaunchState = { forceBrowser: false, electronPresent: false };

  it('installs Electron when it is missing, then prepares the native module, then launches', () => {
    expect(nextStep(base)).toEqual({ action: 'install-electron' });
    expect(nextStep({ ...base, installTried: true, installError: null, electronPresent: true })).toEqual({ action: 'prepare-native' });
    expect(nextStep({ ...base, electronPresent: true, nativeTried: true, nativeReady: true })).toEqual({ action: 'launch-electron' });
    expect(nextStep({ ...base, electronPresent: true, nativeReady: true })).toEqual({ action: 'launch-electron' });
  });

  it('falls back to the browser host when the install fails, naming why', () => {
    const step = nextStep({ ...base, installTried: true, installError: 'getaddrinfo ENOTFOUND github.com' });
    expect(step).toEqual({ action: 'browser', reason: 'the Electron runtime could not be downloaded (getaddrinfo ENOTFOUND github.com)' });
  });

  it('falls back when better-sqlite3 cannot be built for Electron', () => {
    const step = nextStep({ ...base, electronPresent: true, nativeTried: true, nativeReady: false, nativeError: 'no compiler' });
    expect(step.action).toBe('browser');
    expect(step.action === 'browser' && step.reason).toContain('no compiler');
  });

  it('goes to the browser on a machine without a display, after installing Electron for later', () => {
    expect(nextStep({ ...base, noDisplay: true })).toEqual({ action: 'install-electron' });
    const step = nextStep({ ...base, noDisplay: true, electronPresent: true });
    expect(step.action === 'browser' && step.reason).toMatch(/no display/);
    expect(hasNoDisplay({}, 'linux')).toBe(true);
    expect(hasNoDisplay({ DISPLAY: ':0' }, 'linux')).toBe(false);
    expect(hasNoDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(false);
    expect(hasNoDisplay({}, 'darwin')).toBe(false);
    expect(hasNoDisplay({}, 'win32')).toBe(false);
  });

  it('goes straight to the browser when Electron is switched off, even if installed', () => {
    expect(nextStep({ ...base, forceBrowser: true, electronPresent: true, nativeReady: true }).action).toBe('browser');
    expect(parseArgs([], { LAYERWISE_NO_ELECTRON: '1' }).forceBrowser).toBe(true);
    expect(parseArgs(['--browser', '--port', '8080'], {})).toEqual({ forceBrowser: true, prepareOnly: false, serveArgs: ['--port', '8080'] });
    expect(parseArgs(['--prepare'], {})).toMatchObject({ forceBrowser: false, prepareOnly: true });
  });

  it('says so in one line', () => {
    const line = fallbackLine('the Electron runtime could not be downloaded (getaddrinfo ENOTFOUND github.com)');
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toMatch(/^Layerwise: the Electron runtime could not be downloaded .*; starting the studio in your browser instead\.$/);
  });

  it("shortens an installer's stack trace to its error", () => {
    const output = `RequestError: getaddrinfo ENOTFOUND github.com\n    at ClientRequest.<anonymous> (/x/got/index.js:970:111)\n    at Object.onceWrapper (node:events:639:26)`;
    expect(shortReason(output, 'fallback')).toBe('getaddrinfo ENOTFOUND github.com');
    expect(shortReason('', 'exit code 1')).toBe('exit code 1');
  });

  it('opens the browser with the platform command', () => {
    const url = 'http://127.0.0.1:4000/?token=abc';
    expect(openCommand(url, 'linux')).toEqual({ command: 'xdg-open', args: [url] });
    expect(openCommand(url, 'darwin')).toEqual({ command: 'open', args: [url] });
    expect(openCommand(url, 'win32')?.command).toBe('cmd');
    expect(SERVING_LINE.exec(`Layerwise is serving at ${url}`)?.[1]).toBe(url);
  });
});

describe('npm start without Electron', () => {
  const dirs: string[] = [];
  beforeAll(() => ensureBuilt());
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  /** Runs scripts/start.js until the host serves, checks it, then stops it with SIGTERM. */
  async function startAndCheck(env: Record<string, string>): Promise<{ lines: string[]; code: number | null }> {
    const data = mkdtempSync(join(tmpdir(), 'layerwise-start-'));
    dirs.push(data);
    const child = spawn(process.execPath, [join(repoRoot, 'scripts/start.js')], {
      cwd: repoRoot,
      // The build is done (ensureBuilt); no browser is opened in a test.
      env: { ...process.env, LAYERWISE_SKIP_BUILD: '1', LAYERWISE_NO_OPEN: '1', LAYERWISE_DATA: data, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const lines: string[] = [];
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let buffer = '';
        child.stdout!.setEncoding('utf8').on('data', (c: string) => {
          buffer += c;
          const parts = buffer.split('\n');
          buffer = parts.pop()!;
          for (const line of parts) {
            lines.push(line);
            const m = SERVING_LINE.exec(line);
            if (m) resolve(m[1]!);
          }
        });
        void exited.then((code) => reject(new Error(`start.js exited (${code}) before serving: ${stderr}`)));
        setTimeout(() => reject(new Error(`no serving line within ${HANG_MS / 1000} s: ${lines.join('\n')} ${stderr}`)), HANG_MS).unref();
      });
      const parsed = new URL(url);
      const token = parsed.searchParams.get('token')!;
      const health = await fetch(`${parsed.origin}/api/health`, { headers: { Authorization: `Bearer ${token}` } });
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true });
      const refused = await fetch(`${parsed.origin}/api/health`);
      expect(refused.status).toBe(401);
      // The page itself is served too.
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      child.kill('SIGTERM');
      return { lines, code: await exited };
    } finally {
      if (child.exitCode === null) {
        if (process.platform !== 'win32') process.kill(-child.pid!, 'SIGKILL');
        else child.kill('SIGKILL');
      }
    }
  }

  it('forced to the browser (LAYERWISE_NO_ELECTRON=1): one line says so, the host serves, SIGTERM ends it', async () => {
    const { lines, code } = await startAndCheck({ LAYERWISE_NO_ELECTRON: '1' });
    expect(lines.filter((l) => l.startsWith('Layerwise:'))).toEqual([fallbackLine('Electron was switched off (--browser or LAYERWISE_NO_ELECTRON=1)')]);
    expect(code).toBe(0);
  });

  // Where the runtime is missing, the installer is tried; a 1 ms limit makes that fail like an offline
  // machine without touching the network (and without installing anything where there is internet).
  it.skipIf(electronPresent())('when the Electron installer fails, the one line names why and the host serves', async () => {
    const { lines } = await startAndCheck({ LAYERWISE_ELECTRON_INSTALL_TIMEOUT_MS: '1' });
    const said = lines.filter((l) => l.startsWith('Layerwise:'));
    expect(said[0]).toBe('Layerwise: fetching the Electron runtime once…');
    expect(said.slice(1)).toEqual([fallbackLine('the Electron runtime could not be downloaded (no answer within 1 s; offline?)')]);
  });
});
