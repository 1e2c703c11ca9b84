/**
 * One decoder trained as a part of a Question 3 run, and the final weights scored on a held-out split.
 */
import { join } from 'node:path';
import type { AsrData, AsrSplit } from '../../src/lib/data/asr-data.ts';
import type { ArtifactFile, RunEffects } from '../../src/lib/harness/experiment.ts';
import type { DecoderKind } from '../../src/lib/models/asr-decoders.ts';
import { createAsrModel } from '../../src/lib/models/asr.ts';
import { loadStateDict } from '../../src/lib/models/layers.ts';
import type { AsrTrainingOptions, AsrTrainingResult } from '../../src/lib/train/asr.ts';
import { trainAsr } from '../../src/lib/train/asr.ts';
import type { AsrTrainingConfig } from '../../src/lib/train/asr-config.ts';
import type { ListeningEvaluation } from '../../src/lib/train/asr-evaluation.ts';
import { evaluateListening } from '../../src/lib/train/asr-evaluation.ts';
import { readSafetensors } from '../../src/lib/weights/safetensors.ts';

/** A decoder's training as stored in its part's result file. */
export interface DecoderPart extends Record<string, unknown> {
  decoder: DecoderKind;
  result: AsrTrainingResult;
  artifacts?: ArtifactFile[];
}

/**
 * Trains one decoder from the seed's initial weights (or `options.initialWeights`), scoring the starting weights
 * on the test split too, and keeps the final weights in the part's folder for publishing.
 */
export async function trainDecoderPart(
  config: AsrTrainingConfig,
  data: AsrData,
  effects: RunEffects,
  options: AsrTrainingOptions & { folder: string; name: string },
): Promise<DecoderPart> {
  const { folder, name, ...training } = options;
  const weights = join(folder, 'model.safetensors');
  const result = await trainAsr(config, data, effects, {
    evaluateInitial: true,
    finalWeightsPath: weights,
    ...training,
    checkpointDir: join(folder, 'checkpoints'),
  });
  // A part is a finished run: a diverged one has no test split to report (stopping is for the library's tests).
  if (result.status !== 'finished') {
    const where = result.diverged ? ` in epoch ${result.diverged.epoch}, step ${result.diverged.step} (loss ${result.diverged.loss})` : '';
    throw new Error(`${name}: the ${config.model.decoder} decoder's training ${result.status}${where}`);
  }
  // The model config whole, under its own names (src/lib/models/published.ts reads it back as it is), and the seed.
  const description: ArtifactFile['description'] = { seed: config.seed };
  for (const [key, value] of Object.entries(config.model)) if (value !== undefined) description[key] = value;
  return { decoder: config.model.decoder, result, artifacts: [{ name, path: weights, description }] };
}

/** The held-out family as scored after training (the test split's listening evaluation without per-clip rows). */
export type HeldOutScores = Omit<ListeningEvaluation, 'clips' | 'alignments'> & { samples: Array<{ target: string; prediction: string }> };

export type Q3Part = DecoderPart & { heldOut?: HeldOutScores };

/** The final weights (as trainDecoderPart wrote them) scored on the held-out split: similarities, control, gap, interval. */
export async function scoreHeldOut(training: AsrTrainingConfig, weightsPath: string, split: AsrSplit, effects: RunEffects): Promise<HeldOutScores> {
  const model = createAsrModel(training.model, training.seed);
  try {
    loadStateDict(model, await readSafetensors(weightsPath), '', weightsPath);
    const {
      clips,
      alignments: _alignments,
      ...scores
    } = await evaluateListening(model, split, training, {
      progress: (label, total) => effects.progress(`${training.model.decoder} held out: ${label}`, total),
      alignmentClips: 0,
    });
    effects.log(
      `[asr] ${training.model.decoder} held out: jaccard ${scores.jaccard.toFixed(4)}, listening gap (jaccard) ${scores.gap.jaccard.toFixed(4)} ` +
        `[${scores.gapInterval.jaccard.low.toFixed(4)}, ${scores.gapInterval.jaccard.high.toFixed(4)}]`,
    );
    return { ...scores, samples: clips.slice(0, training.samples).map(({ target, prediction }) => ({ target, prediction })) };
  } finally {
    model.dispose();
  }
}
