import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { q2Cnn } from '../../experiments/q2/cnn.ts';
import { datasetInfo } from '../../src/lib/data/images.ts';
import { resolveConfig } from '../../src/lib/harness/experiment.ts';
import type { Outcome } from '../../src/lib/harness/runner.ts';
import { runExperiment } from '../../src/lib/harness/runner.ts';
import { significantDigits } from '../../src/lib/harness/snapshot.ts';
import { trainClassifier } from '../../src/lib/train/classifier.ts';
import { suiteProfile } from '../support/profile.ts';

const { profile, title } = suiteProfile(q2Cnn, 'Question 2: CNNs');
const quiet = { log: () => {}, progress: () => ({ tick: () => {}, done: () => {} }), now: () => performance.now() };

describe.runIf(profile)(title, () => {
  let outcome: Outcome;
  beforeAll(async () => {
    outcome = await runExperiment(q2Cnn, { profile });
  });

  it('trains both variants at every learning rate and picks the best rate by validation accuracy', () => {
    const runs = outcome.snapshot.tables.runs;
    const config = outcome.snapshot.provenance.config as { learningRates: number[] };
    expect(runs.filter((run) => run.variant === 'pooled').map((run) => run.learningRate)).toEqual(config.learningRates);
    const finished = runs.filter((run) => run.variant === 'pooled' && run.status === 'finished');
    const best = Math.max(...finished.map((run) => run.finalValAccuracy as number));
    expect(finished.find((run) => run.finalValAccuracy === best)?.learningRate).toBe(outcome.snapshot.metrics.bestLearningRate);
  });

  it('gives both nets the same number of trainable parameters', () => {
    const classes = outcome.snapshot.metrics.classes;
    const expected = 224_892 + (classes - 4) * 121; // dense 120 -> classes adds 121 per class
    expect(outcome.snapshot.metrics['pooled-params']).toBe(expected);
    expect(outcome.snapshot.metrics['strided-params']).toBe(expected);
  });

  it('records a confusion matrix per finished run that sums to the test set', () => {
    const total = outcome.snapshot.tables.confusion
      .filter((cell) => cell.variant === 'pooled' && cell.learningRate === outcome.snapshot.metrics.bestLearningRate)
      .reduce((sum, cell) => sum + (cell.count as number), 0);
    expect(total).toBeGreaterThan(0);
  });

  it('passes its thresholds', () => {
    expect(outcome).toPassThresholds();
  });

  it('matches the committed baseline', () => {
    expect(outcome).toMatchBaseline();
  });

  it.runIf(profile === 'smoke')('resumes an interrupted run to the same result as an uninterrupted one', async () => {
    const config = resolveConfig(q2Cnn, 'smoke');
    const { data } = await q2Cnn.data(config, undefined as never);
    const rate = outcome.snapshot.metrics.bestLearningRate;
    const checkpointDir = await mkdtemp(join(tmpdir(), 'hw2-resume-'));
    const options = { data, variant: 'pooled' as const, learningRate: rate, epochs: config.epochs, seed: config.seed, checkpointDir };
    const stopped = await trainClassifier({ ...options, stopAfterEpoch: 1 }, quiet);
    expect(stopped.status).toBe('stopped');
    const resumed = await trainClassifier(options, quiet);
    expect(resumed.resumedFromEpoch).toBe(1);
    // The uninterrupted run is the one in the snapshot: compare through the snapshot's rounding.
    const row = outcome.snapshot.tables.runs.find((run) => run.variant === 'pooled' && run.learningRate === rate)!;
    const rounded = (value: unknown) => Number((value as number).toPrecision(significantDigits));
    expect(rounded(resumed.test!.accuracy)).toBe(rounded(row.testAccuracy));
    expect(rounded(resumed.test!.loss)).toBe(rounded(row.testLoss));
    expect(datasetInfo(data).hash).toBe(outcome.snapshot.provenance.dataset.hash);
  });
});
