/**
 * Scoring a recogniser. `evaluateAsr` is the homework's: mean loss and the string similarities of greedy transcripts
 * (each epoch's validation, ./asr.ts). `evaluateListening` asks whether it listens, scoring the test split three ways:
 * - as the homework: loss and the three similarities of greedy transcripts, plus CER and WER and the share of
 *   distinct transcripts (a model that ignores the audio says much the same thing for every clip);
 * - the shuffled-audio control: every clip's audio replaced by another test clip's (a fixed derangement:
 *   clip i hears clip (i + floor(n/2)) mod n), its transcript still scored against its own text. The listening
 *   gap (right audio minus wrong audio) per measure, with a 95% bootstrap interval over clips, is what the
 *   audio is worth to the model; a language prior alone scores the same either way;
 * - the cross-attention map of the decoder over the encoder frames for the first few clips, fed the model's
 *   own transcript (what greedy decoding attended to at each step). A monotone diagonal is what listening
 *   looks like.
 */
import * as tf from '@tensorflow/tfjs';
import type { Progress } from '../effects.ts';
import type { AsrBatch, AsrSplit } from '../data/asr-data.ts';
import type { AsrModel } from '../models/asr.ts';
import { bootstrapMean } from '../stats/summary.ts';
import { errorCounts, errorRates } from '../text/error-rate.ts';
import type { ErrorCounts } from '../text/error-rate.ts';
import { cutGenerated, cutTarget, scoreTranscript } from '../text/similarity.ts';
import type { Similarities } from '../text/similarity.ts';
import { decodeTokens, encodeText, STOP } from '../text/tokens.ts';
import type { AsrTrainingConfig } from './asr-config.ts';
import { crossEntropyWithLabelSmoothing } from './losses.ts';

export interface AsrEvaluation extends Similarities {
  loss: number;
  examples: number;
}

/** One clip as scored: the texts, the homework's similarities and the edit counts behind CER/WER. */
export interface ClipScore extends Similarities {
  target: string;
  prediction: string;
  errors: ErrorCounts;
}

/** A loaded batch as tensors, checked against the config (training batches too). */
export function batchTensors(batch: AsrBatch, count: number, training: AsrTrainingConfig, source: string): { audio: tf.Tensor3D; text: tf.Tensor2D } {
  // The model config's frames and text length bound a batch's; its bands are the audio's second axis.
  const config = { model: training.model, frames: training.model.frames };
  const { nMels: freq } = config.model;
  const frames = batch.frames ?? config.frames;
  const textLength = batch.textLength ?? config.model.textLength;
  if (frames > config.frames || textLength > config.model.textLength) {
    throw new Error(`${source}: a batch of ${frames} frames and ${textLength} tokens exceeds the config's ${config.frames} and ${config.model.textLength}`);
  }
  if (batch.audio.length !== count * freq * frames) {
    throw new Error(`${source}: audio has ${batch.audio.length} values, expected ${count} x ${freq} x ${frames}`);
  }
  if (batch.text.length !== count * textLength) throw new Error(`${source}: text has ${batch.text.length} ids, expected ${count} x ${textLength}`);
  return {
    audio: tf.tensor3d(batch.audio, [count, freq, frames]),
    text: tf.tensor2d(batch.text, [count, textLength], 'int32'),
  };
}

function indexRange(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}

/**
 * Mean loss (each example weighted equally: batch means weighted by batch size), mean similarities of the
 * greedy transcripts (cut as the homework: target to its stop token, transcript to its first stop), and the
 * first `samples` target/prediction pairs as text, in split order.
 */
