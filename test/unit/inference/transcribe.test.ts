/**
 * The transcription pipeline of `npm run transcribe`: mix-down, resampling, features equal to the experiments'
 * (the speech data set's batches), windowing of clips longer than the model's frames, and greedy text equal to
 * the evaluation loop's.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogMel, defaultLogMelConfig } from '../../../src/lib/audio/log-mel.ts';
import { resample } from '../../../src/lib/audio/resample.ts';
import { decodeWav, parseWav } from '../../../src/lib/audio/wav.ts';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { readLjLayout } from '../../../src/lib/data/ljspeech.ts';
import { createSpeechDataset } from '../../../src/lib/data/speech-corpus.ts';
import { featureWindows, MIN_TAIL_SECONDS, prepareAudio, transcribeSamples, transcribeWindows } from '../../../src/lib/inference/transcribe.ts';
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

beforeAll(async () => {
  await initBackend({ requested: 'cpu', log: () => {} });
  model = createAsrModel(
    { decoder: 'recurrent', vocab: 35, freq: 80, hidden: 16, heads: 2, mlpHidden: 32, encoderBlocks: 1, textLength: 12, maxTimescale: 3000 },
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
    expect(result.windows).toEqual([{ startSeconds: 0, endSeconds: samples.length / 22050, text: result.text }]);
    expect(result.seconds).toBe(samples.length / 22050);
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
});
