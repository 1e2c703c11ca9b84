/**
 * Question 3's published models on speech they never trained on (issue 18 point 3): unheard Brown sentences spoken by
 * espeak-ng and by Flite's slt, and real LJ Speech recordings, each with the listening gap and its interval. The CI
 * profile `smoke` scores the committed q3-asr/listening weights on 30 sentences per engine and the 3 committed
 * recordings (no LJSPEECH_DIR needed); `full` scores every listed run on every clip in LJSPEECH_DIR.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { q3Generalisation, TESTS } from '../../experiments/q3-generalisation.ts';
import type { Outcome } from '../../src/lib/harness/runner.ts';
import { runExperiment } from '../../src/lib/harness/runner.ts';
import { suiteProfile } from '../support/profile.ts';

const suite = suiteProfile(q3Generalisation, 'Question 3: published models on a held-out voice and on real LJ Speech');

describe.runIf(suite.profile)(suite.title, () => {
  let outcome: Outcome;
  beforeAll(async () => {
    outcome = await runExperiment(q3Generalisation, { profile: suite.profile! });
  });

  it('scores every listed model, decoder and test once, with the gap inside its interval', () => {
    const { tables, provenance } = outcome.snapshot;
    const { models } = provenance.config as { models: string[] };
    const rows = tables.generalisation;
    const artifacts = (outcome.snapshot.tables.data.find((row) => row.key === 'models')!.value as string).split('; ');
    expect(artifacts).toHaveLength(models.length);
    expect(rows).toHaveLength(models.length * 2 * TESTS.length);
    for (const model of models) {
      for (const decoder of ['recurrent', 'attention']) {
        for (const test of TESTS) {
          const matching = rows.filter((row) => row.model === model && row.decoder === decoder && row.test === test);
          expect(matching, `${model} ${decoder} ${test}`).toHaveLength(1);
          const [row] = matching;
          expect(row.gapLow as number).toBeLessThanOrEqual(row.gap as number);
          expect(row.gap as number).toBeLessThanOrEqual(row.gapHigh as number);
          expect(row.jaccard as number).toBeCloseTo((row.shuffledJaccard as number) + (row.gap as number), 8);
          expect(row.n as number).toBeGreaterThanOrEqual(2);
        }
      }
    }
  });

  it('speaks the same unheard sentences in both engines, and scores the committed recordings whole', () => {
    const { tables, metrics } = outcome.snapshot;
    const description = Object.fromEntries(tables.data.map((row) => [row.key, row.value]));
    expect(description.sentences).toMatch(
      /^30: positions 4000-4029 of corpus seed 1's order of the 4030 Brown sentences of 12-34 characters \(BRN-04001\.\.BRN-04030\)/,
    );
    for (const decoder of ['recurrent', 'attention']) {
      const samples = (test: string) => tables.samples.filter((row) => row.decoder === decoder && row.test === test).map((row) => row.target);
      expect(samples('own-engine')).toEqual(samples('held-out-voice'));
      expect(samples('own-engine').length).toBeGreaterThan(0);
    }
    if (suite.profile === 'smoke') {
      expect(description['real-lj']).toContain('LJ002-0172..LJ002-0174');
      expect(metrics['q3-asr-listening-attention-real-lj-clips']).toBe(3);
    }
  });

  it('passes its thresholds', () => {
    expect(outcome).toPassThresholds();
  });

  it('matches the committed baseline', () => {
    expect(outcome).toMatchBaseline();
  });
});
