import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LJ_SPEECH_SPLITS,
  ljSpeechDir,
  ljSpeechSplit,
  loadLjSpeech,
  loadLjSpeechTranscripts,
  parseLjMetadata,
  readLjLayout,
} from '../../../src/lib/data/ljspeech.ts';
import { clipsInRange } from '../../../src/lib/data/speech-corpus.ts';
import type { SpeechCorpus } from '../../../src/lib/data/speech-corpus.ts';

const fixture = fileURLToPath(new URL('../../fixtures/ljspeech-mini/', import.meta.url));

describe('LJ Speech metadata.csv', () => {
  it('splits on | exactly: quotes are text, LF and CRLF both end a line', () => {
    const rows = parseLjMetadata('A-1|"He said|"he said\r\nA-2|x "y|x "y\n', 'metadata.csv');
    expect(rows).toEqual([
      { id: 'A-1', text: '"He said', normalizedText: '"he said' },
      { id: 'A-2', text: 'x "y', normalizedText: 'x "y' },
    ]);
    expect(parseLjMetadata('A-1|a|b', 'm.csv')).toHaveLength(1);
  });

  it('names the file and line of a malformed row', () => {
    expect(() => parseLjMetadata('A-1|a|b\nA-2|a\n', '/data/metadata.csv')).toThrow("/data/metadata.csv, line 2: expected 3 '|'-separated fields");
    expect(() => parseLjMetadata('A-1|a|b|c\n', 'm.csv')).toThrow(/line 1: expected 3 .* found 4/);
    expect(() => parseLjMetadata('A-1|a|b\nA-1|c|d\n', 'm.csv')).toThrow(/line 2: id A-1 appears twice/);
    expect(() => parseLjMetadata('../x|a|b\n', 'm.csv')).toThrow(/is not a plain file name/);
  });
});

