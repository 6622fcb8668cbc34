import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkModelSpec } from '../../shared/index.js';

interface Row {
  name: string;
  input: unknown;
  errors: string[];
}

const corpus = JSON.parse(readFileSync(new URL('../corpus/model-specs.json', import.meta.url), 'utf8')) as { rows: Row[] };

describe('bad model specs are refused with the path and the value named', () => {
  it('has at least 20 rows', () => {
    expect(corpus.rows.length).toBeGreaterThanOrEqual(20);
  });

  it.each(corpus.rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const result = checkModelSpec(row.input);
    expect(result.ok).toBe(false);
    const messages = result.errors.map((e) => e.message);
    for (const expected of row.errors) {
      expect(messages.some((m) => m.includes(expected)), `expected an error containing\n  ${expected}\ngot\n  ${messages.join('\n  ')}`).toBe(true);
    }
  });
});
