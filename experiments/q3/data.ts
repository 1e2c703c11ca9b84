/**
 * Question 3's data helpers, shared by both experiments: the data cache, the log-mel features of a list of clips at
 * a config's sizes, progress reports, and the words that describe a corpus in a snapshot.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { SpeechClip, SpeechDataset } from '../../src/lib/data/speech-corpus.ts';
import { createSpeechDataset } from '../../src/lib/data/speech-corpus.ts';
import { defaultSpeakerVariation } from '../../src/lib/data/synthetic-speech.ts';
import type { RunEffects } from '../../src/lib/harness/experiment.ts';
import type { ModelFields } from './config.ts';

const require = createRequire(import.meta.url);

export function espeakVersion(): string {
  const manifest = JSON.parse(readFileSync(require.resolve('@echogarden/espeak-ng-emscripten/package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

export function speakerDescription(): string {
  const { voices, rate, pitch } = defaultSpeakerVariation;
  return `voices ${voices.join(', ')}; ${rate[0]}-${rate[1]} words/min; pitch ${pitch[0]}-${pitch[1]}`;
}

/** Reports generation and feature-extraction progress through the run's effects (silent when there are none). */
export function progressReporter(effects: RunEffects | undefined, label: string): ((done: number, total: number) => void) | undefined {
  if (!effects) return undefined;
  let progress: ReturnType<RunEffects['progress']> | undefined;
  return (done, total) => {
    progress ??= effects.progress(label, total);
    progress.tick(1);
    if (done === total) progress.done();
  };
}

/** The shared data cache, also when `data` is called without effects (e.g. from a test re-loading the inputs). */
export function cacheFolder(effects: RunEffects | undefined): string {
  // The repository's, two folders up: joined rather than written '../..', which source hashing would read as a folder
  // this module reads (and hash the whole repository).
  return effects?.cacheDir ?? join(new URL('..', import.meta.url).pathname, '..', '.cache', 'data');
}

/** The first and last id of a list of clips, for provenance. */
export function idRange(ids: readonly string[]): string {
  return ids.length === 0 ? '(none)' : ids.length === 1 ? ids[0] : `${ids[0]}..${ids.at(-1)}`;
}

/** How many clips are longer than `frames` (their features are cropped, so the end of the transcript is not heard). */
export function croppedClips(dataset: SpeechDataset, positions: readonly number[]): number {
  return positions.filter((position) => dataset.naturalFrames[position] > dataset.frames).length;
}

export function range(start: number, length: number): number[] {
  return Array.from({ length }, (_, i) => start + i);
}

/**
 * The data set of `clips` at the config's sizes: log-mel features of `frames` frames and `nMels` bands, transcripts
 * of `textLength` tokens, cached in the shared data cache; `label` names the progress bar.
 */
export function speechFeatures(
  clips: readonly SpeechClip[],
  config: Pick<ModelFields, 'frames' | 'textLength' | 'nMels'>,
  effects: RunEffects | undefined,
  label = 'log-mel',
): Promise<SpeechDataset> {
  return createSpeechDataset(clips, {
    frames: config.frames,
    maxLen: config.textLength,
    logMel: { nMels: config.nMels },
    cacheDir: join(cacheFolder(effects), 'features'),
    onProgress: progressReporter(effects, label),
  });
}
