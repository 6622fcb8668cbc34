// Sequence data (issue 20): the synthetic pattern and sine sets, a CSV text column as token ids and numeric columns
// in windows, each checked value by value; registered through the CLI and the API (refs keep the vocabulary,
// previews read tokens back); token datasets refused where they cannot train (no embedding first, too small an
// embedding, input scaling), and trained end to end through an embedding and an LSTM.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../core/cli/main.js';
import type { CliIO } from '../../core/cli/io.js';
import { importSeriesCsv } from '../../core/datasets/series-csv.js';
import { importTextCsv, tokenise } from '../../core/datasets/text-csv.js';
import { splitOrder } from '../../core/datasets/split.js';
import { initBackend } from '../../core/engine/backends/index.js';
import { labelOf, loadDataset, type Dataset } from '../../core/engine/data/dataset.js';
import { train, TrainError } from '../../core/engine/train.js';
import { ApiError } from '../../shared/api/contract.js';
import { openTestServices } from '../host/support.js';
import { parseTrainingConfig, PATTERN_MOTIF, type DatasetRef, type ModelSpec, type SequenceRef } from '../../shared/index.js';

const root = mkdtempSync(join(tmpdir(), 'layerwise-sequences-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('wasm');
});
let counter = 0;
function file(name: string, text: string): string {
  const dir = join(root, String(++counter));
  mkdirSync(dir);
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false };
  return { cli, out, err };
}
const rowsOf = (split: Dataset['train'], width: number) => Array.from({ length: split.count }, (_, i) => Array.from(split.x.subarray(i * width, (i + 1) * width)));
const labels = (d: Dataset, split: Dataset['train']) => Array.from({ length: split.count }, (_, i) => labelOf(split.y, i, d.numClasses));

describe('the synthetic sequence sets', () => {
  const pattern: SequenceRef = { kind: 'sequence', name: 'pattern', samples: 600, length: 20, classes: 2, noise: 0 };

  it('pattern: token ids 1–7; class 1 exactly when C A D occurs in a row; half the others hold C, A and D shuffled', () => {
    const d = loadDataset(pattern);
    expect(d.inputShape).toEqual([20]);
    expect(d.vocabulary).toBe(8);
    expect([d.train.count, d.validation.count, d.test.count]).toEqual([480, 60, 60]);
    const has = (row: number[], seq: readonly number[]) => row.some((_, t) => seq.every((m, j) => row[t + j] === m));
    let decoys = 0;
    let negatives = 0;
    for (const split of [d.train, d.validation, d.test]) {
      const ys = labels(d, split);
      rowsOf(split, 20).forEach((row, i) => {
        expect(row.every((v) => Number.isInteger(v) && v >= 1 && v <= 7)).toBe(true);
        expect(has(row, PATTERN_MOTIF)).toBe(ys[i] === 1);
        if (ys[i] === 0) {
          negatives++;
          if ([[1, 3, 4], [4, 1, 3], [3, 4, 1], [1, 4, 3], [4, 3, 1]].some((p) => has(row, p))) decoys++;
        }
      });
    }
    expect(negatives).toBe(300);
    // Half carry a planted decoy (a few more contain a shuffled C A D by chance).
    expect(decoys / negatives).toBeGreaterThan(0.45);
    expect(decoys / negatives).toBeLessThan(0.65);
    // The same ref gives the same data.
    expect(Array.from(loadDataset(pattern).train.x)).toEqual(Array.from(d.train.x));
  });

  it('pattern: noise flips that share of the labels', () => {
    const d = loadDataset({ ...pattern, noise: 0.2, samples: 2000 });
    const rows = rowsOf(d.train, 20);
    const ys = labels(d, d.train);
    const wrong = rows.filter((row, i) => row.some((_, t) => PATTERN_MOTIF.every((m, j) => row[t + j] === m)) !== (ys[i] === 1)).length;
    expect(wrong / rows.length).toBeGreaterThan(0.15);
    expect(wrong / rows.length).toBeLessThan(0.25);
  });

  it('sine: [length, 1] windows whose dominant frequency is the class (k + 1 cycles)', () => {
    const d = loadDataset({ kind: 'sequence', name: 'sine', samples: 400, length: 64, classes: 4, noise: 0.1 });
    expect(d.inputShape).toEqual([64, 1]);
    expect(d.vocabulary).toBeUndefined();
    const ys = labels(d, d.train);
    rowsOf(d.train, 64).forEach((row, i) => {
      // The DFT bin with the most power among 1–4 cycles.
      const power = [1, 2, 3, 4].map((f) => {
        let re = 0;
        let im = 0;
        row.forEach((v, t) => {
          re += v * Math.cos((2 * Math.PI * f * t) / 64);
          im += v * Math.sin((2 * Math.PI * f * t) / 64);
        });
        return re * re + im * im;
      });
      expect(power.indexOf(Math.max(...power))).toBe(ys[i]);
    });
  });

  it('refuses a pattern set of other than two classes, naming the field', async () => {
    const api = openTestServices();
    try {
      await api.services.dispatch('projects.create', { name: 'p' });
      const error = await api.services.dispatch('datasets.preview', { source: { ...pattern, classes: 3 } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as Error).message).toMatch(/source\.classes must be 2 for the pattern set \(the motif occurs or not\)/);
    } finally {
      api.close();
    }
  });
});

