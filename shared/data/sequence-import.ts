// The options of the CSV sequence imports (`datasets.import` kinds `text` and `series`, `layerwise dataset add
// text|series`), with their limits: one definition for the API and the CLI. The importers live in core/datasets/.
import { z } from 'zod';
import { SEQUENCE_LIMITS } from '../limits/inputs.js';

const int = (min: number, max: number) => {
  const error = `must be an integer in [${min}, ${max}]`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};
const column = z.union([z.string().min(1).max(200), z.number().int().min(0)], { error: 'must be a column name or 0-based index' });
const header = z.enum(['yes', 'no', 'auto'], { error: 'must be yes, no or auto' });

/** A text column tokenised into ids. */
export const TEXT_IMPORT_FIELDS = {
  column: column.optional(),
  target: column.optional(),
  tokens: z.enum(['words', 'chars'], { error: 'must be words or chars' }).optional(),
  vocabulary: int(3, SEQUENCE_LIMITS.maxVocabulary).optional(),
  length: int(1, SEQUENCE_LIMITS.maxLength).optional(),
  padding: z.enum(['start', 'end'], { error: 'must be start or end' }).optional(),
  lowercase: z.boolean({ error: 'must be true or false' }).optional(),
  header: header.optional(),
};

/** Numeric columns cut into windows. */
export const SERIES_IMPORT_FIELDS = {
  columns: z.array(column, { error: 'must be a list of column names or 0-based indexes' }).min(1, { error: 'must name at least one column' }).max(1000).optional(),
  target: column.optional(),
  direction: column.optional(),
  window: int(2, SEQUENCE_LIMITS.maxLength).optional(),
  stride: int(1, SEQUENCE_LIMITS.maxLength).optional(),
  horizon: int(0, SEQUENCE_LIMITS.maxLength).optional(),
  split: z.enum(['time', 'random'], { error: 'must be time or random' }).optional(),
  header: header.optional(),
};

export type TextImportOptions = { [K in keyof typeof TEXT_IMPORT_FIELDS]?: z.infer<(typeof TEXT_IMPORT_FIELDS)[K]> };
export type SeriesImportOptions = { [K in keyof typeof SERIES_IMPORT_FIELDS]?: z.infer<(typeof SERIES_IMPORT_FIELDS)[K]> };
