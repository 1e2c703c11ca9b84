import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogMel, fitFrames, melFilterbank } from '../../../src/lib/audio/log-mel.ts';
import { encodeWavFloat32, parseWav, readWav } from '../../../src/lib/audio/wav.ts';

const fixtures = new URL('../../fixtures/reference/', import.meta.url);
const golden = JSON.parse(readFileSync(new URL('log-mel.json', fixtures), 'utf8')) as {
  features: Record<string, { shape: [number, number]; values: number[] }>;
};

function maxAbsError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

describe('log-mel (torchaudio 0.13 Spectrogram + MelScale, as the homework)', () => {
  const logMel = createLogMel();

  for (const [name, expected] of Object.entries(golden.features)) {
    it(`matches the golden features of ${name}.wav to 1e-4`, async () => {
      const wav = await readWav(new URL(`log-mel/${name}.wav`, fixtures).pathname, { expectedSampleRate: 22050 });
      const features = logMel.compute(wav.samples);
      expect(features).toBeInstanceOf(Float32Array);
      const [mels, frames] = expected.shape;
      expect(mels).toBe(80);
      expect(logMel.naturalFrames(wav.samples.length)).toBe(frames);
      expect(features.length).toBe(mels * frames);
      // Measured: 6.8e-5 worst (tones), 4.8e-5 (chirp). An independent numpy float64 implementation shows the same
      // deviations from the golden file, so they are the float32 arithmetic of the PyTorch reference, not ours.
      expect(maxAbsError(features, expected.values)).toBeLessThan(1e-4);
    });
  }

  it('pads with zeros and crops after normalising the whole clip', async () => {
    const wav = await readWav(new URL('log-mel/chirp.wav', fixtures).pathname);
    const natural = logMel.compute(wav.samples); // [80, 111]
    const frames = natural.length / 80;
    const padded = createLogMel({ frames: frames + 7 }).compute(wav.samples); // [80, 118]
    const cropped = createLogMel({ frames: 50 }).compute(wav.samples); // [80, 50]
    for (let m = 0; m < 80; m++) {
      expect(padded.subarray(m * (frames + 7), m * (frames + 7) + frames)).toEqual(natural.subarray(m * frames, (m + 1) * frames));
      expect(Array.from(padded.subarray(m * (frames + 7) + frames, (m + 1) * (frames + 7)))).toEqual(new Array(7).fill(0));
      expect(cropped.subarray(m * 50, (m + 1) * 50)).toEqual(natural.subarray(m * frames, m * frames + 50));
    }
    expect(fitFrames(natural, 80, frames + 7)).toEqual(padded);
    expect(fitFrames(natural, 80, 50)).toEqual(cropped);
  });

  it('gives the same features from a 32-bit float file as from the 16-bit file', async () => {
    const wav = await readWav(new URL('log-mel/short.wav', fixtures).pathname);
    const asFloat = parseWav(encodeWavFloat32(wav.samples, wav.sampleRate));
    expect(asFloat.encoding).toBe('float32');
    expect(logMel.compute(asFloat.samples)).toEqual(logMel.compute(wav.samples));
  });

  it('lays out slaney-normalised triangles over 0-8 kHz (torchaudio default sample rate)', () => {
    const bank = melFilterbank({ nFft: 400, nMels: 80, melSampleRate: 16000, fMin: 0, fMax: null }); // [201, 80]
    expect(bank.length).toBe(201 * 80);
    // Slaney norm gives each triangle unit area in Hz: sum(weights) * 40 Hz bin spacing ~ 1 for filters wide
    // enough to be sampled well (the high ones).
    for (const m of [60, 70, 79]) {
      let area = 0;
      for (let f = 0; f < 201; f++) area += bank[f * 80 + m] * 40;
      expect(area).toBeCloseTo(1, 2);
    }
    // The last bin (8 kHz) is the upper edge of the last filter: weight 0.
    expect(bank[200 * 80 + 79]).toBe(0);
  });

  it('refuses clips too short for reflect padding', () => {
    expect(() => logMel.compute(new Float32Array(200))).toThrow(/200 samples is too short for reflect padding of 200/);
    expect(() => createLogMel({ frames: 0 })).toThrow(/frames must be a positive integer/);
  });
});
