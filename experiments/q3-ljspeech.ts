/**
 * Question 3 on real LJ Speech recordings: the clips the folder holds (subset mode: only metadata rows whose
 * WAV exists), at most the first `realLimit` of them, and a transfer experiment: pre-train on espeak-ng speech of LJ Speech's own
 * transcripts, then fine-tune on the real training clips. Both arms are scored on the same held-out real clips.
 *
 * Real clips are split by metadata order: the first `trainFraction` train, the next `validationFraction`
 * validate, the rest test. With the 385 clips of LJ001-0001..LJ002-0200 every one of them lies inside the
 * homework's training range (rows 0-9825), so these held-out clips are not the homework's test set.
 *
 * Pre-training transcripts are drawn with a seed from the homework's training range (rows 0-9825) minus the
 * rows of the held-out real clips, so no held-out sentence is ever heard, synthetic or real. The real training
 * sentences may be among them (the issue allows it: only the held-out part is excluded).
 *
 * Arms: `real-only` trains from the seed's initial weights on the real training clips; `synthetic-then-real`
 * trains the same model from the same seed on the synthetic clips (validating on the real validation clips, so
 * the curve shows how synthetic training carries over), then fine-tunes those weights on the real training
 * clips with a fresh AdamW and the same schedule and epochs as `real-only`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { AsrData } from '../src/lib/data/asr-data.ts';
import { splitCounts, speechSplit } from '../src/lib/data/asr-split.ts';
import { loadLjSpeech, loadLjSpeechTranscripts, LJ_SPEECH_SPLITS, readLjLayout } from '../src/lib/data/ljspeech.ts';
import type { SpeechDataset } from '../src/lib/data/speech-corpus.ts';
import { createSpeechDataset } from '../src/lib/data/speech-corpus.ts';
import type { Transcript } from '../src/lib/data/synthetic-speech.ts';
import { speakTranscripts } from '../src/lib/data/synthetic-speech.ts';
import type { LoadedData, PartResult, RunEffects, RunResult, Threshold } from '../src/lib/harness/experiment.ts';
import { defineExperiment } from '../src/lib/harness/experiment.ts';
import { hashJson, sha256 } from '../src/lib/provenance/hash.ts';
import type { DecoderKind } from '../src/lib/models/asr-decoders.ts';
import { Random } from '../src/lib/random.ts';
import type { Row } from '../src/lib/snapshot-schema.ts';
import { asrTrainingConfig, modelFields, trainingFields } from '../src/lib/train/asr-config.ts';
import { readSafetensors } from '../src/lib/weights/safetensors.ts';
import type { DecoderPart } from './q3-common.ts';
import type { CvData } from './q3-ljspeech-cv.ts';
import { assembleCv, crossValidationConfig, cvDependsOn, cvParts, cvThresholds, loadCvData, runCvPart } from './q3-ljspeech-cv.ts';
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

const arms = ['real-only', 'synthetic-then-real'] as const;
type Arm = (typeof arms)[number];

const config = z
  .object({
    seed: z.number().int().default(1), // model initialisation and shuffling; every run of both arms starts from it
    // Real data
    ljspeechDir: z.string().optional(), // default: LJSPEECH_DIR
    realLimit: z.number().int().min(3).optional(), // keep only the first N available clips (CI)
    trainFraction: z.number().positive().max(1).default(0.85), // first clips train,
    validationFraction: z.number().positive().max(1).default(0.075), // then validation, the rest test
    // Transfer
    arms: z.array(z.enum(arms)).min(1).default(['real-only', 'synthetic-then-real']),
    pretrainClips: z.number().int().positive().default(400), // synthetic clips of LJ transcripts (rows 0-9825 minus held-out)
    pretrainEpochs: z.number().int().positive().default(3),
    corpusSeed: z.number().int().default(1), // transcript choice and voice, rate, pitch per synthetic clip
    // Model and training (fine-tuning uses the same epochs as real-only training)
    ...modelFields,
    ...trainingFields,
    // Cross-validation at full length (./q3-ljspeech-cv.ts); absent: the single metadata-order split above
    cv: crossValidationConfig.optional(),
  })
  .strict();

type Config = z.output<typeof config>;

interface LjData {
  kind: 'split';
  real: SpeechDataset;
  splits: { train: number[]; validation: number[]; test: number[] };
  synthetic: SpeechDataset | null;
  description: Row[];
  syntheticTranscripts: Row[];
  sampleClips: Row[];
}

/**
 * The listening recipe on real speech (issue 11): q3-asr's listening model and training (width 64, MLP 128,
 * 2 heads, 2 blocks, 384 frames, text 36, 24 epochs, lr 2e-3) on all 385 available real clips (327 / 29 / 29).
 * LJ Speech reads ~15 characters a second, so 384 frames (2.8 s) hold the ~34 characters the text keeps of each
 * transcript. The transfer arm first pre-trains on 3,400 espeak-ng clips of LJ transcripts (the listening
 * profile's training-set size, for half its epochs: at epoch 12 the listening run's validation Jaccard was
 * ~0.70, and the session's two cores allowed no more), then fine-tunes on the real training clips for 24 epochs.
 */
