/**
 * Question 3 on real LJ Speech recordings: real-only training (q3-ljspeech) and pre-training on synthetic speech
 * (q3-ljspeech-transfer).
 *
 * Profiles: EXPERIMENT_PROFILE picks them as for every suite; the default `smoke` stands for `lj-smoke`, these
 * experiments' CI profile (a handful of real clips), so `npm test` exercises the real-data path without a separate
 * variable. `listening` runs both with the listening recipe.
 *
 * The data are not in the repository: LJSPEECH_DIR must point at an LJSpeech-1.1 folder (the full download or
 * a part of it; CI sets it when the shared copy exists). Without it the suites are skipped and say why.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { q3LjSpeech, q3LjSpeechTransfer } from '../../experiments/q3/ljspeech.ts';
import { resolveConfig } from '../../src/lib/harness/experiment.ts';
import type { Outcome } from '../../src/lib/harness/runner.ts';
import { runExperiment } from '../../src/lib/harness/runner.ts';
import { settings } from '../../src/lib/settings.ts';
import { suiteProfile } from '../support/profile.ts';

const realOnlySuite = suiteProfile(q3LjSpeech, 'Question 3 on real LJ Speech recordings');
const transferSuite = suiteProfile(q3LjSpeechTransfer, 'Question 3 on real LJ Speech after pre-training on synthetic speech');
const profile = realOnlySuite.profile ?? transferSuite.profile ?? 'lj-smoke';
const dataDir = settings().ljspeechDir;
const skipReason =
  'skipped: LJSPEECH_DIR is not set (download LJ Speech 1.1 from https://keithito.com/LJ-Speech-Dataset/ and point LJSPEECH_DIR at its LJSpeech-1.1 folder)';
const runTimeout = profile === 'lj-smoke' ? 5 * 60_000 : 4 * 60 * 60_000;

if (!dataDir && (realOnlySuite.profile || transferSuite.profile)) {
  process.stderr.write(`[q3-ljspeech] ${skipReason}\n`);
}

// A title that carries the reason, so the skip shows why in every reporter.
const title = (name: string) => (dataDir ? name : `${name} (${skipReason})`);

function sharedChecks(arm: string, getOutcome: () => Outcome): void {
  it('trains both decoders with one epoch row per epoch', () => {
    const outcome = getOutcome();
    const config = outcome.snapshot.provenance.config as { epochs: number; pretrainEpochs: number; decoders: string[] };
    expect(config.decoders).toEqual(['recurrent', 'attention']);
    for (const decoder of config.decoders) {
      const rows = outcome.snapshot.curves.epochs.filter((row) => row.decoder === decoder && row.arm === arm);
      const stages =
        arm === 'real-only'
          ? [['real-only', config.epochs]]
          : [
              ['pretrain', config.pretrainEpochs],
              ['fine-tune', config.epochs],
            ];
      for (const [stage, epochs] of stages) {
        expect(rows.filter((row) => row.stage === stage).map((row) => row.epoch)).toEqual(Array.from({ length: epochs as number }, (_, i) => i + 1));
      }
    }
  });

  it('scores both decoders on the held-out real clips, with sample transcripts', () => {
    const outcome = getOutcome();
    const metrics = outcome.snapshot.metrics;
    const config = outcome.snapshot.provenance.config as { samples: number };
    for (const decoder of ['recurrent', 'attention']) {
      for (const name of ['loss', 'jaccard', 'cosine', 'damerau-levenshtein']) expect(Number.isFinite(metrics[`${arm}-${decoder}-test-${name}`])).toBe(true);
      const samples = outcome.snapshot.tables.samples.filter((row) => row.decoder === decoder && row.stage !== 'pretrain');
      expect(samples).toHaveLength(config.samples);
      expect(samples.every((row) => typeof row.target === 'string' && (row.target as string).length > 0)).toBe(true);
    }
    expect(outcome.snapshot.tables.decoders.every((row) => row.testExamples === metrics['test-clips'])).toBe(true);
  });

  it('records exactly which real clips it used, all inside the homework training range', () => {
    const outcome = getOutcome();
    const { dataset } = outcome.snapshot.provenance;
    expect(dataset.id).toBe('ljspeech-1.1-subset');
    expect(dataset.hash).toMatch(/^[0-9a-f]{64}$/);
    const rows = Object.fromEntries(outcome.snapshot.tables.data.map((row) => [row.key, row.value]));
    for (const split of ['train', 'validation', 'test']) expect(rows[split]).toMatch(/^\d+ clips, LJ\d{3}-\d{4}\.\.LJ\d{3}-\d{4} \(metadata rows \d+-\d+\)$/);
    expect(rows['inside the homework training range 0-9825']).toBe(true);
  });

  it('passes its thresholds', () => {
    expect(getOutcome()).toPassThresholds();
  });

  it('matches the committed baseline', () => {
    expect(getOutcome()).toMatchBaseline();
  });
}

describe.runIf(realOnlySuite.profile)(title(realOnlySuite.title), () => {
  let outcome: Outcome;
  beforeAll(async () => {
    if (dataDir) outcome = await runExperiment(q3LjSpeech, { profile });
  }, runTimeout);
  describe.skipIf(!dataDir)('real-only', () => {
    sharedChecks('real-only', () => outcome);
  });
});

describe.runIf(transferSuite.profile)(title(transferSuite.title), () => {
  let outcome: Outcome;
  beforeAll(async () => {
    if (dataDir) outcome = await runExperiment(q3LjSpeechTransfer, { profile });
  }, runTimeout);
  describe.skipIf(!dataDir)('synthetic-then-real', () => {
    sharedChecks('synthetic-then-real', () => outcome);

    it('pre-trains only on transcripts from the homework training range, none of them held out', () => {
      const rows = Object.fromEntries(outcome.snapshot.tables.data.map((row) => [row.key, row.value]));
      const heldOut = [rows.validation, rows.test].map((text) => {
        const [, first, last] = /metadata rows (\d+)-(\d+)/.exec(text as string)!;
        return [Number(first), Number(last)];
      });
      const transcripts = outcome.snapshot.tables.syntheticTranscripts;
      const config = outcome.snapshot.provenance.config as { pretrainClips: number };
      expect(transcripts).toHaveLength(config.pretrainClips);
      for (const { index } of transcripts) {
        expect(index as number).toBeLessThan(9825);
        for (const [first, last] of heldOut) expect((index as number) < first || (index as number) > last).toBe(true);
      }
    });

    it('reports the pre-trained model on the real test clips before fine-tuning', () => {
      for (const decoder of ['recurrent', 'attention']) expect(Number.isFinite(outcome.snapshot.metrics[`pretrained-${decoder}-real-test-loss`])).toBe(true);
    });
  });

  it('fine-tunes with the same real split, model and epochs as real-only training at the matching profile', () => {
    // The comparison of the two experiments is only fair if everything but the pre-training agrees.
    const realOnly = resolveConfig(q3LjSpeech, profile) as Record<string, unknown>;
    const transfer = resolveConfig(q3LjSpeechTransfer, profile) as Record<string, unknown>;
    for (const key of Object.keys(realOnly)) {
      if (['arms', 'pretrainClips', 'pretrainEpochs'].includes(key)) continue;
      expect(transfer[key], key).toEqual(realOnly[key]);
    }
  });
});

/**
 * Cross-validation at full length (issue 18.4), CI-sized: the 24 shortest real clips, 3 folds, a pre-training part
 * per decoder that every fold starts from. Runs beside lj-smoke (the experiment's CI profile) in CI.
 */
