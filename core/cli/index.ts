// Entry of the built CLI (out/main/cli.js).
import { escapeUnsafe } from '../../shared/text/safe-text.js';
import { oneLine, runCli } from './main.js';

// `layerwise runs | head`: the reader closing the pipe ends the command quietly, as for any Unix tool, instead of an
// unhandled EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// Whatever escapes a command (a listener of the trainer channel, a timer) ends it with one line, not a stack trace.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    process.stderr.write(`layerwise: ${oneLine(error)}\n`);
    process.exit(1);
  });
}

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(escapeUnsafe(`layerwise: ${oneLine(error)}\n`));
    process.exitCode = 1;
  },
);
