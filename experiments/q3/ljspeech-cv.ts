/**
 * Question 3 on real LJ Speech, cross-validated (issue 18.4): every real clip at its full length, each a test clip
 * in exactly one of k folds, scored pooled over all of them. A profile of q3-ljspeech(-transfer) turns this mode
 * on with a `cv` block; without one the experiments run as before.
 *
 * - Full length: frames and textLength must cover the longest clip and transcript (the loader refuses otherwise),
 *   so no clip is cropped and no transcript cut. Training batches are length buckets (../src/lib/data/
 *   length-buckets.ts) padded to their own longest clip, their token rows cut after their longest transcript;
 *   scoring pads each batch to its own longest clip and keeps the full token rows.
 * - Folds: a seeded shuffle (../src/lib/data/folds.ts), the same for every model seed, so seeds pair clip by clip;
 *   each fold validates on a seeded few of its own training clips (curves only: the last epoch's weights are kept).
 * - Parts: `pretrain-<decoder>` (synthetic-then-real only) and `fold-<i>-<decoder>`. Every fold part of a decoder
 *   starts from its seed's pre-training part's published weights (`dependsOn`): pre-training runs once per seed
 *   and decoder for all k folds, resumes like any part, and its zero-shot scores on all real clips are the
 *   "after pre-training" row.
 * - Pre-training: synthetic espeak-ng speech of LJ transcripts from the homework's training range minus every real
 *   clip in use (each is a test clip in some fold, so none may be heard), in stages: a curriculum such as short
 *   clips first (`maxCharacters`), then clips of every length; optionally continuing from weights another
 *   experiment published (`startWeights`, e.g. a short-clip multi-engine model).
 * - Scores: each fold's test clips with their own audio and with the control's (a length-matched partner of the
 *   same fold), pooled over the folds: the similarities, CER/WER and listening gaps with a bootstrap interval over
 *   all clips, under the metric names of the single split, so the snapshots compare.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { speechSplit, splitLengths } from '../../src/lib/data/asr-split.ts';
import type { SplitOptions } from '../../src/lib/data/asr-split.ts';
import type { Fold } from '../../src/lib/data/folds.ts';
import { crossValidationFolds } from '../../src/lib/data/folds.ts';
import { bucketedBatches, lengthMatchedOrder, paddingFraction } from '../../src/lib/data/length-buckets.ts';
import { loadLjSpeech, loadLjSpeechTranscripts, LJ_SPEECH_SPLITS, readLjLayout } from '../../src/lib/data/ljspeech.ts';
import { parseWav } from '../../src/lib/audio/wav.ts';
import type { SpeechClip, SpeechDataset } from '../../src/lib/data/speech-corpus.ts';
import { createSpeechDataset } from '../../src/lib/data/speech-corpus.ts';
import { speakTranscripts } from '../../src/lib/data/synthetic-speech.ts';
import type { LoadedData, PartResult, PartResults, RunEffects, RunResult, Threshold } from '../../src/lib/harness/experiment.ts';
import { dependencyResult, resultOfKind } from '../../src/lib/harness/parts.ts';
import { hashJson, sha256 } from '../../src/lib/provenance/hash.ts';
import type { DecoderKind } from '../../src/lib/models/asr-decoders.ts';
import { normalValues } from '../../src/lib/models/layers.ts';
import { Random } from '../../src/lib/random.ts';
import type { Row } from '../../src/lib/snapshot-schema.ts';
import type { AsrEpochRow, AsrTrainingOptions } from '../../src/lib/train/asr.ts';
import type { ListeningEvaluation, ScoredClips } from '../../src/lib/train/asr-evaluation.ts';
import { listeningScores } from '../../src/lib/train/asr-evaluation.ts';
import type { TensorMap } from '../../src/lib/weights/safetensors.ts';
import { readSafetensors } from '../../src/lib/weights/safetensors.ts';
import type { CrossValidationConfig, ModelFields, TrainingFields } from './config.ts';
import { asrTrainingConfig } from './config.ts';
import { cacheFolder, espeakVersion, idRange, progressReporter, speakerDescription } from './data.ts';
import { decoderMetrics, decoderTables } from './results.ts';
import type { DecoderPart } from './training.ts';
import { trainDecoderPart } from './training.ts';

/** The fields of q3-ljspeech's config this mode reads. */
export type CvConfig = ModelFields &
  TrainingFields & {
    seed: number;
    ljspeechDir?: string;
    realLimit?: number;
    arms: Array<'real-only' | 'synthetic-then-real'>;
    corpusSeed: number;
    cv?: CrossValidationConfig;
  };

