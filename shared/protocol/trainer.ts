// The trainer process protocol: what the parent (Electron main, the CLI, the browser host) and a trainer
// process (utilityProcess or child_process.fork) say to each other. Progress is coalesced (~100 ms, and
// always flushed at epoch end), never one message per batch.
import { z } from 'zod';
import { DatasetRefSchema } from '../data/dataset-ref.js';
import { formatIssues, specError, type SpecError } from '../spec/errors.js';
import { checkModelSpec } from '../spec/inference.js';
import type { ParseResult } from '../spec/schema.js';
import { parseTrainingConfig } from '../tricks/config.js';
import {
  BACKEND_NAMES,
  CHECKPOINT_FORMATS,
  type BackendName,
  type BatchProgress,
  type CheckpointPayload,
  type EpochReport,
  type LayerStat,
  type TrainRequest,
  type TrainSummary,
} from './training.js';

export type ParentToTrainer =
  | { type: 'start'; request: TrainRequest }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

export interface WireError {
  code: string;
  message: string;
  details?: unknown;
}

export type TrainerToParent =
  | { type: 'started'; backend: BackendName; device: string; fallbackReason?: string }
  | { type: 'progress'; progress: BatchProgress }
  /** Per-layer statistics before the first step (a run from scratch only). */
  | { type: 'init'; layers: LayerStat[] }
  | { type: 'epoch'; report: EpochReport }
  | { type: 'checkpoint'; checkpoint: CheckpointPayload }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'finished'; summary: TrainSummary }
  | { type: 'failed'; error: WireError };

export const PROGRESS_INTERVAL_MS = 100;

/**
 * Sent by an Electron host with a MessagePort attached (not a ParentToTrainer: the port rides in the
 * transfer list): from then on the trainer posts batch progress on that port, whose other end is in the page.
 */
export const PROGRESS_PORT_MESSAGE = 'progressPort';

/** The IPC channel on which Electron main hands the page its end of a run's progress port, with `{ runId }`. */
export const PROGRESS_PORT_CHANNEL = 'layerwise:progress-port';

/** A port as both Electron's MessagePortMain and Node's worker MessagePort offer it. */
export interface PostablePort {
  postMessage(message: unknown): void;
}

const ControlSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('pause') }),
  z.strictObject({ type: z.literal('resume') }),
  z.strictObject({ type: z.literal('stop') }),
  z.strictObject({ type: z.literal('start'), request: z.unknown() }),
]);

const RequestShape = z.strictObject({
  spec: z.unknown(),
  dataset: DatasetRefSchema,
  config: z.unknown(),
  backend: z.enum([...BACKEND_NAMES, 'auto'], { error: `must be one of auto, ${BACKEND_NAMES.join(', ')}` }),
  resumeFrom: z
    .strictObject({
      manifest: z.looseObject({ format: z.union(CHECKPOINT_FORMATS.map((f) => z.literal(f))), epoch: z.number().int().min(0) }),
      weights: z.instanceof(Uint8Array),
      optimizer: z.instanceof(Uint8Array),
    })
    .optional(),
});

/** Validates a message arriving at the trainer; a start request is checked down to every layer and trick. */
export function parseParentMessage(input: unknown): ParseResult<ParentToTrainer> {
  const outer = ControlSchema.safeParse(input, { reportInput: true });
  if (!outer.success) return { ok: false, errors: formatIssues(outer.error.issues, input) };
  if (outer.data.type !== 'start') return { ok: true, value: outer.data };
  const request = parseTrainRequest(outer.data.request);
  return request.ok ? { ok: true, value: { type: 'start', request: request.value } } : request;
}

export function parseTrainRequest(input: unknown): ParseResult<TrainRequest> {
  const shape = RequestShape.safeParse(input, { reportInput: true });
  if (!shape.success) return { ok: false, errors: formatIssues(shape.error.issues, input) };
  const errors: SpecError[] = [];
  const spec = checkModelSpec(shape.data.spec);
  errors.push(...spec.errors.map((e) => ({ path: `spec.${e.path}`, message: `spec.${e.message}` })));
  const config = parseTrainingConfig(shape.data.config);
  if (!config.ok) errors.push(...config.errors.map((e) => ({ path: `config.${e.path}`, message: `config.${e.message}` })));
  if (errors.length || !spec.spec || !config.ok) return { ok: false, errors: errors.length ? errors : [specError([], 'is invalid')] };
  return {
    ok: true,
    value: {
      spec: spec.spec,
      dataset: shape.data.dataset,
      config: config.value,
      backend: shape.data.backend,
      ...(shape.data.resumeFrom ? { resumeFrom: shape.data.resumeFrom as unknown as CheckpointPayload } : {}),
    },
  };
}
