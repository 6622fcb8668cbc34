// The CLI writes through this interface so tests can run commands in-process and read what they print.
import { escapeUnsafe } from '../../shared/text/safe-text.js';

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (progress bars, colours). */
  isTTY: boolean;
}

export const processIO: CliIO = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  isTTY: Boolean(process.stdout.isTTY),
};

/**
 * Everything a command prints passes through here: names, errors and file contents that came from the store
 * or the user's files cannot drive the terminal (ANSI escapes, BEL, CR, RLO…: written as `\uXXXX`).
 */
export function escapingIO(io: CliIO): CliIO {
  return { out: (text) => io.out(escapeUnsafe(text)), err: (text) => io.err(escapeUnsafe(text)), isTTY: io.isTTY };
}

/** Bad flags or arguments: exit code 2, message names the flag and the value. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}
