/**
 * Question 3's training loop, as the homework's: AdamW, a per-epoch warm-up/decay schedule, teacher forcing on
 * text[:, :-1] against text[:, 1:] with label-smoothed cross-entropy over every position; per epoch the train loss,
 * the validation loss and the validation string similarities of greedy transcripts; at the end the test split and a
 * few target/prediction pairs.
 *
 * Deterministic for a seed (the model has no dropout; shuffling uses our seeded generator). The epochs run in
 * ./loop.ts, which checkpoints after each (weights and AdamW moments in safetensors, the rest in JSON validated on
 * load), resumes from the last finished epoch with the same result as an uninterrupted run, and holds the policy on
 * divergence and stopping. Options start from given weights (fine-tuning), score the starting weights on the test
 * split, and save the final weights.
 *
 * Scoring is ./asr-evaluation.ts: the homework's similarities each epoch, and on the test split the listening
 * evaluation (CER/WER, distinct transcripts, a shuffled-audio control and cross-attention maps).
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { AsrData } from '../data/asr-data.ts';
import type { Effects } from '../effects.ts';
import { writeFileAtomic } from '../fs/atomic.ts';
import { createAsrModel } from '../models/asr.ts';
import type { AsrModel } from '../models/asr.ts';
import { loadStateDict, stateDict } from '../models/layers.ts';
import { sha256 } from '../provenance/hash.ts';
import { Random } from '../random.ts';
import { settings } from '../settings.ts';
import type { TensorMap } from '../weights/safetensors.ts';
import { serializeSafetensors } from '../weights/safetensors.ts';
import { AdamW } from './adamw.ts';
import type { AsrTrainingConfig } from './asr-config.ts';
import type { AsrEvaluation, ListeningEvaluation } from './asr-evaluation.ts';
import { batchTensors, evaluateAsr, evaluateListening } from './asr-evaluation.ts';
import { resolveMicroBatch } from './asr-memory.ts';
import type { Divergence, EpochTrainer } from './loop.ts';
import { runEpochs } from './loop.ts';
import { crossEntropyWithLabelSmoothing } from './losses.ts';
import { learningRateFactor } from './schedule.ts';

// ---------------------------------------------------------------------------------------------------------
// Options

export type AsrRunEffects = Pick<Effects, 'log' | 'progress' | 'now'>;

export interface AsrTrainingOptions {
  /** Folder for checkpoints; none are written without it. */
  checkpointDir?: string;
  /** Any text that must match for a checkpoint to be resumed (e.g. a hash of the code); default ''. */
  checkpointKey?: string;
  /** Stop cleanly after this epoch's checkpoint, as a killed run would (for the resume tests; ./loop.ts). */
  stopAfterEpoch?: number;
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

