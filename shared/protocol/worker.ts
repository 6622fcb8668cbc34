// The scale-out protocol: what the studio hands a worker on another machine through BullMQ (a job payload), and
// what the worker's attempt at that job sends back through Redis (messages on the studio's event stream, and batch
// progress as BullMQ job progress). Both ends validate with these schemas: the studio before it enqueues and when a
// message arrives (it is the only database writer, and a worker is another machine), the worker before it trains.
// The training request inside a payload is checked by the trainer protocol's own `parseTrainRequest`, down to every
// layer and trick, exactly as a local trainer checks it.
//
// Messages travel as JSON written by `encodeWire`, which keeps NaN and ±Infinity (a diverged run's loss) that plain
// JSON would turn into null.
import { z } from 'zod';
import { formatIssues, type SpecError } from '../spec/errors.js';
import type { ParseResult } from '../spec/schema.js';
import { FINISHED_RUN_STATUSES } from '../runs/statuses.js';
import { parseTrainRequest, type WireError } from './trainer.js';
import { BACKEND_NAMES, type BackendName, type BatchProgress, type EpochReport, type LayerStat, type TrainRequest, type TrainSummary } from './training.js';

/** Bumped when a payload or message changes incompatibly; a worker refuses a job of another version, naming both. */
export const SCALE_OUT_PROTOCOL = 1;

/** The largest message or payload either end accepts (a summary with 48 misclassified 28×28 samples is ~0.3 MB). */
export const MAX_WIRE_BYTES = 8 * 1024 * 1024;

export const CHECKPOINT_KIND_NAMES = ['best', 'last', 'periodic'] as const;
export type CheckpointKindName = (typeof CHECKPOINT_KIND_NAMES)[number];

/** A checkpoint kept in Redis (the bytes, chunked, under `key`): where an attempt continues from. */
export interface CheckpointRef {
  key: string;
  epoch: number;
  kind: CheckpointKindName;
}

/** One run for a worker: the studio's validated trainer request, without checkpoint bytes (they are referenced). */
export interface JobPayload {
  protocol: typeof SCALE_OUT_PROTOCOL;
  /** The studio (data folder) that owns the run: its events stream is `layerwise:studio:<studio>:events`. */
  studio: string;
  runId: number;
  request: Omit<TrainRequest, 'resumeFrom'>;
  /** The checkpoint the run continues from when it was queued (a resume or a fork); null: from scratch. */
  resume: CheckpointRef | null;
  /** Where the prepared file of a dataset from the user's own files is kept in Redis (workers do not share the studio's disk). */
  datasetKey: string | null;
}

/** What a worker's attempt at a job reports; each arrives wrapped in a `WorkerEnvelope`. */
export type WorkerMessage =
  /** The first message of every attempt: which worker took the job and the checkpoint epoch it continues after (null: from scratch). */
  | { type: 'claim'; worker: string; pid: number; resumeEpoch: number | null }
  | { type: 'started'; backend: BackendName; device: string; fallbackReason?: string }
  /** Per-layer statistics before the first step (a run from scratch only). */
  | { type: 'init'; layers: LayerStat[] }
  | { type: 'epoch'; report: EpochReport }
  /** The checkpoint's bytes are in Redis under `key` (a later checkpoint of the same kind may have replaced them). */
  | { type: 'checkpoint'; epoch: number; kind: CheckpointKindName; key: string }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'finished'; summary: TrainSummary }
  | { type: 'failed'; error: WireError };

export interface WorkerEnvelope {
  job: string;
  runId: number;
  /** BullMQ's lock token of the attempt: a message from an attempt the studio has seen superseded is ignored. */
  token: string;
  /** BullMQ's attemptsStarted when the attempt began (1 for the first). */
  attempt: number;
  message: WorkerMessage;
}

/** Batch progress of an attempt, sent as BullMQ job progress (`encodeWire` of this). */
export interface WorkerProgress {
  token: string;
  progress: BatchProgress;
}

// ---- the wire codec ----

const NON_FINITE = '$nonFinite';

/** JSON that keeps NaN, Infinity and -Infinity (as `{"$nonFinite": "NaN"}`). */
export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [NON_FINITE]: String(v) } : v));
}

/** Parses `encodeWire` output; throws on text that is not JSON or is larger than MAX_WIRE_BYTES. */
export function decodeWire(text: string): unknown {
  if (text.length > MAX_WIRE_BYTES) throw new Error(`the message is ${text.length} bytes; at most ${MAX_WIRE_BYTES}`);
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const tag = (v as Record<string, unknown>)[NON_FINITE];
      if (keys.length === 1 && (tag === 'NaN' || tag === 'Infinity' || tag === '-Infinity')) return Number(tag);
    }
    return v;
  });
}

// ---- schemas ----

/** Any number, NaN and ±Infinity included (zod's number() refuses them). */
const num = z.custom<number>((v) => typeof v === 'number', { error: 'must be a number' });
const count = z.number().int().min(0);
const text = (max: number) => z.string().max(max);
const studioId = z.string().regex(/^[a-z0-9-]{8,64}$/, { error: 'must be 8-64 lowercase letters, digits or dashes' });
const key = z.string().min(1).max(300);
const kind = z.enum(CHECKPOINT_KIND_NAMES);

const CheckpointRefSchema = z.strictObject({ key, epoch: count, kind });

const PayloadShape = z.strictObject({
  protocol: z.literal(SCALE_OUT_PROTOCOL, { error: `must be ${SCALE_OUT_PROTOCOL} (this worker speaks scale-out protocol ${SCALE_OUT_PROTOCOL})` }),
  studio: studioId,
  runId: z.number().int().min(1),
  request: z.unknown(),
  resume: CheckpointRefSchema.nullable(),
  datasetKey: key.nullable(),
});

