/**
 * The augmentation transforms one by one (speed perturbation keeps a tone's shape and moves its frequency, noise
 * arrives at the drawn SNR, masks stay within bounds and zero exactly what they say, normalisation gives each band
 * zero mean and unit variance over the clip's own frames), the per-clip draws (reproducible from seed, epoch and
 * clip; off switches do not reshuffle the rest), and the augmented training split built from them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Augmentation } from '../../../src/lib/audio/augmentation.ts';
import {
  addNoise,
  applyMasks,
  augmentationSchema,
  clipSeed,
  drawClip,
  drawMasks,
  normalizeUtterance,
  perturbSpeed,
} from '../../../src/lib/audio/augmentation.ts';
import { encodeWavPcm16 } from '../../../src/lib/audio/wav.ts';
import { augmentedSplit, speechSplit } from '../../../src/lib/data/asr-split.ts';
import type { SpeechDataset } from '../../../src/lib/data/speech-corpus.ts';
import { createSpeechDataset } from '../../../src/lib/data/speech-corpus.ts';
import { Random } from '../../../src/lib/random.ts';

const RATE = 22050;

function tone(frequency: number, seconds: number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * RATE) }, (_, n) => amplitude * Math.sin((2 * Math.PI * frequency * n) / RATE));
}

/** Frequency from upward zero crossings over the middle of the signal (edges carry the resampler's ramp). */
function crossingFrequency(samples: Float32Array): number {
  const from = Math.floor(samples.length * 0.1);
  const to = Math.floor(samples.length * 0.9);
  const crossings: number[] = [];
  for (let n = from + 1; n < to; n++) if (samples[n - 1] < 0 && samples[n] >= 0) crossings.push(n);
  return ((crossings.length - 1) * RATE) / (crossings.at(-1)! - crossings[0]);
}

function power(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] ** 2;
  return sum / samples.length;
}

const policy: Augmentation = augmentationSchema.parse({
  speeds: [0.9, 1, 1.1],
  noise: { probability: 0.5, snrDb: [10, 30] },
  timeMasks: 2,
  timeWidth: 11,
  freqMasks: 1,
  freqWidth: 27,
});

describe('augmentation config', () => {
  it('defaults to no masks and rejects unknown keys and reversed SNR ranges', () => {
    expect(augmentationSchema.parse({})).toEqual({ timeMasks: 0, timeWidth: 0, freqMasks: 0, freqWidth: 0 });
    expect(() => augmentationSchema.parse({ timeMask: 2 })).toThrow(/Unrecognized key/);
    expect(() => augmentationSchema.parse({ noise: { probability: 0.5, snrDb: [30, 10] } })).toThrow(/low <= high/);
    expect(() => augmentationSchema.parse({ speeds: [] })).toThrow();
  });
});

describe('per-clip draws', () => {
  it('depend only on seed, epoch and clip, and differ between neighbours', () => {
    expect(clipSeed(1, 2, 3)).toBe(clipSeed(1, 2, 3));
    const seeds = new Set<number>();
    for (let epoch = 0; epoch < 10; epoch++) for (let clip = 0; clip < 100; clip++) seeds.add(clipSeed(1, epoch, clip));
    for (let seed = 2; seed < 12; seed++) seeds.add(clipSeed(seed, 0, 0));
    expect(seeds.size).toBe(1010);
    const a = drawClip(policy, 7, 3, 42);
    const b = drawClip(policy, 7, 3, 42);
    expect({ ...a, random: a.random.state }).toEqual({ ...b, random: b.random.state });
  });

  it('draw speeds uniformly, noise with its probability and SNR within range', () => {
    const counts = new Map<number, number>();
    let noisy = 0;
    for (let clip = 0; clip < 3000; clip++) {
      const draw = drawClip(policy, 1, 0, clip);
      counts.set(draw.speed, (counts.get(draw.speed) ?? 0) + 1);
      if (draw.snrDb !== null) {
        noisy++;
        expect(draw.snrDb).toBeGreaterThanOrEqual(10);
        expect(draw.snrDb).toBeLessThanOrEqual(30);
      }
    }
    expect([...counts.keys()].sort()).toEqual([0.9, 1, 1.1]);
    for (const count of counts.values()) expect(Math.abs(count - 1000)).toBeLessThan(100);
    expect(Math.abs(noisy - 1500)).toBeLessThan(120);
  });

  it('switching noise off keeps the speed and mask draws', () => {
    const quiet = { ...policy, noise: undefined };
    for (let clip = 0; clip < 50; clip++) {
      const withNoise = drawClip(policy, 1, 2, clip);
      const without = drawClip(quiet, 1, 2, clip);
      expect(without.snrDb).toBeNull();
      expect(without.speed).toBe(withNoise.speed);
      expect(drawMasks(quiet, without.random, 200, 80)).toEqual(drawMasks(policy, withNoise.random, 200, 80));
    }
  });

  it('place masks within the clip and the bands, no wider than allowed', () => {
    const random = new Random(3);
    const widths = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const frames = 5 + random.int(300);
      const masks = drawMasks(policy, random, frames, 80);
      expect(masks.timeMasks).toHaveLength(2);
      expect(masks.freqMasks).toHaveLength(1);
      for (const [start, width] of masks.timeMasks) {
        expect(width).toBeLessThanOrEqual(Math.min(11, frames));
        expect(start).toBeGreaterThanOrEqual(0);
        expect(start + width).toBeLessThanOrEqual(frames);
        widths.add(width);
      }
      for (const [start, width] of masks.freqMasks) {
        expect(width).toBeLessThanOrEqual(27);
        expect(start + width).toBeLessThanOrEqual(80);
      }
    }
    // Every width 0..11 occurs: the draw is over the whole range.
    expect([...widths].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    // A clip shorter than the width gets a mask no longer than itself.
    expect(drawMasks({ ...policy, timeMasks: 50 }, new Random(1), 3, 80).timeMasks.every(([start, width]) => start + width <= 3)).toBe(true);
  });
});

