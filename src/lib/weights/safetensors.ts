/**
 * Reader and writer for the safetensors format: an 8-byte little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`, then raw little-endian data.
 * Only float32 is needed here (PyTorch state dicts of the homework's models); other dtypes are rejected
 * by name rather than misread.
 */
import { readFile } from 'node:fs/promises';

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

export type TensorMap = Map<string, NamedTensor>;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

class SafetensorsError extends Error {
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`);
    this.name = 'SafetensorsError';
  }
}

export function parseSafetensors(bytes: Uint8Array, source = 'safetensors buffer'): TensorMap {
  if (bytes.byteLength < 8) throw new SafetensorsError(source, `file is ${bytes.byteLength} bytes, too short for a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.byteLength) {
    throw new SafetensorsError(source, `header length ${headerLength} runs past the end of the file (${bytes.byteLength} bytes)`);
  }
  let header: Record<string, HeaderEntry | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    throw new SafetensorsError(source, `header is not valid JSON (${(error as Error).message})`);
  }
  const dataStart = 8 + headerLength;
  const tensors: TensorMap = new Map();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const {
      dtype,
      shape,
      data_offsets: [begin, end],
    } = entry as HeaderEntry;
    if (dtype !== 'F32') throw new SafetensorsError(source, `tensor '${name}' has dtype ${dtype}; only F32 is supported`);
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * 4) {
      throw new SafetensorsError(source, `tensor '${name}' of shape [${shape}] needs ${count * 4} bytes, header gives ${end - begin}`);
    }
    if (dataStart + end > bytes.byteLength) throw new SafetensorsError(source, `tensor '${name}' runs past the end of the file`);
    // Copy: the data section need not be 4-byte aligned in the buffer.
    const data = new Float32Array(count);
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + begin, dataStart + end));
    tensors.set(name, { shape, data });
  }
  return tensors;
}

export async function readSafetensors(path: string): Promise<TensorMap> {
  return parseSafetensors(new Uint8Array(await readFile(path)), path);
}

/** Serialises tensors in name order (so equal maps give equal bytes). */
export function serializeSafetensors(tensors: TensorMap, metadata?: Record<string, string>): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const { shape, data } = tensors.get(name)!;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  // The format pads the header with spaces so the data section starts 8-byte aligned.
  const padded = Math.ceil(headerBytes.length / 8) * 8;
  headerBytes = new TextEncoder().encode(JSON.stringify(header).padEnd(padded, ' '));
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let cursor = 8 + headerBytes.length;
  for (const name of names) {
    const { data } = tensors.get(name)!;
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), cursor);
    cursor += data.byteLength;
  }
  return out;
}
