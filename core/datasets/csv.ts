// CSV tables → a Dataset: header detection, a target column (the last one unless chosen), numeric and
// categorical features (categories one-hot), missing values refused with their row and column or imputed
// on request (numeric: the column mean; categorical: the most frequent value), classification or regression
// targets. Rows are numbered as in the file (line 1 is the first line, the header included).
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CLASS_LIMITS, CSV_LIMITS } from '../../shared/limits/inputs.js';
import type { Dataset } from '../engine/data/dataset.js';
import { readFileLimited } from '../files/read.js';
import { DatasetImportError, defaultDatasetName, fromInputFileError } from './errors.js';
import { splitRows } from './split.js';

const { maxCategories: MAX_CATEGORIES, maxIntegerClasses: MAX_INTEGER_CLASSES, minRows: MIN_ROWS } = CSV_LIMITS;
const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', '?', 'none']);

export interface CsvOptions {
  /** Target column: its header name or 0-based index; default the last column. */
  target?: string | number;
  /** 'auto' (default) decides from the first row. */
  header?: boolean | 'auto';
  /** Fill missing feature values instead of refusing the file. */
  impute?: boolean;
  /** Default: categorical or small-integer targets are classes, other numbers a regression target. */
  task?: 'classification' | 'regression';
  name?: string;
  maxBytes?: number;
  seed?: number;
}

export interface CsvColumnInfo {
  name: string;
  kind: 'numeric' | 'categorical';
  /** For categorical features: the categories, in one-hot order. */
  categories?: string[];
  missing: number;
}

export interface CsvImport {
  dataset: Dataset;
  task: 'classification' | 'regression';
  hasHeader: boolean;
  target: string;
  columns: CsvColumnInfo[];
  imputed: number;
}

export const isMissing = (v: string) => MISSING.has(v.trim().toLowerCase());
export const asNumber = (v: string): number | null => {
  const t = v.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
};

/** Reads the file (a regular file only, at most `maxBytes`, counted as it is read) and parses it. */
export async function importCsv(path: string, options: CsvOptions = {}): Promise<CsvImport> {
  const file = basename(path);
  let bytes: Buffer;
  try {
    bytes = await readFileLimited(path, { maxBytes: options.maxBytes ?? CSV_LIMITS.maxBytes, shown: file });
  } catch (error) {
    throw fromInputFileError(error);
  }
  return parseCsv(bytes.toString('utf8'), file, options);
}

/** A parsed table: its column names (from the header, or `column N`) and its data rows with their line numbers. */
export interface CsvTable {
  names: string[];
  body: Array<{ record: string[]; info: { lines: number } }>;
  hasHeader: boolean;
}

/**
 * CSV text → rows of equal width with named columns (header detected unless told), refusing unreadable,
 * empty, ragged, too wide and duplicate-named tables. Shared by the table import and the sequence imports.
 */
export function readTable(text: string, file: string, header: boolean | 'auto' = 'auto'): CsvTable {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { info: true, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }) as unknown as typeof records;
  } catch (error) {
    const e = error as Error & { lines?: number };
    throw new DatasetImportError('unreadable', `${file}${e.lines ? `: row ${e.lines}` : ''}: not valid CSV (${e.message})`, { file, ...(e.lines ? { row: e.lines } : {}) });
  }
  if (records.length === 0) throw new DatasetImportError('empty', `${file}: the file is empty`, { file });
  const width = records[0]!.record.length;
  for (const { record, info } of records) {
    if (record.length !== width) {
      throw new DatasetImportError('ragged', `${file}: row ${info.lines} has ${record.length} fields but the first row has ${width}`, { file, row: info.lines });
    }
  }
  if (width > CSV_LIMITS.maxColumns) {
    throw new DatasetImportError('too_many_columns', `${file}: ${width} columns is over the limit of ${CSV_LIMITS.maxColumns}`, { file });
  }

  const hasHeader = header === 'auto' ? detectHeader(records.map((r) => r.record)) : header;
  const names = hasHeader ? records[0]!.record.map((n, i) => n || `column ${i + 1}`) : Array.from({ length: width }, (_, i) => `column ${i + 1}`);
  // Two columns of one name would make --target and every error about that name ambiguous.
  const firstOf = new Map<string, number>();
  names.forEach((n, i) => {
    const earlier = firstOf.get(n);
    if (earlier !== undefined) {
      throw new DatasetImportError('duplicate_column', `${file}: columns ${earlier + 1} and ${i + 1} are both named ${JSON.stringify(n)}; every column needs its own name`, { file, column: n });
    }
    firstOf.set(n, i);
  });
  const body = hasHeader ? records.slice(1) : records;
  if (body.length === 0) throw new DatasetImportError('empty', `${file}: has a header but no data rows`, { file });
  return { names, body, hasHeader };
}