describe.runIf(transferSuite.profile === 'lj-smoke')(title('Question 3 on real LJ Speech, cross-validated (cv-smoke)'), () => {
  let outcome: Outcome;
  beforeAll(async () => {
    if (dataDir) outcome = await runExperiment(q3LjSpeechTransfer, { profile: 'cv-smoke' });
  }, runTimeout);
  describe.skipIf(!dataDir)('cv-smoke', () => {
    it('tests every real clip exactly once over the folds, none cropped', () => {
      const { metrics, tables } = outcome.snapshot;
      expect(metrics['cropped-clips']).toBe(0);
      for (const decoder of ['recurrent', 'attention']) {
        const rows = tables.clips.filter((row) => row.decoder === decoder);
        expect(rows).toHaveLength(metrics['test-clips']);
        expect(new Set(rows.map((row) => row.id)).size).toBe(metrics['test-clips']);
        expect(new Set(rows.map((row) => row.fold))).toEqual(new Set([0, 1, 2]));
      }
    });

    it('pre-trains once per decoder, and every fold starts from those weights', () => {
      const { curves, tables } = outcome.snapshot;
      const config = outcome.snapshot.provenance.config as { cv: { stages: Array<{ epochs: number }>; folds: number }; epochs: number };
      for (const decoder of ['recurrent', 'attention']) {
        const rows = curves.epochs.filter((row) => row.decoder === decoder);
        config.cv.stages.forEach((stage, index) => {
          expect(rows.filter((row) => row.stage === `pretrain-${index + 1}`).map((row) => row.epoch)).toEqual(
            Array.from({ length: stage.epochs }, (_, i) => i + 1),
          );
        });
        for (let fold = 0; fold < config.cv.folds; fold++) expect(rows.filter((row) => row.stage === `fold-${fold}`)).toHaveLength(config.epochs);
        const starts = tables.foldStarts.filter((row) => row.decoder === decoder);
        expect(starts).toHaveLength(config.cv.folds);
        for (const row of starts) expect(row.startWeightsSha256).toMatch(/^[0-9a-f]{64}$/);
        expect(new Set(starts.map((row) => row.startWeightsSha256))).toEqual(new Set([starts[0].pretrainedSha256]));
      }
    });

    it('reports pooled scores and listening gaps with intervals, and the pre-trained model on every clip', () => {
      const { metrics } = outcome.snapshot;
      for (const decoder of ['recurrent', 'attention']) {
        for (const name of ['test-loss', 'test-jaccard', 'test-damerau-levenshtein', 'listening-gap-jaccard-low', 'listening-gap-jaccard-high'])
          expect(Number.isFinite(metrics[`synthetic-then-real-${decoder}-${name}`]), name).toBe(true);
        expect(metrics[`synthetic-then-real-${decoder}-listening-gap-jaccard-low`]).toBeLessThanOrEqual(
          metrics[`synthetic-then-real-${decoder}-listening-gap-jaccard-high`],
        );
        expect(Number.isFinite(metrics[`pretrained-${decoder}-real-listening-gap-jaccard`])).toBe(true);
      }
    });

    it('passes its thresholds', () => {
      expect(outcome).toPassThresholds();
    });

    it('matches the committed baseline', () => {
      expect(outcome).toMatchBaseline();
    });
  });
});
