/**
 * A small RIFF/WAVE reader and writer. Two readers share one chunk walker:
 * - `parseWav`, for data sets: mono 16-bit PCM and 32-bit IEEE float only (LJ Speech and espeak-ng write 16-bit
 *   PCM). What matters there is the strictness: a wrong sample rate, a second channel, or a truncated data chunk
 *   must fail with the file's name instead of turning into features silently.
 * - `decodeWav`, for audio a reader brings (`npm run transcribe`): 16/24/32-bit PCM or 32-bit float, any number of
 *   channels, any rate; the caller mixes down and resamples.
 * Written here rather than taken from a library because the format is tiny and the error messages are the point.
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

class WavError extends Error {
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

interface WavFormat {
  tag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
}

/** Walks the chunks up to the data chunk: the format, and where the data lies (its size checked against the file). */
function locateData(bytes: Uint8Array, source: string): { view: DataView; format: WavFormat; body: number; size: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength === 0) throw new WavError(source, 'the file is empty');
  if (bytes.byteLength < 12) throw new WavError(source, `${bytes.byteLength} bytes is too short for a RIFF header`);
  if (fourCC(view, 0) !== 'RIFF' || fourCC(view, 8) !== 'WAVE') {
    throw new WavError(source, `not a RIFF/WAVE file (starts with '${fourCC(view, 0)}', form '${fourCC(view, 8)}')`);
  }

  let format: WavFormat | undefined;
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
      if (body + size > bytes.byteLength) {
        throw new WavError(source, `data chunk declares ${size} bytes but only ${bytes.byteLength - body} remain: the file is truncated`);
      }
      return { view, format, body, size };
    }
    // Chunks are word-aligned: an odd size is followed by one pad byte.
    offset = body + size + (size & 1);
  }
  throw new WavError(source, format ? 'no data chunk' : 'no fmt chunk');
}

export function parseWav(bytes: Uint8Array, options: WavReadOptions = {}): WavAudio {
  const source = options.source ?? 'WAV buffer';
  const { view, format, body, size } = locateData(bytes, source);
  return decodeData(view, body, size, format, source, options.expectedSampleRate);
}

function decodeData(view: DataView, body: number, size: number, format: WavFormat, source: string, expectedSampleRate: number | undefined): WavAudio {
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

// ---------------------------------------------------------------------------------------------------------
// Any PCM or float WAV, for audio brought from outside the data sets

export type WavEncoding = 'pcm16' | 'pcm24' | 'pcm32' | 'float32';

export interface DecodedWav {
  sampleRate: number;
  /** One array per channel, samples in [-1, 1): integers divided by 2^(bits-1), as torchaudio.load normalises them. */
  channels: Float32Array[];
  encoding: WavEncoding;
}

const pcmScale = { 16: 2 ** 15, 24: 2 ** 23, 32: 2 ** 31 } as const;

/** 16-, 24- or 32-bit PCM or 32-bit float, any number of interleaved channels, any rate; anything else is a WavError. */
export function decodeWav(bytes: Uint8Array, options: { source?: string } = {}): DecodedWav {
  const source = options.source ?? 'WAV buffer';
  const { view, format, body, size } = locateData(bytes, source);
  const { tag, channels, sampleRate, bitsPerSample, blockAlign } = format;
  let encoding: WavEncoding;
  if (tag === WAVE_FORMAT_PCM && (bitsPerSample === 16 || bitsPerSample === 24 || bitsPerSample === 32)) encoding = `pcm${bitsPerSample}`;
  else if (tag === WAVE_FORMAT_IEEE_FLOAT && bitsPerSample === 32) encoding = 'float32';
  else {
    const kind =
      tag === WAVE_FORMAT_PCM
        ? `${bitsPerSample}-bit PCM`
        : tag === WAVE_FORMAT_IEEE_FLOAT
          ? `${bitsPerSample}-bit float`
          : `format tag ${tag} (${bitsPerSample} bits)`;
    throw new WavError(source, `${kind} is not supported; 16-, 24- or 32-bit PCM and 32-bit float are`);
  }
  if (channels < 1) throw new WavError(source, 'the fmt chunk declares 0 channels');
  if (sampleRate < 1) throw new WavError(source, 'the fmt chunk declares a sample rate of 0 Hz');
  const bytesPerSample = bitsPerSample / 8;
  const frameBytes = bytesPerSample * channels;
  if (blockAlign !== frameBytes)
    throw new WavError(source, `block align ${blockAlign} does not match ${channels} channels of ${bitsPerSample} bits (${frameBytes} bytes)`);
  if (size % frameBytes !== 0)
    throw new WavError(source, `data chunk of ${size} bytes is not a whole number of ${channels}-channel ${bitsPerSample}-bit frames`);
  const frames = size / frameBytes;
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      const at = body + i * frameBytes + c * bytesPerSample;
      let value: number;
      if (encoding === 'float32') value = view.getFloat32(at, true);
      else if (encoding === 'pcm16') value = view.getInt16(at, true) / pcmScale[16];
      else if (encoding === 'pcm32') value = view.getInt32(at, true) / pcmScale[32];
      else value = (((view.getUint8(at + 2) << 24) | (view.getUint8(at + 1) << 16) | (view.getUint8(at) << 8)) >> 8) / pcmScale[24]; // sign-extends
      out[c][i] = value;
    }
  }
  return { sampleRate, channels: out, encoding };
}