export interface CvData {
  kind: 'cv';
  real: SpeechDataset;
  folds: Fold[];
  /** Real positions the pre-training validates on, in length-matched order. */
  pretrainValidation: number[];
  synthetic: SpeechDataset | null;
  /** Synthetic positions per pre-training stage (whole clips only). */
  stages: number[][];
  description: Row[];
  syntheticTranscripts: Row[];
  sampleClips: Row[];
}

function cvOf(config: CvConfig): CrossValidationConfig {
  if (!config.cv) throw new Error('q3-ljspeech: cross-validation code ran without a `cv` block in the config');
  return config.cv;
}

/** `startWeights` folders are relative to the repository (e.g. `models/q3-asr/listening`). */
// Two folders up, joined rather than written '../..': source hashing reads `new URL('<dir>/', import.meta.url)` as
// a folder the module reads, and would hash the whole repository.
const repositoryRoot = join(new URL('..', import.meta.url).pathname, '..');

const transfers = (config: CvConfig) => config.arms[0] === 'synthetic-then-real';

// ---------------------------------------------------------------------------------------------------------
// Parts

/** A part of a cross-validation run: one decoder's pre-training, or its fine-tuning on one fold. */
export type CvPart = { stage: 'pretrain'; decoder: DecoderKind } | { stage: 'fold'; fold: number; decoder: DecoderKind };

export function cvPartName(part: CvPart): string {
  return part.stage === 'pretrain' ? `pretrain-${part.decoder}` : `fold-${part.fold}-${part.decoder}`;
}

export function cvParts(config: CvConfig): CvPart[] {
  const { folds } = cvOf(config);
  return config.decoders.flatMap((decoder): CvPart[] => [
    ...(transfers(config) ? [{ stage: 'pretrain' as const, decoder }] : []),
    ...Array.from({ length: folds }, (_, fold) => ({ stage: 'fold' as const, fold, decoder })),
  ]);
}

export function cvDependsOn(config: CvConfig, part: CvPart): CvPart[] {
  return part.stage === 'fold' && transfers(config) ? [{ stage: 'pretrain', decoder: part.decoder }] : [];
}

interface PretrainPart extends PartResult {
  decoder: DecoderKind;
  /** One run per stage; the last one's test split is every real clip (the zero-shot transfer). */
  stages: DecoderPart[];
  /** sha256 of the published weights, which every fold of the decoder starts from. */
  weightsSha256: string;
}

interface FoldPart extends DecoderPart {
  fold: number;
  /** sha256 of the weights the fold started from (the pre-training part's), or null from the seed's initialisation. */
  startWeightsSha256: string | null;
}

const isPretrain = (result: PartResult): result is PretrainPart => Array.isArray(result.stages);
const isFold = (result: PartResult): result is FoldPart => typeof result.fold === 'number';

const bucketed: SplitOptions = { padToBatch: true, trimText: true };
const scored: SplitOptions = { padToBatch: true };

function ordered(dataset: SpeechDataset, positions: readonly number[]): number[] {
  return lengthMatchedOrder(splitLengths(dataset, positions)).map((i) => positions[i]);
}

function bucketOptions(config: CvConfig, dataset: SpeechDataset, positions: readonly number[]): Pick<AsrTrainingOptions, 'epochBatches'> {
  const lengths = splitLengths(dataset, positions);
  return { epochBatches: (shuffle) => bucketedBatches(lengths, config.trainBatch, shuffle, cvOf(config).poolBatches) };
}

