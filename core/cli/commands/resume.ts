import { StoreError } from '../../store/index.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../io.js';
import { parseId, STORE_OPTIONS, STORE_USAGE, withStore } from './runs.js';
import { backendChoiceOf } from '../../runs/trainer-request.js';
import { threadsFlag, trainAndRecord } from './train.js';

const usage = `layerwise resume <runId> [--threads N] [--json] ${STORE_USAGE}`;

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'Continue an interrupted or stopped run from its last checkpoint',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, threads: { type: 'string' }, ...STORE_OPTIONS }, usage);
    const runId = parseId(positionals[0], 'run', usage);
    return withStore('resume', values, io, async (store) => {
      // Checked before anything changes: a refused --threads leaves the run as it was.
      const threads = values.threads === undefined ? undefined : threadsFlag(values.threads, backendChoiceOf(store!.getRun(runId).backend));
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
      // The run's own thread count unless --threads says otherwise for this continuation (results then match the
      // uninterrupted run within float rounding, not bit for bit); the device line records what trained.
      if (threads !== undefined && !values.json && threads !== (run.config.threads ?? 1)) {
        io.out(`continuing on ${threads} thread${threads === 1 ? '' : 's'} (the run was recorded with ${run.config.threads ?? 1}): results equal the uninterrupted run's within float rounding, not bit for bit`);
      }
      return trainAndRecord(store!, run, checkpoint, values.json ?? false, io, threads);
    });
  },
};
