/** Splits of a speech data set shaped for length buckets: each batch padded to its own longest clip, its token rows cut after its longest transcript. */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fitFrames } from '../../../src/lib/audio/log-mel.ts';
import { consecutiveBlocks, speechSplit, splitCounts, splitLengths } from '../../../src/lib/data/asr-split.ts';
import { readLjLayout } from '../../../src/lib/data/ljspeech.ts';
import type { SpeechDataset } from '../../../src/lib/data/speech-corpus.ts';
import { createSpeechDataset } from '../../../src/lib/data/speech-corpus.ts';
import { decodeTokens } from '../../../src/lib/text/tokens.ts';

const fixture = fileURLToPath(new URL('../../fixtures/ljspeech-mini/', import.meta.url));
const FRAMES = 100; // the fixture's clips have 56-111 frames: one is longer and stays capped at 100
const MAX_LEN = 40;

let dataset: SpeechDataset;
beforeAll(async () => {
  dataset = await createSpeechDataset((await readLjLayout(fixture)).clips, { frames: FRAMES, maxLen: MAX_LEN, cacheDir: null });
});

describe('speechSplit shaped for length buckets', () => {
  it('keeps the data set shape by default', async () => {
    const batch = await speechSplit(dataset, [0, 1]).load([0, 1]);
    expect(batch.frames).toBeUndefined();
    expect(batch.audio.length).toBe(2 * 80 * FRAMES);
    expect(batch.text.length).toBe(2 * MAX_LEN);
  });

  it("pads each batch to its own longest clip, capped at the set's frames", async () => {
    const lengths = splitLengths(dataset, [0, 1, 2, 3]);
    expect(lengths).toEqual(Array.from(dataset.naturalFrames, (frames) => Math.min(FRAMES, frames)));
    const shortest = lengths.indexOf(Math.min(...lengths));
    const split = speechSplit(dataset, [0, 1, 2, 3], 'test', { padToBatch: true });
    const one = await split.load([shortest]);
    expect(one.frames).toBe(lengths[shortest]);
    expect(one.audio).toEqual((await dataset.batch([shortest], lengths[shortest])).features);
    const all = await split.load([0, 1, 2, 3]);
    expect(all.frames).toBe(FRAMES);
    const full = await dataset.batch([0, 1, 2, 3]);
    expect(all.audio).toEqual(full.features);
    // Padded, not cropped: the shortest clip's features at its own length are the start of its padded row.
    expect(fitFrames(one.audio, 80, FRAMES)).toEqual(full.features.subarray(shortest * 80 * FRAMES, (shortest + 1) * 80 * FRAMES));
  });

  it("cuts the token rows after the batch's longest transcript, keeping every stop token", async () => {
    const split = speechSplit(dataset, [0, 1, 2, 3], 'train', { padToBatch: true, trimText: true });
    const batch = await split.load([0, 1, 2, 3]);
    const texts = [0, 1, 2, 3].map((position) => decodeTokens(dataset.tokens.subarray(position * MAX_LEN, (position + 1) * MAX_LEN)));
    const longest = Math.max(...texts.map((text) => [...text].length));
    expect(batch.textLength).toBe(longest + 2);
    for (let row = 0; row < 4; row++) expect(decodeTokens(batch.text.subarray(row * batch.textLength!, (row + 1) * batch.textLength!))).toBe(texts[row]);
  });
});

describe('consecutiveBlocks', () => {
  it('lays splitCounts out in index order: train, then validation, then test, every position once', () => {
    const counts = splitCounts(20, 0.85, 0.075); // q3-ljspeech's lj-smoke: 17 / 2 / 1 of 20
    const blocks = consecutiveBlocks(counts);
    expect(blocks).toEqual({ train: Array.from({ length: 17 }, (_, i) => i), validation: [17, 18], test: [19] });
    expect([...blocks.train, ...blocks.validation, ...blocks.test]).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("gives the sample clips the same test block the experiments train around (q3-asr's listening corpus)", () => {
    const { test } = consecutiveBlocks(splitCounts(4000, 0.85, 0.075));
    expect(test).toHaveLength(300);
    expect([test[0], test.at(-1)]).toEqual([3700, 3999]);
  });
});