export async function runCvPart(config: CvConfig, data: CvData, part: CvPart, effects: RunEffects): Promise<PretrainPart | FoldPart> {
  return part.stage === 'pretrain' ? runPretrain(config, data, part.decoder, effects) : runFold(config, data, part.fold, part.decoder, effects);
}

async function runPretrain(config: CvConfig, data: CvData, decoder: DecoderKind, effects: RunEffects): Promise<PretrainPart> {
  const cv = cvOf(config);
  if (!data.synthetic || data.stages.length === 0) throw new Error('q3-ljspeech cv: pre-training needs at least one stage in cv.stages');
  const validation = speechSplit(data.real, data.pretrainValidation, 'real validation', scored);
  const everyClip = speechSplit(
    data.real,
    ordered(
      data.real,
      data.folds.flatMap((fold) => fold.test),
    ),
    'every real clip',
    scored,
  );
  let weights = cv.startWeights ? await startWeights(config, cv.startWeights, decoder) : undefined;
  const stages: DecoderPart[] = [];
  for (const [index, positions] of data.stages.entries()) {
    const last = index === data.stages.length - 1;
    const run = await trainDecoderPart(
      asrTrainingConfig(config, decoder, { epochs: cv.stages[index].epochs }),
      { train: speechSplit(data.synthetic, positions, `synthetic stage ${index + 1}`, bucketed), validation, test: last ? everyClip : validation },
      effects,
      {
        folder: join(effects.checkpointDir, `stage-${index + 1}`),
        name: `pretrained-${decoder}`,
        initialWeights: weights,
        evaluateInitial: index === 0,
        ...bucketOptions(config, data.synthetic, positions),
      },
    );
    weights = await readSafetensors(run.artifacts![0].path);
    stages.push(run);
  }
  const artifacts = stages.at(-1)!.artifacts!;
  return { decoder, stages, weightsSha256: sha256(await readFile(artifacts[0].path)), artifacts };
}

async function runFold(config: CvConfig, data: CvData, index: number, decoder: DecoderKind, effects: RunEffects): Promise<FoldPart> {
  const fold = data.folds[index];
  if (!fold) throw new Error(`q3-ljspeech cv: fold ${index} does not exist (${data.folds.length} folds)`);
  let initialWeights: TensorMap | undefined;
  let startWeightsSha256: string | null = null;
  if (transfers(config)) {
    const pretrained = await dependencyResult(effects, cvPartName({ stage: 'pretrain', decoder }));
    const path = pretrained.artifacts?.[0]?.path;
    if (!path) throw new Error(`q3-ljspeech cv: part pretrain-${decoder} published no weights`);
    const bytes = await readFile(path);
    startWeightsSha256 = sha256(bytes);
    initialWeights = await readSafetensors(path);
  }
  const run = await trainDecoderPart(
    asrTrainingConfig(config, decoder),
    {
      train: speechSplit(data.real, fold.train, `fold ${index} train`, bucketed),
      validation: speechSplit(data.real, ordered(data.real, fold.validation), `fold ${index} validation`, scored),
      test: speechSplit(data.real, ordered(data.real, fold.test), `fold ${index} test`, scored),
    },
    effects,
    {
      folder: effects.checkpointDir,
      name: `fold-${index}-${decoder}`,
      initialWeights,
      // After pre-training, the pre-training part's scores on every clip are the starting point; from the seed's
      // initialisation each fold scores its own.
      evaluateInitial: !initialWeights,
      ...bucketOptions(config, data.real, fold.train),
    },
  );
  return { ...run, fold: index, startWeightsSha256 };
}

/**
 * Another experiment's published weights for `decoder`. A model trained on shorter transcripts has fewer rows of
 * learned text positions (the attention decoder's pos_embed); the missing rows start as a fresh model's do,
 * N(0, 1) from the seed, and are learned in pre-training.
 */
