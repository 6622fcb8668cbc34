// The research formats: real Fashion-MNIST from Debian's dataset-fashion-mnist package (IDX, gzip) imported
// through the importer, the CLI and the API; CIFAR-10/100 batches written here in the real binary layout; the
// IDX and CIFAR rows of tests/corpus/datasets.json refused with their exact messages, nothing registered.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../core/cli/io.js';
import { runCli } from '../../core/cli/main.js';
import { importCifar } from '../../core/datasets/cifar.js';
import { DatasetImportError } from '../../core/datasets/errors.js';
import { importIdx, type IdxImport } from '../../core/datasets/idx.js';
import { initBackend } from '../../core/engine/backends/index.js';
import { findPreset } from '../../core/presets/load.js';
import { labelOf, loadDataset, type Dataset } from '../../core/engine/data/dataset.js';
import { encodePrepared, sha256Hex } from '../../core/engine/data/prepared.js';
import { train } from '../../core/engine/train.js';
import { ApiError } from '../../shared/api/contract.js';
import { KNOWN_DATASETS, parseTrainingConfig, type FileDatasetRef, type ModelSpec } from '../../shared/index.js';
import { openTestServices, type TestServices } from '../host/support.js';
import { cifarBytes, idxBytes, needsLinux, writeRow, writeSpec, type PixelCorpusRow } from './pixel-corpus.js';

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
/** CI installs dataset-fashion-mnist (.ci/apt-packages.sh) and sets this, so there the tests must run, not skip. */
const fashionPresent = existsSync(join(FASHION_DIR, 'train-images-idx3-ubyte.gz'));
if (!fashionPresent && process.env.LAYERWISE_REQUIRE_FASHION_MNIST === '1') {
  throw new Error(`${FASHION_DIR} is missing: install Debian's dataset-fashion-mnist (apt install dataset-fashion-mnist)`);
}

