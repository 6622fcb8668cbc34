// Numeric CSV columns as a series cut into windows: each window of `window` consecutive rows (every `stride`
// rows) is one sample [window, features]. Its class is a label column's value `horizon` rows after the window's
// last row (default 0: the last row's own label), or, with `direction`, whether that column rises from the
// window's last row to `horizon` rows later (default 1: the next value). Windows overlap, so a random split would
// put nearly the same window in training and test: the default split is in time (first 80% of the windows to
// train, then 10% validation, 10% test) with the windows that would share a row with the previous part dropped.
import { SEQUENCE_LIMITS } from '../../shared/limits/inputs.js';
import { takeRows, type Dataset } from '../engine/data/dataset.js';
import { asNumber, isMissing } from './csv.js';
import { DatasetImportError, defaultDatasetName } from './errors.js';
import { checkValues, intOption, labelClasses, namedColumn, percent, readSequenceTable, type SequenceCsvCommon } from './sequence-common.js';
import { splitRows } from './split.js';

export interface SeriesCsvOptions extends SequenceCsvCommon {
  /** Feature columns (default every numeric column but the label). */
  columns?: Array<string | number>;
  /** A label column: the class of a window. */
  target?: string | number;
  /** Or a numeric column whose direction (up / down or flat) `horizon` rows after the window is the class. */
  direction?: string | number;
  /** Rows per window (default 32). */
  window?: number;
  stride?: number;
  /** Rows after the window's last row (default 1 with direction, 0 with a label). */
  horizon?: number;
  /** 'time' (default) or 'random' (seeded). */
  split?: 'time' | 'random';
}

export interface SeriesCsvImport {
  dataset: Dataset;
  note: string;
}