/** Reads and decodes any supported WAV; every problem, including an unreadable file, is a WavError naming `path`. */
export async function readAnyWav(path: string): Promise<DecodedWav> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new WavError(
      path,
      `cannot read (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : (code ?? (error as Error).message)})`,
    );
  }
  return decodeWav(bytes, { source: path });
}

/** The mean of the channels, sample by sample (what torchaudio users write as `waveform.mean(0)`). */
export function mixToMono(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 0) throw new Error('mixToMono: no channels');
  if (channels.length === 1) return channels[0];
  const length = channels[0].length;
  if (channels.some((channel) => channel.length !== length)) throw new Error('mixToMono: channels differ in length');
  const mono = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    let sum = 0;
    for (const channel of channels) sum += channel[i];
    mono[i] = sum / channels.length;
  }
  return mono;
}

/**
 * A canonical WAV of any supported encoding and channel count (float samples; PCM values are rounded and
 * clipped to the integer range). For tests and fixtures.
 */
export function encodeWav(channels: readonly Float32Array[], sampleRate: number, encoding: WavEncoding): Uint8Array {
  const count = channels.length;
  const frames = channels[0]?.length ?? 0;
  if (count < 1 || channels.some((channel) => channel.length !== frames)) throw new Error('encodeWav: need at least one channel, all of one length');
  const bits = encoding === 'float32' ? 32 : Number(encoding.slice(3));
  const bytesPerSample = bits / 8;
  const { bytes, view } = withHeader(
    encoding === 'float32' ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM,
    bits,
    sampleRate,
    frames * count * bytesPerSample,
    count,
  );
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < count; c++) {
      const at = 44 + (i * count + c) * bytesPerSample;
      const value = channels[c][i];
      if (encoding === 'float32') {
        view.setFloat32(at, value, true);
        continue;
      }
      const scale = pcmScale[bits as 16 | 24 | 32];
      const integer = Math.max(-scale, Math.min(scale - 1, Math.round(value * scale)));
      if (bits === 16) view.setInt16(at, integer, true);
      else if (bits === 32) view.setInt32(at, integer, true);
      else {
        view.setUint8(at, integer & 0xff);
        view.setUint8(at + 1, (integer >> 8) & 0xff);
        view.setUint8(at + 2, (integer >> 16) & 0xff);
      }
    }
  }
  return bytes;
}

/** A canonical 44-byte header, followed by room for `dataBytes` of interleaved samples. */
function withHeader(tag: number, bitsPerSample: number, sampleRate: number, dataBytes: number, channels = 1): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < 4; i++) bytes[offset + i] = text.charCodeAt(i);
  };
  const blockAlign = (bitsPerSample / 8) * channels;
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, tag, true);
  view.setUint16(22, channels, true);
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
