// Shared by the store tests: temp data folders, a ready-made project, and child processes that run the
// real Store from TypeScript (tests/store/support/register.mjs).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import type { Store } from '../../../core/store/index.js';
import { HANG_MS } from '../../support/patience.js';

export const root = fileURLToPath(new URL('../../..', import.meta.url));
const register = fileURLToPath(new URL('./register.mjs', import.meta.url));

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp folder, removed after the test file. */
export function tempDir(prefix = 'store'): string {
  const dir = mkdtempSync(join(tmpdir(), `layerwise-${prefix}-`));
  made.push(dir);
  return dir;
}

export * from './fixtures.js';

export interface Child {
  process: ChildProcessWithoutNullStreams;
  lines: string[];
  /** Resolves with the first stdout line that satisfies `test` (rejects if the child exits first). */
  waitFor(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Runs tests/store/support/<script>.ts in a child Node process. */
export function spawnChild(script: string, args: string[]): Child {
  const child = spawn(process.execPath, ['--import', register, join(root, 'tests/store/support', `${script}.ts`), ...args], { cwd: root });
  const lines: string[] = [];
  const waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    // 'close', not 'exit': by then every line the child wrote has been read.
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return {
    process: child,
    lines,
    exited,
    waitFor(test, timeoutMs = HANG_MS) {
      const seen = lines.find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child did not print the line in ${timeoutMs} ms; stdout: ${lines.join(' | ')}; stderr: ${stderr}`)), timeoutMs);
        waiters.push({
          test,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`child exited (${code ?? signal}) before printing the line; stdout: ${lines.join(' | ')}; stderr: ${stderr}`));
        });
      });
    },
  };
}

/** Row counts of every table: equal before and after proves a refused import wrote nothing. */
export function rowCounts(store: Store): Record<string, number> {
  const tables = store.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  return Object.fromEntries(tables.map((t) => [t, store.sqlite.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number]));
}
