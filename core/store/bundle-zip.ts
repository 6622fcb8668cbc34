// Reading a bundle's zip without trusting it. The central directory is read strictly (no bytes before the
// first entry, none after the end record, no zip64, no encryption, entries that do not overlap and whose
// local headers agree with the directory), the sizes it declares are checked against the limits before
// anything is inflated, and then every entry is inflated by Node's zlib as a stream: the inflating runs in
// libuv's thread pool, 64 KiB of output at a time, and the bytes are counted (and hashed) as they come out,
// so an entry that inflates past what it declared, or a bundle whose entries inflate past a multiple of its
// own size (a zip bomb), is refused at that point, and the event loop stays free: a host keeps answering
// while a bundle is checked.
//
// Why not fflate's readers: unzipSync inflates everything in one synchronous call; the streaming Unzip scans
// for local headers (skipping junk silently and ignoring the central directory); and its streaming Inflate
// runs on the main thread at ~60 MB/s here, so even 4 KiB of a bomb's input held the loop for ~70 ms.
//
// The same reader serves other zips the user gives (an image folder uploaded as a .zip: core/datasets/uploads.ts)
// with a ZipPolicy of their own: which entry names are allowed and how a refusal reads.
import { createHash } from 'node:crypto';
import { createInflateRaw } from 'node:zlib';
import { escapeUnsafe } from '../../shared/text/safe-text.js';
import { StoreError } from './errors.js';

export interface ZipLimits {
  maxFileBytes: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  maxEntries: number;
  maxManifestBytes: number;
  maxInflateRatio: number;
  inflateAllowance: number;
}

export interface ZipEntry {
  name: string;
  method: 0 | 8;
  /** Declared in the central directory; the inflated bytes must match it exactly. */
  size: number;
  compressedSize: number;
  dataStart: number;
}

export interface InflatedEntry {
  bytes: Uint8Array;
  sha256: string;
}

/** The error every refused bundle gives; names and values quoted from the file are escaped (safe-text.ts). */
export function refuseBundle(reason: string, details: Record<string, unknown> = {}): StoreError {
  const safe = escapeUnsafe(reason);
  return new StoreError('BundleInvalid', `not a valid Layerwise bundle: ${safe}`, { reason: safe, ...details });
}

/** What a kind of zip allows and how its refusals read; bundles by default. */
export interface ZipPolicy {
  /** Why an entry's name is refused, or null. */
  checkName(name: string): string | null;
  refuse(reason: string): Error;
  /** Said of bytes found around the zip data: what the file should be instead. */
  exactly: string;
  /** Said of a zip that inflates past its budget, after "a zip bomb, or". */
  bomb: string;
}

const damagedBy = (policy: ZipPolicy) => (why: string) => policy.refuse(`the file is not a readable zip (truncated or damaged): ${why}`);

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const ENTRY_NAME = /^(manifest\.json|metrics\/run-[1-9][0-9]*\.json|checkpoints\/[1-9][0-9]*\/(weights|optimizer)\.bin)$/;

/** The end-of-central-directory record: searched from the end, past a comment of at most 65,535 bytes. */
function findEnd(view: DataView): number {
  for (let at = view.byteLength - 22; at >= 0 && at >= view.byteLength - 22 - 0xffff; at--) {
    if (view.getUint32(at, true) === EOCD && at + 22 + view.getUint16(at + 20, true) === view.byteLength) return at;
  }
  return -1;
}

export const BUNDLE_ZIP_POLICY: ZipPolicy = {
  checkName: (name) =>
    ENTRY_NAME.test(name)
      ? null
      : `unexpected entry ${JSON.stringify(name)} (a bundle holds manifest.json, metrics/run-<id>.json and checkpoints/<id>/weights.bin or optimizer.bin)`,
  refuse: (reason) => refuseBundle(reason),
  exactly: 'a bundle is a zip file exactly as Layerwise wrote it',
  bomb: 'not a bundle Layerwise wrote',
};