export async function importSeriesCsv(path: string, options: SeriesCsvOptions = {}): Promise<SeriesCsvImport> {
  const { file, table } = await readSequenceTable(path, options);
  const { names, body } = table;
  if (options.target !== undefined && options.direction !== undefined) {
    throw new DatasetImportError('bad_option', `${file}: give a label column (target) or a column whose direction to predict (direction), not both`, { file });
  }
  const numeric = (c: number) => body.every((r) => isMissing(r.record[c]!) || asNumber(r.record[c]!) !== null);
  let target: number | null = options.target !== undefined ? namedColumn(file, names, options.target, 'label column') : null;
  const direction = options.direction !== undefined ? namedColumn(file, names, options.direction, 'direction column') : null;
  if (target === null && direction === null) {
    // The last column, when it reads as labels (text, or a few whole numbers).
    const last = names.length - 1;
    const distinct = new Set(body.map((r) => r.record[last]!)).size;
    const labels = !numeric(last) || (body.every((r) => Number.isInteger(asNumber(r.record[last]!))) && distinct <= 20);
    if (names.length < 2 || !labels) {
      throw new DatasetImportError('bad_column', `${file}: name a label column (target) or a numeric column whose direction to predict (direction); the last column "${names[last]}" holds ${distinct} different numbers, not labels`, { file });
    }
    target = last;
  }
  const features = options.columns
    ? options.columns.map((c) => namedColumn(file, names, c, 'feature column'))
    : names.map((_, c) => c).filter((c) => c !== target && numeric(c));
  if (features.length === 0) throw new DatasetImportError('bad_column', `${file}: no numeric column to use as a feature (columns: ${names.join(', ')})`, { file });
  for (const c of [...features, ...(direction !== null ? [direction] : [])]) {
    for (const { record, info } of body) {
      const v = record[c]!;
      if (isMissing(v)) throw new DatasetImportError('missing_value', `${file}: row ${info.lines}, column "${names[c]}": missing value (a series needs every value)`, { file, row: info.lines, column: names[c]! });
      if (asNumber(v) === null) throw new DatasetImportError('not_numeric', `${file}: row ${info.lines}, column "${names[c]}": ${JSON.stringify(v)} is not a number`, { file, row: info.lines, column: names[c]! });
    }
  }

  const window = intOption(file, 'window', options.window ?? 32, 2, SEQUENCE_LIMITS.maxLength);
  const stride = intOption(file, 'stride', options.stride ?? 1, 1, SEQUENCE_LIMITS.maxLength);
  const horizon = intOption(file, 'horizon', options.horizon ?? (direction !== null ? 1 : 0), direction !== null ? 1 : 0, SEQUENCE_LIMITS.maxLength);
  if (window + horizon > body.length) {
    throw new DatasetImportError('too_few_rows', `${file}: a window of ${window} rows and a horizon of ${horizon} need at least ${window + horizon} rows; the file has ${body.length}`, { file });
  }
  const count = Math.floor((body.length - window - horizon) / stride) + 1;
  checkValues(file, count, window, features.length);
  // The row each window's class is read from.
  const labelRow = (w: number) => w * stride + window - 1 + horizon;
  const classNames = direction !== null ? ['down or flat', 'up'] : labelClasses(file, table, target!, Array.from({ length: count }, (_, w) => labelRow(w)));
  const classOf = new Map(classNames.map((c, i) => [c, i]));
  const k = classNames.length;
  const values = features.map((c) => Float64Array.from(body, (r) => Number(r.record[c])));
  const x = new Float32Array(count * window * features.length);
  const y = new Float32Array(count * k);
  for (let w = 0; w < count; w++) {
    for (let t = 0; t < window; t++) for (let f = 0; f < features.length; f++) x[(w * window + t) * features.length + f] = values[f]![w * stride + t]!;
    if (direction !== null) {
      const last = Number(body[w * stride + window - 1]!.record[direction]);
      y[w * k + (Number(body[labelRow(w)]!.record[direction]) > last ? 1 : 0)] = 1;
    } else y[w * k + classOf.get(body[labelRow(w)]!.record[target!]!)!] = 1;
  }
  const base = {
    name: options.name ?? defaultDatasetName(file.replace(/\.csv$/i, '')),
    inputShape: [window, features.length],
    numClasses: k,
    classNames,
  };
  const { dataset, dropped } = options.split === 'random' ? { dataset: splitRows(base, x, y, count, options.seed), dropped: 0 } : splitInTime(base, x, y, count, Math.ceil((window + horizon) / stride) - 1, file);
  const up = direction !== null ? ` (up in ${percent(Array.from({ length: count }, (_, w) => y[w * k + 1]!).filter(Boolean).length, count)})` : '';
  const note =
    `${features.length} column${features.length === 1 ? '' : 's'} (${features.map((c) => names[c]).join(', ')}) in windows of ${window} rows, stride ${stride} → ${count} windows; ` +
    `class: ${direction !== null ? `direction of "${names[direction]}" ${horizon} row${horizon === 1 ? '' : 's'} ahead${up}` : `label "${names[target!]}"${horizon ? ` ${horizon} rows ahead` : ''} (${k} classes)`}; ` +
    (options.split === 'random' ? 'seeded random split' : `split in time ${dataset.train.count}/${dataset.validation.count}/${dataset.test.count} (${dropped} windows between the parts dropped, so no row is in two parts)`);
  return { dataset, note };
}

/** First 80% of the windows to train, the next 10% to validation, the rest to test; `gap` windows dropped before each later part. */
function splitInTime(base: Omit<Dataset, 'train' | 'validation' | 'test'>, x: Float32Array, y: Float32Array, count: number, gap: number, file: string): { dataset: Dataset; dropped: number } {
  const features = base.inputShape.reduce((a, b) => a * b, 1);
  const nTrain = Math.round(count * 0.8);
  const nVal = Math.round(count * 0.1);
  const range = (from: number, to: number) => Array.from({ length: Math.max(to - from, 0) }, (_, i) => from + i);
  const train = range(0, nTrain);
  const validation = range(nTrain + gap, nTrain + nVal);
  const test = range(nTrain + nVal + gap, count);
  if (validation.length === 0 || test.length === 0) {
    throw new DatasetImportError(
      'too_few_rows',
      `${file}: ${count} windows leave no validation or test windows once the ${gap} windows overlapping each earlier part are dropped: use more rows, a larger stride, or split "random"`,
      { file },
    );
  }
  const take = (rows: number[]) => takeRows(x, y, features, base.numClasses, rows);
  return { dataset: { ...base, train: take(train), validation: take(validation), test: take(test) }, dropped: 2 * gap };
}