export async function startWeights(config: CvConfig, folder: string, decoder: DecoderKind): Promise<TensorMap> {
  const path = resolve(repositoryRoot, folder, `${decoder}.safetensors`);
  const weights = await readSafetensors(path).catch((error: Error) => {
    throw new Error(`q3-ljspeech cv: cannot read the start weights ${path} (${error.message})`);
  });
  const positions = weights.get('decoder.pos_embed');
  const rows = config.textLength - 1;
  if (positions && positions.shape[0] !== rows) {
    const [had, hidden] = positions.shape;
    const data = new Float32Array(rows * hidden);
    data.set(positions.data.subarray(0, Math.min(had, rows) * hidden));
    if (rows > had) data.set(normalValues(new Random(config.seed), (rows - had) * hidden, 1), had * hidden);
    weights.set('decoder.pos_embed', { shape: [rows, hidden], data });
  }
  return weights;
}

// ---------------------------------------------------------------------------------------------------------
// Results

/** Folds' test clips pooled: means over every clip (losses weighted by fold size), in fold order. */
function pooled(evaluations: ScoredClips[]): ScoredClips {
  const clips = evaluations.flatMap((evaluation) => evaluation.clips);
  const examples = evaluations.reduce((sum, evaluation) => sum + evaluation.examples, 0);
  const mean = (field: 'jaccard' | 'cosine' | 'damerauLevenshtein') => clips.reduce((sum, clip) => sum + clip[field], 0) / clips.length;
  return {
    loss: evaluations.reduce((sum, evaluation) => sum + evaluation.loss * evaluation.examples, 0) / examples,
    jaccard: mean('jaccard'),
    cosine: mean('cosine'),
    damerauLevenshtein: mean('damerauLevenshtein'),
    examples,
    clips,
  };
}

/** The folds of one decoder as one run: pooled test scores, the folds' last epochs averaged, their starting scores pooled. */
function pooledRun(folds: FoldPart[]): DecoderPart {
  const right = pooled(folds.map((fold) => fold.result.test));
  const wrong = pooled(folds.map((fold) => ({ ...fold.result.test.shuffled, clips: fold.result.test.shuffledClips })));
  const test: ListeningEvaluation = { ...listeningScores(right, wrong), alignments: folds[0].result.test.alignments };
  const lasts = folds.map((fold) => fold.result.epochs.at(-1)!);
  const last = Object.fromEntries(Object.keys(lasts[0]).map((key) => [key, lasts.reduce((sum, row) => sum + row[key], 0) / lasts.length])) as AsrEpochRow;
  const initials = folds.flatMap((fold) => (fold.result.initial ? [fold.result.initial] : []));
  const examples = initials.reduce((sum, evaluation) => sum + evaluation.examples, 0);
  const weighted = (field: 'loss' | 'jaccard' | 'cosine' | 'damerauLevenshtein') =>
    initials.reduce((sum, evaluation) => sum + evaluation[field] * evaluation.examples, 0) / examples;
  const initial =
    initials.length === folds.length
      ? { loss: weighted('loss'), jaccard: weighted('jaccard'), cosine: weighted('cosine'), damerauLevenshtein: weighted('damerauLevenshtein'), examples }
      : undefined;
  const { initial: _first, ...rest } = folds[0].result;
  return { decoder: folds[0].decoder, result: { ...rest, epochs: [last], test, ...(initial ? { initial } : {}) } };
}

const gapMeasures = { jaccard: 'jaccard', cosine: 'cosine', damerauLevenshtein: 'damerau-levenshtein', cer: 'cer', wer: 'wer' } as const;

