/**
 * A small RIFF/WAVE reader and writer for mono 16-bit PCM and 32-bit IEEE float, the two formats this project
 * meets (LJ Speech and espeak-ng write 16-bit PCM). Written here rather than taken from a library because the
 * format is tiny, and because what matters is the strictness: a wrong sample rate, a second channel, or a
 * truncated data chunk must fail with the file's name instead of turning into features silently.
 */
import { readFile } from 'node:fs/promises';

export interface WavAudio {
  sampleRate: number;
  /** Samples in [-1, 1): 16-bit values divided by 32768 (as torchaudio and the homework read them). */
  samples: Float32Array;
  /** The encoding found in the file. */
  encoding: 'pcm16' | 'float32';
}

export interface WavReadOptions {
  /** Name used in error messages (the file path). */
  source?: string;
  /** Reject any other rate: this project never resamples. */
  expectedSampleRate?: number;
}

export class WavError extends Error {
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`);
    this.name = 'WavError';
  }
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

function fourCC(view: DataView, offset: number): string {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}

export function parseWav(bytes: Uint8Array, options: WavReadOptions = {}): WavAudio {
  const source = options.source ?? 'WAV buffer';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12) throw new WavError(source, `${bytes.byteLength} bytes is too short for a RIFF header`);
  if (fourCC(view, 0) !== 'RIFF' || fourCC(view, 8) !== 'WAVE') {
    throw new WavError(source, `not a RIFF/WAVE file (starts with '${fourCC(view, 0)}', form '${fourCC(view, 8)}')`);
  }

  let format: { tag: number; channels: number; sampleRate: number; bitsPerSample: number; blockAlign: number } | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = fourCC(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > bytes.byteLength) throw new WavError(source, `fmt chunk of ${size} bytes is malformed or truncated`);
      let tag = view.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE keeps the real format in the first two bytes of its sub-format GUID.
      if (tag === WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40) throw new WavError(source, `extensible fmt chunk of ${size} bytes is too short`);
        tag = view.getUint16(body + 24, true);
      }
      format = {
        tag,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!format) throw new WavError(source, `data chunk comes before the fmt chunk`);
      return decodeData(bytes, view, body, size, format, source, options.expectedSampleRate);
    }
    // Chunks are word-aligned: an odd size is followed by one pad byte.
    offset = body + size + (size & 1);
  }
  throw new WavError(source, format ? 'no data chunk' : 'no fmt chunk');
}

function decodeData(
  bytes: Uint8Array,
  view: DataView,
  body: number,
  size: number,
  format: { tag: number; channels: number; sampleRate: number; bitsPerSample: number; blockAlign: number },
  source: string,
  expectedSampleRate: number | undefined,
): WavAudio {
  const { tag, channels, sampleRate, bitsPerSample } = format;
  if (channels !== 1) throw new WavError(source, `${channels} channels; only mono is supported`);
  let encoding: WavAudio['encoding'];
  if (tag === WAVE_FORMAT_PCM && bitsPerSample === 16) encoding = 'pcm16';
  else if (tag === WAVE_FORMAT_IEEE_FLOAT && bitsPerSample === 32) encoding = 'float32';
  else throw new WavError(source, `format tag ${tag} with ${bitsPerSample} bits per sample; only 16-bit PCM and 32-bit float are supported`);
  if (expectedSampleRate !== undefined && sampleRate !== expectedSampleRate) {
    throw new WavError(source, `sample rate ${sampleRate} Hz, expected ${expectedSampleRate} Hz (this project does not resample)`);
  }
  const bytesPerSample = bitsPerSample / 8;
  if (body + size > bytes.byteLength) {
    throw new WavError(source, `data chunk declares ${size} bytes but only ${bytes.byteLength - body} remain: the file is truncated`);
  }
  if (size % bytesPerSample !== 0) throw new WavError(source, `data chunk of ${size} bytes is not a whole number of ${bitsPerSample}-bit samples`);
  const count = size / bytesPerSample;
  const samples = new Float32Array(count);
  if (encoding === 'pcm16') {
    for (let i = 0; i < count; i++) samples[i] = view.getInt16(body + 2 * i, true) / 32768;
  } else {
    for (let i = 0; i < count; i++) samples[i] = view.getFloat32(body + 4 * i, true);
  }
  return { sampleRate, samples, encoding };
}

export async function readWav(path: string, options: Omit<WavReadOptions, 'source'> = {}): Promise<WavAudio> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new WavError(path, `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseWav(bytes, { ...options, source: path });
}

/** A canonical 44-byte header for mono audio, followed by room for `dataBytes` of samples. */
function withHeader(tag: number, bitsPerSample: number, sampleRate: number, dataBytes: number): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < 4; i++) bytes[offset + i] = text.charCodeAt(i);
  };
  const blockAlign = bitsPerSample / 8;
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, tag, true);
  view.setUint16(22, 1, true); // channels
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true); // byte rate
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bitsPerSample, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  return { bytes, view };
}

/** A mono 16-bit PCM WAV file, the layout LJ Speech uses. */
export function encodeWavPcm16(samples: Int16Array, sampleRate: number): Uint8Array {
  const { bytes, view } = withHeader(WAVE_FORMAT_PCM, 16, sampleRate, samples.length * 2);
  for (let i = 0; i < samples.length; i++) view.setInt16(44 + 2 * i, samples[i], true);
  return bytes;
}

/** A mono 32-bit float WAV file. */
export function encodeWavFloat32(samples: Float32Array, sampleRate: number): Uint8Array {
  const { bytes, view } = withHeader(WAVE_FORMAT_IEEE_FLOAT, 32, sampleRate, samples.length * 4);
  for (let i = 0; i < samples.length; i++) view.setFloat32(44 + 4 * i, samples[i], true);
  return bytes;
}