/** A column named by its header name or 0-based index (a string of digits that names no column is an index), or -1. */
export function columnIndex(names: readonly string[], wanted: string | number): number {
  const byName = typeof wanted === 'string' ? names.indexOf(wanted) : -1;
  const byIndex = typeof wanted === 'number' ? wanted : /^\d+$/.test(String(wanted)) && byName < 0 ? Number(wanted) : -1;
  const index = byName >= 0 ? byName : byIndex;
  return index >= 0 && index < names.length ? index : -1;
}

/** A CSV table's text (named `file` in errors) → a Dataset. */
export function parseCsv(text: string, file: string, options: CsvOptions = {}): CsvImport {
  const { names, body, hasHeader } = readTable(text, file, options.header ?? 'auto');
  const width = names.length;
  if (width < 2) throw new DatasetImportError('empty', `${file}: needs at least two columns (features and a target), found ${width}`, { file });

  let targetIndex = width - 1;
  if (options.target !== undefined) {
    const t = options.target;
    targetIndex = columnIndex(names, t);
    if (targetIndex < 0) {
      throw new DatasetImportError('bad_target', `${file}: there is no column ${JSON.stringify(t)} to predict (columns: ${names.join(', ')})`, { file, column: String(t) });
    }
  }
  const target = names[targetIndex]!;
  if (body.length < MIN_ROWS) throw new DatasetImportError('too_few_rows', `${file}: ${body.length} data rows; at least ${MIN_ROWS} are needed for a train/validation/test split`, { file });

  // Column kinds: numeric when (nearly) every present value is a number. A mostly numeric column with a few
  // words is a numeric column with bad cells, refused naming the first one.
  const columns: CsvColumnInfo[] = names.map((name, c) => {
    let numeric = 0;
    let present = 0;
    let missing = 0;
    let firstText: { row: number; value: string } | null = null;
    for (const { record, info } of body) {
      const v = record[c]!;
      if (isMissing(v)) {
        missing++;
        continue;
      }
      present++;
      if (asNumber(v) !== null) numeric++;
      else firstText ??= { row: info.lines, value: v };
    }
    if (present > 0 && numeric === present) return { name, kind: 'numeric', missing };
    if (firstText && numeric >= 0.9 * present) {
      throw new DatasetImportError(
        'not_numeric',
        `${file}: row ${firstText.row}, column "${name}": ${JSON.stringify(firstText.value)} is not a number (the column's other values are numbers)`,
        { file, row: firstText.row, column: name },
      );
    }
    if (present === 0) throw new DatasetImportError('missing_value', `${file}: column "${name}" has no values`, { file, column: name });
    return { name, kind: 'categorical', missing };
  });

  // Missing values: the target never; features refused unless imputing.
  let imputed = 0;
  for (const { record, info } of body) {
    for (let c = 0; c < width; c++) {
      if (!isMissing(record[c]!)) continue;
      if (c === targetIndex) throw new DatasetImportError('missing_value', `${file}: row ${info.lines}, column "${names[c]}": the target is missing`, { file, row: info.lines, column: names[c]! });
      if (!options.impute) {
        throw new DatasetImportError(
          'missing_value',
          `${file}: row ${info.lines}, column "${names[c]}": missing value (${columns[c]!.missing} missing in this column; impute them to fill in the column mean or most frequent value)`,
          { file, row: info.lines, column: names[c]! },
        );
      }
      imputed++;
    }
  }
  const fill = columns.map((col, c) => {
    const present = body.map((r) => r.record[c]!).filter((v) => !isMissing(v));
    if (col.kind === 'numeric') return String(present.reduce((s, v) => s + Number(v), 0) / present.length);
    const counts = new Map<string, number>();
    for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
  });
  const value = (record: string[], c: number) => (isMissing(record[c]!) ? fill[c]! : record[c]!);

  for (const [c, col] of columns.entries()) {
    if (col.kind !== 'categorical' || c === targetIndex) continue;
    col.categories = [...new Set(body.map((r) => value(r.record, c)))].sort();
    if (col.categories.length > MAX_CATEGORIES) {
      throw new DatasetImportError('too_many_categories', `${file}: column "${col.name}" has ${col.categories.length} different text values (at most ${MAX_CATEGORIES} categories are one-hot encoded)`, { file, column: col.name });
    }
  }

  // The target.
  const targetCol = columns[targetIndex]!;
  const targetValues = body.map((r) => r.record[targetIndex]!);
  const distinct = [...new Set(targetValues)];
  const integers = targetCol.kind === 'numeric' && targetValues.every((v) => Number.isInteger(Number(v)));
  const task = options.task ?? (targetCol.kind === 'categorical' || (integers && distinct.length <= MAX_INTEGER_CLASSES) ? 'classification' : 'regression');
  if (task === 'regression' && targetCol.kind !== 'numeric') {
    throw new DatasetImportError('bad_target', `${file}: column "${target}" holds text, so it cannot be a regression target`, { file, column: target });
  }
  const classNames = task === 'classification' ? distinct.sort(targetCol.kind === 'numeric' ? (a, b) => Number(a) - Number(b) : undefined) : [target];
  if (task === 'classification' && classNames.length < 2) {
    throw new DatasetImportError('one_class', `${file}: column "${target}" has only one class (${JSON.stringify(classNames[0])}); a classifier needs at least two`, { file, column: target });
  }
  if (task === 'classification') checkClassCount(file, target, classNames.length, body.length);

  const featureCols = columns.map((col, c) => ({ col, c })).filter(({ c }) => c !== targetIndex);
  const features = featureCols.reduce((n, { col }) => n + (col.kind === 'numeric' ? 1 : col.categories!.length), 0);
  const k = task === 'classification' ? classNames.length : 1;
  const x = new Float32Array(body.length * features);
  const y = new Float32Array(body.length * k);
  const classIndex = new Map(classNames.map((n, i) => [n, i]));
  body.forEach(({ record }, r) => {
    let f = r * features;
    for (const { col, c } of featureCols) {
      const v = value(record, c);
      if (col.kind === 'numeric') x[f++] = Number(v);
      else {
        x[f + col.categories!.indexOf(v)] = 1;
        f += col.categories!.length;
      }
    }
    if (task === 'classification') y[r * k + classIndex.get(record[targetIndex]!)!] = 1;
    else y[r] = Number(record[targetIndex]);
  });

  const dataset = splitRows(
    { name: options.name ?? defaultDatasetName(file.replace(/\.csv$/i, '')), inputShape: [features], numClasses: k, classNames },
    x,
    y,
    body.length,
    options.seed,
  );
  return { dataset, task, hasHeader, target, columns, imputed };
}

