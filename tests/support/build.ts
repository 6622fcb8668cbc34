// Tests that run built entries (the CLI, the trainer process) build once when run on their own;
// `npm test` has already built.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = new URL('../..', import.meta.url).pathname;

export function ensureBuilt(): void {
  if (existsSync(join(repoRoot, 'out/main/cli.js')) && existsSync(join(repoRoot, 'out/main/trainer.js'))) return;
  execFileSync(process.execPath, [join(repoRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: repoRoot, stdio: 'ignore' });
}
