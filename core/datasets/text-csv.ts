// A CSV text column as sequences of token ids: each text split into words or characters, lower-cased unless
// asked not to, the ids assigned by frequency in the training rows only (no peeking at validation or test
// text), capped at `vocabulary` ids: 0 pads, 1 stands for every word outside the vocabulary (out-of-vocabulary),
// 2… the most frequent tokens (ties in code-point order). Each text becomes `length` ids: longer texts keep
// their first tokens, shorter ones are padded at the start (as Keras's pad_sequences does, so a recurrent
// layer's last step sees the text's end). The label column gives the classes; a seeded 80/10/10 split.
import { SEQUENCE_LIMITS } from '../../shared/limits/inputs.js';
import type { Dataset } from '../engine/data/dataset.js';
import { asNumber, isMissing } from './csv.js';
import { DatasetImportError, defaultDatasetName } from './errors.js';
import { checkValues, intOption, labelClasses, namedColumn, percent, readSequenceTable, type SequenceCsvCommon } from './sequence-common.js';
import { splitOrder, splitRows } from './split.js';

export const PAD_TOKEN = '<pad>';
export const OOV_TOKEN = '<oov>';

export interface TextCsvOptions extends SequenceCsvCommon {
  /** The text column: header name or 0-based index; default the first column other than the label that is not all numbers. */
  column?: string | number;
  /** The label column; default the last column (the first, when the last is the text). */
  target?: string | number;
  tokens?: 'words' | 'chars';
  /** Ids to assign, padding and out-of-vocabulary included (default 5,000). */
  vocabulary?: number;
  /** Ids per text; default the token count 95% of the training texts fit in. */
  length?: number;
  /** Pad short texts at the start (default) or the end. */
  padding?: 'start' | 'end';
  /** Lower-case before splitting (default true). */
  lowercase?: boolean;
}

export interface TextCsvImport {
  dataset: Dataset;
  note: string;
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

export function tokenise(text: string, tokens: 'words' | 'chars', lowercase: boolean): string[] {
  const t = lowercase ? text.toLowerCase() : text;
  return tokens === 'chars' ? Array.from(t) : (t.match(WORD) ?? []);
}

export async function importTextCsv(path: string, options: TextCsvOptions = {}): Promise<TextCsvImport> {
  const { file, table } = await readSequenceTable(path, options);
  const { names, body } = table;
  if (names.length < 2) throw new DatasetImportError('empty', `${file}: needs at least two columns (a text and a label), found ${names.length}`, { file });
  const textAt = options.column !== undefined ? namedColumn(file, names, options.column, 'text column') : null;
  const target =
    options.target !== undefined ? namedColumn(file, names, options.target, 'label column') : textAt === names.length - 1 ? 0 : names.length - 1;
  const column = textAt ?? names.findIndex((_, c) => c !== target && body.some((r) => !isMissing(r.record[c]!) && asNumber(r.record[c]!) === null));
  if (column < 0) {
    throw new DatasetImportError('bad_column', `${file}: no column holds text to tokenise (columns: ${names.join(', ')}); name one with --column`, { file });
  }
  if (column === target) throw new DatasetImportError('bad_column', `${file}: column "${names[column]}" cannot be both the text and the label`, { file, column: names[column]! });
  const tokens = options.tokens ?? 'words';
  const cap = intOption(file, 'vocabulary', options.vocabulary ?? SEQUENCE_LIMITS.defaultVocabulary, 3, SEQUENCE_LIMITS.maxVocabulary);
  for (const { record, info } of body) {
    if (record[column]!.trim() === '') {
      throw new DatasetImportError('missing_value', `${file}: row ${info.lines}, column "${names[column]}": the text is empty`, { file, row: info.lines, column: names[column]! });
    }
  }
  const classNames = labelClasses(file, table, target);
  const texts = body.map((r) => tokenise(r.record[column]!, tokens, options.lowercase !== false));
  const parts = splitOrder(body.length, options.seed);

  // The vocabulary, from the training rows only.
  const counts = new Map<string, number>();
  for (const r of parts.train) for (const t of texts[r]!) counts.set(t, (counts.get(t) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = ranked.slice(0, cap - 2).map(([t]) => t);
  const ids = new Map(kept.map((t, i) => [t, i + 2]));
  const vocabulary = kept.length + 2;

  const trainLengths = Array.from(parts.train, (r) => texts[r]!.length).sort((a, b) => a - b);
  const fitting = trainLengths[Math.min(trainLengths.length - 1, Math.ceil(0.95 * trainLengths.length) - 1)] ?? 1;
  const length = intOption(file, 'length', options.length ?? Math.min(Math.max(fitting, 1), SEQUENCE_LIMITS.maxLength), 1, SEQUENCE_LIMITS.maxLength);
  checkValues(file, body.length, length, 1);

  const x = new Float32Array(body.length * length);
  const k = classNames.length;
  const y = new Float32Array(body.length * k);
  const classOf = new Map(classNames.map((c, i) => [c, i]));
  let truncated = 0;
  let unknown = 0;
  let total = 0;
  texts.forEach((t, r) => {
    const kept = t.slice(0, length);
    if (t.length > length) truncated++;
    const start = options.padding === 'end' ? 0 : length - kept.length;
    kept.forEach((token, i) => {
      const id = ids.get(token) ?? 1;
      if (id === 1) unknown++;
      x[r * length + start + i] = id;
    });
    total += kept.length;
    y[r * k + classOf.get(body[r]!.record[target]!)!] = 1;
  });
  const dataset = splitRows(
    {
      name: options.name ?? defaultDatasetName(file.replace(/\.csv$/i, '')),
      inputShape: [length],
      numClasses: k,
      classNames,
      vocabulary,
      tokens: [PAD_TOKEN, OOV_TOKEN, ...kept],
    },
    x,
    y,
    body.length,
    options.seed,
  );
  const note =
    `label "${names[target]}" (${k} classes); text "${names[column]}" as ${tokens}: ${counts.size} distinct in the training rows, ` +
    `vocabulary ${vocabulary} (0 pads, 1 stands for the ${counts.size - kept.length} rarer tokens and any unseen ones: ${percent(unknown, total)} of all tokens); ` +
    `length ${length}${options.length === undefined ? ' (95% of the training texts fit)' : ''}, ${truncated} texts truncated, padded at the ${options.padding === 'end' ? 'end' : 'start'}`;
  return { dataset, note };
}