export async function evaluateAsr(
  model: AsrModel,
  split: AsrSplit,
  config: AsrTrainingConfig,
  options: { samples?: number; progress?: Progress; label?: string } = {},
): Promise<AsrEvaluation & { samples: { target: string; prediction: string }[]; clips: ClipScore[] }> {
  if (split.size < 1) throw new Error(`evaluateAsr: the ${options.label ?? ''} split is empty`);
  // Greedy decoding runs the model's full length; a batch's targets may be cut shorter (AsrBatch.textLength).
  const { textLength: generatedLength } = config.model;
  let lossSum = 0;
  const sums: Similarities = { jaccard: 0, cosine: 0, damerauLevenshtein: 0 };
  const samples: { target: string; prediction: string }[] = [];
  const clips: ClipScore[] = [];
  for (let start = 0; start < split.size; start += config.evalBatch) {
    const indices = indexRange(start, Math.min(start + config.evalBatch, split.size));
    const { audio, text } = batchTensors(await split.load(indices), indices.length, config, options.label ?? 'evaluation split');
    const textLength = text.shape[1];
    const [loss, generated] = tf.tidy(() => {
      const memory = model.encoder.forward(audio); // [batch, frames/2, hidden]
      const inputs = tf.slice(text, [0, 0], [indices.length, textLength - 1]); // [batch, textLength-1]
      const targets = tf.slice(text, [0, 1], [indices.length, textLength - 1]); // [batch, textLength-1]
      const batchLoss = crossEntropyWithLabelSmoothing(model.decoder.forward(inputs, memory), targets, config.labelSmoothing);
      // Stopping once every row has stopped leaves the scores as they are (transcripts are cut at their first stop).
      return [batchLoss, model.decoder.greedy(memory, generatedLength - 1, config.startToken, STOP)] as const; // generated: [batch, generatedLength]
    });
    lossSum += loss.dataSync()[0] * indices.length;
    const targetRows = text.dataSync() as Int32Array;
    const generatedRows = generated.dataSync() as Int32Array;
    tf.dispose([audio, text, loss, generated]);
    for (let row = 0; row < indices.length; row++) {
      const target = targetRows.subarray(row * textLength, (row + 1) * textLength);
      const prediction = generatedRows.subarray(row * generatedLength, (row + 1) * generatedLength);
      const score = scoreTranscript(target, prediction);
      sums.jaccard += score.jaccard;
      sums.cosine += score.cosine;
      sums.damerauLevenshtein += score.damerauLevenshtein;
      // As scored: a transcript that never stops shows its last token replaced by the stop.
      const texts = { target: decodeTokens(cutTarget(target)), prediction: decodeTokens(cutGenerated(prediction)) };
      clips.push({ ...texts, ...score, errors: errorCounts(texts.target, texts.prediction) });
      if (samples.length < (options.samples ?? 0)) samples.push(texts);
    }
    options.progress?.tick(indices.length);
  }
  const n = split.size;
  return {
    loss: lossSum / n,
    jaccard: sums.jaccard / n,
    cosine: sums.cosine / n,
    damerauLevenshtein: sums.damerauLevenshtein / n,
    examples: n,
    samples,
    clips,
  };
}

export interface Scores extends AsrEvaluation {
  cer: number;
  wer: number;
  /** Distinct greedy transcripts / clips. */
  distinct: number;
}

type GapMeasure = 'jaccard' | 'cosine' | 'damerauLevenshtein' | 'cer' | 'wer';

export interface AlignmentMap {
  /** Position of the clip in the split. */
  clip: number;
  target: string;
  prediction: string;
  /** Encoder frames pooled per column (the map is steps x ceil(frames / bin)). */
  bin: number;
  /** One row per decoder step (the start token's step first), mean over heads, pooled over `bin` frames. */
  weights: number[][];
}

export interface ListeningEvaluation extends Scores {
  clips: ClipScore[];
  shuffled: Scores;
  /** Each clip's transcript with the control's wrong audio, in split order: per-clip gaps pool across splits (cross-validation). */
  shuffledClips: ClipScore[];
  /** Right audio minus wrong audio (for CER and WER: wrong minus right, so a positive gap is always good). */
  gap: Record<GapMeasure, number>;
  /**
   * 95% percentile-bootstrap interval over clips (2,000 resamples, seed 1) of the mean per-clip difference. For the
   * similarities that mean is the gap itself; for CER and WER the gap is of pooled rates, a different statistic
   * (the interval need not contain it): bootstrapping the pooled rates would be the consistent choice, a change
   * that moves recorded numbers and so waits for the next run of every Q3 profile.
   */
  gapInterval: Record<GapMeasure, { low: number; high: number }>;
  alignments: AlignmentMap[];
}

/** The derangement of the control: clip i hears clip (i + floor(n/2)) mod n. */
function shuffledAudioOrder(n: number): number[] {
  if (n < 2) throw new Error(`shuffled-audio control: needs at least 2 test clips, got ${n}`);
  const shift = Math.floor(n / 2);
  return Array.from({ length: n }, (_, i) => (i + shift) % n);
}

/** The split with each clip's audio taken from clip `order[i]` and its text kept. */
function withShuffledAudio(split: AsrSplit, order: readonly number[]): AsrSplit {
  return {
    size: split.size,
    async load(indices) {
      const [own, other] = await Promise.all([split.load(indices), split.load(indices.map((index) => order[index]))]);
      // Bucketed splits pad each batch to its own longest clip: the shape goes with the audio, the length with the text.
      return { audio: other.audio, text: own.text, frames: other.frames, textLength: own.textLength };
    },
  };
}

export async function evaluateListening(
  model: AsrModel,
  split: AsrSplit,
  config: AsrTrainingConfig,
  options: { progress?: (label: string, total: number) => Progress; alignmentClips?: number } = {},
): Promise<ListeningEvaluation> {
  const right = await evaluateAsr(model, split, config, { progress: options.progress?.('test', split.size), label: 'test' });
  const wrong = await evaluateAsr(model, withShuffledAudio(split, shuffledAudioOrder(split.size)), config, {
    progress: options.progress?.('test, shuffled audio', split.size),
    label: 'test (shuffled audio)',
  });
  const alignments = await alignmentMaps(model, split, config, right.clips, Math.min(options.alignmentClips ?? 3, split.size));
  return { ...listeningScores(right, wrong), alignments };
}

