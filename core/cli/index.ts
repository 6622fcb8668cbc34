// Entry of the built CLI (out/main/cli.js).
import { escapeUnsafe } from '../../shared/text/safe-text.js';
import { runCli } from './main.js';

// `layerwise runs | head`: the reader closing the pipe ends the command quietly, as for any Unix tool, instead of an
// unhandled EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(escapeUnsafe(`layerwise: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`));
    process.exitCode = 1;
  },
);
