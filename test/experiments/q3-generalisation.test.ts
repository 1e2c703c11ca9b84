/**
 * Question 3's published models on speech they never trained on (issue 18 point 3): unheard Brown sentences spoken by
 * espeak-ng and by Flite's slt, and real LJ Speech recordings, each with the listening gap and its interval. The CI
 * profile `smoke` scores the committed q3-asr/listening weights on 30 sentences per engine and the 3 committed
 * recordings (no LJSPEECH_DIR needed); `full` scores every listed run on every clip in LJSPEECH_DIR.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkUnheard, heardRealClips, listedRun, q3Generalisation, readListedSnapshot, sentenceOrder, TESTS } from '../../experiments/q3/generalisation.ts';
import { brownSentences, generateSyntheticCorpus } from '../../src/lib/data/synthetic-speech.ts';
import type { Outcome } from '../../src/lib/harness/runner.ts';
import { significantDigits } from '../../src/lib/harness/snapshot.ts';
import { runExperiment } from '../../src/lib/harness/runner.ts';
import { suiteProfile } from '../support/profile.ts';
import { scratchFolders } from '../support/scratch-folders.ts';

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

  it.runIf(suite.profile === 'full')("reproduces the real-speech runs' own test gaps on the real clips they did not hear", async () => {
    for (const [entry, arm] of [
      ['q3-ljspeech/listening', 'real-only'],
      ['q3-ljspeech-transfer/listening', 'synthetic-then-real'],
    ]) {
      const { snapshot } = await readListedSnapshot(entry);
      for (const decoder of ['recurrent', 'attention']) {
        const row = outcome.snapshot.tables.generalisation.find(
          (candidate) => candidate.model === entry && candidate.decoder === decoder && candidate.test === 'real-lj',
        )!;
        expect(row.n).toBe(snapshot.metrics['test-clips']);
        // As the snapshots record numbers: to 10 significant digits.
        const recorded = (value: unknown) => Number((value as number).toPrecision(significantDigits));
        expect(recorded(row.gap)).toBe(snapshot.metrics[`${arm}-${decoder}-listening-gap-jaccard`]);
        expect(recorded(row.jaccard)).toBe(snapshot.metrics[`${arm}-${decoder}-test-jaccard`]);
      }
    }
  });

  it('passes its thresholds', () => {
    expect(outcome).toPassThresholds();
  });

  it('matches the committed baseline', () => {
    expect(outcome).toMatchBaseline();
  });
});

/** What `data` checks before anything is spoken or scored: fast, on every run of this file. */
describe('q3-generalisation: the listed runs and the unheard sentences', () => {
  const folders = scratchFolders('q3-generalisation-');
  const listening = () => readListedSnapshot('q3-asr/listening');

  it('orders the Brown sentences as generateSyntheticCorpus chooses them', async () => {
    const dir = await folders();
    const corpus = await generateSyntheticCorpus({ dir, count: 3, minChars: 12, maxChars: 34, seed: 1 });
    const spoken = (await readFile(join(corpus.dir, 'metadata.csv'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => line.split('|')[1]);
    const sentences = await brownSentences({ minChars: 12, maxChars: 34 });
    expect(
      sentenceOrder(1, sentences.length)
        .slice(0, 3)
        .map((i) => sentences[i]),
    ).toEqual(spoken);
  });

  it('accepts sentences the listening run never heard and names the run that heard one', async () => {
    const { entry, file, snapshot } = await listening();
    const sentences = await brownSentences({ minChars: 12, maxChars: 34 });
    const order = sentenceOrder(1, sentences.length);
    await expect(
      checkUnheard(
        entry,
        file,
        snapshot,
        order.slice(4000).map((i) => sentences[i]),
      ),
    ).resolves.toBeUndefined();
    await expect(checkUnheard(entry, file, snapshot, [sentences[order[4001]], sentences[order[17]]])).rejects.toThrow(
      "q3-generalisation: 1 of the test sentences are in q3-asr/listening's training corpus (snapshots/q3-asr/listening.json)",
    );
  });

  it('names the missing snapshot, the missing weights, and a snapshot that publishes none', async () => {
    await expect(readListedSnapshot('q3-asr/nope')).rejects.toThrow(
      'q3-generalisation: snapshots/q3-asr/nope.json: cannot read the snapshot of the listed model q3-asr/nope (ENOENT)',
    );
    const root = await folders();
    await mkdir(join(root, 'snapshots/q3-asr'), { recursive: true });
    await copyFile('snapshots/q3-asr/listening.json', join(root, 'snapshots/q3-asr/listening.json'));
    const { entry, file, snapshot } = await readListedSnapshot('q3-asr/listening', root);
    await expect(listedRun(entry, file, snapshot, [], true, root)).rejects.toThrow(
      /^models\/q3-asr\/listening\/recurrent\.safetensors: cannot read the published weights that snapshots\/q3-asr\/listening\.json lists \(no such file\)/,
    );
    await expect(listedRun(entry, file, snapshot, [], true)).resolves.toMatchObject({ names: ['q3-asr/listening/recurrent', 'q3-asr/listening/attention'] });
    const smoke = await readListedSnapshot('q3-asr/smoke');
    await expect(listedRun(smoke.entry, smoke.file, smoke.snapshot, [], true)).rejects.toThrow('snapshots/q3-asr/smoke.json lists no published Q3 weights');
  });

  it('leaves out the real clips a run trained or validated on', async () => {
    const clips = Array.from({ length: 385 }, (_, index) => ({ index, id: `LJ-${index}`, text: 'a', normalizedText: 'a', wavPath: '' }));
    const realOnly = (await readListedSnapshot('q3-ljspeech/listening')).snapshot.provenance.config;
    // 385 clips at 0.85 / 0.075: 327 train and 29 validation clips heard, the last 29 are its test clips.
    expect([...heardRealClips('q3-ljspeech/listening', realOnly, clips, true)]).toEqual(Array.from({ length: 356 }, (_, i) => i));
    expect(heardRealClips('q3-asr/listening', (await listening()).snapshot.provenance.config, clips, true).size).toBe(0);
    expect(() => heardRealClips('q3-ljspeech/listening', realOnly, clips, false)).toThrow("score it with real: 'ljspeech'");
    expect(() => heardRealClips('q3-ljspeech-transfer/cv', { ...realOnly, cv: { folds: 3 } }, clips, true)).toThrow('is cross-validated');
  });
});
