import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogMel, fitFrames } from '../../../src/lib/audio/log-mel.ts';
import { encodeWavPcm16, readWav } from '../../../src/lib/audio/wav.ts';
import { readLjLayout } from '../../../src/lib/data/ljspeech.ts';
import { createSpeechDataset } from '../../../src/lib/data/speech-corpus.ts';
import type { SpeechClip } from '../../../src/lib/data/speech-corpus.ts';
import { decodeTokens, encodeText } from '../../../src/lib/text/tokens.ts';

const fixture = fileURLToPath(new URL('../../fixtures/ljspeech-mini/', import.meta.url));
const FRAMES = 90; // the fixture's clips have 56-111 frames: some are padded, some cropped
const MAX_LEN = 24;

describe('speech data set over an LJ Speech layout', () => {
  let scratch: string;
  let clips: SpeechClip[];
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'speech-dataset-test-'));
    clips = (await readLjLayout(fixture)).clips;
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('builds batches of padded/cropped log-mel features and tokens of the normalized text', async () => {
    const dataset = await createSpeechDataset(clips, { frames: FRAMES, maxLen: MAX_LEN, cacheDir: null });
    expect(dataset.size).toBe(4);
    expect([dataset.nMels, dataset.frames, dataset.maxLen]).toEqual([80, FRAMES, MAX_LEN]);
    expect(dataset.stats).toMatchObject({ computed: 4, cached: 0 });

    const logMel = createLogMel();
    const batches = [];
    for await (const batch of dataset.batches(3, [3, 1, 0, 2])) batches.push(batch);
    expect(batches.map((b) => b.ids)).toEqual([['LJ900-0004', 'LJ900-0002', 'LJ900-0001'], ['LJ900-0003']]);
    const [first] = batches;
    expect(first.features).toBeInstanceOf(Float32Array);
    expect(first.features.length).toBe(3 * 80 * FRAMES); // [3, 80, 90]
    expect(first.tokens).toBeInstanceOf(Int32Array);
    expect(first.tokens.length).toBe(3 * MAX_LEN); // [3, 24]
    for (const [b, position] of [3, 1, 0].entries()) {
      const wav = await readWav(clips[position].wavPath, { expectedSampleRate: 22050 });
      const natural = logMel.compute(wav.samples);
      expect(dataset.naturalFrames[position]).toBe(natural.length / 80);
      expect(first.features.subarray(b * 80 * FRAMES, (b + 1) * 80 * FRAMES)).toEqual(fitFrames(natural, 80, FRAMES));
      expect(first.tokens.subarray(b * MAX_LEN, (b + 1) * MAX_LEN)).toEqual(encodeText(clips[position].normalizedText, MAX_LEN));
    }
    expect(Math.max(...dataset.naturalFrames)).toBeGreaterThan(FRAMES);
    expect(Math.min(...dataset.naturalFrames)).toBeLessThan(FRAMES);
    expect(decodeTokens(batches[1].tokens)).toBe('doctor smith, five.');
    const written = await createSpeechDataset(clips, { frames: FRAMES, maxLen: MAX_LEN, cacheDir: null, textField: 'text' });
    expect(decodeTokens(written.tokens.subarray(2 * MAX_LEN, 3 * MAX_LEN))).toBe('dr. smith, #.');
  });

  it('caches features on disk and reads them back unchanged', async () => {
    const cacheDir = join(scratch, 'cache');
    const progress: number[] = [];
    const first = await createSpeechDataset(clips, { frames: FRAMES, maxLen: MAX_LEN, cacheDir, onProgress: (done) => progress.push(done) });
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(first.stats).toMatchObject({ computed: 4, cached: 0 });
    const [folder] = await readdir(cacheDir);
    expect(folder).toMatch(/^log-mel-[0-9a-f]{16}$/);
    expect(await readdir(join(cacheDir, folder))).toHaveLength(4);

    const second = await createSpeechDataset(clips, { frames: FRAMES, maxLen: MAX_LEN, cacheDir });
    expect(second.stats).toMatchObject({ computed: 0, cached: 4 });
    expect(second.hash).toBe(first.hash);
    const all = [0, 1, 2, 3];
    const inMemory = await createSpeechDataset(clips, { frames: FRAMES, maxLen: MAX_LEN, cacheDir: null });
    expect((await second.batch(all)).features).toEqual((await inMemory.batch(all)).features);

    // Other extractor settings get their own folder instead of stale values.
    const other = await createSpeechDataset(clips.slice(0, 1), { frames: FRAMES, cacheDir, logMel: { nMels: 40 } });
    expect(other.stats.computed).toBe(1);
    expect(await readdir(cacheDir)).toHaveLength(2);

    // A damaged cache file is reported, not silently used.
    const [file] = await readdir(join(cacheDir, folder));
    await writeFile(join(cacheDir, folder, file), 'garbage');
    await expect(second.batch(all)).rejects.toThrow(/is not a valid 80-mel feature file; delete it to recompute/);
  });

  it('hashes exactly the audio and text it read', async () => {
    const copy = join(scratch, 'copy');
    await cp(fixture, copy, { recursive: true });
    const original = await createSpeechDataset((await readLjLayout(copy)).clips, { frames: FRAMES, cacheDir: null });
    await writeFile(join(copy, 'wavs', 'LJ900-0004.wav'), encodeWavPcm16(new Int16Array(4000).fill(3), 22050));
    const changedAudio = await createSpeechDataset((await readLjLayout(copy)).clips, { frames: FRAMES, cacheDir: null });
    expect(changedAudio.hash).not.toBe(original.hash);
    const changedText = await createSpeechDataset((await readLjLayout(copy)).clips, { frames: FRAMES, cacheDir: null, textField: 'text' });
    expect(changedText.hash).not.toBe(changedAudio.hash);
  });

  it('names the file whose audio is unreadable or at another rate', async () => {
    const copy = join(scratch, 'bad-rate');
    await cp(fixture, copy, { recursive: true });
    const bad = join(copy, 'wavs', 'LJ900-0003.wav');
    await writeFile(bad, encodeWavPcm16(new Int16Array(4000), 16000));
    const corpus = await readLjLayout(copy);
    await expect(createSpeechDataset(corpus.clips, { frames: FRAMES, cacheDir: null })).rejects.toThrow(`${bad}: sample rate 16000 Hz, expected 22050 Hz`);
    await rm(bad);
    await expect(createSpeechDataset(corpus.clips, { frames: FRAMES, cacheDir: null })).rejects.toThrow(`cannot read the audio of LJ900-0003, ${bad} (ENOENT)`);
    await expect(createSpeechDataset([], { frames: FRAMES, cacheDir: null })).rejects.toThrow(/no clips/);
    await expect(createSpeechDataset([clips[0], clips[0]], { frames: FRAMES, cacheDir: null })).rejects.toThrow(/LJ900-0001 appears twice/);
  });
});
