/**
 * Question 3's training and evaluation loop, as the homework's: AdamW, a per-epoch warm-up/decay schedule,
 * teacher forcing on text[:, :-1] against text[:, 1:] with label-smoothed cross-entropy over every position;
 * per epoch the train loss, the validation loss and the validation string similarities of greedy
 * transcripts; at the end the same on the test split and a few target/prediction pairs.
 *
 * Deterministic for a seed (the model has no dropout; shuffling uses our seeded generator). After every
 * epoch it can write a checkpoint (weights and AdamW moments in safetensors, the rest in JSON validated on
 * load) and resume from the last finished epoch with the same result as an uninterrupted run. Options start
 * from given weights (fine-tuning), score the starting weights on the test split, and save the final weights.
 *
 * The test split is scored with the listening evaluation (./asr-evaluation.ts): beside the homework's
 * similarities, CER/WER, distinct transcripts, a shuffled-audio control and cross-attention maps.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Effects, Progress } from '../effects.ts';
import { writeFileAtomic } from '../fs/atomic.ts';
import { createAsrModel } from '../models/asr.ts';
import type { AsrModel, AsrModelConfig } from '../models/asr.ts';
import { loadStateDict, stateDict } from '../models/layers.ts';
import { Random } from '../random.ts';
import { errorCounts } from '../text/error-rate.ts';
import type { ErrorCounts } from '../text/error-rate.ts';
import { cutGenerated, cutTarget, scoreTranscript } from '../text/similarity.ts';
import type { Similarities } from '../text/similarity.ts';
import { decodeTokens, STOP } from '../text/tokens.ts';
import type { TensorMap } from '../weights/safetensors.ts';
import { serializeSafetensors } from '../weights/safetensors.ts';
import { settings } from '../settings.ts';
import { AdamW } from './adamw.ts';
import type { ListeningEvaluation } from './asr-evaluation.ts';
import { evaluateListening } from './asr-evaluation.ts';
import { resolveMicroBatch } from './asr-memory.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { crossEntropyWithLabelSmoothing } from './losses.ts';
import { learningRateFactor } from './schedule.ts';

// ---------------------------------------------------------------------------------------------------------
// Data, as the loop sees it

/** Examples in row-major typed arrays. */
export interface AsrBatch {
  audio: Float32Array; // [batch, freq, frames] log-mel features
  text: Int32Array; // [batch, textLength] token ids, start ... stop, pad
  frames?: number; // this batch's frames when padded to its own longest clip (length bucketing); default config.frames
  textLength?: number; // this batch's token columns when cut to its longest transcript; default the model's textLength
}

/** A split that loads examples by index (in the order given). */
export interface AsrSplit {
  readonly size: number;
  /** The training loop passes the epoch (0-based), from which an augmented split draws each clip's augmentation. */
  load(indices: readonly number[], context?: { epoch: number }): Promise<AsrBatch> | AsrBatch;
}

/** A split held in memory: `examples` row-major, `count` examples of [freq, frames] audio and [textLength] text. */
export function inMemorySplit(examples: AsrBatch, shape: { count: number; freq: number; frames: number; textLength: number }): AsrSplit {
  const { count, freq, frames, textLength } = shape;
  const audioSize = freq * frames;
  if (examples.audio.length !== count * audioSize)
    throw new Error(`inMemorySplit: audio has ${examples.audio.length} values, expected ${count} x ${freq} x ${frames}`);
  if (examples.text.length !== count * textLength) throw new Error(`inMemorySplit: text has ${examples.text.length} ids, expected ${count} x ${textLength}`);
  return {
    size: count,
    load(indices) {
      const audio = new Float32Array(indices.length * audioSize);
      const text = new Int32Array(indices.length * textLength);
      indices.forEach((index, row) => {
        if (!Number.isInteger(index) || index < 0 || index >= count) throw new Error(`inMemorySplit: index ${index} is outside 0..${count - 1}`);
        audio.set(examples.audio.subarray(index * audioSize, (index + 1) * audioSize), row * audioSize);
        text.set(examples.text.subarray(index * textLength, (index + 1) * textLength), row * textLength);
      });
      return { audio, text };
    },
  };
}

export interface AsrData {
  train: AsrSplit;
  validation: AsrSplit;
  test: AsrSplit;
}

// ---------------------------------------------------------------------------------------------------------
// Config

