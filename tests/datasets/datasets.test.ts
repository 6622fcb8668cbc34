// Datasets from the user's own files: CSV tables and image folders written by the test itself (images
// with sharp), registered in a real store, loaded back by the engine and trained on end to end; every bad
// input in tests/corpus/datasets.json refused with its file/row/column and nothing registered.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../core/cli/main.js';
import type { CliIO } from '../../core/cli/io.js';
import { importCsv, type CsvOptions } from '../../core/datasets/csv.js';
import { DatasetImportError } from '../../core/datasets/errors.js';
import { importImageFolder, type ImageFolderOptions } from '../../core/datasets/images.js';
import { importSeriesCsv, type SeriesCsvOptions } from '../../core/datasets/series-csv.js';
import { importTextCsv, type TextCsvOptions } from '../../core/datasets/text-csv.js';
import { previewDataset, registerDataset } from '../../core/datasets/register.js';
import { initBackend } from '../../core/engine/backends/index.js';
import { loadDataset } from '../../core/engine/data/dataset.js';
import { createRng } from '../../core/engine/data/rng.js';
import { train } from '../../core/engine/train.js';
import { Store } from '../../core/store/index.js';
import { ApiError } from '../../shared/api/contract.js';
import { openTestServices, type TestServices } from '../host/support.js';
import { parseTrainingConfig, type CheckpointPayload, type FileDatasetRef, type ModelSpec, type TrainingConfig } from '../../shared/index.js';

