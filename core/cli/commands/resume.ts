import { BACKEND_NAMES, type BackendChoice, type CheckpointManifest, type CheckpointPayload } from '../../../shared/index.js';
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
      const version = store!.getModelVersion(run.modelVersionId);
      const dataset = store!.getDataset(run.datasetId);
      const backend = (BACKEND_NAMES as readonly string[]).includes(run.backend) ? (run.backend as BackendChoice) : 'auto';
      const resumeFrom: CheckpointPayload | undefined = checkpoint
        ? { manifest: checkpoint.checkpoint.manifest as unknown as CheckpointManifest, weights: checkpoint.weights, optimizer: checkpoint.optimizer }
        : undefined;
      if (!values.json) {
        io.out(checkpoint ? `resuming run ${runId} after epoch ${checkpoint.checkpoint.epoch + 1}` : `restarting run ${runId} (it has no checkpoint yet)`);
      }
      const plan = { name: run.name ?? version.name, presetId: run.presetId, spec: version.spec, dataset: dataset.source, config: run.config, backend };
      return trainAndRecord(store!, runId, plan, values.json ?? false, io, resumeFrom);
    });
  },
};