const ljListening = {
  realLimit: 385, // LJ001-0001..LJ002-0200, the recordings of the shared part: a full download gives the same clips and numbers
  frames: 384,
  textLength: 36,
  hidden: 64,
  heads: 2,
  mlpHidden: 128,
  encoderBlocks: 2,
  trainBatch: 32,
  evalBatch: 32,
  learningRate: 2e-3,
  epochs: 24,
  samples: 8,
} satisfies Partial<z.input<typeof config>>;

/** The CI profile of both experiments: tiny, on the first 24 real clips. */
const ljSmoke = {
  realLimit: 24, // 20/2/2 clips
  pretrainClips: 8,
  pretrainEpochs: 1,
  frames: 400,
  textLength: 40,
  hidden: 32,
  heads: 2,
  mlpHidden: 64,
  encoderBlocks: 1,
  epochs: 2,
  trainBatch: 10, // 2 steps per epoch
  evalBatch: 16,
  learningRate: 3e-3, // 4 steps: larger steps than the homework's so the loss moves measurably
  samples: 2,
};

/**
 * The CI profile of cross-validation (./q3-ljspeech-cv.ts): the 24 shortest real clips at full length (up to 430
 * frames and 53 characters, so frames 448 and text 56; the first 24 would need 1,400 and 170 and take minutes),
 * 3 folds of 8 test clips, a 32-wide one-block model; pre-training on 8 short synthetic clips, then 8 more, one
 * epoch each; 2 epochs per fold. Every piece of the cross-validated path runs (buckets, folds, the pre-training
 * part the folds start from, pooling) in CI time; the numbers only show that it trains.
 */
const cvSmoke = {
  ...ljSmoke,
  frames: 448,
  textLength: 56,
  trainBatch: 8, // 2 length buckets per fold epoch
  evalBatch: 8,
  cv: {
    realChoice: 'shortest',
    folds: 3,
    validationFraction: 0.1, // 2 of a fold's 16 training clips
    poolBatches: 1,
    pretrainValidationClips: 4,
    publish: false, // toy models
    stages: [
      { clips: 8, maxCharacters: 30, epochs: 1 },
      { clips: 8, epochs: 1 },
    ],
  },
} satisfies Partial<z.input<typeof config>>;

/**
 * Cross-validation of the transfer arm on all 385 real clips at full length (./q3-ljspeech-cv.ts): 3 folds (128 or
 * 129 test clips, 244 training and 13 validation clips each), seeds 1-3, the listening model (width 64, MLP 128, 2
 * heads, 2 blocks, so q3-asr's published listening models fit it), frames 1400 and text 170 (the longest clip has
 * 1,384 frames, the longest transcript 168 characters).
 *
 * Sizing, from a timing probe of one fold epoch at full length (244 clips in length buckets of 16, then validation on
 * 13 clips and the test of 128 clips with their own and the control's audio), by CPU time, since the machine was
 * shared (load average 13; a free core needs about the CPU time): recurrent 130 s for the epoch and its test
 * (~110 s the epoch, 0.45 s per clip, its LSTM steps through up to 169 characters one by one), attention 122 s
 * (~62 s the epoch, 0.25 s per clip; ~60 s its test after one epoch, before the model learns to stop and greedy
 * decoding can end early). Per seed, the two decoders side by side on the two cores:
 * - pre-training starts from the short-clip model q3-asr/listening publishes (espeak-ng speech of other texts, 384
 *   frames, 24 epochs; the issue's evidence: from scratch, full-length synthetic clips stayed a language prior after
 *   6 x 94 steps, short clips align early) and lengthens it with 800 full-length espeak-ng clips of LJ transcripts
 *   for 3 epochs (recurrent ~18 min, attention ~10): the cheapest start that has already learned to align. A
 *   multi-engine short-clip model replaces it by changing `startWeights`; the curriculum from scratch (a stage with
 *   `maxCharacters` first) stays a config choice, at several times the cost;
 * - 10 epochs per fold (160 steps of 16 clips; the single-split listening profile took 264 of 32 at 2.8 s) x 3 folds:
 *   recurrent ~58 min, attention ~34 min with their tests, shared by the two workers (~46 min);
 * about 65-80 minutes per seed on two free cores, 3.5-4 hours for the three seeds. The start weights are the same for
 * every seed (only seed 1's are published), so seeds vary the lengthening and the fine-tuning, not the initialisation.
 */
