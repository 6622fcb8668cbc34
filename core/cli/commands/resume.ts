import { StoreError } from '../../store/index.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../io.js';
import { parseId, STORE_OPTIONS, STORE_USAGE, withStore } from './runs.js';
import { trainAndRecord } from './train.js';

const usage = `layerwise resume <runId> [--json] ${STORE_USAGE}`;

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'Continue an interrupted or stopped run from its last checkpoint',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, ...STORE_OPTIONS }, usage);
    const runId = parseId(positionals[0], 'run', usage);
    return withStore('resume', values, io, async (store) => {
      let point;
      try {
        // Checks the status and that the checkpoint verifies, drops metrics recorded after the checkpoint and
        // marks the run running, in one go.
        point = store!.beginResume(runId);
      } catch (error) {
        // A run that cannot continue says why, and which checkpoint a new run could continue from.
        const fork = error instanceof StoreError ? (error.details.forkCheckpointId as number | null | undefined) : undefined;
        if (error instanceof StoreError && fork !== undefined) {
          const hint = fork === null ? ' (no checkpoint of it verifies to start a new run from)' : `; \`layerwise fork ${runId} --checkpoint ${fork}\` starts a new run from that checkpoint`;
          io.err(`layerwise resume: ${error.message}${hint}`);
          return 1;
        }
        throw error;
      }
      const { run, checkpoint } = point;
      if (!values.json) {
        io.out(checkpoint ? `resuming run ${runId} after epoch ${checkpoint.checkpoint.epoch + 1}` : `restarting run ${runId} from the start (it has no checkpoint)`);
      }
      return trainAndRecord(store!, run, checkpoint, values.json ?? false, io);
    });
  },
};
