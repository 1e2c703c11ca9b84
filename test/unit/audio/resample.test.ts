/**
 * The resampler against torchaudio 0.13 (test/fixtures/resample/torchaudio.json, made by make.py beside it) and
 * against signals whose resampled form is known: tones keep their frequency, tones above the new Nyquist vanish,
 * DC stays DC, lengths follow ceil(length * to / from), and co-prime rates (no cached kernels) agree with the
 * cached path.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { resample } from '../../../src/lib/audio/resample.ts';

interface Golden {
  length: number;
  cases: { from: number; to: number; output: number[] }[];
}

/** The formula of make.py's `signal`, rounded to float32. */
function signal(rate: number, length: number): Float32Array {
  const top = Math.min(15000, 0.45 * rate);
  return Float32Array.from(
    { length },
    (_, n) =>
      0.5 * Math.sin((2 * Math.PI * 440 * n) / rate) +
      0.25 * Math.sin((2 * Math.PI * 3100 * n) / rate + 0.3) +
      0.15 * Math.sin((2 * Math.PI * top * n) / rate + 1.1),
  );
}

function tone(frequency: number, rate: number, length: number, phase = 0): Float32Array {
  return Float32Array.from({ length }, (_, n) => Math.sin((2 * Math.PI * frequency * n) / rate + phase));
}

/** Largest |a - b| over indices [from, to). */
function maxError(actual: ArrayLike<number>, expected: ArrayLike<number>, from = 0, to = expected.length): number {
  let worst = 0;
  for (let i = from; i < to; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

describe('resample (torchaudio.functional.resample, Hann-windowed sinc)', () => {
  it('matches torchaudio 0.13 to 1e-7 (float32 rounding) for common rate pairs', async () => {
    const golden = JSON.parse(await readFile(new URL('../../fixtures/resample/torchaudio.json', import.meta.url), 'utf8')) as Golden;
    expect(golden.cases.length).toBeGreaterThanOrEqual(6);
    for (const { from, to, output } of golden.cases) {
      const actual = resample(signal(from, golden.length), from, to);
      expect(actual).toBeInstanceOf(Float32Array);
      expect(actual.length, `${from} -> ${to}`).toBe(output.length);
      expect(maxError(actual, output), `${from} -> ${to}`).toBeLessThan(1e-7);
    }
  });

  it('keeps a tone at its frequency and amplitude (away from the edges)', () => {
    for (const from of [8000, 16000, 44100, 48000, 96000]) {
      const seconds = 0.2;
      const actual = resample(tone(1000, from, Math.round(from * seconds)), from, 22050);
      const expected = tone(1000, 22050, actual.length);
      const edge = 200; // the clip is zero beyond its ends, so the first and last few ms ring
      expect(maxError(actual, expected, edge, actual.length - edge), `${from} Hz`).toBeLessThan(2e-3);
    }
  });

  it('removes a tone above the new Nyquist frequency when downsampling', () => {
    const from = 48000;
    const actual = resample(tone(15000, from, 9600), from, 22050); // 15 kHz > 11,025 Hz
    let peak = 0;
    for (let i = 200; i < actual.length - 200; i++) peak = Math.max(peak, Math.abs(actual[i]));
    expect(peak).toBeLessThan(0.01);
  });

  it('keeps DC, gives ceil(length * to / from) samples, and copies at equal rates', () => {
    const ones = new Float32Array(1000).fill(0.5);
    const actual = resample(ones, 16000, 22050);
    expect(actual.length).toBe(Math.ceil((1000 * 441) / 320));
    expect(maxError(actual, new Float32Array(actual.length).fill(0.5), 50, actual.length - 50)).toBeLessThan(2e-3);
    expect(resample(new Float32Array(7), 44100, 22050).length).toBe(4);
    const same = resample(ones, 22050, 22050);
    expect(same).toEqual(ones);
    expect(same).not.toBe(ones);
    expect(resample(new Float32Array(0), 16000, 22050).length).toBe(0);
  });

  it('handles co-prime rates (kernels computed per sample) like nearby cached ones', () => {
    // 22,051 -> 22,050 reduces to 22,051 / 22,050 phases: too many to cache. The tone must come through intact.
    const input = tone(700, 22051, 4000, 0.4);
    const actual = resample(input, 22051, 22050);
    expect(actual.length).toBe(Math.ceil((4000 * 22050) / 22051));
    const expected = tone(700, 22050, actual.length, 0.4);
    expect(maxError(actual, expected, 200, actual.length - 200)).toBeLessThan(2e-3);
  });

  it('rejects rates that are not positive integers', () => {
    expect(() => resample(new Float32Array(4), 0, 22050)).toThrow(/fromRate must be a positive integer/);
    expect(() => resample(new Float32Array(4), 16000, 22050.5)).toThrow(/toRate must be a positive integer/);
  });
});