const root = mkdtempSync(join(tmpdir(), 'layerwise-datasets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('wasm');
});
let counter = 0;
const fresh = (name: string) => {
  const dir = join(root, `${++counter}-${name.replace(/\W+/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false };
  return { cli, out, err };
}

function config(epochs: number, tricks: Record<string, unknown>, batchSize = 32): TrainingConfig {
  const parsed = parseTrainingConfig({ epochs, batchSize, seed: 5, tricks });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return parsed.value;
}

/** A table where the class follows from x1 + x2 and a colour column; one numeric target for regression. */
function table(rows: number, seed = 1): string {
  const rng = createRng(seed);
  const lines = ['x1,x2,colour,price,label'];
  const colours = ['red', 'green', 'blue'];
  for (let i = 0; i < rows; i++) {
    const x1 = rng() * 2 - 1;
    const x2 = rng() * 2 - 1;
    const colour = colours[Math.floor(rng() * 3)]!;
    const label = x1 + x2 + (colour === 'red' ? 0.5 : 0) > 0 ? 'yes' : 'no';
    const price = 3 * x1 - 2 * x2 + (colour === 'blue' ? 1 : 0);
    lines.push(`${x1.toFixed(4)},${x2.toFixed(4)},${colour},${price.toFixed(4)},${label}`);
  }
  return lines.join('\n') + '\n';
}

async function image(path: string, what: string, rng: () => number): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const [kind, arg] = what.split(':') as [string, string | undefined];
  if (kind === 'dir') return void mkdirSync(path, { recursive: true });
  if (kind === 'text') return writeFileSync(path, arg ?? '');
  if (kind === 'bytes') return writeFileSync(path, new Uint8Array(Number(arg)));
  const w = Number(arg ?? 16);
  if (kind === 'truncated-jpeg') {
    const full = await sharp(noise(32, 3, 128, rng), { raw: { width: 32, height: 32, channels: 3 } }).jpeg().toBuffer();
    return writeFileSync(path, full.subarray(0, full.length >> 1));
  }
  const pixels = kind === 'noise-png' ? noise(w, 3, 128, rng) : new Uint8Array(w * w * 3).fill(120);
  const img = sharp(pixels, { raw: { width: w, height: w, channels: 3 } });
  writeFileSync(path, await (kind === 'jpeg' ? img.jpeg() : img.png()).toBuffer());
}

/** Random pixels around `mean` (±60). */
function noise(w: number, channels: number, mean: number, rng: () => number): Uint8Array {
  return Uint8Array.from({ length: w * w * channels }, () => Math.max(0, Math.min(255, Math.round(mean + (rng() - 0.5) * 120))));
}

describe('CSV datasets', () => {
  it('imports a table with a header: numeric and one-hot features, class target, seeded split, preview', async () => {
    const dir = fresh('csv');
    writeFileSync(join(dir, 'houses.csv'), table(200));
    const r = await importCsv(join(dir, 'houses.csv'));
    expect(r.hasHeader).toBe(true);
    expect(r.target).toBe('label');
    expect(r.task).toBe('classification');
    expect(r.columns.map((c) => c.kind)).toEqual(['numeric', 'numeric', 'categorical', 'numeric', 'categorical']);
    expect(r.dataset.inputShape).toEqual([6]); // x1, x2, colour ×3, price
    expect(r.dataset.classNames).toEqual(['no', 'yes']);
    expect([r.dataset.train.count, r.dataset.validation.count, r.dataset.test.count]).toEqual([160, 20, 20]);
    const again = await importCsv(join(dir, 'houses.csv'));
    expect(Array.from(again.dataset.test.x)).toEqual(Array.from(r.dataset.test.x));
    const other = await importCsv(join(dir, 'houses.csv'), { seed: 99 });
    expect(Array.from(other.dataset.test.x)).not.toEqual(Array.from(r.dataset.test.x));
    const preview = previewDataset(r.dataset, 2);
    expect(preview.samples).toHaveLength(2);
    expect(preview.histogram.reduce((a, b) => a + b, 0)).toBe(200);
    expect(preview.samples[0]!.features).toHaveLength(6);
  });

  it('detects a missing header, and imputes missing values when asked', async () => {
    const dir = fresh('csv-noheader');
    const body = table(30).split('\n').slice(1).join('\n');
    writeFileSync(join(dir, 'raw.csv'), body);
    const r = await importCsv(join(dir, 'raw.csv'));
    expect(r.hasHeader).toBe(false);
    expect(r.target).toBe('column 5');
    expect(r.dataset.numClasses).toBe(2);
    const holes = body.replace(/^([^,]+),([^,]+),/m, '$1,,').replace(/,green,/, ',NA,');
    writeFileSync(join(dir, 'holes.csv'), holes);
    await expect(importCsv(join(dir, 'holes.csv'))).rejects.toThrow(/row 1, column "column 2": missing value/);
    const imputed = await importCsv(join(dir, 'holes.csv'), { impute: true });
    expect(imputed.imputed).toBe(2);
    expect(imputed.dataset.inputShape).toEqual([6]);
  });

  it('registers a CSV in the store, trains a classifier and a regression on it end to end', async () => {
    const dir = fresh('csv-train');
    writeFileSync(join(dir, 'houses.csv'), table(400, 3));
    const t = io();
    const data = join(dir, 'data');
    expect(await runCli(['dataset', 'add', 'csv', join(dir, 'houses.csv'), '--data', data, '--name', 'houses'], t.cli)).toBe(0);
    expect(t.out.join('\n')).toMatch(/registered dataset 1 "houses" from houses\.csv: header row found; target "label" \(classification\); 4 columns → 6 features/);
    expect(t.out.join('\n')).toMatch(/classes: no \d+, yes \d+/);
    // The same file again: found, not duplicated.
    const again = io();
    expect(await runCli(['dataset', 'add', 'csv', join(dir, 'houses.csv'), '--data', data, '--name', 'houses'], again.cli)).toBe(0);
    expect(again.out.join('\n')).toMatch(/already registered dataset 1/);
    expect(await runCli(['dataset', 'add', 'csv', join(dir, 'houses.csv'), '--target', 'price', '--data', data], io().cli)).toBe(0);
    const list = io();
    expect(await runCli(['dataset', 'list', '--json', '--data', data], list.cli)).toBe(0);
    const rows = JSON.parse(list.out.join('')) as Array<{ source: FileDatasetRef }>;
    expect(rows.map((r) => [r.source.kind, r.source.task, r.source.classes])).toEqual([
      ['csv', 'classification', 2],
      ['csv', 'regression', 1],
    ]);
    const table2 = io();
    expect(await runCli(['dataset', 'list', '--data', data], table2.cli)).toBe(0);
    expect(table2.out.join('\n')).toMatch(/houses .*csv .*6 .*2 .*320\/40\/40/);

    const classify: ModelSpec = {
      version: 1,
      name: 'csv classifier',
      loss: 'categoricalCrossentropy',
      layers: [{ type: 'input', shape: [6] }, { type: 'dense', units: 16, activation: 'relu' }, { type: 'dense', units: 2, activation: 'softmax' }],
    };
    const s1 = await train({ spec: classify, dataset: rows[0]!.source, config: config(25, { standardize: {}, adam: { learningRate: 0.02 } }), backend: { name: 'wasm', device: 'test' } });
    expect(s1.final?.testAccuracy).toBeGreaterThan(0.85);
    const regress: ModelSpec = {
      version: 1,
      name: 'csv regression',
      loss: 'meanSquaredError',
      layers: [{ type: 'input', shape: [7] }, { type: 'dense', units: 16, activation: 'relu' }, { type: 'dense', units: 1 }],
    };
    const regSource = rows[1]!.source;
    expect(regSource.inputShape).toEqual([7]); // x1, x2, colour ×3 and label ×2 (one-hot); price is the target
    const s2 = await train({ spec: regress, dataset: regSource, config: config(40, { standardize: {}, adam: { learningRate: 0.02 } }), backend: { name: 'wasm', device: 'test' } });
    expect(s2.final?.testLoss).toBeLessThan(1);

    // The prepared file is checked on load: a changed byte refuses it.
    const file = rows[0]!.source.file;
    const bytes = readFileSync(file);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(file, bytes);
    expect(() => loadDataset({ ...rows[0]!.source, fingerprint: rows[0]!.source.fingerprint.replace(/^./, (c) => (c === '0' ? '1' : '0')) })).toThrow(/changed|sha256/);
  });
});

describe('image folders', () => {
  it('imports PNG and JPEG class folders (grayscale and RGB, resized), registers them, trains a CNN and exports it', async () => {
    const dir = fresh('images');
    const folder = join(dir, 'shapes');
    const rng = createRng(11);
    for (let i = 0; i < 24; i++) {
      const w = 12 + (i % 3) * 4; // mixed sizes: resizing matters
      for (const [cls, mean] of [['dark', 60], ['light', 190]] as const) {
        const img = sharp(noise(w, 3, mean, rng), { raw: { width: w, height: w, channels: 3 } });
        mkdirSync(join(folder, cls), { recursive: true });
        writeFileSync(join(folder, cls, `${i}.${i % 2 ? 'png' : 'jpg'}`), await (i % 2 ? img.png() : img.jpeg()).toBuffer());
      }
    }
    writeFileSync(join(folder, 'dark', 'notes.txt'), 'skipped');
    const progress: number[] = [];
    const gray = await importImageFolder(folder, { size: [8, 8], onProgress: (done) => progress.push(done) });
    expect(gray.dataset.inputShape).toEqual([8, 8, 1]);
    expect(gray.dataset.classNames).toEqual(['dark', 'light']);
    expect(gray.files).toBe(48);
    expect(gray.skipped).toEqual(['dark/notes.txt']);
    expect(progress.at(-1)).toBe(48);
    const rgb = await importImageFolder(folder, { size: [6, 10], channels: 3 });
    expect(rgb.dataset.inputShape).toEqual([6, 10, 3]);
    expect(Math.max(...rgb.dataset.train.x)).toBeLessThanOrEqual(255);

    const data = join(dir, 'data');
    const t = io();
    expect(await runCli(['dataset', 'add', 'images', folder, '--size', '8x8', '--data', data], t.cli)).toBe(0);
    expect(t.out.join('\n')).toMatch(/registered dataset 1 "shapes" from shapes: 48 images; skipped 1 entry that is not a PNG\/JPEG image or a class folder \("dark\/notes.txt"\)/);
    expect(t.out.join('\n')).toMatch(/classes: dark 24, light 24/);

    const store = Store.open(data);
    try {
      const ds = store.listDatasets(store.ensureProject('Command line').id)[0]!;
      const source = ds.source as FileDatasetRef;
      const spec: ModelSpec = {
        version: 1,
        name: 'image cnn',
        loss: 'categoricalCrossentropy',
        layers: [
          { type: 'input', shape: [8, 8, 1] },
          { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu', padding: 'same' },
          { type: 'maxPool2d', poolSize: 2 },
          { type: 'flatten' },
          { type: 'dense', units: 2, activation: 'softmax' },
        ],
      };
      const cfg = config(15, { scaleUnit: {}, adam: { learningRate: 0.02 } }, 8);
      const version = store.saveModelVersion(ds.projectId, spec);
      const run = store.createRun({ projectId: ds.projectId, modelVersionId: version.id, datasetId: ds.id, config: cfg, backend: 'wasm' });
      const checkpoints: CheckpointPayload[] = [];
      const summary = await train({ spec, dataset: source, config: cfg, backend: { name: 'wasm', device: 'test' }, events: { onCheckpoint: (c) => checkpoints.push(c) } });
      expect(summary.final?.valAccuracy).toBeGreaterThanOrEqual(0.8);
      for (const c of checkpoints) store.saveCheckpoint(run.id, { epoch: c.manifest.epoch, kind: c.manifest.kind, weights: c.weights, optimizer: c.optimizer, manifest: c.manifest as never });
    } finally {
      store.close();
    }
    const out = join(dir, 'cnn.onnx');
    const e = io();
    const code = await runCli(['export', '1', '--format', 'onnx', '--out', out, '--data', data, '--checkpoint', 'last'], e.cli);
    expect(code, e.err.join('\n')).toBe(0);
    expect(e.out.join('\n')).toMatch(/exported run 1 \(one model\) as onnx/);
    expect(e.out.join('\n')).toMatch(/verified: max abs diff \d\.\d{3}e[-+]\d+ on 5 samples/);
    const again = io();
    expect(await runCli(['export', '1', '--format', 'onnx', '--out', out, '--data', data], again.cli)).toBe(1);
    expect(again.err.join('\n')).toMatch(/already exists/);
    const bad = io();
    expect(await runCli(['export', '1', '--format', 'keras', '--out', out, '--data', data], bad.cli)).toBe(2);
    const tfjsOut = join(dir, 'cnn-tfjs');
    const t2 = io();
    expect(await runCli(['export', '1', '--format', 'tfjs', '--out', tfjsOut, '--data', data], t2.cli)).toBe(0);
    expect(readdirSync(tfjsOut).sort()).toEqual(['model.json', 'weights.bin']);
  });
});

interface CorpusRow {
  name: string;
  kind: 'csv' | 'images' | 'text' | 'series';
  csv?: string;
  csvLines?: { header: string; rows: number; line: string };
  files?: Record<string, string>;
  input?: 'dir' | 'file' | 'fifo' | 'device';
  options?: Record<string, unknown>;
  error: { code: string; message: string };
}
const corpus = JSON.parse(readFileSync(new URL('../corpus/datasets.json', import.meta.url), 'utf8')) as { rows: CorpusRow[] };

/** A real 1×1 GIF89a. */
const GIF = Buffer.from('47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b', 'hex');

function csvText(row: CorpusRow): string {
  if (!row.csvLines) return row.csv ?? '';
  const { header, rows, line } = row.csvLines;
  const lines = [header];
  for (let i = 1; i <= rows; i++) lines.push(line.replace(/\{i(?:%(\d+))?\}/g, (_, n?: string) => String(n ? i % Number(n) : i)));
  return `${lines.join('\n')}\n`;
}

/** Writes the row's input under `dir` and returns the path to import. */
async function makeInput(row: CorpusRow, dir: string): Promise<string> {
  if (row.input === 'device') return '/dev/zero';
  const target = join(dir, row.kind === 'images' ? 'folder' : 'data.csv');
  if (row.input === 'dir') mkdirSync(target);
  else if (row.input === 'file') writeFileSync(target, 'a file, not a folder');
  else if (row.input === 'fifo') execFileSync('mkfifo', [target]);
  else if (row.kind !== 'images') writeFileSync(target, csvText(row));
  else {
    mkdirSync(target);
    const rng = createRng(2);
    for (const [path, what] of Object.entries(row.files ?? {})) {
      const full = join(target, path);
      if (what === 'gif') {
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, GIF);
      } else if (what === 'fifo') {
        mkdirSync(dirname(full), { recursive: true });
        execFileSync('mkfifo', [full]);
      } else await image(full, what, rng);
    }
  }
  return target;
}

const needsLinux = (row: CorpusRow) => row.input === 'fifo' || row.input === 'device' || Object.values(row.files ?? {}).includes('fifo');

describe('bad input is refused, naming the file, row and column; nothing is registered', () => {
  let api: TestServices;
  beforeAll(async () => {
    api = openTestServices();
    await api.services.dispatch('projects.create', { name: 'Corpus' });
  });
  afterAll(() => api.close());

  it('the corpus covers the cases of issue 18', () => {
    const names = corpus.rows.map((r) => r.name);
    for (const required of ['a folder where the CSV file is expected', '/dev/zero as a CSV (stat() says 0 bytes; it never ends)', 'duplicate column names', '2,000 classes from 2,000 rows (an id column as the target)', 'a GIF named .jpg', 'a sub-folder inside a class folder']) {
      expect(names).toContain(required);
    }
  });

  // The IDX and CIFAR rows run in pixel-formats.test.ts.
  for (const row of corpus.rows.filter((r) => ['csv', 'images', 'text', 'series'].includes(r.kind))) {
    it.skipIf(needsLinux(row) && process.platform !== 'linux')(`${row.kind}: ${row.name}`, async () => {
      const dir = fresh(row.name);
      const target = await makeInput(row, dir);
      const importer: Record<CorpusRow['kind'], (path: string) => Promise<unknown>> = {
        csv: (path) => importCsv(path, row.options as CsvOptions),
        images: (path) => importImageFolder(path, row.options as ImageFolderOptions),
        text: (path) => importTextCsv(path, row.options as TextCsvOptions),
        series: (path) => importSeriesCsv(path, row.options as SeriesCsvOptions),
      };
      const error: unknown = await importer[row.kind](target).then(() => undefined, (e: unknown) => e);
      expect(error, 'the import should have been refused').toBeInstanceOf(DatasetImportError);
      const { code, message } = error as DatasetImportError;
      expect(code).toBe(row.error.code);
      expect(message).toMatch(new RegExp(row.error.message));
      if (row.options) return;

      // Through the CLI: exit 1, exactly the same reason, and no dataset row or prepared file.
      const data = join(dir, 'data');
      const t = io();
      expect(await runCli(['dataset', 'add', row.kind, target, '--data', data], t.cli)).toBe(1);
      expect(t.err).toEqual([`layerwise dataset: ${message}; nothing was registered`]);
      const list = io();
      expect(await runCli(['dataset', 'list', '--json', '--data', data], list.cli)).toBe(0);
      expect(JSON.parse(list.out.join(''))).toEqual([]);

      // Through the API (both transports call this after their own checks): invalid_input, the same reason.
      const refused = await api.services.dispatch('datasets.import', { kind: row.kind, projectId: 1, path: target }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(ApiError);
      expect(refused).toMatchObject({ code: 'invalid_input', message: `${message}; nothing was registered`, details: { datasetCode: row.error.code } });
      expect(api.store.listDatasets(1)).toEqual([]);
    });
  }
});

it('registerDataset leaves no prepared file when the store refuses the row', async () => {
  const dir = fresh('refused');
  writeFileSync(join(dir, 't.csv'), table(50));
  const { dataset } = await importCsv(join(dir, 't.csv'));
  const store = Store.open(join(dir, 'data'));
  try {
    expect(() => registerDataset(store, 999, 'csv', dataset, { task: 'classification' })).toThrow();
    expect(readdirSync(join(dir, 'data', 'datasets'))).toEqual([]);
    expect(store.listProjects()).toEqual([]);
  } finally {
    store.close();
  }
});

it('dataset: bad usage exits 2 naming the flag', async () => {
  const t = io();
  expect(await runCli(['dataset', 'add', 'xml', 'x.xml'], t.cli)).toBe(2);
  expect(t.err.join('\n')).toMatch(/dataset add takes csv, images, idx, cifar, text or series \(got "xml"\)/);
  const s = io();
  expect(await runCli(['dataset', 'add', 'images', 'folder', '--size', '0x9'], s.cli)).toBe(2);
  expect(s.err.join('\n')).toMatch(/--size must be HxW/);
  const c = io();
  expect(await runCli(['export', '1', '--format', 'onnx'], c.cli)).toBe(2);
  expect(c.err.join('\n')).toMatch(/give --out PATH/);
});
