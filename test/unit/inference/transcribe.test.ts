/**
 * The transcription pipeline of `npm run transcribe`: mix-down, resampling, features equal to the experiments'
 * (the speech data set's batches), windowing of clips longer than the model's frames, and greedy text equal to
 * the evaluation loop's; NaN or infinite samples refused, and silence transcribed as no text.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogMel, defaultLogMelConfig } from '../../../src/lib/audio/log-mel.ts';
import { resample } from '../../../src/lib/audio/resample.ts';
import { decodeWav, encodeWav, parseWav } from '../../../src/lib/audio/wav.ts';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { readLjLayout } from '../../../src/lib/data/ljspeech.ts';
import { createSpeechDataset } from '../../../src/lib/data/speech-corpus.ts';
import {
  featureWindows,
  KEPT_SILENCE_SECONDS,
  MIN_TAIL_SECONDS,
  prepareAudio,
  transcribeSamples,
  transcribeWindows,
} from '../../../src/lib/inference/transcribe.ts';
import { loadPublishedAsr } from '../../../src/lib/models/published-files.ts';
import { createAsrModel } from '../../../src/lib/models/asr.ts';
import type { AsrModel } from '../../../src/lib/models/asr.ts';
import type { AsrFeatures } from '../../../src/lib/models/published.ts';
import { cutGenerated } from '../../../src/lib/text/similarity.ts';
import { decodeTokens } from '../../../src/lib/text/tokens.ts';

const mini = new URL('../../fixtures/ljspeech-mini/', import.meta.url);
const cli = new URL('../../fixtures/cli/', import.meta.url);
const FRAMES = 48;

let model: AsrModel;
let info: { features: AsrFeatures };

async function wavSamples(url: URL): Promise<Float32Array> {
  return parseWav(new Uint8Array(await readFile(url)), { expectedSampleRate: 22050 }).samples;
}

/** A loud, speech-band signal (three mixed tones) of `samples` samples. */
function tones(samples: number, seed = 1): Float32Array {
  return Float32Array.from({ length: samples }, (_, i) => 0.2 * (Math.sin(i / (5 + seed)) + Math.sin(i / 13) + Math.sin(i / (29 + seed))));
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

beforeAll(async () => {
  await initBackend({ requested: 'cpu', log: () => {} });
  model = createAsrModel(
    { decoder: 'recurrent', nMels: 80, frames: FRAMES, hidden: 16, heads: 2, mlpHidden: 32, encoderBlocks: 1, textLength: 12, maxTimescale: 3000 },
    9,
  );
  // What a published model's snapshot gives: the homework's log-mel settings, the run's frames.
  const { frames: _frames, ...logMel } = defaultLogMelConfig;
  info = { features: { sampleRate: 22050, frames: FRAMES, logMel } };
});

describe('prepareAudio', () => {
  it('mixes a stereo 24-bit 16 kHz file to the mean of its channels and resamples it to 22,050 Hz', async () => {
    const wav = decodeWav(new Uint8Array(await readFile(new URL('stereo-16k-pcm24.wav', cli))));
    expect(wav.encoding).toBe('pcm24');
    expect(wav.channels).toHaveLength(2);
    const prepared = prepareAudio(wav, 22050);
    const mean = Float32Array.from(wav.channels[0], (left, i) => (left + wav.channels[1][i]) / 2);
    expect(prepared).toMatchObject({ sampleRate: 22050, originalSampleRate: 16000, channels: 2, resampled: true });
    expect(prepared.samples).toEqual(resample(mean, 16000, 22050));
  });

  it('refuses NaN and infinite samples, naming the audio, how many there are and where the first is', () => {
    const left = Float32Array.from({ length: 2205 }, (_, i) => Math.sin(i / 9) * 0.3);
    const right = left.slice();
    left[1500] = Number.NaN;
    right[441] = Number.POSITIVE_INFINITY;
    right[900] = Number.NaN;
    const stereo = decodeWav(encodeWav([left, right], 22050, 'float32'));
    expect(() => prepareAudio(stereo, 22050, { source: 'bad.wav' })).toThrow(
      'bad.wav: 2 NaN and 1 infinite samples (the first at 0.020 s in channel 2): not audio, nothing to transcribe',
    );
    const mono = decodeWav(encodeWav([Float32Array.of(0.1, Number.NEGATIVE_INFINITY, 0.2)], 16000, 'float32'));
    expect(() => prepareAudio(mono, 22050)).toThrow('audio: 1 infinite sample (the first at 0.000 s): not audio, nothing to transcribe');
  });

  it('leaves mono audio at the model rate untouched', async () => {
    const wav = decodeWav(new Uint8Array(await readFile(new URL('mono-22k-pcm32.wav', cli))));
    const prepared = prepareAudio(wav, 22050);
    expect(prepared.resampled).toBe(false);
    expect(prepared.samples).toBe(wav.channels[0]);
  });
});

describe('featureWindows', () => {
  it("gives a short clip exactly the features the experiments' speech data set gives it", async () => {
    const layout = await readLjLayout(mini.pathname, { id: 'ljspeech-mini' });
    const clip = layout.clips.find((entry) => entry.id === 'LJ900-0004')!;
    const dataset = await createSpeechDataset([clip], { frames: 400, maxLen: 40, logMel: { nMels: 80 }, cacheDir: null });
    const { windows } = featureWindows(await wavSamples(new URL(`wavs/${clip.id}.wav`, mini)), { ...info.features, frames: 400 });
    expect(windows).toHaveLength(1);
    expect(windows[0].features).toEqual((await dataset.batch([0])).features);
  });

  it("cuts a long clip into consecutive windows on the whole clip's frame grid, the last one zero-padded", async () => {
    const samples = await wavSamples(new URL('wavs/LJ900-0002.wav', mini));
    const whole = createLogMel({ ...defaultLogMelConfig, frames: null }).compute(samples); // [80, natural]
    const natural = whole.length / 80;
    const { windows, naturalFrames, droppedFrames } = featureWindows(samples, info.features);
    expect(naturalFrames).toBe(natural);
    expect(windows.length).toBe(Math.ceil(natural / FRAMES));
    expect(droppedFrames).toBe(0);
    for (const [index, window] of windows.entries()) {
      expect(window.startFrame).toBe(index * FRAMES);
      expect(window.frames).toBe(Math.min(FRAMES, natural - index * FRAMES));
      for (const mel of [0, 41, 79]) {
        const row = window.features.subarray(mel * FRAMES, (mel + 1) * FRAMES);
        expect(Array.from(row.subarray(0, window.frames))).toEqual(
          Array.from(whole.subarray(mel * natural + window.startFrame, mel * natural + window.startFrame + window.frames)),
        );
        expect(row.subarray(window.frames).every((value) => value === 0)).toBe(true);
      }
    }
  });

  it(`leaves out a last window shorter than ${MIN_TAIL_SECONDS} s, and says how much`, () => {
    // 2 full windows and 5 more frames (5 frames < 0.1 s).
    const hop = info.features.logMel.hopLength;
    const samples = Float32Array.from({ length: (2 * FRAMES + 4) * hop }, (_, i) => Math.sin(i / 7) * 0.3);
    const { windows, naturalFrames, droppedFrames } = featureWindows(samples, info.features);
    expect(naturalFrames).toBe(2 * FRAMES + 5);
    expect(windows).toHaveLength(2);
    expect(droppedFrames).toBe(5);
    const result = transcribeSamples(model, info, samples);
    expect(result.droppedSeconds).toBeCloseTo((5 * hop) / 22050, 10);
    expect(result.windows).toHaveLength(2);
  });

  it('refuses a clip too short for one frame', () => {
    expect(() => featureWindows(new Float32Array(150), info.features)).toThrow(/150 samples \(6\.8 ms at 22050 Hz\) is too short: at least 201 are needed/);
  });
});

describe('transcribeSamples', () => {
  it('decodes one window as the evaluation loop does (greedy from the start token, cut at the first stop)', async () => {
    const samples = decodeWav(new Uint8Array(await readFile(new URL('mono-22k-pcm32.wav', cli)))).channels[0]; // 0.2 s: one window
    const result = transcribeSamples(model, info, samples);
    const [window] = featureWindows(samples, info.features).windows;
    const tokens = tf.tidy(() => model.transcribe(tf.tensor3d(window.features, [1, 80, FRAMES]), 0)); // [1, textLength]
    expect(result.text).toBe(decodeTokens(cutGenerated(tokens.dataSync() as Int32Array)));
    tokens.dispose();
    expect(result.windows).toEqual([{ startSeconds: 0, endSeconds: samples.length / 22050, text: result.text, silent: false }]);
    expect(result.seconds).toBe(samples.length / 22050);
    expect(result).toMatchObject({ trimmedSeconds: 0, droppedSeconds: 0, warnings: [] });
  });

  it('joins the windows of a long clip, each transcribed on its own, leaking no tensors', async () => {
    const samples = await wavSamples(new URL('wavs/LJ900-0002.wav', mini));
    const before = tf.memory().numTensors;
    const result = transcribeSamples(model, info, samples, { batchSize: 2 });
    expect(tf.memory().numTensors).toBe(before);
    const { windows } = featureWindows(samples, info.features);
    const alone = windows.map((window) => transcribeWindows(model, [window.features], FRAMES)[0]);
    expect(result.windows.map((window) => window.text)).toEqual(alone);
    expect(result.text).toBe(
      alone
        .map((text) => text.trim())
        .filter(Boolean)
        .join(' '),
    );
    expect(result.windows[1].startSeconds).toBeCloseTo((FRAMES * 160) / 22050, 10);
  });

  it(`warns that a clip under ${MIN_TAIL_SECONDS} s is too short to hold a word, and still transcribes it`, () => {
    const samples = tones(Math.round(0.05 * 22050));
    const result = transcribeSamples(model, info, samples);
    expect(result.warnings).toEqual(['0.050 s is shorter than 0.1 s, too short to hold a word: the transcript is a guess']);
    expect(result.windows).toHaveLength(1);
    expect(result.text).toBe(transcribeWindows(model, [featureWindows(samples, info.features).windows[0].features], FRAMES)[0]);
  });

  it('gives no text and a warning for a clip without sound, and does not run the model', () => {
    const spy = vi.spyOn(model, 'transcribe');
    try {
      const zeros = transcribeSamples(model, info, new Float32Array(3 * FRAMES * 160));
      expect(zeros).toMatchObject({ text: '', warnings: ['no sound (every sample is 0, under the -90 dBFS of one 16-bit step): nothing to transcribe'] });
      expect(zeros.windows.every((window) => window.silent && window.text === '')).toBe(true);
      const hiss = transcribeSamples(
        model,
        info,
        tones(4000).map((value) => value * 1e-4),
      );
      expect(hiss.text).toBe('');
      expect(hiss.warnings[0]).toMatch(/^no sound \(its loudest block is -9\d dBFS, under the -90 dBFS of one 16-bit step\)/);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('does not transcribe a window that holds only silence, and transcribes the others as alone', () => {
    const hop = 160;
    // Window 0 sound, window 1 digital silence, window 2 sound.
    const samples = concat(tones(FRAMES * hop, 1), new Float32Array(FRAMES * hop), tones(FRAMES * hop, 2));
    const result = transcribeSamples(model, info, samples);
    const { windows } = featureWindows(samples, info.features);
    expect(windows.map((window) => window.silent)).toEqual([false, true, false]);
    expect(result.windows.map((window) => window.silent)).toEqual([false, true, false]);
    expect(result.windows[1].text).toBe('');
    const alone = [0, 2].map((index) => transcribeWindows(model, [windows[index].features], FRAMES)[0]);
    expect([result.windows[0].text, result.windows[2].text]).toEqual(alone);
    expect(result.text).toBe(
      alone
        .map((text) => text.trim())
        .filter(Boolean)
        .join(' '),
    );
  });

  it(`cuts trailing silence to ${KEPT_SILENCE_SECONDS} s before making the features, and says how much it cut`, () => {
    const sound = tones(30 * 160);
    const samples = concat(sound, new Float32Array(22050));
    const result = transcribeSamples(model, info, samples);
    const kept = sound.length + Math.round(KEPT_SILENCE_SECONDS * 22050);
    expect(result.trimmedSeconds).toBeCloseTo((samples.length - kept) / 22050, 10);
    expect(result.windows).toEqual([{ startSeconds: 0, endSeconds: kept / 22050, text: result.text, silent: false }]);
    expect(result.text).toBe(transcribeWindows(model, [featureWindows(samples.subarray(0, kept), info.features).windows[0].features], FRAMES)[0]);
  });
});

describe('trailing silence with a published model', () => {
  // A committed LJ Speech recording (it ends in 0.11 s of room tone) and a published model that heard such clips. Put
  // 0.218 s (30 hops) of silence before it, its end falls 0.14 s before the model's second window boundary (768
  // frames, 5.57 s), so 0.3 s of silence after it crosses the boundary: without the silence rule a third window of
  // silence adds invented words, and the second window's padding turns into silence frames.
  it('gives the same transcript to LJ002-0172 with 0.3 s of trailing silence across a window boundary as without it', async () => {
    const { model: published, info: publishedInfo } = await loadPublishedAsr('q3-ljspeech/listening/real-only-attention');
    try {
      const recording = await wavSamples(new URL('../../../content/audio/ljspeech/LJ002-0172.wav', import.meta.url));
      const clip = concat(new Float32Array(30 * 160), recording);
      const withSilence = concat(clip, new Float32Array(Math.round(0.3 * 22050)));
      const { frames, logMel } = publishedInfo.features;
      const boundary = (2 * frames * logMel.hopLength) / 22050;
      expect(clip.length / 22050).toBeLessThan(boundary);
      expect(withSilence.length / 22050).toBeGreaterThan(boundary + MIN_TAIL_SECONDS);
      const without = transcribeSamples(published, publishedInfo, clip);
      const padded = transcribeSamples(published, publishedInfo, withSilence);
      expect(without.windows).toHaveLength(2);
      expect(padded.windows).toEqual(without.windows);
      expect(padded.text).toBe(without.text);
      expect(padded.text).not.toBe('');
      expect(padded.trimmedSeconds - without.trimmedSeconds).toBeCloseTo(0.3, 4);
    } finally {
      published.dispose();
    }
  });
});
