/**
 * Transcribing audio with a published Question 3 model, the steps `npm run transcribe` takes:
 *
 *   WAV (any supported encoding) -> every sample finite, else an error -> mean of the channels -> resample to the
 *   model's rate (22,050 Hz) -> trailing silence beyond KEPT_SILENCE_SECONDS cut
 *   -> log-mel over the whole clip, exactly as the experiments compute it (createLogMel with the published
 *      settings and frames: null, then fitFrames)
 *   -> windows of the model's `frames` -> greedy decoding from the start token -> text up to the first stop.
 *
 * A clip of at most `frames` frames is one example, padded as in training. A longer clip is cut into consecutive
 * windows on the frame grid of the whole clip (window k holds frames k*frames .. (k+1)*frames - 1, the last one
 * zero-padded), each transcribed on its own; the texts are joined with spaces. A word that straddles a boundary
 * is heard half in each window. A last window shorter than MIN_TAIL_SECONDS is not transcribed (it is too short
 * to hold a word, and a near-empty padded window makes the decoder guess); the result says how much was left out.
 *
 * Silence (src/lib/audio/silence.ts: 7.3 ms blocks more than SILENCE_DB below the clip's loudest) adds no text: a
 * model shown silence guesses words, since it never heard silence without speech. So trailing silence is cut to
 * KEPT_SILENCE_SECONDS before the features are made (a clip ending in more silence gives the transcript of the
 * clip without it), a window holding no loud block is not transcribed, and a clip without sound gives no text and
 * a warning. A clip shorter than MIN_TAIL_SECONDS is transcribed with a warning: it is too short to hold a word.
 */
import * as tf from '@tensorflow/tfjs';
import { createLogMel, fitFrames } from '../audio/log-mel.ts';
import { resample } from '../audio/resample.ts';
import { loudBetween, measureLoudness, SOUND_FLOOR, trailingSilenceCut } from '../audio/silence.ts';
import type { Loudness } from '../audio/silence.ts';
import { mixToMono } from '../audio/wav.ts';
import type { DecodedWav } from '../audio/wav.ts';
import type { AsrModel } from '../models/asr.ts';
import type { AsrFeatures } from '../models/published.ts';
import { cutGenerated } from '../text/similarity.ts';
import { decodeTokens, START } from '../text/tokens.ts';

/** A last window shorter than this is left out, and a clip shorter than this gets a warning (see above). */
export const MIN_TAIL_SECONDS = 0.1;

/**
 * Of a clip's trailing silence, this much is kept: about what the recordings the models learnt from end with (LJ
 * Speech's clips end in 0.04-0.11 s of room tone under the silence threshold; espeak-ng's end at once), so a clip
 * that ends like them is transcribed exactly as it is, and one that ends in longer silence as if it ended like them.
 */
export const KEPT_SILENCE_SECONDS = 0.1;

export interface PreparedAudio {
  /** Mono, at the model's sample rate. */
  samples: Float32Array;
  sampleRate: number;
  /** The file's own rate and channel count. */
  originalSampleRate: number;
  channels: number;
  resampled: boolean;
}

/**
 * Mixes down to mono (mean of the channels), then resamples to `sampleRate` when the file has another rate. A NaN
 * or infinite sample (a float WAV can hold them) is an error naming `source`: it is not sound, and it would turn
 * every feature of its window into NaN, which the decoder reads as text.
 */