export function assembleCv(config: CvConfig, data: CvData, results: PartResults<CvPart, PartResult>): RunResult {
  const cv = cvOf(config);
  const arm = config.arms[0];
  const prefix = `${arm}-`;
  const testClips = data.folds.reduce((sum, fold) => sum + fold.test.length, 0);
  const metrics: Record<string, number> = {
    folds: cv.folds,
    'train-clips': data.folds[0].train.length,
    'validation-clips': data.folds[0].validation.length,
    'test-clips': testClips,
    'cropped-clips': data.real.naturalFrames.filter((frames) => frames > data.real.frames).length,
  };
  const runs: Array<DecoderPart & { extra: Row }> = [];
  const clipRows: Row[] = [];
  const starts: Row[] = [];
  const ids = data.folds.flatMap((fold) => ordered(data.real, fold.test).map((position) => ({ id: data.real.ids[position], fold: fold.index })));
  for (const decoder of config.decoders) {
    const folds = data.folds.map((fold) => resultOfKind(results.of({ stage: 'fold', fold: fold.index, decoder }), isFold, 'a fold'));
    const pretrained = transfers(config) ? resultOfKind(results.of({ stage: 'pretrain', decoder }), isPretrain, 'a pre-training') : undefined;
    const key = `${prefix}${decoder}`;
    const run = pooledRun(folds);
    const { initial: _unused, ...withoutInitial } = run.result;
    // decoderMetrics names the test scores as the single-split profiles do; its `untrained` scores would be the
    // starting weights, which after pre-training are not untrained, so the starting point is named here instead.
    Object.assign(metrics, decoderMetrics(prefix, { ...run, result: withoutInitial }));
    const zeroShot = pretrained?.stages.at(-1)?.result.test;
    const start = zeroShot ?? run.result.initial;
    if (start) metrics[`${key}-cv-loss-drop`] = start.loss - run.result.test.loss;
    for (const fold of folds) {
      metrics[`${key}-fold-${fold.fold}-test-jaccard`] = fold.result.test.jaccard;
      metrics[`${key}-fold-${fold.fold}-listening-gap-jaccard`] = fold.result.test.gap.jaccard;
    }
    if (pretrained && zeroShot) {
      for (const [field, name] of Object.entries({ loss: 'loss', ...gapMeasures }) as Array<[keyof typeof gapMeasures | 'loss', string]>) {
        metrics[`pretrained-${decoder}-real-test-${name}`] = zeroShot[field];
      }
      for (const [field, name] of Object.entries(gapMeasures) as Array<[keyof typeof gapMeasures, string]>) {
        metrics[`pretrained-${decoder}-real-listening-gap-${name}`] = zeroShot.gap[field];
        metrics[`pretrained-${decoder}-real-listening-gap-${name}-low`] = zeroShot.gapInterval[field].low;
        metrics[`pretrained-${decoder}-real-listening-gap-${name}-high`] = zeroShot.gapInterval[field].high;
      }
      pretrained.stages.forEach((stageRun, index) => runs.push({ ...stageRun, extra: { arm, stage: `pretrain-${index + 1}` } }));
    }
    for (const fold of folds) {
      runs.push({ ...fold, extra: { arm, stage: `fold-${fold.fold}`, fold: fold.fold } });
      starts.push({ decoder, fold: fold.fold, startWeightsSha256: fold.startWeightsSha256, pretrainedSha256: pretrained?.weightsSha256 ?? null });
    }
    // Before (pre-trained) and after fine-tuning, clip by clip: the zero-shot run scored every clip in its own order.
    const zeroShotById = new Map<string, string>();
    if (zeroShot)
      ordered(
        data.real,
        data.folds.flatMap((fold) => fold.test),
      ).forEach((position, i) => zeroShotById.set(data.real.ids[position], zeroShot.clips[i].prediction));
    run.result.test.clips.forEach((clip, i) =>
      clipRows.push({
        decoder,
        id: ids[i].id,
        fold: ids[i].fold,
        target: clip.target,
        prediction: clip.prediction,
        shuffledAudioPrediction: run.result.test.shuffledClips[i].prediction,
        pretrainedPrediction: zeroShotById.get(ids[i].id) ?? null,
        jaccard: clip.jaccard,
        damerauLevenshtein: clip.damerauLevenshtein,
      }),
    );
  }
  const { curves, tables, timings } = decoderTables(runs);
  return {
    metrics,
    curves,
    tables: {
      ...tables,
      clips: clipRows,
      foldStarts: starts,
      data: data.description,
      syntheticTranscripts: data.syntheticTranscripts,
      sampleClips: data.sampleClips,
    },
    timings: {
      values: { ...timings?.values, 'feature-seconds': data.real.stats.computeSeconds + (data.synthetic?.stats.computeSeconds ?? 0) },
      curves: timings?.curves,
    },
    // The pre-trained models are what the folds share; each fold's fine-tuned model saw only part of the real clips.
    publish: cv.publish ? config.decoders.map((decoder) => (transfers(config) ? `pretrain-${decoder}` : `fold-0-${decoder}`)) : [],
  };
}

