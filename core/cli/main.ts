// `layerwise`: the command-line face of the engine and the store. Runs under plain Node after
// `npm run build` (bin/layerwise.js loads the built file). Exit codes: 0 ok, 1 the checked thing is
// wrong (a spec with errors, a failed run), 2 bad usage.
import { PresetError } from '../presets/load.js';
import { StoreError } from '../store/index.js';
import { bundleCommand } from './commands/bundle.js';
import { checkCommand } from './commands/check.js';
import { presetsCommand } from './commands/presets.js';
import { runsCommand } from './commands/runs.js';
import { serveCommand } from './commands/serve.js';
import { showCommand } from './commands/show.js';
import { tricksCommand } from './commands/tricks.js';
import { layersCommand } from './commands/layers.js';
import { trainCommand } from './commands/train.js';
import { resumeCommand } from './commands/resume.js';
import { forkCommand } from './commands/fork.js';
import { datasetCommand } from './commands/dataset.js';
import { exportCommand } from './commands/export.js';
import { lessonCommand } from './commands/lesson.js';
import { sweepCommand } from './commands/sweep.js';
import { escapingIO, processIO, UsageError, type CliIO, type Command } from './io.js';

export const COMMANDS: Command[] = [
  presetsCommand,
  tricksCommand,
  layersCommand,
  checkCommand,
  trainCommand,
  resumeCommand,
  forkCommand,
  sweepCommand,
  runsCommand,
  showCommand,
  bundleCommand,
  datasetCommand,
  exportCommand,
  lessonCommand,
  serveCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Layerwise: build networks as stacks of layers and see what each training trick does.',
    '',
    'usage: layerwise <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `layerwise <command> --help` for a command\'s options.',
  ].join('\n');
}

export async function runCli(argv: string[], rawIO: CliIO = processIO): Promise<number> {
  const io = escapingIO(rawIO);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`unknown command ${JSON.stringify(name)}\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.summary}\n\nusage: ${command.usage}`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`layerwise ${name}: ${error.message}`);
      return 2;
    }
    if (error instanceof PresetError) {
      io.err([`layerwise ${name}: ${error.message}`, ...error.details.map((d) => `  ✗ ${d}`)].join('\n'));
      return 2;
    }
    // No stack traces from any command on any input: one line naming what failed (LAYERWISE_DEBUG=1 adds the stack).
    if (error instanceof StoreError) {
      io.err(`layerwise ${name}: ${error.code}: ${error.message}`);
      return 1;
    }
    io.err(`layerwise ${name}: ${oneLine(error)}`);
    return 1;
  }
}

/** An unexpected error as one line; the stack only with LAYERWISE_DEBUG=1. */
export function oneLine(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const text = error instanceof Error ? error.message : String(error);
  const line = `${typeof code === 'string' && !text.includes(code) ? `${code}: ` : ''}${text}`.replace(/\s*\n\s*/g, ' ');
  if (process.env.LAYERWISE_DEBUG && error instanceof Error && error.stack) return `${line}\n${error.stack}`;
  return `${line} (LAYERWISE_DEBUG=1 shows where)`;
}
