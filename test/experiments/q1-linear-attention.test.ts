import { beforeAll, describe, expect, it } from 'vitest';
import { q1LinearAttention } from '../../experiments/q1/linear-attention.ts';
import type { Outcome } from '../../src/lib/harness/runner.ts';
import { runExperiment } from '../../src/lib/harness/runner.ts';
import { suiteProfile } from '../support/profile.ts';

const { profile, title } = suiteProfile(q1LinearAttention, 'Question 1: linear attention');

describe.runIf(profile)(title, () => {
  let outcome: Outcome;
  beforeAll(async () => {
    outcome = await runExperiment(q1LinearAttention, { profile });
  });

  it('executes every derivation check', () => {
    const failed = outcome.snapshot.checks.filter((check) => !check.passed);
    expect(failed).toEqual([]);
    expect(outcome.snapshot.checks.length).toBeGreaterThanOrEqual(6);
  });

  it('builds feature maps of the derived dimension, M = 13 (10 compressed) for D = K = 3', () => {
    for (const row of outcome.snapshot.tables.featureDimensions) {
      expect(row.M).toBe(row.Mformula);
      expect(row.Msymmetric).toBe(row.MsymmetricFormula);
    }
    expect(outcome.snapshot.metrics.featureDimD3K3).toBe(13);
    expect(outcome.snapshot.metrics.featureDimSymmetricD3K3).toBe(10);
  });

  it('measures quadratic and linear cost (log-log slope ratio near 2)', () => {
    const { slopeSoftmax, slopeLinear, slopeRatio } = outcome.snapshot.timings.values;
    expect(slopeSoftmax).toBeGreaterThan(1.7);
    expect(slopeLinear).toBeLessThan(1.25);
    expect(slopeRatio).toBeGreaterThan(1.5);
  });

  it('passes its thresholds', () => {
    expect(outcome).toPassThresholds();
  });

  it('matches the committed baseline', () => {
    expect(outcome).toMatchBaseline();
  });
});
