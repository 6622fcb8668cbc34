import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkModelSpec, expandSpec, inferForTraining, parseTrainingConfig, type ModelSpec } from '../../shared/index.js';

interface Row {
  name: string;
  /** The spec, or how to generate one too big to write out. */
  input?: unknown;
  generate?: { nestedResiduals?: number; denseLayers?: number };
  /** A training config: the row's errors are those of the model that trains under it (memory, checkpoints). */
  config?: unknown;
  errors: string[];
}

const corpus = JSON.parse(readFileSync(new URL('../corpus/model-specs.json', import.meta.url), 'utf8')) as { rows: Row[] };

/** A spec nesting `depth` residual blocks, or holding `count` dense layers. */
export function generateSpec(g: NonNullable<Row['generate']>): unknown {
  const spec = { version: 1, name: 'generated', loss: 'meanSquaredError', layers: [{ type: 'input', shape: [4] }] as unknown[] };
  if (g.nestedResiduals !== undefined) {
    let inner: unknown = { type: 'dense', units: 4 };
    for (let i = 0; i < g.nestedResiduals; i++) inner = { type: 'residual', layers: [inner] };
    spec.layers.push(inner);
  }
  for (let i = 0; i < (g.denseLayers ?? 0); i++) spec.layers.push({ type: 'dense', units: 4, activation: 'relu' });
  return spec;
}

function messagesOf(row: Row): string[] {
  const input = row.generate ? generateSpec(row.generate) : row.input;
  const checked = checkModelSpec(input);
  if (!row.config || !checked.ok) return checked.errors.map((e) => e.message);
  const config = parseTrainingConfig(row.config);
  if (!config.ok) throw new Error(`row ${row.name}: bad config ${JSON.stringify(config.errors)}`);
  return inferForTraining(expandSpec(checked.spec as ModelSpec, config.value), config.value).errors.map((e) => e.message);
}

describe('bad model specs are refused with the path and the value named', () => {
  it('has at least 20 rows', () => {
    expect(corpus.rows.length).toBeGreaterThanOrEqual(20);
  });

  it.each(corpus.rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const messages = messagesOf(row);
    expect(messages.length).toBeGreaterThan(0);
    for (const expected of row.errors) {
      expect(messages.some((m) => m.includes(expected)), `expected an error containing\n  ${expected}\ngot\n  ${messages.join('\n  ')}`).toBe(true);
    }
  });
});
