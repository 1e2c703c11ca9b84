/**
 * One decoder's training run as the Question 3 loop (./asr.ts) trains it and ./asr-evaluation.ts scores it. The
 * experiments make it from their profiles (experiments/q3/config.ts).
 */
import type { AsrModelConfig } from '../models/asr.ts';

/** One decoder's training run, as the loop reads it. */
export interface AsrTrainingConfig {
  model: AsrModelConfig; // the model config whole, its frames included (log-mel frames per clip after padding/cropping)
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