export interface AsrTrainingConfig {
  model: AsrModelConfig;
  frames: number; // log-mel frames per clip after padding/cropping (the encoder halves them)
  epochs: number; // the homework: 15
  trainBatch: number; // the homework: 64
  evalBatch: number; // the homework: 16
  learningRate: number; // base AdamW rate, the homework: 1e-3
  weightDecay: number; // decoupled, PyTorch's AdamW default 0.01
  labelSmoothing: number; // the homework: 0.1
  warmupFraction: number; // of the epochs, for the schedule
  startToken: number; // id of `<`
  seed: number; // model initialisation and shuffling
  samples: number; // target/prediction pairs reported from the test split
  microBatch?: number; // clips per forward/backward pass, gradients summed over the batch; absent: from the memory budget
}

export type AsrRunEffects = Pick<Effects, 'log' | 'progress' | 'now'>;

export interface AsrTrainingOptions {
  /** Folder for checkpoints; none are written without it. */
  checkpointDir?: string;
  /** Any text that must match for a checkpoint to be resumed (e.g. a hash of the code); default ''. */
  checkpointKey?: string;
  /** Called after each finished (and checkpointed) epoch; returning true stops the run with TrainingInterrupted. */
  stopAfterEpoch?: (epochsDone: number) => boolean;
  /** Start from these weights (PyTorch names, e.g. a pre-trained model's) instead of the seed's initialisation. */
  initialWeights?: TensorMap;
  /** Also score the starting weights on the test split (`AsrTrainingResult.initial`): what training bought. */
  evaluateInitial?: boolean;
  /** Write the final weights here (safetensors, PyTorch names), for publishing or fine-tuning. */
  finalWeightsPath?: string;
  /** Test clips whose cross-attention maps are kept (default 3). */
  alignmentClips?: number;
  /**
   * Bytes one training step may use, for the micro-batch when the config sets none (./asr-memory.ts). Default:
   * HW2_MAX_MEMORY shared by the HW2_WORKERS processes that may train side by side.
   */
  memoryBudget?: number;
  /**
   * One epoch's training batches as lists of split indices, each index once, drawn from the run's shuffling
   * generator (its state is checkpointed, so a resumed run draws the same batches), e.g. length buckets.
   * Default: a permutation cut into `trainBatch`-sized batches.
   */
  epochBatches?: (shuffle: Random) => number[][];
}

// ---------------------------------------------------------------------------------------------------------
// Results

export interface AsrEpochRow {
  [key: string]: number;
  epoch: number; // 1-based
  learningRate: number;
  trainLoss: number;
  validationLoss: number;
  validationJaccard: number;
  validationCosine: number;
  validationDamerauLevenshtein: number;
}

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

export interface AsrTrainingResult {
  epochs: AsrEpochRow[];
  test: ListeningEvaluation;
  /** The starting weights on the test split, when asked for. */
  initial?: AsrEvaluation;
  samples: { target: string; prediction: string }[];
  parameters: number;
  /** Epochs that were restored from a checkpoint rather than run now. */
  resumedEpochs: number;
  /** Clips per forward and backward pass, as resolved for this run (the config's, or from the memory budget). */
  microBatch: number;
  /** Wall-clock seconds per epoch (restored ones from the checkpoint) and for the test evaluation. */
  timings: { epochSeconds: number[]; testSeconds: number };
}

export class TrainingInterrupted extends Error {
  constructor(readonly epochsDone: number) {
    super(`training stopped on request after epoch ${epochsDone}`);
    this.name = 'TrainingInterrupted';
  }
}

// ---------------------------------------------------------------------------------------------------------
// One step

/** The loss the homework minimises: text[:, :-1] in, text[:, 1:] as targets, every position. */
export function teacherForcedLoss(model: AsrModel, audio: tf.Tensor3D, text: tf.Tensor2D, smoothing: number): tf.Scalar {
  return tf.tidy(() => {
    const [batch, length] = text.shape;
    const inputs = tf.slice(text, [0, 0], [batch, length - 1]); // [batch, length-1]
    const targets = tf.slice(text, [0, 1], [batch, length - 1]); // [batch, length-1]
    return crossEntropyWithLabelSmoothing(model.forward(audio, inputs), targets, smoothing);
  });
}