export function prepareAudio(wav: DecodedWav, sampleRate: number, options: { source?: string } = {}): PreparedAudio {
  checkFinite(wav, options.source ?? 'audio');
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

function checkFinite(wav: DecodedWav, source: string): void {
  let nan = 0;
  let infinite = 0;
  let first: { channel: number; index: number } | undefined;
  wav.channels.forEach((channel, c) => {
    for (let i = 0; i < channel.length; i++) {
      if (Number.isFinite(channel[i])) continue;
      if (Number.isNaN(channel[i])) nan++;
      else infinite++;
      if (!first || i < first.index) first = { channel: c, index: i };
    }
  });
  if (!first) return;
  const counts = [nan ? `${nan} NaN` : '', infinite ? `${infinite} infinite` : ''].filter(Boolean).join(' and ');
  const where = `the first at ${(first.index / wav.sampleRate).toFixed(3)} s${wav.channels.length > 1 ? ` in channel ${first.channel + 1}` : ''}`;
  throw new Error(`${source}: ${counts} sample${nan + infinite > 1 ? 's' : ''} (${where}): not audio, nothing to transcribe`);
}

export interface FeatureWindow {
  /** [nMels, frames], zero-padded past the clip. */
  features: Float32Array;
  /** First frame of the window in the whole clip's frame grid. */
  startFrame: number;
  /** Frames of the clip in this window (the rest is padding). */
  frames: number;
  /** No block of the window's frames is loud (src/lib/audio/silence.ts): it is not transcribed. */
  silent: boolean;
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
  // Block k starts where frame k is centred: a window's blocks are those of its frames.
  const loudness = measureLoudness(samples, logMel.hopLength);
  const silent = (start: number, kept: number) => !loudBetween(loudness, start, start + kept);
  if (naturalFrames <= frames) {
    const window = { features: fitFrames(whole, nMels, frames), startFrame: 0, frames: naturalFrames, silent: silent(0, naturalFrames) };
    return { windows: [window], naturalFrames, droppedFrames: 0 };
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
    windows.push({ features: window, startFrame: start, frames: kept, silent: silent(start, kept) });
  }
  return { windows, naturalFrames, droppedFrames };
}

/**
 * Greedy transcripts of [nMels, frames] feature windows, `batchSize` at a time: the start token, textLength - 1
 * argmax steps, cut at the first stop token as the experiments' samples are.
 */
export function transcribeWindows(model: AsrModel, windows: readonly Float32Array[], frames: number, batchSize = 8): string[] {
  const { nMels, textLength } = model.config;
  const size = nMels * frames;
  const texts: string[] = [];
  for (let start = 0; start < windows.length; start += batchSize) {
    const batch = windows.slice(start, start + batchSize);
    const audio = new Float32Array(batch.length * size); // [batch, nMels, frames]
    batch.forEach((window, row) => {
      if (window.length !== size) throw new Error(`transcribeWindows: a window has ${window.length} values, expected ${nMels} x ${frames}`);
      audio.set(window, row * size);
    });
    const tokens = tf.tidy(() => model.transcribe(tf.tensor3d(audio, [batch.length, nMels, frames]), START)); // [batch, textLength]
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
  /** A silent window's text is empty: it was not transcribed. */
  windows: { startSeconds: number; endSeconds: number; text: string; silent: boolean }[];
  /** Seconds of trailing silence cut (beyond KEPT_SILENCE_SECONDS); 0 when none. */
  trimmedSeconds: number;
  /** Seconds at the end not transcribed (a last window under MIN_TAIL_SECONDS); 0 when none. */
  droppedSeconds: number;
  /** Why the transcript may mean little: a clip too short to hold a word, or without sound. */
  warnings: string[];
}

/** Transcribes mono samples already at the model's sample rate (see the header for what is left out, and why). */
export function transcribeSamples(
  model: AsrModel,
  info: { features: AsrFeatures },
  samples: Float32Array,
  options: { batchSize?: number } = {},
): Transcription {
  const { features } = info;
  const { sampleRate } = features;
  const seconds = samples.length / sampleRate;
  const warnings: string[] = [];
  if (seconds < MIN_TAIL_SECONDS)
    warnings.push(`${seconds.toFixed(3)} s is shorter than ${MIN_TAIL_SECONDS} s, too short to hold a word: the transcript is a guess`);
  const loudness = measureLoudness(samples, features.logMel.hopLength);
  if (!loudness.loud.includes(1)) warnings.push(noSound(loudness));
  const cut = trailingSilenceCut(loudness, samples.length, Math.round(KEPT_SILENCE_SECONDS * sampleRate));
  const { windows, droppedFrames } = featureWindows(samples.subarray(0, cut), features);
  const spoken = windows.filter((window) => !window.silent);
  const spokenTexts = transcribeWindows(
    model,
    spoken.map((window) => window.features),
    features.frames,
    options.batchSize,
  );
  const texts = windows.map((window) => (window.silent ? '' : spokenTexts[spoken.indexOf(window)]));
  const secondsPerFrame = features.logMel.hopLength / sampleRate;
  return {
    text: joinTexts(texts),
    seconds,
    windows: windows.map((window, index) => ({
      startSeconds: window.startFrame * secondsPerFrame,
      endSeconds: Math.min(cut / sampleRate, (window.startFrame + window.frames) * secondsPerFrame),
      text: texts[index],
      silent: window.silent,
    })),
    trimmedSeconds: (samples.length - cut) / sampleRate,
    droppedSeconds: droppedFrames * secondsPerFrame,
    warnings,
  };
}

function noSound(loudness: Loudness): string {
  const decibels = (rms: number) => `${(20 * Math.log10(rms)).toFixed(0)} dBFS`;
  const level = loudness.peakRms > 0 ? `its loudest block is ${decibels(loudness.peakRms)}` : 'every sample is 0';
  return `no sound (${level}, under the ${decibels(SOUND_FLOOR)} of one 16-bit step): nothing to transcribe`;
}
