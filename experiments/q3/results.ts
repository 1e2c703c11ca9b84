/**
 * Question 3's results: decoder runs turned into metrics, curves, tables and baseline tolerances, the held-out
 * family's scores beside the test split's, and a pre-training run's zero-shot transfer.
 */
import type { RunResult, Tolerance } from '../../src/lib/harness/experiment.ts';
import type { DecoderKind } from '../../src/lib/models/asr-decoders.ts';
import type { Row } from '../../src/lib/snapshot-schema.ts';
import type { DecoderPart, Q3Part } from './training.ts';

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

const heldOutMeasures = [
  ['jaccard', 'jaccard'],
  ['cosine', 'cosine'],
  ['damerauLevenshtein', 'damerau-levenshtein'],
  ['cer', 'cer'],
  ['wer', 'wer'],
] as const;

/** `<decoder>-heldout-...`: the held-out split's loss, similarities, CER/WER, control and listening gaps with intervals. */
export function heldOutMetrics(run: Q3Part): Record<string, number> {
  if (!run.heldOut) return {};
  const key = `${run.decoder}-heldout`;
  const scores = run.heldOut;
  const metrics: Record<string, number> = { [`${key}-loss`]: scores.loss, [`${key}-distinct`]: scores.distinct };
  for (const [field, name] of heldOutMeasures) {
    metrics[`${key}-${name}`] = scores[field];
    metrics[`${key}-shuffled-${name}`] = scores.shuffled[field];
    metrics[`${key}-listening-gap-${name}`] = scores.gap[field];
    metrics[`${key}-listening-gap-${name}-low`] = scores.gapInterval[field].low;
    metrics[`${key}-listening-gap-${name}-high`] = scores.gapInterval[field].high;
  }
  return metrics;
}

/** The test split and the held-out family side by side per decoder, the held-out listening rows, and its samples. */
export function heldOutTables(runs: Q3Part[]): Record<string, Row[]> {
  const generalisation = runs.flatMap((run) =>
    (
      [
        ['test', run.result.test],
        ['held out', run.heldOut!],
      ] as const
    ).map(
      ([split, scores]): Row => ({
        decoder: run.decoder,
        split,
        clips: scores.examples,
        jaccard: scores.jaccard,
        damerauLevenshtein: scores.damerauLevenshtein,
        cer: scores.cer,
        shuffledJaccard: scores.shuffled.jaccard,
        gapJaccard: scores.gap.jaccard,
        gapJaccardLow: scores.gapInterval.jaccard.low,
        gapJaccardHigh: scores.gapInterval.jaccard.high,
      }),
    ),
  );
  const heldOutListening = runs.flatMap((run) =>
    heldOutMeasures.map(
      ([field, measure]): Row => ({
        decoder: run.decoder,
        measure,
        rightAudio: run.heldOut![field],
        shuffledAudio: run.heldOut!.shuffled[field],
        gap: run.heldOut!.gap[field],
        gapLow: run.heldOut!.gapInterval[field].low,
        gapHigh: run.heldOut!.gapInterval[field].high,
      }),
    ),
  );
  const heldOutSamples = runs.flatMap((run) =>
    run.heldOut!.samples.map((sample, index): Row => ({ decoder: run.decoder, index, target: sample.target, prediction: sample.prediction })),
  );
  return { generalisation, heldOutListening, heldOutSamples };
}

export function pretrainedMetrics(key: string, run: DecoderPart): Record<string, number> {
  const { test } = run.result;
  return {
    [`${key}-real-test-loss`]: test.loss,
    [`${key}-real-test-jaccard`]: test.jaccard,
    [`${key}-real-test-cosine`]: test.cosine,
    [`${key}-real-test-damerau-levenshtein`]: test.damerauLevenshtein,
    [`${key}-real-listening-gap-jaccard`]: test.gap.jaccard,
  };
}