const cvFull = {
  ...ljListening,
  frames: 1400,
  textLength: 170,
  trainBatch: 16,
  evalBatch: 32,
  epochs: 10,
  seeds: [1, 2, 3],
  cv: {
    folds: 3,
    startWeights: 'models/q3-asr/listening',
    stages: [{ clips: 800, epochs: 3 }],
  },
} satisfies Partial<z.input<typeof config>> & { seeds: number[] };

/**
 * Real-only training on the available LJ Speech clips. `lj-smoke` (CI): the first 24 real clips (20/2/2), a
 * 32-wide model, 2 epochs of both decoders, the real-data path end to end in well under a minute. `listening`:
 * the listening recipe (above) on the 385 available clips, from the seed's initial weights.
 */
export const q3LjSpeech = defineLjExperiment({
  id: 'q3-ljspeech',
  title: 'Question 3 on real LJ Speech recordings',
  arm: 'real-only',
  profiles: { 'lj-smoke': ljSmoke, listening: ljListening },
  thresholds: { 'lj-smoke': ljSmokeThresholds('real-only-'), listening: learnedFloors('real-only-') },
});

/**
 * The transfer experiment: pre-training on espeak-ng speech of LJ transcripts, then fine-tuning on the same real
 * training clips, model and epochs as q3-ljspeech (compare with its real-only numbers, same profile names).
 * `lj-smoke` (CI): 8 synthetic clips for 1 epoch, then as q3-ljspeech's lj-smoke. `listening`: 3,400 synthetic
 * clips for 12 epochs, then 24 epochs of fine-tuning on the real clips.
 */
export const q3LjSpeechTransfer = defineLjExperiment({
  id: 'q3-ljspeech-transfer',
  title: 'Question 3 on real LJ Speech recordings after pre-training on synthetic speech',
  arm: 'synthetic-then-real',
  profiles: { 'lj-smoke': ljSmoke, listening: { ...ljListening, pretrainClips: 3400, pretrainEpochs: 12 }, 'cv-smoke': cvSmoke, cv: cvFull },
  thresholds: {
    'lj-smoke': ljSmokeThresholds('synthetic-then-real-'),
    listening: learnedFloors('synthetic-then-real-'),
    // Measured pooled loss drops from the pre-trained weights: 0.355 (recurrent), 0.350 (attention); half the smaller.
    'cv-smoke': cvThresholds('synthetic-then-real', 0.17, 'measured 0.355 / 0.350; margin half of the smaller'),
    // Gates only on fine-tuning having lowered the pooled real test loss below the pre-trained model's at all; what it
    // bought is what the profile measures.
    cv: cvThresholds('synthetic-then-real', 0.05, 'fine-tuning must lower the pooled loss; cv-smoke measured 0.35 after 2 epochs'),
  },
});

function defineLjExperiment(options: {
  id: string;
  title: string;
  arm: Arm;
  profiles: Record<string, Partial<z.input<typeof config>>>;
  thresholds: Record<string, Threshold[]>;
}) {
  const prefix = `${options.arm}-`;
  return defineExperiment({
    id: options.id,
    title: options.title,
    module: import.meta.url,
    config,
    profiles: Object.fromEntries(Object.entries(options.profiles).map(([name, profile]) => [name, { ...profile, arms: [options.arm] }])),
    thresholds: options.thresholds,
    ciProfile: 'lj-smoke',
    baseline: {
      'train-clips': { direction: 'equal', tolerance: 0 },
      'validation-clips': { direction: 'equal', tolerance: 0 },
      'test-clips': { direction: 'equal', tolerance: 0 },
      // Same seed and backend repeat exactly; the slack is for another backend's rounding.
      ...decoderTolerances(prefix, ['recurrent', 'attention'], 0.05, 0.03),
    },
    async data(config: Config, effects): Promise<LoadedData<LjData | CvData>> {
      return config.cv ? loadCvData(config, effects) : loadData(config, effects);
    },
    parts: (config: Config) => (config.cv ? cvParts(config) : config.decoders),
    dependsOn: (config: Config, part: string) => (config.cv ? cvDependsOn(config, part) : []),
    runPart: (config: Config, data: LjData | CvData, part: string, effects: RunEffects) =>
      data.kind === 'cv' ? runCvPart(config, data, part, effects) : runDecoder(config, data, part as DecoderKind, effects),
    assemble: (config: Config, data: LjData | CvData, results: Record<string, unknown>) =>
      data.kind === 'cv' ? assembleCv(config, data, results as Record<string, PartResult>) : assemble(config, data, results),
  });
}

