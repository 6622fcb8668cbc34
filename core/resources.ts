// Where the app's bundled resources (presets, …) are: LAYERWISE_RESOURCES when set (the packaged app sets
// it to process.resourcesPath), else the repository's resources/ folder, found by walking up from here so
// the same code works from source (tests) and from the build in out/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function resourcesDir(): string {
  const fromEnv = process.env.LAYERWISE_RESOURCES;
  if (fromEnv) return fromEnv;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'resources');
    if (existsSync(join(candidate, 'presets'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the resources/ folder; set LAYERWISE_RESOURCES');
    dir = parent;
  }
}