describe('LJ Speech layout reader', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'ljspeech-test-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  async function copyWithout(name: string, removed: string[]): Promise<string> {
    const dir = join(scratch, name);
    await cp(fixture, dir, { recursive: true });
    for (const id of removed) await rm(join(dir, 'wavs', `${id}.wav`));
    return dir;
  }

  it('reads the fixture: rows in order with their indices, both transcript columns and WAV paths', async () => {
    const corpus = await readLjLayout(fixture);
    expect(corpus.rows).toBe(4);
    expect(corpus.clips.map((c) => [c.index, c.id])).toEqual([
      [0, 'LJ900-0001'],
      [1, 'LJ900-0002'],
      [2, 'LJ900-0003'],
      [3, 'LJ900-0004'],
    ]);
    expect(corpus.clips[1].text).toBe('"Quoted" and "open.');
    expect(corpus.clips[2]).toMatchObject({ text: 'Dr. Smith, 5.', normalizedText: 'Doctor Smith, five.' });
    expect(corpus.clips[3].wavPath).toBe(join(fixture, 'wavs', 'LJ900-0004.wav'));
    expect(corpus.missing).toEqual([]);
    expect(corpus.sampleRate).toBe(22050);
    expect(corpus.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('fails on a row without audio, naming it, unless subset mode is on', async () => {
    const dir = await copyWithout('missing', ['LJ900-0002', 'LJ900-0004']);
    await expect(readLjLayout(dir)).rejects.toThrow(
      `metadata row 2 (LJ900-0002) has no audio: ${join(dir, 'wavs', 'LJ900-0002.wav')} is missing, and so do 1 more of the 4 rows`,
    );
    const lines: string[] = [];
    const subset = await readLjLayout(dir, { subset: true, log: (line) => lines.push(line) });
    expect(subset.clips.map((c) => [c.index, c.id])).toEqual([
      [0, 'LJ900-0001'],
      [2, 'LJ900-0003'],
    ]);
    expect(subset.missing).toEqual(['LJ900-0002', 'LJ900-0004']);
    expect(lines).toEqual([`missing: subset mode keeps 2 of 4 rows; 2 have no WAV in ${join(dir, 'wavs')}`]);
    // The hash covers which rows were used, not only metadata.csv.
    expect(subset.hash).not.toBe((await readLjLayout(fixture)).hash);
  });

  it('explains a missing folder, metadata.csv or wavs/', async () => {
    await expect(loadLjSpeech({ env: {} })).rejects.toThrow(/no folder given; download LJ Speech 1\.1 .* set LJSPEECH_DIR/);
    await expect(loadLjSpeech({ env: { LJSPEECH_DIR: join(scratch, 'nowhere') } })).rejects.toThrow(
      `LJ Speech: folder ${join(scratch, 'nowhere')} (from LJSPEECH_DIR) does not exist`,
    );
    await expect(readLjLayout(scratch)).rejects.toThrow(`${join(scratch, 'metadata.csv')} not found`);
    const noWavs = join(scratch, 'no-wavs');
    await cp(join(fixture, 'metadata.csv'), join(noWavs, 'metadata.csv'), { recursive: true });
    await expect(readLjLayout(noWavs)).rejects.toThrow(`cannot list ${join(noWavs, 'wavs')} (ENOENT)`);
    const badText = await copyWithout('bad-utf8', []);
    await writeFile(join(badText, 'metadata.csv'), Uint8Array.from([0x41, 0x7c, 0xff, 0x7c, 0x41, 0x0a]));
    await expect(readLjLayout(badText)).rejects.toThrow(`${join(badText, 'metadata.csv')} is not valid UTF-8`);
  });

  it('reads the transcripts alone, without needing the audio', async () => {
    const dir = await copyWithout('transcripts-only', ['LJ900-0001', 'LJ900-0002', 'LJ900-0003', 'LJ900-0004']);
    const { rows, hash } = await loadLjSpeechTranscripts({ dir });
    expect(rows.map((row) => [row.index, row.id, row.normalizedText])).toEqual([
      [0, 'LJ900-0001', 'Printing, first.'],
      [1, 'LJ900-0002', '"Quoted" and "open.'],
      [2, 'LJ900-0003', 'Doctor Smith, five.'],
      [3, 'LJ900-0004', 'Is it done?'],
    ]);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    await expect(loadLjSpeechTranscripts({ env: {} })).rejects.toThrow(/no folder given/);
    await expect(loadLjSpeechTranscripts({ dir: join(scratch, 'nowhere') })).rejects.toThrow(/cannot read .*nowhere\/metadata\.csv \(ENOENT\)/);
  });

  it('takes the folder from the option before LJSPEECH_DIR', async () => {
    expect(ljSpeechDir({ env: { LJSPEECH_DIR: '/from/env' } })).toBe('/from/env');
    expect(ljSpeechDir({ dir: '/from/option', env: { LJSPEECH_DIR: '/from/env' } })).toBe('/from/option');
    expect(ljSpeechDir({ env: {} })).toBeNull();
    // Set but empty is a mistake, not "unset": it must not quietly skip the real-data suites.
    expect(() => ljSpeechDir({ env: { LJSPEECH_DIR: '' } })).toThrow(/LJSPEECH_DIR is empty/);
    const corpus = await loadLjSpeech({ env: { LJSPEECH_DIR: fixture } });
    expect(corpus.clips).toHaveLength(4);
  });

  it("selects the homework's splits by metadata row index", () => {
    expect(LJ_SPEECH_SPLITS).toEqual({ train: [0, 9825], validation: [9825, 10480], test: [10480, 13100] });
    const clip = (index: number) => ({ index, id: `X-${index}`, text: '', normalizedText: '', wavPath: '' });
    const corpus: SpeechCorpus = {
      id: 't',
      dir: '',
      rows: 13100,
      clips: [0, 9824, 9825, 10479, 10480, 13099].map(clip),
      missing: [],
      sampleRate: 22050,
      hash: '',
    };
    expect(ljSpeechSplit(corpus, 'train').map((c) => c.index)).toEqual([0, 9824]);
    expect(ljSpeechSplit(corpus, 'validation').map((c) => c.index)).toEqual([9825, 10479]);
    expect(ljSpeechSplit(corpus, 'test').map((c) => c.index)).toEqual([10480, 13099]);
    expect(clipsInRange(corpus.clips, 1, 9825).map((c) => c.index)).toEqual([9824]);
  });
});
