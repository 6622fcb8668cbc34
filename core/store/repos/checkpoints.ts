// Checkpoints: a row (epoch, kind, manifest, sizes and sha256 of the parts) and its bytes (checkpoint_blobs),
// committed in one transaction; every load checks the bytes against their sha256. Why BLOBs: ../store.ts.
import { sha256Hex } from '../canonical.js';
import { checkId, iso, type StoreDb } from '../db.js';
import { invalid, notFound, StoreError } from '../errors.js';
import { CHECKPOINT_KINDS } from '../schema.js';
import type { Checkpoint, CheckpointData, CheckpointInput, JsonValue } from '../types.js';
import type { RunRepository } from './runs.js';

/** The largest weights or optimizer part of one checkpoint (SQLite's hard BLOB limit is 1e9 bytes). */
export const MAX_CHECKPOINT_PART_BYTES = 900 * 1024 * 1024;

interface CheckpointRow {
  id: number;
  run_id: number;
  epoch: number;
  kind: Checkpoint['kind'];
  manifest: string;
  weights_size: number;
  weights_sha256: string;
  optimizer_size: number;
  optimizer_sha256: string;
  created_at: number;
}

export class CheckpointRepository {
  constructor(
    private readonly db: StoreDb,
    private readonly runs: RunRepository,
  ) {}

  /**
   * Keeps a checkpoint: row and bytes in one durable transaction. A `best` or `last` checkpoint replaces
   * the run's previous one of that kind; `periodic` ones accumulate.
   */
  save(runId: number, input: CheckpointInput): Checkpoint {
    if (!Number.isSafeInteger(input.epoch) || input.epoch < 0) throw invalid(`checkpoint epoch must be an integer >= 0 (got ${JSON.stringify(input.epoch)})`);
    if (!CHECKPOINT_KINDS.includes(input.kind)) throw invalid(`checkpoint kind must be one of ${CHECKPOINT_KINDS.join(', ')} (got ${JSON.stringify(input.kind)})`);
    for (const part of ['weights', 'optimizer'] as const) {
      const bytes = input[part];
      if (!(bytes instanceof Uint8Array)) throw invalid(`checkpoint ${part} must be a Uint8Array`);
      if (bytes.byteLength > MAX_CHECKPOINT_PART_BYTES) {
        throw invalid(`checkpoint ${part} is ${bytes.byteLength} bytes; the store keeps at most ${MAX_CHECKPOINT_PART_BYTES} per part`, { size: bytes.byteLength });
      }
    }
    let manifest: string;
    try {
      manifest = JSON.stringify(input.manifest);
    } catch (error) {
      throw invalid(`checkpoint manifest is not JSON: ${(error as Error).message}`);
    }
    if (manifest === undefined) throw invalid('checkpoint manifest is not JSON');
    const weights = Buffer.from(input.weights.buffer, input.weights.byteOffset, input.weights.byteLength);
    const optimizer = Buffer.from(input.optimizer.buffer, input.optimizer.byteOffset, input.optimizer.byteLength);
    return this.db.tx(() => {
      this.runs.get(runId);
      if (input.kind !== 'periodic') this.db.run('DELETE FROM checkpoints WHERE run_id = ? AND kind = ?', runId, input.kind);
      const id = this.db.run(
        `INSERT INTO checkpoints (run_id, epoch, kind, manifest, weights_size, weights_sha256, optimizer_size, optimizer_sha256, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        runId,
        input.epoch,
        input.kind,
        manifest,
        weights.byteLength,
        sha256Hex(weights),
        optimizer.byteLength,
        sha256Hex(optimizer),
        this.db.now(),
      );
      this.db.run('INSERT INTO checkpoint_blobs (checkpoint_id, weights, optimizer) VALUES (?, ?, ?)', id, weights, optimizer);
      return this.get(id);
    });
  }

  get(id: number): Checkpoint {
    const row = this.db.get<CheckpointRow>('SELECT * FROM checkpoints WHERE id = ?', checkId(id, 'checkpoint'));
    if (!row) throw notFound('CheckpointNotFound', 'checkpoint', id);
    return checkpointFromRow(row);
  }

  /** A run's checkpoints by epoch (without their bytes). */
  list(runId: number): Checkpoint[] {
    this.runs.get(runId);
    return this.db.all<CheckpointRow>('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY epoch, id', runId).map(checkpointFromRow);
  }

  /** A checkpoint with its bytes, checked against their sha256 (CheckpointCorrupt when they differ). */
  load(id: number): CheckpointData {
    const checkpoint = this.get(id);
    const blobs = this.db.get<{ weights: Buffer; optimizer: Buffer }>('SELECT weights, optimizer FROM checkpoint_blobs WHERE checkpoint_id = ?', id);
    if (!blobs) throw new StoreError('CheckpointCorrupt', `checkpoint ${id} has no bytes`, { id });
    for (const part of ['weights', 'optimizer'] as const) {
      const actual = sha256Hex(blobs[part]);
      if (actual !== checkpoint[part].sha256 || blobs[part].byteLength !== checkpoint[part].size) {
        throw new StoreError('CheckpointCorrupt', `checkpoint ${id} ${part}: sha256 ${actual} does not match the recorded ${checkpoint[part].sha256}`, {
          id,
          part,
          expected: checkpoint[part].sha256,
          actual,
        });
      }
    }
    return { checkpoint, weights: blobs.weights, optimizer: blobs.optimizer };
  }

  /** The checkpoint to resume from: the highest epoch (the newest of equal epochs), with its bytes. */
  latest(runId: number): CheckpointData | null {
    this.runs.get(runId);
    const row = this.db.get<{ id: number }>('SELECT id FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC, id DESC LIMIT 1', runId);
    return row ? this.load(row.id) : null;
  }

  /** Copies a checkpoint, bytes and all, to another run; the copy is loaded (checked) before it counts. */
  copy(checkpointId: number, toRunId: number): Checkpoint {
    return this.db.tx(() => {
      const copied = this.db.run(
        `INSERT INTO checkpoints (run_id, epoch, kind, manifest, weights_size, weights_sha256, optimizer_size, optimizer_sha256, created_at)
         SELECT ?, epoch, kind, manifest, weights_size, weights_sha256, optimizer_size, optimizer_sha256, ? FROM checkpoints WHERE id = ?`,
        toRunId,
        this.db.now(),
        checkpointId,
      );
      this.db.run('INSERT INTO checkpoint_blobs (checkpoint_id, weights, optimizer) SELECT ?, weights, optimizer FROM checkpoint_blobs WHERE checkpoint_id = ?', copied, checkpointId);
      // Checked like any load: a damaged source checkpoint is refused rather than copied.
      return this.load(copied).checkpoint;
    });
  }
}

function checkpointFromRow(row: CheckpointRow): Checkpoint {
  return {
    id: row.id,
    runId: row.run_id,
    epoch: row.epoch,
    kind: row.kind,
    manifest: JSON.parse(row.manifest) as JsonValue,
    weights: { size: row.weights_size, sha256: row.weights_sha256 },
    optimizer: { size: row.optimizer_size, sha256: row.optimizer_sha256 },
    size: row.weights_size + row.optimizer_size,
    createdAt: iso(row.created_at),
  };
}