/**
 * Gates of a cross-validated profile: training on real clips lowered the pooled test loss below the starting
 * weights' (the pre-trained model's on every clip, or the seed's initialisation fold by fold) by at least
 * `floor`, for both decoders.
 */
export function cvThresholds(arm: string, floor: number, why: string): Threshold[] {
  return (['recurrent', 'attention'] as const).map((decoder) => ({ metric: `${arm}-${decoder}-cv-loss-drop`, op: '>=' as const, value: floor, why }));
}

// ---------------------------------------------------------------------------------------------------------
// Data

export async function loadCvData(config: CvConfig, effects: RunEffects | undefined): Promise<LoadedData<CvData>> {
  const cv = cvOf(config);
  const cache = cacheFolder(effects);
  const corpus = await loadLjSpeech({ dir: config.ljspeechDir, subset: true, log: effects?.log });
  const clips = await chosenClips(corpus.clips, config.realLimit, cv.realChoice);
  const longestText = clips.reduce((longest, clip) => ([...clip.normalizedText].length > [...longest.normalizedText].length ? clip : longest));
  const characters = [...longestText.normalizedText].length;
  if (characters + 2 > config.textLength)
    throw new Error(
      `q3-ljspeech cv: transcript ${longestText.id} has ${characters} characters; textLength must be at least ${characters + 2} (start and stop) so no transcript is cut, the profile has ${config.textLength}`,
    );
  const real = await createSpeechDataset(clips, {
    frames: config.frames,
    maxLen: config.textLength,
    logMel: { nMels: config.nMels },
    cacheDir: join(cache, 'features'),
    onProgress: progressReporter(effects, 'log-mel (real)'),
  });
  const longest = real.naturalFrames.reduce((max, frames) => Math.max(max, frames), 0);
  if (longest > config.frames)
    throw new Error(
      `q3-ljspeech cv: the longest real clip has ${longest} frames; frames must be at least that so no clip is cropped, the profile has ${config.frames}`,
    );
  const folds = crossValidationFolds(real.size, { k: cv.folds, seed: cv.foldSeed, validationFraction: cv.validationFraction });
  const drawn = new Random(cv.foldSeed + 1).permutation(real.size).subarray(0, Math.min(cv.pretrainValidationClips, real.size));
  const pretrainValidation = ordered(
    real,
    Array.from(drawn).sort((a, b) => a - b),
  );

  const [trainStart, trainEnd] = LJ_SPEECH_SPLITS.train;
  const lengths = splitLengths(real, folds[0].train);
  const unbucketed = [];
  const order = new Random(cv.foldSeed).permutation(lengths.length);
  for (let start = 0; start < order.length; start += config.trainBatch) unbucketed.push(Array.from(order.subarray(start, start + config.trainBatch)));
  const bucketedShare = paddingFraction(lengths, bucketedBatches(lengths, config.trainBatch, new Random(cv.foldSeed), cv.poolBatches));
  const seconds = (frames: number) => (frames * 160) / 22050;
  const description: Row[] = [
    { key: 'source', value: 'real: LJ Speech 1.1 recordings in LJSPEECH_DIR (subset mode: rows whose WAV exists)' },
    { key: 'available', value: `${corpus.clips.length} of ${corpus.rows} rows have audio (${idRange(corpus.clips.map((clip) => clip.id))})` },
    { key: 'used', value: `${clips.length} clips${config.realLimit ? ` (the ${cv.realChoice} ${config.realLimit})` : ''}, every one at full length` },
    {
      key: 'lengths',
      value: `${Math.min(...real.naturalFrames)}-${longest} frames (${seconds(Math.min(...real.naturalFrames)).toFixed(1)}-${seconds(longest).toFixed(1)} s), transcripts up to ${characters} characters (${longestText.id}); frames ${config.frames}, textLength ${config.textLength}`,
    },
    {
      key: 'cross-validation',
      value: `${cv.folds} folds by a shuffle with seed ${cv.foldSeed} (${folds.map((fold) => fold.test.length).join(' / ')} test clips); each fold validates on ${cv.validationFraction} of its training part`,
    },
    {
      key: `padding (fold 0 training batches of ${config.trainBatch})`,
      value: `${(100 * bucketedShare).toFixed(1)}% of frames with length buckets of ${cv.poolBatches} batches, ${(100 * paddingFraction(lengths, unbucketed)).toFixed(1)}% in shuffled batches`,
    },
    { key: 'inside the homework training range 0-9825', value: clips.every((clip) => clip.index >= trainStart && clip.index < trainEnd) },
    { key: 'metadata sha256 (with ids in use)', value: corpus.hash },
    { key: 'real clips sha256 (ids, texts, wav bytes)', value: real.hash },
  ];

  let synthetic: SpeechDataset | null = null;
  let syntheticHash: string | null = null;
  const stages: number[][] = [];
  const syntheticTranscripts: Row[] = [];
  if (transfers(config)) {
    if (cv.stages.length === 0) throw new Error('q3-ljspeech cv: the synthetic-then-real arm needs at least one pre-training stage in cv.stages');
    const { rows, hash: metadataHash } = await loadLjSpeechTranscripts({ dir: config.ljspeechDir });
    const realRows = new Set(clips.map((clip) => clip.index));
    const fits = (text: string) => [...text].length + 2 <= config.textLength;
    const pool = rows.filter((row) => row.index >= trainStart && row.index < trainEnd && !realRows.has(row.index) && fits(row.normalizedText));
    const draw = new Random(config.corpusSeed).permutation(pool.length);
    const taken = new Set<number>();
    const stageRows = cv.stages.map((spec, index) => {
      const chosen = [];
      for (let i = 0; i < draw.length && chosen.length < spec.clips; i++) {
        const row = pool[draw[i]];
        if (taken.has(row.index) || (spec.maxCharacters !== undefined && [...row.normalizedText].length > spec.maxCharacters)) continue;
        taken.add(row.index);
        chosen.push(row);
      }
      if (chosen.length < spec.clips)
        throw new Error(`q3-ljspeech cv: stage ${index + 1} asks for ${spec.clips} transcripts, the pool has ${chosen.length} left that fit`);
      return chosen;
    });
    // Metadata order, so the corpus (and its hash) does not depend on how the draw is stored.
    const chosen = stageRows.flat().sort((a, b) => a.index - b.index);
    const idsHash = hashJson(chosen.map((row) => row.id));
    const dir = join(cache, 'speech', `lj-espeak-${idsHash.slice(0, 16)}-s${config.corpusSeed}`);
    effects?.log(`synthetic LJ transcripts in ${dir}`);
    const spoken = await speakTranscripts(
      chosen.map((row) => ({ id: row.id, text: row.text, normalizedText: row.normalizedText })),
      { dir, seed: config.corpusSeed, onProgress: progressReporter(effects, 'espeak-ng') },
    );
    const layout = await readLjLayout(dir, { id: 'ljspeech-transcripts-espeak' });
    synthetic = await createSpeechDataset(layout.clips, {
      frames: config.frames,
      maxLen: config.textLength,
      logMel: { nMels: config.nMels },
      cacheDir: join(cache, 'features'),
      onProgress: progressReporter(effects, 'log-mel (synthetic)'),
    });
    const positionOf = new Map(synthetic.ids.map((id, position) => [id, position]));
    let dropped = 0;
    stageRows.forEach((rowsOfStage, index) => {
      const positions = rowsOfStage.map((row) => positionOf.get(row.id)!).sort((a, b) => a - b);
      // Whole clips only: a clip longer than the frames would be cropped against its full transcript.
      const whole = positions.filter((position) => synthetic!.naturalFrames[position] <= config.frames);
      dropped += positions.length - whole.length;
      if (whole.length === 0) throw new Error(`q3-ljspeech cv: every clip of pre-training stage ${index + 1} is longer than ${config.frames} frames`);
      stages.push(whole);
      for (const row of rowsOfStage) syntheticTranscripts.push({ id: row.id, index: row.index, stage: index + 1 });
    });
    syntheticHash = hashJson({ corpus: spoken.hash, features: synthetic.hash, stages });
    description.push(
      {
        key: 'synthetic',
        value: `${chosen.length} LJ Speech transcripts (normalized column) spoken by espeak-ng (@echogarden/espeak-ng-emscripten ${espeakVersion()}; ${speakerDescription()}, drawn per clip with seed ${config.corpusSeed})`,
      },
      {
        key: 'synthetic pool',
        value: `metadata rows ${trainStart}-${trainEnd} minus all ${realRows.size} real rows in use, transcripts of at most ${config.textLength - 2} characters (${pool.length}); drawn with seed ${config.corpusSeed}, listed in the table syntheticTranscripts`,
      },
      {
        key: 'pre-training stages',
        value: [
          ...cv.stages.map(
            (spec, index) =>
              `${index + 1}: ${stages[index].length} clips${spec.maxCharacters ? ` of at most ${spec.maxCharacters} characters` : ''}, ${spec.epochs} epochs`,
          ),
          `${dropped} clips longer than ${config.frames} frames left out${cv.startWeights ? `; starting from ${cv.startWeights}` : ''}`,
        ].join('; '),
      },
      { key: 'synthetic ids sha256', value: idsHash },
      { key: 'synthetic corpus sha256 (metadata, wav bytes)', value: spoken.hash },
      { key: 'synthetic audio seconds', value: spoken.audioSeconds },
      { key: 'full metadata.csv sha256', value: metadataHash },
    );
  }

  const sampleClips: Row[] = [];
  for (const position of ordered(real, folds[0].test).slice(0, config.samples)) {
    const clip = clips[position];
    sampleClips.push({ id: clip.id, index: clip.index, text: clip.normalizedText, wavSha256: sha256(await readFile(clip.wavPath)) });
  }
  const startHash = cv.startWeights ? await startWeightsHash(cv.startWeights, config.decoders) : null;
  const dataset = {
    id: 'ljspeech-1.1-subset',
    description:
      `LJ Speech 1.1 real recordings (subset mode): ${clips.length} clips ${idRange(clips.map((clip) => clip.id))} at full length, ${cv.folds}-fold cross-validated` +
      (synthetic ? `; pre-trained on ${synthetic.size} espeak-ng clips of LJ transcripts from rows 0-9825 excluding every real row in use` : '') +
      '.',
    hash: hashJson({ metadata: corpus.hash, real: real.hash, folds, pretrainValidation, synthetic: syntheticHash, startWeights: startHash }),
  };
  return { dataset, data: { kind: 'cv', real, folds, pretrainValidation, synthetic, stages, description, syntheticTranscripts, sampleClips } };
}