/** The loss and its gradient for every parameter, keyed by parameter name. The caller disposes the gradients. */
export function lossAndGradients(
  model: AsrModel,
  audio: tf.Tensor3D,
  text: tf.Tensor2D,
  smoothing: number,
): { loss: number; gradients: Map<string, tf.Tensor> } {
  const parameters = model.namedParameters();
  const byVariable = new Map([...parameters].map(([name, variable]) => [variable.name, name]));
  const { value, grads } = tf.variableGrads(() => teacherForcedLoss(model, audio, text, smoothing), [...parameters.values()]);
  const loss = value.dataSync()[0];
  value.dispose();
  const gradients = new Map<string, tf.Tensor>();
  for (const [variableName, gradient] of Object.entries(grads)) gradients.set(byVariable.get(variableName)!, gradient);
  return { loss, gradients };
}

/**
 * lossAndGradients of a batch computed `microBatch` clips at a time: the loss is a mean over clips x positions
 * (every clip has the same positions), so the batch's loss and gradients are the micro-batches' weighted by their
 * share of the clips. With the whole batch in one micro-batch this is lossAndGradients itself, unchanged.
 */
export function batchLossAndGradients(
  model: AsrModel,
  audio: tf.Tensor3D,
  text: tf.Tensor2D,
  smoothing: number,
  microBatch: number,
): { loss: number; gradients: Map<string, tf.Tensor> } {
  const batch = audio.shape[0];
  if (microBatch >= batch) return lossAndGradients(model, audio, text, smoothing);
  let loss = 0;
  const sums = new Map<string, tf.Tensor>();
  for (let start = 0; start < batch; start += microBatch) {
    const size = Math.min(microBatch, batch - start);
    const share = size / batch;
    const part = tf.tidy(() => [tf.slice(audio, [start, 0, 0], [size, -1, -1]), tf.slice(text, [start, 0], [size, -1])] as const); // [size, freq, frames], [size, textLength]
    const step = lossAndGradients(model, part[0], part[1], smoothing);
    tf.dispose(part);
    loss += step.loss * share;
    for (const [name, gradient] of step.gradients) {
      const previous = sums.get(name);
      sums.set(
        name,
        tf.tidy(() => (previous ? tf.add(previous, tf.mul(gradient, share)) : tf.mul(gradient, share))),
      );
      tf.dispose([gradient, ...(previous ? [previous] : [])]);
    }
  }
  return { loss, gradients: sums };
}

