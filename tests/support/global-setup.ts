// Vitest global setup: the engine's SIMD kernels are a generated, git-ignored module (scripts/build-kernels.mjs).
// `npm run build` makes it; a plain `npx vitest` right after `npm ci` (no install script builds anything: see
// scripts/build.mjs) or after an edit of the kernels' source builds it here, so tests never run without or with stale
// kernels.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

export default function setup(): void {
  const generated = join(root, 'core/engine/kernels/simd/generated/kernels-wasm.ts');
  const source = join(root, 'core/engine/kernels/simd/assembly/kernels.ts');
  const script = join(root, 'scripts/build-kernels.mjs');
  const newest = Math.max(statSync(source).mtimeMs, statSync(script).mtimeMs);
  if (existsSync(generated) && statSync(generated).mtimeMs >= newest) return;
  execFileSync(process.execPath, [script], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
