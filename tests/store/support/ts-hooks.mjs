// Node module hooks that run the project's TypeScript directly in a child process (no tsx here): each
// `.ts` file is transpiled on its own by oxc (rolldown's transformer, which vite 8 is built on and
// installs; ~40 ms to load, against ~1.3 s for the typescript package). Per-file transpiling is exact
// because the project compiles with isolatedModules and verbatimModuleSyntax. An import of `./x.js`
// from TypeScript finds `./x.ts`. Registered by register.mjs: `node --import <register.mjs> file.ts`.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'rolldown/utils';

export async function resolve(specifier, context, next) {
  if (context.parentURL?.endsWith('.ts') && specifier.startsWith('.') && specifier.endsWith('.js')) {
    const url = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
    if (existsSync(fileURLToPath(url))) return { url: url.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const file = fileURLToPath(url);
  const result = transformSync(file, readFileSync(file, 'utf8'), { lang: 'ts', sourcemap: false });
  if (result.errors.length) throw new Error(`${file}: ${result.errors.map((e) => e.message).join('; ')}`);
  return { format: 'module', source: result.code, shortCircuit: true };
}
