#!/usr/bin/env node
// Runs the built CLI. `npm run build` produces out/main/cli.js.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('layerwise: the CLI is not built yet. Run `npm run build` first.\n');
  process.exit(2);
}
await import(pathToFileURL(cli).href);