export interface AsrTrainingResult {
  status: 'finished';
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

/** A run that did not reach the test split: stopped on request, or diverged (./loop.ts). */
export interface AsrTrainingUnfinished {
  status: 'stopped' | 'diverged';
  epochs: AsrEpochRow[];
  diverged: Divergence | null;
  resumedEpochs: number;
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
    const part = tf.tidy(() => [tf.slice(audio, [start, 0, 0], [size, -1, -1]), tf.slice(text, [start, 0], [size, -1])] as const); // [size, nMels, frames], [size, textLength]
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

function permutationBatches(order: Int32Array, size: number): number[][] {
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += size) batches.push(Array.from(order.subarray(start, Math.min(start + size, order.length))));
  return batches;
}

// ---------------------------------------------------------------------------------------------------------
// Checkpoints (files by ./checkpoint.ts, the loop's half by ./loop.ts; this is the trainer's half)

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

/** The JSON half; weights (`model.*`) and AdamW moments (`optimizer.exp_avg*.*`) go in the safetensors half. */
const trainerStateSchema = z
  .object({
    shuffleState: z.number().int(),
    optimizer: z.object({ learningRate: z.number(), steps: z.record(z.string(), z.number().int()) }).strict(),
    epochSeconds: z.array(z.number()),
    initial: z
      .object({ loss: z.number(), jaccard: z.number(), cosine: z.number(), damerauLevenshtein: z.number(), examples: z.number().int() })
      .strict()
      .nullable(),
  })
  .strict();

type TrainerState = z.infer<typeof trainerStateSchema>;

function prefixed(map: TensorMap, prefix: string): TensorMap {
  return new Map([...map].map(([name, tensor]) => [prefix + name, tensor]));
}

function unprefixed(map: TensorMap, prefix: string): TensorMap {
  return new Map([...map].filter(([name]) => name.startsWith(prefix)).map(([name, tensor]) => [name.slice(prefix.length), tensor]));
}

// ---------------------------------------------------------------------------------------------------------
// The run

export async function trainAsr(
  config: AsrTrainingConfig,
  data: AsrData,
  effects: AsrRunEffects,
  options: AsrTrainingOptions = {},
): Promise<AsrTrainingResult | AsrTrainingUnfinished> {
  const { epochs, trainBatch } = config;
  const decoder = config.model.decoder;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`trainAsr: epochs must be a positive integer, got ${epochs}`);
  if (data.train.size < 1) throw new Error('trainAsr: the training split is empty');
  const root = new Random(config.seed);
  const model = createAsrModel(config.model, new Random(root.seed()));
  let shuffle = new Random(root.seed());
  const optimizer = new AdamW(model.namedParameters(), { learningRate: config.learningRate, weightDecay: config.weightDecay });
  let epochSeconds: number[] = [];
  // Set inside the trainer's callbacks (so typed by assertion: flow analysis does not follow them).
  let initial = null as AsrEvaluation | null;
  try {
    const env = settings();
    const microBatch = resolveMicroBatch(config, model.parameterCount(), options.memoryBudget ?? env.maxMemory / env.workers);
    if (microBatch.warning) effects.log(`[asr] ${microBatch.warning}`);
    if (microBatch.size < trainBatch) {
      effects.log(`[asr] ${decoder}: batches of ${trainBatch} computed ${microBatch.size} clips at a time (micro-batch from the ${microBatch.source})`);
    }
    if (options.initialWeights) loadStateDict(model, options.initialWeights, '', 'initial weights');

    const trainer: EpochTrainer<AsrEpochRow, TrainerState> = {
      async start(resumedEpochs) {
        if (!options.evaluateInitial || resumedEpochs > 0) return;
        const {
          samples: _samples,
          clips: _clips,
          ...evaluation
        } = await evaluateAsr(model, data.test, config, {
          progress: effects.progress(`${decoder} initial weights on test`, data.test.size),
          label: 'test',
        });
        initial = evaluation;
        effects.log(`[asr] ${decoder} starting weights on test: loss ${evaluation.loss.toFixed(4)}, jaccard ${evaluation.jaccard.toFixed(4)}`);
      },
      async epoch(epoch) {
        const started = effects.now();
        // The schedule and the augmentation count epochs from 0.
        optimizer.learningRate = config.learningRate * learningRateFactor(epoch - 1, { epochs, warmupFraction: config.warmupFraction });
        const batches = options.epochBatches ? options.epochBatches(shuffle) : permutationBatches(shuffle.permutation(data.train.size), trainBatch);
        const drawn = batches.reduce((sum, batch) => sum + batch.length, 0);
        if (drawn !== data.train.size) throw new Error(`trainAsr: epoch ${epoch}'s batches hold ${drawn} examples, the training split ${data.train.size}`);
        const progress = effects.progress(`${decoder} epoch ${epoch}/${epochs}`, batches.length);
        let lossSum = 0;
        for (const [step, indices] of batches.entries()) {
          const { audio, text } = batchTensors(await data.train.load(indices, { epoch: epoch - 1 }), indices.length, config, 'training split');
          const loss = trainStep(model, optimizer, audio, text, config.labelSmoothing, microBatch.size);
          tf.dispose([audio, text]);
          if (!Number.isFinite(loss)) {
            progress.done(`loss ${loss}`);
            return { diverged: { step: step + 1, loss } };
          }
          lossSum += loss * indices.length;
          progress.tick(1, `loss ${loss.toFixed(4)}`);
        }
        progress.done();
        const validation = await evaluateAsr(model, data.validation, config, {
          progress: effects.progress(`${decoder} validation ${epoch}/${epochs}`, data.validation.size),
          label: 'validation',
        });
        const row: AsrEpochRow = {
          epoch,
          learningRate: optimizer.learningRate,
          trainLoss: lossSum / data.train.size,
          validationLoss: validation.loss,
          validationJaccard: validation.jaccard,
          validationCosine: validation.cosine,
          validationDamerauLevenshtein: validation.damerauLevenshtein,
        };
        epochSeconds = [...epochSeconds, (effects.now() - started) / 1000];
        effects.log(
          `[asr] ${decoder} epoch ${row.epoch}/${epochs}: lr ${row.learningRate.toExponential(2)}, train ${row.trainLoss.toFixed(4)}, ` +
            `validation ${row.validationLoss.toFixed(4)}, jaccard ${row.validationJaccard.toFixed(4)}, cosine ${row.validationCosine.toFixed(4)}, ` +
            `damerau-levenshtein ${row.validationDamerauLevenshtein.toFixed(4)}`,
        );
        return { row };
      },
      save() {
        const optimizerState = optimizer.state();
        return {
          state: {
            shuffleState: shuffle.state,
            optimizer: { learningRate: optimizerState.learningRate, steps: optimizerState.steps },
            epochSeconds,
            initial,
          },
          tensors: new Map([...prefixed(stateDict(model), 'model.'), ...prefixed(optimizerState.moments, 'optimizer.')]),
        };
      },
      restore(state, tensors) {
        const source = `checkpoint in ${options.checkpointDir}`;
        loadStateDict(model, unprefixed(tensors, 'model.'), '', source);
        optimizer.loadState({ ...state.optimizer, moments: unprefixed(tensors, 'optimizer.') }, source);
        shuffle = Random.fromState(state.shuffleState);
        epochSeconds = state.epochSeconds;
        initial = state.initial;
      },
    };
    const run = await runEpochs(trainer, {
      kind: 'asr-training',
      // The starting weights by their hash, so a checkpoint remembers which weights it continued from.
      setup: { config, initialWeights: options.initialWeights ? sha256(serializeSafetensors(options.initialWeights)) : null },
      checkpointKey: options.checkpointKey,
      epochs,
      label: `[asr] ${decoder} decoder`,
      log: effects.log,
      checkpointDir: options.checkpointDir,
      stopAfterEpoch: options.stopAfterEpoch,
      rowSchema: epochRowSchema,
      stateSchema: trainerStateSchema,
    });
    if (run.status !== 'finished') return { status: run.status, epochs: run.rows, diverged: run.diverged, resumedEpochs: run.resumedEpochs };

    const testStarted = effects.now();
    const test = await evaluateListening(model, data.test, config, {
      progress: (label, total) => effects.progress(`${decoder} ${label}`, total),
      alignmentClips: options.alignmentClips ?? 3,
    });
    effects.log(
      `[asr] ${decoder} test: loss ${test.loss.toFixed(4)}, jaccard ${test.jaccard.toFixed(4)}, cosine ${test.cosine.toFixed(4)}, ` +
        `damerau-levenshtein ${test.damerauLevenshtein.toFixed(4)}, cer ${test.cer.toFixed(4)}, listening gap (jaccard) ${test.gap.jaccard.toFixed(4)}`,
    );
    if (options.finalWeightsPath) await writeFileAtomic(options.finalWeightsPath, serializeSafetensors(stateDict(model)));
    return {
      status: 'finished',
      epochs: run.rows,
      test,
      ...(initial ? { initial } : {}),
      samples: test.clips.slice(0, config.samples).map(({ target, prediction }) => ({ target, prediction })),
      parameters: model.parameterCount(),
      resumedEpochs: run.resumedEpochs,
      microBatch: microBatch.size,
      timings: { epochSeconds, testSeconds: (effects.now() - testStarted) / 1000 },
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
