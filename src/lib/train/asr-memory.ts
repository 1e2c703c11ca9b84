/**
 * How many clips of a Question 3 training batch go through one forward and backward pass (the micro-batch),
 * from an estimate of a training step's tensor memory per clip and a memory budget.
 *
 * The estimate counts float32 values per clip, with coefficients measured (tf.profile's peak of
 * tf.memory().numBytes over one lossAndGradients call, batch 2 minus batch 1) on the cpu backend at eight shapes
 * (width 32-96, 384-1,536 frames, text 34-99, one and two encoder blocks, both attention kinds):
 * - 120 x P x h x (blocks + 1): the encoder's activations and, because tfjs's backward pass keeps every
 *   intermediate gradient until it ends, their gradients (P = encoder positions, frames / 2; h = width);
 * - 5 x heads x P^2 x blocks with the stock attention ops only: the softmax output, its gradient, the scores'
 *   gradient and views of them, per encoder block (the fused attention keeps none);
 * - 100 x (text - 1) x (h + heads x P): the decoder's activations and its cross-attention weights.
 * It overestimates every measured shape by 1.1-1.46x, and at the homework's shape (width 200, 2,754 frames, text
 * 99) gives 633 MiB per clip with the stock ops (measured: 609 MiB) and 489 MiB with the fused attention.
 */
import type { AsrModelConfig } from '../models/asr.ts';

/** The training settings a step's memory depends on (a slice of ./asr-config.ts's AsrTrainingConfig). */
interface StepShape {
  model: AsrModelConfig;
  trainBatch: number;
  microBatch?: number;
}

const bytesPerFloat = 4;

/** What a step needs besides the clips: Node, tfjs, the fast kernels' WebAssembly memory, recycled arrays. */
const processReserveBytes = 1024 ** 3;

/** Estimated peak tensor bytes of one training step, per clip in the micro-batch. */
export function stepBytesPerClip(config: Pick<StepShape, 'model'>): number {
  const { hidden, heads, encoderBlocks, textLength, attention, frames } = config.model;
  const positions = Math.ceil(frames / 2);
  const encoder = 120 * positions * hidden * (encoderBlocks + 1);
  const matrices = attention === 'fused' ? 0 : 5 * heads * positions * positions * encoderBlocks;
  const decoder = 100 * (textLength - 1) * (hidden + heads * positions);
  return bytesPerFloat * (encoder + matrices + decoder);
}

/** Tensor bytes a step holds whatever the micro-batch: parameters, their gradients and sums, AdamW's moments, the batch. */
export function stepFixedTensorBytes(config: Pick<StepShape, 'model' | 'trainBatch'>, parameters: number): number {
  const { nMels, frames, textLength } = config.model;
  return bytesPerFloat * (6 * parameters + config.trainBatch * (nMels * frames + textLength));
}

/** Bytes a step needs whatever the micro-batch: its fixed tensors and the process around them. */
export function stepFixedBytes(config: Pick<StepShape, 'model' | 'trainBatch'>, parameters: number): number {
  return stepFixedTensorBytes(config, parameters) + processReserveBytes;
}

export interface MicroBatch {
  /** Clips per forward and backward pass (1..trainBatch). */
  size: number;
  /** Where it came from: the config's `microBatch`, or the budget. */
  source: 'config' | 'budget';
  /** Set when even one clip exceeds the budget by the estimate: the run goes on with micro-batch 1. */
  warning?: string;
}

/** The config's micro-batch (capped at the batch), else the most clips whose estimate fits in `budgetBytes`. */
export function resolveMicroBatch(config: StepShape, parameters: number, budgetBytes: number): MicroBatch {
  if (config.microBatch !== undefined) {
    if (!(Number.isInteger(config.microBatch) && config.microBatch > 0))
      throw new Error(`trainAsr: microBatch must be a positive integer, got ${config.microBatch}`);
    return { size: Math.min(config.microBatch, config.trainBatch), source: 'config' };
  }
  const perClip = stepBytesPerClip(config);
  const fits = Math.floor((budgetBytes - stepFixedBytes(config, parameters)) / perClip);
  if (fits >= 1) return { size: Math.min(fits, config.trainBatch), source: 'budget' };
  const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MiB`;
  return {
    size: 1,
    source: 'budget',
    warning: `a memory budget of ${mib(budgetBytes)} is below one clip's estimated step (${mib(perClip)} plus ${mib(stepFixedBytes(config, parameters))} fixed); training with micro-batch 1`,
  };
}
