/**
 * NumPy's `.npy` format (versions 1.0 to 3.0): the magic `\x93NUMPY`, a version, a header length, a Python
 * dict literal `{'descr': '<u1', 'fortran_order': False, 'shape': (97477, 28, 28), }`, then the raw data.
 * Only plain numeric dtypes in C order are read; structured dtypes, objects and Fortran order are rejected by
 * name rather than misread. Any byte order is accepted (big-endian data is converted).
 */
import { DataFileError } from './data-file-error.ts';

export type NpyDtype = 'bool' | 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'uint64' | 'int64' | 'float32' | 'float64';

export type NpyData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface DtypeInfo {
  dtype: NpyDtype;
  size: number;
  make(length: number): NpyData;
  /** Reads element i from a DataView in the given byte order (for big-endian data only). */
  get(view: DataView, offset: number, littleEndian: boolean): number | bigint;
}

const dtypes: Record<string, DtypeInfo> = {
  b1: { dtype: 'bool', size: 1, make: (n) => new Uint8Array(n), get: (v, o) => v.getUint8(o) },
  u1: { dtype: 'uint8', size: 1, make: (n) => new Uint8Array(n), get: (v, o) => v.getUint8(o) },
  i1: { dtype: 'int8', size: 1, make: (n) => new Int8Array(n), get: (v, o) => v.getInt8(o) },
  u2: { dtype: 'uint16', size: 2, make: (n) => new Uint16Array(n), get: (v, o, le) => v.getUint16(o, le) },
  i2: { dtype: 'int16', size: 2, make: (n) => new Int16Array(n), get: (v, o, le) => v.getInt16(o, le) },
  u4: { dtype: 'uint32', size: 4, make: (n) => new Uint32Array(n), get: (v, o, le) => v.getUint32(o, le) },
  i4: { dtype: 'int32', size: 4, make: (n) => new Int32Array(n), get: (v, o, le) => v.getInt32(o, le) },
  u8: { dtype: 'uint64', size: 8, make: (n) => new BigUint64Array(n), get: (v, o, le) => v.getBigUint64(o, le) },
  i8: { dtype: 'int64', size: 8, make: (n) => new BigInt64Array(n), get: (v, o, le) => v.getBigInt64(o, le) },
  f4: { dtype: 'float32', size: 4, make: (n) => new Float32Array(n), get: (v, o, le) => v.getFloat32(o, le) },
  f8: { dtype: 'float64', size: 8, make: (n) => new Float64Array(n), get: (v, o, le) => v.getFloat64(o, le) },
};

export function parseNpy(bytes: Uint8Array, source = 'npy buffer'): NpyArray {
  if (bytes.byteLength < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DataFileError(source, 'not a .npy array (the file does not start with \\x93NUMPY)');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.byteLength < 12) throw new DataFileError(source, '.npy header is truncated');
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else {
    throw new DataFileError(source, `.npy format version ${major}.${bytes[7]} is not supported (1.0 to 3.0 are)`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.byteLength) {
    throw new DataFileError(source, `.npy header of ${headerLength} bytes runs past the end of the data (${bytes.byteLength} bytes): truncated`);
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataFileError(source, `.npy header is not a plain array header (structured dtypes are not supported): ${header.trim()}`);
  }
  if (fortran === 'True') throw new DataFileError(source, '.npy array is in Fortran order; only C order is supported');
  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const value = Number(part.replace(/L$/, ''));
      if (!Number.isSafeInteger(value) || value < 0) throw new DataFileError(source, `.npy shape (${shapeText}) is not a tuple of sizes`);
      return value;
    });

  const order = descr[0];
  const info = dtypes[descr.slice(1)];
  if (!'<>|='.includes(order) || !info) throw new DataFileError(source, `.npy dtype '${descr}' is not supported`);
  const littleEndian = order !== '>';

  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * info.size;
  const found = bytes.byteLength - dataStart;
  if (found < expected) {
    throw new DataFileError(source, `.npy data is truncated: shape (${shape.join(', ')}) of ${descr} needs ${expected} bytes, found ${found}`);
  }
  if (found > expected) {
    throw new DataFileError(source, `.npy data has ${found - expected} bytes beyond what shape (${shape.join(', ')}) of ${descr} holds`);
  }

  const data = info.make(count);
  if (littleEndian || info.size === 1) {
    // Copy rather than view: the data section need not be aligned to the element size.
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart, dataStart + expected));
  } else {
    const target = data as unknown as { [index: number]: number | bigint };
    for (let i = 0; i < count; i++) target[i] = info.get(view, dataStart + i * info.size, false);
  }
  return { dtype: info.dtype, shape, data };
}

const descrOf: Record<NpyDtype, string> = {
  bool: '|b1',
  uint8: '|u1',
  int8: '|i1',
  uint16: '<u2',
  int16: '<i2',
  uint32: '<u4',
  int32: '<i4',
  uint64: '<u8',
  int64: '<i8',
  float32: '<f4',
  float64: '<f8',
};

/** Writes a C-order, little-endian `.npy` (version 1.0) exactly as NumPy does, header padded to 64 bytes. */
export function encodeNpy(array: NpyArray): Uint8Array {
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (array.data.length !== count) throw new Error(`encodeNpy: shape [${array.shape}] holds ${count} values, data has ${array.data.length}`);
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  const dict = `{'descr': '${descrOf[array.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = MAGIC.length + 4 + dict.length + 1;
  const header = `${dict}${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const data = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(data, 10 + header.length);
  return out;
}
