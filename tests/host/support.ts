// Shared by the host tests: temp data folders, tiny training jobs, services over a real store, an HTTP
// transport (fetch + a small Server-Sent Events reader, as the page would use), raw HTTP for headers
// fetch will not set, and the built CLI's `serve` as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { ApiError, type ApiMethod, type LayerwiseApi, type LayerwiseEvents } from '../../shared/api/contract.js';
import { createApiClient } from '../../shared/api/client.js';
import { EventHub } from '../../shared/api/events.js';
import type { TrainingConfigInput } from '../../shared/api/contract.js';
import type { DatasetRef, ModelSpec } from '../../shared/index.js';
import { forkTrainer, type TrainerProcess } from '../../core/engine/trainer-client.js';
import { RunQueue } from '../../core/runs/queue.js';
import { startBrowserHost, type BrowserHost } from '../../core/host/browser-host.js';
import { createServices, type Services } from '../../core/services/services.js';
import { Store } from '../../core/store/index.js';
import { repoRoot } from '../support/build.js';
import { HANG_MS } from '../support/patience.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'host'): string {
  const dir = mkdtempSync(join(tmpdir(), `layerwise-${prefix}-`));
  made.push(dir);
  return dir;
}

// ---- tiny jobs: a small MLP on 300 spiral points, a few ms per epoch on wasm ----

export const tinySpec: ModelSpec = {
  version: 1,
  name: 'Tiny spiral',
  loss: 'categoricalCrossentropy',
  layers: [
    { type: 'input', shape: [2] },
    { type: 'dense', units: 8, activation: 'relu' },
    { type: 'dense', units: 3, activation: 'softmax' },
  ],
};

export const tinyData: DatasetRef = { kind: 'synthetic', name: 'spiral', samples: 300, classes: 3, noise: 0.05 };

export function tinyConfig(epochs: number, extra: Partial<TrainingConfigInput> = {}): TrainingConfigInput {
  return { epochs, batchSize: 16, seed: 3, tricks: { adam: { learningRate: 0.01 } }, ...extra };
}

/** A run of the tiny model (wasm: fast to start, deterministic). */
export function tinyRun(projectId: number, epochs: number, name?: string) {
  return { projectId, spec: tinySpec, dataset: tinyData, config: tinyConfig(epochs), backend: 'wasm' as const, ...(name ? { name } : {}) };
}

// ---- the services over a real store ----

export interface TestServices {
  dir: string;
  store: Store;
  services: Services;
  /** Every trainer started, in order (tests kill them). */
  trainers: TrainerProcess[];
  logs: string[];
  close(): Promise<void>;
}

export function openTestServices(options: { concurrency?: number; dir?: string } = {}): TestServices {
  const dir = options.dir ?? tempDir();
  const store = Store.open(dir, { owner: 'test' });
  const trainers: TrainerProcess[] = [];
  const logs: string[] = [];
  const queue = new RunQueue({
    store,
    concurrency: options.concurrency ?? 1,
    log: (m) => logs.push(m),
    shutdownTimeoutMs: 5_000,
    spawnTrainer: () => {
      const proc = forkTrainer();
      trainers.push(proc);
      return proc;
    },
  });
  const services = createServices({ store, queue, version: '0.0.0-test', log: (m) => logs.push(m) });
  queue.start();
  return {
    dir,
    store,
    services,
    trainers,
    logs,
    close: async () => {
      await queue.shutdown();
      store.close();
    },
  };
}

/** Rows in every table: "nothing stored" means these do not change. */
export function rowCounts(store: Store): Record<string, number> {
  const tables = store.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  return Object.fromEntries(tables.map((t) => [t, store.sqlite.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number]));
}

// ---- the HTTP transport, as the page would use it ----

export function httpInvoke(origin: string, token: string) {
  return async (method: ApiMethod, input: unknown): Promise<unknown> => {
    const res = await fetch(`${origin}/api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input ?? {}),
    });
    const body: unknown = await res.json();
    if (!res.ok) throw ApiError.fromShape(body);
    return body;
  };
}

/** Reads `GET /api/events?token=` with fetch and feeds an EventHub (what EventSource does in the page). */
export async function connectEvents(origin: string, token: string): Promise<{ hub: EventHub; close(): void }> {
  const hub = new EventHub();
  const controller = new AbortController();
  const res = await fetch(`${origin}/api/events?token=${encodeURIComponent(token)}`, { signal: controller.signal });
  if (!res.ok || !res.body) throw new Error(`event stream refused: ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) hub.emit(event as never, JSON.parse(data.join('\n')) as never);
        }
      }
    } catch {
      // aborted
    }
  })();
  return { hub, close: () => controller.abort() };
}

export interface ContractClient {
  api: LayerwiseApi;
  events: LayerwiseEvents;
  close(): Promise<void>;
}

/** The services behind the browser host, called over real HTTP. */
export async function openHttpClient(): Promise<ContractClient & { host: BrowserHost; test: TestServices }> {
  const test = openTestServices();
  const host = await startBrowserHost({ services: test.services, rendererDir: null, log: (m) => test.logs.push(m) });
  const events = await connectEvents(host.origin, host.token);
  return {
    api: createApiClient(httpInvoke(host.origin, host.token)),
    events: events.hub.asEvents(),
    host,
    test,
    close: async () => {
      events.close();
      await host.close();
      await test.close();
    },
  };
}

// ---- raw HTTP, for headers fetch will not let a caller set (Host, Origin) ----

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json(): unknown;
}

export function raw(
  origin: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

// ---- waiting ----

/** Polls until `check` returns a value other than undefined/false (or throws after timeoutMs). */
export async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = HANG_MS, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// ---- the built CLI's serve, as a child process ----

export interface ServeChild {
  child: ChildProcess;
  url: string;
  origin: string;
  token: string;
  stdout: string[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function spawnServe(dataDir: string, extra: string[] = []): Promise<ServeChild> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/layerwise.js'), 'serve', '--data', dataDir, ...extra], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      buffer += c;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        stdout.push(line);
        const m = /^Layerwise is serving at (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)$/.exec(line);
        if (m) resolve(m[1]!);
      }
    });
    void exited.then(({ code, signal }) => reject(new Error(`serve exited (${code ?? signal}) before serving: ${stderr}`)));
    setTimeout(() => reject(new Error(`serve printed no URL within ${HANG_MS / 1000} s: ${stderr}`)), HANG_MS).unref();
  });
  const parsed = new URL(url);
  return { child, url, origin: parsed.origin, token: parsed.searchParams.get('token')!, stdout, stderr: () => stderr, exited };
}
