// Every text that shared/ hands the page as data has its Simplified Chinese form, so switching language
// translates the trick panel and the preset picker too (a new trick or parameter fails here until translated).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRICKS } from '../../shared/index.js';
import { TEXT_ZH, TRICKS_ZH } from '../../renderer/src/i18n/shared-zh.js';

describe('Simplified Chinese for shared texts', () => {
  it('translates every trick label and summary', () => {
    for (const trick of TRICKS) {
      expect(TRICKS_ZH[trick.id]?.label, trick.id).toMatch(/\S/);
      expect(TRICKS_ZH[trick.id]?.summary, trick.id).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(Object.keys(TRICKS_ZH).sort()).toEqual(TRICKS.map((t) => t.id).sort());
  });

  it('translates every parameter label and help text', () => {
    for (const trick of TRICKS) {
      for (const [key, param] of Object.entries(trick.params)) {
        expect(TEXT_ZH[param.label], `${trick.id}.${key} label "${param.label}"`).toBeDefined();
        expect(TEXT_ZH[param.help], `${trick.id}.${key} help "${param.help}"`).toMatch(/[\u4e00-\u9fff]/);
      }
    }
  });

  it('translates every bundled preset title and description', () => {
    const dir = join(import.meta.dirname, '../../resources/presets');
    for (const file of readdirSync(dir)) {
      const preset = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { title: string; description: string };
      expect(TEXT_ZH[preset.title], file).toMatch(/\S/);
      expect(TEXT_ZH[preset.description], file).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