/** A decoder's part: real-only training, or pre-training on synthetic speech then fine-tuning on the real clips. */
interface LjDecoderPart extends DecoderPart {
  arm: Arm;
  /** synthetic-then-real: the pre-training run (scored on the real held-out clips: the zero-shot transfer). */
  pretrained?: DecoderPart;
}

function realData(data: LjData): AsrData {
  return {
    train: speechSplit(data.real, data.splits.train, 'real train'),
    validation: speechSplit(data.real, data.splits.validation, 'real validation'),
    test: speechSplit(data.real, data.splits.test, 'real test'),
  };
}

async function runDecoder(config: Config, data: LjData, decoder: DecoderKind, effects: RunEffects): Promise<LjDecoderPart> {
  const [arm] = config.arms;
  const real = realData(data);
  const trainingConfig = asrTrainingConfig(config, decoder);
  const folder = effects.checkpointDir;
  if (arm === 'real-only') return { arm, ...(await trainDecoderPart(trainingConfig, real, effects, { folder, name: `${arm}-${decoder}` })) };
  if (!data.synthetic) throw new Error('q3-ljspeech: the synthetic-then-real arm needs the synthetic corpus, which was not loaded');
  // Pre-training validates and tests on the real held-out clips: its test score is the zero-shot transfer.
  const synthetic: AsrData = {
    train: speechSplit(data.synthetic, range(0, data.synthetic.size), 'synthetic train'),
    validation: real.validation,
    test: real.test,
  };
  const pretrainFolder = join(folder, 'pretrain');
  const pretrained = await trainDecoderPart(asrTrainingConfig(config, decoder, { epochs: config.pretrainEpochs }), synthetic, effects, {
    folder: pretrainFolder,
    name: `pretrained-${decoder}`,
  });
  const initialWeights = await readSafetensors(join(pretrainFolder, 'model.safetensors'));
  const fineTuned = await trainDecoderPart(trainingConfig, real, effects, {
    folder: join(folder, 'fine-tune'),
    name: `${arm}-${decoder}`,
    initialWeights,
    evaluateInitial: false,
  });
  // "Untrained" stays the seed's initial weights in both arms, so the loss drops compare like with like.
  return { arm, ...fineTuned, result: { ...fineTuned.result, initial: pretrained.result.initial }, pretrained };
}

function assemble(config: Config, data: LjData, results: Record<string, unknown>): RunResult {
  const [arm] = config.arms;
  const metrics: Record<string, number> = {
    'train-clips': data.splits.train.length,
    'validation-clips': data.splits.validation.length,
    'test-clips': data.splits.test.length,
    'cropped-clips': croppedClips(data.real, [...data.splits.train, ...data.splits.validation, ...data.splits.test]),
  };
  const runs: Array<DecoderPart & { extra: Row }> = [];
  for (const decoder of config.decoders) {
    const part = results[decoder] as LjDecoderPart;
    if (part.pretrained) {
      runs.push({ ...part.pretrained, extra: { arm, stage: 'pretrain' } });
      Object.assign(metrics, pretrainedMetrics(`pretrained-${decoder}`, part.pretrained));
    }
    runs.push({ ...part, extra: { arm, stage: part.pretrained ? 'fine-tune' : 'real-only' } });
    Object.assign(metrics, decoderMetrics(`${arm}-`, part));
  }
  const { curves, tables, timings } = decoderTables(runs);
  return {
    metrics,
    curves,
    tables: { ...tables, data: data.description, syntheticTranscripts: data.syntheticTranscripts, sampleClips: data.sampleClips },
    timings: {
      values: { ...timings?.values, 'feature-seconds': data.real.stats.computeSeconds + (data.synthetic?.stats.computeSeconds ?? 0) },
      curves: timings?.curves,
    },
  };
}

