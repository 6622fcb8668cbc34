// Scale-out's connection to Redis: a password in the URL works and is never printed, a missing or wrong password
// and an unreachable or malformed URL end the command naming why, TLS (rediss://) works with the user's CA, and the
// studio's Redis setting lives in its data folder, readable by its owner only.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openAppHost } from '../../core/host/app-host.js';
import { SETTINGS_FILE } from '../../core/settings.js';
import { ensureBuilt } from '../support/build.js';
import { spawnServe, tinyConfig, tinyData, tinySpec } from '../host/support.js';
import { freePort, runCliProcess, startRedis, startWorkerProcess, tempDir, until } from './support.js';

beforeAll(() => ensureBuilt());

const PASSWORD = 'Tr0ub4dor-and-3';

describe('a password-protected Redis', () => {
  it('refuses workers without the password or with a wrong one, naming why; with it, runs train and the password is never shown', async () => {
    const redis = await startRedis({ password: PASSWORD });
    const plain = `redis://127.0.0.1:${redis.port}`;

    const none = await runCliProcess(['worker', '--redis', plain]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`Redis at ${plain} requires a password: put it in the URL`);

    const wrong = await runCliProcess(['worker', '--redis', `redis://:not-${PASSWORD}@127.0.0.1:${redis.port}`]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`Redis at redis://:***@127.0.0.1:${redis.port} refused the user name or password in the URL`);
    expect(wrong.stderr).not.toContain(PASSWORD);

    // The URL from the environment keeps the password out of the process list.
    const worker = await startWorkerProcess(redis.url);
    const fromEnv = await startWorkerProcess(null, ['--concurrency', '1'], { LAYERWISE_REDIS_URL: redis.url });
    expect(readFileSync(`/proc/${fromEnv.pid}/cmdline`, 'utf8')).not.toContain(PASSWORD);

    // The studio's setting, in its data folder.
    const dir = tempDir('studio');
    const saved = await runCliProcess(['settings', '--data', dir, '--redis', redis.url]);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toContain(`runs go to workers through Redis at redis://:***@127.0.0.1:${redis.port}`);
    expect(saved.stdout + saved.stderr).not.toContain(PASSWORD);
    const file = join(dir, SETTINGS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).redisUrl).toBe(redis.url);

    // The studio reads it from there and hands its runs to the workers.
    const logs: string[] = [];
    const app = openAppHost({ dataDir: dir, owner: 'test', log: (m) => logs.push(m) });
    try {
      await app.ready;
      expect(app.scaleOut?.redis).toBe(`redis://:***@127.0.0.1:${redis.port}`);
      const api = app.services.api;
      const project = await api.projects.create({ name: 'Password' });
      const run = await api.runs.start({ projectId: project.id, spec: tinySpec, dataset: tinyData, config: tinyConfig(2), backend: 'wasm' });
      await until('the run to finish', () => ['completed', 'failed'].includes(app.store.getRun(run.id).status));
      expect(app.store.getRun(run.id)).toMatchObject({ status: 'completed', backend: 'wasm' });
    } finally {
      await app.close();
    }
    for (const w of [worker, fromEnv]) {
      expect(w.stdout).toContain(`from redis://:***@127.0.0.1:${redis.port}`);
      w.proc.kill('SIGTERM');
      expect((await w.exited).code).toBe(0);
      expect(w.stdout + w.stderr()).not.toContain(PASSWORD);
    }
    expect(logs.join('\n')).not.toContain(PASSWORD);

    const off = await runCliProcess(['settings', '--data', dir, '--embedded']);
    expect(off.stdout).toContain('scale-out: off');
    expect(JSON.parse(readFileSync(file, 'utf8')).redisUrl).toBeUndefined();
  });
});

describe('bad Redis URLs', () => {
  it('end the command with a clear error: usage (2) for a malformed URL, 1 for a Redis that cannot be reached', async () => {
    const scheme = await runCliProcess(['worker', '--redis', `http://:${PASSWORD}@127.0.0.1:6379`]);
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toContain('--redis: the Redis URL must start with redis:// or rediss:// (TLS), not http://');
    expect(scheme.stderr).not.toContain(PASSWORD);

    const missing = await runCliProcess(['worker']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("give the studio's Redis: --redis URL (or set LAYERWISE_REDIS_URL)");

    const badPort = await runCliProcess(['settings', '--data', tempDir('studio'), '--redis', `redis://:${PASSWORD}@127.0.0.1:port`]);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('the Redis URL is not a URL');
    expect(badPort.stderr).not.toContain(PASSWORD);

    const port = await freePort();
    const unreachable = await runCliProcess(['worker', '--redis', `redis://127.0.0.1:${port}`]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`cannot reach Redis at redis://127.0.0.1:${port}: nothing accepts connections there (ECONNREFUSED)`);

    // serve exits instead of serving a studio whose runs could go nowhere.
    const serve = await spawnServe(tempDir('studio'), ['--redis', `redis://:${PASSWORD}@127.0.0.1:${port}`]).catch((e: Error) => e);
    expect(serve).toBeInstanceOf(Error);
    expect((serve as Error).message).toContain(`serve exited (1) before serving`);
    expect((serve as Error).message).toContain(`cannot reach Redis at redis://:***@127.0.0.1:${port}`);
    expect((serve as Error).message).not.toContain(PASSWORD);
  });
});

describe('TLS (rediss://)', () => {
  it('connects with the CA given in NODE_EXTRA_CA_CERTS and refuses an unknown certificate, saying so', async () => {
    const dir = tempDir('tls');
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Layerwise test CA', '-keyout', 'ca.key', '-out', 'ca.pem');
    writeFileSync(join(dir, 'san.cnf'), 'subjectAltName = IP:127.0.0.1\n');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
    ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.cnf', '-out', 'server.pem');
    const redis = await startRedis({
      password: PASSWORD,
      tls: { cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), ca: join(dir, 'ca.pem') },
    });
    const url = `rediss://:${PASSWORD}@127.0.0.1:${redis.port}`;

    const untrusted = await runCliProcess(['worker', '--redis', url]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/the TLS handshake with Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+ failed: .*(self[- ]signed|certificate)/);
    expect(untrusted.stderr).not.toContain(PASSWORD);

    const worker = await startWorkerProcess(url, ['--concurrency', '1'], { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') });
    expect(worker.stdout).toContain(`from rediss://:***@127.0.0.1:${redis.port}`);
    worker.proc.kill('SIGTERM');
    const exited = await worker.exited;
    expect(exited.code, `${JSON.stringify(exited)}\n${worker.stderr()}`).toBe(0);
  });
});
