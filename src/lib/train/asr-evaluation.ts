/**
 * Does a recogniser listen? The test split scored three ways:
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
import type { AsrModel } from '../models/asr.ts';
import { bootstrapMean } from '../stats/summary.ts';
import { errorRates } from '../text/error-rate.ts';
import { encodeText } from '../text/tokens.ts';
import type { AsrEvaluation, AsrSplit, AsrTrainingConfig, ClipScore } from './asr.ts';
import { evaluateAsr } from './asr.ts';

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
  const { freq, textLength } = config.model;
  // The model's own transcript as decoder input: start token, then what greedy decoding produced.
  const inputs = new Int32Array(count * (textLength - 1));
  const lengths = indices.map((i) => {
    const encoded = encodeText(clips[i].prediction, textLength); // < prediction > pad...
    const steps = Math.min(textLength - 1, clips[i].prediction.length + 1); // start + each character: the step that emits it or the stop
    inputs.set(encoded.subarray(0, textLength - 1), i * (textLength - 1));
    return steps;
  });
  const maps = tf.tidy(() => {
    const audio = tf.tensor3d(batch.audio, [count, freq, batch.frames ?? config.frames]);
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
