// Vitest global setup: the engine's SIMD kernels are a generated, git-ignored module (scripts/build-kernels.mjs).
// `npm run build` makes it; a plain `npx vitest` right after `npm ci` (no install script builds anything: see
// scripts/build.mjs) or after an edit of the kernels' source builds it here, so tests never run without or with stale
// kernels.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

export default function setup(): void {
  const generated = join(root, 'core/engine/kernels/simd/generated/kernels-wasm.ts');
  const assembly = join(root, 'core/engine/kernels/simd/assembly');
  const script = join(root, 'scripts/build-kernels.mjs');
  const sources = [script, ...readdirSync(assembly).map((f) => join(assembly, f))];
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (existsSync(generated) && statSync(generated).mtimeMs >= newest) return;
  execFileSync(process.execPath, [script], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
