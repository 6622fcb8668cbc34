// Files from the user's machine through the browser host (issue 17): an upload is begun through the API, each file
// is streamed with PUT /api/upload/<id>, and the upload is imported by the same importers as a path on the host.
// Real HTTP against the browser host: the token and Origin checks, caps counted as bytes arrive (a lying or missing
// Content-Length changes nothing), safe paths, and a zip bomb refused as it inflates.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../core/engine/data/dataset.js';
import { startBrowserHost, type BrowserHost } from '../../core/host/browser-host.js';
import type { ImportedDataset, UploadTicket } from '../../shared/api/contract.js';
import type { FileDatasetRef } from '../../shared/data/dataset-ref.js';
import { UPLOAD_LIMITS } from '../../shared/limits/inputs.js';
import { cifarBytes, idxBytes } from '../datasets/pixel-corpus.js';
import { HANG_MS } from '../support/patience.js';
import { openTestServices, raw, type TestServices } from './support.js';

let test: TestServices;
let host: BrowserHost;
let projectId: number;

beforeAll(async () => {
  test = openTestServices();
  host = await startBrowserHost({ services: test.services, rendererDir: null, log: (m) => test.logs.push(m) });
  projectId = (await test.services.api.projects.create({ name: 'Uploads' })).id;
});

afterAll(async () => {
  await host?.close();
  await test?.close();
});

async function call<T>(method: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await raw(host.origin, `/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: res.json() as T };
}

/** PUTs a file in pieces (chunked: no Content-Length unless given), as a page streaming a big file would. */
function put(
  ticket: Pick<UploadTicket, 'path'>,
  path: string,
  pieces: Buffer[],
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> | null; error?: string }> {
  const url = new URL(host.origin);
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: 'PUT',
        path: `${ticket.path}?path=${encodeURIComponent(path)}`,
        headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/octet-stream', ...headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : null });
        });
      },
    );
    // The host may answer and close before the whole body is sent: that answer is what counts.
    req.on('error', (error) => resolve({ status: 0, body: null, error: error.message }));
    for (const piece of pieces) req.write(piece);
    req.end();
  });
}

const csv = (rows: number) => Buffer.from(['a,b,label', ...Array.from({ length: rows }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 ? 'odd' : 'even'}`)].join('\n'));
const uploadsDir = () => join(test.dir, 'uploads');

async function png(color: [number, number, number], seed: number): Promise<Buffer> {
  return sharp({ create: { width: 12 + (seed % 3), height: 10, channels: 3, background: { r: color[0], g: color[1], b: color[2] } } })
    .png()
    .toBuffer();
}

