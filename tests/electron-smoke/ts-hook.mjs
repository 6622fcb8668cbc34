// Module hook: `.ts` files load as ES modules transpiled one by one (isolatedModules makes that exact).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'rolldown/utils';

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const file = fileURLToPath(url);
  const result = transformSync(file, readFileSync(file, 'utf8'), { lang: 'ts', sourcemap: false });
  if (result.errors.length) throw new Error(`${file}: ${result.errors.map((e) => e.message).join('; ')}`);
  return { format: 'module', source: result.code, shortCircuit: true };
}
