import { beforeAll, describe, expect, it } from 'vitest';
import { q2Cnn } from '../../experiments/q2/cnn.ts';
import type { Outcome } from '../../src/lib/harness/runner.ts';
import { runExperiment } from '../../src/lib/harness/runner.ts';
import { suiteProfile } from '../support/profile.ts';

const { profile, title } = suiteProfile(q2Cnn, 'Question 2: CNNs');

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
});