describe('a CSV text column as token ids', () => {
  const reviews = [
    'review,stars,label',
    ...Array.from({ length: 40 }, (_, i) => `"${i % 2 ? 'Great' : 'Dull'} film, ${i % 3 ? 'truly' : 'really'} ${i % 2 ? 'great' : 'dull'} — number ${i}",${i % 5},${i % 2 ? 'pos' : 'neg'}`),
  ].join('\n');

  it('splits words (lower-cased) and characters as a reader would', () => {
    expect(tokenise("It's a GREAT film, isn't it? 10/10", 'words', true)).toEqual(["it's", 'a', 'great', 'film', "isn't", 'it', '10', '10']);
    expect(tokenise('Aé b', 'chars', false)).toEqual(['A', 'é', ' ', 'b']);
  });

  it('assigns ids by frequency in the training rows, pads at the start, keeps the first tokens, and reads back', async () => {
    const path = file('reviews.csv', reviews);
    const { dataset: d, note } = await importTextCsv(path, { length: 5, vocabulary: 6 });
    expect(d.inputShape).toEqual([5]);
    expect(d.vocabulary).toBe(6);
    expect(d.classNames).toEqual(['neg', 'pos']);
    // The text column is the first one holding text; the label the last column.
    expect(note).toMatch(/^label "label" \(2 classes\); text "review" as words: \d+ distinct in the training rows, vocabulary 6 \(0 pads, 1 stands for the \d+ rarer tokens and any unseen ones: \d+% of all tokens\); length 5, 40 texts truncated, padded at the start$/);
    // Ids 2… go to the training rows' most frequent tokens (ties in code-point order).
    const counts = new Map<string, number>();
    const texts = reviews.split('\n').slice(1).map((line) => tokenise(line.split('"')[1]!, 'words', true));
    for (const r of splitOrder(40).train) for (const token of texts[r]!) counts.set(token, (counts.get(token) ?? 0) + 1);
    const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([token]) => token);
    expect(d.tokens).toEqual(['<pad>', '<oov>', ...ranked.slice(0, 4)]);
    // Each text keeps its first 5 tokens: "<great|dull> film <truly|really> <great|dull> number".
    const id = (token: string) => Math.max(1, d.tokens!.indexOf(token));
    for (const row of rowsOf(d.train, 5)) expect(row.slice(1, 2).concat(row.slice(4))).toEqual([id('film'), id('number')]);
    // A longer length pads at the start.
    const { dataset: padded } = await importTextCsv(path, { length: 9 });
    for (const row of rowsOf(padded.train, 9)) expect(row[0]).toBe(0);
    const { dataset: atEnd } = await importTextCsv(path, { length: 9, padding: 'end' });
    for (const row of rowsOf(atEnd.train, 9)) expect(row[8]).toBe(0);
  });

  it('never learns the vocabulary from validation or test text', async () => {
    // One word per row; each row's word is its own, so only training-row words get ids.
    const path = file('unique.csv', ['text,label', ...Array.from({ length: 30 }, (_, i) => `word${i},${i % 2 ? 'a' : 'b'}`)].join('\n'));
    const { dataset: d } = await importTextCsv(path, { length: 1 });
    expect(d.vocabulary).toBe(2 + d.train.count);
    for (const split of [d.validation, d.test]) for (const row of rowsOf(split, 1)) expect(row).toEqual([1]);
    for (const row of rowsOf(d.train, 1)) expect(row[0]).toBeGreaterThanOrEqual(2);
  });

  it('registers through the CLI and the API with its vocabulary; the preview reads tokens back; an LSTM trains on it', async () => {
    const path = file('reviews.csv', reviews);
    const data = join(root, 'cli-data');
    const t = io();
    expect(await runCli(['dataset', 'add', 'text', path, '--column', 'review', '--target', 'label', '--length', '6', '--json', '--data', data], t.cli)).toBe(0);
    const added = JSON.parse(t.out.join('')) as { source: { kind: string; vocabulary: number; inputShape: number[] }; preview: { vocabulary: number; samples: Array<{ text: string }> } };
    expect(added.source).toMatchObject({ kind: 'csv', inputShape: [6] });
    expect(added.source.vocabulary).toBeGreaterThan(5);
    expect(added.preview.samples[0]!.text).toMatch(/^(great|dull) film (truly|really) (great|dull) number \d+$/);
    const bad = io();
    expect(await runCli(['dataset', 'add', 'text', path, '--vocabulary', '2', '--data', data], bad.cli)).toBe(2);
    expect(bad.err.join('\n')).toMatch(/--vocabulary must be an integer in \[3, 50000\] \(got 2\)/);
    const wrongKind = io();
    expect(await runCli(['dataset', 'add', 'text', path, '--window', '8', '--data', data], wrongKind.cli)).toBe(2);
    expect(wrongKind.err.join('\n')).toMatch(/--window belongs to dataset add series, not text/);

    const api = openTestServices();
    try {
      await api.services.dispatch('projects.create', { name: 'Text' });
      const imported = await api.services.api.datasets.import({ kind: 'text', projectId: 1, path, tokens: 'chars', length: 12 });
      const ref = imported.dataset.source as DatasetRef & { vocabulary: number };
      expect(ref).toMatchObject({ kind: 'csv', inputShape: [12] });
      const preview = await api.services.api.datasets.preview({ source: ref, count: 2 });
      expect(preview.vocabulary).toBe(ref.vocabulary);
      expect(preview.samples[0]!.text).toMatch(/^(great|dull) film, /);

      const spec: ModelSpec = {
        version: 1,
        name: 'chars',
        loss: 'categoricalCrossentropy',
        layers: [{ type: 'input', shape: [12] }, { type: 'embedding', inputDim: ref.vocabulary, outputDim: 8 }, { type: 'lstm', units: 8 }, { type: 'dense', units: 2, activation: 'softmax' }],
      };
      const config = { epochs: 1, batchSize: 8, seed: 1, tricks: {} };
      const run = await api.services.api.runs.start({ projectId: 1, spec, dataset: ref, config });
      expect(run.status).toBe('queued');
      // Refused before queueing: an embedding too small for the ids, a model without one, input scaling.
      const small = { ...spec, layers: spec.layers.map((l) => (l.type === 'embedding' ? { ...l, inputDim: 3 } : l)) };
      await expect(api.services.dispatch('runs.start', { projectId: 1, spec: small, dataset: ref, config })).rejects.toThrow(
        new RegExp(`layers\\[1\\]\\.inputDim is 3 but the dataset "reviews" holds token ids up to ${ref.vocabulary - 1}: set it to at least ${ref.vocabulary}`),
      );
      await expect(api.services.dispatch('runs.start', { projectId: 1, spec, dataset: ref, config: { ...config, tricks: { standardize: {} } } })).rejects.toThrow(
        /holds token ids \(0–\d+\): input scaling \(standardize\) would turn them into fractions; switch it off/,
      );
    } finally {
      api.close();
    }
  });
});