describe('uploads through the browser host', () => {
  it('imports a CSV file sent in pieces, naming it, and removes the upload afterwards', async () => {
    const file = csv(40);
    const begun = await call<UploadTicket>('datasets.beginUpload', { kind: 'csv', files: 1, bytes: file.length });
    expect(begun.status).toBe(200);
    expect(begun.body.path).toBe(`/api/upload/${begun.body.uploadId}`);
    const sent = await put(begun.body, 'points.csv', [file.subarray(0, 100), file.subarray(100)]);
    expect(sent).toMatchObject({ status: 200, body: { path: 'points.csv', bytes: file.length } });
    const imported = await call<ImportedDataset>('datasets.importUpload', { projectId, uploadId: begun.body.uploadId, kind: 'csv', target: 'label' });
    expect(imported.status).toBe(200);
    expect(imported.body.dataset.source).toMatchObject({ kind: 'csv', name: 'points', inputShape: [2], classes: 2 });
    expect(imported.body.notes[0]).toContain('target "label" (classification)');
    expect(readdirSync(uploadsDir())).toEqual([]);
    // Imported once: the upload is gone.
    const again = await call<{ code: string }>('datasets.importUpload', { projectId, uploadId: begun.body.uploadId, kind: 'csv' });
    expect(again).toMatchObject({ status: 404, body: { code: 'not_found' } });
  });

  it('refuses a bad CSV naming the uploaded file and row, and keeps nothing', async () => {
    const file = Buffer.from(['a,b,label', '1,2,x', '3,oops,y', ...Array.from({ length: 20 }, (_, i) => `${i},${i},${i % 2}`)].join('\n'));
    const { body: ticket } = await call<UploadTicket>('datasets.beginUpload', { kind: 'csv', files: 1, bytes: file.length });
    expect((await put(ticket, 'bad.csv', [file])).status).toBe(200);
    const before = (await test.services.api.datasets.list({ projectId })).length;
    const refused = await call<{ code: string; message: string }>('datasets.importUpload', { projectId, uploadId: ticket.uploadId, kind: 'csv', target: 'label' });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('bad.csv');
    expect(refused.body.message).toContain('row');
    expect((await test.services.api.datasets.list({ projectId })).length).toBe(before);
    expect(readdirSync(uploadsDir())).toEqual([]);
  });

  it('imports an uploaded CSV file as sequences: a text column as token ids, numeric columns in windows; an image upload cannot', async () => {
    const examples = join(import.meta.dirname, '../../examples');
    const upload = async (file: string) => {
      const bytes = readFileSync(join(examples, file));
      const { body: ticket } = await call<UploadTicket>('datasets.beginUpload', { kind: 'csv', files: 1, bytes: bytes.length });
      expect((await put(ticket, file, [bytes])).status).toBe(200);
      return ticket;
    };
    const reviews = await upload('reviews.csv');
    const text = await call<ImportedDataset>('datasets.importUpload', { projectId, uploadId: reviews.uploadId, kind: 'text', target: 'label', length: 12, vocabulary: 40 });
    expect(text.status).toBe(200);
    expect(text.body.dataset.source).toMatchObject({ kind: 'csv', name: 'reviews', inputShape: [12], vocabulary: 40, classes: 2 });
    const sensor = await upload('sensor.csv');
    const series = await call<ImportedDataset>('datasets.importUpload', { projectId, uploadId: sensor.uploadId, kind: 'series', direction: 'temp', window: 16 });
    expect(series.status).toBe(200);
    expect(series.body.dataset.source).toMatchObject({ kind: 'csv', name: 'sensor', inputShape: [16, 2], classes: 2 });
    // The sequence options are checked as datasets.import checks them; an image upload is not read as text.
    const bad = await upload('reviews.csv');
    const refused = await call<{ message: string }>('datasets.importUpload', { projectId, uploadId: bad.uploadId, kind: 'text', tokens: 'sentences' });
    expect(refused).toMatchObject({ status: 400, body: { message: 'datasets.importUpload: tokens must be words or chars (got "sentences")' } });
    const { body: images } = await call<UploadTicket>('datasets.beginUpload', { kind: 'images', files: 1, bytes: 10 });
    expect((await put(images, 'a/x.csv', [Buffer.from('0123456789')])).status).toBe(200);
    const wrong = await call<{ message: string }>('datasets.importUpload', { projectId, uploadId: images.uploadId, kind: 'text' });
    expect(wrong).toMatchObject({ status: 400, body: { message: expect.stringContaining('kind must be images for an upload begun as images (got text)') } });
    await call('datasets.cancelUpload', { uploadId: bad.uploadId });
    await call('datasets.cancelUpload', { uploadId: images.uploadId });
  });

  it('imports an image folder sent file by file (a picked folder: top folder, class folders)', async () => {
    const files: Array<[string, Buffer]> = [];
    for (let i = 0; i < 6; i++) files.push([`photos/red/${i}.png`, await png([220, 30, 30], i)], [`photos/blue/${i}.png`, await png([30, 30, 220], i)]);
    files.push(['photos/.DS_Store', Buffer.from('junk')]);
    const bytes = files.reduce((n, [, b]) => n + b.length, 0);
    const { body: ticket } = await call<UploadTicket>('datasets.beginUpload', { kind: 'images', files: files.length, bytes });
    for (const [path, data] of files) expect((await put(ticket, path, [data])).status).toBe(200);
    const imported = await call<ImportedDataset>('datasets.importUpload', { projectId, uploadId: ticket.uploadId, kind: 'images', size: [8, 8], rgb: true });
    expect(imported.status).toBe(200);
    expect(imported.body.dataset.source).toMatchObject({ kind: 'images', inputShape: [8, 8, 3], classes: 2 });
    expect(imported.body.notes[0]).toContain('12 images');
  });

  it('imports a folder of IDX files (gzip) and one of CIFAR-10 batches; a field of another kind is refused naming it', async () => {
    const idx: Array<[string, Buffer]> = [
      ['digits/train-images-idx3-ubyte.gz', idxBytes({ idx: 'images', dims: [40, 6, 6], gzip: true })],
      ['digits/train-labels-idx1-ubyte.gz', idxBytes({ idx: 'labels', dims: [40], gzip: true })],
      ['digits/t10k-images-idx3-ubyte.gz', idxBytes({ idx: 'images', dims: [12, 6, 6], gzip: true })],
      ['digits/t10k-labels-idx1-ubyte.gz', idxBytes({ idx: 'labels', dims: [12], gzip: true })],
    ];
    const send = async (kind: 'idx' | 'cifar', files: Array<[string, Buffer]>) => {
      const { body: ticket } = await call<UploadTicket>('datasets.beginUpload', { kind, files: files.length, bytes: files.reduce((n, [, b]) => n + b.length, 0) });
      expect(ticket.kind).toBe(kind);
      for (const [path, data] of files) expect((await put(ticket, path, [data])).status).toBe(200);
      return ticket;
    };
    const first = await send('idx', idx);
    const stray = await call<{ code: string; message: string }>('datasets.importUpload', { projectId, uploadId: first.uploadId, kind: 'idx', size: [8, 8] });
    expect(stray).toMatchObject({ status: 400, body: { code: 'invalid_input', message: 'datasets.importUpload: size does not apply to a folder of IDX files (it takes name)' } });
    const imported = await call<ImportedDataset>('datasets.importUpload', { projectId, uploadId: first.uploadId, kind: 'idx' });
    expect(imported.status).toBe(200);
    expect(imported.body.dataset.source).toMatchObject({ kind: 'idx', inputShape: [6, 6, 1], classes: 3, counts: { test: 12 } });
    expect(imported.body.notes[0]).toContain('40 training images of 6 × 6 from train-images-idx3-ubyte.gz (gzip), 12 test images');
    // Kept as a path import keeps it: one byte per pixel value (52 images of 36 pixels), not four.
    const source = imported.body.dataset.source as FileDatasetRef;
    expect(statSync(source.file).size).toBeLessThan(52 * 36 * 4);
    expect(Array.from(loadDataset(source).test.x.subarray(0, 36))).toEqual(Array.from({ length: 36 }, (_, i) => (i * 37) % 256));

    const cifar: Array<[string, Buffer]> = [
      ['cifar-10-batches-bin/data_batch_1.bin', cifarBytes({ cifar: 10, records: 30 })],
      ['cifar-10-batches-bin/test_batch.bin', cifarBytes({ cifar: 10, records: 10 })],
    ];
    const second = await send('cifar', cifar);
    const colour = await call<ImportedDataset>('datasets.importUpload', { projectId, uploadId: second.uploadId, kind: 'cifar' });
    expect(colour.status).toBe(200);
    expect(colour.body.dataset.source).toMatchObject({ kind: 'cifar', inputShape: [32, 32, 3], classes: 10, counts: { test: 10 } });
    expect(readdirSync(uploadsDir())).toEqual([]);
  });

  it('imports an image folder sent as one .zip', async () => {
    const entries: Record<string, Uint8Array> = {};
    for (let i = 0; i < 5; i++) {
      entries[`set/cats/${i}.png`] = await png([200, 200, 40], i);
      entries[`set/dogs/${i}.png`] = await png([40, 200, 200], i);
    }
    entries['__MACOSX/set/._cats'] = new Uint8Array([1, 2, 3]);
    const zip = Buffer.from(zipSync(entries, { level: 0 }));
    const { body: ticket } = await call<UploadTicket>('datasets.beginUpload', { kind: 'images', files: 1, bytes: zip.length });
    expect((await put(ticket, 'pets.zip', [zip])).status).toBe(200);
    const imported = await call<ImportedDataset>('datasets.importUpload', { projectId, uploadId: ticket.uploadId, kind: 'images' });
    expect(imported.status).toBe(200);
    expect(imported.body.dataset.source).toMatchObject({ kind: 'images', inputShape: [28, 28, 1], classes: 2 });
    expect(imported.body.notes[0]).toContain('10 images');
  });

  it('refuses a zip bomb as it inflates, and a zip whose entries climb out of the folder', async () => {
    // Three entries of 40 MB of zeros, each deflated to ~40 KB: 120 MB declared, within every per-entry cap, but far
    // more than a zip of images inflates to.
    const zeros = new Uint8Array(40 * 1024 * 1024);
    const bomb = Buffer.from(zipSync({ 'x/a/1.png': zeros, 'x/a/2.png': zeros, 'x/b/3.png': zeros }, { level: 9 }));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const { body: ticket } = await call<UploadTicket>('datasets.beginUpload', { kind: 'images', files: 1, bytes: bomb.length });
    expect((await put(ticket, 'bomb.zip', [bomb])).status).toBe(200);
    const refused = await call<{ code: string; message: string; details: { datasetCode: string } }>('datasets.importUpload', { projectId, uploadId: ticket.uploadId, kind: 'images' });
    expect(refused.status).toBe(400);
    expect(refused.body.details.datasetCode).toBe('bad_archive');
    expect(refused.body.message).toContain('a zip bomb');
    expect(refused.body.message).toContain('bomb.zip');

    const slip = Buffer.from(zipSync({ '../evil/a.png': new Uint8Array([1]), 'ok/b/c.png': new Uint8Array([2]) }));
    const { body: t2 } = await call<UploadTicket>('datasets.beginUpload', { kind: 'images', files: 1, bytes: slip.length });
    expect((await put(t2, 'slip.zip', [slip])).status).toBe(200);
    const slipped = await call<{ message: string }>('datasets.importUpload', { projectId, uploadId: t2.uploadId, kind: 'images' });
    expect(slipped.status).toBe(400);
    expect(slipped.body.message).toContain('"../evil/a.png"');
    expect(existsSync(join(test.dir, 'evil'))).toBe(false);
    expect(readdirSync(uploadsDir())).toEqual([]);
  });

  it('counts bytes as they arrive: more than declared is refused without Content-Length, and the upload cannot be imported', async () => {
    const { body: ticket } = await call<UploadTicket>('datasets.beginUpload', { kind: 'csv', files: 1, bytes: 1000 });
    const big = Buffer.alloc(64 * 1024, 'a');
    const sent = await put(ticket, 'big.csv', [big, big, big]);
    // (192 KiB: under the 1 MiB the host still reads after refusing, so the answer arrives before it closes.)
    expect(sent.status).toBe(413);
    expect(sent.body).toMatchObject({ code: 'payload_too_large', message: expect.stringContaining('more than the 1000 bytes it declared') });
    const after = await call<{ code: string; message: string }>('datasets.importUpload', { projectId, uploadId: ticket.uploadId, kind: 'csv' });
    expect(after.status).toBe(409);
    expect(after.body.message).toContain('failed');
    // Nothing of the refused file stays on disk.
    // (The file is removed once its stream has closed, which may come a moment after the answer.)
    await expect.poll(() => existsSync(join(uploadsDir(), ticket.uploadId, 'files', 'big.csv')), { timeout: HANG_MS, interval: 20 }).toBe(false);
  });

  it('refuses at once a Content-Length over the caps, and a declared upload over its kind’s cap', async () => {
    const { body: ticket } = await call<UploadTicket>('datasets.beginUpload', { kind: 'images', files: 2, bytes: 100 });
    const sent = await raw(host.origin, `${ticket.path}?path=a/b.png`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/octet-stream', 'Content-Length': String(UPLOAD_LIMITS.imageBytes + 1) },
    });
    expect(sent.status).toBe(413);
    expect(sent.json()).toMatchObject({ code: 'payload_too_large', message: expect.stringContaining('a/b.png') });
    const tooMuch = await call<{ code: string; message: string }>('datasets.beginUpload', { kind: 'csv', files: 1, bytes: UPLOAD_LIMITS.csvBytes + 1 });
    expect(tooMuch.status).toBe(413);
    expect(tooMuch.body.message).toContain('bytes must be at most');
    const twoCsv = await call<{ message: string }>('datasets.beginUpload', { kind: 'csv', files: 2, bytes: 10 });
    expect(twoCsv.body.message).toContain('files must be at most 1');
  });

  it('asks for the token and our own Origin, refuses unsafe paths, unknown uploads and other methods', async () => {
    const { body: ticket } = await call<UploadTicket>('datasets.beginUpload', { kind: 'images', files: 3, bytes: 300 });
    const noToken = await raw(host.origin, `${ticket.path}?path=a/b.png`, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: 'x' });
    expect(noToken.status).toBe(401);
    const wrongToken = await raw(host.origin, `${ticket.path}?path=a/b.png`, { method: 'PUT', headers: { Authorization: 'Bearer nope', 'Content-Type': 'application/octet-stream' }, body: 'x' });
    expect(wrongToken.status).toBe(401);
    const foreign = await raw(host.origin, `${ticket.path}?path=a/b.png`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${host.token}`, Origin: 'http://evil.example', 'Content-Type': 'application/octet-stream' },
      body: 'x',
    });
    expect(foreign.status).toBe(403);
    for (const bad of ['../x.png', '/etc/passwd', 'a/../../x.png', 'a\\b.png', 'a/b/c/d.png', 'a//b.png']) {
      const res = await put(ticket, bad, [Buffer.from('x')]);
      expect(res.status, bad).toBe(400);
      expect(String(res.body?.message), bad).toContain('path ');
    }
    const unknown = await put({ path: '/api/upload/0123456789abcdef0123456789abcdef' }, 'a/b.png', [Buffer.from('x')]);
    expect(unknown.status).toBe(404);
    const form = await raw(host.origin, `${ticket.path}?path=a/b.png`, { method: 'PUT', headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'multipart/form-data' }, body: 'x' });
    expect(form.status).toBe(415);
    const post = await raw(host.origin, `${ticket.path}?path=a/b.png`, { method: 'POST', headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/octet-stream' }, body: 'x' });
    expect(post.status).toBe(405);
    // The same path twice is refused; files beyond those declared too.
    expect((await put(ticket, 'a/one.png', [Buffer.from('1')])).status).toBe(200);
    expect((await put(ticket, 'a/one.png', [Buffer.from('1')])).status).toBe(409);
    expect((await put(ticket, 'a/two.png', [Buffer.from('2')])).status).toBe(200);
    expect((await put(ticket, 'a/three.png', [Buffer.from('3')])).status).toBe(200);
    expect((await put(ticket, 'a/four.png', [Buffer.from('4')])).status).toBe(413);
    await call('datasets.cancelUpload', { uploadId: ticket.uploadId });
    expect(existsSync(join(uploadsDir(), ticket.uploadId))).toBe(false);
  });

  it('says which way files come: uploads here, and no file dialog', async () => {
    expect((await test.services.api.app.info()).files).toBe('upload');
    const dialog = await call<{ code: string; message: string }>('datasets.choosePath', { kind: 'csv' });
    expect(dialog.status).toBe(409);
    expect(dialog.body.message).toContain('datasets.beginUpload');
  });
});
