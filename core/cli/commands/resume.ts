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
      // Checks the status, drops metrics recorded after the checkpoint and marks the run running, in one go.
      const { run, checkpoint } = store!.beginResume(runId);
      if (!values.json) {
        io.out(checkpoint ? `resuming run ${runId} after epoch ${checkpoint.checkpoint.epoch + 1}` : `restarting run ${runId} (it has no checkpoint yet)`);
      }
      return trainAndRecord(store!, run, checkpoint, values.json ?? false, io);
    });
  },
};
