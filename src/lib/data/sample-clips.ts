/**
 * The sample clips of a Question 3 snapshot, rebuilt from its config: the first `samples` clips of the test split,
 * whose greedy transcripts the snapshot lists in `tables.samples`. What a check of published weights and the
 * report's "try it" section need, without loading (or generating) the whole data set:
 *
 * - synthetic speech (q3-asr with corpus synthetic-brown): the corpus's sentence choice and voice draws are
 *   replayed (cheap) and only the sample clips are spoken, byte for byte the WAVs generateSyntheticCorpus writes
 *   (restated here rather than refactored out of synthetic-speech.ts, which is one of the experiments' sources:
 *   editing it would mark every Q3 snapshot stale; test/unit/data/sample-clips.test.ts pins the two together);
 * - real speech (q3-asr with corpus ljspeech, q3-ljspeech, q3-ljspeech-transfer): the WAVs are read from
 *   LJSPEECH_DIR; without it the clips are unavailable (SampleClipsUnavailable);
 * - cross-validated real speech (q3-ljspeech-transfer's cv profiles): the published model's test split (every
 *   clip after pre-training, else fold 0's test clips) in the experiment's evaluation order, each clip with the
 *   frames its evaluation batch was padded to (the batch's longest clip): the models do not mask padding, so a
 *   transcript depends on it. Ordering needs every clip's length, hence LJSPEECH_DIR; without it, unavailable.
 *
 * The splits are the experiments' own: consecutive train / validation / test blocks by index order
 * (./asr-split.ts's consecutiveBlocks, which the experiments split with), or LJ Speech's row ranges; each clip's
 * text is returned so callers can check it against the snapshot's targets.
 */
import { readFile } from 'node:fs/promises';
import { createSynthesizer } from '../audio/espeak.ts';
import type { Synthesizer } from '../audio/espeak.ts';
import { createFliteSynthesizer } from '../audio/flite.ts';
import { createLogMel, fitFrames } from '../audio/log-mel.ts';
import { encodeWavPcm16, parseWav } from '../audio/wav.ts';
import { Random } from '../random.ts';
import { cutTarget } from '../text/similarity.ts';
import { decodeTokens, encodeText } from '../text/tokens.ts';
import { consecutiveBlocks, splitCounts } from './asr-split.ts';
import { crossValidationFolds } from './folds.ts';
import { lengthMatchedOrder } from './length-buckets.ts';
import { LJ_SPEECH_SPLITS, loadLjSpeech } from './ljspeech.ts';
import type { SpeechClip } from './speech-corpus.ts';
import { clipsInRange } from './speech-corpus.ts';
import type { HeldOut, SpeakerDraw, SpeechEngine } from './synthetic-speech.ts';
import { brownSentences, defaultPalette, defaultSpeakerVariation, drawSpeaker, isHeldOut, SPEECH_ENGINES } from './synthetic-speech.ts';

export const SAMPLE_RATE = 22050;

export interface SampleClip {
  /** Position among the snapshot's samples (the `index` of its tables.samples rows). */
  index: number;
  id: string;
  /** The transcript the model was trained to write (the normalized column), as written. */
  text: string;
  /** The clip's WAV file, 16-bit PCM mono at 22,050 Hz. */
  wav: Uint8Array;
  /** The frames its features were padded or cropped to when scored, where not the config's `frames`. */
  frames?: number;
}

/** The clips cannot be had here (no LJ Speech folder); `reason` says why, for a skip message. */
export class SampleClipsUnavailable extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SampleClipsUnavailable';
  }
}

export type Config = Record<string, unknown>;

function number(config: Config, key: string, source: string, at = 'provenance.config'): number {
  const value = config[key];
  if (typeof value !== 'number') throw new Error(`${source}: ${at}.${key} is ${JSON.stringify(value)}, expected a number`);
  return value;
}

/**
 * The sample clips of a run with this resolved config (a snapshot's provenance.config), in order; `count` limits
 * how many (default: all the config's `samples`). `source` names the config in errors.
 */
export async function q3SampleClips(config: Config, options: { count?: number; ljspeechDir?: string; source?: string } = {}): Promise<SampleClip[]> {
  const source = options.source ?? 'run config';
  const wanted = Math.min(options.count ?? Infinity, number(config, 'samples', source));
  if ('corpus' in config && config.corpus === 'synthetic-brown') return syntheticSamples(config, wanted, source);
  if ('cv' in config) return crossValidatedSamples(config, wanted, options.ljspeechDir, source);
  if ('corpus' in config && config.corpus === 'ljspeech') {
    const corpus = await openLjSpeech(options.ljspeechDir, false);
    const [start, end] = LJ_SPEECH_SPLITS.test;
    return realSamples(clipsInRange(corpus.clips, start, end), wanted);
  }
  if ('realLimit' in config || 'arms' in config) {
    const corpus = await openLjSpeech(options.ljspeechDir, true);
    const limit = typeof config.realLimit === 'number' ? config.realLimit : undefined;
    const clips = limit ? corpus.clips.slice(0, limit) : corpus.clips;
    const { test } = consecutiveBlocks(splitCounts(clips.length, number(config, 'trainFraction', source), number(config, 'validationFraction', source)));
    return realSamples(
      test.map((position) => clips[position]),
      wanted,
    );
  }
  throw new Error(`${source}: not a Question 3 snapshot this module knows (provenance.config has neither corpus nor realLimit)`);
}