const root = mkdtempSync(join(tmpdir(), 'layerwise-pixels-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('wasm');
});
let counter = 0;
const fresh = (name: string) => {
  const dir = join(root, `${++counter}-${name.replace(/\W+/g, '-').slice(0, 60)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false };
  return { cli, out, err };
}

const labels = (d: Dataset, split: 'train' | 'validation' | 'test', n = d[split].count) => Array.from({ length: n }, (_, i) => labelOf(d[split].y, i, d.numClasses));
const gunzip = (name: string) => gunzipSync(readFileSync(join(FASHION_DIR, name)));

describe.skipIf(!fashionPresent)('real Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
  let fashion: IdxImport;
  beforeAll(async () => {
    fashion = await importIdx({ path: FASHION_DIR });
  });

  it('imports the folder: recognised, its class names, the shipped test set as the test split, a seeded validation part of the training file', () => {
    const d = fashion.dataset;
    expect(fashion.known).toBe('fashion-mnist');
    expect(d.name).toBe('Fashion-MNIST');
    expect(d.inputShape).toEqual([28, 28, 1]);
    expect(d.classNames).toEqual(KNOWN_DATASETS['fashion-mnist'].classNames);
    expect([d.train.count, d.validation.count, d.test.count]).toEqual([54000, 6000, 10000]);
    expect(d.splitNote).toBe(
      'test: the 10000 images of t10k-images-idx3-ubyte.gz, as shipped; validation: 6000 of the 60000 images of train-images-idx3-ubyte.gz (10%, drawn at random with a fixed seed); train: the other 54000',
    );
    expect(fashion.note).toBe(
      '60000 training images of 28 × 28 from train-images-idx3-ubyte.gz (gzip), 10000 test images from t10k-images-idx3-ubyte.gz (gzip); 10 classes, Fashion-MNIST recognised: its class names',
    );
    // The test split is the t10k files, in their order, pixel for pixel.
    const testImages = gunzip('t10k-images-idx3-ubyte.gz');
    const testLabels = gunzip('t10k-labels-idx1-ubyte.gz');
    expect(labels(d, 'test')).toEqual(Array.from(testLabels.subarray(8)));
    expect(Array.from(d.test.x.subarray(9999 * 784, 10000 * 784))).toEqual(Array.from(testImages.subarray(16 + 9999 * 784)));
    // Train and validation are the 60,000 training images, each once: 6,000 per class between them.
    const perClass = new Array<number>(10).fill(0);
    for (const split of ['train', 'validation'] as const) for (const l of labels(d, split)) perClass[l]! += 1;
    expect(perClass).toEqual(new Array(10).fill(6000));
    const trainSum = (['train', 'validation'] as const).reduce((s, k) => s + d[k].x.reduce((a, b) => a + b, 0), 0);
    expect(trainSum).toBe(gunzip('train-images-idx3-ubyte.gz').subarray(16).reduce((a, b) => a + b, 0));
  });

  it('reads the same data from the four files given one by one, decompressed or not: the same prepared bytes', async () => {
    const dir = fresh('fashion-raw');
    const names = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
    // Raw copies under other names: recognition is by content, gzip by the first bytes.
    for (const n of names) writeFileSync(join(dir, `${n}.raw`), gunzip(`${n}.gz`));
    const [images, lbls, testImages, testLabels] = names.map((n) => join(dir, `${n}.raw`)) as [string, string, string, string];
    const raw = await importIdx({ path: images, labels: lbls, testImages, testLabels });
    expect(raw.known).toBe('fashion-mnist');
    // Only the file names in the split note differ.
    expect(raw.dataset.splitNote).toBe(fashion.dataset.splitNote!.replaceAll('-ubyte.gz', '-ubyte.raw'));
    const same = { ...raw.dataset, splitNote: fashion.dataset.splitNote! };
    expect(sha256Hex(encodePrepared(same, { pixels: true }))).toBe(sha256Hex(encodePrepared(fashion.dataset, { pixels: true })));
  });

  it('registers through the CLI and the API as kind idx, known, one byte per pixel; loads back exactly; preview says how it split', async () => {
    const dir = fresh('fashion-cli');
    const data = join(dir, 'data');
    const t = io();
    expect(await runCli(['dataset', 'add', 'idx', FASHION_DIR, '--name', 'fashion', '--data', data], t.cli), t.err.join('\n')).toBe(0);
    expect(t.out).toEqual([
      `registered dataset 1 "fashion" from fashion-mnist: ${fashion.note}`,
      expect.stringMatching(/^input \[28, 28, 1\], split 54000\/6000\/10000, fingerprint [0-9a-f]{12}$/),
      `split: ${fashion.dataset.splitNote}`,
      'classes: T-shirt/top 7000, Trouser 7000, Pullover 7000, Dress 7000, Coat 7000, Sandal 7000, Shirt 7000, Sneaker 7000, Bag 7000, Ankle boot 7000',
    ]);
    const list = io();
    expect(await runCli(['dataset', 'list', '--json', '--data', data], list.cli)).toBe(0);
    const [row] = JSON.parse(list.out.join('')) as Array<{ source: FileDatasetRef }>;
    expect(row!.source).toMatchObject({ kind: 'idx', known: 'fashion-mnist', inputShape: [28, 28, 1], classes: 10, counts: { train: 54000, validation: 6000, test: 10000 } });
    // One byte per pixel value: 70,000 × 784 bytes, plus one-hot float32 labels and the header.
    const size = statSync(row!.source.file).size;
    expect(size).toBeGreaterThan(70000 * 784 + 70000 * 40);
    expect(size).toBeLessThan(70000 * 784 + 70000 * 40 + 4096);
    const loaded = loadDataset(row!.source);
    expect(loaded.classNames).toEqual(fashion.dataset.classNames);
    expect(loaded.splitNote).toBe(fashion.dataset.splitNote);
    expect(Array.from(loaded.validation.x.subarray(0, 784 * 3))).toEqual(Array.from(fashion.dataset.validation.x.subarray(0, 784 * 3)));
    expect(labels(loaded, 'train', 50)).toEqual(labels(fashion.dataset, 'train', 50));

    const api = openTestServices();
    try {
      const { id: projectId } = await api.services.api.projects.create({ name: 'Fashion' });
      const imported = await api.services.api.datasets.import({ kind: 'idx', projectId, path: FASHION_DIR });
      expect(imported.dataset.source).toMatchObject({ kind: 'idx', known: 'fashion-mnist', name: 'Fashion-MNIST' });
      expect(imported.notes).toEqual([fashion.note]);
      const preview = await api.services.api.datasets.preview({ source: imported.dataset.source, split: 'test', count: 3 });
      expect(preview.splitNote).toBe(fashion.dataset.splitNote);
      expect(preview.samples.map((s) => preview.classNames[s.label])).toEqual(['Ankle boot', 'Pullover', 'Trouser']);
    } finally {
      api.close();
    }
  });

  it('fashion-cnn: refused with the import command until Fashion-MNIST is imported, then uses that import (CLI, API, sweeps)', async () => {
    const data = join(fresh('fashion-preset'), 'data');
    const expected = `the preset "fashion-cnn" trains on Fashion-MNIST, which is not imported yet: import it first with \`layerwise dataset add idx /usr/share/datasets/fashion-mnist\``;
    const refused = io();
    expect(await runCli(['train', '--preset', 'fashion-cnn', '--data', data], refused.cli)).toBe(1);
    expect(refused.err.join('\n')).toContain(`layerwise train: ${expected}`);
    const listed = io();
    expect(await runCli(['presets'], listed.cli)).toBe(0);
    expect(listed.out.join('\n')).toMatch(/fashion-cnn +Fashion-MNIST \(import first\) +108,762 /);

    const api = openTestServices();
    try {
      const err = await api.services.api.projects.create({ presetId: 'fashion-cnn' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('not_found');
      expect((err as ApiError).message).toContain(expected);
      expect((err as ApiError).details).toEqual({ presetId: 'fashion-cnn', needs: 'fashion-mnist', importCommand: KNOWN_DATASETS['fashion-mnist'].importCommand });
      // Nothing half-made: no project was created by the refusal.
      expect(await api.services.api.projects.list()).toEqual([]);
      const { id: projectId } = await api.services.api.projects.create({ name: 'Imports' });
      const sweep = { name: 's', base: { preset: 'fashion-cnn', epochs: 1 }, method: 'grid', parameters: [{ path: 'tricks.adam.learningRate', values: [0.001, 0.002] }] };
      const unswept = await api.services.api.sweeps.start({ projectId, sweep } as never).catch((e: unknown) => e);
      expect((unswept as ApiError).message).toContain(`base.preset cannot be swept yet: ${expected}`);

      const imported = await api.services.api.datasets.import({ kind: 'idx', projectId, path: FASHION_DIR });
      const project = await api.services.api.projects.create({ presetId: 'fashion-cnn' });
      const [dataset] = await api.services.api.datasets.list({ projectId: project.id });
      expect(dataset!.source).toEqual(imported.dataset.source);
    } finally {
      api.close();
    }
  });

  it('a real subset, not recognised, trains a small model: class names from a file', async () => {
    const dir = fresh('fashion-subset');
    const subset = (name: string, n: number, per: number, head: number) => {
      const bytes = gunzip(name);
      const out = Buffer.from(bytes.subarray(0, head + n * per));
      out.writeUInt32BE(n, 4);
      writeFileSync(join(dir, name.replace('.gz', '')), out);
    };
    subset('train-images-idx3-ubyte.gz', 1200, 784, 16);
    subset('train-labels-idx1-ubyte.gz', 1200, 1, 8);
    subset('t10k-images-idx3-ubyte.gz', 300, 784, 16);
    subset('t10k-labels-idx1-ubyte.gz', 300, 1, 8);
    const plain = await importIdx({ path: dir });
    expect(plain.known).toBeNull();
    expect(plain.dataset.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(plain.note).toMatch(/10 classes, classes named 0–9 \(give a class-names file to name them\)$/);
    writeFileSync(join(dir, 'names.txt'), `${KNOWN_DATASETS['fashion-mnist'].classNames.join('\r\n')}\r\n\r\n`);
    const named = await importIdx({ path: join(dir, 'train-images-idx3-ubyte'), labels: join(dir, 'train-labels-idx1-ubyte'), classNames: join(dir, 'names.txt') });
    expect(named.dataset.classNames).toEqual(KNOWN_DATASETS['fashion-mnist'].classNames);
    // No test pair given: the usual seeded 80/10/10 split, said so.
    expect([named.dataset.train.count, named.dataset.validation.count, named.dataset.test.count]).toEqual([960, 120, 120]);
    expect(named.dataset.splitNote).toMatch(/^no test file given: train, validation and test \(960\/120\/120\) drawn at random with a fixed seed from the 1200 images of train-images-idx3-ubyte$/);

    // The fashion-cnn preset's own model and tricks on this subset (its accuracy on the full set is a measured
    // command in README.md, not a test): 4 epochs of 960 images, batch 16 so that batch norm's running statistics
    // (used at test time) settle within the 240 steps.
    const preset = findPreset('fashion-cnn');
    const config = parseTrainingConfig({ ...preset.training, epochs: 4, batchSize: 16 });
    if (!config.ok) throw new Error('config');
    const summary = await train({ spec: preset.model, dataset: plain.dataset, config: config.value, backend: { name: 'wasm', device: 'test' } });
    // Chance is 0.1; this reaches 0.63.
    expect(summary.final?.testAccuracy).toBeGreaterThan(0.5);
  });
});

describe('CIFAR binary batches written in the real layout', () => {
  /** Class c's images are a colour of their own (plus a gradient): a small model can tell them apart. */
  const pixel = (labelOfRecord: (i: number) => number) => (i: number, p: number) => {
    const c = labelOfRecord(i);
    const plane = Math.floor(p / 1024);
    const at = p % 1024;
    return (c * 23 + plane * 80 + (at % 32) + ((i * 13) % 17)) % 256;
  };

  it('CIFAR-10 folder: planes become HWC pixels, batches.meta.txt names the classes, test_batch.bin is the test split', async () => {
    const dir = fresh('cifar10');
    const folder = join(dir, 'cifar-10-batches-bin');
    mkdirSync(folder);
    for (const [name, records] of [['data_batch_1.bin', 60], ['data_batch_2.bin', 40], ['test_batch.bin', 30]] as const) {
      writeFileSync(join(folder, name), cifarBytes({ cifar: 10, records }, pixel((i) => i % 10)));
    }
    const names = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
    writeFileSync(join(folder, 'batches.meta.txt'), `${names.join('\n')}\n\n`);
    writeFileSync(join(folder, 'readme.html'), '<html></html>');
    const r = await importCifar({ path: folder });
    const d = r.dataset;
    expect(d.inputShape).toEqual([32, 32, 3]);
    expect(d.classNames).toEqual(names);
    expect([d.train.count, d.validation.count, d.test.count]).toEqual([90, 10, 30]);
    expect(r.note).toBe('CIFAR-10: 100 training images from data_batch_1.bin … data_batch_2.bin (2 files), 30 test images from test_batch.bin; 10 classes, class names from batches.meta.txt');
    expect(labels(d, 'test')).toEqual(Array.from({ length: 30 }, (_, i) => i % 10));
    // Record 7 of test_batch.bin: red plane first, then green, then blue → x[(row·32 + col)·3 + channel].
    const expected = pixel((i) => i % 10);
    for (const [row, col, ch] of [[0, 0, 0], [0, 1, 0], [5, 31, 1], [31, 31, 2], [17, 3, 2]] as const) {
      expect(d.test.x[7 * 3072 + (row * 32 + col) * 3 + ch]).toBe(expected(7, ch * 1024 + row * 32 + col));
    }

    // Registered through the CLI and trained on: 32 × 32 colour images through a small CNN.
    const data = join(dir, 'data');
    const t = io();
    expect(await runCli(['dataset', 'add', 'cifar', folder, '--data', data], t.cli), t.err.join('\n')).toBe(0);
    expect(t.out[0]).toBe(`registered dataset 1 "cifar-10-batches-bin" from cifar-10-batches-bin: ${r.note}`);
    expect(t.out[2]).toBe('split: test: the 30 images of test_batch.bin, as shipped; validation: 10 of the 100 images of data_batch_1.bin … data_batch_2.bin (2 files) (10%, drawn at random with a fixed seed); train: the other 90');
    const list = io();
    expect(await runCli(['dataset', 'list', '--json', '--data', data], list.cli)).toBe(0);
    const source = (JSON.parse(list.out.join('')) as Array<{ source: FileDatasetRef }>)[0]!.source;
    expect(source).toMatchObject({ kind: 'cifar', inputShape: [32, 32, 3], classes: 10 });
    const spec: ModelSpec = {
      version: 1,
      name: 'cifar cnn',
      loss: 'categoricalCrossentropy',
      layers: [
        { type: 'input', shape: [32, 32, 3] },
        { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' },
        { type: 'maxPool2d', poolSize: 4 },
        { type: 'flatten' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
    };
    const config = parseTrainingConfig({ epochs: 12, batchSize: 16, seed: 1, tricks: { scaleUnit: {}, adam: { learningRate: 0.01 } } });
    if (!config.ok) throw new Error('config');
    const summary = await train({ spec, dataset: source, config: config.value, backend: { name: 'wasm', device: 'test' } });
    expect(summary.final?.testAccuracy).toBeGreaterThan(0.5); // chance 0.1: each class is its own colour
  });

  it('CIFAR-100: fine labels by default, coarse on request, each with its names file; CIFAR-10 batches under other names by their size', async () => {
    const dir = fresh('cifar100');
    writeFileSync(join(dir, 'train.bin'), cifarBytes({ cifar: 100, records: 200 }));
    writeFileSync(join(dir, 'test.bin'), cifarBytes({ cifar: 100, records: 50 }));
    writeFileSync(join(dir, 'fine_label_names.txt'), Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n') + '\n');
    writeFileSync(join(dir, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `coarse${i}`).join('\n') + '\n');
    const fine = await importCifar({ path: dir });
    expect(fine.dataset.numClasses).toBe(100);
    expect(fine.dataset.classNames[42]).toBe('fine42');
    expect(labels(fine.dataset, 'test')).toEqual(Array.from({ length: 50 }, (_, i) => i % 100));
    const coarse = await importCifar({ path: dir, labels: 'coarse' });
    expect(coarse.dataset.numClasses).toBe(20);
    expect(coarse.dataset.classNames[19]).toBe('coarse19');
    expect(labels(coarse.dataset, 'test')).toEqual(Array.from({ length: 50 }, (_, i) => i % 20));
    expect(coarse.note).toBe('CIFAR-100 with coarse labels: 200 training images from train.bin, 50 test images from test.bin; 20 classes, class names from coarse_label_names.txt');

    writeFileSync(join(dir, 'a.bin'), cifarBytes({ cifar: 10, records: 12 }));
    writeFileSync(join(dir, 'b.bin'), cifarBytes({ cifar: 10, records: 8 }));
    const byFiles = await importCifar({ path: join(dir, 'a.bin'), moreTrain: [join(dir, 'b.bin')] });
    expect(byFiles.dataset.name).toBe('CIFAR-10');
    expect(byFiles.dataset.classNames[0]).toBe('airplane');
    expect(byFiles.dataset.train.count + byFiles.dataset.validation.count + byFiles.dataset.test.count).toBe(20);
  });
});

const corpus = (JSON.parse(readFileSync(new URL('../corpus/datasets.json', import.meta.url), 'utf8')) as { rows: Array<{ kind: string }> }).rows.filter(
  (r): r is PixelCorpusRow => r.kind === 'idx' || r.kind === 'cifar',
);

describe('bad IDX and CIFAR input is refused, naming the file and the field; nothing is registered', () => {
  let api: TestServices;
  beforeAll(async () => {
    api = openTestServices();
    await api.services.dispatch('projects.create', { name: 'Corpus' });
  });
  afterAll(() => api.close());

  it('the corpus covers the cases of issue 20', () => {
    const names = corpus.map((r) => r.name).join('\n');
    for (const required of ['magic number', 'an HTML page named .gz', 'truncated gzip', 'fewer labels than images', 'a label beyond the class-names file', 'truncated image data', 'CIFAR: a truncated batch', 'CIFAR-10: label 10', 'batches.meta.txt with 9 names', '/dev/zero', 'gzip bomb']) {
      expect(names).toContain(required);
    }
  });

  for (const row of corpus) {
    it.skipIf(needsLinux(row) && process.platform !== 'linux')(`${row.kind}: ${row.name}`, async () => {
      const dir = fresh(row.name);
      const { folder, paths } = writeRow(row, dir);
      const classes = row.flags?.classes ? join(folder, row.flags.classes) : undefined;
      const [path, ...rest] = paths as [string, ...string[]];
      const error: unknown =
        row.kind === 'idx'
          ? await importIdx({ path, ...(rest[0] ? { labels: rest[0] } : {}), ...(rest[2] ? { testImages: rest[1]!, testLabels: rest[2] } : {}), ...(classes ? { classNames: classes } : {}) }).then(() => undefined, (e: unknown) => e)
          : await importCifar({ path, ...(rest.length ? { moreTrain: rest } : {}), ...(row.flags?.labels ? { labels: row.flags.labels } : {}), ...(classes ? { classNames: classes } : {}) }).then(() => undefined, (e: unknown) => e);
      expect(error, 'the import should have been refused').toBeInstanceOf(DatasetImportError);
      const { code, message } = error as DatasetImportError;
      expect(message).toMatch(new RegExp(row.error.message));
      expect(code).toBe(row.error.code);

      // Through the CLI: exit 1, exactly the same reason, and no dataset row or prepared file.
      const data = join(dir, 'store');
      const t = io();
      const flags = [...(classes ? ['--classes', classes] : []), ...(row.flags?.labels ? ['--labels', row.flags.labels] : [])];
      expect(await runCli(['dataset', 'add', row.kind, ...paths, ...flags, '--data', data], t.cli)).toBe(1);
      expect(t.err).toEqual([`layerwise dataset: ${message}; nothing was registered`]);
      const list = io();
      expect(await runCli(['dataset', 'list', '--json', '--data', data], list.cli)).toBe(0);
      expect(JSON.parse(list.out.join(''))).toEqual([]);
      expect(existsSync(join(data, 'datasets'))).toBe(false);

      // Through the API: invalid_input, the same reason.
      const input =
        row.kind === 'idx'
          ? { kind: 'idx' as const, projectId: 1, path, ...(rest[0] ? { labels: rest[0] } : {}), ...(rest[2] ? { testImages: rest[1]!, testLabels: rest[2] } : {}), ...(classes ? { classNames: classes } : {}) }
          : { kind: 'cifar' as const, projectId: 1, path, ...(rest.length ? { moreTrain: rest } : {}), ...(row.flags?.labels ? { labels: row.flags.labels } : {}), ...(classes ? { classNames: classes } : {}) };
      const refused = await api.services.dispatch('datasets.import', input).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(ApiError);
      expect(refused).toMatchObject({ code: 'invalid_input', message: `${message}; nothing was registered`, details: { datasetCode: row.error.code } });
      expect(api.store.listDatasets(1)).toEqual([]);
    });
  }
});

it('dataset add idx|cifar (and a flag of another kind): bad usage exits 2 naming the argument or flag', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['dataset', 'add', 'idx', 'a', 'b', 'c'], /give the test images and the test labels, both \(got "c" alone after the training pair\)/],
    [['dataset', 'add', 'idx', 'a', 'b', 'c', 'd', 'e'], /unexpected argument "e"/],
    [['dataset', 'add', 'idx', 'folder', '--size', '28x28'], /--size does not apply to dataset add idx/],
    [['dataset', 'add', 'cifar', 'folder', '--labels', 'medium'], /--labels must be fine or coarse \(got "medium"\)/],
    [['dataset', 'add', 'csv', 'x.csv', '--classes', 'names.txt'], /--classes does not apply to dataset add csv/],
    [['dataset', 'add', 'xml', 'x.xml'], /dataset add takes csv, images, idx, cifar, text or series \(got "xml"\)/],
    // The sequence kinds share the flag check: another kind's flag is refused, never ignored.
    [['dataset', 'add', 'text', 'x.csv', '--size', '8'], /--size does not apply to dataset add text/],
    [['dataset', 'add', 'series', 'x.csv', '--labels', 'fine'], /--labels does not apply to dataset add series/],
    [['dataset', 'add', 'idx', 'folder', '--window', '8'], /--window does not apply to dataset add idx/],
    [['dataset', 'add', 'text', 'x.csv', '--window', '8'], /--window belongs to dataset add series, not text/],
  ];
  for (const [args, message] of cases) {
    const t = io();
    expect(await runCli(args, t.cli), args.join(' ')).toBe(2);
    expect(t.err.join('\n')).toMatch(message);
  }
});

it('the corpus writer makes real IDX bytes (cross-checked against the header layout)', () => {
  const bytes = idxBytes({ idx: 'images', dims: [2, 4, 5] });
  expect(Array.from(bytes.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 5]);
  expect(bytes.byteLength).toBe(16 + 40);
  const dir = fresh('writer');
  writeSpec(join(dir, 'x.gz'), { idx: 'labels', dims: [3], gzip: true });
  expect(Array.from(gunzipSync(readFileSync(join(dir, 'x.gz'))))).toEqual([0, 0, 8, 1, 0, 0, 0, 3, 0, 1, 2]);
});