/** Lists the entries (in file order) after checking the zip's structure and every declared size. */
export function readCentralDirectory(data: Uint8Array, limits: ZipLimits, policy: ZipPolicy = BUNDLE_ZIP_POLICY): ZipEntry[] {
  const refuseBundle = policy.refuse;
  const damaged = damagedBy(policy);
  if (data.byteLength > limits.maxFileBytes) throw refuseBundle(`the file is ${data.byteLength} bytes, more than the limit of ${limits.maxFileBytes}`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const end = findEnd(view);
  if (end < 0) throw damaged(data.byteLength < 22 ? `it is only ${data.byteLength} bytes` : 'no end-of-central-directory record at its end');
  const count = view.getUint16(end + 10, true);
  const cdSize = view.getUint32(end + 12, true);
  const cdOffset = view.getUint32(end + 16, true);
  if (view.getUint16(end + 4, true) !== 0 || view.getUint16(end + 6, true) !== 0 || view.getUint16(end + 8, true) !== count) {
    throw damaged('it is split over several disks');
  }
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) throw refuseBundle(`it is a zip64 archive (${policy.exactly}: a plain zip of at most 4 GB)`);
  if (count > limits.maxEntries) throw refuseBundle(`it has more than ${limits.maxEntries} entries`);
  const cdEnd = cdOffset + cdSize;
  if (cdEnd > end) throw damaged('its central directory runs past the end record');
  if (cdEnd < end) {
    // What a self-extractor stub, or anything glued in front, leaves: every offset is short by this much.
    throw refuseBundle(`the file has ${end - cdEnd} bytes of something else before or inside the zip data; ${policy.exactly}`);
  }
  if (count > 0 && (data.byteLength < 4 || view.getUint32(0, true) !== LOCAL)) {
    throw refuseBundle(`the file does not start with a zip entry; ${policy.exactly}`);
  }

  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let total = 0;
  let at = cdOffset;
  const decoder = new TextDecoder('utf-8', { fatal: false });
  for (let i = 0; i < count; i++) {
    if (at + 46 > cdEnd || view.getUint32(at, true) !== CENTRAL) throw damaged(`central directory entry ${i + 1} of ${count} is missing`);
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const compressedSize = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const next = at + 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    if (next > cdEnd) throw damaged(`central directory entry ${i + 1} of ${count} runs past the directory`);
    const nameBytes = data.subarray(at + 46, at + 46 + nameLength);
    const name = decoder.decode(nameBytes);
    at = next;

    if (names.has(name)) throw refuseBundle(`entry ${JSON.stringify(name)} appears twice`);
    names.add(name);
    const nameProblem = policy.checkName(name);
    if (nameProblem) throw refuseBundle(nameProblem);
    if (flags & 1) throw refuseBundle(`entry ${name} is encrypted`);
    if (method !== 0 && method !== 8) throw refuseBundle(`entry ${name} uses compression method ${method} (only stored and deflate are read)`);
    const limit = name === 'manifest.json' ? limits.maxManifestBytes : limits.maxEntryBytes;
    if (size > limit) throw refuseBundle(`entry ${name} declares ${size} bytes uncompressed, more than the limit of ${limit}`);
    total += size;
    if (total > limits.maxTotalBytes) throw refuseBundle(`its entries declare more than ${limits.maxTotalBytes} bytes uncompressed in all`);
    if (method === 0 && compressedSize !== size) throw damaged(`entry ${name} is stored with ${compressedSize} bytes but declares ${size}`);

    // The local header must agree with the directory: a zip read differently by different tools is refused.
    if (local + 30 > cdOffset || view.getUint32(local, true) !== LOCAL) throw damaged(`entry ${name} has no local header where the directory says`);
    const localNameLength = view.getUint16(local + 26, true);
    const dataStart = local + 30 + localNameLength + view.getUint16(local + 28, true);
    const localName = data.subarray(local + 30, local + 30 + localNameLength);
    if (view.getUint16(local + 8, true) !== method || Buffer.compare(localName, nameBytes) !== 0) {
      throw damaged(`entry ${name}'s local header does not match the central directory`);
    }
    if (dataStart + compressedSize > cdOffset) throw damaged(`entry ${name}'s data runs past the central directory`);
    entries.push({ name, method: method as 0 | 8, size, compressedSize, dataStart });
  }
  if (at !== cdEnd) throw damaged('the central directory holds more than its entries');
  // Entries may not overlap (overlapping entries are how the largest zip bombs reuse one stream).
  const byStart = [...entries].sort((a, b) => a.dataStart - b.dataStart);
  for (let i = 1; i < byStart.length; i++) {
    const prev = byStart[i - 1]!;
    if (byStart[i]!.dataStart < prev.dataStart + prev.compressedSize) throw refuseBundle(`entries ${prev.name} and ${byStart[i]!.name} overlap`);
  }
  return entries;
}