const BatchProgressSchema = z.strictObject({
  epoch: count,
  batch: count,
  batchesPerEpoch: count,
  epochs: count,
  loss: num,
  samplesPerSecond: num,
  losses: z.array(num).max(1_000_000),
}) satisfies z.ZodType<BatchProgress>;

const LayerStatSchema = z.strictObject({
  layer: text(300),
  path: text(300),
  weightNorm: num,
  gradNorm: num,
  activationMean: num,
  activationStd: num,
  deadFraction: num,
}) satisfies z.ZodType<LayerStat>;
const LayerStatsSchema = z.array(LayerStatSchema).max(10_000);

const EpochReportSchema = z.strictObject({
  epoch: count,
  epochs: count,
  metrics: z.strictObject({
    loss: num,
    accuracy: num,
    valLoss: num,
    valAccuracy: num,
    learningRate: num,
    seconds: num,
    samplesPerSecond: num,
    ensembleValLoss: num.optional(),
    ensembleValAccuracy: num.optional(),
  }),
  steps: z.array(z.strictObject({ step: count, epoch: count, loss: num, gradNorm: num })).max(1_000_000),
  layers: LayerStatsSchema,
  best: z.boolean(),
  boundary: z
    .strictObject({
      size: z.number().int().min(1).max(1_000),
      classes: z.number().int().min(1).max(10_000),
      extent: z.tuple([num, num, num, num]),
      probs: z.array(num).max(10_000_000),
    })
    .optional(),
}) satisfies z.ZodType<EpochReport>;

const FinalMetricsSchema = z.strictObject({ loss: num, accuracy: num, valLoss: num, valAccuracy: num, testLoss: num, testAccuracy: num });

const TrainSummarySchema = z.strictObject({
  status: z.enum(FINISHED_RUN_STATUSES),
  epochs: count,
  backend: z.enum(BACKEND_NAMES),
  device: text(500),
  samplesPerSecond: num,
  final: FinalMetricsSchema.nullable(),
  confusion: z.array(z.array(num).max(10_000)).max(10_000).nullable(),
  classNames: z.array(text(500)).max(10_000),
  bestEpoch: count.nullable(),
  weights: z.enum(['last', 'best', 'averaged']),
  divergence: z.strictObject({ epoch: count, batch: count, what: z.enum(['loss', 'gradient']), hint: text(2000) }).optional(),
  reason: text(4000).optional(),
  evaluation: z
    .strictObject({
      inputShape: z.array(count).max(8),
      parameters: count,
      misclassified: z
        .array(z.strictObject({ index: count, label: count, predicted: count, confidence: num, features: z.array(num).max(1_000_000) }))
        .max(1_000),
      misclassifiedCount: count,
    })
    .optional(),
}) satisfies z.ZodType<TrainSummary>;

const WireErrorSchema = z.strictObject({ code: text(100), message: text(10_000), details: z.unknown().optional() });

const WorkerMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('claim'), worker: text(300), pid: z.number().int().min(0), resumeEpoch: count.nullable() }),
  z.strictObject({ type: z.literal('started'), backend: z.enum(BACKEND_NAMES), device: text(500), fallbackReason: text(2000).optional() }),
  z.strictObject({ type: z.literal('init'), layers: LayerStatsSchema }),
  z.strictObject({ type: z.literal('epoch'), report: EpochReportSchema }),
  z.strictObject({ type: z.literal('checkpoint'), epoch: count, kind, key }),
  z.strictObject({ type: z.literal('paused') }),
  z.strictObject({ type: z.literal('resumed') }),
  z.strictObject({ type: z.literal('finished'), summary: TrainSummarySchema }),
  z.strictObject({ type: z.literal('failed'), error: WireErrorSchema }),
]) satisfies z.ZodType<WorkerMessage>;

const token = text(200).min(1);
const EnvelopeSchema = z.strictObject({ job: key, runId: z.number().int().min(1), token, attempt: z.number().int().min(1), message: WorkerMessageSchema });
const ProgressSchema = z.strictObject({ token, progress: BatchProgressSchema });

// ---- parsers ----

function parseWith<T>(schema: z.ZodType<T>, input: unknown): ParseResult<T> {
  const result = schema.safeParse(input, { reportInput: true });
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: formatIssues(result.error.issues, input) };
}

/** A job payload, with its training request checked as a trainer checks one (spec, data, config, backend). */
export function parseJobPayload(input: unknown): ParseResult<JobPayload> {
  const shape = parseWith(PayloadShape, input);
  if (!shape.ok) return shape;
  if (shape.value.request && typeof shape.value.request === 'object' && 'resumeFrom' in shape.value.request) {
    return { ok: false, errors: [{ path: 'request.resumeFrom', message: 'request.resumeFrom must not be in a job payload: checkpoints travel by reference (resume)' }] };
  }
  const request = parseTrainRequest(shape.value.request);
  if (!request.ok) return { ok: false, errors: request.errors.map((e): SpecError => ({ path: `request.${e.path}`, message: `request.${e.message}` })) };
  return { ok: true, value: { ...shape.value, protocol: SCALE_OUT_PROTOCOL, request: request.value } };
}

export function parseWorkerEnvelope(input: unknown): ParseResult<WorkerEnvelope> {
  return parseWith(EnvelopeSchema, input);
}

export function parseWorkerProgress(input: unknown): ParseResult<WorkerProgress> {
  return parseWith(ProgressSchema, input);
}