describe('numeric CSV columns in windows', () => {
  // Row i: a = i, b = 100 + i, label = c<i % 3>; the direction column c rises after even rows.
  const seriesOf = (rows: number) => ['a,b,c,label', ...Array.from({ length: rows }, (_, i) => `${i},${100 + i},${i % 2 ? 5 : 1},c${i % 3}`)].join('\n');
  const series = seriesOf(60);

  it('cuts windows [window, features] every stride rows; the class is the label horizon rows after the window', async () => {
    const { dataset: d, note } = await importSeriesCsv(file('s.csv', series), { columns: ['a', 'b'], window: 4, stride: 2, horizon: 1, split: 'random' });
    expect(d.inputShape).toEqual([4, 2]);
    expect(d.classNames).toEqual(['c0', 'c1', 'c2']);
    // (60 − 4 − 1) / 2 + 1 = 28 windows.
    expect(d.train.count + d.validation.count + d.test.count).toBe(28);
    expect(note).toMatch(/^2 columns \(a, b\) in windows of 4 rows, stride 2 → 28 windows; class: label "label" 1 rows ahead \(3 classes\); seeded random split$/);
    for (const split of [d.train, d.validation, d.test]) {
      const ys = labels(d, split);
      rowsOf(split, 8).forEach((row, i) => {
        const start = row[0]!;
        expect(start % 2).toBe(0);
        expect(row).toEqual([0, 1, 2, 3].flatMap((t) => [start + t, 100 + start + t]));
        expect(ys[i]).toBe((start + 4) % 3);
      });
    }
  });

  it('with direction: up when the column rises from the window\'s last row to horizon rows later; split in time, no row in two parts', async () => {
    const { dataset: d, note } = await importSeriesCsv(file('s.csv', seriesOf(200)), { columns: ['a'], direction: 'c', window: 5 });
    expect(d.classNames).toEqual(['down or flat', 'up']);
    // 195 windows: 156 train, then 20 − 5 validation and 19 − 5 test.
    expect([d.train.count, d.validation.count, d.test.count]).toEqual([156, 15, 14]);
    expect(note).toMatch(/class: direction of "c" 1 row ahead \(up in 50%\); split in time 156\/15\/14 \(10 windows between the parts dropped, so no row is in two parts\)$/);
    const starts = (split: Dataset['train']) => rowsOf(split, 5).map((r) => r[0]!);
    const train = starts(d.train);
    const validation = starts(d.validation);
    const test = starts(d.test);
    // Windows span rows [s, s + 5], the label row included: no row is shared between parts.
    expect(Math.max(...train) + 5).toBeLessThan(Math.min(...validation));
    expect(Math.max(...validation) + 5).toBeLessThan(Math.min(...test));
    labels(d, d.train).forEach((y, i) => expect(y).toBe((train[i]! + 4) % 2 === 0 ? 1 : 0));
  });

  it('registers through dataset add series and trains a GRU on it', async () => {
    const data = join(root, 'series-data');
    const path = file('s.csv', series);
    const t = io();
    expect(await runCli(['dataset', 'add', 'series', path, '--columns', 'a,b', '--target', 'label', '--window', '6', '--split', 'random', '--data', data], t.cli)).toBe(0);
    expect(t.out.join('\n')).toMatch(/input \[6, 2\]/);
    const u = io();
    expect(await runCli(['dataset', 'add', 'series', path, '--split', 'sideways', '--data', data], u.cli)).toBe(2);
    expect(u.err.join('\n')).toMatch(/--split must be time or random \(got "sideways"\)/);
    const { dataset } = await importSeriesCsv(path, { columns: ['a', 'b'], window: 6, split: 'random' });
    const spec: ModelSpec = {
      version: 1,
      name: 'gru',
      loss: 'categoricalCrossentropy',
      layers: [{ type: 'input', shape: [6, 2] }, { type: 'gru', units: 4 }, { type: 'dense', units: 3, activation: 'softmax' }],
    };
    const config = parseTrainingConfig({ epochs: 2, batchSize: 8, seed: 1, tricks: { standardize: {} } });
    if (!config.ok) throw new Error('config');
    const summary = await train({ spec, dataset, config: config.value, backend: { name: 'wasm', device: 'test' } });
    expect(summary.status).toBe('completed');
    expect(summary.final!.testLoss).toBeGreaterThan(0);
  });
});

