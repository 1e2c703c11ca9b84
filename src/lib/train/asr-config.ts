/**
 * The Question 3 config fields every Q3 experiment shares (model sizes and the training protocol; defaults are
 * the homework's), and the training config they make for one decoder: what ./asr.ts trains and
 * ./asr-evaluation.ts scores.
 */
import { z } from 'zod';
import type { AsrModelConfig } from '../models/asr.ts';
import type { DecoderKind } from '../models/asr-decoders.ts';
import { START, VOCAB_SIZE } from '../text/tokens.ts';

/** One decoder's training run, as the loop reads it. */
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

export const modelFields = {
  nMels: z.number().int().positive().default(80), // log-mel bands; the homework: 80
  frames: z.number().int().min(2).default(2754), // log-mel frames per clip after padding/cropping; the homework: 2754 (20 s)
  textLength: z.number().int().min(3).default(99), // tokens per transcript incl. start/stop and padding; the homework: 99
  hidden: z.number().int().positive().default(200), // model width
  heads: z.number().int().positive().default(2), // attention heads (must divide hidden)
  mlpHidden: z.number().int().positive().default(400), // MLP width in every block
  encoderBlocks: z.number().int().positive().default(2), // encoder self-attention blocks
  maxTimescale: z.number().positive().default(3000), // of the encoder's sinusoidal positions
  // How attention is computed: 'stock' ops (absent: the committed snapshots' numbers) or 'fused' (no attention
  // matrix kept; the same values to float32 rounding, so a profile's curves would drift by a rounding).
  attention: z.enum(['stock', 'fused']).optional(),
  // 'blocks': the encoder's front end, each half of each encoder block and the decoder recompute their activations in
  // the backward pass instead of keeping them (models/recompute.ts): bitwise the same gradients, a third of the
  // memory, one more forward pass of work. Absent: 'none'.
  recompute: z.enum(['none', 'blocks']).optional(),
};

export const trainingFields = {
  decoders: z
    .array(z.enum(['recurrent', 'attention']))
    .min(1)
    .default(['recurrent', 'attention']), // each from the same seed, in parallel workers
  epochs: z.number().int().positive().default(15),
  trainBatch: z.number().int().positive().default(64),
  evalBatch: z.number().int().positive().default(16),
  learningRate: z.number().positive().default(1e-3), // AdamW base rate, per-epoch warm-up/decay schedule
  weightDecay: z.number().min(0).default(0.01), // decoupled (PyTorch's AdamW default)
  labelSmoothing: z.number().min(0).max(1).default(0.1),
  warmupFraction: z.number().min(0).max(1).default(0.15), // of the epochs, rounded down
  samples: z.number().int().min(0).default(5), // target/prediction pairs kept from the test split
  // Clips per forward/backward pass (gradients summed, one AdamW step per batch). Absent: the most that fit in
  // HW2_MAX_MEMORY by the estimate in train/asr-memory.ts, recorded with the run's timings.
  microBatch: z.number().int().positive().optional(),
};

// As the experiments' parsed configs have them: optional fields (`attention`, `recompute`, `microBatch`) may be absent.
const modelSchema = z.object(modelFields);
const trainingSchema = z.object(trainingFields);
export type ModelFields = z.output<typeof modelSchema>;
export type TrainingFields = z.output<typeof trainingSchema>;

export function asrTrainingConfig(
  config: ModelFields & TrainingFields & { seed: number },
  decoder: DecoderKind,
  overrides: Partial<AsrTrainingConfig> = {},
): AsrTrainingConfig {
  return {
    model: {
      decoder,
      vocab: VOCAB_SIZE,
      freq: config.nMels,
      hidden: config.hidden,
      heads: config.heads,
      mlpHidden: config.mlpHidden,
      encoderBlocks: config.encoderBlocks,
      textLength: config.textLength,
      maxTimescale: config.maxTimescale,
      ...(config.attention ? { attention: config.attention } : {}),
      ...(config.recompute ? { recompute: config.recompute } : {}),
    },
    frames: config.frames,
    epochs: config.epochs,
    trainBatch: config.trainBatch,
    evalBatch: config.evalBatch,
    learningRate: config.learningRate,
    weightDecay: config.weightDecay,
    labelSmoothing: config.labelSmoothing,
    warmupFraction: config.warmupFraction,
    startToken: START,
    seed: config.seed,
    samples: config.samples,
    ...(config.microBatch ? { microBatch: config.microBatch } : {}),
    ...overrides,
  };
}