describe('waveform transforms', () => {
  it('speed perturbation plays the clip faster or slower: length and frequency scale by the speed', () => {
    const clip = tone(300, 1);
    expect(perturbSpeed(clip, 1, RATE)).toBe(clip);
    for (const speed of [0.9, 1.1]) {
      const played = perturbSpeed(clip, speed, RATE);
      expect(Math.abs(played.length - clip.length / speed)).toBeLessThanOrEqual(1);
      expect(crossingFrequency(played) / 300).toBeCloseTo(speed, 3);
      expect(power(played.subarray(2000, -2000)) / power(clip)).toBeCloseTo(1, 2);
    }
  });

  it('adds white noise at the SNR asked for, the same noise for the same seed', () => {
    const clip = tone(220, 2, 0.3);
    for (const snrDb of [0, 10, 25]) {
      const noisy = addNoise(clip, snrDb, new Random(5));
      const noise = noisy.map((value, i) => value - clip[i]);
      const measured = 10 * Math.log10(power(clip) / power(noise));
      expect(Math.abs(measured - snrDb)).toBeLessThan(0.1);
      expect(addNoise(clip, snrDb, new Random(5))).toEqual(noisy);
    }
    expect(addNoise(clip, 10, new Random(6))).not.toEqual(addNoise(clip, 10, new Random(5)));
    expect(addNoise(new Float32Array(100), 10, new Random(1)).every((value) => value === 0)).toBe(true);
  });
});

describe('feature transforms', () => {
  it('masks set exactly the masked bands and frames to zero, cropped at the frame count', () => {
    const nMels = 6;
    const frames = 10;
    const features = Float32Array.from({ length: nMels * frames }, (_, i) => 1 + i);
    applyMasks(features, nMels, frames, { freqMasks: [[1, 2]], timeMasks: [[8, 5]] });
    expect(features).toHaveLength(nMels * frames);
    for (let m = 0; m < nMels; m++) {
      for (let t = 0; t < frames; t++) {
        const masked = m === 1 || m === 2 || t >= 8;
        expect(features[m * frames + t], `band ${m}, frame ${t}`).toBe(masked ? 0 : 1 + m * frames + t);
      }
    }
    expect(() => applyMasks(features, nMels, frames + 1, { freqMasks: [], timeMasks: [] })).toThrow(/is not 6 x 11/);
  });

  it('normalisation gives each band mean 0 and variance 1 over the own frames; padding stays 0', () => {
    const nMels = 3;
    const frames = 12;
    const natural = 8;
    const random = new Random(2);
    const features = new Float32Array(nMels * frames);
    for (let m = 0; m < nMels; m++) for (let t = 0; t < natural; t++) features[m * frames + t] = m * 3 + random.normal() * (m + 1);
    normalizeUtterance(features, nMels, frames, natural);
    for (let m = 0; m < nMels; m++) {
      const row = Array.from(features.subarray(m * frames, m * frames + natural));
      const mean = row.reduce((sum, value) => sum + value, 0) / natural;
      expect(mean).toBeCloseTo(0, 5);
      expect(row.reduce((sum, value) => sum + (value - mean) ** 2, 0) / natural).toBeCloseTo(1, 3);
      expect(Array.from(features.subarray(m * frames + natural, (m + 1) * frames))).toEqual(new Array(frames - natural).fill(0));
    }
  });
});

