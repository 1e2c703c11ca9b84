/**
 * A cache of log-mel features keyed by the sha256 of the WAV bytes they were computed from, so a clip is never
 * transformed twice for the same extractor settings (features cost far more than reading them back).
 *
 * On disk: <dir>/log-mel-<settings hash>/<wav sha256>.lmel, each file a 16-byte header
 * ('LMEL', version, nMels, frames as little-endian u32) and then float32 little-endian values [nMels, frames].
 * Files are written atomically (src/lib/fs/atomic.ts), so an interrupted run never leaves half a file.
 * Features are stored at the clip's own length; padding/cropping happens when batches are assembled.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.ts';
import type { LogMelConfig } from './log-mel.ts';

const MAGIC = 0x4c454d4c; // 'LMEL' read as a little-endian u32
const VERSION = 1;
const HEADER_BYTES = 16;

export interface FeatureCache {
  /** Where the files live, or null for a cache held in memory. */
  readonly dir: string | null;
  /** Frames stored for `key`, or null when absent. */
  frames(key: string): Promise<number | null>;
  /** [nMels, frames] row-major. */
  get(key: string): Promise<Float32Array | null>;
  put(key: string, features: Float32Array): Promise<void>;
}

/** Short hash of the extractor settings that change the values (frames excluded: padding is done later). */
function logMelSettingsKey(config: LogMelConfig): string {
  const { frames: _ignored, ...settings } = config;
  const ordered = Object.fromEntries(Object.entries(settings).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256')
    .update(JSON.stringify({ version: VERSION, ...ordered }))
    .digest('hex')
    .slice(0, 16);
}

export function createFeatureCache(options: { dir: string | null; config: LogMelConfig }): FeatureCache {
  const { nMels } = options.config;
  if (options.dir === null) return memoryCache(nMels);
  if (endianness() !== 'LE') throw new Error('feature cache: files are little-endian and this host is not');
  const dir = join(options.dir, `log-mel-${logMelSettingsKey(options.config)}`);
  const path = (key: string) => {
    if (!/^[0-9a-f]{16,64}$/.test(key)) throw new Error(`feature cache: key '${key}' is not a hex digest`);
    return join(dir, `${key}.lmel`);
  };
  let made = false;

  async function read(key: string): Promise<Float32Array | null> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const header = new DataView(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, HEADER_BYTES));
    const valid =
      bytes.byteLength >= HEADER_BYTES &&
      header.getUint32(0, true) === MAGIC &&
      header.getUint32(4, true) === VERSION &&
      header.getUint32(8, true) === nMels &&
      bytes.byteLength === HEADER_BYTES + 4 * nMels * header.getUint32(12, true);
    if (!valid) throw new Error(`feature cache: ${path(key)} is not a valid ${nMels}-mel feature file; delete it to recompute`);
    // Copy out of the (possibly unaligned, pooled) buffer.
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset + HEADER_BYTES, bytes.byteOffset + bytes.byteLength));
  }

  return {
    dir,
    async frames(key) {
      try {
        const { size } = await stat(path(key));
        return (size - HEADER_BYTES) / (4 * nMels);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    get: read,
    async put(key, features) {
      if (features.length % nMels !== 0) throw new Error(`feature cache: ${features.length} values is not a multiple of ${nMels} mels`);
      if (!made) {
        await mkdir(dir, { recursive: true });
        made = true;
      }
      const bytes = new Uint8Array(HEADER_BYTES + features.byteLength);
      const header = new DataView(bytes.buffer);
      header.setUint32(0, MAGIC, true);
      header.setUint32(4, VERSION, true);
      header.setUint32(8, nMels, true);
      header.setUint32(12, features.length / nMels, true);
      bytes.set(new Uint8Array(features.buffer, features.byteOffset, features.byteLength), HEADER_BYTES);
      await writeFileAtomic(path(key), bytes);
    },
  };
}

function memoryCache(nMels: number): FeatureCache {
  const store = new Map<string, Float32Array>();
  return {
    dir: null,
    async frames(key) {
      const features = store.get(key);
      return features ? features.length / nMels : null;
    },
    async get(key) {
      return store.get(key) ?? null;
    },
    async put(key, features) {
      store.set(key, features);
    },
  };
}
