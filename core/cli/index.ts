// Entry of the built CLI (out/main/cli.js).
import { escapeUnsafe } from '../../shared/text/safe-text.js';
import { runCli } from './main.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(escapeUnsafe(`layerwise: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`));
    process.exitCode = 1;
  },
);
