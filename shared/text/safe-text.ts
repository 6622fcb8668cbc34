// Text that reaches a terminal or a label must not be able to rewrite what is around it: control characters
// (C0 such as ESC, BEL, NUL, CR; DEL; C1), line/paragraph separators and the bidirectional embeddings,
// overrides and isolates of "Trojan Source" (RLO, LRI, …). Names refuse them (shared/limits/inputs.ts);
// whatever the CLI prints is escaped with `escapeUnsafe`, which writes each one as a JSON-style `\uXXXX`
// (so JSON output stays valid JSON with the same value). Left alone on purpose: tab and newline where text
// is multi-line, and the bidi *marks* LRM, RLM and ALM that right-to-left writing needs.

/** Control and bidi-override characters, tab and newline included (names are one line). */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_ALL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Names of the characters people meet most, for error messages. */
const NAMED: Readonly<Record<number, string>> = {
  0x00: 'NUL',
  0x07: 'BEL',
  0x08: 'BS',
  0x09: 'TAB',
  0x0a: 'LF',
  0x0d: 'CR',
  0x1b: 'ESC',
  0x7f: 'DEL',
  0x202e: 'RLO',
  0x202d: 'LRO',
  0x202b: 'RLE',
  0x202a: 'LRE',
  0x202c: 'PDF',
  0x2066: 'LRI',
  0x2067: 'RLI',
  0x2068: 'FSI',
  0x2069: 'PDI',
};

/** `U+001B (ESC)`: how an error names a character. */
export function describeChar(c: string): string {
  const code = c.codePointAt(0)!;
  const name = NAMED[code];
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}${name ? ` (${name})` : ''}`;
}

/** The first control or bidi-override character of a one-line text, with its index; null when there is none. */
export function findUnsafeChar(text: string): { char: string; index: number } | null {
  const m = UNSAFE.exec(text);
  return m ? { char: m[0], index: m.index } : null;
}

/** A sentence for a name that holds one: `contains U+001B (ESC) at index 3; control and bidi characters are not allowed`. */
export function unsafeCharProblem(text: string): string | null {
  const found = findUnsafeChar(text);
  return found ? `contains ${describeChar(found.char)} at index ${found.index}; control and bidirectional-override characters are not allowed` : null;
}

/**
 * Text safe to print: every control and bidi-override character but newline and tab written as `\uXXXX`.
 * Applied to everything the CLI prints, so stored names and file contents cannot drive the terminal.
 */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE_ALL, hex);
}

/** Like escapeUnsafe, but newlines and tabs too: for a value quoted inside a one-line message. */
export function escapeUnsafeLine(text: string): string {
  return escapeUnsafe(text).replace(/[\n\t]/g, hex);
}
