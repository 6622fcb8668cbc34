#!/usr/bin/env node
// Runs the built CLI (out/main/cli.js). In a source checkout it first rebuilds when the sources changed since the
// last build (scripts/build.mjs: a content hash, ~20 ms when nothing changed), so `npx layerwise …` works straight
// after `npm ci` and never runs stale code. The build's own output goes to stderr; stdout stays the command's.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
const builder = new URL('../scripts/build.mjs', import.meta.url);
if (existsSync(fileURLToPath(builder))) {
  const { ensureBuilt } = await import(builder.href);
  try {
    ensureBuilt({ log: (why) => process.stderr.write(`layerwise: building first (${why}; npm run build)…\n`) });
  } catch (error) {
    process.stderr.write(`layerwise: the build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
if (!existsSync(cli)) {
  process.stderr.write('layerwise: the CLI is not built and this install cannot build it. Run `npm run build` in a source checkout.\n');
  process.exit(2);
}
await import(pathToFileURL(cli).href);
