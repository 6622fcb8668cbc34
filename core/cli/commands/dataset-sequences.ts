// The flags of `layerwise dataset add text|series`: read into the same option fields, with the same limits, as
// the API's datasets.import kinds `text` and `series` (shared/data/sequence-import.ts).
import { z } from 'zod';
import { SERIES_IMPORT_FIELDS, TEXT_IMPORT_FIELDS } from '../../../shared/data/sequence-import.js';
import type { DatasetFileRequest } from '../../datasets/import.js';
import { UsageError } from '../io.js';

export const SEQUENCE_USAGE = [
  'layerwise dataset add text <file.csv> [--column COL] [--target COL] [--tokens words|chars] [--vocabulary N] [--length N] [--padding start|end] [--keep-case] [--name N] [--header yes|no|auto]',
  'layerwise dataset add series <file.csv> [--columns A,B] [--target COL | --direction COL] [--window N] [--stride N] [--horizon N] [--split time|random] [--name N] [--header yes|no|auto]',
];

export const SEQUENCE_OPTIONS = {
  column: { type: 'string' },
  tokens: { type: 'string' },
  vocabulary: { type: 'string' },
  length: { type: 'string' },
  padding: { type: 'string' },
  'keep-case': { type: 'boolean' },
  columns: { type: 'string' },
  direction: { type: 'string' },
  window: { type: 'string' },
  stride: { type: 'string' },
  horizon: { type: 'string' },
  split: { type: 'string' },
} as const;

type Values = Partial<Record<string, string | boolean | undefined>>;

/** Flags that belong to the other kinds, so `--window` on a text import is refused rather than ignored. */
export const SEQUENCE_FLAGS: Record<'text' | 'series', readonly string[]> = {
  text: ['column', 'tokens', 'vocabulary', 'length', 'padding', 'keep-case'],
  series: ['columns', 'direction', 'window', 'stride', 'horizon', 'split'],
};

const num = (v: string | boolean | undefined) => (typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v);

export function sequenceRequest(kind: 'text' | 'series', path: string, values: Values): DatasetFileRequest {
  for (const other of SEQUENCE_FLAGS[kind === 'text' ? 'series' : 'text']) {
    if (values[other] !== undefined) throw new UsageError(`--${other} belongs to dataset add ${kind === 'text' ? 'series' : 'text'}, not ${kind}`);
  }
  const raw: Record<string, unknown> =
    kind === 'text'
      ? { column: values.column, target: values.target, tokens: values.tokens, vocabulary: num(values.vocabulary), length: num(values.length), padding: values.padding, ...(values['keep-case'] ? { lowercase: false } : {}) }
      : {
          columns: typeof values.columns === 'string' ? values.columns.split(',').map((c) => c.trim()) : undefined,
          target: values.target,
          direction: values.direction,
          window: num(values.window),
          stride: num(values.stride),
          horizon: num(values.horizon),
          split: values.split,
        };
  const defined = Object.fromEntries(Object.entries({ ...raw, header: values.header }).filter(([, v]) => v !== undefined));
  const parsed = z.strictObject(kind === 'text' ? TEXT_IMPORT_FIELDS : SERIES_IMPORT_FIELDS).safeParse(defined);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = issue.path[0] === 'lowercase' ? 'keep-case' : String(issue.path[0]);
    const raw = values[flag];
    throw new UsageError(`--${flag} ${issue.message} (got ${typeof raw === 'string' && /^-?\d+$/.test(raw) ? raw : JSON.stringify(raw ?? null)})`);
  }
  return { kind, path, ...(values.name !== undefined ? { name: values.name as string } : {}), ...parsed.data } as DatasetFileRequest;
}
