/**
 * NumPy's `.npz`: a zip (stored or deflated, often zip64 as NumPy writes it) of `.npy` members. fflate
 * unpacks the zip; member CRCs are not checked here, so callers that need integrity check a digest of the
 * whole file (MedMNIST publishes MD5s).
 */
import { unzipSync, zipSync } from 'fflate';
import { DataFileError } from './data-file-error.ts';
import { encodeNpy, parseNpy, type NpyArray } from './npy.ts';

/** Arrays by name, without the `.npy` suffix. */
export function parseNpz(bytes: Uint8Array, source = 'npz buffer'): Map<string, NpyArray> {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes);
  } catch (error) {
    throw new DataFileError(source, `not a readable .npz (zip) file, truncated or corrupt: ${(error as Error).message}`, { cause: error });
  }
  const arrays = new Map<string, NpyArray>();
  for (const [name, member] of Object.entries(members)) {
    if (!name.endsWith('.npy')) throw new DataFileError(source, `member '${name}' is not a .npy array`);
    arrays.set(name.slice(0, -4), parseNpy(member, `${source} [${name}]`));
  }
  return arrays;
}

/** An `.npz` as `np.savez_compressed` would write it (for tests and fixtures). */
export function encodeNpz(arrays: Record<string, NpyArray>, level: 0 | 1 | 6 | 9 = 6): Uint8Array {
  const members: Record<string, Uint8Array> = {};
  for (const [name, array] of Object.entries(arrays)) members[`${name}.npy`] = encodeNpy(array);
  // A fixed timestamp keeps the bytes (and so any digest of them) reproducible.
  return zipSync(members, { level, mtime: new Date(Date.UTC(1980, 0, 1)) });
}
