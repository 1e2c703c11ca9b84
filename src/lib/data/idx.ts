/**
 * The IDX format of MNIST and Fashion-MNIST: two zero bytes, a type code (0x08 = unsigned byte), the number
 * of dimensions, one big-endian uint32 per dimension, then the data in C order. Files usually come gzipped;
 * node:zlib decompresses them because it checks the gzip CRC and length (fflate does not), so a damaged
 * archive fails loudly instead of yielding shifted pixels.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataFileError } from './data-file-error.ts';

export interface IdxArray {
  shape: number[];
  /** Unsigned bytes in C order. */
  data: Uint8Array;
}

const UBYTE = 0x08;
const typeNames: Record<number, string> = { 0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'short', 0x0c: 'int', 0x0d: 'float', 0x0e: 'double' };

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function gunzip(bytes: Uint8Array, source: string): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(bytes));
  } catch (error) {
    throw new DataFileError(source, `gzip data is truncated or corrupt (${(error as Error).message})`, { cause: error });
  }
}

export function parseIdx(bytes: Uint8Array, source = 'idx buffer'): IdxArray {
  if (bytes.byteLength < 4) throw new DataFileError(source, `IDX file is ${bytes.byteLength} bytes, too short for a header`);
  const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new DataFileError(source, `wrong IDX magic number 0x${magic} (expected 0x0000 then type and rank)`);
  if (bytes[2] !== UBYTE) {
    const type = typeNames[bytes[2]] ?? 'an unknown type';
    throw new DataFileError(source, `IDX magic number 0x${magic} declares ${type} data; only unsigned bytes (0x08) are supported`);
  }
  const rank = bytes[3];
  if (rank < 1) throw new DataFileError(source, `IDX magic number 0x${magic} declares rank 0`);
  const dataStart = 4 + 4 * rank;
  if (bytes.byteLength < dataStart) throw new DataFileError(source, `IDX header of rank ${rank} is truncated`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const found = bytes.byteLength - dataStart;
  if (found !== count) {
    const what = found < count ? 'truncated' : 'too long';
    throw new DataFileError(source, `IDX data is ${what}: shape [${shape.join(', ')}] needs ${count} bytes, found ${found}`);
  }
  return { shape, data: bytes.slice(dataStart) };
}

/** Parses an IDX file's bytes, gunzipping first when they are gzip (detected by content, not by name). */
export function decodeIdxFile(bytes: Uint8Array, source: string): IdxArray {
  return parseIdx(isGzip(bytes) ? gunzip(bytes, source) : bytes, source);
}

export function encodeIdx(array: IdxArray): Uint8Array {
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (array.data.length !== count) throw new Error(`encodeIdx: shape [${array.shape}] holds ${count} values, data has ${array.data.length}`);
  const out = new Uint8Array(4 + 4 * array.shape.length + count);
  out[2] = UBYTE;
  out[3] = array.shape.length;
  const view = new DataView(out.buffer);
  array.shape.forEach((size, i) => view.setUint32(4 + 4 * i, size, false));
  out.set(array.data, 4 + 4 * array.shape.length);
  return out;
}

/** Gzip with fixed settings: node:zlib writes no timestamp or name, so equal input gives equal bytes. */
export function gzipIdx(array: IdxArray): Uint8Array {
  return new Uint8Array(gzipSync(encodeIdx(array), { level: 9 }));
}