/** Stored bytes hashed between two turns of the event loop (~2 ms of sha256). */
const STORED_SLICE = 1024 * 1024;
/** Output zlib hands back at a time (each chunk is counted and hashed on the main thread). */
const INFLATE_CHUNK = 64 * 1024;

export interface InflateStats {
  /** Pieces of work done on the main thread (an output chunk counted and hashed, a stored slice hashed). */
  turns: number;
  /** The most bytes handled by one of them. */
  maxWorkPerTurn: number;
  inflated: number;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Inflates and hashes every entry, counting bytes as they come out. Refuses an entry that inflates to more
 * or fewer bytes than it declared, and a bundle that inflates past max(allowance, ratio × its size).
 */
export async function inflateEntries(
  data: Uint8Array,
  entries: readonly ZipEntry[],
  limits: ZipLimits,
  stats?: InflateStats,
  policy: ZipPolicy = BUNDLE_ZIP_POLICY,
): Promise<Map<string, InflatedEntry>> {
  const refuseBundle = policy.refuse;
  const budget = Math.min(limits.maxTotalBytes, Math.max(limits.inflateAllowance, limits.maxInflateRatio * data.byteLength));
  const out = new Map<string, InflatedEntry>();
  const s: InflateStats = stats ?? { turns: 0, maxWorkPerTurn: 0, inflated: 0 };
  const worked = (bytes: number) => {
    s.turns++;
    s.maxWorkPerTurn = Math.max(s.maxWorkPerTurn, bytes);
  };
  for (const entry of entries) {
    const hash = createHash('sha256');
    const compressed = data.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
    if (entry.method === 0) {
      for (let at = 0; at < compressed.byteLength; at += STORED_SLICE) {
        const slice = compressed.subarray(at, at + STORED_SLICE);
        hash.update(slice);
        worked(slice.byteLength);
        await nextTurn();
      }
      s.inflated += compressed.byteLength;
      out.set(entry.name, { bytes: compressed, sha256: hash.digest('hex') });
      continue;
    }
    const bytes = await inflateEntry(entry, compressed, refuseBundle, (chunk) => {
      s.inflated += chunk.byteLength;
      worked(chunk.byteLength);
      if (s.inflated > budget) {
        return refuseBundle(
          `its entries inflate to more than ${budget} bytes (over ${limits.maxInflateRatio} times the file's ${data.byteLength} bytes): a zip bomb, or ${policy.bomb}`,
        );
      }
      hash.update(chunk);
      return null;
    });
    out.set(entry.name, { bytes, sha256: hash.digest('hex') });
  }
  return out;
}

/** One deflated entry through zlib; `onChunk` sees every output chunk and may refuse (stopping zlib). */
function inflateEntry(entry: ZipEntry, compressed: Uint8Array, refuseBundle: ZipPolicy['refuse'], onChunk: (chunk: Buffer) => Error | null): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const inflater = createInflateRaw({ chunkSize: INFLATE_CHUNK });
    const chunks: Buffer[] = [];
    let produced = 0;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      inflater.destroy();
      reject(error);
    };
    inflater.on('data', (chunk: Buffer) => {
      if (failed) return;
      produced += chunk.byteLength;
      if (produced > entry.size) return fail(refuseBundle(`entry ${entry.name} inflates to more than the ${entry.size} bytes it declares`));
      const refused = onChunk(chunk);
      if (refused) return fail(refused);
      chunks.push(chunk);
    });
    inflater.on('error', (error) => fail(refuseBundle(`entry ${entry.name} is damaged: ${error.message}`)));
    inflater.on('end', () => {
      if (failed) return;
      // A deflate stream that ends early (a damaged entry) leaves the entry shorter than declared.
      if (produced !== entry.size) return fail(refuseBundle(`entry ${entry.name} is damaged: ${produced} bytes instead of ${entry.size}`));
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, produced);
      resolve(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    });
    inflater.end(compressed);
  });
}
