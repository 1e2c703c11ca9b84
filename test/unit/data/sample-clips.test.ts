/**
 * The sample clips of a Q3 run, rebuilt from its config without the rest of the corpus: byte for byte the WAVs,
 * ids and texts generateSyntheticCorpus writes (the restated draws must never drift from it), the first clips
 * of the test split, and a skip reason instead of a failure where real recordings are not on this machine.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipFeatures, q3SampleClips, SampleClipsUnavailable, speakCorpusClips, targetText } from '../../../src/lib/data/sample-clips.ts';
import { readLjLayout } from '../../../src/lib/data/ljspeech.ts';
import { createSpeechDataset } from '../../../src/lib/data/speech-corpus.ts';
import { defaultPalette, generateSyntheticCorpus } from '../../../src/lib/data/synthetic-speech.ts';
import { tempRoot } from '../../support/harness.ts';

const corpus = { count: 12, minChars: 15, maxChars: 32, seed: 3 };
let dir: string;

// Speaking 12 clips takes ~2 s on an idle core; a loaded shared machine needs several times the default 10 s.
beforeAll(async () => {
  dir = await tempRoot('sample-clips');
  await generateSyntheticCorpus({ ...corpus, dir });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sample clips of synthetic speech', () => {
  it('are the bytes, ids and texts of the corpus generateSyntheticCorpus writes', async () => {
    const layout = await readLjLayout(dir);
    const clips = await speakCorpusClips(corpus, [0, 7, 11]);
    for (const [i, position] of [0, 7, 11].entries()) {
      expect(clips[i].id).toBe(layout.clips[position].id);
      expect(clips[i].text).toBe(layout.clips[position].text);
      expect(Buffer.compare(Buffer.from(clips[i].wav), await readFile(layout.clips[position].wavPath)), layout.clips[position].id).toBe(0);
    }
  });

  it("are the first test clips of the run's split, with the experiments' features and targets", async () => {
    const config = {
      corpus: 'synthetic-brown',
      clips: 12,
      minChars: 15,
      maxChars: 32,
      corpusSeed: 3,
      trainFraction: 0.5,
      validationFraction: 0.25,
      samples: 2,
      frames: 300,
    };
    const samples = await q3SampleClips(config);
    expect(samples.map((sample) => [sample.index, sample.id])).toEqual([
      [0, 'BRN-00010'],
      [1, 'BRN-00011'],
    ]);
    const dataset = await createSpeechDataset((await readLjLayout(dir)).clips, { frames: 300, maxLen: 20, cacheDir: null });
    const batch = await dataset.batch([9, 10]); // [2, 80, 300]
    expect(clipFeatures(samples[0].wav, { nMels: 80, frames: 300 })).toEqual(batch.features.subarray(0, 80 * 300));
    expect(clipFeatures(samples[1].wav, { nMels: 80, frames: 300 })).toEqual(batch.features.subarray(80 * 300));
    expect(targetText('Twenty-one, he said!', 10)).toBe('twenty-o');
    expect((await q3SampleClips(config, { count: 1 })).map((sample) => sample.id)).toEqual(['BRN-00010']);
  });
});

describe('sample clips of speech from several engines', () => {
  it('replay the engine draw too: the bytes of the corpus a palette of espeak-ng and Flite writes', async () => {
    const options = { ...corpus, engines: ['espeak-ng', 'flite'] as const };
    const mixed = join(dir, 'mixed');
    const info = await generateSyntheticCorpus({ ...options, dir: mixed, palette: defaultPalette(options.engines) });
    const positions = [0, 5, 9, 11];
    // Measured for seed 3: both engines among these clips, so both code paths are compared.
    expect(new Set(positions.map((position) => info.speakers[position].engine))).toEqual(new Set(['espeak-ng', 'flite']));
    const layout = await readLjLayout(mixed);
    const clips = await speakCorpusClips({ ...options, engines: [...options.engines] }, positions);
    for (const [i, position] of positions.entries()) {
      expect(clips[i].id).toBe(layout.clips[position].id);
      expect(Buffer.compare(Buffer.from(clips[i].wav), await readFile(layout.clips[position].wavPath)), layout.clips[position].id).toBe(0);
    }
    // A held-out family leaves the test split: the sample clips are the first test clips of the other speakers.
    const config = {
      corpus: 'synthetic-brown',
      clips: 12,
      minChars: 15,
      maxChars: 32,
      corpusSeed: 3,
      trainFraction: 0.5,
      validationFraction: 0.25,
      samples: 3,
    };
    const heldOut = { engine: info.speakers[10].engine };
    const kept = [9, 10, 11].filter((position) => info.speakers[position].engine !== heldOut.engine);
    const samples = await q3SampleClips({ ...config, engines: ['espeak-ng', 'flite'], heldOut });
    expect(samples.map((sample) => sample.id)).toEqual(kept.map((position) => layout.clips[position].id));
    expect(samples.length).toBeLessThan(3); // clip 10's speaker at least is held out
    await expect(q3SampleClips({ ...config, engines: ['festival'] })).rejects.toThrow(
      'provenance.config.engines is ["festival"], expected a list of espeak-ng, flite',
    );
    await expect(q3SampleClips({ ...config, engines: ['flite'], heldOut: { engine: 'festival' } })).rejects.toThrow(/provenance.config.heldOut is/);
  });
});

describe('sample clips of real recordings', () => {
  it('are unavailable, with the reason, where the LJ Speech folder is not', async () => {
    const config = { realLimit: 24, trainFraction: 0.85, validationFraction: 0.075, samples: 2 };
    const missing = join(dir, 'no-such-ljspeech');
    await expect(q3SampleClips(config, { ljspeechDir: missing })).rejects.toBeInstanceOf(SampleClipsUnavailable);
    await expect(q3SampleClips(config, { ljspeechDir: missing })).rejects.toThrow(
      `the sample clips are LJ Speech recordings: LJ Speech: folder ${missing} (from option) does not exist`,
    );
  });
});

describe('sample clips of a cross-validated run', () => {
  const config = {
    arms: ['synthetic-then-real'],
    cv: { folds: 3, foldSeed: 1, validationFraction: 0.05, realChoice: 'first' },
    realLimit: 24,
    frames: 1400,
    evalBatch: 32,
    nMels: 80,
    samples: 2,
  };

  it('are unavailable where the LJ Speech folder is not: their order needs every clip', async () => {
    await expect(q3SampleClips(config, { ljspeechDir: join(dir, 'no-such-ljspeech') })).rejects.toBeInstanceOf(SampleClipsUnavailable);
  });

  it('name a cv block they cannot read', async () => {
    await expect(q3SampleClips({ ...config, cv: { ...config.cv, realChoice: 'longest' } }, { source: 'cv.json' })).rejects.toThrow(
      'cv.json: provenance.config.cv.realChoice is "longest", expected "first" or "shortest"',
    );
    await expect(q3SampleClips({ ...config, cv: { ...config.cv, folds: '3' } }, { source: 'cv.json' })).rejects.toThrow(
      'cv.json: provenance.config.cv.folds is "3", expected a number',
    );
  });
});
