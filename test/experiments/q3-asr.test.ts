import { beforeAll, describe, expect, it } from 'vitest';
import { q3Asr } from '../../experiments/q3/asr.ts';
import type { Outcome } from '../../src/lib/harness/runner.ts';
import { runExperiment } from '../../src/lib/harness/runner.ts';
import { suiteProfile } from '../support/profile.ts';

const { profile, title } = suiteProfile(q3Asr, 'Question 3: speech recognition, both decoders');
// The listening profile trains for about an hour per seed; the project's default hook timeout (30 min) is too tight.
const runTimeout = profile === 'smoke' ? 10 * 60_000 : 12 * 60 * 60_000;

describe.runIf(profile)(title, () => {
  let outcome: Outcome;
  beforeAll(async () => {
    outcome = await runExperiment(q3Asr, { profile });
  }, runTimeout);

  it('trains both decoders with one epoch row each per epoch', () => {
    const config = outcome.snapshot.provenance.config as { epochs: number; decoders: string[] };
    expect(config.decoders).toEqual(['recurrent', 'attention']);
    for (const decoder of config.decoders) {
      const rows = outcome.snapshot.curves.epochs.filter((row) => row.decoder === decoder);
      expect(rows.map((row) => row.epoch)).toEqual(Array.from({ length: config.epochs }, (_, i) => i + 1));
      for (const row of rows) {
        for (const key of ['trainLoss', 'validationLoss', 'validationJaccard', 'validationCosine', 'validationDamerauLevenshtein'])
          expect(Number.isFinite(row[key])).toBe(true);
      }
    }
  });

  it('scores both decoders on the same test clips with the same encoder', () => {
    const metrics = outcome.snapshot.metrics;
    const rows = outcome.snapshot.tables.decoders;
    expect(rows.map((row) => row.decoder)).toEqual(['recurrent', 'attention']);
    expect(rows.every((row) => row.testExamples === metrics['test-clips'])).toBe(true);
    for (const decoder of ['recurrent', 'attention']) {
      for (const name of ['loss', 'jaccard', 'cosine', 'damerau-levenshtein']) expect(metrics[`${decoder}-test-${name}`]).toBeTypeOf('number');
      for (const name of ['jaccard', 'cosine', 'damerau-levenshtein']) {
        expect(metrics[`${decoder}-test-${name}`]).toBeGreaterThanOrEqual(0);
        expect(metrics[`${decoder}-test-${name}`]).toBeLessThanOrEqual(1);
      }
    }
  });

  it('keeps sample transcripts (target and prediction) from the test split for both decoders', () => {
    const config = outcome.snapshot.provenance.config as { samples: number };
    for (const decoder of ['recurrent', 'attention']) {
      const samples = outcome.snapshot.tables.samples.filter((row) => row.decoder === decoder);
      expect(samples).toHaveLength(config.samples);
      for (const sample of samples) {
        expect(sample.target).toMatch(/^[a-z ,.?#-]+$/);
        expect(typeof sample.prediction).toBe('string');
      }
    }
    // Both decoders see the same test clips in the same order.
    const targets = (decoder: string) => outcome.snapshot.tables.samples.filter((row) => row.decoder === decoder).map((row) => row.target);
    expect(targets('attention')).toEqual(targets('recurrent'));
  });

  it('records where its data came from', () => {
    const { dataset } = outcome.snapshot.provenance;
    expect(dataset.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(dataset.description).toMatch(/train .*validation .*test/);
    expect(outcome.snapshot.tables.data.length).toBeGreaterThan(0);
  });

  // Profiles without a held-out family (listening) have nothing to check here.
  it.runIf(profile && q3Asr.profiles[profile] && 'heldOut' in q3Asr.profiles[profile])(
    'scores a held-out speaker family beside the test split, with its listening gap and interval, and keeps it out of training',
    () => {
      const config = outcome.snapshot.provenance.config as { clips: number; heldOut: { engine?: string; voices?: string[] } };
      const { metrics, tables } = outcome.snapshot;
      // Every clip is in exactly one split: the held-out family's clips are in none of the others.
      expect(metrics['train-clips'] + metrics['validation-clips'] + metrics['test-clips'] + metrics['heldout-clips']).toBe(config.clips);
      // ... and they are all of that family's clips the corpus has (the data table counts clips per voice).
      const perVoice = String(tables.data.find((row) => row.key === 'clips per voice')?.value);
      const heldVoices = config.heldOut.voices ?? [];
      const counted = heldVoices.reduce((sum, voice) => sum + Number(new RegExp(`\\b${voice} (\\d+)`).exec(perVoice)?.[1] ?? Number.NaN), 0);
      if (heldVoices.length > 0) expect(counted).toBe(metrics['heldout-clips']);
      for (const decoder of ['recurrent', 'attention']) {
        for (const name of ['jaccard', 'damerau-levenshtein', 'cer', 'listening-gap-jaccard'])
          expect(metrics[`${decoder}-heldout-${name}`]).toBeTypeOf('number');
        const gap = metrics[`${decoder}-heldout-listening-gap-jaccard`];
        expect(metrics[`${decoder}-heldout-listening-gap-jaccard-low`]).toBeLessThanOrEqual(gap);
        expect(metrics[`${decoder}-heldout-listening-gap-jaccard-high`]).toBeGreaterThanOrEqual(gap);
        const rows = tables.generalisation.filter((row) => row.decoder === decoder);
        expect(rows.map((row) => [row.split, row.clips])).toEqual([
          ['test', metrics['test-clips']],
          ['held out', metrics['heldout-clips']],
        ]);
        expect(tables.heldOutSamples.filter((row) => row.decoder === decoder).length).toBeGreaterThan(0);
      }
    },
  );

  it('passes its thresholds', () => {
    expect(outcome).toPassThresholds();
  });

  it('matches the committed baseline', () => {
    expect(outcome).toMatchBaseline();
  });
});
