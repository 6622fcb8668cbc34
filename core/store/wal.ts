// The write-ahead log, read before SQLite opens the database. SQLite replays the log's frames up to the first one
// whose checksum or salt does not match and silently drops everything after it — also transactions that had
// committed, when a frame in the middle is damaged (a bad sector, a stray write). A torn tail (the last, unsynced
// frames after a power cut) is normal and loses only what was never promised. This file tells the two apart: each
// frame's checksum is checked against the stored checksum of the frame before it (SQLite chains them), so the
// frames after a damaged one can still be judged, and commit frames among them mean committed work would be lost.
// Format: https://www.sqlite.org/fileformat2.html#walformat
import { closeSync, copyFileSync, existsSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';

const HEADER = 32;
const FRAME_HEADER = 24;

export interface WalScan {
  frames: number;
  /** The first frame (from 1) SQLite will not replay, or null when it replays them all. */
  firstBadFrame: number | null;
  /** Commit frames after the first bad one that carry this log's salts and their own valid checksum: committed work SQLite drops. */
  commitsLost: number;
  /** The last frame of the last such commit. */
  lastLostCommitFrame: number | null;
}

/** Reads `<db>-wal` (if any) and says whether replaying it would drop committed transactions. */
export function scanWal(dbPath: string): WalScan | null {
  const path = `${dbPath}-wal`;
  if (!existsSync(path)) return null;
  const data = readAll(path);
  if (data.length < HEADER) return null;
  const magic = data.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return null;
  const bigEndian = magic === 0x377f0683;
  const pageSize = data.readUInt32BE(8);
  const frameSize = FRAME_HEADER + pageSize;
  const frames = Math.floor((data.length - HEADER) / frameSize);
  const salt = [data.readUInt32BE(16), data.readUInt32BE(20)];
  let seed = checksum(data, 0, 24, [0, 0], bigEndian);
  if (seed[0] !== data.readUInt32BE(24) || seed[1] !== data.readUInt32BE(28)) return { frames, firstBadFrame: 1, commitsLost: 0, lastLostCommitFrame: null };
  let firstBadFrame: number | null = null;
  let commitsLost = 0;
  let lastLostCommitFrame: number | null = null;
  for (let i = 0; i < frames; i++) {
    const at = HEADER + i * frameSize;
    const ours = data.readUInt32BE(at + 8) === salt[0] && data.readUInt32BE(at + 12) === salt[1];
    const stored: [number, number] = [data.readUInt32BE(at + 16), data.readUInt32BE(at + 20)];
    let sum = checksum(data, at, 8, seed, bigEndian);
    sum = checksum(data, at + FRAME_HEADER, pageSize, sum, bigEndian);
    const valid = ours && sum[0] === stored[0] && sum[1] === stored[1];
    if (!valid && firstBadFrame === null) firstBadFrame = i + 1;
    if (valid && firstBadFrame !== null && data.readUInt32BE(at + 4) !== 0) {
      commitsLost++;
      lastLostCommitFrame = i + 1;
    }
    // The next frame's checksum continues from this frame's stored one, whatever became of this frame's bytes.
    seed = stored;
  }
  return { frames, firstBadFrame, commitsLost, lastLostCommitFrame };
}

/**
 * A copy of the database whose log replays past the damage (every frame up to the last lost commit re-chained),
 * to read what the lost commits held; the caller closes it and removes `dir`. Its damaged frames are replayed
 * as they are, so what it shows is evidence for the report, never data to keep.
 */
export function openPastDamage(dbPath: string, scan: WalScan, nativeBinding?: string): { db: Database.Database; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-wal-'));
  const copy = join(dir, basename(dbPath));
  copyFileSync(dbPath, copy);
  const data = readAll(`${dbPath}-wal`);
  const bigEndian = data.readUInt32BE(0) === 0x377f0683;
  const frameSize = FRAME_HEADER + data.readUInt32BE(8);
  const end = scan.lastLostCommitFrame ?? scan.frames;
  let seed: [number, number] = [data.readUInt32BE(24), data.readUInt32BE(28)];
  for (let i = 0; i < end; i++) {
    const at = HEADER + i * frameSize;
    data.writeUInt32BE(data.readUInt32BE(16), at + 8);
    data.writeUInt32BE(data.readUInt32BE(20), at + 12);
    seed = checksum(data, at, 8, seed, bigEndian);
    seed = checksum(data, at + FRAME_HEADER, frameSize - FRAME_HEADER, seed, bigEndian);
    data.writeUInt32BE(seed[0], at + 16);
    data.writeUInt32BE(seed[1], at + 20);
  }
  writeFileSync(`${copy}-wal`, data.subarray(0, HEADER + end * frameSize));
  const db = new Database(copy, nativeBinding ? { nativeBinding } : {});
  db.pragma('query_only = ON');
  return { db, dir };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** SQLite's WAL checksum over `length` bytes (a multiple of 8) as 32-bit words in the log's byte order. */
function checksum(data: Buffer, offset: number, length: number, seed: readonly [number, number] | number[], bigEndian: boolean): [number, number] {
  let s0 = seed[0]!;
  let s1 = seed[1]!;
  for (let i = offset; i < offset + length; i += 8) {
    const a = bigEndian ? data.readUInt32BE(i) : data.readUInt32LE(i);
    const b = bigEndian ? data.readUInt32BE(i + 4) : data.readUInt32LE(i + 4);
    s0 = (s0 + a + s1) >>> 0;
    s1 = (s1 + b + s0) >>> 0;
  }
  return [s0, s1];
}

function readAll(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
