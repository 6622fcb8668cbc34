// Reading the user's files: only regular files, a cap counted on the bytes actually read (stat() says 0 for
// /dev/zero and pipes, and /proc files list 0 bytes but hold more), a FIFO refused without waiting for a
// writer, and a host that keeps turning its event loop while a file is read.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputFileError, readFileLimited, readFileLimitedSync } from '../../core/files/read.js';

const root = mkdtempSync(join(tmpdir(), 'layerwise-read-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const linux = process.platform === 'linux';

async function refusal(path: string, maxBytes = 1024, shown?: string): Promise<{ async: InputFileError; sync: InputFileError }> {
  const a = await readFileLimited(path, { maxBytes, ...(shown ? { shown } : {}) }).then(
    () => null,
    (e: unknown) => e,
  );
  let s: unknown = null;
  try {
    readFileLimitedSync(path, { maxBytes, ...(shown ? { shown } : {}) });
  } catch (e) {
    s = e;
  }
  expect(a).toBeInstanceOf(InputFileError);
  expect(s).toBeInstanceOf(InputFileError);
  expect((s as Error).message).toBe((a as Error).message);
  return { async: a as InputFileError, sync: s as InputFileError };
}

describe('readFileLimited', () => {
  it('reads a regular file whole, up to exactly the cap, in chunks', async () => {
    const file = join(root, 'ok.txt');
    writeFileSync(file, 'x'.repeat(1000));
    expect((await readFileLimited(file, { maxBytes: 1000, chunkBytes: 7 })).toString()).toBe('x'.repeat(1000));
    expect(readFileLimitedSync(file, { maxBytes: 1000, chunkBytes: 7 }).byteLength).toBe(1000);
    const { async } = await refusal(file, 999, 'ok.txt');
    expect(async.code).toBe('too_large');
    expect(async.message).toBe('ok.txt: 1000 bytes is over the limit of 999 bytes');
  });

  it('refuses a directory, naming it (no raw EISDIR)', async () => {
    const dir = join(root, 'a-folder');
    mkdirSync(dir);
    const { async } = await refusal(dir, 1024, 'a-folder');
    expect(async.code).toBe('not_a_file');
    expect(async.message).toBe('a-folder is a directory, not a file');
  });

  it('refuses a missing file with a sentence, not ENOENT', async () => {
    const { async } = await refusal(join(root, 'nope.csv'), 1024, 'nope.csv');
    expect([async.code, async.message]).toEqual(['not_found', 'nope.csv: no such file']);
  });

  it.skipIf(!linux)('refuses /dev/zero (a device stat() calls 0 bytes) at once', async () => {
    const { async } = await refusal('/dev/zero', 1024 ** 3);
    expect([async.code, async.message]).toEqual(['not_a_file', '/dev/zero is a character device, not a file']);
  });

  it.skipIf(!linux)('refuses a FIFO without waiting for a writer', async () => {
    const fifo = join(root, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const { async } = await refusal(fifo, 1024, 'pipe.csv');
    expect([async.code, async.message]).toEqual(['not_a_file', 'pipe.csv is a named pipe (FIFO), not a file']);
  });

  it.skipIf(!linux)('refuses a Unix socket', async () => {
    const path = join(root, 'sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const { async } = await refusal(path, 1024, 'sock');
      expect(async.code).toBe('not_a_file');
      expect(async.message).toBe('sock is a socket, not a file');
    } finally {
      server.close();
    }
  });

  it.skipIf(!linux)('counts the bytes it reads: a regular file that lists 0 bytes but holds more stops at the cap', async () => {
    // /proc files are regular files whose stat() size is 0; a size check before reading lets them through.
    const { async } = await refusal('/proc/self/maps', 64, 'maps');
    expect([async.code, async.message]).toEqual(['too_large', 'maps: over the limit of 64 bytes once read (its listed size was 0 bytes)']);
  });

  it('gives the event loop a turn between chunks', async () => {
    const file = join(root, 'big.bin');
    writeFileSync(file, new Uint8Array(256 * 1024));
    let turns = 0;
    let done = false;
    const tick = () => {
      if (done) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const bytes = await readFileLimited(file, { maxBytes: 1024 * 1024, chunkBytes: 4096 });
    done = true;
    expect(bytes.byteLength).toBe(256 * 1024);
    // 64 chunks, each read awaited: other work ran in between (bounded by chunks, not by time).
    expect(turns).toBeGreaterThanOrEqual(16);
  });
});
