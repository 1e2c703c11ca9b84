/**
 * A transcribed-audio data set in LJ Speech's layout (metadata.csv + wavs/), real or synthetic, and the step
 * that turns a list of its clips into model batches: log-mel features [batch, nMels, frames] and token ids
 * [batch, maxLen]. Features are computed once per WAV content and kept in a cache (on disk, or in memory for
 * small sets), because the transform costs far more than reading its result back.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { perturbSpeed } from '../audio/augmentation.ts';
import { createFeatureCache } from '../audio/feature-cache.ts';
import { createLogMel, fitFrames } from '../audio/log-mel.ts';
import type { LogMelConfig } from '../audio/log-mel.ts';
import { parseWav } from '../audio/wav.ts';
import { DEFAULT_MAX_LEN, encodeText } from '../text/tokens.ts';

export interface SpeechClip {
  /** Row of metadata.csv, from 0: the homework's splits are ranges of it. */
  index: number;
  id: string;
  /** Second column: the transcript as written. */
  text: string;
  /** Third column: numbers, abbreviations and the like spelled out. */
  normalizedText: string;
  wavPath: string;
}

export interface SpeechCorpus {
  /** Short stable id, e.g. `ljspeech-1.1` or `synthetic-brown-espeak`. */
  id: string;
  dir: string;
  /** Rows in metadata.csv. */
  rows: number;
  /** The rows in use: all of them, or in subset mode those whose audio exists. */
  clips: SpeechClip[];
  /** Ids of rows left out for lack of audio (subset mode only). */
  missing: string[];
  sampleRate: number;
  /** sha256 of metadata.csv's bytes and the ids in use. */
  hash: string;
}

/** Clips whose metadata row index lies in [start, end). */
export function clipsInRange(clips: readonly SpeechClip[], start: number, end: number): SpeechClip[] {
  return clips.filter((clip) => clip.index >= start && clip.index < end);
}

export interface SpeechDatasetOptions {
  /** Frames per example: features are right-padded with zeros or cropped to it (the homework: 2754). */
  frames: number;
  /** Token sequence length (the homework: 99). */
  maxLen?: number;
  /** Which transcript column becomes the target (the homework used the normalized one). */
  textField?: 'normalizedText' | 'text';
  /** Every WAV must have this rate; nothing is resampled. */
  sampleRate?: number;
  /** Extractor settings other than frames; defaults are the homework's. */
  logMel?: Partial<Omit<LogMelConfig, 'frames'>>;
  /** Feature cache folder; null keeps features in memory (fine for small sets). */
  cacheDir: string | null;
  onProgress?: (done: number, total: number) => void;
  /** Clock for the timing stats only. */
  now?: () => number;
}

export interface SpeechBatch {
  ids: string[];
  size: number;
  /** [size, nMels, frames] row-major. */
  features: Float32Array;
  /** [size, maxLen] row-major. */
  tokens: Int32Array;
}

export interface SpeechDataset {
  ids: string[];
  size: number;
  nMels: number;
  frames: number;
  maxLen: number;
  /** [size, maxLen]: every clip's target tokens. */
  tokens: Int32Array;
  /** Each clip's frame count before padding/cropping (more than `frames` means the clip is cropped). */
  naturalFrames: Int32Array;
  /** sha256 over every clip's id, target text and WAV bytes, in order: exactly the data this set read. */
  hash: string;
  /** What preparing the set cost; timings only, never part of a result that must be deterministic. */
  stats: { computed: number; cached: number; computeSeconds: number; audioSeconds: number };
  /** Examples at these positions (0..size-1), in that order, padded or cropped to `frames` (default: the set's). */
  batch(positions: ArrayLike<number>, frames?: number): Promise<SpeechBatch>;
  /**
   * One clip's features at its own length [nMels, natural frames], for augmentation: as cached, or recomputed from
   * its WAV played `speed` times faster (cached too, under the WAV's hash and the speed) and then passed through
   * `noise` (never cached: noise is drawn anew each time).
   */
  clipFeatures(position: number, waveform?: { speed?: number; noise?: (samples: Float32Array) => Float32Array }): Promise<Float32Array>;
  /** Consecutive batches over `order` (default 0..size-1); the last one may be smaller. */
  batches(batchSize: number, order?: ArrayLike<number>): AsyncGenerator<SpeechBatch>;
}

/**
 * Reads every clip's WAV, hashes it, computes missing features into the cache and returns the data set.
 * A WAV that cannot be read, or has another sample rate, fails with the file's name.
 */