/** Clips scored as evaluateAsr scores a split: the mean loss and similarities, and each clip's texts and scores. */
export type ScoredClips = AsrEvaluation & { clips: ClipScore[] };

/**
 * The scores, the shuffled-audio control and the listening gaps with their bootstrap intervals of clips scored
 * with their own audio (`right`) and with the control's (`wrong`, same clips in the same order): one test split's,
 * or the test folds of a cross-validation pooled.
 */
export function listeningScores(right: ScoredClips, wrong: ScoredClips): Omit<ListeningEvaluation, 'alignments'> {
  if (right.clips.length !== wrong.clips.length)
    throw new Error(`listening scores: ${right.clips.length} clips with their audio, ${wrong.clips.length} without`);
  const scores = (evaluation: ScoredClips): Scores => ({
    loss: evaluation.loss,
    jaccard: evaluation.jaccard,
    cosine: evaluation.cosine,
    damerauLevenshtein: evaluation.damerauLevenshtein,
    examples: evaluation.examples,
    ...errorRates(evaluation.clips.map((clip) => clip.errors)),
    distinct: new Set(evaluation.clips.map((clip) => clip.prediction)).size / evaluation.clips.length,
  });
  const perClip = (clip: ClipScore, measure: GapMeasure): number =>
    measure === 'cer'
      ? clip.errors.characterEdits / Math.max(1, clip.errors.characters)
      : measure === 'wer'
        ? clip.errors.wordEdits / Math.max(1, clip.errors.words)
        : clip[measure];
  const measures: GapMeasure[] = ['jaccard', 'cosine', 'damerauLevenshtein', 'cer', 'wer'];
  const ours = scores(right);
  const control = scores(wrong);
  const gap = {} as ListeningEvaluation['gap'];
  const gapInterval = {} as ListeningEvaluation['gapInterval'];
  for (const measure of measures) {
    const sign = measure === 'cer' || measure === 'wer' ? -1 : 1;
    gap[measure] = sign * (ours[measure] - control[measure]);
    const differences = right.clips.map((clip, i) => sign * (perClip(clip, measure) - perClip(wrong.clips[i], measure)));
    const { low, high } = bootstrapMean(differences, { seed: 1 });
    gapInterval[measure] = { low, high };
  }
  return { ...ours, clips: right.clips, shuffled: control, shuffledClips: wrong.clips, gap, gapInterval };
}

/** Encoder frames pooled per column of an alignment map: enough resolution to see a diagonal, small snapshots. */
const alignmentBin = 4;

async function alignmentMaps(model: AsrModel, split: AsrSplit, config: AsrTrainingConfig, clips: ClipScore[], count: number): Promise<AlignmentMap[]> {
  if (count === 0) return [];
  const indices = Array.from({ length: count }, (_, i) => i);
  const batch = await split.load(indices);
  const { nMels, textLength } = config.model;
  // The model's own transcript as decoder input: start token, then what greedy decoding produced.
  const inputs = new Int32Array(count * (textLength - 1));
  const lengths = indices.map((i) => {
    const encoded = encodeText(clips[i].prediction, textLength); // < prediction > pad...
    const steps = Math.min(textLength - 1, clips[i].prediction.length + 1); // start + each character: the step that emits it or the stop
    inputs.set(encoded.subarray(0, textLength - 1), i * (textLength - 1));
    return steps;
  });
  const maps = tf.tidy(() => {
    const audio = tf.tensor3d(batch.audio, [count, nMels, batch.frames ?? config.model.frames]);
    const memory = model.encoder.forward(audio); // [count, frames/2, hidden]
    const weights = model.decoder.crossAttention(tf.tensor2d(inputs, [count, textLength - 1], 'int32'), memory); // [count, steps, frames/2]
    const frames = weights.shape[2];
    const padded =
      frames % alignmentBin === 0
        ? weights
        : tf.pad(weights, [
            [0, 0],
            [0, 0],
            [0, alignmentBin - (frames % alignmentBin)],
          ]);
    const columns = padded.shape[2] / alignmentBin;
    return tf.sum(tf.reshape(padded, [count, textLength - 1, columns, alignmentBin]), 3) as tf.Tensor3D; // [count, steps, columns]
  });
  const values = (await maps.array()) as number[][][];
  maps.dispose();
  return indices.map((i) => ({
    clip: i,
    target: clips[i].target,
    prediction: clips[i].prediction,
    bin: alignmentBin,
    weights: values[i].slice(0, lengths[i]),
  }));
}
