/**
 * Training-time augmentation of speech, as config: speed perturbation and additive noise on the waveform,
 * SpecAugment's time and frequency masks on the log-mel features, and (not an augmentation: applied to every split
 * alike) per-utterance feature normalisation. Every random choice comes from a generator seeded by
 * (seed, epoch, clip), so a clip gets other draws each epoch and the same draws in a resumed or repeated run.
 *
 * The homework's config declares SpecAugment masks of 27 mel bands and 80 frames (and never applies them). The
 * mel axis is the same here (80 bands), so 27 is kept; 80 frames are 2.9% of its 2,754-frame budget, and the same
 * share of this project's 384-frame synthetic clips is 11 frames, the width the profiles use.
 */
import { z } from 'zod';
import { Random } from '../random.ts';
import { resample } from './resample.ts';

export const augmentationSchema = z
  .object({
    speeds: z.array(z.number().min(0.5).max(2)).min(1).optional(), // speed factors drawn uniformly per clip (1 = as spoken); Kaldi's 0.9/1.0/1.1
    noise: z
      .object({
        probability: z.number().min(0).max(1), // share of clips that get noise
        snrDb: z.tuple([z.number(), z.number()]), // signal-to-noise ratio drawn uniformly in [low, high] dB
      })
      .strict()
      .optional(),
    timeMasks: z.number().int().min(0).default(0), // SpecAugment time masks per clip
    timeWidth: z.number().int().min(0).default(0), // each mask's width drawn in 0..timeWidth frames
    freqMasks: z.number().int().min(0).default(0), // SpecAugment frequency masks per clip
    freqWidth: z.number().int().min(0).default(0), // each mask's width drawn in 0..freqWidth mel bands
  })
  .strict()
  .refine((value) => !value.noise || value.noise.snrDb[0] <= value.noise.snrDb[1], { message: 'noise.snrDb must be [low, high] with low <= high' });

export type Augmentation = z.output<typeof augmentationSchema>;

/** What was drawn for one clip in one epoch, before its features exist. */
export interface ClipDraw {
  speed: number;
  /** Signal-to-noise ratio in dB, or null for no noise. */
  snrDb: number | null;
  /** Seeds the noise samples' own generator, so the number of samples never shifts the draws after it. */
  noiseSeed: number;
  /** Continues with the masks, once the clip's frame count is known (drawMasks). */
  random: Random;
}

/** [start, width] in frames (within the clip's own frames) and in mel bands. */
export interface Masks {
  timeMasks: Array<[number, number]>;
  freqMasks: Array<[number, number]>;
}

/** A 32-bit mix of the three numbers (murmur3's finaliser on a combined word), so nearby clips and epochs get unrelated streams. */
export function clipSeed(seed: number, epoch: number, clip: number): number {
  let h = Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(epoch | 0, 0x85ebca77) ^ Math.imul(clip | 0, 0xc2b2ae3d);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Masks of width 0..maxWidth starting anywhere they fit within `length` (width capped at length). */
function drawIntervals(random: Random, count: number, maxWidth: number, length: number): Array<[number, number]> {
  const masks: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    const width = Math.min(random.int(maxWidth + 1), length);
    masks.push([random.int(length - width + 1), width]);
  }
  return masks;
}

/**
 * The waveform draws for one clip in one epoch: speed, whether noise, its SNR and the noise seed, always all four,
 * so switching one transform off never reshuffles the others' per-clip draws. The masks follow from `random` once
 * the clip's features exist (their frame count depends on the speed).
 */
export function drawClip(augmentation: Augmentation, seed: number, epoch: number, clip: number): ClipDraw {
  const random = new Random(clipSeed(seed, epoch, clip));
  const speeds = augmentation.speeds ?? [1];
  const speed = speeds[random.int(speeds.length)];
  const noisy = random.next() < (augmentation.noise?.probability ?? 0);
  const snr = random.next();
  const noiseSeed = random.seed();
  const snrDb = noisy && augmentation.noise ? augmentation.noise.snrDb[0] + snr * (augmentation.noise.snrDb[1] - augmentation.noise.snrDb[0]) : null;
  return { speed, snrDb, noiseSeed, random };
}

/** SpecAugment's masks for a clip of `frames` own frames (masks fall on speech, not on padding) and `nMels` bands. */
export function drawMasks(augmentation: Augmentation, random: Random, frames: number, nMels: number): Masks {
  return {
    timeMasks: drawIntervals(random, augmentation.timeMasks, augmentation.timeWidth, frames),
    freqMasks: drawIntervals(random, augmentation.freqMasks, augmentation.freqWidth, nMels),
  };
}

/**
 * The clip played `speed` times faster (pitch moves with it, as with sox's `speed`): resampled from
 * rate * speed to rate, so it has 1/speed as many samples at the same rate.
 */
export function perturbSpeed(samples: Float32Array, speed: number, rate: number): Float32Array {
  if (speed === 1) return samples;
  const from = Math.round(rate * speed);
  if (from < 1) throw new Error(`perturbSpeed: speed ${speed} at ${rate} Hz leaves no samples`);
  return resample(samples, from, rate);
}

/** The clip plus white Gaussian noise whose power is the clip's mean power / 10^(snrDb / 10). Silence stays silent. */
export function addNoise(samples: Float32Array, snrDb: number, random: Random): Float32Array {
  let power = 0;
  for (let i = 0; i < samples.length; i++) power += samples[i] * samples[i];
  power /= Math.max(1, samples.length);
  const sigma = Math.sqrt(power / 10 ** (snrDb / 10));
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] + sigma * random.normal();
  return out;
}

/**
 * Sets the masked bands and frames of one clip's features [nMels, frames] to 0 (torchaudio's mask value, and the
 * padding value); a time mask reaching past `frames` (a cropped clip) stops there.
 */
export function applyMasks(features: Float32Array, nMels: number, frames: number, draw: Masks): void {
  if (features.length !== nMels * frames) throw new Error(`applyMasks: ${features.length} values is not ${nMels} x ${frames}`);
  for (const [start, width] of draw.freqMasks) features.fill(0, start * frames, (start + width) * frames);
  for (const [start, width] of draw.timeMasks) {
    const end = Math.min(frames, start + width);
    for (let m = 0; m < nMels; m++) features.fill(0, m * frames + Math.min(start, frames), m * frames + end);
  }
}

/**
 * Per-utterance normalisation of one clip's features [nMels, frames] in place: each band's mean and standard
 * deviation over the clip's own frames (the first `naturalFrames`) taken to 0 and 1; padding stays 0.
 */
export function normalizeUtterance(features: Float32Array, nMels: number, frames: number, naturalFrames: number): void {
  if (features.length !== nMels * frames) throw new Error(`normalizeUtterance: ${features.length} values is not ${nMels} x ${frames}`);
  const used = Math.min(frames, naturalFrames);
  if (used < 1) return;
  for (let m = 0; m < nMels; m++) {
    const row = features.subarray(m * frames, m * frames + used);
    let mean = 0;
    for (const value of row) mean += value;
    mean /= used;
    let variance = 0;
    for (const value of row) variance += (value - mean) ** 2;
    const scale = 1 / Math.sqrt(variance / used + 1e-5);
    for (let t = 0; t < used; t++) row[t] = (row[t] - mean) * scale;
  }
}
