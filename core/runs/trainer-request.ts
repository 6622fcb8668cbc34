// What a trainer is asked to do for a stored run: the run's own model version, dataset, config and backend,
// and the checkpoint it continues from. Every path that starts or resumes a trainer (the run queue, a fork,
// `layerwise train` and `layerwise resume`) builds its request here from the store's record, so what trains
// is exactly what the run says it is.
import { BACKEND_NAMES, type BackendChoice, type CheckpointManifest, type TrainRequest } from '../../shared/index.js';
import type { CheckpointData, Run, Store } from '../store/index.js';
import { threadsForTraining } from './threads.js';

/** The backend a run asks for; a name this build does not know (an older or newer record) falls back to `auto`. */
export function backendChoiceOf(backend: string): BackendChoice {
  return backend === 'auto' || (BACKEND_NAMES as readonly string[]).includes(backend) ? (backend as BackendChoice) : 'auto';
}

/** The request for `run`; with `checkpoint`, it continues after that checkpoint's epoch with its weights and optimizer. */
export function trainRequestFor(store: Pick<Store, 'getModelVersion' | 'getDataset'>, run: Run, checkpoint: CheckpointData | null): TrainRequest {
  const version = store.getModelVersion(run.modelVersionId);
  const dataset = store.getDataset(run.datasetId);
  // The run's own thread count, capped at this machine's (a run recorded on a larger one).
  const threads = threadsForTraining(run.config);
  const config = run.config.threads === undefined || threads === run.config.threads ? run.config : { ...run.config, threads };
  const request: TrainRequest = { spec: version.spec, dataset: dataset.source, config, backend: backendChoiceOf(run.backend) };
  if (checkpoint) {
    request.resumeFrom = {
      manifest: checkpoint.checkpoint.manifest as unknown as CheckpointManifest,
      // Plain copies: the store hands out Buffers, the trainer's schema wants Uint8Arrays.
      weights: new Uint8Array(checkpoint.weights),
      optimizer: new Uint8Array(checkpoint.optimizer),
    };
  }
  return request;
}