describe('token data meets the model', () => {
  const pattern: SequenceRef = { kind: 'sequence', name: 'pattern', samples: 200, length: 12, classes: 2, noise: 0 };
  const config = (tricks: Record<string, unknown> = {}) => {
    const c = parseTrainingConfig({ epochs: 1, batchSize: 16, seed: 1, tricks });
    if (!c.ok) throw new Error('config');
    return c.value;
  };
  const model = (first: ModelSpec['layers']): ModelSpec => ({
    version: 1,
    name: 'm',
    loss: 'categoricalCrossentropy',
    layers: [{ type: 'input', shape: [12] }, ...first, { type: 'dense', units: 2, activation: 'softmax' }],
  });
  const refused = async (spec: ModelSpec, tricks: Record<string, unknown> = {}, dataset: DatasetRef = pattern) => {
    const error = await train({ spec, dataset, config: config(tricks), backend: { name: 'wasm', device: 'test' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainError);
    return (error as Error).message;
  };

  it('refuses what cannot train, before training: ids without an embedding, an embedding too small or misplaced, floats into an embedding, scaled ids', async () => {
    expect(await refused(model([{ type: 'dense', units: 4 }]))).toBe(
      'pattern (200 sequences of 12 tokens) holds token ids (a vocabulary of 8): layers[1] must be an embedding, which turns each id into a learned vector (got dense)',
    );
    expect(await refused(model([{ type: 'embedding', inputDim: 5, outputDim: 4 }, { type: 'flatten' }]))).toBe(
      'layers[1].inputDim is 5 but pattern (200 sequences of 12 tokens) holds token ids up to 7: set it to at least 8',
    );
    expect(await refused(model([{ type: 'embedding', inputDim: 8, outputDim: 4 }, { type: 'flatten' }]), { scaleUnit: {} })).toMatch(/input scaling \(scaleUnit\) would turn them into fractions/);
    const floats: DatasetRef = { kind: 'synthetic', name: 'spiral', samples: 100, classes: 2, noise: 0 };
    const onFloats: ModelSpec = { ...model([]), layers: [{ type: 'input', shape: [2] }, { type: 'embedding', inputDim: 8, outputDim: 4 }, { type: 'flatten' }, { type: 'dense', units: 2, activation: 'softmax' }] };
    expect(await refused(onFloats, {}, floats)).toMatch(/^layers\[1\] \(embedding\) reads integer token ids, but spiral .* holds numeric features: choose a token dataset, or remove it$/);
    const later = model([{ type: 'dense', units: 12 }, { type: 'embedding', inputDim: 8, outputDim: 4 }, { type: 'flatten' }]);
    expect(await refused(later)).toBe('layers[2] (embedding) reads integer token ids, so it must be layers[1], right after the input');
  });
});
