// Real parts for the scale-out tests: a redis-server of our own on a free loopback port (no persistence, a temp
// folder), `layerwise worker` processes from the built CLI, and the studio's host in-process on a temp data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { repoRoot } from '../support/build.js';
import { HANG_MS } from '../support/patience.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `layerwise-${prefix}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:PORT, with the password when there is one. */
  url: string;
  client(): Redis;
  stop(): Promise<void>;
}

/** A redis-server of our own: loopback only, no RDB or AOF files, in a temp folder; TLS only when `tls` is given. */
export async function startRedis(options: { password?: string; tls?: { cert: string; key: string; ca: string } } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = tempDir('redis');
  const { tls } = options;
  const listen = tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-ca-cert-file', tls.ca, '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const args = [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...(options.password ? ['--requirepass', options.password] : [])];
  const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // Missing: say what to install rather than skip (CI installs it: .ci/apt-packages.sh).
  proc.on('error', (error: NodeJS.ErrnoException) => {
    output += error.code === 'ENOENT' ? 'redis-server is not installed (Debian/Ubuntu: apt install redis-server; see .ci/apt-packages.sh)' : error.message;
  });
  proc.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  let ended = false;
  const exited = new Promise<void>((resolve) => proc.on('close', () => ((ended = true), resolve())));
  await until('redis-server to accept connections', () => /Ready to accept connections/.test(output) || (ended && Promise.reject(new Error(output))));
  const url = `redis://${options.password ? `:${options.password}@` : ''}127.0.0.1:${port}`;
  const clients: Redis[] = [];
  const server: RedisServer = {
    port,
    url,
    client: () => {
      const c = new Redis({ host: '127.0.0.1', port, ...(options.password ? { password: options.password } : {}), maxRetriesPerRequest: 1 });
      clients.push(c);
      return c;
    },
    stop: async () => {
      clients.forEach((c) => c.disconnect());
      if (!ended) proc.kill('SIGKILL');
      await exited;
    },
  };
  cleanups.push(() => server.stop());
  return server;
}

export interface WorkerProcess {
  proc: ChildProcess;
  pid: number;
  name: string;
  stdout: string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the built CLI (`layerwise <args>`) to its end; for commands that exit by themselves. */
export function runCliProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(repoRoot, 'out/main/cli.js'), ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`layerwise ${args.join(' ')} did not end within ${HANG_MS / 1000} s\n${stderr}`));
    }, HANG_MS);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `layerwise worker --redis URL …` (no --redis when `url` is null) as a child process, once it says it takes runs. */
export async function startWorkerProcess(url: string | null, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  const proc = spawn(process.execPath, [join(repoRoot, 'out/main/cli.js'), 'worker', ...(url === null ? [] : ['--redis', url]), ...extra], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const name = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      const m = /^Layerwise worker (\S+) is taking runs from /m.exec(stdout);
      if (m) resolve(m[1]!);
    });
    void exited.then(({ code, signal }) => reject(new Error(`the worker exited (${code ?? signal}) before taking runs:\n${stderr}`)));
    setTimeout(() => reject(new Error(`the worker did not start within ${HANG_MS / 1000} s:\n${stderr}`)), HANG_MS).unref();
  });
  const worker: WorkerProcess = { proc, pid: proc.pid!, name, get stdout() { return stdout; }, stderr: () => stderr, exited };
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  return worker;
}

/** The TCP ports a process listens on (Linux: its socket inodes matched against /proc/net/tcp{,6} LISTEN rows). */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6', '/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      // TCP in state LISTEN; UDP bound without a peer (a connected UDP socket, like a DNS query's, receives from one peer only).
      const listening = table.includes('udp') ? /^0+:0000$/.test(cols[2]!) : cols[3] === '0A';
      if (listening && inodes.has(cols[9]!)) ports.push(parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/** Polls until `check` returns something other than undefined/false (a hang guard, not a speed budget). */
export async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, everyMs = 50): Promise<T> {
  const deadline = Date.now() + HANG_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`waited ${HANG_MS / 1000} s for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
