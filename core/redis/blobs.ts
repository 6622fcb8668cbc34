// Bytes in Redis: checkpoints (weights and optimizer state) and prepared dataset files, each kept in one hash as
// chunks of at most 4 MiB with their size and sha256. A Redis value may hold 512 MB and the store allows 900 MB per
// checkpoint part; chunks keep every value far below that, and keep a large checkpoint from being one huge reply.
// A reader checks the size and sha256 of what it assembled; a blob deleted while being read (a newer checkpoint of
// the same kind replaced it) reads as missing, never as half a checkpoint.
import { createHash } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import type { CheckpointManifest, CheckpointPayload } from '../../shared/index.js';

export const CHUNK_BYTES = 4 * 1024 * 1024;

export class BlobError extends Error {
  override name = 'BlobError';
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Queues the writes of `bytes` as `<part>.size`, `<part>.sha256`, `<part>.chunks` and `<part>:<i>` fields of `key`. */
export function putBytes(tx: ChainableCommander, key: string, part: string, bytes: Uint8Array): void {
  const chunks = Math.ceil(bytes.byteLength / CHUNK_BYTES);
  tx.hset(key, `${part}.size`, String(bytes.byteLength), `${part}.sha256`, sha256(bytes), `${part}.chunks`, String(chunks));
  for (let i = 0; i < chunks; i++) {
    const slice = bytes.subarray(i * CHUNK_BYTES, Math.min(bytes.byteLength, (i + 1) * CHUNK_BYTES));
    tx.hset(key, `${part}:${i}`, Buffer.from(slice.buffer, slice.byteOffset, slice.byteLength));
  }
}

/** The parts of a blob, read in one transaction; null when the key (or any chunk) is gone. */
export async function getParts(redis: Redis, key: string, parts: readonly string[], extra: readonly string[] = []): Promise<{ parts: Uint8Array[]; fields: (string | null)[] } | null> {
  const metaFields = parts.flatMap((p) => [`${p}.size`, `${p}.sha256`, `${p}.chunks`]);
  const meta = await redis.hmget(key, ...metaFields, ...extra);
  if (meta.slice(0, metaFields.length).some((v) => v === null)) return null;
  const layout = parts.map((part, i) => ({ part, size: Number(meta[i * 3]), hash: meta[i * 3 + 1]!, chunks: Number(meta[i * 3 + 2]) }));
  const tx = redis.multi();
  for (const { part, chunks } of layout) for (let c = 0; c < chunks; c++) tx.hgetBuffer(key, `${part}:${c}`);
  const replies = (await tx.exec()) ?? [];
  let next = 0;
  const out: Uint8Array[] = [];
  for (const { part, size, hash, chunks } of layout) {
    const pieces: Buffer[] = [];
    for (let c = 0; c < chunks; c++) {
      const [error, value] = replies[next++] ?? [new Error('no reply'), null];
      if (error) throw error;
      if (value === null) return null;
      pieces.push(value as Buffer);
    }
    const bytes = new Uint8Array(Buffer.concat(pieces));
    if (bytes.byteLength !== size || sha256(bytes) !== hash) {
      throw new BlobError(`${key} ${part}: ${bytes.byteLength} bytes with sha256 ${sha256(bytes)}, recorded ${size} bytes with sha256 ${hash}`);
    }
    out.push(bytes);
  }
  return { parts: out, fields: meta.slice(metaFields.length) };
}

/**
 * Queues the writes of a checkpoint. Its manifest goes through JSON exactly as the store keeps one (the recorder
 * saves `JSON.parse(JSON.stringify(manifest))`), so resuming from Redis and resuming from the store start from the
 * very same state.
 */
export function putCheckpoint(tx: ChainableCommander, key: string, checkpoint: CheckpointPayload): void {
  const { manifest } = checkpoint;
  tx.hset(key, 'epoch', String(manifest.epoch), 'kind', manifest.kind, 'manifest', JSON.stringify(manifest));
  putBytes(tx, key, 'weights', checkpoint.weights);
  putBytes(tx, key, 'optimizer', checkpoint.optimizer);
}

/** A checkpoint kept under `key`; null when it is gone (replaced by a newer one of its kind, or cleaned up). */
export async function getCheckpoint(redis: Redis, key: string): Promise<CheckpointPayload | null> {
  const read = await getParts(redis, key, ['weights', 'optimizer'], ['manifest']);
  if (!read) return null;
  const text = read.fields[0];
  if (text === null || text === undefined) return null;
  const manifest = JSON.parse(text) as CheckpointManifest;
  if (!manifest || typeof manifest !== 'object' || !Number.isSafeInteger(manifest.epoch)) throw new BlobError(`${key}: the checkpoint manifest has no epoch`);
  return { manifest, weights: read.parts[0]!, optimizer: read.parts[1]! };
}

/** The epoch of a checkpoint kept under `key` (without reading its bytes); null when it is gone. */
export async function checkpointEpoch(redis: Redis, key: string): Promise<number | null> {
  const epoch = await redis.hget(key, 'epoch');
  return epoch === null ? null : Number(epoch);
}
