// `layerwise`: the command-line face of the engine and the store. Runs under plain Node after
// `npm run build` (bin/layerwise.js loads the built file). Exit codes: 0 ok, 1 the checked thing is
// wrong (a spec with errors, a failed run), 2 bad usage.
import { PresetError } from '../presets/load.js';
import { bundleCommand } from './commands/bundle.js';
import { checkCommand } from './commands/check.js';
import { presetsCommand } from './commands/presets.js';
import { runsCommand } from './commands/runs.js';
import { serveCommand } from './commands/serve.js';
import { showCommand } from './commands/show.js';
import { tricksCommand } from './commands/tricks.js';
import { trainCommand } from './commands/train.js';
import { resumeCommand } from './commands/resume.js';
import { datasetCommand } from './commands/dataset.js';
import { exportCommand } from './commands/export.js';
import { settingsCommand } from './commands/settings.js';
import { workerCommand } from './commands/worker.js';
import { processIO, UsageError, type CliIO, type Command } from './io.js';

export const COMMANDS: Command[] = [presetsCommand, tricksCommand, checkCommand, trainCommand, resumeCommand, runsCommand, showCommand, bundleCommand, datasetCommand, exportCommand, serveCommand, workerCommand, settingsCommand];

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

export async function runCli(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`unknown command "${name}"\n\n${help()}`);
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
    throw error;
  }
}