describe('augmented training split', () => {
  let scratch: string;
  let dataset: SpeechDataset;
  const frames = 200;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'augmented-split-'));
    const clips = [];
    for (let i = 0; i < 6; i++) {
      const wavPath = join(scratch, `c${i}.wav`);
      const samples = tone(200 + 60 * i, 0.8 + 0.15 * i);
      await writeFile(
        wavPath,
        encodeWavPcm16(
          Int16Array.from(samples, (value) => Math.round(value * 32767)),
          RATE,
        ),
      );
      clips.push({ index: i, id: `C${i}`, text: `clip ${i}`, normalizedText: `clip ${i}`, wavPath });
    }
    dataset = await createSpeechDataset(clips, { frames, maxLen: 12, cacheDir: null });
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('gives each clip its own draws per epoch, whatever the batch it is loaded in, and leaves the cache alone', async () => {
    const split = augmentedSplit(dataset, [0, 1, 2, 3, 4, 5], { augmentation: policy, seed: 4 });
    const plainBefore = await dataset.batch([0, 1, 2, 3, 4, 5]);
    const together = await split.load([0, 1, 2, 3, 4, 5], { epoch: 1 });
    expect(together.audio).toHaveLength(6 * 80 * frames);
    expect(together.text).toEqual(plainBefore.tokens);
    const clipSize = 80 * frames;
    const alone = await split.load([4, 2], { epoch: 1 });
    expect(alone.audio.subarray(0, clipSize)).toEqual(together.audio.subarray(4 * clipSize, 5 * clipSize));
    expect(alone.audio.subarray(clipSize)).toEqual(together.audio.subarray(2 * clipSize, 3 * clipSize));
    expect((await split.load([0, 1, 2, 3, 4, 5], { epoch: 2 })).audio).not.toEqual(together.audio);
    expect((await dataset.batch([0, 1, 2, 3, 4, 5])).features).toEqual(plainBefore.features);
    await expect(Promise.resolve().then(() => split.load([0]))).rejects.toThrow(/needs the epoch/);
  });

  it('applies each drawn transform: the speed changes the frame count, the masks zero what they say', async () => {
    const masksOnly = augmentationSchema.parse({ timeMasks: 2, timeWidth: 11, freqMasks: 1, freqWidth: 27 });
    const split = augmentedSplit(dataset, [3], { augmentation: masksOnly, seed: 9 });
    const plain = (await dataset.batch([3])).features;
    const natural = dataset.naturalFrames[3];
    for (let epoch = 0; epoch < 5; epoch++) {
      const draw = drawClip(masksOnly, 9, epoch, 3);
      const masks = drawMasks(masksOnly, draw.random, natural, 80);
      const expected = Float32Array.from(plain);
      applyMasks(expected, 80, frames, masks);
      expect((await split.load([0], { epoch })).audio).toEqual(expected);
    }
    const faster = augmentedSplit(dataset, [3], { augmentation: augmentationSchema.parse({ speeds: [1.1] }), seed: 1 });
    const sped = (await faster.load([0], { epoch: 0 })).audio;
    const lastFrame = (features: Float32Array) => {
      let last = -1;
      for (let t = 0; t < frames; t++) if (features[40 * frames + t] !== 0) last = t;
      return last + 1;
    };
    expect(lastFrame(plain)).toBe(natural);
    expect(Math.abs(lastFrame(sped) - natural / 1.1)).toBeLessThanOrEqual(1.5);
  });

  it('normalises every split alike when asked', async () => {
    const plain = await speechSplit(dataset, [2], 'test').load([0]);
    const normalized = await speechSplit(dataset, [2], 'test', { normalize: true }).load([0]);
    const expected = Float32Array.from(plain.audio);
    normalizeUtterance(expected, 80, frames, dataset.naturalFrames[2]);
    expect(normalized.audio).toEqual(expected);
    expect(normalized.audio).not.toEqual(plain.audio);
  });
});
