// `layerwise fork <runId>`: a new run that continues from one of a run's checkpoints (the API's runs.fork), for
// a run that cannot continue itself (it failed, its latest checkpoint is damaged) or to branch from an earlier
// epoch. The new run has the source's model, data, config, seed and backend, its metrics up to that epoch and
// a copy of the checkpoint; it trains here, like `train`, and is recorded as it goes.
import { StoreError, type CheckpointChoice } from '../../store/index.js';
import { parseCommandArgs } from '../args.js';
import { UsageError, type Command } from '../io.js';
import { parseId, STORE_OPTIONS, STORE_USAGE, withStore } from './runs.js';
import { trainAndRecord } from './train.js';

const usage = `layerwise fork <runId> [--checkpoint ID|best|last] [--name NAME] [--json] ${STORE_USAGE}`;

export const forkCommand: Command = {
  name: 'fork',
  summary: 'Start a new run from a checkpoint of a run (its last one by default) and train it',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { checkpoint: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' }, ...STORE_OPTIONS },
      usage,
    );
    if (positionals.length > 1) throw new UsageError(`give one run id\nusage: ${usage}`);
    const runId = parseId(positionals[0], 'run', usage);
    const choice = checkpointChoice(values.checkpoint);
    return withStore('fork', values, io, async (store) => {
      const source = store!.checkpointFor(runId, choice);
      try {
        store!.loadCheckpoint(source.id);
      } catch (error) {
        if (!(error instanceof StoreError) || error.code !== 'CheckpointCorrupt') throw error;
        const others = store!.listCheckpoints(runId).filter((c) => c.id !== source.id);
        io.err(`layerwise fork: checkpoint ${source.id} of run ${runId} cannot be used: ${error.message}${others.length ? ` (its other checkpoints: ${others.map((c) => `${c.id} at epoch ${c.epoch + 1}`).join(', ')})` : ''}`);
        return 1;
      }
      const fork = store!.forkRun(source.id, values.name === undefined ? {} : { name: values.name });
      if (!values.json) io.out(`run ${fork.id} continues run ${runId} from checkpoint ${source.id} (after epoch ${source.epoch + 1})`);
      return trainAndRecord(store!, fork, store!.latestCheckpoint(fork.id), values.json ?? false, io);
    });
  },
};

function checkpointChoice(value: string | undefined): CheckpointChoice {
  if (value === undefined || value === 'last') return 'last';
  if (value === 'best') return 'best';
  if (/^[1-9][0-9]*$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  throw new UsageError(`--checkpoint must be a checkpoint id, best or last (got ${JSON.stringify(value)})\nusage: ${usage}`);
}
