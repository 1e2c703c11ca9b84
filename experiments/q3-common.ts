/**
 * What both Question 3 experiments (synthetic speech, q3-asr; real LJ Speech, q3-ljspeech) share: describing
 * generated data, training one decoder as a part, and turning decoder results into metrics, tables and
 * baseline tolerances.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { SpeechDataset } from '../src/lib/data/speech-corpus.ts';
import { defaultSpeakerVariation } from '../src/lib/data/synthetic-speech.ts';
import type { ArtifactFile, RunEffects, RunResult, Tolerance } from '../src/lib/harness/experiment.ts';
import type { DecoderKind } from '../src/lib/models/asr-decoders.ts';
import type { Row } from '../src/lib/snapshot-schema.ts';
import type { AsrData } from '../src/lib/data/asr-data.ts';
import type { AsrTrainingOptions, AsrTrainingResult } from '../src/lib/train/asr.ts';
import type { AsrTrainingConfig } from '../src/lib/train/asr-config.ts';
import { trainAsr } from '../src/lib/train/asr.ts';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------------------
// Data helpers

export function espeakVersion(): string {
  const manifest = JSON.parse(readFileSync(require.resolve('@echogarden/espeak-ng-emscripten/package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

export function speakerDescription(): string {
  const { voices, rate, pitch } = defaultSpeakerVariation;
  return `voices ${voices.join(', ')}; ${rate[0]}-${rate[1]} words/min; pitch ${pitch[0]}-${pitch[1]}`;
}

/** Reports generation and feature-extraction progress through the run's effects (silent when there are none). */
export function progressReporter(effects: RunEffects | undefined, label: string): ((done: number, total: number) => void) | undefined {
  if (!effects) return undefined;
  let progress: ReturnType<RunEffects['progress']> | undefined;
  return (done, total) => {
    progress ??= effects.progress(label, total);
    progress.tick(1);
    if (done === total) progress.done();
  };
}

/** The shared data cache, also when `data` is called without effects (e.g. from a test re-loading the inputs). */
export function cacheFolder(effects: RunEffects | undefined): string {
  return effects?.cacheDir ?? join(new URL('..', import.meta.url).pathname, '.cache', 'data');
}

/** The first and last id of a list of clips, for provenance. */
export function idRange(ids: readonly string[]): string {
  return ids.length === 0 ? '(none)' : ids.length === 1 ? ids[0] : `${ids[0]}..${ids.at(-1)}`;
}

/** How many clips are longer than `frames` (their features are cropped, so the end of the transcript is not heard). */
export function croppedClips(dataset: SpeechDataset, positions: readonly number[]): number {
  return positions.filter((position) => dataset.naturalFrames[position] > dataset.frames).length;
}

export function range(start: number, length: number): number[] {
  return Array.from({ length }, (_, i) => start + i);
}

// ---------------------------------------------------------------------------------------------------------
// One decoder as a part

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
  const description = {
    decoder: config.model.decoder,
    hidden: config.model.hidden,
    heads: config.model.heads,
    mlpHidden: config.model.mlpHidden,
    encoderBlocks: config.model.encoderBlocks,
    frames: config.frames,
    textLength: config.model.textLength,
    nMels: config.model.freq,
    seed: config.seed,
  };
  return { decoder: config.model.decoder, result, artifacts: [{ name, path: weights, description }] };
}

// ---------------------------------------------------------------------------------------------------------
// Results

const similarityNames = { jaccard: 'jaccard', cosine: 'cosine', damerauLevenshtein: 'damerau-levenshtein' } as const;
const gapNames = { ...similarityNames, cer: 'cer', wer: 'wer' } as const;

/**
 * Metric names `<prefix><decoder>-...`: the test loss and similarities, CER/WER, distinct transcripts, the
 * shuffled-audio control and listening gaps (with their bootstrap interval), the starting weights' scores and
 * what training bought against them, and the last epoch's numbers.
 */
export function decoderMetrics(prefix: string, part: DecoderPart): Record<string, number> {
  const key = `${prefix}${part.decoder}`;
  const { test, epochs, parameters, initial } = part.result;
  const last = epochs.at(-1)!;
  const metrics: Record<string, number> = {
    [`${key}-params`]: parameters,
    [`${key}-test-loss`]: test.loss,
    [`${key}-test-cer`]: test.cer,
    [`${key}-test-wer`]: test.wer,
    [`${key}-test-distinct`]: test.distinct,
    [`${key}-shuffled-test-loss`]: test.shuffled.loss,
    [`${key}-shuffled-test-distinct`]: test.shuffled.distinct,
    [`${key}-final-train-loss`]: last.trainLoss,
    [`${key}-final-validation-loss`]: last.validationLoss,
    [`${key}-final-validation-jaccard`]: last.validationJaccard,
  };
  for (const [field, name] of Object.entries(similarityNames) as Array<[keyof typeof similarityNames, string]>) {
    metrics[`${key}-test-${name}`] = test[field];
    metrics[`${key}-shuffled-test-${name}`] = test.shuffled[field];
  }
  for (const [field, name] of Object.entries(gapNames) as Array<[keyof typeof gapNames, string]>) {
    metrics[`${key}-listening-gap-${name}`] = test.gap[field];
    metrics[`${key}-listening-gap-${name}-low`] = test.gapInterval[field].low;
    metrics[`${key}-listening-gap-${name}-high`] = test.gapInterval[field].high;
  }
  if (initial) {
    Object.assign(metrics, {
      [`${key}-untrained-test-loss`]: initial.loss,
      [`${key}-untrained-test-jaccard`]: initial.jaccard,
      [`${key}-untrained-test-damerau-levenshtein`]: initial.damerauLevenshtein,
      [`${key}-test-loss-drop`]: initial.loss - test.loss,
      [`${key}-test-jaccard-gain`]: test.jaccard - initial.jaccard,
      [`${key}-test-damerau-levenshtein-gain`]: test.damerauLevenshtein - initial.damerauLevenshtein,
    });
  }
  return metrics;
}

