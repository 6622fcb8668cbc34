import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MAX_JSON_FILE_BYTES, nameProblem } from '../../shared/limits/inputs.js';
import { escapeUnsafeLine } from '../../shared/text/safe-text.js';
import { InputFileError, readFileLimitedSync } from '../files/read.js';
import { UsageError } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util's parseArgs, with its errors turned into usage errors (exit 2). */
export function parseCommandArgs<O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage}`);
  }
}

export function parseIntFlag(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer in [${min}, ${max}] (got ${JSON.stringify(value)})`);
  }
  return n;
}

/** A name given on the command line (--project, --name): the API's rule for names (shared/limits/inputs.ts). */
export function parseNameFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const problem = nameProblem(value);
  if (problem) throw new UsageError(`--${flag} ${problem} (got ${escapeUnsafeLine(JSON.stringify(value))})`);
  return value;
}

/**
 * Reads a JSON file named on the command line: a regular file of at most MAX_JSON_FILE_BYTES (counted as it
 * is read). A missing file, a folder, a device, an oversized file or bad JSON is a usage error naming it.
 */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileLimitedSync(file, { maxBytes: MAX_JSON_FILE_BYTES }).toString('utf8');
  } catch (error) {
    if (error instanceof InputFileError) throw new UsageError(error.code === 'not_a_file' ? error.message : `cannot read ${error.message}`);
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}