/**
 * A cross-validated run's published sample clips, as experiments/q3/ljspeech-cv.ts scores them: the clips (the
 * first `realLimit`, or the shortest in metadata order), its folds, the test clips in length-matched order, cut
 * into batches of `evalBatch` that are each padded to their longest clip.
 */
async function crossValidatedSamples(config: Config, wanted: number, dir: string | undefined, source: string): Promise<SampleClip[]> {
  const cv = crossValidation(config, source);
  const corpus = await openLjSpeech(dir, true);
  const frames = number(config, 'frames', source);
  const evalBatch = number(config, 'evalBatch', source);
  const limit = typeof config.realLimit === 'number' ? config.realLimit : corpus.clips.length;
  const logMel = createLogMel({ nMels: number(config, 'nMels', source), frames: null });
  // Every clip's length decides the choice and the order; only the returned clips' bytes are kept.
  const measured: Array<{ clip: SpeechClip; samples: number }> = [];
  for (const clip of corpus.clips) measured.push({ clip, samples: (await readClip(clip.wavPath)).samples });
  const chosen =
    cv.realChoice === 'shortest'
      ? [...measured]
          .sort((a, b) => a.samples - b.samples || a.clip.index - b.clip.index)
          .slice(0, limit)
          .sort((a, b) => a.clip.index - b.clip.index)
      : measured.slice(0, limit);
  const natural = chosen.map(({ samples }) => Math.min(frames, logMel.naturalFrames(samples)));
  const folds = crossValidationFolds(chosen.length, { k: cv.folds, seed: cv.foldSeed, validationFraction: cv.validationFraction });
  const scored = cv.pretrained ? folds.flatMap((fold) => fold.test) : folds[0].test;
  const order = lengthMatchedOrder(scored.map((position) => natural[position])).map((i) => scored[i]);
  return Promise.all(
    order.slice(0, wanted).map(async (position, index) => {
      const batch = order.slice(index - (index % evalBatch), index - (index % evalBatch) + evalBatch);
      const { clip } = chosen[position];
      const { wav } = await readClip(clip.wavPath);
      return { index, id: clip.id, text: clip.normalizedText, wav, frames: Math.max(...batch.map((member) => natural[member])) };
    }),
  );
}

/** A real clip's bytes and its length in samples, checked as the experiments read it (22,050 Hz). */
async function readClip(path: string): Promise<{ wav: Uint8Array; samples: number }> {
  const wav = new Uint8Array(await readFile(path));
  return { wav, samples: parseWav(wav, { source: path, expectedSampleRate: SAMPLE_RATE }).samples.length };
}

/** The config's `cv` block, as much of it as the sample clips need; `pretrained`: its models start with pre-training. */
function crossValidation(config: Config, source: string) {
  if (typeof config.cv !== 'object' || config.cv === null)
    throw new Error(`${source}: provenance.config.cv is ${JSON.stringify(config.cv)}, expected an object`);
  const cv = config.cv as Config;
  const arms = config.arms;
  const field = (key: string) => number(cv, key, source, 'provenance.config.cv');
  if (cv.realChoice !== 'first' && cv.realChoice !== 'shortest')
    throw new Error(`${source}: provenance.config.cv.realChoice is ${JSON.stringify(cv.realChoice)}, expected "first" or "shortest"`);
  if (!Array.isArray(arms) || arms.length === 0) throw new Error(`${source}: provenance.config.arms is ${JSON.stringify(arms)}, expected a list of arms`);
  return {
    folds: field('folds'),
    foldSeed: field('foldSeed'),
    validationFraction: field('validationFraction'),
    realChoice: cv.realChoice,
    pretrained: arms[0] === 'synthetic-then-real',
  };
}

async function syntheticSamples(config: Config, wanted: number, source: string): Promise<SampleClip[]> {
  const clips = number(config, 'clips', source);
  const seed = number(config, 'corpusSeed', source);
  const engines = engineList(config, source);
  const heldOut = heldOutFamily(config, source);
  // The test block, without a held-out family's clips (experiments/q3/asr-data.ts splits the same way).
  let { test } = consecutiveBlocks(splitCounts(clips, number(config, 'trainFraction', source), number(config, 'validationFraction', source)));
  if (heldOut) {
    const speakers = speakerDraws(seed, clips, engines);
    test = test.filter((position) => !isHeldOut(speakers[position], heldOut));
  }
  const spoken = await speakCorpusClips(
    { count: clips, minChars: number(config, 'minChars', source), maxChars: number(config, 'maxChars', source), seed, engines },
    test.slice(0, wanted),
  );
  return spoken.map((clip, index) => ({ index, ...clip }));
}