/**
 * A classification target with more classes than the limit, or with fewer than two rows per class on
 * average (2,000 classes in 2,000 rows: an id or a measured number, not a label), is refused.
 */
export function checkClassCount(file: string, column: string, classes: number, rows: number): void {
  const { maxClasses, minRowsPerClass } = CLASS_LIMITS;
  const hint = 'if it is a number to predict, ask for regression (--task regression); if it is an id, choose another target column';
  if (classes > maxClasses) {
    throw new DatasetImportError('too_many_classes', `${file}: column "${column}" has ${classes} classes, over the limit of ${maxClasses}; ${hint}`, { file, column });
  }
  if (classes * minRowsPerClass > rows) {
    throw new DatasetImportError(
      'too_many_classes',
      `${file}: column "${column}" has ${classes} classes in ${rows} rows; a classifier needs at least ${minRowsPerClass} rows per class on average; ${hint}`,
      { file, column },
    );
  }
}

/**
 * The first row is a header when some column is numeric below it but not in it, or when every cell of it
 * is text and no body row equals it in kind.
 */
function detectHeader(rows: string[][]): boolean {
  const first = rows[0]!;
  if (rows.length < 2) return first.every((v) => asNumber(v) === null && v.trim() !== '');
  const rest = rows.slice(1, 51);
  const numericBelow = first.map((_, c) => rest.filter((r) => !isMissing(r[c]!)).every((r) => asNumber(r[c]!) !== null));
  if (first.some((v, c) => numericBelow[c] && asNumber(v) === null && !isMissing(v))) return true;
  if (first.every((v) => asNumber(v) === null && v.trim() !== '')) {
    // All-text first row over all-text columns: a header if its values never recur below.
    return first.every((v, c) => !rest.some((r) => r[c] === v));
  }
  return false;
}
