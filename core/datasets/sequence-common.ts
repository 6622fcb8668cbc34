// What the sequence imports (text-csv.ts, series-csv.ts) share: reading the file with its counted cap, naming
// columns, turning a label column into classes, and refusing options out of range by name.
import { basename } from 'node:path';
import { CSV_LIMITS, SEQUENCE_LIMITS } from '../../shared/limits/inputs.js';
import { readFileLimited } from '../files/read.js';
import { checkClassCount, columnIndex, isMissing, readTable, type CsvTable } from './csv.js';
import { DatasetImportError, fromInputFileError } from './errors.js';

export interface SequenceCsvCommon {
  header?: boolean | 'auto';
  name?: string;
  maxBytes?: number;
  seed?: number;
}

/** Reads the file (a regular file only, at most `maxBytes`, counted as it is read) and parses its table. */
export async function readSequenceTable(path: string, options: SequenceCsvCommon): Promise<{ file: string; table: CsvTable }> {
  const file = basename(path);
  let bytes: Buffer;
  try {
    bytes = await readFileLimited(path, { maxBytes: options.maxBytes ?? CSV_LIMITS.maxBytes, shown: file });
  } catch (error) {
    throw fromInputFileError(error);
  }
  return { file, table: readTable(bytes.toString('utf8'), file, options.header ?? 'auto') };
}

/** The index of a column the user named, or an error listing the columns. `what`: `text column` (the option's meaning). */
export function namedColumn(file: string, names: readonly string[], wanted: string | number, what: string): number {
  const index = columnIndex(names, wanted);
  if (index < 0) throw new DatasetImportError('bad_column', `${file}: there is no column ${JSON.stringify(wanted)} to use as the ${what} (columns: ${names.join(', ')})`, { file, column: String(wanted) });
  return index;
}

/** An integer option in [min, max], or an error naming it, its value and the range. */
export function intOption(file: string, name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DatasetImportError('bad_option', `${file}: ${name} must be an integer in [${min}, ${max}] (got ${value})`, { file });
  }
  return value;
}

/** Class names of a label column (numbers sorted as numbers), checked like a CSV target: 2 to the class limit, no missing label. */
export function labelClasses(file: string, table: CsvTable, column: number, rows?: readonly number[]): string[] {
  const name = table.names[column]!;
  const picked = rows ?? table.body.map((_, r) => r);
  for (const r of picked) {
    const { record, info } = table.body[r]!;
    if (isMissing(record[column]!)) throw new DatasetImportError('missing_value', `${file}: row ${info.lines}, column "${name}": the label is missing`, { file, row: info.lines, column: name });
  }
  const values = [...new Set(picked.map((r) => table.body[r]!.record[column]!))];
  const numeric = values.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  const classes = values.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  if (classes.length < 2) throw new DatasetImportError('one_class', `${file}: column "${name}" has only one class (${JSON.stringify(classes[0])}); a classifier needs at least two`, { file, column: name });
  checkClassCount(file, name, classes.length, picked.length);
  return classes;
}

/** sequences × steps × features within the limit, or an error with the numbers. */
export function checkValues(file: string, sequences: number, steps: number, features: number): void {
  const values = sequences * steps * features;
  if (values > SEQUENCE_LIMITS.maxValues) {
    throw new DatasetImportError(
      'too_many_values',
      `${file}: ${sequences} sequences × ${steps} steps × ${features} features = ${values} values, over the limit of ${SEQUENCE_LIMITS.maxValues}: use a shorter length, a larger stride or fewer rows`,
      { file },
    );
  }
  if (sequences < SEQUENCE_LIMITS.minSequences) {
    throw new DatasetImportError('too_few_rows', `${file}: ${sequences} sequences; at least ${SEQUENCE_LIMITS.minSequences} are needed for a train/validation/test split`, { file });
  }
}

export const percent = (part: number, whole: number) => `${Math.round((100 * part) / Math.max(whole, 1))}%`;