export async function createSpeechDataset(clips: readonly SpeechClip[], options: SpeechDatasetOptions): Promise<SpeechDataset> {
  const { frames, cacheDir, onProgress } = options;
  const maxLen = options.maxLen ?? DEFAULT_MAX_LEN;
  const textField = options.textField ?? 'normalizedText';
  const sampleRate = options.sampleRate ?? 22050;
  const now = options.now ?? (() => performance.now());
  if (!Number.isInteger(frames) || frames < 1) throw new Error(`speech dataset: frames must be a positive integer, got ${frames}`);
  if (clips.length === 0) throw new Error('speech dataset: no clips');
  const seen = new Set<string>();
  for (const clip of clips) {
    if (seen.has(clip.id)) throw new Error(`speech dataset: clip id ${clip.id} appears twice`);
    seen.add(clip.id);
  }

  const logMel = createLogMel({ ...options.logMel, frames: null });
  const { nMels } = logMel.config;
  const cache = createFeatureCache({ dir: cacheDir, config: logMel.config });
  const size = clips.length;
  const tokens = new Int32Array(size * maxLen); // [size, maxLen]
  const naturalFrames = new Int32Array(size);
  const keys: string[] = [];
  const datasetHash = createHash('sha256');
  const stats = { computed: 0, cached: 0, computeSeconds: 0, audioSeconds: 0 };

  for (let i = 0; i < size; i++) {
    const clip = clips[i];
    const text = clip[textField];
    tokens.set(encodeText(text, maxLen), i * maxLen);
    let bytes: Buffer;
    try {
      bytes = await readFile(clip.wavPath);
    } catch (error) {
      throw new Error(`speech dataset: cannot read the audio of ${clip.id}, ${clip.wavPath} (${(error as NodeJS.ErrnoException).code ?? error})`);
    }
    const key = createHash('sha256').update(bytes).digest('hex');
    keys.push(key);
    datasetHash.update(`${clip.id}\t${text}\t${key}\n`);
    let stored = await cache.frames(key);
    if (stored === null) {
      const wav = parseWav(bytes, { source: clip.wavPath, expectedSampleRate: sampleRate });
      const started = now();
      const features = logMel.compute(wav.samples); // [nMels, natural frames]
      stats.computeSeconds += (now() - started) / 1000;
      stats.audioSeconds += wav.samples.length / sampleRate;
      stats.computed++;
      await cache.put(key, features);
      stored = features.length / nMels;
    } else {
      stats.cached++;
    }
    naturalFrames[i] = stored;
    onProgress?.(i + 1, size);
  }

  const ids = clips.map((clip) => clip.id);

  async function batch(positions: ArrayLike<number>, batchFrames = frames): Promise<SpeechBatch> {
    if (!Number.isInteger(batchFrames) || batchFrames < 1) throw new Error(`speech dataset: batch frames must be a positive integer, got ${batchFrames}`);
    const count = positions.length;
    const features = new Float32Array(count * nMels * batchFrames); // [count, nMels, batchFrames]
    const batchTokens = new Int32Array(count * maxLen); // [count, maxLen]
    const batchIds: string[] = [];
    for (let b = 0; b < count; b++) {
      const position = positions[b];
      checkPosition(position);
      const stored = await cached(keys[position], position);
      features.set(fitFrames(stored, nMels, batchFrames), b * nMels * batchFrames);
      batchTokens.set(tokens.subarray(position * maxLen, (position + 1) * maxLen), b * maxLen);
      batchIds.push(ids[position]);
    }
    return { ids: batchIds, size: count, features, tokens: batchTokens };
  }

  function checkPosition(position: number): void {
    if (!Number.isInteger(position) || position < 0 || position >= size) throw new Error(`speech dataset: position ${position} is outside 0..${size - 1}`);
  }

  async function cached(key: string, position: number): Promise<Float32Array> {
    const stored = await cache.get(key);
    if (!stored) throw new Error(`speech dataset: features of ${ids[position]} vanished from the cache ${cache.dir ?? '(memory)'}`);
    return stored;
  }

  async function clipFeatures(position: number, waveform: { speed?: number; noise?: (samples: Float32Array) => Float32Array } = {}): Promise<Float32Array> {
    checkPosition(position);
    const speed = waveform.speed ?? 1;
    const key = speed === 1 ? keys[position] : createHash('sha256').update(`${keys[position]} speed ${speed}`).digest('hex');
    if (!waveform.noise) {
      const stored = await cache.get(key);
      if (stored) return stored;
    }
    const { wavPath } = clips[position];
    const wav = parseWav(await readFile(wavPath), { source: wavPath, expectedSampleRate: sampleRate });
    const played = perturbSpeed(wav.samples, speed, sampleRate);
    if (waveform.noise) return logMel.compute(waveform.noise(played)); // [nMels, natural frames]
    const features = logMel.compute(played); // [nMels, natural frames]
    await cache.put(key, features);
    return features;
  }

  async function* batches(batchSize: number, order?: ArrayLike<number>): AsyncGenerator<SpeechBatch> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`speech dataset: batch size must be a positive integer, got ${batchSize}`);
    const sequence = order ?? Int32Array.from({ length: size }, (_, i) => i);
    for (let start = 0; start < sequence.length; start += batchSize) {
      yield batch(Array.prototype.slice.call(sequence, start, start + batchSize) as number[]);
    }
  }

  return { ids, size, nMels, frames, maxLen, tokens, naturalFrames, hash: datasetHash.digest('hex'), stats, batch, batches, clipFeatures };
}
