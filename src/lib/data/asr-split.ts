/**
 * The bridge from a speech data set (features cached per clip) to what the ASR training loop reads: a split
 * is a list of positions in the data set, loaded in the order the loop asks for. A training split may be
 * augmented (../audio/augmentation.ts): each clip's draws then depend on the seed, the epoch the loop passes in
 * and the clip, never on the order clips are loaded in.
 */
import type { Augmentation } from '../audio/augmentation.ts';
import { addNoise, applyMasks, drawClip, drawMasks, normalizeUtterance } from '../audio/augmentation.ts';
import { fitFrames } from '../audio/log-mel.ts';
import { Random } from '../random.ts';
import { STOP } from '../text/tokens.ts';
import type { AsrSplit } from './asr-data.ts';
import type { SpeechDataset } from './speech-corpus.ts';

/** How a split's batches are shaped and scaled (default: every batch at the data set's frames and text length). */
export interface SplitOptions {
  /** Per-utterance normalisation of each clip's features: not an augmentation, so every split of a run must agree. */
  normalize?: boolean;
  /** Pad each batch only to its own longest clip (capped at the set's frames): length-bucketed batches. */
  padToBatch?: boolean;
  /**
   * Cut each batch's token rows after its longest transcript's stop token: teacher forcing then spends no steps
   * on positions that are padding in every row. For training batches; scoring keeps the full rows.
   */
  trimText?: boolean;
}

function checkedPositions(dataset: SpeechDataset, positions: readonly number[], name: string): (indices: readonly number[]) => number[] {
  for (const position of positions) {
    if (!Number.isInteger(position) || position < 0 || position >= dataset.size) {
      throw new Error(`speech split '${name}': position ${position} is outside the data set's 0..${dataset.size - 1}`);
    }
  }
  return (indices) =>
    indices.map((index) => {
      if (!Number.isInteger(index) || index < 0 || index >= positions.length) {
        throw new Error(`speech split '${name}': index ${index} is outside 0..${positions.length - 1}`);
      }
      return positions[index];
    });
}

/** The examples of `dataset` at `positions` (0..size-1), as a split whose index i is `positions[i]`. */
export function speechSplit(dataset: SpeechDataset, positions: readonly number[], name = 'split', options: SplitOptions = {}): AsrSplit {
  const choose = checkedPositions(dataset, positions, name);
  const { nMels } = dataset;
  const normalized = (features: Float32Array, chosen: number[], frames: number) => {
    if (!options.normalize) return;
    chosen.forEach((position, b) => {
      normalizeUtterance(features.subarray(b * nMels * frames, (b + 1) * nMels * frames), nMels, frames, Math.min(frames, dataset.naturalFrames[position]));
    });
  };
  return {
    size: positions.length,
    async load(indices) {
      const chosen = choose(indices);
      if (!options.padToBatch && !options.trimText) {
        const batch = await dataset.batch(chosen);
        normalized(batch.features, chosen, dataset.frames);
        return { audio: batch.features, text: batch.tokens }; // [batch, nMels, frames], [batch, maxLen]
      }
      const frames = options.padToBatch ? Math.min(dataset.frames, Math.max(...chosen.map((position) => dataset.naturalFrames[position]))) : dataset.frames;
      const batch = await dataset.batch(chosen, frames);
      normalized(batch.features, chosen, frames);
      if (!options.trimText) return { audio: batch.features, text: batch.tokens, frames }; // [batch, nMels, frames], [batch, maxLen]
      const textLength = Math.max(...chosen.map((_, row) => stopPosition(batch.tokens, row, dataset.maxLen) + 1));
      const text = new Int32Array(chosen.length * textLength); // [batch, textLength]
      chosen.forEach((_, row) => text.set(batch.tokens.subarray(row * dataset.maxLen, row * dataset.maxLen + textLength), row * textLength));
      return { audio: batch.features, text, frames, textLength }; // [batch, nMels, frames], [batch, textLength]
    },
  };
}

/** Where row `row`'s stop token sits (encodeText always writes one). */
function stopPosition(tokens: Int32Array, row: number, maxLen: number): number {
  const at = tokens.subarray(row * maxLen, (row + 1) * maxLen).indexOf(STOP);
  if (at < 0) throw new Error(`speech split: token row ${row} has no stop token`);
  return at;
}