function pretrainedMetrics(key: string, run: DecoderPart): Record<string, number> {
  const { test } = run.result;
  return {
    [`${key}-real-test-loss`]: test.loss,
    [`${key}-real-test-jaccard`]: test.jaccard,
    [`${key}-real-test-cosine`]: test.cosine,
    [`${key}-real-test-damerau-levenshtein`]: test.damerauLevenshtein,
    [`${key}-real-listening-gap-jaccard`]: test.gap.jaccard,
  };
}

async function loadData(config: Config, effects: RunEffects | undefined): Promise<LoadedData<LjData>> {
  const cache = cacheFolder(effects);
  const corpus = await loadLjSpeech({ dir: config.ljspeechDir, subset: true, log: effects?.log });
  const clips = config.realLimit ? corpus.clips.slice(0, config.realLimit) : corpus.clips;
  const counts = splitCounts(clips.length, config.trainFraction, config.validationFraction);
  const real = await createSpeechDataset(clips, {
    frames: config.frames,
    maxLen: config.textLength,
    logMel: { nMels: config.nMels },
    cacheDir: join(cache, 'features'),
    onProgress: progressReporter(effects, 'log-mel (real)'),
  });
  const splits = {
    train: range(0, counts.train),
    validation: range(counts.train, counts.validation),
    test: range(counts.train + counts.validation, counts.test),
  };
  const describe = (positions: number[]) => {
    const chosen = positions.map((position) => clips[position]);
    return `${positions.length} clips, ${idRange(chosen.map((clip) => clip.id))} (metadata rows ${chosen[0].index}-${chosen.at(-1)!.index})`;
  };
  const [trainStart, trainEnd] = LJ_SPEECH_SPLITS.train;
  const insideTrainingRange = clips.every((clip) => clip.index >= trainStart && clip.index < trainEnd);
  const description: Row[] = [
    { key: 'source', value: 'real: LJ Speech 1.1 recordings in LJSPEECH_DIR (subset mode: rows whose WAV exists)' },
    { key: 'available', value: `${corpus.clips.length} of ${corpus.rows} rows have audio (${idRange(corpus.clips.map((clip) => clip.id))})` },
    { key: 'used', value: `${clips.length} clips${config.realLimit ? ` (the first ${config.realLimit})` : ''}` },
    { key: 'train', value: describe(splits.train) },
    { key: 'validation', value: describe(splits.validation) },
    { key: 'test', value: describe(splits.test) },
    { key: 'inside the homework training range 0-9825', value: insideTrainingRange },
    { key: 'metadata sha256 (with ids in use)', value: corpus.hash },
    { key: 'real clips sha256 (ids, texts, wav bytes)', value: real.hash },
  ];
  const heldOut = new Set([...splits.validation, ...splits.test].map((position) => clips[position].index));

  let synthetic: SpeechDataset | null = null;
  let syntheticHash: string | null = null;
  const syntheticTranscripts: Row[] = [];
  if (config.arms.includes('synthetic-then-real')) {
    const { rows, hash: metadataHash } = await loadLjSpeechTranscripts({ dir: config.ljspeechDir });
    const pool = rows.filter((row) => row.index >= trainStart && row.index < trainEnd && !heldOut.has(row.index));
    if (config.pretrainClips > pool.length)
      throw new Error(`q3-ljspeech: pretrainClips ${config.pretrainClips} is more than the ${pool.length} transcripts available`);
    const order = new Random(config.corpusSeed).permutation(pool.length);
    // Metadata order, so the corpus (and its hash) does not depend on how the draw is stored.
    const chosen = Array.from(order.subarray(0, config.pretrainClips), (i) => pool[i]).sort((a, b) => a.index - b.index);
    const transcripts: Transcript[] = chosen.map((row) => ({ id: row.id, text: row.text, normalizedText: row.normalizedText }));
    const idsHash = hashJson(chosen.map((row) => row.id));
    const dir = join(cache, 'speech', `lj-espeak-${idsHash.slice(0, 16)}-s${config.corpusSeed}`);
    effects?.log(`synthetic LJ transcripts in ${dir}`);
    const spoken = await speakTranscripts(transcripts, { dir, seed: config.corpusSeed, onProgress: progressReporter(effects, 'espeak-ng') });
    if (!spoken.cached) effects?.log(`spoke ${spoken.clips} clips in ${spoken.seconds.toFixed(1)} s (${spoken.clipsPerSecond?.toFixed(1)} clips/s)`);
    const layout = await readLjLayout(dir, { id: 'ljspeech-transcripts-espeak' });
    synthetic = await createSpeechDataset(layout.clips, {
      frames: config.frames,
      maxLen: config.textLength,
      logMel: { nMels: config.nMels },
      cacheDir: join(cache, 'features'),
      onProgress: progressReporter(effects, 'log-mel (synthetic)'),
    });
    syntheticHash = hashJson({ corpus: spoken.hash, features: synthetic.hash });
    for (const row of chosen) syntheticTranscripts.push({ id: row.id, index: row.index });
    const heldOutRows = [...heldOut].sort((a, b) => a - b);
    description.push(
      {
        key: 'synthetic',
        value: `${chosen.length} LJ Speech transcripts (normalized column) spoken by espeak-ng (@echogarden/espeak-ng-emscripten ${espeakVersion()}; ${speakerDescription()}, drawn per clip with seed ${config.corpusSeed})`,
      },
      {
        key: 'synthetic pool',
        value: `metadata rows ${trainStart}-${trainEnd} minus the ${heldOut.size} held-out real rows ${heldOutRows[0]}-${heldOutRows.at(-1)} (${pool.length} transcripts); drawn with seed ${config.corpusSeed}, listed in the table syntheticTranscripts`,
      },
      { key: 'synthetic ids sha256', value: idsHash },
      { key: 'synthetic corpus sha256 (metadata, wav bytes)', value: spoken.hash },
      { key: 'synthetic audio seconds', value: spoken.audioSeconds },
      { key: 'full metadata.csv sha256', value: metadataHash },
    );
  }

  const heldOutIds = [...splits.validation, ...splits.test].map((position) => clips[position].id);
  const dataset = {
    id: 'ljspeech-1.1-subset',
    description:
      `LJ Speech 1.1 real recordings (subset mode): ${clips.length} clips ${idRange(clips.map((clip) => clip.id))}, ${insideTrainingRange ? 'all' : 'not all'} inside the homework's training range 0-9825; ` +
      `split by metadata order: train ${describe(splits.train)}, validation ${describe(splits.validation)}, test ${describe(splits.test)}` +
      (synthetic ? `; plus ${synthetic.size} espeak-ng clips of LJ transcripts from rows 0-9825 excluding the held-out ${idRange(heldOutIds)}` : '') +
      '.',
    hash: hashJson({ metadata: corpus.hash, real: real.hash, counts, synthetic: syntheticHash }),
  };
  // The held-out clips whose transcripts the snapshot shows, with the sha256 of their WAV files: the report may
  // only play a recording that hashes to this.
  const sampleClips: Row[] = [];
  for (const position of splits.test.slice(0, config.samples)) {
    const clip = clips[position];
    sampleClips.push({ id: clip.id, index: clip.index, text: clip.normalizedText, wavSha256: sha256(await readFile(clip.wavPath)) });
  }
  return { dataset, data: { kind: 'split', real, splits, synthetic, description, syntheticTranscripts, sampleClips } };
}

