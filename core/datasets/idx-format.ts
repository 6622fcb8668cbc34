// The IDX format (LeCun's MNIST files, and Fashion-MNIST, KMNIST and EMNIST after it): two zero bytes, a data
// type byte, a dimension count, then one big-endian uint32 per dimension, then the values. Images are
// unsigned bytes in 3 dimensions (images, rows, columns); labels unsigned bytes in 1. Every refusal names the
// file and the field: the magic number, the type, the dimension count, a side, the data length.
import { IMAGE_LIMITS, PIXEL_FILE_LIMITS } from '../../shared/limits/inputs.js';
import { DatasetImportError } from './errors.js';

export type IdxRole = 'images' | 'labels';

export interface IdxHeader {
  /** [count] for labels, [count, rows, columns] for images. */
  dims: number[];
  /** Bytes before the data. */
  dataStart: number;
  /** Bytes of data the header declares. */
  dataBytes: number;
}

const TYPES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};
const DIMS: Record<IdxRole, { n: number; what: string; other: IdxRole }> = {
  images: { n: 3, what: '3 dimensions (images, rows, columns)', other: 'labels' },
  labels: { n: 1, what: '1 dimension (labels)', other: 'images' },
};

const hex = (n: number, width = 2) => `0x${n.toString(16).padStart(width, '0')}`;

/** Bytes an IDX header of this role takes: what the reader inflates before it checks the header. */
export const idxHeadBytes = (role: IdxRole) => 4 + 4 * DIMS[role].n;

/**
 * Reads and checks an IDX header from the file's first bytes (all of them or at least `idxHeadBytes`):
 * throws naming the field when the file is not an IDX `role` file this importer reads.
 */
export function parseIdxHeader(head: Uint8Array, shown: string, role: IdxRole): IdxHeader {
  const refuse = (code: 'bad_header' | 'truncated' | 'empty' | 'too_large', why: string) => new DatasetImportError(code, `${shown}: ${why}`, { file: shown });
  if (head.byteLength < 4) throw refuse('truncated', `truncated: ${head.byteLength} bytes, shorter than an IDX header`);
  const magic = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  if (head[0] !== 0 || head[1] !== 0) {
    throw refuse('bad_header', `not an IDX file (magic number ${hex(magic, 8)}; an IDX file starts with two zero bytes, a type byte and a dimension count)`);
  }
  const type = head[2]!;
  if (type !== 0x08) {
    const name = TYPES[type];
    throw refuse('bad_header', `${name ? `IDX data type ${hex(type)} (${name})` : `unknown IDX data type ${hex(type)}`} in magic number ${hex(magic, 8)}; only unsigned bytes (0x08) are read`);
  }
  const spec = DIMS[role];
  const ndims = head[3]!;
  if (ndims !== spec.n) {
    const hint = ndims === DIMS[spec.other].n ? ` (is it the ${spec.other} file?)` : '';
    throw refuse('bad_header', `an IDX ${role} file has ${spec.what}; this one has ${ndims}${hint}`);
  }
  const dataStart = 4 + 4 * ndims;
  if (head.byteLength < dataStart) throw refuse('truncated', `truncated: ${head.byteLength} bytes, shorter than its ${dataStart}-byte IDX header`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  if (dims[0] === 0) throw refuse('empty', `its IDX header declares 0 ${role}`);
  if (role === 'images') {
    const [, rows, cols] = dims as [number, number, number];
    const { minSide, maxSide } = IMAGE_LIMITS;
    if ([rows, cols].some((s) => s < minSide || s > maxSide)) {
      throw refuse('bad_header', `its IDX header declares images of ${rows} × ${cols} pixels; each side must be in [${minSide}, ${maxSide}]`);
    }
  }
  const dataBytes = dims.reduce((a, b) => a * b, 1);
  if (role === 'images' && dataBytes > PIXEL_FILE_LIMITS.maxValues) {
    throw refuse('too_large', `its IDX header declares ${dims.join(' × ')} = ${dataBytes} pixel values, over the limit of ${PIXEL_FILE_LIMITS.maxValues} (they train as float32: 1 GiB)`);
  }
  return { dims, dataStart, dataBytes };
}

/** The size a whole IDX file declares, for the gzip reader's early stop. */
export function idxDeclaredSize(role: IdxRole, shown: string) {
  return (head: Uint8Array): number => {
    const h = parseIdxHeader(head, shown, role);
    return h.dataStart + h.dataBytes;
  };
}

export interface IdxData {
  header: IdxHeader;
  /** The values (a view of the file's bytes). */
  data: Uint8Array;
}

/** Parses a whole IDX file: its header, and exactly the data it declares (no less, no more). */
export function parseIdx(bytes: Uint8Array, shown: string, role: IdxRole): IdxData {
  const header = parseIdxHeader(bytes, shown, role);
  const have = bytes.byteLength - header.dataStart;
  const declared = role === 'images' ? `${header.dims[0]} images of ${header.dims[1]} × ${header.dims[2]}` : `${header.dims[0]} labels`;
  if (have < header.dataBytes) {
    throw new DatasetImportError('truncated', `${shown}: truncated: its IDX header declares ${declared} (${header.dataBytes} bytes) but ${have} bytes follow`, { file: shown });
  }
  if (have > header.dataBytes) {
    throw new DatasetImportError('trailing_data', `${shown}: ${have - header.dataBytes} bytes after the ${header.dataBytes} bytes of data its IDX header declares (${declared})`, { file: shown });
  }
  return { header, data: bytes.subarray(header.dataStart) };
}
