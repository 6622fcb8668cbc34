// Tests that run built entries (the CLI, the trainer process) build first when the sources changed since the last
// build (scripts/build.mjs compares a content hash); after `npm test`'s own build this is a ~20 ms check.
import { ensureBuilt as ensureBuiltOutput } from '../../scripts/build.mjs';

export const repoRoot = new URL('../..', import.meta.url).pathname;

export function ensureBuilt(): void {
  if (ensureBuiltOutput() === 'cannot-build') throw new Error('out/ is stale and the build tools are not installed');
}