/**
 * Measured on the cpu backend with the fast kernels, seed 1 (snapshots/q3-ljspeech/lj-smoke.json and its -transfer twin). Four steps of
 * a 32-wide model on 20 clips: the gate is that training on real recordings moves the test loss below the
 * untrained model's, in both arms. Measured drops: real-only 0.361 (recurrent) and 0.236 (attention),
 * synthetic-then-real 0.415 and 0.308; the floors keep half of the smaller one in each arm as margin.
 */
function ljSmokeThresholds(prefix: string): Threshold[] {
  const measured = prefix === 'real-only-' ? { recurrent: 0.361, attention: 0.236 } : { recurrent: 0.415, attention: 0.308 };
  return (['recurrent', 'attention'] as const).map((decoder) => ({
    metric: `${prefix}${decoder}-test-loss-drop`,
    op: '>=' as const,
    value: Math.floor(measured[decoder] * 50) / 100,
    why: `measured ${measured[decoder]}; margin half of it`,
  }));
}

/**
 * The listening profiles gate only on having learned at all: whether the real-speech models listen is what
 * they measure (the listening gap and its interval), not a condition for keeping the result. The floor is below
 * what the lj-smoke profile measured after only 4 steps of a 32-wide model (loss drops 0.236-0.415): 0.2.
 */
function learnedFloors(prefix: string): Threshold[] {
  return (['recurrent', 'attention'] as const).map((decoder) => ({
    metric: `${prefix}${decoder}-test-loss-drop`,
    op: '>=' as const,
    value: 0.2,
    why: "below lj-smoke's measured drops after 4 steps (0.236-0.415)",
  }));
}