/** Each position's clip length in frames as the model sees it (natural length, capped at the set's frames). */
export function splitLengths(dataset: SpeechDataset, positions: readonly number[]): number[] {
  return positions.map((position) => Math.min(dataset.frames, dataset.naturalFrames[position]));
}

/**
 * A training split whose clips are augmented anew each epoch: speed and noise on the waveform (speed-changed
 * features are cached, noisy ones computed per load), then normalisation if asked, then SpecAugment's masks. It
 * needs the epoch, so only the training loop can load it; without one it refuses rather than train unaugmented.
 */
export function augmentedSplit(
  dataset: SpeechDataset,
  positions: readonly number[],
  options: Pick<SplitOptions, 'normalize'> & { augmentation: Augmentation; seed: number; name?: string },
): AsrSplit {
  const { augmentation, seed, name = 'train' } = options;
  const choose = checkedPositions(dataset, positions, name);
  const { nMels, frames, maxLen } = dataset;
  return {
    size: positions.length,
    async load(indices, context) {
      if (!context) throw new Error(`augmented split '${name}': load needs the epoch ({ epoch }) to draw each clip's augmentation`);
      const chosen = choose(indices);
      const audio = new Float32Array(chosen.length * nMels * frames); // [batch, nMels, frames]
      const text = new Int32Array(chosen.length * maxLen); // [batch, maxLen]
      for (const [b, position] of chosen.entries()) {
        const draw = drawClip(augmentation, seed, context.epoch, position);
        const { snrDb } = draw;
        const noise = snrDb === null ? undefined : (samples: Float32Array) => addNoise(samples, snrDb, new Random(draw.noiseSeed));
        const own = await dataset.clipFeatures(position, { speed: draw.speed, noise }); // [nMels, natural frames]
        const natural = own.length / nMels;
        const clip = audio.subarray(b * nMels * frames, (b + 1) * nMels * frames);
        clip.set(fitFrames(own, nMels, frames)); // a copy: the cache's array is never changed
        if (options.normalize) normalizeUtterance(clip, nMels, frames, natural);
        applyMasks(clip, nMels, frames, drawMasks(augmentation, draw.random, Math.min(natural, frames), nMels));
        text.set(dataset.tokens.subarray(position * maxLen, (position + 1) * maxLen), b * maxLen);
      }
      return { audio, text };
    },
  };
}

/** Sizes of consecutive train/validation/test blocks of `count` items in index order. */
export interface SplitCounts {
  train: number;
  validation: number;
  test: number;
}

/**
 * Consecutive blocks in index order: the first `trainFraction` for training, then `validationFraction`, the
 * rest for testing. Each block gets at least one item, so a fraction that rounds to zero is an error, not an
 * empty split.
 */
export function splitCounts(count: number, trainFraction: number, validationFraction: number): SplitCounts {
  if (!(trainFraction > 0 && validationFraction > 0 && trainFraction + validationFraction < 1)) {
    throw new Error(`split fractions: need train > 0, validation > 0 and train + validation < 1, got ${trainFraction}, ${validationFraction}`);
  }
  const train = Math.round(count * trainFraction);
  const validation = Math.round(count * validationFraction);
  const test = count - train - validation;
  if (train < 1 || validation < 1 || test < 1) {
    throw new Error(`split fractions ${trainFraction}/${validationFraction} of ${count} items leave an empty split (${train}/${validation}/${test})`);
  }
  return { train, validation, test };
}

/**
 * The positions of the consecutive blocks `counts` describes: train first, then validation, then test. The one
 * definition of a Question 3 split by index order: q3-asr's synthetic corpora, q3-ljspeech's real clips and the
 * sample clips a snapshot's samples are re-made from (./sample-clips.ts) all take their blocks from here.
 */
export function consecutiveBlocks(counts: SplitCounts): { train: number[]; validation: number[]; test: number[] } {
  const range = (start: number, length: number) => Array.from({ length }, (_, i) => start + i);
  return {
    train: range(0, counts.train),
    validation: range(counts.train, counts.validation),
    test: range(counts.train + counts.validation, counts.test),
  };
}
