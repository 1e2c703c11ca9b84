/**
 * Question 3's configs: the fields every Q3 experiment shares (model sizes and the training protocol; defaults are
 * the homework's), the training config they make for one decoder (what src/lib/train/asr.ts trains and
 * src/lib/train/asr-evaluation.ts scores), and the config of each experiment, q3-asr (./asr.ts) and q3-ljspeech with
 * its transfer twin and cross-validation (./ljspeech.ts, ./ljspeech-cv.ts). Their profiles are in ./profiles.ts.
 */
import { z } from 'zod';
import { augmentationSchema } from '../../src/lib/audio/augmentation.ts';
import { SPEECH_ENGINES } from '../../src/lib/data/synthetic-speech.ts';
import type { DecoderKind } from '../../src/lib/models/asr-decoders.ts';
import type { AsrModelConfig } from '../../src/lib/models/asr.ts';
import { asrModelConfig } from '../../src/lib/models/asr.ts';
import { START } from '../../src/lib/text/tokens.ts';
import type { AsrTrainingConfig } from '../../src/lib/train/asr-config.ts';

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
const trainingSchema = z.object(trainingFields);
/** The model config's fields in an experiment's config: all of src/lib/models/asr.ts's but `decoder`. */
export type ModelFields = Omit<AsrModelConfig, 'decoder'>;
export type TrainingFields = z.output<typeof trainingSchema>;

/** The model config without `decoder`, which an experiment's config extends: each run trains every one of its `decoders`. */
export const modelFields = asrModelConfig.omit({ decoder: true });

export function asrTrainingConfig(
  config: ModelFields & TrainingFields & { seed: number },
  decoder: DecoderKind,
  overrides: Partial<AsrTrainingConfig> = {},
): AsrTrainingConfig {
  return {
    // The model config picked out whole, under the profile's names (parsing keeps its fields and drops the rest).
    model: asrModelConfig.parse({ ...config, decoder }),
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

// ---------------------------------------------------------------------------------------------------------
// q3-asr (./asr.ts)

export const asrConfig = modelFields
  .extend({
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
    // Training (the homework's protocol by default); the model's fields come from the model config
    ...trainingFields,
  })
  .strict();

export type AsrConfig = z.output<typeof asrConfig>;

// ---------------------------------------------------------------------------------------------------------
// q3-ljspeech and q3-ljspeech-transfer (./ljspeech.ts), cross-validated (./ljspeech-cv.ts)

const stage = z
  .object({
    clips: z.number().int().positive(), // synthetic clips drawn for this stage (none shared with another stage)
    maxCharacters: z.number().int().positive().optional(), // only transcripts this short: short clips align early
    epochs: z.number().int().positive(),
  })
  .strict();

export const crossValidationConfig = z
  .object({
    realChoice: z.enum(['first', 'shortest']).default('first'), // which `realLimit` clips: the first in metadata order, or the shortest (CI: full length in seconds)
    folds: z.number().int().min(2).default(3), // k: every real clip is a test clip in exactly one fold
    foldSeed: z.number().int().default(1), // fold assignment and validation draws, the same for every model seed
    validationFraction: z.number().positive().max(0.5).default(0.05), // of each fold's training part; curves only
    poolBatches: z.number().int().positive().default(3), // length buckets: a pool of this many batches of neighbouring lengths is shuffled into batches
    pretrainValidationClips: z.number().int().min(2).default(16), // real clips (a seeded draw) the pre-training validates on; it never trains on real clips
    stages: z.array(stage).default([]), // synthetic pre-training in order (synthetic-then-real needs at least one)
    publish: z.boolean().default(true), // publish the pre-trained models beside the snapshot (off for CI-sized toys)
    startWeights: z.string().optional(), // folder (in the repository) with <decoder>.safetensors (another experiment's published models): pre-training continues from them
  })
  .strict();

export type CrossValidationConfig = z.output<typeof crossValidationConfig>;

export const arms = ['real-only', 'synthetic-then-real'] as const;
export type Arm = (typeof arms)[number];

export const ljConfig = modelFields
  .extend({
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
    // Training (fine-tuning uses the same epochs as real-only training); the model's fields come from the model config
    ...trainingFields,
    // Cross-validation at full length (./ljspeech-cv.ts); absent: the single metadata-order split above
    cv: crossValidationConfig.optional(),
  })
  .strict();

export type LjConfig = z.output<typeof ljConfig>;
