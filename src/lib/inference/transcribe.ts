/**
 * Transcribing audio with a published Question 3 model, the steps `npm run transcribe` takes:
 *
 *   WAV (any supported encoding) -> mean of the channels -> resample to the model's rate (22,050 Hz)
 *   -> log-mel over the whole clip, exactly as the experiments compute it (createLogMel with the published
 *      settings and frames: null, then fitFrames)
 *   -> windows of the model's `frames` -> greedy decoding from the start token -> text up to the first stop.
 *
 * A clip of at most `frames` frames is one example, padded as in training. A longer clip is cut into consecutive
 * windows on the frame grid of the whole clip (window k holds frames k*frames .. (k+1)*frames - 1, the last one
 * zero-padded), each transcribed on its own; the texts are joined with spaces. A word that straddles a boundary
 * is heard half in each window. A last window shorter than MIN_TAIL_SECONDS is not transcribed (it is too short
 * to hold a word, and a near-empty padded window makes the decoder guess); the result says how much was left out.
 */
import * as tf from '@tensorflow/tfjs';
import { createLogMel, fitFrames } from '../audio/log-mel.ts';
import { resample } from '../audio/resample.ts';
import { mixToMono } from '../audio/wav.ts';
import type { DecodedWav } from '../audio/wav.ts';
import type { AsrModel } from '../models/asr.ts';
import type { AsrFeatures } from '../models/published.ts';
import { cutGenerated } from '../text/similarity.ts';
import { decodeTokens, START } from '../text/tokens.ts';

/** A last window shorter than this is left out (see above). */
export const MIN_TAIL_SECONDS = 0.1;

export interface PreparedAudio {
  /** Mono, at the model's sample rate. */
  samples: Float32Array;
  sampleRate: number;
  /** The file's own rate and channel count. */
  originalSampleRate: number;
  channels: number;
  resampled: boolean;
}

/** Mixes down to mono (mean of the channels), then resamples to `sampleRate` when the file has another rate. */
export function prepareAudio(wav: DecodedWav, sampleRate: number): PreparedAudio {
  const mono = mixToMono(wav.channels);
  const resampled = wav.sampleRate !== sampleRate;
  return {
    samples: resampled ? resample(mono, wav.sampleRate, sampleRate) : mono,
    sampleRate,
    originalSampleRate: wav.sampleRate,
    channels: wav.channels.length,
    resampled,
  };
}

export interface FeatureWindow {
  /** [nMels, frames], zero-padded past the clip. */
  features: Float32Array;
  /** First frame of the window in the whole clip's frame grid. */
  startFrame: number;
  /** Frames of the clip in this window (the rest is padding). */
  frames: number;
}

export interface WindowedFeatures {
  windows: FeatureWindow[];
  /** Frames of the whole clip: floor(samples / hop) + 1. */
  naturalFrames: number;
  /** Frames at the end left out as a too-short last window. */
  droppedFrames: number;
}

/** The model's log-mel features of a clip at its sample rate, in windows of `frames` (see the header). */
export function featureWindows(samples: Float32Array, features: AsrFeatures): WindowedFeatures {
  const { logMel, frames, sampleRate } = features;
  const extractor = createLogMel({ ...logMel, frames: null });
  const minimum = Math.floor(logMel.nFft / 2) + 1;
  if (samples.length < minimum) {
    throw new Error(
      `${samples.length} samples (${((1000 * samples.length) / sampleRate).toFixed(1)} ms at ${sampleRate} Hz) is too short: at least ${minimum} are needed`,
    );
  }
  const whole = extractor.compute(samples); // [nMels, naturalFrames]
  const { nMels } = logMel;
  const naturalFrames = whole.length / nMels;
  if (naturalFrames <= frames) {
    return { windows: [{ features: fitFrames(whole, nMels, frames), startFrame: 0, frames: naturalFrames }], naturalFrames, droppedFrames: 0 };
  }
  const minTailFrames = Math.ceil((MIN_TAIL_SECONDS * sampleRate) / logMel.hopLength);
  const windows: FeatureWindow[] = [];
  let droppedFrames = 0;
  for (let start = 0; start < naturalFrames; start += frames) {
    const kept = Math.min(frames, naturalFrames - start);
    if (start > 0 && kept < minTailFrames) {
      droppedFrames = kept;
      break;
    }
    const window = new Float32Array(nMels * frames); // [nMels, frames]
    for (let m = 0; m < nMels; m++) window.set(whole.subarray(m * naturalFrames + start, m * naturalFrames + start + kept), m * frames);
    windows.push({ features: window, startFrame: start, frames: kept });
  }
  return { windows, naturalFrames, droppedFrames };
}

/**
 * Greedy transcripts of [nMels, frames] feature windows, `batchSize` at a time: the start token, textLength - 1
 * argmax steps, cut at the first stop token as the experiments' samples are.
 */
export function transcribeWindows(model: AsrModel, windows: readonly Float32Array[], frames: number, batchSize = 8): string[] {
  const { freq, textLength } = model.config;
  const size = freq * frames;
  const texts: string[] = [];
  for (let start = 0; start < windows.length; start += batchSize) {
    const batch = windows.slice(start, start + batchSize);
    const audio = new Float32Array(batch.length * size); // [batch, freq, frames]
    batch.forEach((window, row) => {
      if (window.length !== size) throw new Error(`transcribeWindows: a window has ${window.length} values, expected ${freq} x ${frames}`);
      audio.set(window, row * size);
    });
    const tokens = tf.tidy(() => model.transcribe(tf.tensor3d(audio, [batch.length, freq, frames]), START)); // [batch, textLength]
    const rows = tokens.dataSync() as Int32Array;
    tokens.dispose();
    for (let row = 0; row < batch.length; row++) texts.push(decodeTokens(cutGenerated(rows.subarray(row * textLength, (row + 1) * textLength))));
  }
  return texts;
}

/** One window: its text as decoded (as the experiments' samples show it); several: trimmed and joined by spaces. */
function joinTexts(texts: readonly string[]): string {
  if (texts.length === 1) return texts[0];
  return texts
    .map((text) => text.trim())
    .filter((text) => text !== '')
    .join(' ');
}

export interface Transcription {
  /** The transcript (see joinTexts). */
  text: string;
  /** Seconds of audio at the model's rate. */
  seconds: number;
  windows: { startSeconds: number; endSeconds: number; text: string }[];
  /** Seconds at the end not transcribed (a last window under MIN_TAIL_SECONDS); 0 when none. */
  droppedSeconds: number;
}

/** Transcribes mono samples already at the model's sample rate. */
export function transcribeSamples(
  model: AsrModel,
  info: { features: AsrFeatures },
  samples: Float32Array,
  options: { batchSize?: number } = {},
): Transcription {
  const { features } = info;
  const { windows, droppedFrames } = featureWindows(samples, features);
  const texts = transcribeWindows(
    model,
    windows.map((window) => window.features),
    features.frames,
    options.batchSize,
  );
  const secondsPerFrame = features.logMel.hopLength / features.sampleRate;
  const seconds = samples.length / features.sampleRate;
  return {
    text: joinTexts(texts),
    seconds,
    windows: windows.map((window, index) => ({
      startSeconds: window.startFrame * secondsPerFrame,
      endSeconds: Math.min(seconds, (window.startFrame + window.frames) * secondsPerFrame),
      text: texts[index],
    })),
    droppedSeconds: droppedFrames * secondsPerFrame,
  };
}
