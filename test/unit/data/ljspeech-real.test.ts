/**
 * The loader and data set on real LJ Speech recordings, wherever LJSPEECH_DIR points at an LJSpeech-1.1 folder
 * (CI points it at the partial copy: all 13,100 transcripts, audio for rows 0-384). Without it the tests are
 * skipped with a note saying so: a fresh machine has no data to read.
 */
import { describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { ljSpeechDir, ljSpeechSplit, loadLjSpeech } from '../../../src/lib/data/ljspeech.ts';
import { createSpeechDataset } from '../../../src/lib/data/speech-corpus.ts';
import { decodeTokens } from '../../../src/lib/text/tokens.ts';

const dir = ljSpeechDir();
const SKIP_NOTE = 'LJSPEECH_DIR is not set: no LJ Speech data on this machine, real-data checks skipped';

function needData(context: TestContext): string {
  if (dir === null) context.skip(SKIP_NOTE);
  return dir as string;
}

describe('LJ Speech 1.1 on real recordings (LJSPEECH_DIR)', () => {
  it('reads all 13,100 transcripts, and in subset mode the rows whose audio exists', async (context) => {
    const root = needData(context);
    const logged: string[] = [];
    const corpus = await loadLjSpeech({ dir: root, subset: true, log: (line) => logged.push(line) });
    expect(corpus.rows).toBe(13100);
    expect(corpus.clips.length + corpus.missing.length).toBe(13100);
    expect(corpus.clips.length).toBeGreaterThan(0);
    expect(corpus.clips[0]).toMatchObject({ index: 0, id: 'LJ001-0001' });
    expect(corpus.clips[0].text.startsWith('Printing, in the only sense with which we are at present concerned')).toBe(true);
    // Every clip keeps its metadata row index, so the homework's splits still apply.
    for (let i = 1; i < corpus.clips.length; i++) expect(corpus.clips[i].index).toBeGreaterThan(corpus.clips[i - 1].index);
    const splits = { train: ljSpeechSplit(corpus, 'train'), validation: ljSpeechSplit(corpus, 'validation'), test: ljSpeechSplit(corpus, 'test') };
    expect(splits.train.length + splits.validation.length + splits.test.length).toBe(corpus.clips.length);
    if (corpus.missing.length > 0) {
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain(`keeps ${corpus.clips.length} of 13100 rows`);
      await expect(loadLjSpeech({ dir: root })).rejects.toThrow(new RegExp(`\\(${corpus.missing[0]}\\) has no audio: .*${corpus.missing[0]}\\.wav is missing`));
    }
  });

  it('turns real clips into features and tokens', async (context) => {
    const root = needData(context);
    const corpus = await loadLjSpeech({ dir: root, subset: true });
    const clips = corpus.clips.slice(0, 3);
    const dataset = await createSpeechDataset(clips, { frames: 2754, cacheDir: null });
    const batch = await dataset.batch([0, 1, 2]);
    expect(batch.features.length).toBe(3 * 80 * 2754); // [3, 80, 2754]
    expect(batch.tokens.length).toBe(3 * 99); // [3, 99]
    // LJ Speech clips last 1-10 s: 140-1380 frames, all shorter than the homework's 2754.
    for (const frames of dataset.naturalFrames) expect(frames).toBeGreaterThan(100);
    for (const frames of dataset.naturalFrames) expect(frames).toBeLessThan(2754);
    expect(decodeTokens(batch.tokens.subarray(99, 198))).toBe(clips[1].normalizedText.toLowerCase());
    // Real speech fills the spectrum: the features vary well beyond the floor.
    const first = batch.features.subarray(0, 80 * dataset.naturalFrames[0]);
    expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(1);
  });
});