function heldOutFamily(config: Config, source: string): HeldOut | undefined {
  const heldOut = config.heldOut;
  if (heldOut === undefined) return undefined;
  const valid =
    typeof heldOut === 'object' &&
    heldOut !== null &&
    Object.entries(heldOut).every(
      ([key, value]) =>
        (key === 'engine' && (SPEECH_ENGINES as readonly unknown[]).includes(value)) ||
        (key === 'voices' && Array.isArray(value) && value.every((voice) => typeof voice === 'string')),
    );
  if (!valid) throw new Error(`${source}: provenance.config.heldOut is ${JSON.stringify(heldOut)}, expected { engine?, voices? }`);
  return heldOut as HeldOut;
}

/** Each clip's speaker as generateSyntheticCorpus draws it: the second stream of the corpus seed, in clip order. */
function speakerDraws(seed: number, count: number, engines: readonly SpeechEngine[] | undefined): SpeakerDraw[] {
  const streams = new Random(seed);
  streams.seed(); // the sentence order's stream
  const draws = new Random(streams.seed());
  const palette = engines ? defaultPalette(engines) : [{ engine: 'espeak-ng' as const, ...defaultSpeakerVariation }];
  return Array.from({ length: count }, () => drawSpeaker(palette, draws));
}

/** The config's `engines` (absent: espeak-ng alone, the corpora before issue 18). */
function engineList(config: Config, source: string): SpeechEngine[] | undefined {
  const engines = config.engines;
  if (engines === undefined) return undefined;
  if (!Array.isArray(engines) || !engines.every((engine) => (SPEECH_ENGINES as readonly unknown[]).includes(engine))) {
    throw new Error(`${source}: provenance.config.engines is ${JSON.stringify(engines)}, expected a list of ${SPEECH_ENGINES.join(', ')}`);
  }
  return engines as SpeechEngine[];
}

/**
 * The clips at `positions` of generateSyntheticCorpus's corpus with these options (default id prefix and
 * speakers, or the default palette of `engines`), as it writes them: the same sentence choice (first stream of the
 * seed), engine (when several), voice, rate and pitch (draws per clip in clip order, from the second stream; see
 * drawSpeaker), WAV bytes and ids.
 */
export async function speakCorpusClips(
  options: { count: number; minChars: number; maxChars: number; seed: number; engines?: readonly SpeechEngine[] },
  positions: readonly number[],
): Promise<Array<{ id: string; text: string; wav: Uint8Array }>> {
  const { count } = options;
  const sentences = await brownSentences(options);
  if (!Number.isInteger(count) || count < 1 || count > sentences.length)
    throw new Error(`sample clips: a corpus of ${count} clips cannot be made from ${sentences.length} sentences`);
  for (const position of positions) {
    if (!Number.isInteger(position) || position < 0 || position >= count) throw new Error(`sample clips: position ${position} is outside 0..${count - 1}`);
  }
  const order = new Random(new Random(options.seed).seed()).permutation(sentences.length);
  const speakers = speakerDraws(options.seed, Math.max(-1, ...positions) + 1, options.engines);
  const width = Math.max(5, String(count).length);
  const engines = new Map<SpeechEngine, Synthesizer>();
  const clips: Array<{ id: string; text: string; wav: Uint8Array }> = [];
  for (const position of positions) {
    const text = sentences[order[position]];
    const { engine, ...settings } = speakers[position];
    const synthesizer = engines.get(engine) ?? (engine === 'flite' ? await createFliteSynthesizer() : await createSynthesizer());
    engines.set(engine, synthesizer);
    clips.push({ id: `BRN-${String(position + 1).padStart(width, '0')}`, text, wav: encodeWavPcm16(synthesizer.speak(text, settings), SAMPLE_RATE) });
  }
  return clips;
}

async function openLjSpeech(dir: string | undefined, subset: boolean) {
  try {
    return await loadLjSpeech({ dir, subset });
  } catch (error) {
    throw new SampleClipsUnavailable(`the sample clips are LJ Speech recordings: ${(error as Error).message}`);
  }
}

async function realSamples(test: readonly { id: string; normalizedText: string; wavPath: string }[], wanted: number): Promise<SampleClip[]> {
  const chosen = test.slice(0, wanted);
  return Promise.all(chosen.map(async (clip, index) => ({ index, id: clip.id, text: clip.normalizedText, wav: new Uint8Array(await readFile(clip.wavPath)) })));
}

/** A transcript as the snapshot's `target` column shows it: encoded to `textLength` tokens (cut, lower case) and decoded. */
export function targetText(text: string, textLength: number): string {
  return decodeTokens(cutTarget(encodeText(text, textLength)));
}

/** A clip's model input [nMels, frames], as the experiments make it: log-mel of the whole clip, then padded or cropped. */
export function clipFeatures(wav: Uint8Array, options: { nMels: number; frames: number; source?: string }): Float32Array {
  const { samples } = parseWav(wav, { source: options.source, expectedSampleRate: SAMPLE_RATE });
  const whole = createLogMel({ nMels: options.nMels, frames: null }).compute(samples); // [nMels, natural frames]
  return fitFrames(whole, options.nMels, options.frames); // [nMels, frames]
}
