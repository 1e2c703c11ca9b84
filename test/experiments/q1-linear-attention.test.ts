import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { q1LinearAttention } from '../../experiments/q1/linear-attention.ts';
import type { Outcome } from '../../src/lib/harness/runner.ts';
import { currentInputHash, runExperiment } from '../../src/lib/harness/runner.ts';
import { asRecorded } from '../../src/lib/harness/snapshot.ts';
import type { Snapshot } from '../../src/lib/snapshot-schema.ts';
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

  it('repeats itself: a second run gives the same numbers, inputs and data, as the snapshot records them', async () => {
    // A fresh parts folder, so the second run computes everything again instead of reusing the first's result.
    const checkpointsDir = await mkdtemp(join(tmpdir(), 'hw2-determinism-'));
    const again = await runExperiment(q1LinearAttention, {
      profile: outcome.profile,
      mode: 'check',
      checkpointsDir,
      scratchDir: join(checkpointsDir, 'scratch'),
    });
    // Compared as the file records them: where update mode skipped the first run, its snapshot is the committed
    // file (10 significant digits) and the second a fresh run (every bit). Timings and the commit may differ.
    const recorded = (snapshot: Snapshot) => {
      const { metrics, curves, tables, checks, seeds, provenance } = asRecorded(snapshot);
      return { metrics, curves, tables, checks, seeds, config: provenance.config, dataset: provenance.dataset, inputHash: currentInputHash(snapshot) };
    };
    expect(recorded(again.snapshot)).toEqual(recorded(outcome.snapshot));
  });

  it('passes its thresholds', () => {
    expect(outcome).toPassThresholds();
  });

  it('matches the committed baseline', () => {
    expect(outcome).toMatchBaseline();
  });
});