/** One AdamW step on a batch; returns the batch loss before the step. */
function trainStep(model: AsrModel, optimizer: AdamW, audio: tf.Tensor3D, text: tf.Tensor2D, smoothing: number, microBatch: number): number {
  const { loss, gradients } = batchLossAndGradients(model, audio, text, smoothing, microBatch);
  try {
    optimizer.step(gradients);
  } finally {
    tf.dispose([...gradients.values()]);
  }
  return loss;
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation

function batchTensors(batch: AsrBatch, count: number, config: AsrTrainingConfig, source: string): { audio: tf.Tensor3D; text: tf.Tensor2D } {
  const { freq } = config.model;
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

function permutationBatches(order: Int32Array, size: number): number[][] {
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += size) batches.push(Array.from(order.subarray(start, Math.min(start + size, order.length))));
  return batches;
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

// ---------------------------------------------------------------------------------------------------------
// Checkpoints (files and atomic writes by ./checkpoint.ts; this is what goes in them)

/** The JSON half, validated on load; weights (`model.*`) and AdamW moments (`optimizer.exp_avg*.*`) go in the safetensors half. */
const epochRowSchema = z
  .object({
    epoch: z.number().int(),
    learningRate: z.number(),
    trainLoss: z.number(),
    validationLoss: z.number(),
    validationJaccard: z.number(),
    validationCosine: z.number(),
    validationDamerauLevenshtein: z.number(),
  })
  .strict();

const checkpointStateSchema = z
  .object({
    kind: z.literal('asr-training'),
    key: z.string(),
    /** The training config and the starting weights' hash, as JSON: a checkpoint of another setup is not resumed. */
    setup: z.string(),
    epochsDone: z.number().int().nonnegative(),
    shuffleState: z.number().int(),
    optimizer: z.object({ learningRate: z.number(), steps: z.record(z.string(), z.number().int()) }).strict(),
    epochs: z.array(epochRowSchema),
    epochSeconds: z.array(z.number()),
    initial: z
      .object({ loss: z.number(), jaccard: z.number(), cosine: z.number(), damerauLevenshtein: z.number(), examples: z.number().int() })
      .strict()
      .nullable(),
  })
  .strict();

type AsrCheckpointState = z.infer<typeof checkpointStateSchema>;

/** The starting weights' hash, so a checkpoint remembers which weights it continued from. */
function weightsDigest(weights: TensorMap): string {
  return createHash('sha256').update(serializeSafetensors(weights)).digest('hex');
}

function prefixed(map: TensorMap, prefix: string): TensorMap {
  return new Map([...map].map(([name, tensor]) => [prefix + name, tensor]));
}

function unprefixed(map: TensorMap, prefix: string): TensorMap {
  return new Map([...map].filter(([name]) => name.startsWith(prefix)).map(([name, tensor]) => [name.slice(prefix.length), tensor]));
}

// ---------------------------------------------------------------------------------------------------------
// The run

export async function trainAsr(config: AsrTrainingConfig, data: AsrData, effects: AsrRunEffects, options: AsrTrainingOptions = {}): Promise<AsrTrainingResult> {
  const { epochs, trainBatch } = config;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`trainAsr: epochs must be a positive integer, got ${epochs}`);
  if (data.train.size < 1) throw new Error('trainAsr: the training split is empty');
  const root = new Random(config.seed);
  const model = createAsrModel(config.model, new Random(root.seed()));
  let shuffle = new Random(root.seed());
  const optimizer = new AdamW(model.namedParameters(), { learningRate: config.learningRate, weightDecay: config.weightDecay });
  const rows: AsrEpochRow[] = [];
  const epochSeconds: number[] = [];
  let resumedEpochs = 0;
  try {
    const env = settings();
    const microBatch = resolveMicroBatch(config, model.parameterCount(), options.memoryBudget ?? env.maxMemory / env.workers);
    if (microBatch.warning) effects.log(`[asr] ${microBatch.warning}`);
    if (microBatch.size < trainBatch) {
      effects.log(
        `[asr] ${config.model.decoder}: batches of ${trainBatch} computed ${microBatch.size} clips at a time (micro-batch from the ${microBatch.source})`,
      );
    }
    const key = options.checkpointKey ?? '';
    const setup = JSON.stringify({ config, initialWeights: options.initialWeights ? weightsDigest(options.initialWeights) : null });
    if (options.initialWeights) loadStateDict(model, options.initialWeights, '', 'initial weights');
    let initial: AsrEvaluation | null = null;
    const restored = options.checkpointDir ? await loadCheckpoint(options.checkpointDir) : null;
    if (restored) {
      const parsed = checkpointStateSchema.safeParse(restored.state);
      if (!parsed.success)
        throw new Error(`${options.checkpointDir}: not a checkpoint of trainAsr (${parsed.error.issues[0]?.message}); delete the folder to start over`);
      const state = parsed.data;
      if (state.key !== key || state.setup !== setup) {
        effects.log(`[asr] not resuming from ${options.checkpointDir}: its checkpoint is of another configuration or code version`);
      } else {
        const source = `checkpoint in ${options.checkpointDir}`;
        loadStateDict(model, unprefixed(restored.weights, 'model.'), '', source);
        optimizer.loadState({ ...state.optimizer, moments: unprefixed(restored.weights, 'optimizer.') }, source);
        shuffle = Random.fromState(state.shuffleState);
        rows.push(...state.epochs);
        epochSeconds.push(...state.epochSeconds);
        initial = state.initial;
        resumedEpochs = state.epochsDone;
        effects.log(`[asr] resuming the ${config.model.decoder} decoder after epoch ${resumedEpochs} of ${epochs}`);
      }
    }

    if (options.evaluateInitial && resumedEpochs === 0) {
      const {
        samples: _samples,
        clips: _clips,
        ...evaluation
      } = await evaluateAsr(model, data.test, config, {
        progress: effects.progress(`${config.model.decoder} initial weights on test`, data.test.size),
        label: 'test',
      });
      initial = evaluation;
      effects.log(`[asr] ${config.model.decoder} starting weights on test: loss ${initial.loss.toFixed(4)}, jaccard ${initial.jaccard.toFixed(4)}`);
    }

    for (let epoch = resumedEpochs; epoch < epochs; epoch++) {
      const started = effects.now();
      optimizer.learningRate = config.learningRate * learningRateFactor(epoch, { epochs, warmupFraction: config.warmupFraction });
      const batches = options.epochBatches ? options.epochBatches(shuffle) : permutationBatches(shuffle.permutation(data.train.size), trainBatch);
      const drawn = batches.reduce((sum, batch) => sum + batch.length, 0);
      if (drawn !== data.train.size) throw new Error(`trainAsr: epoch ${epoch + 1}'s batches hold ${drawn} examples, the training split ${data.train.size}`);
      const progress = effects.progress(`${config.model.decoder} epoch ${epoch + 1}/${epochs}`, batches.length);
      let lossSum = 0;
      for (const indices of batches) {
        const { audio, text } = batchTensors(await data.train.load(indices, { epoch }), indices.length, config, 'training split');
        const loss = trainStep(model, optimizer, audio, text, config.labelSmoothing, microBatch.size);
        tf.dispose([audio, text]);
        if (!Number.isFinite(loss)) throw new Error(`trainAsr: the training loss became ${loss} in epoch ${epoch + 1}`);
        lossSum += loss * indices.length;
        progress.tick(1, `loss ${loss.toFixed(4)}`);
      }
      progress.done();
      const validation = await evaluateAsr(model, data.validation, config, {
        progress: effects.progress(`${config.model.decoder} validation ${epoch + 1}/${epochs}`, data.validation.size),
        label: 'validation',
      });
      const row: AsrEpochRow = {
        epoch: epoch + 1,
        learningRate: optimizer.learningRate,
        trainLoss: lossSum / data.train.size,
        validationLoss: validation.loss,
        validationJaccard: validation.jaccard,
        validationCosine: validation.cosine,
        validationDamerauLevenshtein: validation.damerauLevenshtein,
      };
      rows.push(row);
      epochSeconds.push((effects.now() - started) / 1000);
      effects.log(
        `[asr] ${config.model.decoder} epoch ${row.epoch}/${epochs}: lr ${row.learningRate.toExponential(2)}, train ${row.trainLoss.toFixed(4)}, ` +
          `validation ${row.validationLoss.toFixed(4)}, jaccard ${row.validationJaccard.toFixed(4)}, cosine ${row.validationCosine.toFixed(4)}, ` +
          `damerau-levenshtein ${row.validationDamerauLevenshtein.toFixed(4)}`,
      );
      if (options.checkpointDir) {
        const optimizerState = optimizer.state();
        const state: AsrCheckpointState = {
          kind: 'asr-training',
          key,
          setup,
          initial,
          epochsDone: epoch + 1,
          shuffleState: shuffle.state,
          optimizer: { learningRate: optimizerState.learningRate, steps: optimizerState.steps },
          epochs: rows,
          epochSeconds,
        };
        const tensors: TensorMap = new Map([...prefixed(stateDict(model), 'model.'), ...prefixed(optimizerState.moments, 'optimizer.')]);
        await saveCheckpoint(options.checkpointDir, `epoch-${String(epoch + 1).padStart(4, '0')}`, tensors, state);
      }
      if (options.stopAfterEpoch?.(epoch + 1)) throw new TrainingInterrupted(epoch + 1);
    }

    const testStarted = effects.now();
    const test = await evaluateListening(model, data.test, config, {
      progress: (label, total) => effects.progress(`${config.model.decoder} ${label}`, total),
      alignmentClips: options.alignmentClips ?? 3,
    });
    effects.log(
      `[asr] ${config.model.decoder} test: loss ${test.loss.toFixed(4)}, jaccard ${test.jaccard.toFixed(4)}, cosine ${test.cosine.toFixed(4)}, ` +
        `damerau-levenshtein ${test.damerauLevenshtein.toFixed(4)}, cer ${test.cer.toFixed(4)}, listening gap (jaccard) ${test.gap.jaccard.toFixed(4)}`,
    );
    if (options.finalWeightsPath) await writeFileAtomic(options.finalWeightsPath, serializeSafetensors(stateDict(model)));
    return {
      epochs: rows,
      test,
      ...(initial ? { initial } : {}),
      samples: test.clips.slice(0, config.samples).map(({ target, prediction }) => ({ target, prediction })),
      parameters: model.parameterCount(),
      resumedEpochs,
      microBatch: microBatch.size,
      timings: { epochSeconds, testSeconds: (effects.now() - testStarted) / 1000 },
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
