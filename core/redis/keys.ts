// Every Redis key and channel of scale-out that is ours (BullMQ's are in ./queue.ts), in one place. They live beside
// BullMQ's `layerwise:runs:*` and never start with `layerwise:runs:`.
//
//   layerwise:studio:<studio>:events     STREAM  what workers report for that studio's runs (consumer group `studio`)
//   layerwise:studio:<studio>:jobs       HASH    run id → job id of every job the studio has out (its own record)
//   layerwise:studio:<studio>:dataset:<sha256>   a prepared dataset file the studio's jobs train on (chunked bytes)
//   layerwise:job:<job>:owner            STRING  the lock token of the attempt allowed to report (the fence)
//   layerwise:job:<job>:control          HASH    `state`: run | pause | stop | kill, as the studio last asked
//   layerwise:job:<job>:ckpt:<kind>      STRING  key of the newest checkpoint of that kind (best, last, periodic)
//   layerwise:job:<job>:blob:<id>        HASH    one checkpoint: manifest and chunked bytes
//   layerwise:job:<job>:stage:<id>       HASH    a checkpoint being written (expires unless committed)
//   layerwise:control                    PUBSUB  job ids whose control state changed
import { CHECKPOINT_KIND_NAMES } from '../../shared/index.js';

export const STUDIO_GROUP = 'studio';
export const CONTROL_CHANNEL = 'layerwise:control';

export const CONTROL_STATES = ['run', 'pause', 'stop', 'kill'] as const;
export type ControlState = (typeof CONTROL_STATES)[number];

export const studioKeys = (studio: string) => ({
  events: `layerwise:studio:${studio}:events`,
  jobs: `layerwise:studio:${studio}:jobs`,
  dataset: (sha256: string) => `layerwise:studio:${studio}:dataset:${sha256}`,
});

export const jobKeys = (job: string) => ({
  owner: `layerwise:job:${job}:owner`,
  control: `layerwise:job:${job}:control`,
  latest: (kind: (typeof CHECKPOINT_KIND_NAMES)[number]) => `layerwise:job:${job}:ckpt:${kind}`,
  latestAll: CHECKPOINT_KIND_NAMES.map((kind) => `layerwise:job:${job}:ckpt:${kind}`),
  blob: (id: string) => `layerwise:job:${job}:blob:${id}`,
  stage: (id: string) => `layerwise:job:${job}:stage:${id}`,
});

/** A job per run and studio; the nonce keeps a run that is queued again apart from its earlier jobs. */
export function jobIdFor(studio: string, runId: number, nonce: string): string {
  return `${studio}.${runId}.${nonce}`;
}

/** The studio a job id belongs to (null for a job that is not one of Layerwise's). */
export function studioOfJob(jobId: string): string | null {
  const m = /^([a-z0-9-]{8,64})\.\d+\.[a-z0-9]+$/.exec(jobId);
  return m ? m[1]! : null;
}
