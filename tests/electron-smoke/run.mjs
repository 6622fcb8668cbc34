// Runs smoke.spec.ts under plain Node 20 (no TypeScript runner installed): a module hook transpiles .ts
// files with oxc (rolldown/utils, which vite 8 installs), then node:test runs the spec.
import { register } from 'node:module';

register('./ts-hook.mjs', import.meta.url);
await import('./smoke.spec.ts');