/** The first `limit` clips, or the `limit` shortest (by samples; ties by metadata order), in metadata order. */
async function chosenClips(clips: readonly SpeechClip[], limit: number | undefined, choice: 'first' | 'shortest'): Promise<SpeechClip[]> {
  if (limit === undefined) return [...clips];
  if (choice === 'first') return clips.slice(0, limit);
  const samples = new Map<SpeechClip, number>();
  for (const clip of clips) samples.set(clip, parseWav(await readFile(clip.wavPath), { source: clip.wavPath }).samples.length);
  const shortest = [...clips].sort((a, b) => samples.get(a)! - samples.get(b)! || a.index - b.index).slice(0, limit);
  return shortest.sort((a, b) => a.index - b.index);
}

/** The start weights are inputs like the data: their bytes go into the input hash. */
async function startWeightsHash(folder: string, decoders: readonly DecoderKind[]): Promise<string> {
  const hashes: Record<string, string> = {};
  for (const decoder of decoders) {
    const path = resolve(repositoryRoot, folder, `${decoder}.safetensors`);
    hashes[decoder] = sha256(
      await readFile(path).catch((error: NodeJS.ErrnoException) => {
        throw new Error(`q3-ljspeech cv: cannot read the start weights ${path} (${error.code ?? error.message})`);
      }),
    );
  }
  return hashJson(hashes);
}