/** Curves, tables and timings of a list of decoder runs, each row tagged with its decoder and `extra` columns. */
export function decoderTables(runs: Array<DecoderPart & { extra?: Row }>): Pick<RunResult, 'curves' | 'tables' | 'timings'> {
  const tag = (run: DecoderPart & { extra?: Row }): Row => ({ decoder: run.decoder, ...run.extra });
  const timingValues: Record<string, number> = {};
  for (const run of runs) {
    const stage = run.extra?.stage ? `${run.extra.stage}-` : '';
    const { epochSeconds, testSeconds } = run.result.timings;
    const total = epochSeconds.reduce((sum, seconds) => sum + seconds, 0);
    timingValues[`${stage}${run.decoder}-train-seconds`] = total;
    timingValues[`${stage}${run.decoder}-seconds-per-epoch`] = total / Math.max(1, epochSeconds.length);
    timingValues[`${stage}${run.decoder}-test-seconds`] = testSeconds;
    // How this machine ran it, like the seconds (resolved from HW2_MAX_MEMORY unless the profile sets microBatch).
    if (typeof run.result.microBatch === 'number') timingValues[`${stage}${run.decoder}-micro-batch`] = run.result.microBatch;
  }
  const measures = [
    ['jaccard', 'Jaccard'],
    ['cosine', 'cosine'],
    ['damerauLevenshtein', 'Damerau-Levenshtein'],
    ['cer', 'CER'],
    ['wer', 'WER'],
  ] as const;
  return {
    curves: { epochs: runs.flatMap((run) => run.result.epochs.map((row): Row => ({ ...tag(run), ...row }))) },
    tables: {
      decoders: runs.map(
        (run): Row => ({
          ...tag(run),
          params: run.result.parameters,
          epochs: run.result.epochs.length,
          testLoss: run.result.test.loss,
          testJaccard: run.result.test.jaccard,
          testCosine: run.result.test.cosine,
          testDamerauLevenshtein: run.result.test.damerauLevenshtein,
          testCer: run.result.test.cer,
          testWer: run.result.test.wer,
          testDistinct: run.result.test.distinct,
          untrainedTestLoss: run.result.initial?.loss ?? null,
          untrainedTestJaccard: run.result.initial?.jaccard ?? null,
          untrainedTestCosine: run.result.initial?.cosine ?? null,
          untrainedTestDamerauLevenshtein: run.result.initial?.damerauLevenshtein ?? null,
          testExamples: run.result.test.examples,
        }),
      ),
      listening: runs.flatMap((run) =>
        measures.map(
          ([field, measure]): Row => ({
            ...tag(run),
            measure,
            rightAudio: run.result.test[field],
            shuffledAudio: run.result.test.shuffled[field],
            gap: run.result.test.gap[field],
            gapLow: run.result.test.gapInterval[field].low,
            gapHigh: run.result.test.gapInterval[field].high,
          }),
        ),
      ),
      samples: runs.flatMap((run) =>
        run.result.samples.map((sample, index): Row => ({ ...tag(run), index, target: sample.target, prediction: sample.prediction })),
      ),
      alignment: runs.flatMap((run) =>
        run.result.test.alignments.flatMap((map) =>
          map.weights.map(
            (weights, step): Row => ({
              ...tag(run),
              clip: map.clip,
              step,
              emitted: step < map.prediction.length ? map.prediction[step] : 'stop',
              bin: map.bin,
              weights: weights.map((weight) => weight.toFixed(3)).join(' '),
            }),
          ),
        ),
      ),
    },
    timings: {
      values: timingValues,
      curves: {
        epochSeconds: runs.flatMap((run) => run.result.timings.epochSeconds.map((seconds, epoch): Row => ({ ...tag(run), epoch: epoch + 1, seconds }))),
      },
    },
  };
}

/** Baseline tolerances for a decoder's test numbers: losses and error rates may not rise, similarities may not fall, sizes may not change. */
export function decoderTolerances(prefix: string, decoders: readonly DecoderKind[], loss: number, similarity: number): Record<string, Tolerance> {
  const tolerances: Record<string, Tolerance> = {};
  for (const decoder of decoders) {
    const key = `${prefix}${decoder}`;
    tolerances[`${key}-params`] = { direction: 'equal', tolerance: 0 };
    tolerances[`${key}-test-loss`] = { direction: 'lower', tolerance: loss };
    for (const name of ['jaccard', 'cosine', 'damerau-levenshtein']) tolerances[`${key}-test-${name}`] = { direction: 'higher', tolerance: similarity };
    tolerances[`${key}-test-cer`] = { direction: 'lower', tolerance: similarity };
    tolerances[`${key}-listening-gap-jaccard`] = { direction: 'higher', tolerance: similarity };
  }
  return tolerances;
}
